package memory

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/clientele-go/clientele/storage"
)

// Store is an in-memory storage.Store. The zero value is not usable; call New.
type Store struct {
	mu          sync.RWMutex
	db          *db
	lockTimeout time.Duration
}

// DefaultLockTimeout is how long a call waits for the store's lock unless
// WithLockTimeout says otherwise: the busy timeout sqlite.Open sets.
const DefaultLockTimeout = 10 * time.Second

// Option configures New.
type Option func(*Store)

// WithLockTimeout sets how long a call (or Atomic) waits for the lock that
// another write or transaction holds before it fails with an error wrapping
// storage.ErrLockTimeout (default DefaultLockTimeout; zero or less waits
// until ctx ends). A call inside an Atomic function made with a ctx other
// than the function's waits for its own transaction, which never ends
// while the function waits: the timeout turns that deadlock into an error.
// Tests want it short (clienteletest sets one second).
func WithLockTimeout(d time.Duration) Option { return func(s *Store) { s.lockTimeout = d } }

// New returns an empty store.
func New(opts ...Option) *Store {
	s := &Store{db: newDB(), lockTimeout: DefaultLockTimeout}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// lock takes the store's write lock (or, with write false, its read lock)
// and returns the function that releases it. It waits at most the lock
// timeout, and no longer than ctx lasts. Uncontended, it costs a TryLock;
// contended, a goroutine waits on the RWMutex (so that writers keep their
// precedence over new readers) and hands the lock over, or, when the
// caller has given up, releases it as soon as it gets it.
func (s *Store) lock(ctx context.Context, write bool) (func(), error) {
	acquire, release, try := s.mu.RLock, s.mu.RUnlock, s.mu.TryRLock
	if write {
		acquire, release, try = s.mu.Lock, s.mu.Unlock, s.mu.TryLock
	}
	if try() {
		return release, nil
	}
	got, gaveUp := make(chan struct{}), make(chan struct{})
	go func() {
		acquire()
		select {
		case got <- struct{}{}:
		case <-gaveUp:
			release()
		}
	}()
	var timeout <-chan time.Time
	if s.lockTimeout > 0 {
		t := time.NewTimer(s.lockTimeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-got:
		return release, nil
	case <-timeout:
		close(gaveUp)
		return nil, fmt.Errorf("memory: waited %v for the store's lock: %w", s.lockTimeout, storage.ErrLockTimeout)
	case <-ctx.Done():
		close(gaveUp)
		return nil, fmt.Errorf("memory: waiting for the store's lock: %w", ctx.Err())
	}
}

var (
	_ storage.Store       = (*Store)(nil)
	_ storage.Idempotency = (*Store)(nil)
	_ storage.Idempotency = repos{}
	_ storage.Outbox      = (*Store)(nil)
	_ storage.Outbox      = repos{}
	_ storage.CommitHooks = (*Store)(nil)
)

// txKey is the context key under which Atomic stores its transaction.
type txKey struct{}

// txn is a transaction, or a single write run as one: it holds the undo log
// and the functions to run once it has committed (see AfterCommit).
type txn struct {
	store *Store
	db    *db
	undo  []func()
	hooks []func()
	done  bool
}

func (t *txn) rollback() { t.rollbackTo(0) }

// rollbackTo undoes the writes recorded after the first mark entries.
func (t *txn) rollbackTo(mark int) {
	for i := len(t.undo) - 1; i >= mark; i-- {
		t.undo[i]()
	}
	t.undo = t.undo[:mark]
}

// onUndo records how to revert a write.
func (t *txn) onUndo(f func()) {
	t.undo = append(t.undo, f)
}

// Atomic runs fn in one transaction. See storage.Store.
func (s *Store) Atomic(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) (err error) {
	if t := s.joined(ctx); t != nil {
		// A nested Atomic that fails takes back its own writes, like a
		// savepoint, and leaves the enclosing transaction's standing.
		mark := len(t.undo)
		ok := false
		defer func() {
			if !ok { // an error or a panic
				t.rollbackTo(mark)
			}
		}()
		if err := fn(ctx, repos{store: s, tx: t}); err != nil {
			return err
		}
		ok = true
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: nothing committed: %w", err)
	}
	unlock, err := s.lock(ctx, true)
	if err != nil {
		return err
	}
	t := &txn{store: s, db: s.db}
	committed := false
	// Deferred first, so it runs last: the hooks run once the
	// transaction has committed and the lock is released.
	defer func() {
		if committed {
			for _, hook := range t.hooks {
				hook()
			}
		}
	}()
	defer unlock()
	defer func() {
		t.done = true
		if !committed {
			t.rollback()
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{}, t), repos{store: s, tx: t}); err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			return fmt.Errorf("%w (transaction rolled back, nothing committed: %w)", err, cerr)
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memory: transaction rolled back, nothing committed: %w", err)
	}
	committed = true
	return nil
}

// joined returns the open transaction of this store that ctx carries.
func (s *Store) joined(ctx context.Context) *txn {
	t, _ := ctx.Value(txKey{}).(*txn)
	if t == nil || t.store != s || t.done {
		return nil
	}
	return t
}

// Customers returns the customer repository.
func (s *Store) Customers() storage.Customers { return customers{repos{store: s}} }

// Addresses returns the address book repository.
func (s *Store) Addresses() storage.Addresses { return addresses{repos{store: s}} }

// Groups returns the group repository.
func (s *Store) Groups() storage.Groups { return groups{repos{store: s}} }

// Merchants returns the merchant repository.
func (s *Store) Merchants() storage.Merchants { return merchants{repos{store: s}} }

// Markets returns the market repository.
func (s *Store) Markets() storage.Markets { return markets{repos{store: s}} }

// Balances returns the balance repository.
func (s *Store) Balances() storage.Balances { return balances{repos{store: s}} }

// Orders returns the order history repository.
func (s *Store) Orders() storage.Orders { return orders{repos{store: s}} }

// IdempotencyRecords returns the idempotency record repository: the store
// has the storage.Idempotency capability.
func (s *Store) IdempotencyRecords() storage.IdempotencyRecords { return idempotency{repos{store: s}} }

// Events returns the outbox: the store has the storage.Outbox capability.
func (s *Store) Events() storage.Events { return events{repos{store: s}} }

// Credentials returns the credentials repository: the store has the
// storage.Authentication capability.
func (s *Store) Credentials() storage.Credentials { return credentials{repos{store: s}} }

// Merges returns the tombstone repository: the store has the
// storage.Merging capability.
func (s *Store) Merges() storage.Merges { return merges{repos{store: s}} }

// OrderDetails returns the order details and statistics repository: the
// store has the storage.OrderHistory capability.
func (s *Store) OrderDetails() storage.OrderDetails { return orderDetails{repos{store: s}} }

// repos implements storage.Tx and is embedded in every repository. tx is nil
// for the store's own repositories.
type repos struct {
	store *Store
	tx    *txn
}

func (r repos) Customers() storage.Customers { return customers{r} }
func (r repos) Addresses() storage.Addresses { return addresses{r} }
func (r repos) Groups() storage.Groups       { return groups{r} }
func (r repos) Merchants() storage.Merchants { return merchants{r} }
func (r repos) Markets() storage.Markets     { return markets{r} }
func (r repos) Balances() storage.Balances   { return balances{r} }
func (r repos) Orders() storage.Orders       { return orders{r} }

// IdempotencyRecords returns the idempotency record repository (the
// storage.Idempotency capability).
func (r repos) IdempotencyRecords() storage.IdempotencyRecords { return idempotency{r} }

// Events returns the outbox (the storage.Outbox capability).
func (r repos) Events() storage.Events { return events{r} }

// Credentials returns the credentials repository (the
// storage.Authentication capability).
func (r repos) Credentials() storage.Credentials { return credentials{r} }

// Merges returns the tombstone repository (the storage.Merging
// capability).
func (r repos) Merges() storage.Merges { return merges{r} }

// OrderDetails returns the order details and statistics repository (the
// storage.OrderHistory capability).
func (r repos) OrderDetails() storage.OrderDetails { return orderDetails{r} }

var errNilStore = errors.New("memory: store not created with memory.New")

// read runs fn with the data readable: inside the caller's transaction, or
// under the read lock. It is run's read path without its allocations (fn
// does not escape, no txn, no release func while the lock is free): the
// indexed reads cost little more than the map lookups they make. fn writes
// nothing, so a failed read has nothing to roll back.
func (r repos) read(ctx context.Context, fn func(d *db) error) error {
	s := r.store
	if s == nil || s.db == nil {
		return errNilStore
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := r.tx
	if t == nil {
		t = s.joined(ctx)
	} else if t.done {
		return storage.ErrTxDone
	}
	if t != nil {
		return fn(t.db)
	}
	if s.mu.TryRLock() {
		defer s.mu.RUnlock()
		return fn(s.db)
	}
	unlock, err := s.lock(ctx, false)
	if err != nil {
		return err
	}
	defer unlock()
	return fn(s.db)
}

// write runs fn as one atomic write: inside the caller's transaction, or
// under the write lock with its own undo log, rolled back if fn fails.
func (r repos) write(ctx context.Context, fn func(t *txn) error) error {
	return r.run(ctx, true, fn)
}

func (r repos) run(ctx context.Context, write bool, fn func(t *txn) error) error {
	if r.store == nil || r.store.db == nil {
		return errNilStore
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	t := r.tx
	if t == nil {
		t = r.store.joined(ctx)
	} else if t.done {
		return storage.ErrTxDone
	}
	if t != nil {
		// Inside a transaction, a failed call still writes nothing: roll
		// back to where it started, as a savepoint would.
		mark := len(t.undo)
		err := fn(t)
		if err != nil {
			t.rollbackTo(mark)
		}
		return err
	}
	unlock, err := r.store.lock(ctx, write)
	if err != nil {
		return err
	}
	defer unlock()
	if !write {
		return fn(&txn{store: r.store, db: r.store.db, done: true})
	}
	t = &txn{store: r.store, db: r.store.db}
	ok := false
	defer func() { // also on panic: a failed write leaves nothing behind
		if !ok {
			t.rollback()
		}
		t.done = true
	}()
	err = fn(t)
	ok = err == nil
	return err
}

// micro is storage.Micro: UTC at the microsecond precision every adapter
// keeps.
var micro = storage.Micro
