-- Home tab settings (PRODUCT.md H2–H4): option changes with their proration, consumption
-- alerts and move requests.

-- An option may be activated, deactivated and activated again on one day; each activation is
-- its own row, so the key is a surrogate (the "one running activation" index stays).
ALTER TABLE contract_options DROP CONSTRAINT contract_options_pkey;
ALTER TABLE contract_options ADD COLUMN id BIGSERIAL PRIMARY KEY;

-- What an option adds to the line's allowance (H2 meters): extra data, or unlimited calls.
ALTER TABLE options
    ADD COLUMN extra_data_bytes BIGINT CHECK (extra_data_bytes >= 0),
    ADD COLUMN unlimited_minutes BOOLEAN NOT NULL DEFAULT FALSE;

-- Charges and credits waiting for the next invoice (H3, BILLING.md proration; the B5 preview
-- shows them and the billing run bills them, setting invoice_id). One line per activation
-- and per deactivation of an option: the unique key makes "once" a database fact.
CREATE TABLE pending_charges (
    id                  BIGSERIAL PRIMARY KEY,
    customer_id         BIGINT NOT NULL REFERENCES customers (id),
    contract_id         BIGINT NOT NULL REFERENCES contracts (id),
    contract_option_id  BIGINT NOT NULL REFERENCES contract_options (id),
    change              TEXT NOT NULL CHECK (change IN ('activate', 'deactivate')),
    description         TEXT NOT NULL,
    effective_on        DATE NOT NULL,
    cycle_start         DATE NOT NULL,
    cycle_end           DATE NOT NULL CHECK (cycle_end >= cycle_start),
    old_price           NUMERIC(12, 2) NOT NULL,
    new_price           NUMERIC(12, 2) NOT NULL,
    amount              NUMERIC(12, 2) NOT NULL,
    vat_rate            NUMERIC(5, 2) NOT NULL CHECK (vat_rate >= 0 AND vat_rate < 100),
    currency            CHAR(3) NOT NULL,
    invoice_id          BIGINT REFERENCES invoices (id),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT pending_charges_once UNIQUE (contract_option_id, change),
    CONSTRAINT pending_charges_in_cycle CHECK (effective_on BETWEEN cycle_start AND cycle_end)
);
CREATE INDEX pending_charges_unbilled_idx ON pending_charges (customer_id) WHERE invoice_id IS NULL;

-- Consumption alerts (H4): one threshold per line and metric; thresholds are in the metric's
-- unit (data in GB, minutes, spend in the provider's currency).
CREATE TABLE consumption_alerts (
    id           BIGSERIAL PRIMARY KEY,
    contract_id  BIGINT NOT NULL REFERENCES contracts (id),
    metric       TEXT NOT NULL CHECK (metric IN ('data', 'minutes', 'spend')),
    threshold    NUMERIC(12, 2) NOT NULL CHECK (threshold > 0),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT consumption_alerts_one_per_metric UNIQUE (contract_id, metric)
);

-- An alert fires at most once per billing cycle: the key is the proof.
CREATE TABLE alert_notices (
    alert_id     BIGINT NOT NULL REFERENCES consumption_alerts (id) ON DELETE CASCADE,
    cycle_start  DATE NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, cycle_start)
);

-- Move requests (H4): a new address for a line bound to a place, a wished date and a status
-- that the provider moves forward. One open request per line.
CREATE TABLE move_requests (
    id            BIGSERIAL PRIMARY KEY,
    contract_id   BIGINT NOT NULL REFERENCES contracts (id),
    street        TEXT NOT NULL,
    postal_code   TEXT NOT NULL,
    city          TEXT NOT NULL,
    country       CHAR(2) NOT NULL REFERENCES countries (code),
    wished_date   DATE NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('requested', 'confirmed', 'completed', 'cancelled')),
    requested_on  DATE NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT move_requests_wished_after_request CHECK (wished_date > requested_on)
);
CREATE UNIQUE INDEX move_requests_one_open ON move_requests (contract_id)
    WHERE status IN ('requested', 'confirmed');
