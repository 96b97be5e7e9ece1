-- User links by SMS code ("User links" in LINKING.md): contracts are found by the phone number
-- as typed, normalised to +<digits>; this index serves that lookup.
CREATE INDEX contracts_phone_normalized_idx
    ON contracts ((regexp_replace(phone_number, '[^0-9+]', '', 'g')))
    WHERE phone_number IS NOT NULL;

-- Which language the SMS (and its copy in the development inbox) is written in.
ALTER TABLE sms_outbox ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
    CHECK (language IN ('de', 'fr', 'nl', 'en'));
