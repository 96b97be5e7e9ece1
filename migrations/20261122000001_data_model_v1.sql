-- Data model v1 (P3, S1, L2, H1, I1, B-rules groundwork).
-- Money is NUMERIC (never float); enumerations are TEXT with CHECK constraints so that
-- later issues add values with a plain migration.

CREATE TABLE providers (
    id                        BIGSERIAL PRIMARY KEY,
    slug                      TEXT NOT NULL UNIQUE,
    name                      TEXT NOT NULL,
    logo_path                 TEXT,
    color_primary             TEXT NOT NULL DEFAULT '#0b5cad' CHECK (color_primary ~ '^#[0-9a-fA-F]{6}$'),
    color_accent              TEXT NOT NULL DEFAULT '#e4002b' CHECK (color_accent ~ '^#[0-9a-fA-F]{6}$'),
    currency                  CHAR(3) NOT NULL DEFAULT 'EUR',
    default_language          TEXT NOT NULL DEFAULT 'en' CHECK (default_language IN ('de', 'fr', 'nl', 'en')),
    business_portal_url       TEXT NOT NULL,
    business_registration_url TEXT NOT NULL,
    sales_url                 TEXT NOT NULL,
    support_url               TEXT NOT NULL,
    old_invoice_help_url      TEXT NOT NULL,
    sepa_creditor_id          TEXT,
    created_at                TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- VAT rates and country rules are data (BILLING.md "Money", B4).
CREATE TABLE countries (
    code                     CHAR(2) PRIMARY KEY,
    vat_rate                 NUMERIC(5, 2) NOT NULL CHECK (vat_rate >= 0 AND vat_rate < 100),
    first_invoice_due_days   INTEGER CHECK (first_invoice_due_days >= 0)
);

CREATE TABLE customers (
    id                      BIGSERIAL PRIMARY KEY,
    provider_id             BIGINT NOT NULL REFERENCES providers (id),
    customer_number         TEXT NOT NULL,
    segment                 TEXT NOT NULL CHECK (segment IN ('private', 'business')),
    has_business_history    BOOLEAN NOT NULL DEFAULT FALSE,
    country                 CHAR(2) NOT NULL REFERENCES countries (code),
    managed                 BOOLEAN NOT NULL DEFAULT FALSE,
    language                TEXT NOT NULL CHECK (language IN ('de', 'fr', 'nl', 'en')),
    first_name              TEXT NOT NULL,
    last_name               TEXT NOT NULL,
    company_name            TEXT,
    email                   TEXT NOT NULL,
    phone                   TEXT,
    street                  TEXT NOT NULL,
    postal_code             TEXT NOT NULL,
    city                    TEXT NOT NULL,
    contract_password_hash  TEXT,
    old_invoice_layout      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT customers_number_unique UNIQUE (provider_id, customer_number),
    -- A business customer always has business history (L6).
    CONSTRAINT customers_business_history CHECK (segment = 'private' OR has_business_history)
);

CREATE TABLE logins (
    id             BIGSERIAL PRIMARY KEY,
    provider_id    BIGINT NOT NULL REFERENCES providers (id),
    email          TEXT NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    password_hash  TEXT NOT NULL,
    language       TEXT NOT NULL CHECK (language IN ('de', 'fr', 'nl', 'en')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT logins_email_unique UNIQUE (provider_id, email)
);

-- Server-side sessions (S1): only a SHA-256 of the cookie token is stored.
CREATE TABLE sessions (
    token_hash    BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    login_id      BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_login_idx ON sessions (login_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE tariffs (
    id                     BIGSERIAL PRIMARY KEY,
    provider_id            BIGINT NOT NULL REFERENCES providers (id),
    code                   TEXT NOT NULL,
    service                TEXT NOT NULL CHECK (service IN ('tv', 'internet', 'fixed', 'mobile', 'satellite', 'hosting')),
    name                   TEXT NOT NULL,
    monthly_price          NUMERIC(12, 2) NOT NULL CHECK (monthly_price >= 0),
    currency               CHAR(3) NOT NULL,
    data_allowance_bytes   BIGINT CHECK (data_allowance_bytes >= 0),
    minutes_allowance      INTEGER CHECK (minutes_allowance >= 0),
    overage_price_per_gb   NUMERIC(12, 2) CHECK (overage_price_per_gb >= 0),
    term_months            INTEGER CHECK (term_months > 0),
    upgradable             BOOLEAN NOT NULL DEFAULT FALSE,
    CONSTRAINT tariffs_code_unique UNIQUE (provider_id, code)
);

-- Options catalogue (H3); names are translated, hence one JSON object per option
-- with a key for each of de, fr, nl, en.
CREATE TABLE options (
    id             BIGSERIAL PRIMARY KEY,
    provider_id    BIGINT NOT NULL REFERENCES providers (id),
    code           TEXT NOT NULL,
    service        TEXT NOT NULL CHECK (service IN ('tv', 'internet', 'fixed', 'mobile', 'satellite', 'hosting')),
    names          JSONB NOT NULL CHECK (names ?& ARRAY['de', 'fr', 'nl', 'en']),
    monthly_price  NUMERIC(12, 2) NOT NULL CHECK (monthly_price >= 0),
    currency       CHAR(3) NOT NULL,
    CONSTRAINT options_code_unique UNIQUE (provider_id, code)
);

CREATE TABLE contracts (
    id               BIGSERIAL PRIMARY KEY,
    customer_id      BIGINT NOT NULL REFERENCES customers (id),
    contract_number  TEXT NOT NULL UNIQUE,
    service          TEXT NOT NULL CHECK (service IN ('tv', 'internet', 'fixed', 'mobile', 'satellite', 'hosting')),
    segment          TEXT NOT NULL CHECK (segment IN ('private', 'business')),
    phone_number     TEXT,
    tariff_id        BIGINT REFERENCES tariffs (id),
    status           TEXT NOT NULL CHECK (status IN ('active', 'cancelled', 'taken_over')),
    start_date       DATE NOT NULL,
    end_date         DATE CHECK (end_date IS NULL OR end_date >= start_date),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX contracts_customer_idx ON contracts (customer_id);
CREATE INDEX contracts_phone_idx ON contracts (phone_number) WHERE phone_number IS NOT NULL;

CREATE TABLE contract_options (
    contract_id     BIGINT NOT NULL REFERENCES contracts (id),
    option_id       BIGINT NOT NULL REFERENCES options (id),
    activated_on    DATE NOT NULL,
    deactivated_on  DATE CHECK (deactivated_on IS NULL OR deactivated_on >= activated_on),
    PRIMARY KEY (contract_id, option_id, activated_on)
);
-- One running activation of an option per contract.
CREATE UNIQUE INDEX contract_options_one_active
    ON contract_options (contract_id, option_id) WHERE deactivated_on IS NULL;

-- Links (L2): a login holds a customer number (holder) or uses one contract (user).
CREATE TABLE links (
    id           BIGSERIAL PRIMARY KEY,
    login_id     BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('holder', 'user')),
    customer_id  BIGINT REFERENCES customers (id),
    contract_id  BIGINT REFERENCES contracts (id),
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT links_role_target CHECK (
        (role = 'holder' AND customer_id IS NOT NULL AND contract_id IS NULL)
        OR (role = 'user' AND contract_id IS NOT NULL AND customer_id IS NULL)
    )
);
-- L4: at most one holder customer number per login.
CREATE UNIQUE INDEX links_one_holder_per_login ON links (login_id) WHERE role = 'holder';
CREATE UNIQUE INDEX links_user_contract_unique ON links (login_id, contract_id) WHERE role = 'user';
CREATE INDEX links_customer_idx ON links (customer_id) WHERE customer_id IS NOT NULL;

-- Gapless invoice numbers per provider, series and year (BILLING.md "Money"):
-- the next value is taken under a row lock inside the invoicing transaction.
CREATE TABLE invoice_number_series (
    provider_id  BIGINT NOT NULL REFERENCES providers (id),
    series       TEXT NOT NULL CHECK (series IN ('invoice', 'credit_note')),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    next_value   BIGINT NOT NULL DEFAULT 1 CHECK (next_value >= 1),
    PRIMARY KEY (provider_id, series, year)
);

CREATE TABLE invoices (
    id                   BIGSERIAL PRIMARY KEY,
    provider_id          BIGINT NOT NULL REFERENCES providers (id),
    customer_id          BIGINT NOT NULL REFERENCES customers (id),
    kind                 TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number               TEXT NOT NULL,
    corrects_invoice_id  BIGINT REFERENCES invoices (id),
    issue_date           DATE NOT NULL,
    period_start         DATE,
    period_end           DATE,
    due_date             DATE NOT NULL CHECK (due_date >= issue_date),
    status               TEXT NOT NULL CHECK (status IN ('open', 'paid', 'failed', 'action_required')),
    currency             CHAR(3) NOT NULL,
    total                NUMERIC(12, 2) NOT NULL CHECK (total >= 0),
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT invoices_number_unique UNIQUE (provider_id, number),
    CONSTRAINT invoices_credit_note_corrects CHECK ((kind = 'credit_note') = (corrects_invoice_id IS NOT NULL)),
    CONSTRAINT invoices_period CHECK (period_end IS NULL OR period_end >= period_start)
);
CREATE INDEX invoices_customer_issue_idx ON invoices (customer_id, issue_date DESC, id DESC);

-- Line amounts are gross (consumer prices include VAT) and already rounded;
-- the invoice total is the sum of its lines.
CREATE TABLE invoice_lines (
    id           BIGSERIAL PRIMARY KEY,
    invoice_id   BIGINT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 1),
    kind         TEXT NOT NULL CHECK (kind IN ('recurring', 'option', 'usage', 'overage', 'proration', 'one_off', 'correction')),
    description  TEXT NOT NULL,
    contract_id  BIGINT REFERENCES contracts (id),
    amount       NUMERIC(12, 2) NOT NULL,
    vat_rate     NUMERIC(5, 2) NOT NULL CHECK (vat_rate >= 0 AND vat_rate < 100),
    CONSTRAINT invoice_lines_position_unique UNIQUE (invoice_id, position)
);

-- Payments settle invoices; a refund is a negative payment. The open balance of a
-- customer is invoices - credit notes - payments.
CREATE TABLE payments (
    id               BIGSERIAL PRIMARY KEY,
    invoice_id       BIGINT NOT NULL REFERENCES invoices (id),
    amount           NUMERIC(12, 2) NOT NULL CHECK (amount <> 0),
    paid_on          DATE NOT NULL,
    method           TEXT NOT NULL CHECK (method IN ('card', 'sepa', 'mobile_money', 'transfer')),
    reference        TEXT,
    idempotency_key  TEXT UNIQUE,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payments_invoice_idx ON payments (invoice_id);
