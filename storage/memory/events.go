package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/btree"
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// The outbox (storage.Outbox). Every write runs under the store's write
// lock, held for a whole Atomic, so transactions commit one at a time, in
// the order they take the lock: Append gives each event its Sequence at
// once (the next after the last one assigned), and an event appended in a
// transaction that rolls back takes its number back with it. Nothing can
// read an uncommitted event but its own transaction, so no consumer ever
// sees a number that is later reused, and no event commits with a Sequence
// below one a consumer has read: the late commit that the SQL adapters
// must guard against cannot happen here.

// consumer is a consumer's state; claimedBy is the holder of the last
// Claim, kept after Ack releases the lease, so that an Ack from a holder
// another has since claimed the consumer from is refused.
type consumer struct {
	state     storage.ConsumerState
	claimedBy string
}

func lessSequence(a, b event.Event) bool { return a.Sequence < b.Sequence }

// newerFirst orders a customer's event Sequences newest first, so that
// pageAfter walks the audit trail in its order.
func newerFirst(a, b int64) bool { return a > b }

type events struct{ repos }

var _ storage.EventReader = events{}

func (r events) Append(ctx context.Context, evs ...event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	copies := make([]event.Event, len(evs))
	seen := make(map[uuid.UUID]struct{}, len(evs))
	for i, e := range evs {
		if err := e.Validate(); err != nil {
			return err
		}
		if _, dup := seen[e.ID]; dup {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		seen[e.ID] = struct{}{}
		e.Sequence = 0
		e.OccurredAt = micro(e.OccurredAt)
		e.Actor = e.Actor.Normalize()
		e.Payload = bytes.Clone(e.Payload)
		copies[i] = e
	}
	return r.write(ctx, func(t *txn) error {
		d := t.db
		for _, e := range copies {
			if _, ok := d.eventIDs[e.ID]; ok {
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			}
		}
		for _, e := range copies {
			last := d.lastSequence
			d.lastSequence++
			t.onUndo(func() { d.lastSequence = last })
			e.Sequence = d.lastSequence
			insert(t, d.events, e)
			put(t, d.eventIDs, e.ID, e.Sequence)
			if e.CustomerID != uuid.Nil {
				insert(t, treeFor(t, d.eventsByCustomer, e.CustomerID, newerFirst), e.Sequence)
			}
		}
		return nil
	})
}

func (r events) Claim(ctx context.Context, c storage.Claim) (out storage.Batch, err error) {
	if err := c.Validate(); err != nil {
		return out, err
	}
	now := micro(c.Now)
	until := micro(c.Now.Add(c.Lease))
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		cons, ok := d.consumers[c.Consumer]
		if !ok {
			cons = consumer{state: storage.ConsumerState{Name: c.Consumer}}
		}
		s := cons.state
		if s.Holder != "" && s.Holder != c.Holder && now.Before(s.LeaseUntil) {
			return fmt.Errorf("consumer %s: %w", storage.Quote(c.Consumer), storage.ErrLeaseHeld)
		}
		s.Holder, s.LeaseUntil, s.UpdatedAt = c.Holder, until, now
		put(t, d.consumers, c.Consumer, consumer{state: s, claimedBy: c.Holder})
		out = storage.Batch{Consumer: c.Consumer, Holder: c.Holder, After: s.Position, LeaseUntil: until,
			Events: make([]event.Event, 0, min(c.Max, 64))}
		d.events.AscendGreaterOrEqual(event.Event{Sequence: s.Position + 1}, func(e event.Event) bool {
			out.Events = append(out.Events, copyEvent(e))
			return len(out.Events) < c.Max
		})
		return nil
	})
	if err != nil {
		return storage.Batch{}, err
	}
	return out, nil
}

func (r events) Ack(ctx context.Context, name, holder string, through int64) error {
	if err := storage.CheckConsumerName(name); err != nil {
		return err
	}
	if err := storage.CheckHolder(holder); err != nil {
		return err
	}
	now := micro(time.Now())
	return r.write(ctx, func(t *txn) error {
		d := t.db
		cons, ok := d.consumers[name]
		if !ok {
			return fmt.Errorf("consumer %s: %w", storage.Quote(name), storage.ErrNotFound)
		}
		if cons.claimedBy != holder {
			return fmt.Errorf("consumer %s: %w", storage.Quote(name), storage.ErrLeaseLost)
		}
		if through > d.lastSequence {
			return invalidThrough(through)
		}
		s := cons.state
		s.Position = max(s.Position, through)
		s.Holder, s.LeaseUntil, s.UpdatedAt = "", time.Time{}, now
		put(t, d.consumers, name, consumer{state: s, claimedBy: holder})
		return nil
	})
}

