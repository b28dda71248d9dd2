-- The batch an idempotency key opened, for a replay; last is -1 when the
-- key belongs to an event inside a batch rather than to its first event.
SELECT run_id, seq, coalesce(batch_last, -1), coalesce(job_ids, '{}')
FROM events
WHERE idempotency_key = $1
