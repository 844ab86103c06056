package storagetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Outbox capability. The cases assume nothing about the
// Sequences an adapter assigns but what the contract says: positive,
// strictly increasing in delivery order. Consumer names are unique per
// case.

func eventsCases() []testCase {
	return []testCase{
		{"AppendThenClaimInOrder", needsOutbox(eventsAppendClaim)},
		{"FieldsRoundTrip", needsOutbox(eventsRoundTrip)},
		{"ReturnedEventsAreCopies", needsOutbox(eventsCopies)},
		{"TxHasTheCapability", needsOutbox(eventsTx)},
		{"RolledBackNeverAppear", needsOutbox(eventsRollback)},
		{"NestedFailureDropsItsEvents", needsOutbox(eventsNestedFailure)},
		{"InvalidEventWritesNoneOfTheBatch", needsOutbox(eventsInvalid)},
		{"DuplicateIDWritesNothing", needsOutbox(eventsDuplicate)},
		{"LateCommitIsNeverSkipped", needsOutbox(eventsLateCommit)},
		{"LeaseHeldUntilItExpires", needsOutbox(eventsLeaseHeld)},
		{"SameHolderClaimRedelivers", needsOutbox(eventsSameHolder)},
		{"AckReleasesTheLease", needsOutbox(eventsAckReleases)},
		{"AckOfAnExpiredLeaseNobodyTook", needsOutbox(eventsAckExpired)},
		{"AckBelowPositionIsNoOp", needsOutbox(eventsAckBelow)},
		{"AckBeyondLastIsInvalid", needsOutbox(eventsAckBeyond)},
		{"AckOfUnknownConsumerIsNotFound", needsOutbox(eventsAckUnknown)},
		{"ConsumersAreIndependent", needsOutbox(eventsIndependent)},
		{"PruneRespectsSlowestConsumerAndAge", needsOutbox(eventsPruneSlowest)},
		{"PruneByAgeAloneOldestFirstUpToLimit", needsOutbox(eventsPruneAge)},
		{"DeleteConsumer", needsOutbox(eventsDeleteConsumer)},
		{"ByCustomerNewestFirst", needsOutbox(eventsByCustomer)},
		{"ByCustomerCursors", needsOutbox(eventsByCustomerCursors)},
		{"HostileNamesAndBounds", needsOutbox(eventsHostile)},
		{"ConcurrentWritersAndHolders", needsOutbox(eventsConcurrent)},
		{"ReadLeavesNoConsumer", needsOutbox(eventsReadWithoutConsumer)},
	}
}

func commitHooksCases() []testCase {
	return []testCase{
		{"RunsAfterCommit", needsHooks(hooksAfterCommit)},
		{"NotOnRollback", needsHooks(hooksRollback)},
		{"NotForFailedNestedAtomic", needsHooks(hooksNested)},
		{"FalseOutsideTransaction", needsHooks(hooksOutside)},
	}
}

// needsOutbox skips an Outbox case on a store that lacks the capability.
func needsOutbox(run func(t *testing.T, e *env, o storage.Events)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		c, ok := e.store.(storage.Outbox)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Outbox capability", e.store)
		}
		run(t, e, c.Events())
	}
}

// needsHooks skips a CommitHooks case on a store that lacks the capability.
func needsHooks(run func(t *testing.T, e *env, h storage.CommitHooks)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		c, ok := e.store.(storage.CommitHooks)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.CommitHooks capability", e.store)
		}
		run(t, e, c)
	}
}

var errBoom = errors.New("storagetest: boom")

// event builds a valid event about the customer, with a payload that
// names it.
func (e *env) event(customerID uuid.UUID) event.Event {
	n := e.next()
	return event.Event{
		ID: e.id(), Type: event.CustomerUpdated,
		Aggregate: event.AggregateCustomer, AggregateID: customerID.String(), CustomerID: customerID,
		Version: int64(n), OccurredAt: e.now(), Actor: actor.Staff("storagetest"), Schema: event.CurrentSchema,
		Payload: json.RawMessage(fmt.Sprintf(`{"n":%d}`, n)),
	}
}

// events builds n events about the customer.
func (e *env) events(customerID uuid.UUID, n int) []event.Event {
	out := make([]event.Event, n)
	for i := range out {
		out[i] = e.event(customerID)
	}
	return out
}

// consumer returns a consumer name of its own for the case.
func (e *env) consumer(base string) string {
	return base + "-" + e.id().String()[:8]
}

// appendEvents appends evs, each call in a transaction of its own.
func (e *env) appendEvents(o storage.Events, evs ...event.Event) {
	e.t.Helper()
	for _, ev := range evs {
		require.NoError(e.t, o.Append(e.ctx, ev), "appending event %s", ev.ID)
	}
}

// claimAt claims a batch that must be granted.
func (e *env) claimAt(o storage.Events, consumer, holder string, max int, now time.Time) storage.Batch {
	e.t.Helper()
	b, err := o.Claim(e.ctx, storage.Claim{Consumer: consumer, Holder: holder, Lease: time.Minute, Max: max, Now: now})
	require.NoError(e.t, err, "claim of %s by %s", consumer, holder)
	require.Equal(e.t, consumer, b.Consumer)
	require.Equal(e.t, holder, b.Holder)
	checkBatch(e.t, b)
	return b
}

// drain claims everything the consumer has not acknowledged and
// acknowledges it, returning the events.
func (e *env) drain(o storage.Events, consumer string) []event.Event {
	e.t.Helper()
	b := e.claimAt(o, consumer, "drainer", storage.MaxClaim, e.now())
	require.NoError(e.t, o.Ack(e.ctx, consumer, "drainer", b.Last()))
	return b.Events
}

// checkBatch checks what every batch promises: Sequences positive,
// strictly increasing and above After.
func checkBatch(t *testing.T, b storage.Batch) {
	t.Helper()
	prev := b.After
	require.GreaterOrEqual(t, b.After, int64(0), "After")
	for i, ev := range b.Events {
		require.Greater(t, ev.Sequence, prev, "event %d of the batch: Sequences increase strictly from After", i)
		prev = ev.Sequence
	}
}

func eventIDs(evs []event.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, ev := range evs {
		out[i] = ev.ID
	}
	return out
}

