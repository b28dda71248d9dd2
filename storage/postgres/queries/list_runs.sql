-- Runs, newest first; a NULL argument matches everything.
SELECT run_id, plan_id, plan_hash, state, drill, services, created_at, updated_at, last_seq, head_hash
FROM runs
WHERE ($1::text IS NULL OR state = $1)
  AND ($2::boolean IS NULL OR drill = $2)
  AND ($3::timestamptz IS NULL OR created_at >= $3)
  AND ($4::timestamptz IS NULL OR created_at < $4)
  AND ($6::text IS NULL OR run_id = $6)
ORDER BY created_at DESC, run_id DESC
LIMIT $5
