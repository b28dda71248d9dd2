-- The run's listing row and head; non-empty metadata replaces the stored
-- one.
INSERT INTO runs (run_id, plan_id, plan_hash, state, drill, services,
                  created_at, updated_at, last_seq, head_hash)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (run_id) DO UPDATE SET
    plan_id    = CASE WHEN excluded.plan_id <> '' THEN excluded.plan_id ELSE runs.plan_id END,
    plan_hash  = CASE WHEN excluded.plan_hash <> '' THEN excluded.plan_hash ELSE runs.plan_hash END,
    state      = CASE WHEN excluded.state <> '' THEN excluded.state ELSE runs.state END,
    drill      = runs.drill OR excluded.drill,
    services   = CASE WHEN excluded.services <> '[]' THEN excluded.services ELSE runs.services END,
    updated_at = excluded.updated_at,
    last_seq   = excluded.last_seq,
    head_hash  = excluded.head_hash