func invalidThrough(through int64) error {
	return fmt.Errorf("ack through sequence %d: beyond the last event: %w", through, storage.ErrInvalidRecord)
}

func (r events) Consumers(ctx context.Context) (out []storage.ConsumerState, err error) {
	err = r.read(ctx, func(d *db) error {
		out = make([]storage.ConsumerState, 0, len(d.consumers))
		for _, c := range d.consumers {
			out = append(out, c.state)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b storage.ConsumerState) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

func (r events) DeleteConsumer(ctx context.Context, name string) error {
	if err := storage.CheckConsumerName(name); err != nil {
		return err
	}
	return r.write(ctx, func(t *txn) error {
		if _, ok := t.db.consumers[name]; !ok {
			return fmt.Errorf("consumer %s: %w", storage.Quote(name), storage.ErrNotFound)
		}
		del(t, t.db.consumers, name)
		return nil
	})
}

func (r events) Prune(ctx context.Context, before time.Time, limit int) (n int, err error) {
	if limit < 1 || limit > storage.MaxPrune {
		return 0, fmt.Errorf("prune limit %d: must be between 1 and %d: %w", limit, storage.MaxPrune, storage.ErrInvalidRecord)
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		upTo := d.lastSequence
		for _, c := range d.consumers {
			upTo = min(upTo, c.state.Position)
		}
		var doomed []event.Event
		d.events.Ascend(func(e event.Event) bool {
			if e.Sequence > upTo {
				return false
			}
			if e.OccurredAt.Before(before) {
				doomed = append(doomed, e)
			}
			return len(doomed) < limit
		})
		for _, e := range doomed {
			remove(t, d.events, e)
			del(t, d.eventIDs, e.ID)
			if tree := d.eventsByCustomer[e.CustomerID]; tree != nil {
				remove(t, tree, e.Sequence)
				if tree.Len() == 0 {
					del(t, d.eventsByCustomer, e.CustomerID)
				}
			}
		}
		n = len(doomed)
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (r events) ByCustomer(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (out storage.Page[event.Event], err error) {
	err = r.read(ctx, func(d *db) error {
		tree := d.eventsByCustomer[customerID]
		if tree == nil {
			_, err := storage.ParseCursor(storage.ListCustomerEvents, p.Cursor)
			return err
		}
		out, err = pageAfter(tree, newerFirst, storage.ListCustomerEvents, p,
			func(c storage.Cursor) (int64, error) {
				if c.Seq < 1 {
					return 0, fmt.Errorf("%w: sequence %d out of range", storage.ErrInvalidCursor, c.Seq)
				}
				return c.Seq, nil
			},
			func(seq int64) storage.Cursor { return storage.Cursor{Seq: seq} },
			func(seq int64, dst *event.Event) bool {
				e, ok := d.events.Get(event.Event{Sequence: seq})
				if ok && dst != nil {
					*dst = copyEvent(e)
				}
				return ok
			})
		return err
	})
	return out, err
}

// Read returns events after a position without a consumer
// (storage.EventReader). Events have their Sequence from Append on.
func (r events) Read(ctx context.Context, after int64, max int) (out []event.Event, err error) {
	if err := storage.CheckRead(after, max); err != nil {
		return nil, err
	}
	err = r.read(ctx, func(d *db) error {
		out = make([]event.Event, 0, min(max, 64))
		d.events.AscendGreaterOrEqual(event.Event{Sequence: after + 1}, func(e event.Event) bool {
			out = append(out, copyEvent(e))
			return len(out) < max
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// copyEvent returns e with a payload of its own, so that a caller that
// changes a returned event's bytes changes nothing stored.
func copyEvent(e event.Event) event.Event {
	e.Payload = bytes.Clone(e.Payload)
	return e
}

// AfterCommit arranges for fn to run once the transaction that ctx carries
// has committed: the store has the storage.CommitHooks capability. The
// hooks run in the order they were registered, in the goroutine that ran
// the outermost Atomic, after it released the store's lock (so a hook may
// use the store), before Atomic returns. A hook registered in a nested
// Atomic whose function fails is dropped with its writes.
func (s *Store) AfterCommit(ctx context.Context, fn func()) bool {
	t := s.joined(ctx)
	if t == nil {
		return false
	}
	if fn == nil {
		return true
	}
	n := len(t.hooks)
	t.hooks = append(t.hooks, fn)
	t.onUndo(func() { t.hooks = t.hooks[:n] })
	return true
}

// newEventTree returns an empty index of events by Sequence.
func newEventTree() *btree.BTreeG[event.Event] { return btree.NewG(btreeDegree, lessSequence) }
