package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// The outbox (storage.Outbox, schema version 4).
//
// Writers only INSERT into events: pos, the table's auto-increment key, is
// the order rows were inserted in, and no writer waits for another. The
// delivery order, seq (event.Event.Sequence), is assigned later, by the
// sequence pass at the start of every Claim: under the lock of the one
// event_sequence row (which holds the last seq assigned), it numbers the
// events that have committed and have no seq yet, in pos order, after the
// last one. Since an event gets its seq only once it has committed, and
// every pass numbers after the previous one, an event that commits late
// (its transaction began before others that committed first) simply gets a
// higher seq than theirs: a consumer that has read up to some seq never
// misses an event, because none can later appear below it. Events of one
// aggregate keep their order: each change holds the aggregate's lock until
// it commits, so the next change's event is inserted (and gets its pos)
// after the previous one committed, and no pass sees the later one without
// the earlier.
//
// What each engine needs for that:
//   - PostgreSQL (at READ COMMITTED) does not show uncommitted rows, and a
//     statement after the sequencer's lock sees every commit before it;
//     at REPEATABLE READ and SERIALIZABLE, locking a sequencer row that
//     another pass changed since the transaction's snapshot fails with a
//     serialization failure, which Atomic retries (FreshAfterLock).
//   - InnoDB's plain reads keep the transaction's snapshot (REPEATABLE
//     READ), and its locking reads wait for rows that transactions in
//     flight have inserted. So the pass finds the events to number with a
//     locking read that skips locked rows (FOR UPDATE SKIP LOCKED): it sees
//     the latest committed rows and passes over the uncommitted ones, which
//     a later pass numbers once they commit. Such a read checks each row
//     as it reaches it, so a transaction can commit halfway through it:
//     the pass reads again until nothing new appears (see settle). The
//     batch is read with a shared lock, for the same reason: a plain read
//     might not show the numbers a pass committed after the snapshot was
//     taken.
//   - TiDB shows no uncommitted row and reads the latest committed rows in
//     locking reads; its ForShare is FOR UPDATE. The migration gives the
//     events table AUTO_ID_CACHE 1, so that pos grows with time across
//     TiDB servers.
//   - SQLite runs one writer at a time.

// maxSequencePass is the most events one Claim numbers.
const maxSequencePass = 1000

// eventColumns are the columns an event is read from, in scanEvent's order.
const eventColumns = `pos, seq, id, type, aggregate, aggregate_id, customer_id, version, occurred_at,
	actor_kind, actor_id, schema_version, payload`

const (
	insertEventsHead = `INSERT INTO {{prefix}}events (id, type, aggregate, aggregate_id, customer_id, version,
	occurred_at, actor_kind, actor_id, schema_version, payload) VALUES `
	eventValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	selectConsumerState = `SELECT position, holder, lease_until FROM {{prefix}}event_consumers WHERE name = ?`
	insertConsumer      = `INSERT INTO {{prefix}}event_consumers (name, position, holder, lease_until, updated_at)
	VALUES (?, 0, NULL, NULL, ?)`
	leaseConsumer = `UPDATE {{prefix}}event_consumers SET holder = ?, lease_until = ?, updated_at = ? WHERE name = ?`
	ackConsumer   = `UPDATE {{prefix}}event_consumers SET position = ?, lease_until = NULL, updated_at = ? WHERE name = ?`

	selectLastSeq = `SELECT last_seq FROM {{prefix}}event_sequence WHERE id = 1`
	// insertSequencer puts back a sequencer row that is missing (a host
	// emptied the table): it starts after the highest seq kept and the
	// highest position of a consumer, so that no seq is assigned twice and
	// no consumer passes over new events. (The WHERE lets SQLite read ON
	// CONFLICT as the upsert clause, not a join's.)
	insertSequencer = `INSERT INTO {{prefix}}event_sequence (id, last_seq)
	SELECT 1, COALESCE(MAX(n), 0) FROM (SELECT MAX(seq) n FROM {{prefix}}events
	UNION ALL SELECT MAX(position) FROM {{prefix}}event_consumers) m WHERE 1 = 1`
	updateLastSeq   = `UPDATE {{prefix}}event_sequence SET last_seq = ? WHERE id = 1`
	selectNewEvents = `SELECT pos FROM {{prefix}}events WHERE seq IS NULL ORDER BY pos LIMIT `
	selectBatch     = `SELECT ` + eventColumns + ` FROM {{prefix}}events WHERE seq > ? ORDER BY seq LIMIT ?`
)

