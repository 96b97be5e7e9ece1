-- The provider API (issue 28 item 2): technician windows the provider publishes, and the
-- invoice PDFs it renders itself.

-- A window the provider no longer offers. It stays (appointments, even cancelled ones, name
-- it) but is not offered or bookable; offering it again brings it back.
ALTER TABLE appointment_slots ADD COLUMN withdrawn BOOLEAN NOT NULL DEFAULT FALSE;

-- The PDF the provider sent for one of its invoices: the customer downloads it instead of the
-- one the portal renders. Like the invoice, it is never replaced by another.
CREATE TABLE invoice_pdfs (
    invoice_id  BIGINT PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    content     BYTEA NOT NULL,
    size_bytes  INTEGER NOT NULL CHECK (size_bytes BETWEEN 5 AND 10485760),
    sha256      BYTEA NOT NULL CHECK (length(sha256) = 32),
    stored_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT invoice_pdfs_size_matches CHECK (octet_length(content) = size_bytes)
);