// consumerState returns the state of the named consumer.
func (e *env) consumerState(o storage.Events, name string) storage.ConsumerState {
	e.t.Helper()
	all, err := o.Consumers(e.ctx)
	require.NoError(e.t, err)
	for _, c := range all {
		if c.Name == name {
			return c
		}
	}
	e.t.Fatalf("consumer %q is not listed by Consumers", name)
	return storage.ConsumerState{}
}

// sameEvent asserts that got is want as stored: every field but
// Sequence, the payload as JSON.
func sameEvent(t *testing.T, want, got event.Event) {
	t.Helper()
	assert.Equal(t, want.ID, got.ID)
	assert.Equal(t, want.Type, got.Type)
	assert.Equal(t, want.Aggregate, got.Aggregate)
	assert.Equal(t, want.AggregateID, got.AggregateID)
	assert.Equal(t, want.CustomerID, got.CustomerID)
	assert.Equal(t, want.Version, got.Version)
	assert.Equal(t, want.OccurredAt.UTC().Truncate(time.Microsecond), got.OccurredAt, "occurred_at: UTC microseconds")
	assert.Equal(t, want.Actor.Normalize(), got.Actor.Normalize())
	assert.Equal(t, want.Schema, got.Schema)
	assert.JSONEq(t, string(want.Payload), string(got.Payload))
}

func eventsAppendClaim(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	evs := e.events(cid, 6)
	require.NoError(t, o.Append(e.ctx, evs[:3]...), "one call, three events")
	e.appendEvents(o, evs[3:]...)
	name := e.consumer("reader")

	now := e.now()
	b := e.claimAt(o, name, "h1", 100, now)
	assert.Equal(t, int64(0), b.After, "a new consumer starts at position 0")
	assert.Equal(t, now.Add(time.Minute), b.LeaseUntil, "leased until Now+Lease")
	require.Equal(t, eventIDs(evs), eventIDs(b.Events), "every event, in the order appended")
	for i := range evs {
		sameEvent(t, evs[i], b.Events[i])
	}
	st := e.consumerState(o, name)
	assert.Equal(t, "h1", st.Holder)
	assert.Equal(t, now.Add(time.Minute), st.LeaseUntil)
	assert.Equal(t, int64(0), st.Position, "claiming acknowledges nothing")

	require.NoError(t, o.Ack(e.ctx, name, "h1", b.Events[1].Sequence), "a partial acknowledgement")
	assert.Equal(t, b.Events[1].Sequence, e.consumerState(o, name).Position)
	small := e.claimAt(o, name, "h1", 2, e.now())
	assert.Equal(t, b.Events[1].Sequence, small.After)
	require.Equal(t, eventIDs(evs[2:4]), eventIDs(small.Events), "Max bounds the batch; it resumes after the position")
	assert.Equal(t, b.Events[3].Sequence, small.Last())
	require.NoError(t, o.Ack(e.ctx, name, "h1", b.Last()))

	empty := e.claimAt(o, name, "h1", 10, e.now())
	assert.Empty(t, empty.Events, "an up-to-date consumer gets an empty batch")
	assert.Equal(t, b.Last(), empty.After)
	assert.Equal(t, b.Last(), empty.Last(), "Last of an empty batch is After")
}

func eventsRoundTrip(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	ev := e.event(cid)
	ev.Type = "customer.\u00e9v\u00e9nement"
	ev.AggregateID = "O'Brien; DROP TABLE events; -- \u4e2d"
	ev.Version = math.MaxInt64
	ev.OccurredAt = time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.FixedZone("UTC+5:30", 5*3600+1800))
	ev.Actor = actor.App("integration/\u00fcber \"crm\"")
	ev.Schema = 7
	ev.Payload = json.RawMessage(`{"text":"quote \" backslash \\ nul \u0000 emoji \ud83c\udf89","nested":{"list":[1,2.5,null,true]},"empty":{}}`)
	sys := e.event(e.id())
	sys.CustomerID = uuid.Nil
	sys.Aggregate, sys.AggregateID = event.AggregateGroup, "g-1"
	sys.Actor = actor.System("")
	e.appendEvents(o, ev, sys)
	b := e.claimAt(o, e.consumer("rt"), "h", 10, e.now())
	require.Len(t, b.Events, 2)
	sameEvent(t, ev, b.Events[0])
	sameEvent(t, sys, b.Events[1])
	assert.Equal(t, time.UTC, b.Events[0].OccurredAt.Location(), "occurred_at in UTC")
	assert.Equal(t, uuid.Nil, b.Events[1].CustomerID, "an event about no customer")
}

func eventsCopies(t *testing.T, e *env, o storage.Events) {
	ev := e.event(e.id())
	want := bytes.Clone(ev.Payload)
	require.NoError(t, o.Append(e.ctx, ev))
	ev.Payload[2] = 'X' // the caller's bytes change after Append
	name := e.consumer("copies")
	b := e.claimAt(o, name, "h", 10, e.now())
	require.Len(t, b.Events, 1)
	assert.JSONEq(t, string(want), string(b.Events[0].Payload), "the store kept its own copy")
	for i := range b.Events[0].Payload {
		b.Events[0].Payload[i] = ' '
	}
	again := e.claimAt(o, name, "h", 10, e.now())
	require.Len(t, again.Events, 1)
	assert.JSONEq(t, string(want), string(again.Events[0].Payload), "a returned event is a copy")
}

func eventsTx(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 2)
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		c, ok := tx.(storage.Outbox)
		require.True(t, ok, "a store with the capability gives it to its transactions (%T)", tx)
		if err := c.Events().Append(ctx, evs[0]); err != nil {
			return err
		}
		return o.Append(ctx, evs[1]) // the store's own Events joins ctx's transaction
	})
	require.NoError(t, err)
	assert.Equal(t, eventIDs(evs), eventIDs(e.drain(o, e.consumer("tx"))))
}

func eventsRollback(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	lost, kept := e.event(cid), e.event(cid)
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := tx.(storage.Outbox).Events().Append(ctx, lost); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	require.NoError(t, o.Append(e.ctx, kept))
	name := e.consumer("rb")
	got := e.drain(o, name)
	require.Equal(t, []uuid.UUID{kept.ID}, eventIDs(got), "an event commits with its transaction or not at all")
	page, err := o.ByCustomer(e.ctx, cid, storage.PageRequest{})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{kept.ID}, eventIDs(page.Items), "nor is it in the audit trail")
	require.NoError(t, o.Append(e.ctx, lost), "the rolled-back event's ID is free")
	got = e.drain(o, name)
	require.Equal(t, []uuid.UUID{lost.ID}, eventIDs(got))
}