type events struct{ base }

var _ storage.EventReader = events{}

// Events returns the outbox: the store has the storage.Outbox capability
// (schema version 4).
func (s *Store) Events() storage.Events { return events{base{s: s}} }

// Events returns the transaction's outbox.
func (r repos) Events() storage.Events { return events{base{fixed: &r.c}} }

var (
	_ storage.Outbox      = (*Store)(nil)
	_ storage.Outbox      = repos{}
	_ storage.CommitHooks = (*Store)(nil)
)

func (r events) Append(ctx context.Context, evs ...event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	rows := make([][]any, len(evs))
	seen := make(map[uuid.UUID]struct{}, len(evs))
	for i, e := range evs {
		if err := e.Validate(); err != nil {
			return err
		}
		// PostgreSQL refuses invalid UTF-8 in a TEXT column (and aborts the
		// transaction); JSON is UTF-8 (RFC 8259), so every engine refuses it.
		if !utf8.Valid(e.Payload) {
			return &errcode.ValidationError{Field: "payload", Reason: "is not valid UTF-8", Err: event.ErrInvalid}
		}
		if _, dup := seen[e.ID]; dup {
			return fmt.Errorf("event %s appears twice: %w", e.ID, storage.Conflict(storage.ConstraintPrimaryKey, nil))
		}
		seen[e.ID] = struct{}{}
		a := e.Actor.Normalize()
		rows[i] = []any{e.ID.String(), string(e.Type), e.Aggregate, e.AggregateID, nullUUID(e.CustomerID), e.Version,
			micros(e.OccurredAt), string(a.Kind), a.ID, e.Schema, string(e.Payload)}
	}
	write := func(cn conn) error {
		for len(rows) > 0 {
			k := insertChunk(len(rows))
			args := make([]any, 0, k*len(rows[0]))
			for _, row := range rows[:k] {
				args = append(args, row...)
			}
			n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertEventsSQL(k)), args...)
			if err != nil {
				return err
			}
			if n < int64(k) {
				// An ID is taken. When some rows of the statement went in
				// all the same, the error loses the transaction that holds
				// them (see conn.atomic): a transaction of Append's own is
				// rolled back, a host's savepoint undone.
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			}
			rows = rows[k:]
		}
		return nil
	}
	if len(evs) == 1 {
		return r.conn(ctx).single(ctx, write)
	}
	return r.conn(ctx).atomic(ctx, write)
}

// maxEventsInsert is the most events one INSERT takes: 512 rows of 11
// columns stay under maxBulkParams, and a bulk import's batch of 500
// customers (about 1,000 events) goes in two statements instead of 16.
const maxEventsInsert = 512

// insertChunk returns how many of n events to insert with one statement:
// all of up to 8, otherwise the largest power of two up to
// maxEventsInsert, so that a store prepares at most 14 texts of the
// insert.
func insertChunk(n int) int {
	if n <= 8 {
		return n
	}
	k := 16
	for k*2 <= min(n, maxEventsInsert) {
		k *= 2
	}
	if k > n {
		k = 8
	}
	return k
}

// insertEventsSQL returns the INSERT of k events.
func insertEventsSQL(k int) string {
	return insertEventsHead + strings.TrimSuffix(strings.Repeat(eventValues+", ", k), ", ")
}

// consumerState is a consumer's row, as Claim and Ack lock it. holder is
// the holder of the last Claim, kept after Ack releases the lease
// (leaseUntil NULL), so that an Ack by a holder whose lease another took
// is refused even after the other released it.
type consumerState struct {
	position   int64
	holder     sql.NullString
	leaseUntil sql.NullInt64
}

