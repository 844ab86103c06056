package clientele

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// WithActor returns a copy of ctx that names who acts: every change made
// with it records a on its event, its ledger posting and the audit trail.
// Without it, the actor is the anonymous system. It is actor.NewContext.
func WithActor(ctx context.Context, a actor.Actor) context.Context { return actor.NewContext(ctx, a) }

// Events delivers the events of committed changes: durably, through the
// store's outbox, to named consumers (Claim and Ack, or Consume), and in
// process, to subscribers (Subscribe). It also reads a customer's audit
// trail, which is built from the same events.
//
// Every write of the services appends its events (see package event for the
// types and payloads) in the transaction that makes the change: a change
// commits with its events or not at all, inside Atomic and on a host's
// bound transaction alike.
type Events struct{ *env }

// subscribers holds the in-process subscribers.
type subscribers struct {
	mu   sync.RWMutex
	next int
	fns  map[int]func(context.Context, []event.Event)
}

func (s *subscribers) snapshot() []func(context.Context, []event.Event) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]func(context.Context, []event.Event), 0, len(s.fns))
	for _, fn := range s.fns {
		out = append(out, fn)
	}
	return out
}

// Subscribe calls fn with the events of each committed call, after its
// transaction commits: never before, never for a transaction that rolled
// back or a call that failed, once per commit (a retried transaction's
// failed attempts are not heard). A call that appends events in several
// steps (an order and the status change it causes) hands them over in as
// many calls of fn, in order. Calls made inside a host's Atomic are
// heard when the outermost transaction commits. fn runs in the goroutine
// that committed, after the commit, so a slow fn slows that call (hand the
// events to a goroutine or a queue for slow work); its ctx carries the
// caller's values without its cancellation. A panic in fn reaches the
// caller after the change committed.
//
// Subscribers are in process and not durable: a crash between the commit
// and fn loses the callback (the outbox keeps the event: use a consumer for
// what must not be missed). A store without the storage.CommitHooks
// capability, or a host's bound *sql.Tx (whose commit the store does not
// see), calls no subscriber. The returned function unsubscribes.
func (s *Events) Subscribe(fn func(ctx context.Context, events []event.Event)) (unsubscribe func()) {
	s.subs.mu.Lock()
	defer s.subs.mu.Unlock()
	if s.subs.fns == nil {
		s.subs.fns = map[int]func(context.Context, []event.Event){}
	}
	id := s.subs.next
	s.subs.next++
	s.subs.fns[id] = fn
	return func() {
		s.subs.mu.Lock()
		defer s.subs.mu.Unlock()
		delete(s.subs.fns, id)
	}
}

// emit completes evs (ID, time, actor from ctx) and appends them to the
// outbox through r, the call's transaction, and arranges for subscribers to
// hear of them after commit. A store without the Outbox capability keeps no
// events. r must be a transaction's repositories (or the ctx must carry
// one): emit never opens one, so the events share the change's fate.
func (e *env) emit(ctx context.Context, r storage.Repositories, evs ...event.Event) error {
	if len(evs) == 0 {
		return nil
	}
	who := actor.FromContext(ctx)
	now := e.clock()
	for i := range evs {
		evs[i].ID = newV7() // not e.newID: entity IDs stay the same whether or not events are kept
		evs[i].OccurredAt = now
		evs[i].Actor = who
	}
	if ob, ok := r.(storage.Outbox); ok {
		if err := ob.Events().Append(ctx, evs...); err != nil {
			return fmt.Errorf("clientele: append events: %w", err)
		}
	}
	if subs := e.subs.snapshot(); len(subs) > 0 {
		if hooks, ok := e.store.(storage.CommitHooks); ok {
			values := context.WithoutCancel(ctx)
			hooks.AfterCommit(ctx, func() {
				for _, fn := range subs {
					fn(values, evs)
				}
			})
		}
	}
	return nil
}

// newEvent builds one event; the payload types of package event always
// marshal, so an error here is a bug, reported rather than hidden.
func newEvent(t event.Type, aggregate, id string, customerID uuid.UUID, version int64, payload any) (event.Event, error) {
	return event.New(t, aggregate, id, customerID, version, payload)
}

