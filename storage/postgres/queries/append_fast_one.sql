-- append_fast.sql for the common batch of one event, with scalars instead
-- of arrays: $2…$12 are the event's columns, $13 and $14 its seq (first
-- and last of the batch: $13 is compared with $2 only so that both
-- statements take the same parameters), $15 the batch's job ids.
-- The run row moves only if it is still at the head this process knows
-- ($23 seq, $24 hash), and the event is stored only if it moved. Returns
-- the number of events stored: 0 means the head was stale.
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
    SELECT $1, $2::bigint, $3::timestamptz, $4::text, $5::text, $6::text, $7::text,
           $8::jsonb, nullif($9::text, ''), nullif($10::text, ''), $11::text, $12::text,
           $14::bigint, $15::bigint[]
    WHERE EXISTS (SELECT FROM run) AND $13::bigint = $2
    RETURNING 1
)
SELECT count(*) FROM ev
