-- The language a login chose last (its sign-in page, the language switch): its SMS codes are
-- written in it, and a household's inbox messages in the one of its holder login that chose
-- last (P4, issue 23; README "Languages").
ALTER TABLE logins ADD COLUMN language_chosen_at timestamptz NOT NULL DEFAULT now();