// emitOne builds and emits one event.
func (e *env) emitOne(ctx context.Context, r storage.Repositories, t event.Type, aggregate, id string, customerID uuid.UUID, version int64, payload any) error {
	ev, err := newEvent(t, aggregate, id, customerID, version, payload)
	if err != nil {
		return err
	}
	return e.emit(ctx, r, ev)
}

// diff is event.Diff for entities the services hold, which always marshal.
func diff(before, after any) []event.Change {
	cs, err := event.Diff(before, after)
	if err != nil {
		return nil
	}
	return cs
}

// outbox returns the store's outbox, or ErrUnsupported.
func (e *env) outbox() (storage.Events, error) {
	ob, ok := e.store.(storage.Outbox)
	if !ok {
		return nil, fmt.Errorf("%w: events need the storage.Outbox capability (%T)", ErrUnsupported, e.store)
	}
	return ob.Events(), nil
}

// Batch is a consumer's leased batch of events: see Events.Claim.
type Batch = storage.Batch

// ConsumerState is a consumer's durable cursor and lease.
type ConsumerState = storage.ConsumerState

// Errors of consumers: see storage.
var (
	// ErrLeaseHeld: another holder is working on the consumer's batch.
	ErrLeaseHeld = storage.ErrLeaseHeld
	// ErrLeaseLost: the lease expired and another holder took the
	// consumer; do not acknowledge the batch.
	ErrLeaseLost = storage.ErrLeaseLost
)

// Claim leases consumer to holder for lease and returns up to max of its
// next events, in delivery order (see storage.Events for what the order
// means). Handle them, then Ack the batch; a batch not acknowledged within
// the lease is delivered again, to whichever holder claims next (delivery
// is at least once, so handlers must be idempotent: the event ID is a
// natural key). Errors: ErrLeaseHeld while another holder's lease runs;
// ErrUnsupported on a store without the storage.Outbox capability.
func (s *Events) Claim(ctx context.Context, consumer, holder string, max int, lease time.Duration) (Batch, error) {
	ev, err := s.outbox()
	if err != nil {
		return Batch{}, err
	}
	return ev.Claim(ctx, storage.Claim{Consumer: consumer, Holder: holder, Lease: lease, Max: max, Now: s.clock()})
}

// Ack acknowledges every event of b: the consumer's cursor moves past them
// and the lease is released. Errors: ErrLeaseLost when another holder took
// the consumer after b's lease expired.
func (s *Events) Ack(ctx context.Context, b Batch) error {
	ev, err := s.outbox()
	if err != nil {
		return err
	}
	return ev.Ack(ctx, b.Consumer, b.Holder, b.Last())
}

// ConsumeOptions tunes Consume.
type ConsumeOptions struct {
	// Batch is the most events handed to fn at once (default 100).
	Batch int
	// Lease is how long a batch may take before another holder may take
	// it over (default 30 s).
	Lease time.Duration
	// Poll is the wait after finding nothing new, or the consumer leased
	// by another process (default 500 ms).
	Poll time.Duration
	// Holder names this process (default: a random ID).
	Holder string
}

