package storagetest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Merging capability: the two records of a merge locked in ID
// order, what a merge moves read with locking reads, and the tombstones
// that lead from a merged customer to its survivor.

func mergesCases() []testCase {
	return []testCase{
		{"LockReturnsBothAsArgued", needsMerging(mergeLock)},
		{"LockNotFound", needsMerging(mergeLockNotFound)},
		{"CreateGetAndConflict", needsMerging(mergeCreateGet)},
		{"CreateValidates", needsMerging(mergeCreateValidates)},
		{"CreateRepointsChains", needsMerging(mergeChains)},
		{"ByEmailMostRecent", needsMerging(mergeByEmail)},
		{"ByReferenceMostRecent", needsMerging(mergeByReference)},
		{"Bounds", needsMerging(mergeBounds)},
		{"Scrub", needsMerging(mergeScrub)},
		{"Holdings", needsMerging(mergeHoldings)},
		{"RolledBackCreateLeavesNothing", needsMerging(mergeRollback)},
		{"HostileInput", needsMerging(mergeHostile)},
		{"ConcurrentCreatesOneWins", needsMerging(mergeConcurrentCreate)},
		{"CanceledContext", needsMerging(mergeCanceled)},
	}
}

// needsMerging skips a Merges case on a store that lacks the capability.
func needsMerging(run func(t *testing.T, e *env, m func(storage.Repositories) storage.Merges)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		if _, ok := e.store.(storage.Merging); !ok {
			t.Skipf("the store (%T) lacks the storage.Merging capability", e.store)
		}
		run(t, e, func(r storage.Repositories) storage.Merges {
			m, ok := r.(storage.Merging)
			require.True(t, ok, "a transaction of a store with storage.Merging (%T) lacks it", r)
			return m.Merges()
		})
	}
}

// tombstone builds the tombstone of merging merged into survivor at now.
func (e *env) tombstone(merged, survivor customer.Customer) customer.Tombstone {
	return customer.NewTombstone(merged, survivor, "staff:test", e.now())
}

func (e *env) createTombstone(m storage.Merges, t customer.Tombstone) {
	e.t.Helper()
	require.NoError(e.t, m.Create(e.ctx, t), "creating the tombstone of %s", t.MergedID)
}

func mergeLock(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a, b := e.newCustomer(), e.newCustomer()
	gone := e.deleteCustomer(e.newCustomer().ID)
	for _, pair := range [][2]customer.Customer{{a, b}, {b, a}, {a, gone}} {
		err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			x, y, err := m(tx).Lock(ctx, pair[0].ID, pair[1].ID)
			require.NoError(t, err)
			assert.Equal(t, pair[0].ID, x.ID, "the first customer comes first, whatever the lock order")
			assert.Equal(t, pair[1].ID, y.ID)
			assert.Equal(t, pair[1].IsDeleted(), y.IsDeleted(), "a deleted customer is returned as it is")
			return nil
		})
		require.NoError(t, err)
	}
	x, y, err := m(e.store).Lock(e.ctx, a.ID, b.ID)
	require.NoError(t, err, "outside a transaction, a plain read")
	assert.Equal(t, a.Email, x.Email)
	assert.Equal(t, b.Email, y.Email)
}

