-- Clientele schema, version 4: the transactional outbox (storage.Outbox).
-- Writers only insert events: pos (the rowid, AUTOINCREMENT so that it is
-- never reused) is their insertion order. seq, their delivery order
-- (event.Event.Sequence), is assigned after they commit, by the next Claim,
-- which writes the last seq assigned to the one event_sequence row. The
-- payload is TEXT, kept as written.
CREATE TABLE {{prefix}}events (
    pos            INTEGER PRIMARY KEY AUTOINCREMENT,
    seq            INTEGER,
    id             TEXT NOT NULL,
    type           TEXT NOT NULL,
    aggregate      TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    customer_id    TEXT,
    version        INTEGER NOT NULL,
    occurred_at    INTEGER NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT NOT NULL,
    CONSTRAINT {{prefix}}events_id_key UNIQUE (id),
    CONSTRAINT {{prefix}}events_seq_key UNIQUE (seq)
)
-- statement
-- A customer's audit trail, newest first. (The unique index on seq finds
-- the events yet to sequence: its NULLs come first, in rowid order.)
CREATE INDEX {{prefix}}events_customer ON {{prefix}}events (customer_id, pos)
-- statement
CREATE TABLE {{prefix}}event_consumers (
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    holder      TEXT,
    lease_until INTEGER,
    updated_at  INTEGER NOT NULL,
    CONSTRAINT {{prefix}}event_consumers_pkey PRIMARY KEY (name)
)
-- statement
CREATE TABLE {{prefix}}event_sequence (
    id       INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    CONSTRAINT {{prefix}}event_sequence_pkey PRIMARY KEY (id),
    CONSTRAINT {{prefix}}event_sequence_one_row CHECK (id = 1)
)
-- statement
INSERT INTO {{prefix}}event_sequence (id, last_seq) VALUES (1, 0)