func eventsNestedFailure(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 4)
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		ob := tx.(storage.Outbox).Events()
		if err := ob.Append(ctx, evs[0]); err != nil {
			return err
		}
		nested := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			if err := tx.(storage.Outbox).Events().Append(ctx, evs[1], evs[2]); err != nil {
				return err
			}
			return errBoom
		})
		require.ErrorIs(t, nested, errBoom)
		return ob.Append(ctx, evs[3])
	})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{evs[0].ID, evs[3].ID}, eventIDs(e.drain(o, e.consumer("nested"))),
		"the failed nested Atomic's events are gone, the outer transaction's committed")
}

func eventsInvalid(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	for name, mut := range map[string]func(*event.Event){
		"nil ID":                 func(ev *event.Event) { ev.ID = uuid.Nil },
		"empty type":             func(ev *event.Event) { ev.Type = "" },
		"type with a newline":    func(ev *event.Event) { ev.Type = "customer.\nupdated" },
		"long type":              func(ev *event.Event) { ev.Type = event.Type(strings.Repeat("t", event.MaxType+1)) },
		"empty aggregate":        func(ev *event.Event) { ev.Aggregate = "" },
		"invalid UTF-8 agg. ID":  func(ev *event.Event) { ev.AggregateID = "\xff\xfe" },
		"NUL in aggregate ID":    func(ev *event.Event) { ev.AggregateID = "a\x00b" },
		"negative version":       func(ev *event.Event) { ev.Version = -1 },
		"zero occurred-at":       func(ev *event.Event) { ev.OccurredAt = time.Time{} },
		"schema 0":               func(ev *event.Event) { ev.Schema = 0 },
		"actor without an ID":    func(ev *event.Event) { ev.Actor = actor.Actor{Kind: actor.KindStaff} },
		"unknown actor kind":     func(ev *event.Event) { ev.Actor = actor.Actor{Kind: "robot", ID: "r"} },
		"empty payload":          func(ev *event.Event) { ev.Payload = nil },
		"payload an array":       func(ev *event.Event) { ev.Payload = json.RawMessage(`[1,2]`) },
		"payload a string":       func(ev *event.Event) { ev.Payload = json.RawMessage(`"x"`) },
		"payload null":           func(ev *event.Event) { ev.Payload = json.RawMessage(`null`) },
		"payload not JSON":       func(ev *event.Event) { ev.Payload = json.RawMessage(`{"a":`) },
		"payload with trailer":   func(ev *event.Event) { ev.Payload = json.RawMessage(`{} {}`) },
		"payload beyond 1 MiB":   func(ev *event.Event) { ev.Payload = bigPayload(event.MaxPayload + 1) },
		"actor ID control char":  func(ev *event.Event) { ev.Actor = actor.Staff("a\x1bb") },
		"aggregate ID too long":  func(ev *event.Event) { ev.AggregateID = strings.Repeat("a", event.MaxAggregateID+1) },
		"aggregate with a tab":   func(ev *event.Event) { ev.Aggregate = "cus\ttomer" },
		"actor ID invalid UTF-8": func(ev *event.Event) { ev.Actor = actor.Staff("\xc3") },
	} {
		good, bad := e.event(cid), e.event(cid)
		mut(&bad)
		if bad.Validate() == nil {
			// Not every engine's JSON parser is event.Validate's; skip
			// what Validate itself accepts.
			continue
		}
		err := o.Append(e.ctx, good, bad)
		require.ErrorIs(t, err, event.ErrInvalid, name)
		err = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			return tx.(storage.Outbox).Events().Append(ctx, good, bad)
		})
		require.ErrorIs(t, err, event.ErrInvalid, "%s, in a transaction", name)
	}
	assert.Empty(t, e.drain(o, e.consumer("invalid")), "no event of a refused batch was written")
	page, err := o.ByCustomer(e.ctx, cid, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	require.NoError(t, o.Append(e.ctx), "appending nothing is allowed")
	max := e.event(cid)
	max.Payload = bigPayload(event.MaxPayload)
	max.AggregateID = strings.Repeat("\u00e9", event.MaxAggregateID/2)
	require.NoError(t, o.Append(e.ctx, max), "the bounds themselves are allowed")
}

// bigPayload returns a JSON object of exactly n bytes.
func bigPayload(n int) json.RawMessage {
	const head, tail = `{"x":"`, `"}`
	return json.RawMessage(head + strings.Repeat("x", n-len(head)-len(tail)) + tail)
}

func eventsDuplicate(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	first := e.event(cid)
	require.NoError(t, o.Append(e.ctx, first))
	fresh, again := e.event(cid), e.event(cid)
	again.ID = first.ID
	err := o.Append(e.ctx, fresh, again)
	require.True(t, storage.IsConflict(err, storage.ConstraintPrimaryKey), "a taken ID: got %v", err)
	twice := e.event(cid)
	err = o.Append(e.ctx, twice, twice)
	require.True(t, storage.IsConflict(err, storage.ConstraintPrimaryKey), "an ID twice in one call: got %v", err)
	err = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		err := tx.(storage.Outbox).Events().Append(ctx, fresh, again)
		require.True(t, storage.IsConflict(err, storage.ConstraintPrimaryKey), "in a transaction: got %v", err)
		return err
	})
	require.Error(t, err)
	got := e.drain(o, e.consumer("dup"))
	require.Equal(t, []uuid.UUID{first.ID}, eventIDs(got), "nothing of a refused batch was written")
	sameEvent(t, first, got[0])
	require.NoError(t, o.Append(e.ctx, fresh, twice), "their IDs are free")
}

