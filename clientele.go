package clientele

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
)

// Service is the customer domain of one organization, over one storage.Store.
// Its fields group the use cases by aggregate. It is safe for concurrent use.
type Service struct {
	// Customers registers, finds, updates and lists customers.
	Customers *Customers
	// Addresses manages customers' address books.
	Addresses *Addresses
	// Groups manages customer groups and their members.
	Groups *Groups
	// Merchants manages merchants.
	Merchants *Merchants
	// Markets manages markets and decides who may buy in them.
	Markets *Markets
	// Balances moves store credit.
	Balances *Balances
	// Orders keeps each customer's order history and status.
	Orders *Orders
	// Accounts manages how customers sign in: passwords, sign-in,
	// one-time tokens and external identities.
	Accounts *Accounts
	// Wallet manages customers' saved payment sources.
	Wallet *Wallet
	// Subscriptions keeps references to the host's subscriptions.
	Subscriptions *Subscriptions
	// Companies manages B2B company accounts, their members, limits and
	// approvals.
	Companies *Companies
	// Verifications keeps the identity verification (KYC / KYB) of
	// customers and merchants.
	Verifications *Verifications
	// Events delivers the events of committed changes (the outbox and
	// in-process subscribers) and reads audit trails.
	Events *Events
	// Vendors manages marketplace roles: merchants' members, operator
	// staff, vendors' own customers and groups.
	Vendors *Vendors
	// Privacy answers data-subject requests: export and erasure.
	Privacy *Privacy
	// Bulk imports and exports customers in bulk (JSON Lines, CSV).
	Bulk *Bulk
	// Consents keeps customers' communication preferences and consent.
	Consents *Consents
	// Segments manages saved, rule-based audiences evaluated against live
	// data.
	Segments *Segments
	// Pricing answers the pricing context of a visitor in a market and
	// keeps the host references of groups and segments.
	Pricing *Pricing
}

// Option configures a Service.
type Option func(*env)

// WithClock makes the service read the time from now instead of time.Now.
// Times are stored in UTC, truncated to microseconds (what every SQL engine
// keeps). now is called from many goroutines at once and must be safe for
// concurrent use.
func WithClock(now func() time.Time) Option {
	return func(e *env) { e.now = now }
}

// WithIDGenerator makes the service take new record IDs from next instead of
// random version 7 UUIDs (time-ordered, so that SQL indexes stay compact).
// next must be safe for concurrent use and must not return an ID twice;
// tests use it for deterministic IDs.
func WithIDGenerator(next func() uuid.UUID) Option {
	return func(e *env) { e.newID = next }
}

// WithConfusableEmails sets whether Customers.Register and Customers.Invite
// accept an address that looks like the address of another live registered
// customer (the same customer.EmailSkeleton key: a Cyrillic "а" for a Latin
// "a", "rn" for "m", "1" for "l"). By default (false) they refuse it with
// customer.ErrEmailConfusable, so that nobody can open an account that
// passes for someone else's. Guests are never refused: CreateGuest keeps
// the address as given.
func WithConfusableEmails(allow bool) Option {
	return func(e *env) { e.allowConfusable = allow }
}

// env is what every use case shares.
type env struct {
	store           storage.Store
	now             func() time.Time
	newID           func() uuid.UUID
	allowConfusable bool
	// uncountCancelled is WithCancelledOrdersCount(false).
	uncountCancelled bool
	subs             *subscribers
	acct             accountsConfig
	consentTTL       time.Duration // WithConsentTokenLifetime
}

func (e *env) clock() time.Time { return e.now().UTC().Truncate(time.Microsecond) }

// New returns a Service over store, configured by opts. The Service keeps no
// state of its own besides its options: every call goes to store.
func New(store storage.Store, opts ...Option) *Service {
	e := &env{store: store, now: time.Now, newID: newV7, subs: &subscribers{}}
	e.acct.hasher, e.acct.random, e.acct.pads = password.Default(), rand.Reader, &pads{}
	for _, opt := range opts {
		opt(e)
	}
	return &Service{
		Customers: &Customers{e},
		Addresses: &Addresses{e},
		Groups:    &Groups{e},
		Merchants: &Merchants{e},
		Markets:   &Markets{e},
		Balances:  &Balances{e},
		Orders:    &Orders{e},
		Accounts:  &Accounts{e},
		Events:    &Events{e},

		Wallet:        &Wallet{e},
		Subscriptions: &Subscriptions{e},
		Companies:     &Companies{e},
		Verifications: &Verifications{e},
		Vendors:       &Vendors{e},
		Privacy:       &Privacy{e},
		Bulk:          &Bulk{e},
		Consents:      &Consents{e},
		Segments:      &Segments{e},
		Pricing:       &Pricing{e},
	}
}

func newV7() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil { // only when the system's random source fails
		return uuid.New()
	}
	return id
}

// atomic runs fn in one transaction of the store.
func (e *env) atomic(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	return e.store.Atomic(ctx, fn)
}

// notFound maps storage.ErrNotFound to the domain's sentinel, keeping both
// reachable with errors.Is.
func notFound(err error, sentinel error) error {
	if errors.Is(err, storage.ErrNotFound) && !errors.Is(err, sentinel) {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}

// conflict maps a storage conflict on constraint c to the domain's sentinel,
// keeping both reachable with errors.Is.
func conflict(err error, c storage.Constraint, sentinel error) error {
	if storage.IsConflict(err, c) {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}

// customerGone maps storage.ErrCustomerNotLive, which an adapter returns
// when a write to a customer's data finds, under its lock, that the
// customer was deleted or erased meanwhile, to customer.ErrNotFound,
// keeping both reachable with errors.Is.
func customerGone(err error) error {
	if errors.Is(err, storage.ErrCustomerNotLive) && !errors.Is(err, customer.ErrNotFound) {
		return fmt.Errorf("%w: %w", customer.ErrNotFound, err)
	}
	return err
}

func isDenied(err error) bool { return errors.Is(err, market.ErrAccessDenied) }
