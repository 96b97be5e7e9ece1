-- Email change (issue 27 item 4): a signed-in login asks for a new address with its password;
-- the change is made once a link sent to the new address is confirmed. Only the SHA-256 of a
-- link's token is stored; a link lasts 24 hours and is used once, and a newer request spends
-- the login's older links.
CREATE TABLE email_changes (
    id            BIGSERIAL PRIMARY KEY,
    login_id      BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    new_email     TEXT NOT NULL CHECK (length(new_email) BETWEEN 3 AND 254),
    token_hash    BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    requested_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ
);
CREATE INDEX email_changes_login_idx ON email_changes (login_id, requested_at);
