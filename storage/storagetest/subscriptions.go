package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// The storage.Subscriptions capability: references to the host's
// subscriptions, keyed by the host's ID; writes take the customer's lock.

func subscriptionCases() []testCase {
	return []testCase{
		{"CreateAndGet", needsSubs(subCreateGet)},
		{"IDUniqueAcrossCustomers", needsSubs(subIDUnique)},
		{"CreateCustomerNotLive", needsSubs(subNotLive)},
		{"AtMostMaxLivePerCustomer", needsSubs(subTooMany)},
		{"UpdateKeepsIdentityAndIncrementsVersion", needsSubs(subUpdate)},
		{"UpdateFnErrorWritesNothing", needsSubs(subFnError)},
		{"UpdateDeletedCustomer", needsSubs(subUpdateDeleted)},
		{"ListPages", needsSubs(subList)},
		{"ChargingListsLiveOnly", needsSubs(subCharging)},
		{"UnlinkForErasure", needsSubs(subUnlink)},
		{"HostileIDs", needsSubs(subHostile)},
		{"ConcurrentCreatesKeepLimit", needsSubs(subConcurrent)},
		{"InterleavedChargingSeesLatest", needsSubs(subInterleavedCharging)},
		{"CanceledContext", needsSubs(subCanceled)},
		{"ReassignMovesAll", needsSubs(subReassign)},
		{"ReassignKeepsLimit", needsSubs(subReassignLimit)},
	}
}

func needsSubs(run func(t *testing.T, e *env, r storage.SubscriptionRefs)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		s, ok := e.store.(storage.Subscriptions)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Subscriptions capability", e.store)
		}
		run(t, e, s.SubscriptionRefs())
	}
}

func (e *env) subscription(customerID uuid.UUID, id string, source *uuid.UUID) subscription.Subscription {
	e.t.Helper()
	next := e.now().Add(30 * 24 * time.Hour)
	s, err := subscription.New(subscription.Params{ID: id, CustomerID: customerID, Plan: "gold", NextChargeAt: &next,
		PaymentSourceID: source}, e.now())
	require.NoError(e.t, err)
	return s
}

func (e *env) createSub(r storage.SubscriptionRefs, customerID uuid.UUID, id string, source *uuid.UUID) subscription.Subscription {
	e.t.Helper()
	s, err := r.Create(e.ctx, e.subscription(customerID, id, source))
	require.NoError(e.t, err, "creating subscription %q", id)
	return s
}

func subCreateGet(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	src := e.id()
	s := e.createSub(r, c.ID, "sub_1", &src)
	assert.Equal(t, int64(1), s.Version)
	got, err := r.Get(e.ctx, "sub_1")
	require.NoError(t, err)
	assert.Equal(t, s, got)
	plain := e.createSub(r, c.ID, "sub_2", nil)
	got, err = r.Get(e.ctx, "sub_2")
	require.NoError(t, err)
	assert.Equal(t, plain, got)
	assert.Nil(t, got.PaymentSourceID)
	_, err = r.Get(e.ctx, "sub_missing")
	requireNotFound(t, err)
	_, err = r.Get(e.ctx, strings.Repeat("x", storage.MaxKeyBytes+1))
	var le *storage.LimitError
	require.ErrorAs(t, err, &le)
}

func subIDUnique(t *testing.T, e *env, r storage.SubscriptionRefs) {
	a, b := e.newCustomer(), e.newCustomer()
	s := e.createSub(r, a.ID, "sub_dup", nil)
	_, err := r.Create(e.ctx, e.subscription(b.ID, "sub_dup", nil))
	requireConflict(t, err, storage.ConstraintSubscriptionID)
	_, err = r.Create(e.ctx, e.subscription(a.ID, "sub_dup", nil))
	requireConflict(t, err, storage.ConstraintSubscriptionID)
	got, err := r.Get(e.ctx, "sub_dup")
	require.NoError(t, err)
	assert.Equal(t, s, got)
}

