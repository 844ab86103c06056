-- Clientele schema, version 4: the transactional outbox (storage.Outbox).
-- Writers only insert events: pos is their insertion order. seq, their
-- delivery order (event.Event.Sequence), is assigned after they commit, by
-- the next Claim, under the lock of the one event_sequence row, which holds
-- the last seq assigned. The payload is TEXT, not jsonb, so that its bytes
-- are kept as written.
CREATE TABLE {{prefix}}events (
    pos            BIGINT GENERATED ALWAYS AS IDENTITY,
    seq            BIGINT,
    id             UUID NOT NULL,
    type           TEXT NOT NULL,
    aggregate      TEXT NOT NULL,
    aggregate_id   TEXT NOT NULL,
    customer_id    UUID,
    version        BIGINT NOT NULL,
    occurred_at    BIGINT NOT NULL,
    actor_kind     TEXT NOT NULL,
    actor_id       TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    payload        TEXT NOT NULL,
    CONSTRAINT {{prefix}}events_pkey PRIMARY KEY (pos),
    CONSTRAINT {{prefix}}events_id_key UNIQUE (id),
    CONSTRAINT {{prefix}}events_seq_key UNIQUE (seq)
)
-- statement
-- The events a Claim has yet to sequence, in insertion order.
CREATE INDEX {{prefix}}events_unsequenced ON {{prefix}}events (pos) WHERE seq IS NULL
-- statement
-- A customer's audit trail, newest first.
CREATE INDEX {{prefix}}events_customer ON {{prefix}}events (customer_id, pos)
-- statement
CREATE TABLE {{prefix}}event_consumers (
    name        TEXT NOT NULL,
    position    BIGINT NOT NULL,
    holder      TEXT,
    lease_until BIGINT,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT {{prefix}}event_consumers_pkey PRIMARY KEY (name)
)
-- statement
CREATE TABLE {{prefix}}event_sequence (
    id       INTEGER NOT NULL,
    last_seq BIGINT NOT NULL,
    CONSTRAINT {{prefix}}event_sequence_pkey PRIMARY KEY (id),
    CONSTRAINT {{prefix}}event_sequence_one_row CHECK (id = 1)
)
-- statement
INSERT INTO {{prefix}}event_sequence (id, last_seq) VALUES (1, 0)
