-- The run timeline: append-only events chained by hash (DESIGN §2).
-- Times are UTC microseconds since the Unix epoch.
CREATE TABLE runs (
    run_id     TEXT PRIMARY KEY,
    plan_id    TEXT NOT NULL DEFAULT '',
    plan_hash  TEXT NOT NULL DEFAULT '',
    state      TEXT NOT NULL DEFAULT '',
    drill      INTEGER NOT NULL DEFAULT 0,
    services   TEXT NOT NULL DEFAULT '[]', -- JSON array
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    head_hash  TEXT NOT NULL
) STRICT;

CREATE INDEX runs_created_at ON runs (created_at DESC, run_id DESC);

CREATE TABLE events (
    run_id          TEXT NOT NULL,
    seq             INTEGER NOT NULL CHECK (seq > 0),
    at              INTEGER NOT NULL,
    actor_platform  TEXT NOT NULL,
    actor_user_id   TEXT NOT NULL,
    actor_name      TEXT NOT NULL,
    type            TEXT NOT NULL,
    payload         TEXT NOT NULL CHECK (json_valid(payload)),
    idempotency_key TEXT,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
) STRICT;

CREATE UNIQUE INDEX events_idempotency_key ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- One row per batch whose first event carries an idempotency key: what a
-- replay of that key returns.
CREATE TABLE batches (
    idempotency_key TEXT PRIMARY KEY,
    run_id          TEXT NOT NULL,
    first_seq       INTEGER NOT NULL,
    last_seq        INTEGER NOT NULL,
    job_ids         TEXT NOT NULL DEFAULT '[]' -- JSON array
) STRICT;

CREATE TABLE run_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;
