-- Email (issue 27). Mails wait in an outbox written in the same transaction as what they
-- announce; a worker claims rows with FOR UPDATE SKIP LOCKED (several instances never send one
-- twice) and retries a failed delivery with a growing pause. `dedupe_key` makes a notice
-- idempotent: the same event queued twice is one mail. A mail that carries a secret (a reset
-- link) has its bodies cleared once it went out through SMTP.
CREATE TABLE email_outbox (
    id               BIGSERIAL PRIMARY KEY,
    login_id         BIGINT REFERENCES logins (id) ON DELETE CASCADE,
    recipient        TEXT NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    language         TEXT NOT NULL CHECK (language IN ('de', 'fr', 'nl', 'en')),
    kind             TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body_text        TEXT NOT NULL,
    body_html        TEXT NOT NULL,
    secret           BOOLEAN NOT NULL DEFAULT false,
    dedupe_key       TEXT UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    last_error       TEXT
);
CREATE INDEX email_outbox_pending_idx ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;

-- Forgotten passwords: only the SHA-256 of a reset token is stored; a token lasts 30 minutes
-- and is used once.
CREATE TABLE password_resets (
    id          BIGSERIAL PRIMARY KEY,
    login_id    BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    token_hash  BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);
CREATE INDEX password_resets_login_idx ON password_resets (login_id, created_at);

-- Every request for a reset link, known address or not, for the throttle per address typed
-- and per client address (S3: the throttle must not tell which addresses have a login). The
-- mail worker makes the token and the mail of a request (`handled_at`), so that the answer to
-- the request takes the same time whether the address has a login or not.
CREATE TABLE password_reset_requests (
    id            BIGSERIAL PRIMARY KEY,
    provider_id   BIGINT NOT NULL REFERENCES providers (id),
    email         TEXT NOT NULL,
    client_ip     TEXT,
    requested_at  TIMESTAMPTZ NOT NULL,
    handled_at    TIMESTAMPTZ
);
CREATE INDEX password_reset_requests_pending_idx ON password_reset_requests (id) WHERE handled_at IS NULL;
CREATE INDEX password_reset_requests_email_idx ON password_reset_requests (email, requested_at);
CREATE INDEX password_reset_requests_ip_idx ON password_reset_requests (client_ip, requested_at);

-- Registration without enumeration (issue 27, S3): a registration is recorded with the hash of
-- the chosen password and answered "check your inbox" for every address; the mail worker sends
-- a new address a verification link and a known one a notice. The login exists once the link is
-- confirmed, with the password of the registration the link belongs to (a later registration of
-- the same address cannot change the password of an earlier link).
CREATE TABLE registration_requests (
    id             BIGSERIAL PRIMARY KEY,
    provider_id    BIGINT NOT NULL REFERENCES providers (id),
    email          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    language       TEXT NOT NULL CHECK (language IN ('de', 'fr', 'nl', 'en')),
    client_ip      TEXT,
    requested_at   TIMESTAMPTZ NOT NULL,
    handled_at     TIMESTAMPTZ
);
CREATE INDEX registration_requests_pending_idx ON registration_requests (id) WHERE handled_at IS NULL;
CREATE INDEX registration_requests_email_idx ON registration_requests (email, requested_at);
CREATE INDEX registration_requests_ip_idx ON registration_requests (client_ip, requested_at);

CREATE TABLE email_verifications (
    id             BIGSERIAL PRIMARY KEY,
    provider_id    BIGINT NOT NULL REFERENCES providers (id),
    email          TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    language       TEXT NOT NULL CHECK (language IN ('de', 'fr', 'nl', 'en')),
    token_hash     BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    used_at        TIMESTAMPTZ
);
CREATE INDEX email_verifications_email_idx ON email_verifications (email, created_at);
