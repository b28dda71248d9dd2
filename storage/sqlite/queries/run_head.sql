-- The run's head; the transaction holds SQLite's write lock already.
SELECT last_seq, head_hash
FROM runs
WHERE run_id = ?1
