-- The run timeline: append-only events chained by hash (DESIGN §2).
CREATE TABLE runs (
    run_id     text PRIMARY KEY,
    plan_id    text NOT NULL DEFAULT '',
    plan_hash  text NOT NULL DEFAULT '',
    state      text NOT NULL DEFAULT '',
    drill      boolean NOT NULL DEFAULT false,
    services   text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    last_seq   bigint NOT NULL,
    head_hash  text NOT NULL
);

CREATE INDEX runs_created_at ON runs (created_at DESC, run_id DESC);

CREATE TABLE events (
    run_id          text NOT NULL,
    seq             bigint NOT NULL CHECK (seq > 0),
    at              timestamptz NOT NULL,
    actor_platform  text NOT NULL,
    actor_user_id   text NOT NULL,
    actor_name      text NOT NULL,
    type            text NOT NULL,
    payload         jsonb NOT NULL,
    -- The payload exactly as hashed, kept only when JSONB would rewrite a
    -- number of it (exponents, negative zero).
    payload_text    text,
    idempotency_key text,
    prev_hash       text NOT NULL,
    hash            text NOT NULL,
    -- On the first event of each appended batch only: the seq of the
    -- batch's last event and the River jobs enqueued with it, which is
    -- what a replay of the first event's idempotency key returns.
    batch_last      bigint,
    job_ids         bigint[],
    PRIMARY KEY (run_id, seq)
);

CREATE UNIQUE INDEX events_idempotency_key ON events (idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE run_numbers (
    year integer PRIMARY KEY,
    last integer NOT NULL
);

CREATE FUNCTION contingencia_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'the timeline is audit evidence; record a new event instead';
END;
$$;

CREATE TRIGGER events_append_only_rows BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION contingencia_events_append_only();

CREATE TRIGGER events_append_only_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION contingencia_events_append_only();
