-- A run's events from seq $2 to $3, in order.
SELECT run_id, seq, at, actor_platform, actor_user_id, actor_name, type,
       coalesce(payload_text, payload::text), coalesce(idempotency_key, ''), prev_hash, hash
FROM events
WHERE run_id = $1 AND seq BETWEEN $2 AND $3
ORDER BY seq
