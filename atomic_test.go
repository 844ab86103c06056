package clientele_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// TestAtomic_FailedFunctionLeavesNothingBehind is the must-show rollback
// case: a transaction creates a customer, a posting and a membership and then
// fails; none of them survives, and the store keeps working.
func TestAtomic_FailedFunctionLeavesNothingBehind(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	now := epoch
	g, err := group.New(uuid.New(), group.Params{Name: "VIP"}, now)
	require.NoError(t, err)
	_, err = e.store.Groups().Create(ctx, g)
	require.NoError(t, err)

	c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: "ada@example.com"}, now)
	require.NoError(t, err)
	acct := balance.NewAccount(uuid.New(), c.ID, eur, now)
	boom := errors.New("boom")

	err = e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, c); err != nil {
			return err
		}
		a, err := tx.Balances().CreateAccount(ctx, acct)
		if err != nil {
			return err
		}
		p, err := balance.NewPosting(uuid.New(), a, balance.PostingParams{Kind: balance.KindGiftCard, Amount: money(t, "10.00"), IdempotencyKey: "gc-1"}, now)
		if err != nil {
			return err
		}
		if _, err := tx.Balances().Post(ctx, p); err != nil {
			return err
		}
		if added, err := tx.Groups().AddMember(ctx, g.ID, c.ID); err != nil || !added {
			return errors.Join(err, errors.New("membership not added"))
		}
		// Inside the transaction everything is visible.
		if _, err := tx.Customers().GetByEmail(ctx, "ada@example.com", true); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom, "Atomic returns fn's error unchanged")

	_, err = e.store.Customers().Get(ctx, c.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "no customer")
	_, err = e.store.Customers().GetByEmail(ctx, "ada@example.com", true)
	assert.ErrorIs(t, err, storage.ErrNotFound, "no email index entry")
	_, err = e.store.Balances().GetAccount(ctx, acct.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "no account")
	_, err = e.store.Balances().PostingByKey(ctx, acct.ID, "gc-1")
	assert.ErrorIs(t, err, storage.ErrNotFound, "no posting")
	members, err := e.Groups.Members(ctx, g.ID, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, members.Items, "no membership")
	pg, err := e.store.Customers().List(ctx, customer.Filter{IncludeDeleted: true}, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, pg.Items)

	// The same records can be created afterwards: no key was left taken.
	reg, err := e.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	require.NoError(t, err)
	res, err := e.Groups.AddMembers(ctx, g.ID, []uuid.UUID{reg.ID})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
}

// TestAtomic_ServicesJoinTheTransaction shows that service calls made with
// the ctx of an Atomic function join its transaction and roll back with it.
func TestAtomic_ServicesJoinTheTransaction(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	boom := errors.New("boom")
	var id uuid.UUID
	err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		c, err := e.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		if err != nil {
			return err
		}
		id = c.ID
		if _, err := e.Balances.Credit(ctx, creditReq(c.ID, money(t, "5.00"))); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = e.Customers.Get(ctx, id)
	require.ErrorIs(t, err, customer.ErrNotFound)

	t.Run("a canceled context", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
		defer cancel()
		<-ctx.Done()
		_, err := e.Customers.Register(ctx, customer.Params{Email: "late@example.com"})
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}
