-- Two-factor sign-in with time-based one-time passwords (issue 6, beyond the seeds).
-- The secret is needed in clear to compute codes; encryption at rest of secrets (with the
-- IBANs) belongs to the security hardening issue.
ALTER TABLE logins
    ADD COLUMN totp_secret BYTEA CHECK (length(totp_secret) = 20),
    ADD COLUMN totp_pending_secret BYTEA CHECK (length(totp_pending_secret) = 20),
    ADD COLUMN totp_last_step BIGINT,
    ADD COLUMN totp_enabled_at TIMESTAMPTZ;

-- Single-use recovery codes (SHA-256 of the normalised code: 50 random bits each).
CREATE TABLE recovery_codes (
    login_id   BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    code_hash  BYTEA NOT NULL CHECK (length(code_hash) = 32),
    used_at    TIMESTAMPTZ,
    PRIMARY KEY (login_id, code_hash)
);

-- The step between a correct password and the code: a short-lived token in its own cookie
-- (only its SHA-256 is stored), five tries.
CREATE TABLE mfa_challenges (
    token_hash  BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    login_id    BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    expires_at  TIMESTAMPTZ NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);
CREATE INDEX mfa_challenges_expires_idx ON mfa_challenges (expires_at);

ALTER TABLE auth_failures DROP CONSTRAINT auth_failures_kind_check;
ALTER TABLE auth_failures ADD CONSTRAINT auth_failures_kind_check
    CHECK (kind IN ('sign_in', 'current_password', 'second_factor'));
