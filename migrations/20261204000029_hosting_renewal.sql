-- Hosting renewals (issue 28 item 5): on the day after a term ends the billing run invoices
-- the next term (a scheduled downgrade applied) and charges the stored card, unless the
-- provider turned the renewal off; then the contract ends with its term.
ALTER TABLE hosting_services ADD COLUMN auto_renew BOOLEAN NOT NULL DEFAULT TRUE;
-- The run finds the terms that ended.
CREATE INDEX hosting_services_term_end_idx ON hosting_services (term_end);