// lockConsumer reads and locks a consumer's row.
func (c conn) lockConsumer(ctx context.Context, name string) (consumerState, error) {
	var st consumerState
	err := c.queryRow(ctx, selectConsumerState+c.s.dialect.ForUpdate(), name).Scan(&st.position, &st.holder, &st.leaseUntil)
	return st, err
}

func (r events) Claim(ctx context.Context, cl storage.Claim) (storage.Batch, error) {
	if err := cl.Validate(); err != nil {
		return storage.Batch{}, err
	}
	now, until := micro(cl.Now), micro(cl.Now.Add(cl.Lease))
	var b storage.Batch
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The sequencer first, then the consumer's row: every transaction of
		// the outbox takes its locks in that order (see lockSequencer).
		last, err := cn.lockSequencer(ctx, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		st, err := cn.lockConsumer(ctx, cl.Consumer)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertConsumer), cl.Consumer, micros(now)); err != nil {
				return err
			}
			st, err = cn.lockConsumer(ctx, cl.Consumer)
		}
		if err != nil {
			return err
		}
		if st.holder.Valid && st.holder.String != cl.Holder && st.leaseUntil.Valid && micros(now) < st.leaseUntil.Int64 {
			return fmt.Errorf("consumer %s: %w", storage.Quote(cl.Consumer), storage.ErrLeaseHeld)
		}
		if err := cn.sequence(ctx, last); err != nil {
			return err
		}
		rows, err := cn.query(ctx, selectBatch+cn.s.latestRead(), st.position, cl.Max)
		if err != nil {
			return err
		}
		evs, err := collect(rows, 0, scanEvent)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, leaseConsumer, cl.Holder, micros(until), micros(now), cl.Consumer); err != nil {
			return err
		}
		b = storage.Batch{Consumer: cl.Consumer, Holder: cl.Holder, After: st.position, LeaseUntil: until,
			Events: make([]event.Event, len(evs))}
		for i, e := range evs {
			b.Events[i] = e.Event
		}
		return nil
	})
	if err != nil {
		return storage.Batch{}, err
	}
	return b, nil
}

