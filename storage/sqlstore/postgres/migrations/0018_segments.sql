-- Clientele schema, version 18, PostgreSQL (also CockroachDB): saved
-- segments (package segment). The rule is its stored JSON form
-- (segment.MarshalRule, with its schema version); members are evaluated
-- when asked, over the customers' (created_at, id) index.
CREATE TABLE {{prefix}}segments (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    rule        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL
)
-- statement
CREATE INDEX {{prefix}}segments_created ON {{prefix}}segments (created_at, id)
