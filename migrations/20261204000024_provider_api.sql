-- The provider API (issue 28): keys, their idempotency keys, and usage records' own ids.

-- A provider's API keys. Only the SHA-256 of a key is kept (keys are 256 random bits: a slow
-- hash would add nothing); `hint` is the key's first characters, to tell keys apart in lists.
CREATE TABLE provider_api_keys (
    id           BIGSERIAL PRIMARY KEY,
    provider_id  BIGINT NOT NULL REFERENCES providers (id),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash     BYTEA NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    hint         TEXT NOT NULL,
    scopes       TEXT[] NOT NULL
                 CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'usage']),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

-- `Idempotency-Key` of the API's POSTs: the first request's answer, replayed to a retry with
-- the same key and body for a day (the purge job deletes older ones).
CREATE TABLE provider_idempotency_keys (
    api_key_id   BIGINT NOT NULL REFERENCES provider_api_keys (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash BYTEA NOT NULL,
    status       SMALLINT NOT NULL DEFAULT 0,
    answer       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX provider_idempotency_keys_created_at ON provider_idempotency_keys (created_at);

-- The provider's id of a usage record (its mediation system's record id): a record sent twice
-- is stored once. Partitioned by day, so the day is part of the key; a record keeps its day.
ALTER TABLE usage_records ADD COLUMN record_id TEXT CHECK (length(record_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX usage_records_record_id_idx ON usage_records (contract_id, record_id, usage_date)
    WHERE record_id IS NOT NULL;