// Read returns events after a position without a consumer
// (storage.EventReader): under the sequencer's lock, as Claim, it runs the
// sequence pass, then reads.
func (r events) Read(ctx context.Context, after int64, max int) ([]event.Event, error) {
	if err := storage.CheckRead(after, max); err != nil {
		return nil, err
	}
	var out []event.Event
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		last, err := cn.lockSequencer(ctx, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		if err := cn.sequence(ctx, last); err != nil {
			return err
		}
		rows, err := cn.query(ctx, selectBatch+cn.s.latestRead(), after, max)
		if err != nil {
			return err
		}
		evs, err := collect(rows, 0, scanEvent)
		if err != nil {
			return err
		}
		out = make([]event.Event, len(evs))
		for i, e := range evs {
			out[i] = e.Event
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sequence is the sequence pass, run under the sequencer's exclusive lock
// (see lockSequencer), last being the last seq assigned: it numbers the
// committed events that have no seq yet, up to maxSequencePass of them, in
// pos order, from last+1.
func (c conn) sequence(ctx context.Context, last int64) error {
	lock := c.s.newEventsLock()
	positions, err := c.newEvents(ctx, selectNewEvents+itoa(maxSequencePass)+lock)
	if err != nil || len(positions) == 0 {
		return err
	}
	if lock != "" {
		if positions, err = c.settle(ctx, positions, lock); err != nil || len(positions) == 0 {
			return err
		}
	}
	n, err := c.execText(ctx, assignSeqSQL(positions, last))
	if err != nil {
		return err
	}
	if n != int64(len(positions)) {
		return fmt.Errorf("sqlstore: the sequence pass numbered %d events of %d", n, len(positions))
	}
	_, err = c.exec(ctx, updateLastSeq, last+n)
	return err
}

// maxSettle is the most times settle reads the events to number again.
const maxSettle = 8

// settle makes a skipping read's events safe to number. A locking read
// that skips locked rows (lock) checks each row when it reaches it: it may
// pass over an event whose transaction is in flight, then reach a later
// event of the same transaction (or of one begun after it committed) once
// that has committed, and numbering the later one alone would deliver an
// aggregate's events out of order. Each such event has committed by the
// end of the read, so the same read again, up to the highest position
// found, returns it; settle reads again until a read adds nothing (our own
// locks skip none of what we hold), and returns what it found. When the
// reads never agree (transactions keep committing below the highest
// position) it numbers nothing this time: the next pass does.
func (c conn) settle(ctx context.Context, positions []int64, lock string) ([]int64, error) {
	query := `SELECT pos FROM {{prefix}}events WHERE seq IS NULL AND pos <= ? ORDER BY pos` + lock
	for range maxSettle {
		again, err := c.newEvents(ctx, query, positions[len(positions)-1])
		if err != nil {
			return nil, err
		}
		if len(again) == len(positions) {
			return positions, nil
		}
		positions = again
	}
	return nil, nil
}

// newEvents returns the positions the query reads.
func (c conn) newEvents(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, 0, func(r scanner) (int64, error) {
		var pos int64
		return pos, r.Scan(&pos)
	})
}

// lockSequencer locks the sequencer row with the locking clause lock
// (ForUpdate, or ForShare to read it only) and returns the last seq
// assigned, putting the row back first if it is missing.
//
// Lock order: every transaction of the outbox that locks the sequencer
// locks it before any consumer row (Claim, Ack, Prune; DeleteConsumer
// locks one consumer row alone), so that they never wait for each other in
// a cycle. Claims take it exclusively, so that one sequence pass runs at a
// time. A Prune holds it while it reads the consumers' positions: a
// consumer it does not see then cannot read a batch (a Claim needs the
// lock) until the Prune has committed, and so starts after what it
// deleted instead of missing events above its position.
func (c conn) lockSequencer(ctx context.Context, lock string) (int64, error) {
	var last int64
	err := c.queryRow(ctx, selectLastSeq+lock).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := c.exec(ctx, c.s.dialect.InsertOrNothing(insertSequencer)); err != nil {
			return 0, err
		}
		err = c.queryRow(ctx, selectLastSeq+lock).Scan(&last)
	}
	return last, err
}

// assignSeqSQL returns the UPDATE that numbers the events at positions
// (ascending) last+1, last+2, ...: each run of consecutive positions gets
// its offset, and the rows are found by their keys. The text holds only
// integers the store read, so it is built for the call (and not prepared:
// no two passes run the same).
func assignSeqSQL(positions []int64, last int64) string {
	var set, in strings.Builder
	var runs int
	next := last + 1
	for i := 0; i < len(positions); {
		j := i
		for j+1 < len(positions) && positions[j+1] == positions[j]+1 {
			j++
		}
		// positions[i..j] get next .. next+j-i: seq = pos + next - positions[i].
		if runs > 0 {
			set.WriteString(" ")
		}
		set.WriteString("WHEN pos <= " + strconv.FormatInt(positions[j], 10) + " THEN " + strconv.FormatInt(next-positions[i], 10))
		next += int64(j - i + 1)
		runs++
		i = j + 1
	}
	for i, p := range positions {
		if i > 0 {
			in.WriteString(", ")
		}
		in.WriteString(strconv.FormatInt(p, 10))
	}
	return `UPDATE {{prefix}}events SET seq = pos + CASE ` + set.String() + ` END WHERE pos IN (` + in.String() + `)`
}

// newEventsLock is the locking clause of the pass's read of the events to
// number: none where plain reads after the sequencer's lock see the latest
// commits (or the engine runs one writer at a time), FOR UPDATE SKIP
// LOCKED elsewhere (a locking read sees the latest committed rows; skipping
// the locked ones passes over the rows of transactions in flight instead of
// waiting for them).
func (s *Store) newEventsLock() string {
	if s.freshAfterLock() || s.dialect.ForUpdate() == "" {
		return ""
	}
	return s.dialect.ForUpdate() + " SKIP LOCKED"
}

// latestRead is the locking clause of a read, after a lock, that must see
// the latest committed rows: ForShare, unless plain reads do.
func (s *Store) latestRead() string {
	if s.freshAfterLock() {
		return ""
	}
	return s.dialect.ForShare()
}

func (s *Store) freshAfterLock() bool {
	f, ok := s.dialect.(FreshAfterLock)
	return ok && f.FreshAfterLock()
}

func (r events) Ack(ctx context.Context, name, holder string, through int64) error {
	if err := storage.CheckConsumerName(name); err != nil {
		return err
	}
	if err := storage.CheckHolder(holder); err != nil {
		return err
	}
	now := micro(time.Now())
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		last, err := cn.lockSequencer(ctx, cn.s.dialect.ForShare())
		if err != nil {
			return err
		}
		st, err := cn.lockConsumer(ctx, name)
		if err != nil {
			return noRows(err, "consumer", name)
		}
		if !st.holder.Valid || st.holder.String != holder {
			return fmt.Errorf("consumer %s: %w", storage.Quote(name), storage.ErrLeaseLost)
		}
		if through > st.position {
			if through > last {
				return fmt.Errorf("ack through sequence %d: beyond the last event (%d): %w", through, last, storage.ErrInvalidRecord)
			}
			st.position = through
		}
		_, err = cn.exec(ctx, ackConsumer, st.position, micros(now), name)
		return err
	})
}