// Consume runs consumer until ctx ends: it claims batches, calls fn with
// each, and acknowledges a batch when fn returns nil. When fn fails, the
// batch is not acknowledged: Consume waits for Poll and claims it again
// (from this holder, the same events). Several processes may run Consume
// for one consumer: one of them holds a batch at a time. It returns
// ctx.Err() when ctx ends, or the error of a store failure that is not
// transient.
func (s *Events) Consume(ctx context.Context, consumer string, fn func(ctx context.Context, events []event.Event) error, o ConsumeOptions) error {
	if o.Batch <= 0 {
		o.Batch = 100
	}
	if o.Lease <= 0 {
		o.Lease = 30 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Holder == "" {
		o.Holder = "consumer-" + rand.Text()[:12]
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := s.Claim(ctx, consumer, o.Holder, o.Batch, o.Lease)
		wait := len(b.Events) == 0
		switch {
		case errors.Is(err, ErrLeaseHeld):
			wait = true
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil && !retryable(err):
			return err
		case err != nil:
			wait = true
		case len(b.Events) > 0:
			if ferr := fn(ctx, b.Events); ferr != nil {
				wait = true
				break
			}
			if err := s.Ack(ctx, b); err != nil && !errors.Is(err, ErrLeaseLost) && !retryable(err) {
				return err
			}
		}
		if wait {
			t := time.NewTimer(o.Poll)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}

// Read returns up to max (1..storage.MaxClaim) events with Sequence > after,
// in delivery order, without a consumer: nothing is leased or acknowledged,
// and no cursor is left behind to hold back Prune (an operator's tail).
// Errors: an error wrapping storage.ErrInvalidRecord for a negative after
// or a max out of range; ErrUnsupported on a store without the
// storage.Outbox and storage.EventReader capabilities.
func (s *Events) Read(ctx context.Context, after int64, max int) ([]event.Event, error) {
	ob, err := s.outbox()
	if err != nil {
		return nil, err
	}
	rd, ok := ob.(storage.EventReader)
	if !ok {
		return nil, fmt.Errorf("%w: reading events without a consumer needs the storage.EventReader capability (%T)", ErrUnsupported, ob)
	}
	return rd.Read(ctx, after, max)
}

// Consumers returns every consumer's cursor and lease.
func (s *Events) Consumers(ctx context.Context) ([]ConsumerState, error) {
	ev, err := s.outbox()
	if err != nil {
		return nil, err
	}
	return ev.Consumers(ctx)
}

// DeleteConsumer forgets a consumer, so that its cursor no longer holds back
// Prune. Errors: storage.ErrNotFound.
func (s *Events) DeleteConsumer(ctx context.Context, name string) error {
	ev, err := s.outbox()
	if err != nil {
		return err
	}
	return ev.DeleteConsumer(ctx, name)
}

// Prune deletes events older than olderThan that every consumer has
// acknowledged, in rounds of storage.MaxPrune, and returns how many it
// deleted. Events that some consumer has not acknowledged stay, however
// old: retention never drops an undelivered event. With no consumer, age
// alone decides. Pruned events leave the audit trail too: keep them as long
// as the audit trail must reach back.
func (s *Events) Prune(ctx context.Context, olderThan time.Duration) (int, error) {
	ev, err := s.outbox()
	if err != nil {
		return 0, err
	}
	before := s.clock().Add(-olderThan)
	total := 0
	for {
		n, err := ev.Prune(ctx, before, storage.MaxPrune)
		total += n
		if err != nil || n < storage.MaxPrune {
			return total, err
		}
	}
}

// AuditOption tunes Audit.
type AuditOption func(*auditOptions)

type auditOptions struct{ unmasked bool }

// ShowPersonalData makes Audit return personal values as they were (names,
// email, phone, addresses, metadata...): for staff entitled to see them.
// By default they are masked (see event.Personal).
func ShowPersonalData() AuditOption { return func(o *auditOptions) { o.unmasked = true } }

// Audit returns a page of the customer's audit trail, newest first: who
// changed what and when, field by field, for every change of the customer,
// their addresses, memberships, balances and orders. It reads the same
// events the outbox delivers (pruned events are gone from it too). It
// works for deleted and erased customers, whose history stays. Errors:
// customer.ErrNotFound for an ID that names no customer; ErrInvalidCursor;
// ErrUnsupported on a store without the storage.Outbox capability.
func (s *Events) Audit(ctx context.Context, customerID uuid.UUID, p page.Request, opts ...AuditOption) (page.Page[event.AuditEntry], error) {
	var o auditOptions
	for _, opt := range opts {
		opt(&o)
	}
	ev, err := s.outbox()
	if err != nil {
		return page.Page[event.AuditEntry]{}, err
	}
	if _, err := s.store.Customers().Get(ctx, customerID); err != nil {
		return page.Page[event.AuditEntry]{}, mapCustomerErr(err)
	}
	got, err := ev.ByCustomer(ctx, customerID, p)
	if err != nil {
		return page.Page[event.AuditEntry]{}, err
	}
	out := page.Page[event.AuditEntry]{Items: make([]event.AuditEntry, len(got.Items)), Next: got.Next}
	for i, e := range got.Items {
		out.Items[i] = e.Audit(o.unmasked)
	}
	return out, nil
}

// retryable reports whether err is worth another attempt.
func retryable(err error) bool { return errcode.Of(err).Retryable() }
