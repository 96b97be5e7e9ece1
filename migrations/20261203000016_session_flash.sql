-- What a plain form post (JavaScript off) did, shown once on the page it redirects to (P6,
-- issue 23): a JSON document of `domain::flash::Flash`, cleared by the page that shows it.
ALTER TABLE sessions ADD COLUMN flash text;
