-- Hosting services with configurable options (issue 8: PRODUCT.md X1–X4, BILLING.md
-- "Fixed-term contracts").

-- The options a hosting tariff can be configured with (RAM, CPU, disk …); names are translated.
CREATE TABLE hosting_options (
    id         BIGSERIAL PRIMARY KEY,
    tariff_id  BIGINT NOT NULL REFERENCES tariffs (id),
    code       TEXT NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,30}$'),
    names      JSONB NOT NULL CHECK (names ?& ARRAY['de', 'fr', 'nl', 'en']),
    unit       TEXT NOT NULL,
    position   INTEGER NOT NULL,
    CONSTRAINT hosting_options_code_unique UNIQUE (tariff_id, code)
);

-- The values an option allows, each with its price for a whole term (added to the tariff's).
CREATE TABLE hosting_option_values (
    option_id   BIGINT NOT NULL REFERENCES hosting_options (id),
    value       INTEGER NOT NULL CHECK (value > 0),
    term_price  NUMERIC(12, 2) NOT NULL CHECK (term_price >= 0),
    PRIMARY KEY (option_id, value)
);

-- A hosting service: a contract paid in advance for its term [term_start, term_end] at the
-- price of its configuration. `version` moves with every change, so that a quote made on an
-- older configuration is recognised as stale.
CREATE TABLE hosting_services (
    contract_id  BIGINT PRIMARY KEY REFERENCES contracts (id),
    hostname     TEXT NOT NULL,
    term_start   DATE NOT NULL,
    term_end     DATE NOT NULL CHECK (term_end >= term_start),
    version      INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- The current configuration: one value per option of the service's tariff.
CREATE TABLE hosting_config (
    contract_id  BIGINT NOT NULL REFERENCES hosting_services (contract_id),
    option_id    BIGINT NOT NULL REFERENCES hosting_options (id),
    value        INTEGER NOT NULL,
    PRIMARY KEY (contract_id, option_id),
    FOREIGN KEY (option_id, value) REFERENCES hosting_option_values (option_id, value)
);

-- Every change, applied or scheduled, is its audit record (who, when, from what to what, at
-- which price). An idempotency key makes a repeated confirmation replay the first answer.
CREATE TABLE hosting_changes (
    id               BIGSERIAL PRIMARY KEY,
    contract_id      BIGINT NOT NULL REFERENCES hosting_services (contract_id),
    login_id         BIGINT REFERENCES logins (id) ON DELETE SET NULL,
    status           TEXT NOT NULL CHECK (status IN ('applied', 'scheduled', 'withdrawn')),
    requested_on     DATE NOT NULL,
    effective_on     DATE NOT NULL,
    old_config       JSONB NOT NULL,
    new_config       JSONB NOT NULL,
    old_price        NUMERIC(12, 2) NOT NULL,
    new_price        NUMERIC(12, 2) NOT NULL,
    days_total       INTEGER,
    days_remaining   INTEGER,
    charge           NUMERIC(12, 2),
    credit           NUMERIC(12, 2),
    invoice_id       BIGINT REFERENCES invoices (id),
    idempotency_key  TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT hosting_changes_key_unique UNIQUE (contract_id, idempotency_key),
    CONSTRAINT hosting_changes_applied_invoiced CHECK ((status = 'applied') = (invoice_id IS NOT NULL))
);
-- At most one downgrade waits for the renewal.
CREATE UNIQUE INDEX hosting_changes_one_scheduled ON hosting_changes (contract_id)
    WHERE status = 'scheduled';

-- A fixed-term tariff's own price for a whole term (its options' prices add to it).
ALTER TABLE tariffs ADD COLUMN term_price NUMERIC(12, 2) CHECK (term_price >= 0);