func subNotLive(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	e.deleteCustomer(c.ID)
	_, err := r.Create(e.ctx, e.subscription(c.ID, "sub_deleted", nil))
	requireNotLive(t, err)
	_, err = r.Create(e.ctx, e.subscription(e.id(), "sub_nobody", nil))
	requireNotLive(t, err)
	_, err = r.Get(e.ctx, "sub_deleted")
	requireNotFound(t, err)
}

func subTooMany(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	for i := range subscription.MaxPerCustomer {
		e.createSub(r, c.ID, fmt.Sprintf("sub_%03d", i), nil)
	}
	_, err := r.Create(e.ctx, e.subscription(c.ID, "sub_over", nil))
	require.ErrorIs(t, err, subscription.ErrTooMany)
	cancelled := e.subscription(c.ID, "sub_cancelled", nil)
	cancelled.Status = subscription.Cancelled
	_, err = r.Create(e.ctx, cancelled)
	require.NoError(t, err, "a cancelled one does not count")
	_, err = r.Update(e.ctx, "sub_000", func(s *subscription.Subscription) error { return s.SetStatus(subscription.Cancelled, e.now()) })
	require.NoError(t, err)
	e.createSub(r, c.ID, "sub_room", nil)
	_, err = r.Update(e.ctx, "sub_cancelled", func(s *subscription.Subscription) error {
		s.Status = subscription.Active // behind the table's back
		return nil
	})
	require.ErrorIs(t, err, subscription.ErrTooMany)
}

func subUpdate(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	s := e.createSub(r, c.ID, "sub_u", nil)
	src := e.id()
	got, err := r.Update(e.ctx, "sub_u", func(x *subscription.Subscription) error {
		x.ID, x.CustomerID, x.CreatedAt = "other", e.id(), baseTime // ignored
		if err := x.SetPaymentSource(&src, e.now()); err != nil {
			return err
		}
		return x.SetStatus(subscription.PastDue, e.now())
	})
	require.NoError(t, err)
	assert.Equal(t, s.ID, got.ID)
	assert.Equal(t, s.CustomerID, got.CustomerID)
	assert.Equal(t, s.CreatedAt, got.CreatedAt)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, subscription.PastDue, got.Status)
	read, err := r.Get(e.ctx, "sub_u")
	require.NoError(t, err)
	assert.Equal(t, got, read)
	_, err = r.Update(e.ctx, "sub_none", func(*subscription.Subscription) error { return nil })
	requireNotFound(t, err)
}

