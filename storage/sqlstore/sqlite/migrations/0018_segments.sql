-- Clientele schema, version 18, SQLite: saved segments (package segment).
-- The rule is its stored JSON form (segment.MarshalRule, with its schema
-- version); members are evaluated when asked.
CREATE TABLE {{prefix}}segments (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    rule        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL
)
-- statement
CREATE INDEX {{prefix}}segments_created ON {{prefix}}segments (created_at, id)
