-- The run's listing row and head; non-empty metadata replaces the stored
-- one. The append holds the row's lock (FOR UPDATE) and checked its head.
INSERT INTO runs AS r (run_id, plan_id, plan_hash, state, drill, services,
                       created_at, updated_at, last_seq, head_hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (run_id) DO UPDATE SET
    plan_id    = CASE WHEN excluded.plan_id <> '' THEN excluded.plan_id ELSE r.plan_id END,
    plan_hash  = CASE WHEN excluded.plan_hash <> '' THEN excluded.plan_hash ELSE r.plan_hash END,
    state      = CASE WHEN excluded.state <> '' THEN excluded.state ELSE r.state END,
    drill      = r.drill OR excluded.drill,
    services   = CASE WHEN cardinality(excluded.services) > 0 THEN excluded.services ELSE r.services END,
    updated_at = excluded.updated_at,
    last_seq   = excluded.last_seq,
    head_hash  = excluded.head_hash