func mergeLockNotFound(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a := e.newCustomer()
	_, _, err := m(e.store).Lock(e.ctx, a.ID, e.id())
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, _, err = m(e.store).Lock(e.ctx, e.id(), a.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func mergeCreateGet(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	dup, surv := e.newCustomer(withReference("erp", "E-1")), e.newCustomer()
	_, err := m(e.store).Get(e.ctx, dup.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	ts := e.tombstone(dup, surv)
	e.createTombstone(m(e.store), ts)
	got, err := m(e.store).Get(e.ctx, dup.ID)
	require.NoError(t, err)
	assert.Equal(t, ts, got)
	assert.Equal(t, "erp", got.ReferenceOrigin)
	assert.Equal(t, dup.Email.Address, got.Email)

	again := e.tombstone(dup, e.newCustomer())
	err = m(e.store).Create(e.ctx, again)
	require.True(t, storage.IsConflict(err, storage.ConstraintTombstone), "a second tombstone: %v", err)
	got, err = m(e.store).Get(e.ctx, dup.ID)
	require.NoError(t, err)
	assert.Equal(t, surv.ID, got.SurvivorID, "the conflict wrote nothing")
}

func mergeCreateValidates(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a := e.newCustomer()
	for name, ts := range map[string]customer.Tombstone{
		"self":        {MergedID: a.ID, SurvivorID: a.ID, MergedAt: e.now()},
		"no survivor": {MergedID: a.ID, MergedAt: e.now()},
		"no time":     {MergedID: a.ID, SurvivorID: e.id()},
		"bad email":   {MergedID: a.ID, SurvivorID: e.id(), MergedAt: e.now(), Email: "x\xffy"},
	} {
		err := m(e.store).Create(e.ctx, ts)
		assert.ErrorIs(t, err, customer.ErrInvalid, name)
	}
	_, err := m(e.store).Get(e.ctx, a.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func mergeChains(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a, b, c, d := e.newCustomer(), e.newCustomer(), e.newCustomer(), e.newCustomer()
	e.createTombstone(m(e.store), e.tombstone(a, b))
	e.createTombstone(m(e.store), e.tombstone(d, b))
	e.createTombstone(m(e.store), e.tombstone(b, c))
	for _, id := range []uuid.UUID{a.ID, b.ID, d.ID} {
		got, err := m(e.store).Get(e.ctx, id)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.SurvivorID, "the tombstones of a merged survivor follow it")
	}
}

func mergeByEmail(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	surv := e.newCustomer()
	first := e.createCustomer(e.guest(withEmail("twice@example.com")))
	e.createTombstone(m(e.store), e.tombstone(first, surv))
	e.deleteCustomer(first.ID)
	later := e.createCustomer(e.guest(withEmail("twice@example.com")))
	other := e.newCustomer()
	e.createTombstone(m(e.store), e.tombstone(later, other))

	got, err := m(e.store).ByEmail(e.ctx, "twice@example.com", false)
	require.NoError(t, err)
	assert.Equal(t, later.ID, got.MergedID, "the most recent merge")
	_, err = m(e.store).ByEmail(e.ctx, "twice@example.com", true)
	assert.ErrorIs(t, err, storage.ErrNotFound, "the has_account flag is part of the key")
	_, err = m(e.store).ByEmail(e.ctx, "nobody@example.com", false)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = m(e.store).ByEmail(e.ctx, "", false)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func mergeByReference(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	first := e.newCustomer(withReference("erp", "R-1"))
	e.createTombstone(m(e.store), e.tombstone(first, e.newCustomer()))
	e.deleteCustomer(first.ID)
	later := e.newCustomer(withReference("erp", "R-1"))
	e.createTombstone(m(e.store), e.tombstone(later, e.newCustomer()))
	got, err := m(e.store).ByReference(e.ctx, "erp", "R-1")
	require.NoError(t, err)
	assert.Equal(t, later.ID, got.MergedID)
	_, err = m(e.store).ByReference(e.ctx, "crm", "R-1")
	assert.ErrorIs(t, err, storage.ErrNotFound, "the origin is part of the key")
	_, err = m(e.store).ByReference(e.ctx, "", "")
	assert.ErrorIs(t, err, storage.ErrNotFound, "a customer without a reference is never found by one")
}

func mergeBounds(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	long := strings.Repeat("x", storage.MaxKeyBytes+1)
	_, err := m(e.store).ByEmail(e.ctx, long, false)
	assert.ErrorIs(t, err, storage.ErrTooLarge)
	_, err = m(e.store).ByReference(e.ctx, long, "r")
	assert.ErrorIs(t, err, storage.ErrTooLarge)
	_, err = m(e.store).ByReference(e.ctx, "erp", long)
	assert.ErrorIs(t, err, storage.ErrTooLarge)
}

func mergeScrub(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a := e.newCustomer(withReference("erp", "S-1"))
	b, c := e.newCustomer(), e.newCustomer()
	other := e.newCustomer(withReference("erp", "S-2"))
	e.createTombstone(m(e.store), e.tombstone(a, b))
	e.createTombstone(m(e.store), e.tombstone(other, c))
	n, err := m(e.store).Scrub(e.ctx, b.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the tombstone that names b as survivor")
	got, err := m(e.store).Get(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, got.Email)
	assert.Empty(t, got.Reference)
	assert.Empty(t, got.ReferenceOrigin)
	assert.Equal(t, b.ID, got.SurvivorID, "the IDs stay")
	n, err = m(e.store).Scrub(e.ctx, b.ID)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to scrub")
	untouched, err := m(e.store).Get(e.ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, "S-2", untouched.Reference)
	n, err = m(e.store).Scrub(e.ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "as merged customer too")
}

func mergeHoldings(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	c := e.newCustomer()
	h, err := m(e.store).Holdings(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, h.Orders)
	assert.Empty(t, h.Groups)
	assert.Empty(t, h.Accounts)
	e.createOrder(c.ID, "o-2")
	e.createOrder(c.ID, "o-1")
	e.createOrder(e.newCustomer().ID, "o-3")
	g1, g2 := e.createGroup("one"), e.createGroup("two")
	e.addMember(g1.ID, c.ID)
	e.addMember(g2.ID, c.ID)
	a1, a2 := e.createAccount(c.ID, "EUR"), e.createAccount(c.ID, "USD")
	h, err = m(e.store).Holdings(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"o-1", "o-2"}, h.Orders)
	assert.Equal(t, sortedIDs(g1.ID, g2.ID), h.Groups)
	assert.Equal(t, sortedIDs(a1.ID, a2.ID), h.Accounts)
}

func sortedIDs(ids ...uuid.UUID) []uuid.UUID {
	out := append([]uuid.UUID(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if bytes.Compare(out[j][:], out[i][:]) < 0 {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// A merge's transaction may have read before it locks (and so fixed its
// snapshot); what commits in between must still be moved.
func mergeHoldingsAfterRead(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	dup, surv := e.newCustomer(), e.newCustomer()
	g := e.createGroup("late")
	var h storage.MergeHoldings
	err := e.interleave(dup.ID, func(ctx context.Context) error {
		if _, err := e.store.Orders().Create(ctx, e.order(dup.ID, "late-order")); err != nil {
			return err
		}
		if _, err := e.store.Groups().AddMember(ctx, g.ID, dup.ID); err != nil {
			return err
		}
		_, err := e.store.Balances().CreateAccount(ctx, balance.NewAccount(e.id(), dup.ID, balance.MustCurrency("EUR"), e.now()))
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		if _, _, err := m(tx).Lock(ctx, dup.ID, surv.ID); err != nil {
			return err
		}
		var err error
		if h, err = m(tx).Holdings(ctx, dup.ID); err != nil {
			return err
		}
		// A merge then deletes the merged customer: at PostgreSQL's
		// SERIALIZABLE, where the snapshot may hide the outside rows,
		// that write makes the race a serialization failure, and the
		// retry sees them.
		now := e.now()
		_, err = tx.Customers().Update(ctx, dup.ID, func(c *customer.Customer) error {
			c.MarkDeleted(now)
			return nil
		})
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"late-order"}, h.Orders)
	assert.Equal(t, []uuid.UUID{g.ID}, h.Groups)
	assert.Len(t, h.Accounts, 1)
}

func mergeGetAfterRead(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	dup, surv := e.newCustomer(), e.newCustomer()
	var (
		got    customer.Tombstone
		getErr error
	)
	err := e.interleave(dup.ID, func(ctx context.Context) error {
		// A merge: the tombstone and the merged customer deleted, in one
		// transaction.
		return e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			if err := m(tx).Create(ctx, e.tombstone(dup, surv)); err != nil {
				return err
			}
			now := e.now()
			_, err := tx.Customers().Update(ctx, dup.ID, func(c *customer.Customer) error {
				c.MarkDeleted(now)
				return nil
			})
			return err
		})
	}, func(ctx context.Context, tx storage.Tx) error {
		if _, _, err := m(tx).Lock(ctx, dup.ID, surv.ID); err != nil {
			return err
		}
		got, getErr = m(tx).Get(ctx, dup.ID)
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, getErr, "the tombstone committed before the lock")
	assert.Equal(t, surv.ID, got.SurvivorID)
}

func mergeRollback(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a, b := e.newCustomer(), e.newCustomer()
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		require.NoError(t, m(tx).Create(ctx, e.tombstone(a, b)))
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = m(e.store).Get(e.ctx, a.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func mergeHostile(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	surv := e.newCustomer()
	for i, ref := range []string{"'; DROP TABLE customers; --", `\" OR 1=1 --`, "100%_\\", "日本語\u00a0ref"} {
		dup := e.newCustomer(withReference("o'rigin", ref))
		ts := e.tombstone(dup, surv)
		ts.Actor = "staff:o'brien"
		e.createTombstone(m(e.store), ts)
		got, err := m(e.store).ByReference(e.ctx, "o'rigin", ref)
		require.NoError(t, err, "case %d", i)
		assert.Equal(t, ts, got)
	}
	_, err := m(e.store).ByReference(e.ctx, "o'rigin", "100%")
	assert.ErrorIs(t, err, storage.ErrNotFound, "no pattern matching")
	_, err = m(e.store).ByEmail(e.ctx, "\xff\xfe", false)
	assert.ErrorIs(t, err, storage.ErrNotFound, "invalid UTF-8 is simply not found")
}

func mergeConcurrentCreate(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	const n = 8
	dup := e.newCustomer()
	survivors := make([]customer.Customer, n)
	for i := range survivors {
		survivors[i] = e.newCustomer()
	}
	at := e.now()
	errs := race(n, func(i int) error {
		return m(e.store).Create(e.ctx, customer.NewTombstone(dup, survivors[i], "staff:test", at))
	})
	ok, conflicts := tally(t, errs, func(err error) bool { return storage.IsConflict(err, storage.ConstraintTombstone) },
		"ConstraintTombstone")
	assert.Equal(t, 1, ok)
	assert.Equal(t, n-1, conflicts)
}

func mergeCanceled(t *testing.T, e *env, m func(storage.Repositories) storage.Merges) {
	a, b := e.newCustomer(), e.newCustomer()
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	r := m(e.store)
	_, _, err := r.Lock(ctx, a.ID, b.ID)
	require.ErrorIs(t, err, context.Canceled, "Lock")
	_, err = r.Holdings(ctx, a.ID)
	require.ErrorIs(t, err, context.Canceled, "Holdings")
	require.ErrorIs(t, r.Create(ctx, e.tombstone(a, b)), context.Canceled, "Create")
	_, err = r.Get(ctx, a.ID)
	require.ErrorIs(t, err, context.Canceled, "Get")
	_, err = r.ByEmail(ctx, a.Email.Address, true)
	require.ErrorIs(t, err, context.Canceled, "ByEmail")
	_, err = r.ByReference(ctx, "erp", "x")
	require.ErrorIs(t, err, context.Canceled, "ByReference")
	_, err = r.Scrub(ctx, a.ID)
	require.ErrorIs(t, err, context.Canceled, "Scrub")
	_, err = r.Get(e.ctx, a.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing was written")
}