// eventsLateCommit: a transaction T1 appends E1 and stays open; T2 appends
// E2 and commits; a consumer claims and acknowledges E2; then T1 commits.
// The consumer's next claim must return E1. E1's ID and occurred-at come
// before E2's, as they would for a transaction that began first. On an
// engine whose writers wait for each other (no ConcurrentWriters), T2
// cannot run while T1 is open: the case then checks the same promise in
// sequence (an event whose ID and time come before those of events already
// acknowledged is still delivered).
func eventsLateCommit(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	e1, e2 := e.event(cid), e.event(cid)
	if bytes.Compare(e1.ID[:], e2.ID[:]) > 0 {
		e1.ID, e2.ID = e2.ID, e1.ID
	}
	name := e.consumer("late")
	appendIn := func(ctx context.Context, ev event.Event) error {
		return e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			return tx.(storage.Outbox).Events().Append(ctx, ev)
		})
	}
	if !e.cfg.concurrentWriters {
		require.NoError(t, appendIn(e.ctx, e2))
		first := e.claimAt(o, name, "h", 10, e.now())
		require.Equal(t, []uuid.UUID{e2.ID}, eventIDs(first.Events))
		require.NoError(t, o.Ack(e.ctx, name, "h", first.Last()))
		require.NoError(t, appendIn(e.ctx, e1))
		next := e.claimAt(o, name, "h", 10, e.now())
		require.Equal(t, []uuid.UUID{e1.ID}, eventIDs(next.Events), "the event that committed last is delivered, though its ID and time come first")
		assert.Greater(t, next.Events[0].Sequence, first.Last())
		return
	}

	appended, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	var once sync.Once
	go func() {
		done <- e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			if err := tx.(storage.Outbox).Events().Append(ctx, e1); err != nil {
				return err
			}
			once.Do(func() { close(appended) })
			<-release
			return nil
		})
	}()
	released, finished := false, false
	finish := func() error {
		if !released {
			released = true
			close(release)
		}
		if finished {
			return nil
		}
		finished = true
		return <-done
	}
	defer func() { _ = finish() }() // let T1 end whatever happens
	select {
	case <-appended:
	case err := <-done:
		finished = true
		t.Fatalf("T1 ended before it was let go: %v", err)
	}

	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	defer cancel()
	require.NoError(t, appendIn(ctx, e2), "T2 commits while T1 is open")
	b, err := o.Claim(ctx, storage.Claim{Consumer: name, Holder: "h", Lease: time.Minute, Max: 10, Now: e.now()})
	require.NoError(t, err, "a Claim must not wait for a transaction that is still open")
	checkBatch(t, b)
	require.Equal(t, []uuid.UUID{e2.ID}, eventIDs(b.Events), "only the committed event is delivered")
	require.NoError(t, o.Ack(ctx, name, "h", b.Last()))

	require.NoError(t, finish(), "T1 commits")
	next := e.claimAt(o, name, "h", 10, e.now())
	assert.Equal(t, b.Last(), next.After)
	require.Equal(t, []uuid.UUID{e1.ID}, eventIDs(next.Events), "the event that committed late is not skipped")
	assert.Greater(t, next.Events[0].Sequence, b.Last())
}

func eventsLeaseHeld(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 3)
	e.appendEvents(o, evs...)
	name := e.consumer("lease")
	t0 := e.now()
	a := e.claimAt(o, name, "holder-a", 2, t0)
	require.Equal(t, eventIDs(evs[:2]), eventIDs(a.Events))

	for _, at := range []time.Duration{0, time.Second, time.Minute - time.Millisecond} {
		_, err := o.Claim(e.ctx, storage.Claim{Consumer: name, Holder: "holder-b", Lease: time.Minute, Max: 10, Now: t0.Add(at)})
		require.ErrorIs(t, err, storage.ErrLeaseHeld, "another holder's lease has %v left", time.Minute-at)
	}
	assert.Equal(t, "holder-a", e.consumerState(o, name).Holder, "a refused claim changes nothing")

	t1 := t0.Add(time.Minute + time.Second)
	b := e.claimAt(o, name, "holder-b", 2, t1)
	assert.Equal(t, a.After, b.After)
	require.Equal(t, eventIDs(a.Events), eventIDs(b.Events), "the new holder gets the unacknowledged events again")
	st := e.consumerState(o, name)
	assert.Equal(t, "holder-b", st.Holder)
	assert.Equal(t, t1.Add(time.Minute), st.LeaseUntil)

	err := o.Ack(e.ctx, name, "holder-a", a.Last())
	require.ErrorIs(t, err, storage.ErrLeaseLost, "the old holder must not acknowledge")
	assert.Equal(t, a.After, e.consumerState(o, name).Position, "a refused Ack moves nothing")

	_, err = o.Claim(e.ctx, storage.Claim{Consumer: name, Holder: "holder-a", Lease: time.Minute, Max: 10, Now: t1.Add(time.Second)})
	require.ErrorIs(t, err, storage.ErrLeaseHeld, "now the old holder waits")
	require.NoError(t, o.Ack(e.ctx, name, "holder-b", b.Last()))
	assert.Equal(t, b.Last(), e.consumerState(o, name).Position)
	rest := e.claimAt(o, name, "holder-a", 10, t1.Add(2*time.Second))
	assert.Equal(t, []uuid.UUID{evs[2].ID}, eventIDs(rest.Events))
}

func eventsSameHolder(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	evs := e.events(cid, 3)
	e.appendEvents(o, evs[:2]...)
	name := e.consumer("same")
	t0 := e.now()
	first := e.claimAt(o, name, "h", 10, t0)
	require.Equal(t, eventIDs(evs[:2]), eventIDs(first.Events))
	e.appendEvents(o, evs[2])
	t1 := t0.Add(10 * time.Second)
	again := e.claimAt(o, name, "h", 10, t1)
	assert.Equal(t, first.After, again.After)
	require.Equal(t, eventIDs(evs), eventIDs(again.Events), "the same events again, and the new one")
	assert.Equal(t, t1.Add(time.Minute), again.LeaseUntil, "the lease is extended")
	_, err := o.Claim(e.ctx, storage.Claim{Consumer: name, Holder: "other", Lease: time.Minute, Max: 10, Now: t0.Add(time.Minute + time.Second)})
	require.ErrorIs(t, err, storage.ErrLeaseHeld, "the extended lease still holds after the first one's end")
	later := e.claimAt(o, name, "h", 10, t0.Add(time.Hour))
	require.Equal(t, eventIDs(evs), eventIDs(later.Events), "the holder's own expired lease is renewed")
}

