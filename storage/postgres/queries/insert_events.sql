-- A sealed batch, one array per column.
INSERT INTO events (run_id, seq, at, actor_platform, actor_user_id, actor_name, type,
                    payload, payload_text, idempotency_key, prev_hash, hash, batch_last, job_ids)
SELECT $1, e.seq, e.at, e.actor_platform, e.actor_user_id, e.actor_name, e.type,
       e.payload::jsonb, nullif(e.payload_text, ''), nullif(e.idempotency_key, ''), e.prev_hash, e.hash,
       CASE WHEN e.seq = $13 THEN $14::bigint END, CASE WHEN e.seq = $13 THEN $15::bigint[] END
FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
     AS e(seq, at, actor_platform, actor_user_id, actor_name, type,
          payload, payload_text, idempotency_key, prev_hash, hash)
