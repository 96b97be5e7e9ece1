-- Documents a customer uploads (PRODUCT.md M3): an ID copy or a proof of address, PDF, JPEG
-- or PNG (type decided by content), at most 10 MB, kept in PostgreSQL with its SHA-256.
CREATE TABLE documents (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    login_id     BIGINT REFERENCES logins (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('id_copy', 'proof_of_address')),
    file_name    TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 120),
    mime_type    TEXT NOT NULL CHECK (mime_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   INTEGER NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    sha256       BYTEA NOT NULL CHECK (length(sha256) = 32),
    content      BYTEA NOT NULL,
    status       TEXT NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'rejected')),
    uploaded_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT documents_size_matches CHECK (octet_length(content) = size_bytes)
);
CREATE INDEX documents_customer_idx ON documents (customer_id, uploaded_at DESC);
