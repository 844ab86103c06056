package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
)

// Outbox is the capability of keeping the events of committed changes (on a
// Store and on a Tx, found with a type assertion): the transactional outbox.
// The services append an event for every change in the transaction that
// makes the change, so an event exists exactly when its change committed.
// A store without it still works; the services then emit no durable events
// (in-process subscribers still hear of changes where the store has
// CommitHooks), and Events.Claim and the audit trail return ErrUnsupported.
type Outbox interface {
	Events() Events
}

// CommitHooks is the capability of running code after a transaction
// commits (on a Store, found with a type assertion). The services use it to
// call in-process subscribers after commit, never before and never for a
// rolled-back transaction.
type CommitHooks interface {
	// AfterCommit arranges for fn to run once the transaction ctx belongs
	// to (the outermost Atomic's) has committed, in the goroutine that
	// committed it, after Atomic's work is done; fn never runs if it
	// rolls back, nor for a nested Atomic whose fn failed (its savepoint
	// was rolled back), nor for an attempt that Atomic retries. It
	// reports false, and fn is dropped, when ctx carries no transaction
	// of this store that its adapter commits (outside Atomic, or on a
	// host's bound *sql.Tx, whose commit the adapter does not see).
	AfterCommit(ctx context.Context, fn func()) bool
}

// Bounds of the outbox's names, in bytes.
const (
	MaxConsumerName = 100
	MaxHolder       = 100
	// MaxClaim is the most events one Claim returns.
	MaxClaim = 1000
)

// Errors of the outbox.
var (
	// ErrLeaseHeld reports a Claim by a holder while another holder's
	// lease on the consumer has not expired: another process is working on
	// a batch. Wait and claim again.
	ErrLeaseHeld = errcode.New(errcode.Conflict, "storage: another holder leases this consumer")
	// ErrLeaseLost reports an Ack or Release by a holder whose lease
	// another holder has taken (after it expired): the batch will be
	// delivered again to the new holder, so the old holder must not
	// acknowledge it.
	ErrLeaseLost = errcode.New(errcode.FailedPrecondition, "storage: the lease on this consumer was lost")
)

// Claim asks for the next batch of a consumer.
type Claim struct {
	// Consumer names the consumer (a durable cursor): 1..MaxConsumerName
	// bytes of printable UTF-8. A new name starts at the oldest event kept.
	Consumer string
	// Holder identifies the process asking (1..MaxHolder bytes): one
	// holder at a time leases a consumer.
	Holder string
	// Lease is how long the holder keeps the consumer without
	// acknowledging: after Now+Lease another holder may claim it and gets
	// the same events again. It must be positive.
	Lease time.Duration
	// Max is the most events to return, 1..MaxClaim.
	Max int
	// Now is the time the lease is measured from (UTC).
	Now time.Time
}

// Validate checks c's fields. Errors: *errcode.ValidationError, unwrapping
// to ErrInvalidRecord.
func (c Claim) Validate() error {
	if err := checkName("consumer", c.Consumer, MaxConsumerName); err != nil {
		return err
	}
	if err := checkName("holder", c.Holder, MaxHolder); err != nil {
		return err
	}
	if c.Lease <= 0 {
		return &errcode.ValidationError{Field: "lease", Reason: "must be positive", Err: ErrInvalidRecord}
	}
	if c.Max < 1 || c.Max > MaxClaim {
		return &errcode.ValidationError{Field: "max", Reason: fmt.Sprintf("must be between 1 and %d", MaxClaim), Err: ErrInvalidRecord}
	}
	if c.Now.IsZero() {
		return &errcode.ValidationError{Field: "now", Reason: "is required", Err: ErrInvalidRecord}
	}
	return nil
}

// checkName checks a consumer or holder name.
func checkName(field, s string, max int) error {
	switch {
	case s == "":
		return &errcode.ValidationError{Field: field, Reason: "is required", Err: ErrInvalidRecord}
	case len(s) > max:
		return &errcode.ValidationError{Field: field, Reason: fmt.Sprintf("is longer than %d bytes", max), Err: ErrInvalidRecord}
	case !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return &errcode.ValidationError{Field: field, Reason: "is not printable UTF-8 text", Err: ErrInvalidRecord}
	}
	return nil
}

// CheckConsumerName checks a consumer name as Claim does, for the methods
// that take one alone.
func CheckConsumerName(name string) error { return checkName("consumer", name, MaxConsumerName) }

// CheckHolder checks a holder as Claim does.
func CheckHolder(holder string) error { return checkName("holder", holder, MaxHolder) }

// Batch is what a Claim returns: the consumer's next events, in delivery
// order, leased to the holder until LeaseUntil.
//
// Its JSON form uses snake_case names ({"consumer": ..., "events": [...]}).
type Batch struct {
	Consumer string `json:"consumer"`
	Holder   string `json:"holder"`
	// After is the consumer's position when the batch was claimed: the
	// Sequence of the last event it acknowledged (0 for none).
	After int64 `json:"after"`
	// Events have Sequence > After, ascending and gap-free in the
	// sense that no event with a Sequence between two of them exists or
	// will ever exist. Empty when the consumer is up to date.
	Events     []event.Event `json:"events"`
	LeaseUntil time.Time     `json:"lease_until"`
}

