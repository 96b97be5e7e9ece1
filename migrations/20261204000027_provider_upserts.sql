-- The provider API's upserts (issue 28 item 2): what the provider sends keeps its own ids.

-- An invoice the provider issued: the SHA-256 of what it sent, so that sending it again is
-- answered "unchanged" and sending something else under its number is refused (an issued
-- invoice is corrected by a credit note, never rewritten).
ALTER TABLE invoices ADD COLUMN provider_digest BYTEA CHECK (length(provider_digest) = 32);

-- A payment or refund the provider recorded, by the provider's id, once per invoice.
ALTER TABLE payments ADD COLUMN provider_payment_id TEXT
    CHECK (length(provider_payment_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX payments_provider_id_idx ON payments (invoice_id, provider_payment_id)
    WHERE provider_payment_id IS NOT NULL;

-- A message the provider sent to a household (M2), by the provider's id.
ALTER TABLE messages ADD COLUMN provider_message_id TEXT
    CHECK (length(provider_message_id) BETWEEN 1 AND 100);
CREATE UNIQUE INDEX messages_provider_id_idx ON messages (customer_id, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