func (r events) Consumers(ctx context.Context) ([]storage.ConsumerState, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() ([]storage.ConsumerState, error) {
		rows, err := cn.query(ctx, `SELECT name, position, holder, lease_until, updated_at
			FROM {{prefix}}event_consumers ORDER BY `+cn.s.dialect.Binary("name"))
		if err != nil {
			return nil, err
		}
		return collect(rows, 0, func(r scanner) (storage.ConsumerState, error) {
			var (
				c       storage.ConsumerState
				holder  sql.NullString
				until   sql.NullInt64
				updated int64
			)
			if err := r.Scan(&c.Name, &c.Position, &holder, &until, &updated); err != nil {
				return c, err
			}
			if until.Valid { // a lease taken and not released
				c.Holder, c.LeaseUntil = holder.String, fromMicros(until.Int64)
			}
			c.UpdatedAt = fromMicros(updated)
			return c, nil
		})
	})
}

func (r events) DeleteConsumer(ctx context.Context, name string) error {
	if err := storage.CheckConsumerName(name); err != nil {
		return err
	}
	return r.conn(ctx).single(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, `DELETE FROM {{prefix}}event_consumers WHERE name = ?`, name)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound("consumer", name)
		}
		return nil
	})
}

// pruneChunk is the most events one DELETE of Prune names.
const pruneChunk = 1000

func (r events) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit < 1 || limit > storage.MaxPrune {
		return 0, fmt.Errorf("prune limit %d: must be between 1 and %d: %w", limit, storage.MaxPrune, storage.ErrInvalidRecord)
	}
	var deleted int
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		deleted = 0
		// Under the sequencer's lock (see lockSequencer), every consumer has
		// acknowledged up to the lowest position; with no consumer, every
		// sequenced event may go.
		if _, err := cn.lockSequencer(ctx, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		var lowest sql.NullInt64
		rows, err := cn.query(ctx, `SELECT position FROM {{prefix}}event_consumers`+cn.s.latestRead())
		if err != nil {
			return err
		}
		positions, err := collect(rows, 0, func(r scanner) (int64, error) {
			var p int64
			return p, r.Scan(&p)
		})
		if err != nil {
			return err
		}
		for _, p := range positions {
			if !lowest.Valid || p < lowest.Int64 {
				lowest = sql.NullInt64{Int64: p, Valid: true}
			}
		}
		upTo := int64(math.MaxInt64)
		if lowest.Valid {
			upTo = lowest.Int64
		}
		rows, err = cn.query(ctx, `SELECT pos FROM {{prefix}}events WHERE seq <= ? AND occurred_at < ? ORDER BY seq LIMIT ?`,
			upTo, micros(before), limit)
		if err != nil {
			return err
		}
		positions, err = collect(rows, 0, func(r scanner) (int64, error) {
			var pos int64
			return pos, r.Scan(&pos)
		})
		if err != nil {
			return err
		}
		for len(positions) > 0 {
			k := min(len(positions), pruneChunk)
			n, err := cn.execText(ctx, `DELETE FROM {{prefix}}events WHERE pos IN (`+joinInts(positions[:k])+`)`)
			if err != nil {
				return err
			}
			deleted += int(n)
			positions = positions[k:]
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return deleted, nil
}

// joinInts formats integers as an SQL list.
func joinInts(v []int64) string {
	var b strings.Builder
	for i, n := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(n, 10))
	}
	return b.String()
}

