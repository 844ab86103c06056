package sqltest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// event returns an event about customer with the fixture's next ID,
// at the fixture's epoch.
func (f *faultFixture) event(customerID uuid.UUID, t event.Type, version int64) event.Event {
	f.t.Helper()
	e, err := event.New(t, event.AggregateCustomer, customerID.String(), customerID, version,
		map[string]any{"version": version, "name": "Ada"})
	f.must("event", err)
	e.ID, e.OccurredAt, e.Actor = f.next(), faultEpoch, actor.Staff("u-1")
	return e
}

func (f *faultFixture) appendEvents(evs ...event.Event) {
	f.t.Helper()
	f.must("append", f.store.Events().Append(f.ctx, evs...))
}

// batchDigest describes a batch: its position, lease and events.
func batchDigest(b storage.Batch) string {
	var seqs []string
	for _, e := range b.Events {
		seqs = append(seqs, fmt.Sprintf("%d:%s", e.Sequence, e.ID))
	}
	return fmt.Sprintf("%s/%s after %d until %s: %s", b.Consumer, b.Holder, b.After,
		b.LeaseUntil.Format(time.RFC3339Nano), strings.Join(seqs, " "))
}

// outboxFaultOps are the outbox's multi-statement writes: a change and its
// events in one Atomic (both or neither), a Claim (its sequence pass, the
// batch and the lease, or nothing), a Prune.
var outboxFaultOps = []faultOp{
	{
		name: "Events.Append/WithCustomerInAtomic",
		setup: func(f *faultFixture) {
			f.appendEvents(f.event(f.register("bob", "bob@example.com"), event.CustomerRegistered, 1))
		},
		run: func(f *faultFixture) (string, error) {
			c, err := customer.NewRegistered(f.next(), customer.Params{Email: "ada@example.com", FirstName: "Ada"}, faultEpoch)
			if err != nil {
				return "", err
			}
			evs := []event.Event{f.event(c.ID, event.CustomerRegistered, 1), f.event(c.ID, event.CustomerStatusChanged, 1)}
			err = f.store.Atomic(f.ctx, func(ctx context.Context, tx storage.Tx) error {
				if _, err := tx.Customers().Create(ctx, c); err != nil {
					return err
				}
				return tx.(storage.Outbox).Events().Append(ctx, evs...)
			})
			return c.ID.String(), err
		},
	},
	{
		name: "Events.Claim",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.appendEvents(f.event(ada, event.CustomerRegistered, 1), f.event(ada, event.CustomerUpdated, 2))
			// (No Ack in a setup: it stamps the consumer with the wall
			// clock, and every fixture must start from the same rows.)
			_, err := f.store.Events().Claim(f.ctx, storage.Claim{Consumer: "crm", Holder: "h1", Lease: time.Minute, Max: 1, Now: faultEpoch})
			f.must("claim", err)
			f.appendEvents(f.event(ada, event.CustomerUpdated, 3), f.event(ada, event.CustomerDisabled, 4))
		},
		// h1's lease has expired: h2 takes the consumer over, and gets the
		// events h1 did not acknowledge, with the two appended since.
		run: func(f *faultFixture) (string, error) {
			b, err := f.store.Events().Claim(f.ctx, storage.Claim{Consumer: "crm", Holder: "h2", Lease: time.Minute, Max: 10,
				Now: faultEpoch.Add(time.Hour)})
			return batchDigest(b), err
		},
	},
	{
		name: "Events.Claim/NewConsumer",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.appendEvents(f.event(ada, event.CustomerRegistered, 1), f.event(ada, event.CustomerUpdated, 2))
		},
		run: func(f *faultFixture) (string, error) {
			b, err := f.store.Events().Claim(f.ctx, storage.Claim{Consumer: "search", Holder: "h", Lease: time.Minute, Max: 10,
				Now: faultEpoch})
			return batchDigest(b), err
		},
	},
	{
		name: "Events.Prune",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			for v := range int64(4) {
				f.appendEvents(f.event(ada, event.CustomerUpdated, v+1))
			}
			// A consumer that numbered the events and is gone: age alone
			// decides.
			_, err := f.store.Events().Claim(f.ctx, storage.Claim{Consumer: "crm", Holder: "h", Lease: time.Minute, Max: 3, Now: faultEpoch})
			f.must("claim", err)
			f.must("delete consumer", f.store.Events().DeleteConsumer(f.ctx, "crm"))
			f.appendEvents(f.event(ada, event.CustomerUpdated, 5))
		},
		run: func(f *faultFixture) (string, error) {
			n, err := f.store.Events().Prune(f.ctx, faultEpoch.Add(time.Second), 2)
			return fmt.Sprintf("pruned %d", n), err
		},
	},
}

