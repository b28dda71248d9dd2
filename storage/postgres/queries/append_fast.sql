-- An append in one statement, for a run whose head this process knows:
-- the run row moves only if it is still at that head ($23 seq, $24 hash),
-- and the events are stored only if it moved. Returns the number of events
-- stored: 0 means the head was stale. $1…$15 are insert_events.sql's.
WITH run AS (
    UPDATE runs AS r SET
        plan_id    = CASE WHEN $16::text <> '' THEN $16 ELSE r.plan_id END,
        plan_hash  = CASE WHEN $17::text <> '' THEN $17 ELSE r.plan_hash END,
        state      = CASE WHEN $18::text <> '' THEN $18 ELSE r.state END,
        drill      = r.drill OR $19::boolean,
        services   = CASE WHEN cardinality($20::text[]) > 0 THEN $20 ELSE r.services END,
        updated_at = $21,
        last_seq   = $14,
        head_hash  = $22
    WHERE r.run_id = $1 AND r.last_seq = $23 AND r.head_hash = $24
    RETURNING 1
), ev AS (
    INSERT INTO events (run_id, seq, at, actor_platform, actor_user_id, actor_name, type,
                        payload, payload_text, idempotency_key, prev_hash, hash, batch_last, job_ids)
    SELECT $1, e.seq, e.at, e.actor_platform, e.actor_user_id, e.actor_name, e.type,
           e.payload::jsonb, nullif(e.payload_text, ''), nullif(e.idempotency_key, ''), e.prev_hash, e.hash,
           CASE WHEN e.seq = $13 THEN $14::bigint END, CASE WHEN e.seq = $13 THEN $15::bigint[] END
    FROM unnest($2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         AS e(seq, at, actor_platform, actor_user_id, actor_name, type,
              payload, payload_text, idempotency_key, prev_hash, hash)
    WHERE EXISTS (SELECT FROM run)
    RETURNING 1
)
SELECT count(*) FROM ev
