-- Clientele schema, version 19, PostgreSQL (also CockroachDB): the pricing context
-- (package pricing). A market's tax display setting ('' decides by the
-- customer's type, 'gross', 'net'), and the host references a group or a
-- segment carries (price list, promotion, content audience; '' for none),
-- which the library stores and does not interpret.
ALTER TABLE {{prefix}}markets ADD COLUMN tax_display TEXT NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}groups ADD COLUMN price_list_ref TEXT NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}groups ADD COLUMN promotion_ref TEXT NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}groups ADD COLUMN content_audience_ref TEXT NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}segments ADD COLUMN price_list_ref TEXT NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}segments ADD COLUMN promotion_ref TEXT NOT NULL DEFAULT ''
-- statement
ALTER TABLE {{prefix}}segments ADD COLUMN content_audience_ref TEXT NOT NULL DEFAULT ''
