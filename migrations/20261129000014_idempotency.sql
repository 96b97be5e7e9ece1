-- Idempotency keys of confirming actions (issue 9, QUALITY "Idempotency"): one row per login
-- and key, inserted in the same transaction as the effect, with the hash of the request and
-- the answer given, so that a repeated confirmation gets the first answer and does nothing.
CREATE TABLE idempotency_keys (
    login_id     bigint      NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    key          text        NOT NULL CHECK (length(key) BETWEEN 16 AND 200),
    action       text        NOT NULL,
    request_hash bytea       NOT NULL,
    answer       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (login_id, key)
);

-- The purge job deletes keys older than a day.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