func subFnError(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	s := e.createSub(r, c.ID, "sub_f", nil)
	boom := errors.New("boom")
	_, err := r.Update(e.ctx, s.ID, func(x *subscription.Subscription) error {
		x.Plan = "changed"
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = r.Update(e.ctx, s.ID, func(x *subscription.Subscription) error {
		x.Plan = ""
		return nil
	})
	require.ErrorIs(t, err, subscription.ErrInvalid)
	got, err := r.Get(e.ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, s, got)
}

func subUpdateDeleted(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	src := e.id()
	e.createSub(r, c.ID, "sub_d", nil)
	e.deleteCustomer(c.ID)
	_, err := r.Update(e.ctx, "sub_d", func(s *subscription.Subscription) error { return s.SetPaymentSource(&src, e.now()) })
	requireNotLive(t, err, "no new payment source for a deleted customer")
	got, err := r.Update(e.ctx, "sub_d", func(s *subscription.Subscription) error { return s.SetStatus(subscription.Cancelled, e.now()) })
	require.NoError(t, err, "the host may still cancel it")
	assert.Equal(t, subscription.Cancelled, got.Status)
}

func subList(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c, other := e.newCustomer(), e.newCustomer()
	var want []string
	for i := range 7 {
		want = append(want, e.createSub(r, c.ID, fmt.Sprintf("s%d", 7-i), nil).ID)
	}
	e.createSub(r, other.ID, "other", nil)
	got := walk(t, 3, func(p storage.PageRequest) (storage.Page[subscription.Subscription], error) {
		return r.List(e.ctx, c.ID, p)
	})
	var ids []string
	for _, s := range got {
		ids = append(ids, s.ID)
	}
	assert.Equal(t, want, ids, "ordered by (CreatedAt, ID), every page")
	_, err := r.List(e.ctx, c.ID, storage.PageRequest{Cursor: "garbage"})
	require.ErrorIs(t, err, storage.ErrInvalidCursor)
	page, err := r.List(e.ctx, e.id(), storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
}

func subCharging(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	src, other := e.id(), e.id()
	a := e.createSub(r, c.ID, "a", &src)
	e.createSub(r, c.ID, "b", &other)
	cancelled := e.createSub(r, c.ID, "c", &src)
	_, err := r.Update(e.ctx, cancelled.ID, func(s *subscription.Subscription) error {
		return s.SetStatus(subscription.Cancelled, e.now())
	})
	require.NoError(t, err)
	d := e.createSub(r, c.ID, "d", &src)
	got, err := r.Charging(e.ctx, src)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, a.ID, got[0].ID)
	assert.Equal(t, d.ID, got[1].ID)
	got, err = r.Charging(e.ctx, e.id())
	require.NoError(t, err)
	assert.Empty(t, got)
}

func subUnlink(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c, other := e.newCustomer(), e.newCustomer()
	src := e.id()
	e.createSub(r, c.ID, "u1", &src)
	e.createSub(r, c.ID, "u2", nil)
	keep := e.createSub(r, other.ID, "u3", &src)
	e.deleteCustomer(c.ID)
	n, err := r.Unlink(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := r.Get(e.ctx, "u1")
	require.NoError(t, err)
	assert.Nil(t, got.PaymentSourceID)
	charging, err := r.Charging(e.ctx, src)
	require.NoError(t, err)
	require.Len(t, charging, 1)
	assert.Equal(t, keep, charging[0])
}

func subHostile(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	var ids []string
	for i, s := range hostileStrings {
		id := strings.TrimSpace(s)
		if id == "" || len(id) > subscription.MaxIDLength {
			continue
		}
		sub := e.subscription(c.ID, id, nil)
		sub.Plan = s
		if err := sub.Validate(); err != nil {
			continue
		}
		_, err := r.Create(e.ctx, sub)
		require.NoError(t, err, "value %d %q", i, s)
		got, err := r.Get(e.ctx, id)
		require.NoError(t, err)
		assert.Equal(t, id, got.ID, "byte for byte")
		assert.Equal(t, s, got.Plan)
		ids = append(ids, id)
	}
	require.NotEmpty(t, ids)
	_, err := r.Get(e.ctx, "a\x00b")
	requireNotFound(t, err, "an unstorable key is not found")
}

func subConcurrent(t *testing.T, e *env, r storage.SubscriptionRefs) {
	const n = 16
	const room = 5
	c := e.newCustomer()
	for i := range subscription.MaxPerCustomer - room {
		e.createSub(r, c.ID, fmt.Sprintf("pre%d", i), nil)
	}
	subs := make([]subscription.Subscription, n)
	for i := range n {
		subs[i] = e.subscription(c.ID, fmt.Sprintf("race%d", i), nil)
	}
	errs := race(n, func(i int) error {
		_, err := r.Create(e.ctx, subs[i])
		return err
	})
	ok, _ := tally(t, errs, func(err error) bool { return errors.Is(err, subscription.ErrTooMany) }, "ErrTooMany")
	assert.Equal(t, room, ok, "the limit holds under concurrency")
}

func subInterleavedCharging(t *testing.T, e *env, r storage.SubscriptionRefs) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	w, ok := e.store.(storage.Wallets)
	if !ok {
		t.Skip("the store lacks the storage.Wallets capability")
	}
	c := e.newCustomer()
	src := e.addSources(w.PaymentSources(), c.ID, 1).Sources[0].ID
	var seen int
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := r.Create(ctx, e.subscription(c.ID, "outside", &src))
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		// What a removal does: lock the customer and read the wallet,
		// then ask which subscriptions charge the source.
		if _, err := tx.(storage.Wallets).PaymentSources().UpdateWallet(ctx, c.ID, func(*wallet.Wallet) error { return nil }); err != nil {
			return err
		}
		got, err := tx.(storage.Subscriptions).SubscriptionRefs().Charging(ctx, src)
		seen = len(got)
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, 1, seen, "Charging under the customer's lock sees the subscription committed after the snapshot")
}

func subCanceled(t *testing.T, e *env, r storage.SubscriptionRefs) {
	c := e.newCustomer()
	s := e.createSub(r, c.ID, "sub_c", nil)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := r.Create(ctx, e.subscription(c.ID, "sub_c2", nil))
	require.ErrorIs(t, err, context.Canceled, "Create")
	_, err = r.Get(ctx, s.ID)
	require.ErrorIs(t, err, context.Canceled, "Get")
	_, err = r.Update(ctx, s.ID, func(x *subscription.Subscription) error { return x.SetStatus(subscription.Paused, e.now()) })
	require.ErrorIs(t, err, context.Canceled, "Update")
	_, err = r.List(ctx, c.ID, storage.PageRequest{})
	require.ErrorIs(t, err, context.Canceled, "List")
	_, err = r.Charging(ctx, e.id())
	require.ErrorIs(t, err, context.Canceled, "Charging")
	_, err = r.Unlink(ctx, c.ID)
	require.ErrorIs(t, err, context.Canceled, "Unlink")
	got, err := r.Get(e.ctx, s.ID)
	require.NoError(t, err)
	assert.Equal(t, s, got)
}

func subReassign(t *testing.T, e *env, r storage.SubscriptionRefs) {
	from, to, other := e.newCustomer(), e.newCustomer(), e.newCustomer()
	a := e.createSub(r, from.ID, "sub_ra", nil)
	e.createSub(r, from.ID, "sub_rb", nil)
	e.createSub(r, other.ID, "sub_rc", nil)
	n, err := r.Reassign(e.ctx, from.ID, to.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	got, err := r.Get(e.ctx, "sub_ra")
	require.NoError(t, err)
	assert.Equal(t, to.ID, got.CustomerID)
	assert.Equal(t, a.Version+1, got.Version)
	pg, err := r.List(e.ctx, to.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Len(t, pg.Items, 2)
	pg, err = r.List(e.ctx, from.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, pg.Items)
	kept, err := r.Get(e.ctx, "sub_rc")
	require.NoError(t, err)
	assert.Equal(t, other.ID, kept.CustomerID, "another customer's stay")
	n, err = r.Reassign(e.ctx, from.ID, to.ID)
	require.NoError(t, err)
	assert.Zero(t, n)
	e.deleteCustomer(other.ID)
	_, err = r.Reassign(e.ctx, to.ID, other.ID)
	requireNotLive(t, err, "into a deleted customer")
}

func subReassignLimit(t *testing.T, e *env, r storage.SubscriptionRefs) {
	from, to := e.newCustomer(), e.newCustomer()
	for i := range subscription.MaxPerCustomer - 1 {
		e.createSub(r, to.ID, fmt.Sprintf("sub_t%03d", i), nil)
	}
	e.createSub(r, from.ID, "sub_f1", nil)
	e.createSub(r, from.ID, "sub_f2", nil)
	_, err := r.Reassign(e.ctx, from.ID, to.ID)
	require.ErrorIs(t, err, subscription.ErrTooMany)
	got, err := r.Get(e.ctx, "sub_f1")
	require.NoError(t, err)
	assert.Equal(t, from.ID, got.CustomerID, "nothing moved")
}