// OutboxFaults runs the outbox's tests that need the fault driver: the
// hooks of an attempt that Atomic runs again are dropped (those of the
// attempt that commits run once), and a Prune that finds no consumer does
// not delete, from under a consumer whose first Claim commits meanwhile,
// events that consumer has yet to read (on engines with more than one
// writer at a time: see Outbox).
func OutboxFaults(t *testing.T, e FaultEngine) {
	t.Run("HooksOfRetriedAttempts", func(t *testing.T) { hooksOfRetriedAttempts(t, e) })
	if e.Dialect.ForUpdate() != "" {
		t.Run("PruneRacesFirstClaim", func(t *testing.T) { pruneRacesFirstClaim(t, e) })
	}
}

func hooksOfRetriedAttempts(t *testing.T, e FaultEngine) {
	db, fc := e.Open(t)
	s := NewStore(t, db, e.Dialect, sqlstore.WithRetries(3, time.Millisecond))
	ctx := context.Background()
	for _, at := range []faultdriver.Point{faultdriver.AtStatement, faultdriver.AtCommit} {
		t.Run(at.String(), func(t *testing.T) {
			var attempts int
			var ran []int
			fc.Arm(faultdriver.Fault{At: at, Err: e.Retryable, Match: "events"})
			err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
				attempts++
				n := attempts
				if !s.AfterCommit(ctx, func() { ran = append(ran, n) }) {
					t.Error("AfterCommit refused a hook in Atomic")
				}
				return tx.(storage.Outbox).Events().Append(ctx, testEvent(t, uuid.Nil, "retried", int64(n)))
			})
			fc.Disarm()
			if err != nil {
				t.Fatal(err)
			}
			if fc.Fired() != 1 || attempts != 2 {
				t.Fatalf("the fault struck %d times, the function ran %d times; want 1 and 2", fc.Fired(), attempts)
			}
			if !slices.Equal(ran, []int{2}) {
				t.Errorf("hooks of attempts %v ran, want only the second's", ran)
			}
		})
	}
}

// pruneRacesFirstClaim: events 1-3 are sequenced (a consumer read them and
// was deleted), 4-6 are not; with no consumer left, a Prune starts, and,
// just before it looks for the events to delete, a new consumer's first
// Claim (of two events) runs. Whatever Prune deletes, the consumer must
// then read every event after its first batch: no gap.
func pruneRacesFirstClaim(t *testing.T, e FaultEngine) {
	db, fc := e.Open(t)
	db.SetMaxOpenConns(4)
	s := NewStore(t, db, e.Dialect)
	ctx := context.Background()
	var all []uuid.UUID
	add := func() {
		ev := testEvent(t, uuid.Nil, "pruned", int64(len(all)+1))
		if err := s.Events().Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		all = append(all, ev.ID)
	}
	for range 3 {
		add()
	}
	b, err := s.Events().Claim(ctx, claimOf("old", "h"))
	if err != nil || len(b.Events) != 3 {
		t.Fatalf("claim: %d events, %v", len(b.Events), err)
	}
	if err := s.Events().DeleteConsumer(ctx, "old"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		add()
	}

	var wg sync.WaitGroup
	var first storage.Batch
	var claimErr error
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Match: "WHERE seq <=", Do: func() {
		// The first Claim of a new consumer, in another transaction, while
		// Prune is under way. Where Prune holds the sequencer, the Claim
		// waits for it: give it a moment, then let Prune go on.
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := claimOf("new", "h")
			c.Max = 2
			first, claimErr = s.Events().Claim(ctx, c)
		}()
		time.Sleep(300 * time.Millisecond)
	}})
	n, err := s.Events().Prune(ctx, time.Now().Add(time.Hour), 100)
	fc.Disarm()
	wg.Wait()
	if err != nil || claimErr != nil {
		t.Fatalf("prune: %v; claim: %v", err, claimErr)
	}
	if fc.Fired() != 1 {
		t.Fatalf("the fault struck %d times, want 1", fc.Fired())
	}
	got := ids(first.Events)
	after := first.Last()
	if err := s.Events().Ack(ctx, "new", "h", after); err != nil {
		t.Fatal(err)
	}
	b, err = s.Events().Claim(ctx, claimOf("new", "h"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Events) > 0 && b.Events[0].Sequence != after+1 {
		t.Fatalf("after its first batch (through %d) the consumer's next event has sequence %d: Prune (%d deleted) took the ones between",
			after, b.Events[0].Sequence, n)
	}
	got = append(got, ids(b.Events)...)
	// It read a tail of the events, up to the last one.
	if len(got) == 0 || !slices.Equal(got, all[len(all)-len(got):]) {
		t.Fatalf("the new consumer read %v; want a tail of %v (Prune deleted %d)", got, all, n)
	}
}
