-- Direct debit (I4): SEPA mandates of a customer number, at most one active at a time.
CREATE TABLE sepa_mandates (
    id              BIGSERIAL PRIMARY KEY,
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    account_holder  TEXT NOT NULL CHECK (length(account_holder) BETWEEN 2 AND 70),
    -- Electronic format, validated (ISO 13616 mod 97) before it gets here.
    iban            TEXT NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    reference       TEXT NOT NULL UNIQUE CHECK (length(reference) <= 35),
    creditor_id     TEXT NOT NULL,
    signed_on       DATE NOT NULL,
    revoked_on      DATE CHECK (revoked_on IS NULL OR revoked_on >= signed_on),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sepa_mandates_one_active ON sepa_mandates (customer_id) WHERE revoked_on IS NULL;

-- A contract may require automatic payment (I4): its customer cannot drop the last method.
ALTER TABLE contracts ADD COLUMN requires_autopay BOOLEAN NOT NULL DEFAULT FALSE;
-- A card on file with the card provider (only its last digits are kept here).
ALTER TABLE customers ADD COLUMN card_last4 TEXT CHECK (card_last4 ~ '^[0-9]{4}$');