func eventsAckReleases(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 3)
	e.appendEvents(o, evs...)
	name := e.consumer("release")
	t0 := e.now()
	a := e.claimAt(o, name, "holder-a", 10, t0)
	require.NoError(t, o.Ack(e.ctx, name, "holder-a", a.Events[0].Sequence))
	st := e.consumerState(o, name)
	assert.Equal(t, a.Events[0].Sequence, st.Position)
	assert.Empty(t, st.Holder, "Ack releases the lease")
	b := e.claimAt(o, name, "holder-b", 10, t0.Add(time.Second))
	assert.Equal(t, a.Events[0].Sequence, b.After)
	assert.Equal(t, eventIDs(evs[1:]), eventIDs(b.Events), "another holder takes over at once, after the position")
}

func eventsAckExpired(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 2)
	e.appendEvents(o, evs...)
	name := e.consumer("expired")
	t0 := e.now()
	a := e.claimAt(o, name, "holder-a", 10, t0)
	// The lease ended at t0+1m and nobody claimed since: still the
	// holder's to acknowledge, whatever the clock says now.
	require.NoError(t, o.Ack(e.ctx, name, "holder-a", a.Last()))
	assert.Equal(t, a.Last(), e.consumerState(o, name).Position)
	rest := e.claimAt(o, name, "holder-b", 10, t0.Add(2*time.Minute))
	assert.Empty(t, rest.Events)
}

func eventsAckBelow(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 3)
	e.appendEvents(o, evs...)
	name := e.consumer("below")
	a := e.claimAt(o, name, "h", 10, e.now())
	require.NoError(t, o.Ack(e.ctx, name, "h", a.Events[1].Sequence))
	b := e.claimAt(o, name, "h", 10, e.now())
	require.NoError(t, o.Ack(e.ctx, name, "h", a.Events[0].Sequence), "a lower Sequence is accepted")
	st := e.consumerState(o, name)
	assert.Equal(t, a.Events[1].Sequence, st.Position, "the position never goes back")
	assert.Empty(t, st.Holder, "and the lease is released")
	c := e.claimAt(o, name, "h", 10, e.now())
	assert.Equal(t, eventIDs(b.Events), eventIDs(c.Events))
	require.Equal(t, []uuid.UUID{evs[2].ID}, eventIDs(c.Events))
}

func eventsAckBeyond(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 2)
	e.appendEvents(o, evs...)
	name := e.consumer("beyond")
	b := e.claimAt(o, name, "h", 10, e.now())
	for _, through := range []int64{b.Last() + 1, b.Last() + 1000, math.MaxInt64} {
		err := o.Ack(e.ctx, name, "h", through)
		require.ErrorIs(t, err, storage.ErrInvalidRecord, "through %d is beyond the last Sequence %d", through, b.Last())
	}
	assert.Equal(t, int64(0), e.consumerState(o, name).Position, "a refused Ack moves nothing")
	require.NoError(t, o.Ack(e.ctx, name, "h", b.Last()), "the last Sequence itself")
}

func eventsAckUnknown(t *testing.T, e *env, o storage.Events) {
	e.appendEvents(o, e.event(e.id()))
	err := o.Ack(e.ctx, e.consumer("nobody"), "h", 0)
	require.ErrorIs(t, err, storage.ErrNotFound)
	err = o.DeleteConsumer(e.ctx, e.consumer("nobody"))
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func eventsIndependent(t *testing.T, e *env, o storage.Events) {
	evs := e.events(e.id(), 4)
	e.appendEvents(o, evs...)
	x, y := e.consumer("x"), e.consumer("y")
	require.Equal(t, eventIDs(evs), eventIDs(e.drain(o, x)))
	first := e.claimAt(o, y, "h", 1, e.now())
	require.Equal(t, []uuid.UUID{evs[0].ID}, eventIDs(first.Events), "another consumer starts from the beginning")
	require.NoError(t, o.Ack(e.ctx, y, "h", first.Last()))
	// One holder may hold two consumers at once.
	bx := e.claimAt(o, x, "h", 10, e.now())
	by := e.claimAt(o, y, "h", 10, e.now())
	assert.Empty(t, bx.Events, "x has read everything")
	assert.Equal(t, eventIDs(evs[1:]), eventIDs(by.Events), "y resumes at its own position")
	all, err := o.Consumers(e.ctx)
	require.NoError(t, err)
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = c.Name
	}
	assert.Equal(t, []string{x, y}, names, "consumers by name")
	assert.Equal(t, bx.After, all[0].Position)
	assert.Equal(t, first.Last(), all[1].Position)
}

