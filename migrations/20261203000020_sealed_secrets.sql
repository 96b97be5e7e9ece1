-- Secrets at rest (issue 24 item 15): IBANs and two-factor secrets are sealed by the server
-- (AES-256-GCM under SELFCARE_DATA_KEY, `app/src/backend/sealed.rs`): key id, nonce,
-- ciphertext and tag in one value. SQL never needs them in clear.
--
-- `iban` stays as the way in for values written in clear (rows from before this migration,
-- the demo loader): the server seals them at start and clears the column, so at rest a row
-- has one or the other, never both.
ALTER TABLE sepa_mandates ADD COLUMN iban_sealed BYTEA;
ALTER TABLE sepa_mandates ALTER COLUMN iban DROP NOT NULL;
ALTER TABLE sepa_mandates ADD CONSTRAINT sepa_mandates_iban_one_form
    CHECK ((iban IS NULL) <> (iban_sealed IS NULL));

-- A sealed TOTP secret is 1 + 12 + 20 + 16 = 49 bytes; 20 bytes is a secret in clear from
-- before this migration, sealed by the server at its next start.
ALTER TABLE logins DROP CONSTRAINT logins_totp_secret_check;
ALTER TABLE logins DROP CONSTRAINT logins_totp_pending_secret_check;
ALTER TABLE logins ADD CONSTRAINT logins_totp_secret_form
    CHECK (length(totp_secret) IN (20, 49) AND length(totp_pending_secret) IN (20, 49));
