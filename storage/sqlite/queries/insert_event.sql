INSERT INTO events (run_id, seq, at, actor_platform, actor_user_id, actor_name, type,
                    payload, idempotency_key, prev_hash, hash)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, nullif(?9, ''), ?10, ?11)
