-- The run's head, locked until the append commits.
SELECT last_seq, head_hash
FROM runs
WHERE run_id = $1
FOR UPDATE