func eventsPruneSlowest(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	evs := e.events(cid, 5)
	e.appendEvents(o, evs...)
	fast, slow := e.consumer("fast"), e.consumer("slow")
	all := e.drain(o, fast)
	require.Len(t, all, 5)
	sb := e.claimAt(o, slow, "h", 2, e.now())
	require.NoError(t, o.Ack(e.ctx, slow, "h", sb.Last()))

	far := evs[4].OccurredAt.Add(time.Hour)
	n, err := o.Prune(e.ctx, far, storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "only what the slowest consumer acknowledged")
	e.requireTrail(o, cid, evs[2:])

	require.NoError(t, o.Ack(e.ctx, slow, "h", all[3].Sequence))
	n, err = o.Prune(e.ctx, evs[3].OccurredAt, storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only what occurred before the time given")
	e.requireTrail(o, cid, evs[3:])
	n, err = o.Prune(e.ctx, far, storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	e.requireTrail(o, cid, evs[4:])
	rest := e.claimAt(o, slow, "h", 10, e.now())
	assert.Equal(t, []uuid.UUID{evs[4].ID}, eventIDs(rest.Events), "pruning never takes an unacknowledged event")
}

func eventsPruneAge(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	evs := e.events(cid, 6)
	e.appendEvents(o, evs...)
	// A claim sequences the events (adapters may do so lazily); the
	// consumer is then deleted, leaving age alone to decide.
	name := e.consumer("once")
	e.claimAt(o, name, "h", 1, e.now())
	require.NoError(t, o.DeleteConsumer(e.ctx, name))

	for _, limit := range []int{0, -1, storage.MaxPrune + 1, math.MaxInt} {
		_, err := o.Prune(e.ctx, evs[5].OccurredAt, limit)
		require.ErrorIs(t, err, storage.ErrInvalidRecord, "limit %d", limit)
	}
	n, err := o.Prune(e.ctx, evs[0].OccurredAt, storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing occurred before the first event")
	n, err = o.Prune(e.ctx, evs[5].OccurredAt.Add(time.Hour), 2)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "up to the limit")
	e.requireTrail(o, cid, evs[2:])
	n, err = o.Prune(e.ctx, evs[4].OccurredAt, storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "events older than the time given")
	e.requireTrail(o, cid, evs[4:])
	assert.Equal(t, eventIDs(evs[4:]), eventIDs(e.drain(o, e.consumer("new"))), "a new consumer starts at the oldest event kept")
}

// requireTrail checks that the customer's audit trail holds exactly want
// (given oldest first).
func (e *env) requireTrail(o storage.Events, customerID uuid.UUID, want []event.Event) {
	e.t.Helper()
	p, err := o.ByCustomer(e.ctx, customerID, storage.PageRequest{Limit: storage.MaxPageLimit})
	require.NoError(e.t, err)
	ids := eventIDs(want)
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	require.Equal(e.t, ids, eventIDs(p.Items), "the events kept, newest first")
}

func eventsDeleteConsumer(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	evs := e.events(cid, 3)
	e.appendEvents(o, evs...)
	keep, gone := e.consumer("keep"), e.consumer("gone")
	require.Len(t, e.drain(o, keep), 3)
	e.claimAt(o, gone, "h", 10, e.now()) // holds everything back, acknowledges nothing
	n, err := o.Prune(e.ctx, evs[2].OccurredAt.Add(time.Hour), storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "the consumer that acknowledged nothing holds every event")

	require.NoError(t, o.DeleteConsumer(e.ctx, gone), "a leased consumer can be deleted")
	all, err := o.Consumers(e.ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
	assert.Equal(t, keep, all[0].Name)
	require.ErrorIs(t, o.DeleteConsumer(e.ctx, gone), storage.ErrNotFound, "deleted once")
	require.ErrorIs(t, o.Ack(e.ctx, gone, "h", 0), storage.ErrNotFound)

	again := e.claimAt(o, gone, "h2", 10, e.now())
	assert.Equal(t, int64(0), again.After, "the name starts afresh")
	assert.Equal(t, eventIDs(evs), eventIDs(again.Events))
	require.NoError(t, o.DeleteConsumer(e.ctx, gone))
	n, err = o.Prune(e.ctx, evs[2].OccurredAt.Add(time.Hour), storage.MaxPrune)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "a deleted consumer no longer holds back Prune")
}

func eventsByCustomer(t *testing.T, e *env, o storage.Events) {
	a, b := e.id(), e.id()
	var mine []event.Event
	for i := range 7 {
		ev := e.event(a)
		if i == 3 {
			ev.OccurredAt = baseTime.Add(-time.Hour) // stored order decides, not occurred-at
		}
		mine = append(mine, ev)
		e.appendEvents(o, ev, e.event(b))
	}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		late := e.event(a)
		mine = append(mine, late)
		return tx.(storage.Outbox).Events().Append(ctx, late)
	})
	require.NoError(t, err)
	want := eventIDs(mine)
	for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
		want[i], want[j] = want[j], want[i]
	}
	for _, limit := range []int{1, 3, 8, 100} {
		var got []uuid.UUID
		p := storage.PageRequest{Limit: limit}
		for pages := 0; ; pages++ {
			require.Less(t, pages, 20, "pagination does not end")
			page, err := o.ByCustomer(e.ctx, a, p)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page.Items), limit)
			for _, ev := range page.Items {
				require.Equal(t, a, ev.CustomerID, "another customer's event")
			}
			got = append(got, eventIDs(page.Items)...)
			if page.Next == "" {
				break
			}
			require.Len(t, page.Items, limit, "a page with a next cursor is full")
			p.Cursor = page.Next
		}
		require.Equal(t, want, got, "newest first, every event once (limit %d)", limit)
	}
	first, err := o.ByCustomer(e.ctx, a, storage.PageRequest{Limit: 1})
	require.NoError(t, err)
	sameEvent(t, mine[len(mine)-1], first.Items[0])
	none, err := o.ByCustomer(e.ctx, e.id(), storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, none.Items, "a customer without events")
	assert.Empty(t, none.Next)
}

func eventsByCustomerCursors(t *testing.T, e *env, o storage.Events) {
	cid := e.id()
	e.appendEvents(o, e.events(cid, 3)...)
	page, err := o.ByCustomer(e.ctx, cid, storage.PageRequest{Limit: 1})
	require.NoError(t, err)
	require.NotEmpty(t, page.Next)
	for name, cursor := range map[string]string{
		"orders":    storage.Cursor{List: storage.ListOrders, Seq: 1, Key: "o-1"}.String(),
		"postings":  storage.Cursor{List: storage.ListPostings, Seq: 1}.String(),
		"customers": storage.Cursor{List: storage.ListCustomers, Time: baseTime, Key: cid.String()}.String(),
		"garbage":   "not a cursor",
		"too long":  strings.Repeat("A", 5000),
		"control":   "\x00\x1b",
	} {
		for _, id := range []uuid.UUID{cid, e.id()} {
			_, err := o.ByCustomer(e.ctx, id, storage.PageRequest{Cursor: cursor})
			require.ErrorIs(t, err, storage.ErrInvalidCursor, "a cursor of %s", name)
		}
	}
	other := e.id()
	e.appendEvents(o, e.events(other, 2)...)
	_, err = o.ByCustomer(e.ctx, other, storage.PageRequest{Limit: 1, Cursor: page.Next})
	if err != nil {
		require.ErrorIs(t, err, storage.ErrInvalidCursor, "another customer's cursor is refused or ignored, nothing else")
	}
}

