-- The batch an idempotency key opened, for a replay.
SELECT run_id, first_seq, last_seq, job_ids
FROM batches
WHERE idempotency_key = ?1
