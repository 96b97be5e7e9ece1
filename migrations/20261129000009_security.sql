-- Security tab (PRODUCT.md S2) and brute-force protection (S3).

-- The security question identifies a caller to support staff; it never unlocks an account.
-- The answer is stored as an argon2id hash of its normalised form (case and spaces ignored).
ALTER TABLE logins
    ADD COLUMN security_question TEXT
        CHECK (security_question IN ('first_pet', 'birth_city', 'first_school', 'childhood_street', 'favourite_teacher')),
    ADD COLUMN security_answer_hash TEXT,
    ADD COLUMN password_changed_at TIMESTAMPTZ,
    ADD CONSTRAINT logins_security_pair CHECK ((security_question IS NULL) = (security_answer_hash IS NULL));

-- Failed proofs (S3): a wrong password at sign-in (for any typed email, known or not, so that
-- a lockout does not reveal whether an account exists), a wrong current password in the
-- Security tab. Counted per account key (the normalised email) and per client address over a
-- sliding window; old rows are pruned.
CREATE TABLE auth_failures (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('sign_in', 'current_password')),
    account_key  TEXT NOT NULL,
    ip           TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_account_idx ON auth_failures (account_key, created_at DESC);
CREATE INDEX auth_failures_ip_idx ON auth_failures (ip, created_at DESC) WHERE ip IS NOT NULL;
