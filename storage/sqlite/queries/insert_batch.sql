INSERT INTO batches (idempotency_key, run_id, first_seq, last_seq, job_ids)
VALUES (?1, ?2, ?3, ?4, ?5)
