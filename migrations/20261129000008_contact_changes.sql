-- Contact data changes (PRODUCT.md M1): who changed what and when. One row per save that
-- changed something, written in the same transaction as the change; `changes` maps each
-- changed field to its old and new value: {"phone": {"old": "+32…", "new": null}, …}.
CREATE TABLE contact_changes (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    login_id     BIGINT REFERENCES logins (id) ON DELETE SET NULL,
    changed_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    changes      JSONB NOT NULL CHECK (jsonb_typeof(changes) = 'object' AND changes <> '{}'::jsonb)
);
CREATE INDEX contact_changes_customer_idx ON contact_changes (customer_id, changed_at DESC);