const selectCustomerEvents = `SELECT ` + eventColumns + ` FROM {{prefix}}events WHERE customer_id = ? ORDER BY pos DESC LIMIT `

// selectCustomerEventsAfter is a page of a customer's trail after a cursor
// (args: customer ID, pos). The page's positions come from the index alone,
// in a derived table: MariaDB reads "customer_id = ? AND pos < ? ORDER BY
// pos DESC" of a table's full rows by customer_id only, from the newest
// event down to the cursor, so that page n of a long trail would cost
// O(n) pages.
func selectCustomerEventsAfter(limit int) string {
	return `SELECT ` + qualify(eventColumns, "e") + ` FROM {{prefix}}events e JOIN (SELECT pos FROM {{prefix}}events
	WHERE customer_id = ? AND pos < ? ORDER BY pos DESC LIMIT ` + itoa(limit) + `) k ON k.pos = e.pos ORDER BY e.pos DESC`
}

func (r events) ByCustomer(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (storage.Page[event.Event], error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (storage.Page[event.Event], error) {
		var page storage.Page[event.Event]
		c, err := storage.ParseCursor(storage.ListCustomerEvents, p.Cursor)
		if err != nil {
			return page, err
		}
		if p.Cursor != "" && (c.Seq < 1 || !c.Time.IsZero() || c.Key != "") {
			return page, fmt.Errorf("%w: not an event position", storage.ErrInvalidCursor)
		}
		size, limit := pageSize(p)
		var rows *sql.Rows
		if p.Cursor == "" {
			rows, err = cn.query(ctx, selectCustomerEvents+itoa(limit), customerID.String())
		} else {
			rows, err = cn.query(ctx, selectCustomerEventsAfter(limit), customerID.String(), c.Seq)
		}
		if err != nil {
			return page, err
		}
		items, err := collect(rows, 0, scanEvent)
		if err != nil {
			return page, err
		}
		stored := pageOf(items, size, func(e storedEvent) storage.Cursor {
			return storage.Cursor{List: storage.ListCustomerEvents, Seq: e.pos}
		})
		page.Next = stored.Next
		page.Items = make([]event.Event, len(stored.Items))
		for i, e := range stored.Items {
			page.Items[i] = e.Event
		}
		return page, nil
	})
}

// storedEvent is an event and its pos.
type storedEvent struct {
	event.Event
	pos int64
}

func scanEvent(r scanner) (storedEvent, error) {
	var (
		e          storedEvent
		seq        sql.NullInt64
		typ, kind  string
		occurredAt int64
		payload    []byte
	)
	err := r.Scan(&e.pos, &seq, scanUUID{&e.ID}, &typ, &e.Aggregate, &e.AggregateID, scanUUID{&e.CustomerID}, &e.Version,
		&occurredAt, &kind, &e.Actor.ID, &e.Schema, &payload)
	if err != nil {
		return e, driverErr(err)
	}
	e.Payload = payload
	e.Sequence = seq.Int64
	e.Type = event.Type(typ)
	e.Actor.Kind = actor.Kind(kind)
	e.OccurredAt = fromMicros(occurredAt)
	return e, nil
}

// execText runs a statement whose text was built for this one call (it
// carries its values: integers the store read), unprepared and uncached.
func (c conn) execText(ctx context.Context, query string) (int64, error) {
	if err := c.checkDone(); err != nil {
		return 0, err
	}
	q := Render(query, c.s.opts.prefix, c.s.dialect)
	var on querier = c.s.db
	if c.tx != nil {
		on = c.tx
	}
	res, err := on.ExecContext(ctx, q)
	if err != nil {
		return 0, c.failed(driverErr(err))
	}
	n, err := res.RowsAffected()
	if c.st != nil && (n > 0 || err != nil) {
		c.st.writes++
	}
	return n, driverErr(err)
}