func eventsHostile(t *testing.T, e *env, o storage.Events) {
	e.appendEvents(o, e.events(e.id(), 2)...)
	now := e.now()
	valid := storage.Claim{Consumer: e.consumer("hostile"), Holder: "h", Lease: time.Minute, Max: 10, Now: now}
	for name, mut := range map[string]func(*storage.Claim){
		"empty consumer":         func(c *storage.Claim) { c.Consumer = "" },
		"invalid UTF-8 consumer": func(c *storage.Claim) { c.Consumer = "c\xff" },
		"NUL in consumer":        func(c *storage.Claim) { c.Consumer = "c\x00" },
		"newline in consumer":    func(c *storage.Claim) { c.Consumer = "c\nd" },
		"DEL in consumer":        func(c *storage.Claim) { c.Consumer = "c\x7f" },
		"long consumer":          func(c *storage.Claim) { c.Consumer = strings.Repeat("c", storage.MaxConsumerName+1) },
		"empty holder":           func(c *storage.Claim) { c.Holder = "" },
		"invalid UTF-8 holder":   func(c *storage.Claim) { c.Holder = "\xc3\x28" },
		"escape in holder":       func(c *storage.Claim) { c.Holder = "\x1b[31m" },
		"long holder":            func(c *storage.Claim) { c.Holder = strings.Repeat("\u00e9", storage.MaxHolder) },
		"zero lease":             func(c *storage.Claim) { c.Lease = 0 },
		"negative lease":         func(c *storage.Claim) { c.Lease = -time.Second },
		"zero max":               func(c *storage.Claim) { c.Max = 0 },
		"negative max":           func(c *storage.Claim) { c.Max = -1 },
		"max beyond MaxClaim":    func(c *storage.Claim) { c.Max = storage.MaxClaim + 1 },
		"huge max":               func(c *storage.Claim) { c.Max = math.MaxInt },
		"zero now":               func(c *storage.Claim) { c.Now = time.Time{} },
		"SQL in consumer, too long": func(c *storage.Claim) {
			c.Consumer = "'; DROP TABLE events; --" + strings.Repeat("x", storage.MaxConsumerName)
		},
	} {
		c := valid
		mut(&c)
		_, err := o.Claim(e.ctx, c)
		require.ErrorIs(t, err, storage.ErrInvalidRecord, name)
		if len(c.Consumer) > 3 {
			assert.NotContains(t, err.Error(), c.Consumer, "%s: the caller's name is not echoed unbounded", name)
		}
	}
	all, err := o.Consumers(e.ctx)
	require.NoError(t, err)
	assert.Empty(t, all, "no refused claim created a consumer")

	for _, bad := range []string{"", "\xff", "a\x00b", "tab\there", strings.Repeat("n", storage.MaxConsumerName+1)} {
		require.ErrorIs(t, o.Ack(e.ctx, bad, "h", 1), storage.ErrInvalidRecord, "Ack, consumer %q", bad)
		require.ErrorIs(t, o.Ack(e.ctx, valid.Consumer, bad, 1), storage.ErrInvalidRecord, "Ack, holder %q", bad)
		require.ErrorIs(t, o.DeleteConsumer(e.ctx, bad), storage.ErrInvalidRecord, "DeleteConsumer %q", bad)
	}

	// The bounds themselves, and names that are hostile but valid.
	for _, name := range []string{
		strings.Repeat("\u4e2d", storage.MaxConsumerName/3),
		"'; DROP TABLE events; --",
		"emoji \U0001F389 %_ \\ \"quoted\"",
	} {
		c := valid
		c.Consumer, c.Holder, c.Max = name, strings.Repeat("h", storage.MaxHolder), storage.MaxClaim
		b, err := o.Claim(e.ctx, c)
		require.NoError(t, err, "%q", name)
		assert.Len(t, b.Events, 2)
		require.NoError(t, o.Ack(e.ctx, name, c.Holder, b.Last()))
		assert.Equal(t, b.Last(), e.consumerState(o, name).Position)
	}
	long := valid
	long.Lease = 100 * 365 * 24 * time.Hour
	_, err = o.Claim(e.ctx, long)
	require.NoError(t, err, "a long lease")
}

