-- Clientele schema, version 18, MySQL 8 / MariaDB 10.11 / TiDB: saved
-- segments (package segment). The rule is its stored JSON form
-- (segment.MarshalRule, with its schema version); members are evaluated
-- when asked.
CREATE TABLE {{prefix}}segments (
    id          CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
    name        VARBINARY(400) NOT NULL,
    description BLOB NOT NULL,
    rule        MEDIUMBLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    KEY {{prefix}}segments_created (created_at, id)
) ENGINE=InnoDB
