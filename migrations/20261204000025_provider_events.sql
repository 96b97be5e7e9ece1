-- What customers did, for the provider's systems (issue 28 item 4): written in the
-- transaction of the change, read by GET /provider/v1/events (a cursor on `id`) and delivered
-- as signed webhooks when the deployment has an endpoint (SELFCARE_WEBHOOK_URL).
CREATE TABLE provider_events (
    id              BIGSERIAL PRIMARY KEY,
    provider_id     BIGINT NOT NULL REFERENCES providers (id),
    -- The id a receiver deduplicates on (deliveries are at least once).
    event_id        UUID NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    kind            TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    data            JSONB NOT NULL,
    occurred_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Webhook delivery: tried until answered 2xx or a day has passed.
    attempts        INT NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at    TIMESTAMPTZ,
    given_up_at     TIMESTAMPTZ,
    last_error      TEXT
);
CREATE INDEX provider_events_provider_idx ON provider_events (provider_id, id);
CREATE INDEX provider_events_due_idx ON provider_events (next_attempt_at)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