// eventsConcurrent: writers append in transactions of their own (some roll
// back) while three holders of one consumer claim and acknowledge in a
// loop. Every committed event is delivered, none that rolled back is,
// batches follow one another without a gap, never two holders hold a
// batch at once, and each aggregate's events arrive in their order.
func eventsConcurrent(t *testing.T, e *env, o storage.Events) {
	const writers, txns, holders = 8, 8, 3
	name := e.consumer("group")
	ctx, cancel := context.WithTimeout(e.ctx, 30*time.Second)
	defer cancel()

	var (
		mu         sync.Mutex
		committed  = map[uuid.UUID]int{} // event ID -> writer
		order      = make([][]uuid.UUID, writers)
		rolledBack = map[uuid.UUID]bool{}
		writeErrs  []error
	)
	var writersDone atomic.Bool
	var wg sync.WaitGroup
	for w := range writers {
		aggregate := e.id()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range txns {
				evs := []event.Event{e.event(aggregate), e.event(aggregate)}
				fail := i%4 == 3
				err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
					if err := tx.(storage.Outbox).Events().Append(ctx, evs...); err != nil {
						return err
					}
					if fail {
						return errBoom
					}
					return nil
				})
				mu.Lock()
				switch {
				case fail && errors.Is(err, errBoom):
					for _, ev := range evs {
						rolledBack[ev.ID] = true
					}
				case !fail && err == nil:
					for _, ev := range evs {
						committed[ev.ID] = w
						order[w] = append(order[w], ev.ID)
					}
				default:
					writeErrs = append(writeErrs, err)
				}
				mu.Unlock()
			}
		}()
	}

	var (
		holding   atomic.Int32
		batchesMu sync.Mutex
		batches   []storage.Batch
	)
	holderErrs := make(chan error, holders)
	for h := range holders {
		holder := fmt.Sprintf("holder-%d", h)
		go func() {
			for {
				if ctx.Err() != nil {
					holderErrs <- fmt.Errorf("%s: gave up: %w", holder, ctx.Err())
					return
				}
				finished := writersDone.Load()
				b, err := o.Claim(ctx, storage.Claim{Consumer: name, Holder: holder, Lease: time.Minute, Max: 7, Now: time.Now()})
				if errors.Is(err, storage.ErrLeaseHeld) {
					time.Sleep(time.Millisecond)
					continue
				}
				if err != nil {
					holderErrs <- fmt.Errorf("%s: claim: %w", holder, err)
					return
				}
				if n := holding.Add(1); n != 1 {
					holderErrs <- fmt.Errorf("%s: %d holders hold a batch at once", holder, n)
					return
				}
				batchesMu.Lock()
				batches = append(batches, b)
				batchesMu.Unlock()
				holding.Add(-1)
				if err := o.Ack(ctx, name, holder, b.Last()); err != nil {
					holderErrs <- fmt.Errorf("%s: ack: %w", holder, err)
					return
				}
				if len(b.Events) == 0 {
					if finished {
						holderErrs <- nil
						return
					}
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	writersDone.Store(true)
	for range holders {
		require.NoError(t, <-holderErrs)
	}
	require.Empty(t, writeErrs, "the writers' transactions")

	delivered := map[uuid.UUID]bool{}
	firstSeen := make([][]uuid.UUID, writers)
	var after int64
	for i, b := range batches {
		require.Equal(t, after, b.After, "batch %d starts where the previous one was acknowledged", i)
		checkBatch(t, b)
		for _, ev := range b.Events {
			require.False(t, rolledBack[ev.ID], "a rolled-back event was delivered")
			w, ok := committed[ev.ID]
			require.True(t, ok, "an unknown event was delivered")
			if !delivered[ev.ID] {
				delivered[ev.ID] = true
				firstSeen[w] = append(firstSeen[w], ev.ID)
			}
		}
		after = b.Last()
	}
	assert.Len(t, delivered, len(committed), "every committed event is delivered")
	for w := range writers {
		assert.Equal(t, order[w], firstSeen[w], "the events of aggregate %d in their order", w)
	}
}

func hooksAfterCommit(t *testing.T, e *env, h storage.CommitHooks) {
	c := e.registered()
	var ran atomic.Int32
	var seen error
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, c); err != nil {
			return err
		}
		require.True(t, h.AfterCommit(ctx, func() {
			ran.Add(1)
			// After commit, and with nothing held: the store is usable
			// and shows the change.
			_, seen = e.store.Customers().Get(e.ctx, c.ID)
		}), "inside a transaction")
		assert.Zero(t, ran.Load(), "not before the commit")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), ran.Load(), "once, before Atomic returns")
	require.NoError(t, seen, "the hook sees the committed change")

	// Nested: the hook waits for the outermost transaction.
	ran.Store(0)
	err = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		require.NoError(t, e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			require.True(t, h.AfterCommit(ctx, func() { ran.Add(1) }))
			return nil
		}))
		assert.Zero(t, ran.Load(), "not when the nested Atomic returns")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, int32(1), ran.Load())
}

func hooksRollback(t *testing.T, e *env, h storage.CommitHooks) {
	var ran atomic.Int32
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		require.True(t, h.AfterCommit(ctx, func() { ran.Add(1) }))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	ctx, cancel := context.WithCancel(e.ctx)
	err = e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		require.True(t, h.AfterCommit(ctx, func() { ran.Add(1) }))
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, e.store.Atomic(e.ctx, func(context.Context, storage.Tx) error { return nil }))
	assert.Zero(t, ran.Load(), "never for a rolled-back transaction, nor later")
}

func hooksNested(t *testing.T, e *env, h storage.CommitHooks) {
	var mu sync.Mutex
	var ran []string
	hook := func(name string) func() {
		return func() { mu.Lock(); ran = append(ran, name); mu.Unlock() }
	}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		require.True(t, h.AfterCommit(ctx, hook("outer-before")))
		nested := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			require.True(t, h.AfterCommit(ctx, hook("failed-nested")))
			return errBoom
		})
		require.ErrorIs(t, nested, errBoom)
		require.True(t, h.AfterCommit(ctx, hook("outer-after")))
		return nil
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"outer-before", "outer-after"}, ran, "the failed nested Atomic's hook is dropped")
}

func hooksOutside(t *testing.T, e *env, h storage.CommitHooks) {
	var ran atomic.Int32
	assert.False(t, h.AfterCommit(e.ctx, func() { ran.Add(1) }), "no transaction")
	var done context.Context
	require.NoError(t, e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		done = ctx
		return nil
	}))
	assert.False(t, h.AfterCommit(done, func() { ran.Add(1) }), "a transaction that has ended")
	require.NoError(t, e.store.Atomic(e.ctx, func(context.Context, storage.Tx) error { return nil }))
	assert.Zero(t, ran.Load(), "a refused hook never runs")
}

// eventsReadWithoutConsumer: storage.EventReader reads the events a new
// consumer would get, in the same order, and leaves no consumer behind.
func eventsReadWithoutConsumer(t *testing.T, e *env, o storage.Events) {
	rd, ok := o.(storage.EventReader)
	if !ok {
		t.Skipf("the outbox (%T) lacks the storage.EventReader capability", o)
	}
	before, err := o.Consumers(e.ctx)
	require.NoError(t, err)
	cid := e.id()
	evs := e.events(cid, 5)
	e.appendEvents(o, evs...)

	var mine []event.Event
	var after int64
	for {
		page, err := rd.Read(e.ctx, after, 2)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2, "max bounds the read")
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			require.Greater(t, ev.Sequence, after, "ascending, after the position")
			after = ev.Sequence
			if ev.CustomerID == cid {
				mine = append(mine, ev)
			}
		}
	}
	require.Equal(t, eventIDs(evs), eventIDs(mine), "every event, in the order appended")
	for i := range evs {
		sameEvent(t, evs[i], mine[i])
	}
	again, err := rd.Read(e.ctx, mine[2].Sequence-1, 2)
	require.NoError(t, err)
	require.Len(t, again, 2)
	assert.Equal(t, mine[2].ID, again[0].ID, "reading again from a position gives the same events")

	after2, err := o.Consumers(e.ctx)
	require.NoError(t, err)
	assert.Equal(t, len(before), len(after2), "reading creates no consumer")

	for _, bad := range []struct {
		after int64
		max   int
	}{{-1, 1}, {0, 0}, {0, storage.MaxClaim + 1}} {
		_, err := rd.Read(e.ctx, bad.after, bad.max)
		assert.ErrorIs(t, err, storage.ErrInvalidRecord, "after %d, max %d", bad.after, bad.max)
	}
}
