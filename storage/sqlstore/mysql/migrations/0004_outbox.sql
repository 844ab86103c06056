-- Clientele schema, version 4, MySQL 8 / MariaDB 10.11 / TiDB: the
-- transactional outbox (storage.Outbox). Writers only insert events: pos is
-- their insertion order. seq, their delivery order (event.Event.Sequence),
-- is assigned after they commit, by the next Claim, under the lock of the
-- one event_sequence row, which holds the last seq assigned, so no two
-- events get the same seq. The index on seq also finds the events yet to
-- sequence: its NULLs come first, in pos order. It is not UNIQUE, because
-- MariaDB reads a unique index's equal entries without knowing their
-- primary-key order: it would sort (and lock) the whole backlog on every
-- Claim to take its first rows. The payload is a MEDIUMBLOB: its bytes are
-- kept as written.
-- TiDB reads the /*T! ... */ comment (MySQL and MariaDB ignore it): with
-- AUTO_ID_CACHE 1 its servers draw pos from one allocator, so that pos
-- grows with time across servers, as it does on one InnoDB server, instead
-- of each server handing out numbers from a cached range of its own.
CREATE TABLE {{prefix}}events (
    pos            BIGINT NOT NULL AUTO_INCREMENT,
    seq            BIGINT NULL,
    id             CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    type           VARBINARY(255) NOT NULL,
    aggregate      VARBINARY(255) NOT NULL,
    aggregate_id   VARBINARY(255) NOT NULL,
    customer_id    CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
    version        BIGINT NOT NULL,
    occurred_at    BIGINT NOT NULL,
    actor_kind     VARBINARY(32) NOT NULL,
    actor_id       VARBINARY(1024) NOT NULL,
    schema_version INT NOT NULL,
    payload        MEDIUMBLOB NOT NULL,
    PRIMARY KEY (pos),
    UNIQUE KEY {{prefix}}events_id (id),
    KEY {{prefix}}events_seq (seq),
    KEY {{prefix}}events_customer (customer_id, pos)
) ENGINE=InnoDB /*T![auto_id_cache] AUTO_ID_CACHE 1 */
-- statement
CREATE TABLE {{prefix}}event_consumers (
    name        VARBINARY(255) NOT NULL,
    position    BIGINT NOT NULL,
    holder      VARBINARY(255) NULL,
    lease_until BIGINT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (name)
) ENGINE=InnoDB
-- statement
CREATE TABLE {{prefix}}event_sequence (
    id       INT NOT NULL,
    last_seq BIGINT NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT {{prefix}}event_sequence_one_row CHECK (id = 1)
) ENGINE=InnoDB
-- statement
INSERT INTO {{prefix}}event_sequence (id, last_seq) VALUES (1, 0)
