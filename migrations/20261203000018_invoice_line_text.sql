-- What an invoice line says, as a kind and its parameters (JSON of
-- `domain::billing::line_text::LineText`), put into words in the language a PDF asks for (I2,
-- P4, issue 23). NULL for texts a provider sent as they are: the description is shown.
ALTER TABLE invoice_lines ADD COLUMN line_text text;
