package sqltest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// Outbox runs the outbox's tests that depend on the engine's transactions
// rather than on the contract alone (storagetest's Events area holds
// those): an event that commits after a later one is delivered all the
// same; a Claim in a transaction whose snapshot predates another Claim's
// numbering sees it; two processes with three holders of one consumer and
// concurrent writers deliver every event, in order; the sequencer row, if
// lost, is put back; a host's transaction carries its events; and
// AfterCommit's hooks run after COMMIT only.
//
// The first two need two writers' transactions open at once: SQLite runs
// one writer at a time, so there no event can commit after a later one
// (its writer holds the database's lock until it commits), and they are
// not run where the dialect has no ForUpdate (its sign for engines that
// lock the whole database).
func Outbox(t *testing.T, e Engine) {
	concurrent := e.Dialect.ForUpdate() != ""
	if concurrent {
		t.Run("LateCommit", func(t *testing.T) { outboxLateCommit(t, e) })
		t.Run("ClaimAfterSnapshot", func(t *testing.T) { outboxClaimAfterSnapshot(t, e) })
	}
	t.Run("Processes", func(t *testing.T) { outboxProcesses(t, e) })
	if concurrent {
		t.Run("CommitDuringPass", func(t *testing.T) { outboxCommitDuringPass(t, e) })
	}
	t.Run("ManyInOneAppend", func(t *testing.T) { outboxManyInOneAppend(t, e) })
	t.Run("SequencerRestored", func(t *testing.T) { outboxSequencerRestored(t, e) })
	t.Run("HostTransaction", func(t *testing.T) { outboxHostTransaction(t, e) })
	t.Run("AfterCommit", func(t *testing.T) { outboxAfterCommit(t, e) })
}

// testEvent returns a valid event of aggregate id at version, about
// customer.
func testEvent(t testing.TB, customer uuid.UUID, id string, version int64) event.Event {
	t.Helper()
	e, err := event.New(event.CustomerUpdated, event.AggregateCustomer, id, customer, version,
		map[string]any{"id": id, "version": version})
	if err != nil {
		t.Fatal(err)
	}
	e.ID = uuid.Must(uuid.NewV7())
	e.OccurredAt = time.Now().UTC().Truncate(time.Microsecond)
	e.Actor = actor.System("sqltest")
	return e
}

// claimOf asks for up to 100 events of consumer for holder, leased for a
// minute.
func claimOf(consumer, holder string) storage.Claim {
	return storage.Claim{Consumer: consumer, Holder: holder, Lease: time.Minute, Max: 100, Now: time.Now()}
}

