package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/storagetest"
)

// TestConformance runs the storage conformance suite against the memory
// adapter.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return memory.New() })
}

var testNow = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func newCustomer(t *testing.T, email string) customer.Customer {
	t.Helper()
	c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: email}, testNow)
	require.NoError(t, err)
	return c
}

// The zero Store is documented as unusable; it must fail cleanly rather
// than panic.
func TestZeroStoreFails(t *testing.T) {
	var s memory.Store
	_, err := s.Customers().Get(t.Context(), uuid.New())
	require.Error(t, err)
	_, err = s.Customers().Create(t.Context(), newCustomer(t, "zero@example.com"))
	require.Error(t, err)
}

// A failed call inside a transaction writes nothing, and the function may
// handle the error and go on: the memory adapter gives every call savepoint
// semantics.
func TestFailedCallInsideAtomicWritesNothing(t *testing.T) {
	ctx := t.Context()
	s := memory.New()
	first := newCustomer(t, "taken@example.com")
	_, err := s.Customers().Create(ctx, first)
	require.NoError(t, err)

	dup := newCustomer(t, "taken@example.com")
	other := newCustomer(t, "other@example.com")
	err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Customers().Create(ctx, dup)
		require.True(t, storage.IsConflict(err, storage.ConstraintCustomerEmail))
		_, err = tx.Customers().Create(ctx, other)
		return err
	})
	require.NoError(t, err)
	_, err = s.Customers().Get(ctx, dup.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Customers().Get(ctx, other.ID)
	require.NoError(t, err)
	got, err := s.Customers().GetByEmail(ctx, "taken@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, first.ID, got.ID)
}

// Atomic does not start on a cancelled context, and a context cancelled
// while fn runs rolls the transaction back.
func TestAtomicContextCancellation(t *testing.T) {
	s := memory.New()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	err := s.Atomic(ctx, func(context.Context, storage.Tx) error {
		called = true
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, called)

	ctx, cancel = context.WithCancel(t.Context())
	c := newCustomer(t, "cancelled@example.com")
	err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, c); err != nil {
			return err
		}
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Customers().Get(t.Context(), c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "a transaction whose context ended is rolled back")
}

// Repositories of one store ignore the transactions of another.
func TestTransactionsArePerStore(t *testing.T) {
	a, b := memory.New(), memory.New()
	c := newCustomer(t, "separate@example.com")
	errAbort := errors.New("abort")
	err := a.Atomic(t.Context(), func(ctx context.Context, _ storage.Tx) error {
		if _, err := b.Customers().Create(ctx, c); err != nil {
			return err
		}
		return errAbort
	})
	require.ErrorIs(t, err, errAbort)
	_, err = b.Customers().Get(t.Context(), c.ID)
	require.NoError(t, err, "store b committed its own write; a's rollback does not reach it")
	_, err = a.Customers().Get(t.Context(), c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
}

// A call inside Atomic made with another ctx than the function's waits for
// the store's lock, which its own transaction holds: the wait ends after
// the lock timeout with ErrLockTimeout, for writes, reads and a nested
// Atomic alike, and the transaction itself carries on.
func TestOuterCtxInsideAtomicTimesOut(t *testing.T) {
	outer := t.Context()
	s := memory.New(memory.WithLockTimeout(20 * time.Millisecond))
	existing, err := s.Customers().Create(outer, newCustomer(t, "existing@example.com"))
	require.NoError(t, err)
	stray := newCustomer(t, "stray@example.com")
	inside := newCustomer(t, "inside@example.com")
	err = s.Atomic(outer, func(ctx context.Context, tx storage.Tx) error {
		_, err := s.Customers().Create(outer, stray)
		require.ErrorIs(t, err, storage.ErrLockTimeout, "a write with the outer ctx")
		_, err = s.Customers().Get(outer, existing.ID)
		require.ErrorIs(t, err, storage.ErrLockTimeout, "a read with the outer ctx")
		err = s.Atomic(outer, func(context.Context, storage.Tx) error { return nil })
		require.ErrorIs(t, err, storage.ErrLockTimeout, "an Atomic with the outer ctx")
		_, err = tx.Customers().Create(ctx, inside)
		return err
	})
	require.NoError(t, err)
	_, err = s.Customers().Get(outer, stray.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = s.Customers().Get(outer, inside.ID)
	require.NoError(t, err, "the transaction committed")
}

// A lock wait ends when its ctx does, with the ctx's error.
func TestLockWaitEndsWithCtx(t *testing.T) {
	s := memory.New(memory.WithLockTimeout(0)) // no timeout: only the ctx ends the wait
	err := s.Atomic(t.Context(), func(context.Context, storage.Tx) error {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := s.Customers().Create(ctx, newCustomer(t, "late@example.com"))
		require.ErrorIs(t, err, context.Canceled)
		ctx, cancel = context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		_, err = s.Customers().Get(ctx, uuid.New())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		return nil
	})
	require.NoError(t, err)
}
