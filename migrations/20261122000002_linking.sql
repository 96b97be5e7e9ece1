-- Contract linking (L1-L9) and the product's own messages.

-- Important communications of a customer number (M2): from the provider and from the product
-- itself (linking codes, alerts, move status). Shown to the holders of the number.
CREATE TABLE messages (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('provider', 'alert', 'linking_code', 'move_status')),
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    read_at      TIMESTAMPTZ
);
CREATE INDEX messages_customer_idx ON messages (customer_id, created_at DESC);

-- SMS waiting to be delivered ("User links"): written in the same transaction as what caused
-- it, delivered afterwards through a delivery trait, so no message is lost or sent twice.
CREATE TABLE sms_outbox (
    id            BIGSERIAL PRIMARY KEY,
    customer_id   BIGINT NOT NULL REFERENCES customers (id),
    phone_number  TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at       TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error    TEXT
);
CREATE INDEX sms_outbox_pending_idx ON sms_outbox (id) WHERE sent_at IS NULL;

-- One-time codes proving a phone number for a user link: only the SHA-256 of the code is
-- stored; a code expires, is used once, and allows a few wrong attempts.
CREATE TABLE link_codes (
    id           BIGSERIAL PRIMARY KEY,
    login_id     BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    contract_id  BIGINT NOT NULL REFERENCES contracts (id),
    code_hash    BYTEA NOT NULL CHECK (length(code_hash) = 32),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    used_at      TIMESTAMPTZ
);
CREATE INDEX link_codes_login_idx ON link_codes (login_id, created_at DESC);

-- Failed proofs per login, for throttling holder linking (contract password) and code entry.
CREATE TABLE link_attempts (
    id          BIGSERIAL PRIMARY KEY,
    login_id    BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('contract_password', 'sms_code')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX link_attempts_login_idx ON link_attempts (login_id, kind, created_at DESC);