// ids returns the IDs of events, in order.
func ids(evs []event.Event) []uuid.UUID {
	out := make([]uuid.UUID, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// outboxLateCommit: T1 appends E1 and stays open; T2 appends E2 and
// commits; a Claim returns E2 alone (without waiting for T1) and is
// acknowledged; T1 commits; the next Claim returns E1, with a higher
// Sequence. A consumer that had read "everything up to E2" must not have
// skipped E1.
func outboxLateCommit(t *testing.T, e Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := NewStore(t, e.DB, e.Dialect)
	who := uuid.New()
	e1, e2 := testEvent(t, who, "late", 1), testEvent(t, who, "early", 1)

	t1, err := e.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer t1.Rollback() //nolint:errcheck // after Commit, a no-op
	if err := s.Bind(t1).Events().Append(ctx, e1); err != nil {
		t.Fatalf("T1: append E1: %v", err)
	}
	if err := s.Events().Append(ctx, e2); err != nil {
		t.Fatalf("T2: append E2: %v", err)
	}

	// The Claim must neither wait for T1 nor deliver its event.
	claimCtx, cancelClaim := context.WithTimeout(ctx, 15*time.Second)
	b, err := s.Events().Claim(claimCtx, claimOf("late", "h"))
	cancelClaim()
	if err != nil {
		t.Fatalf("claim while T1 is open: %v", err)
	}
	if !slices.Equal(ids(b.Events), []uuid.UUID{e2.ID}) {
		t.Fatalf("claim while T1 is open returned %v, want E2 %v alone", ids(b.Events), e2.ID)
	}
	seq2 := b.Events[0].Sequence
	if err := s.Events().Ack(ctx, "late", "h", b.Last()); err != nil {
		t.Fatalf("ack E2: %v", err)
	}
	// An empty claim while T1 is still open.
	if b, err := s.Events().Claim(ctx, claimOf("late", "h")); err != nil || len(b.Events) != 0 {
		t.Fatalf("second claim while T1 is open: %v, %v; want no events", ids(b.Events), err)
	}

	if err := t1.Commit(); err != nil {
		t.Fatalf("T1: commit: %v", err)
	}
	b, err = s.Events().Claim(ctx, claimOf("late", "h"))
	if err != nil {
		t.Fatalf("claim after T1 committed: %v", err)
	}
	if !slices.Equal(ids(b.Events), []uuid.UUID{e1.ID}) {
		t.Fatalf("claim after T1 committed returned %v, want E1 %v (the late commit was skipped)", ids(b.Events), e1.ID)
	}
	if b.After != seq2 || b.Events[0].Sequence <= seq2 {
		t.Errorf("E1 has sequence %d after position %d; want it above E2's %d", b.Events[0].Sequence, b.After, seq2)
	}
	if err := s.Events().Ack(ctx, "late", "h", b.Last()); err != nil {
		t.Fatalf("ack E1: %v", err)
	}
	// The audit trail lists them in the order they were stored (E1
	// first), newest first, whatever their sequences.
	page, err := s.Events().ByCustomer(ctx, who, storage.PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Items); !slices.Equal(got, []uuid.UUID{e2.ID, e1.ID}) {
		t.Errorf("ByCustomer = %v, want E2, E1 (newest stored first)", got)
	}
}

// outboxClaimAfterSnapshot: a Claim in a transaction that read before
// another consumer's Claim numbered the events (and committed) must still
// return them. InnoDB (REPEATABLE READ) and TiDB keep the transaction's
// snapshot for plain reads, in which those events have no Sequence yet.
func outboxClaimAfterSnapshot(t *testing.T, e Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := NewStore(t, e.DB, e.Dialect)
	var want []uuid.UUID
	for i := range 3 {
		ev := testEvent(t, uuid.Nil, fmt.Sprintf("agg-%d", i), 1)
		if err := s.Events().Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		want = append(want, ev.ID)
	}
	var once sync.Once
	var got storage.Batch
	outside := ctx // carries no transaction
	err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		evs := tx.(storage.Outbox).Events()
		// A plain read takes InnoDB's snapshot (TiDB took one at BEGIN).
		if _, err := evs.Consumers(ctx); err != nil {
			return err
		}
		var other error
		once.Do(func() {
			// Another process claims for another consumer, numbering the
			// events, and commits.
			b, err := s.Events().Claim(outside, claimOf("other", "p2"))
			if err == nil && !slices.Equal(ids(b.Events), want) {
				err = fmt.Errorf("the other consumer's claim returned %v, want %v", ids(b.Events), want)
			}
			other = err
		})
		if other != nil {
			return other
		}
		var err error
		got, err = evs.Claim(ctx, claimOf("mine", "p1"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got.Events), want) {
		t.Fatalf("a claim in a transaction older than the other claim returned %v, want %v", ids(got.Events), want)
	}
}

// outboxProcesses runs writers and three holders of one consumer on two
// handles of the same database (two processes), with a pruner: every
// event is delivered, Sequences are dense and delivered in order (each
// batch starts right after the last acknowledged one), and each
// aggregate's events arrive in the order of their versions.
func outboxProcesses(t *testing.T, e Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	prefix := FreshPrefix("outbox")
	migrate(t, e.DB, e.Dialect, prefix)
	other := e.Open(t)
	stores := []*sqlstore.Store{newStoreAt(t, e.DB, e.Dialect, prefix), newStoreAt(t, other, e.Dialect, prefix)}

	const writersPerProcess, appendsPerWriter, aggregatesPerWriter = 3, 40, 4
	var (
		mu        sync.Mutex
		appended  = map[uuid.UUID]event.Event{}
		delivered []event.Event // in delivery order, without redeliveries
		acked     int64         // the consumer's position, as the holders saw it
		writing   atomic.Int32
		failures  = make(chan error, 64)
	)
	fail := func(err error) {
		select {
		case failures <- err:
		default:
		}
		cancel()
	}
	var writers, readers sync.WaitGroup
	for p, s := range stores {
		for w := range writersPerProcess {
			writers.Add(1)
			writing.Add(1)
			go func() {
				defer writers.Done()
				defer writing.Add(-1)
				rng := rand.New(rand.NewPCG(uint64(p), uint64(w)))
				versions := make([]int64, aggregatesPerWriter)
				for range appendsPerWriter {
					// One to three events, of the writer's own aggregates,
					// in one call, or in an Atomic with one call each.
					n := 1 + rng.IntN(3)
					var evs []event.Event
					for range n {
						a := rng.IntN(aggregatesPerWriter)
						versions[a]++
						evs = append(evs, testEvent(t, uuid.Nil, fmt.Sprintf("p%d-w%d-a%d", p, w, a), versions[a]))
					}
					var err error
					if rng.IntN(2) == 0 {
						err = s.Events().Append(ctx, evs...)
					} else {
						err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
							for _, ev := range evs {
								if err := tx.(storage.Outbox).Events().Append(ctx, ev); err != nil {
									return err
								}
							}
							return nil
						})
					}
					if err != nil {
						fail(fmt.Errorf("process %d writer %d: append: %w", p, w, err))
						return
					}
					mu.Lock()
					for _, ev := range evs {
						appended[ev.ID] = ev
					}
					mu.Unlock()
				}
			}()
		}
	}
	done := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return writing.Load() == 0 && len(delivered) == len(appended)
	}
	holders := []struct {
		s    *sqlstore.Store
		name string
	}{{stores[0], "p1-a"}, {stores[0], "p1-b"}, {stores[1], "p2-a"}}
	for _, h := range holders {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for !done() && ctx.Err() == nil {
				c := storage.Claim{Consumer: "all", Holder: h.name, Lease: 30 * time.Second, Max: 1 + rand.IntN(20), Now: time.Now()}
				b, err := h.s.Events().Claim(ctx, c)
				if errors.Is(err, storage.ErrLeaseHeld) {
					time.Sleep(time.Millisecond)
					continue
				}
				if err != nil {
					fail(fmt.Errorf("holder %s: claim: %w", h.name, err))
					return
				}
				mu.Lock()
				if b.After != acked {
					mu.Unlock()
					fail(fmt.Errorf("holder %s: a batch after %d, but the consumer acknowledged %d", h.name, b.After, acked))
					return
				}
				prev := b.After
				for _, ev := range b.Events {
					if ev.Sequence != prev+1 {
						mu.Unlock()
						fail(fmt.Errorf("holder %s: sequence %d after %d: not dense", h.name, ev.Sequence, prev))
						return
					}
					prev = ev.Sequence
					delivered = append(delivered, ev)
				}
				acked = b.Last()
				mu.Unlock()
				if err := h.s.Events().Ack(ctx, "all", h.name, b.Last()); err != nil {
					fail(fmt.Errorf("holder %s: ack %d: %w", h.name, b.Last(), err))
					return
				}
				if len(b.Events) == 0 {
					time.Sleep(2 * time.Millisecond)
				}
			}
		}()
	}
	// A pruner deletes what the consumer has acknowledged meanwhile.
	readers.Add(1)
	go func() {
		defer readers.Done()
		for !done() && ctx.Err() == nil {
			if _, err := stores[1].Events().Prune(ctx, time.Now().Add(time.Hour), 50); err != nil {
				fail(fmt.Errorf("prune: %w", err))
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	writers.Wait()
	readers.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if len(delivered) != len(appended) || len(appended) == 0 {
		t.Fatalf("%d events delivered, %d appended", len(delivered), len(appended))
	}
	last := map[string]int64{}
	for _, ev := range delivered {
		want, ok := appended[ev.ID]
		if !ok {
			t.Fatalf("delivered event %s was never appended", ev.ID)
		}
		if ev.AggregateID != want.AggregateID || ev.Version != want.Version {
			t.Fatalf("event %s delivered as %s v%d, appended as %s v%d", ev.ID, ev.AggregateID, ev.Version, want.AggregateID, want.Version)
		}
		if ev.Version != last[ev.AggregateID]+1 {
			t.Fatalf("aggregate %s: version %d delivered after %d", ev.AggregateID, ev.Version, last[ev.AggregateID])
		}
		last[ev.AggregateID] = ev.Version
		delete(appended, ev.ID)
	}
	t.Logf("%d events delivered in order", len(delivered))
}

// outboxCommitDuringPass: writers append two events of one aggregate in
// one transaction, with other writers' events between them, while a
// consumer claims in a loop. A sequence pass that reads row by row and
// passes over the rows of transactions in flight (InnoDB's SKIP LOCKED)
// may reach the first event while its transaction is open and the second
// after it has committed: numbering the second alone would deliver it
// before the first. Each aggregate's events must arrive in version order.
func outboxCommitDuringPass(t *testing.T, e Engine) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s := NewStore(t, e.DB, e.Dialect)
	const writers, txPerWriter = 4, 150
	var (
		appended atomic.Int64
		wg       sync.WaitGroup
		failed   = make(chan error, writers+1)
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range txPerWriter {
				agg := fmt.Sprintf("w%d-%d", w, i)
				err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
					for v := int64(1); v <= 2; v++ {
						if err := tx.(storage.Outbox).Events().Append(ctx, testEvent(t, uuid.Nil, agg, v)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					failed <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				appended.Add(2)
			}
		}()
	}
	writing := make(chan struct{})
	go func() { wg.Wait(); close(writing) }()
	seen := map[string]int64{}
	var delivered int64
	for {
		c := claimOf("pass", "h")
		c.Max = 1 + rand.IntN(50)
		b, err := s.Events().Claim(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range b.Events {
			if ev.Version != seen[ev.AggregateID]+1 {
				t.Fatalf("aggregate %s: version %d delivered after %d", ev.AggregateID, ev.Version, seen[ev.AggregateID])
			}
			seen[ev.AggregateID] = ev.Version
			delivered++
		}
		if err := s.Events().Ack(ctx, "pass", "h", b.Last()); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-failed:
			t.Fatal(err)
		default:
		}
		if len(b.Events) == 0 {
			select {
			case <-writing:
				if delivered == appended.Load() {
					return
				}
			default:
			}
		}
	}
}

// outboxManyInOneAppend: one Append of more events than one INSERT takes
// (it writes them in several) stores them all, in order, or, when one ID
// is taken, none.
func outboxManyInOneAppend(t *testing.T, e Engine) {
	ctx := context.Background()
	s := NewStore(t, e.DB, e.Dialect)
	var evs []event.Event
	for i := range 150 {
		evs = append(evs, testEvent(t, uuid.Nil, "many", int64(i+1)))
	}
	taken := testEvent(t, uuid.Nil, "taken", 1)
	if err := s.Events().Append(ctx, taken); err != nil {
		t.Fatal(err)
	}
	// The taken ID comes last, in the last INSERT: the ones before it went
	// in, and must be taken back with it.
	err := s.Events().Append(ctx, append(slices.Clone(evs), taken)...)
	if !storage.IsConflict(err, storage.ConstraintPrimaryKey) {
		t.Fatalf("Append with a taken ID: %v, want a primary key conflict", err)
	}
	if err := s.Events().Append(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	var got []uuid.UUID
	for {
		c := claimOf("many", "h")
		c.Max = 64
		b, err := s.Events().Claim(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Events) == 0 {
			break
		}
		got = append(got, ids(b.Events)...)
		if err := s.Events().Ack(ctx, "many", "h", b.Last()); err != nil {
			t.Fatal(err)
		}
	}
	if want := append([]uuid.UUID{taken.ID}, ids(evs)...); !slices.Equal(got, want) {
		t.Fatalf("claimed %d events, want the taken one and the %d of the second Append, in order", len(got), len(evs))
	}
}

// outboxSequencerRestored: a sequencer row that is gone (a host emptied
// the table) is put back after the highest Sequence kept, so that no
// Sequence is assigned twice.
func outboxSequencerRestored(t *testing.T, e Engine) {
	ctx := context.Background()
	prefix := FreshPrefix("seqr")
	migrate(t, e.DB, e.Dialect, prefix)
	s := newStoreAt(t, e.DB, e.Dialect, prefix)
	for i := range 3 {
		if err := s.Events().Append(ctx, testEvent(t, uuid.Nil, "a", int64(i+1))); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Events().Claim(ctx, claimOf("c", "h"))
	if err != nil || len(b.Events) != 3 {
		t.Fatalf("claim: %d events, %v", len(b.Events), err)
	}
	if _, err := e.DB.Exec(sqlstore.Render(`DELETE FROM {{prefix}}event_sequence`, prefix, e.Dialect)); err != nil {
		t.Fatal(err)
	}
	ev := testEvent(t, uuid.Nil, "a", 4)
	if err := s.Events().Append(ctx, ev); err != nil {
		t.Fatal(err)
	}
	b, err = s.Events().Claim(ctx, claimOf("c", "h"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 4 || b.Events[3].ID != ev.ID || b.Events[3].Sequence != 4 {
		t.Fatalf("after the sequencer row was lost, claim returned %v; want the 3 events and the new one at sequence 4", b.Events)
	}
	// Every event gone too, but a consumer's position kept: numbering
	// starts after it, or the consumer would pass over the new events.
	if err := s.Events().Ack(ctx, "c", "h", b.Last()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DELETE FROM {{prefix}}event_sequence`, `DELETE FROM {{prefix}}events`} {
		if _, err := e.DB.Exec(sqlstore.Render(q, prefix, e.Dialect)); err != nil {
			t.Fatal(err)
		}
	}
	ev = testEvent(t, uuid.Nil, "a", 5)
	if err := s.Events().Append(ctx, ev); err != nil {
		t.Fatal(err)
	}
	b, err = s.Events().Claim(ctx, claimOf("c", "h"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) != 1 || b.Events[0].ID != ev.ID || b.Events[0].Sequence != 5 {
		t.Fatalf("after the sequencer row and the events were lost, claim returned %v; want the new event at sequence 5", b.Events)
	}
}

// outboxHostTransaction: events appended through a store bound to a host's
// transaction commit and roll back with it, and AfterCommit refuses the
// host's transaction, whose commit the store does not see.
func outboxHostTransaction(t *testing.T, e Engine) {
	ctx := context.Background()
	s := NewStore(t, e.DB, e.Dialect)
	for _, commit := range []bool{false, true} {
		tx, err := e.DB.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		bound := s.Bind(tx)
		ev := testEvent(t, uuid.Nil, fmt.Sprintf("host-%v", commit), 1)
		if err := bound.Events().Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if bound.AfterCommit(ctx, func() {}) {
			t.Error("AfterCommit accepted a hook on a host's transaction")
		}
		err = bound.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			if bound.AfterCommit(ctx, func() {}) {
				t.Error("AfterCommit accepted a hook in an Atomic on a host's transaction")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Events().Claim(ctx, claimOf("host", "h"))
		if err != nil {
			t.Fatal(err)
		}
		var want []uuid.UUID
		if commit {
			want = []uuid.UUID{ev.ID}
		}
		if got := ids(b.Events); !slices.Equal(got, want) {
			t.Errorf("host transaction committed=%v: claim returned %v, want %v", commit, got, want)
		}
		if err := s.Events().Ack(ctx, "host", "h", b.Last()); err != nil {
			t.Fatal(err)
		}
	}
}

// outboxAfterCommit: hooks run after COMMIT, in order, once the change is
// visible to other connections; never for a rollback, nor for a nested
// Atomic that failed; and AfterCommit refuses a ctx without a transaction.
func outboxAfterCommit(t *testing.T, e Engine) {
	ctx := context.Background()
	s := NewStore(t, e.DB, e.Dialect)
	if s.AfterCommit(ctx, func() {}) {
		t.Error("AfterCommit accepted a hook outside a transaction")
	}
	var ran []string
	// visible reports whether another connection sees the customer's event.
	visible := func(id uuid.UUID) bool {
		page, err := s.Events().ByCustomer(ctx, id, storage.PageRequest{})
		if err != nil {
			t.Error(err)
		}
		return len(page.Items) == 1
	}
	who := uuid.New()
	var inner context.Context
	err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		inner = ctx
		if err := tx.(storage.Outbox).Events().Append(ctx, testEvent(t, who, "hooked", 1)); err != nil {
			return err
		}
		if !s.AfterCommit(ctx, func() { ran = append(ran, fmt.Sprintf("first visible=%v", visible(who))) }) {
			t.Error("AfterCommit refused a hook in Atomic")
		}
		// A nested Atomic that fails takes its hooks with it; one that
		// succeeds keeps them.
		_ = s.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			s.AfterCommit(ctx, func() { ran = append(ran, "failed nested") })
			return errors.New("nested failure")
		})
		if err := s.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			s.AfterCommit(ctx, func() { ran = append(ran, "nested") })
			return nil
		}); err != nil {
			return err
		}
		s.AfterCommit(ctx, func() { ran = append(ran, "last") })
		if len(ran) != 0 {
			t.Errorf("hooks ran before COMMIT: %v", ran)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"first visible=true", "nested", "last"}; !slices.Equal(ran, want) {
		t.Errorf("hooks ran %q, want %q", ran, want)
	}
	if s.AfterCommit(inner, func() {}) {
		t.Error("AfterCommit accepted a hook on a transaction that has ended")
	}
	ran = nil
	err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		s.AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
		return errors.New("roll back")
	})
	if err == nil || len(ran) != 0 {
		t.Errorf("a rolled-back Atomic: %v, hooks ran %q; want an error and none", err, ran)
	}
}