// Last returns the Sequence of the batch's last event, or After when it is
// empty: what to acknowledge once every event was handled.
func (b Batch) Last() int64 {
	if len(b.Events) == 0 {
		return b.After
	}
	return b.Events[len(b.Events)-1].Sequence
}

// ConsumerState is a consumer's durable cursor and lease.
type ConsumerState struct {
	Name string `json:"name"`
	// Position is the Sequence of the last event the consumer
	// acknowledged (0 for none).
	Position int64 `json:"position"`
	// Holder and LeaseUntil describe the current lease, if any (Holder
	// empty when none was taken or it was released).
	Holder     string    `json:"holder,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Events stores the outbox.
//
// Order. Every committed event gets a Sequence, an integer position
// assigned after it commits, in the order the adapter observes commits:
// an event never gets a Sequence lower than one already assigned. So a
// consumer that has read everything up to a Sequence never misses an event
// that commits later, even one whose transaction began first (its Sequence
// is simply higher). Events of one aggregate are sequenced in the order of
// their changes (each change holds the aggregate's lock until it commits).
// Adapters assign Sequences lazily, at the next Claim, so writers never
// contend for the order.
type Events interface {
	// Append stores events in the ctx's transaction (or, outside one, in
	// a transaction of its own): they commit, and become claimable, with
	// it, or not at all. Each is checked with event.Validate first; a
	// failure writes none of them. Errors: an error wrapping
	// event.ErrInvalid; *ConflictError with ConstraintPrimaryKey when an
	// ID is taken (nothing is written).
	Append(ctx context.Context, events ...event.Event) error

	// Claim leases the consumer c.Consumer to c.Holder until
	// c.Now+c.Lease and returns its next events: up to c.Max of them
	// with Sequence > the consumer's position, ascending. It first
	// assigns Sequences to the events that committed since the last
	// Claim. A consumer that does not exist is created at position 0. A
	// Claim by the holder that holds the lease extends it and returns the
	// unacknowledged events again (the same ones, and possibly more).
	// Errors: ErrLeaseHeld when another holder's lease has not expired;
	// an error wrapping ErrInvalidRecord for a c that fails
	// Claim.Validate.
	Claim(ctx context.Context, c Claim) (Batch, error)

	// Ack moves the consumer's position to through (the Sequence of the
	// last event handled; a lower one than the position is a no-op) and
	// releases holder's lease. Errors: ErrLeaseLost when another holder
	// has claimed the consumer since (an expired lease that nobody took
	// is still the holder's); ErrNotFound for an unknown consumer; an
	// error wrapping ErrInvalidRecord when through is beyond the last
	// Sequence assigned.
	Ack(ctx context.Context, consumer, holder string, through int64) error

	// Consumers returns every consumer's state, by name.
	Consumers(ctx context.Context) ([]ConsumerState, error)

	// DeleteConsumer forgets a consumer (its cursor no longer holds back
	// Prune). Errors: ErrNotFound.
	DeleteConsumer(ctx context.Context, name string) error

	// Prune deletes up to limit (1..10000) sequenced events that every
	// consumer has acknowledged (Sequence <= the lowest position) and that
	// occurred before before, oldest first, and returns how many it
	// deleted. With no consumer at all, age alone decides.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)

	// ByCustomer returns the committed events whose CustomerID is
	// customerID, newest first (by the order the adapter stored them,
	// whether sequenced yet or not), one page at a time: the customer's
	// audit trail. Errors: ErrInvalidCursor.
	ByCustomer(ctx context.Context, customerID uuid.UUID, p PageRequest) (Page[event.Event], error)
}

// ListCustomerEvents names the cursors of Events.ByCustomer.
const ListCustomerEvents = "customer_events"

// MaxPrune is the most events one Prune deletes.
const MaxPrune = 10000

// EventReader is the capability of reading the outbox without a consumer
// (on the Events of a Store, found with a type assertion): an operator's
// tail, or a one-off look at the events, reads them in delivery order
// without creating a cursor that would hold back Prune. A store without it
// still serves consumers; readers then need a consumer of their own.
type EventReader interface {
	// Read returns up to max (1..MaxClaim) committed events with
	// Sequence > after, ascending: what a consumer at position after
	// would be delivered. Like Claim, it first assigns Sequences to the
	// events that committed since the last sequence pass; it creates,
	// leases and moves no consumer. Errors: an error wrapping
	// ErrInvalidRecord for a negative after or a max out of range.
	Read(ctx context.Context, after int64, max int) ([]event.Event, error)
}

// CheckRead checks the arguments of EventReader.Read.
func CheckRead(after int64, max int) error {
	if after < 0 {
		return &errcode.ValidationError{Field: "after", Reason: "must not be negative", Err: ErrInvalidRecord}
	}
	if max < 1 || max > MaxClaim {
		return &errcode.ValidationError{Field: "max", Reason: fmt.Sprintf("must be between 1 and %d", MaxClaim), Err: ErrInvalidRecord}
	}
	return nil
}
