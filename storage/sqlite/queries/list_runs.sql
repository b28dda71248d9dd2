-- Runs, newest first; a NULL argument matches everything, LIMIT -1 is none.
SELECT run_id, plan_id, plan_hash, state, drill, services, created_at, updated_at, last_seq, head_hash
FROM runs
WHERE (?1 IS NULL OR state = ?1)
  AND (?2 IS NULL OR drill = ?2)
  AND (?3 IS NULL OR created_at >= ?3)
  AND (?4 IS NULL OR created_at < ?4)
  AND (?6 IS NULL OR run_id = ?6)
ORDER BY created_at DESC, run_id DESC
LIMIT ?5
