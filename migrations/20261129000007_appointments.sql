-- Technician appointments (PRODUCT.md A1–A2): the provider publishes time windows, customers
-- book, reschedule and cancel them. A window is given to at most one booking: the partial
-- unique index makes that a database fact, whatever the application does concurrently.

CREATE TABLE appointment_slots (
    id           BIGSERIAL PRIMARY KEY,
    provider_id  BIGINT NOT NULL REFERENCES providers (id),
    day          DATE NOT NULL,
    starts_at    TIME NOT NULL,
    ends_at      TIME NOT NULL CHECK (ends_at > starts_at),
    CONSTRAINT appointment_slots_unique UNIQUE (provider_id, day, starts_at)
);

CREATE TABLE appointments (
    id               BIGSERIAL PRIMARY KEY,
    customer_id      BIGINT NOT NULL REFERENCES customers (id),
    slot_id          BIGINT NOT NULL REFERENCES appointment_slots (id),
    kind             TEXT NOT NULL CHECK (kind IN ('installation', 'repair')),
    status           TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'done')),
    street           TEXT NOT NULL,
    postal_code      TEXT NOT NULL,
    city             TEXT NOT NULL,
    -- What the customer tells the technician (floor, access code, what is broken).
    note             TEXT CHECK (length(note) <= 500),
    -- The move request whose installation this is (H4 → A-tab).
    move_request_id  BIGINT REFERENCES move_requests (id),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- A2: a slot is never given to two customers.
CREATE UNIQUE INDEX appointments_one_per_slot ON appointments (slot_id) WHERE status = 'booked';
-- One installation per move request.
CREATE UNIQUE INDEX appointments_one_per_move ON appointments (move_request_id)
    WHERE status = 'booked' AND move_request_id IS NOT NULL;
CREATE INDEX appointments_customer_idx ON appointments (customer_id) WHERE status = 'booked';
