package storagetest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// The cases of this file hold writes to a deleted customer's data to the
// contract (see storage.Repositories): they fail with ErrCustomerNotLive and
// write nothing, except what the contract allows (emptying the address
// book, changing an order's status).

func addressDeletedCustomerCases() []testCase {
	return []testCase{
		{"UpdateBookDeletedCustomerOnlyRemoves", addressDeletedCustomerOnlyRemoves},
	}
}

func addressDeletedCustomerOnlyRemoves(t *testing.T, e *env) {
	c := e.newCustomer()
	b := e.addEntries(c.ID, "1 Main St", "2 Main St", "3 Main St")
	e.deleteCustomer(c.ID)

	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		_, err := b.Add(e.id(), validAddress("4 Main St"), e.now())
		return err
	})
	requireNotLive(t, err, "adding to a deleted customer's book")
	_, err = e.store.Addresses().UpdateBook(e.ctx, c.ID, func(bk *address.Book) error {
		_, err := bk.Update(b.Entries[1].ID, address.Patch{City: ptr("Hamburg")}, e.now())
		return err
	})
	requireNotLive(t, err, "changing an entry of a deleted customer's book")
	assertBook(t, b, e.book(c.ID), "nothing is written")

	// Removing entries is allowed: an erasure empties the book.
	_, err = e.store.Addresses().UpdateBook(e.ctx, c.ID, func(bk *address.Book) error {
		bk.Entries = bk.Entries[1:]
		return nil
	})
	require.NoError(t, err, "removing an entry of a deleted customer's book")
	_, err = e.store.Addresses().UpdateBook(e.ctx, c.ID, func(bk *address.Book) error {
		bk.Entries = nil
		return nil
	})
	require.NoError(t, err, "emptying a deleted customer's book")
	assert.Empty(t, e.book(c.ID).Entries)
}

func balanceDeletedCustomerCases() []testCase {
	return []testCase{
		{"PostDeletedCustomer", balancePostDeletedCustomer},
		{"UpdateAccountDeletedCustomer", balanceUpdateAccountDeletedCustomer},
		{"ZeroOrderPaymentTakesItsKey", balanceZeroOrderPayment},
	}
}

func balancePostDeletedCustomer(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("5.00"))
	e.deleteCustomer(c.ID)
	for _, amount := range []string{"1.00", "-1.00"} {
		_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd(amount)))
		requireNotLive(t, err, "posting %s for a deleted customer", amount)
	}
	got, ledger := e.checkLedger(a.ID)
	assert.Len(t, ledger, 1, "nothing is written")
	assert.True(t, got.Balance.Equal(e.usd("5.00")))
}

func balanceUpdateAccountDeletedCustomer(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.deleteCustomer(c.ID)
	called := false
	_, err := e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
		called = true
		return a.SetCreditLimit(e.usd("10.00"), e.now())
	})
	requireNotLive(t, err)
	assert.False(t, called, "fn is not called for a deleted customer's account")
	assert.Equal(t, a.Version, e.getAccount(a.ID).Version, "nothing is written")
}

// A zero order payment (allowed with an idempotency key: the record of an
// order that got no store credit) moves nothing, takes a sequence number,
// and holds its key like any other posting.
func balanceZeroOrderPayment(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	zero := balance.Zero(balance.MustCurrency("USD"))
	p := e.posting(a, zero, func(p *balance.PostingParams) { p.Kind = balance.KindOrderPayment; p.IdempotencyKey = "zero" })
	got, err := e.store.Balances().Post(e.ctx, p)
	require.NoError(t, err)
	assert.Equal(t, int64(1), got.Sequence)
	assert.True(t, got.Amount.IsZero())
	assert.True(t, got.EndingBalance.IsZero())
	byKey, err := e.store.Balances().PostingByKey(e.ctx, a.ID, "zero")
	require.NoError(t, err)
	assert.Equal(t, p.ID, byKey.ID)
	_, err = e.store.Balances().Post(e.ctx, e.posting(a, e.usd("1.00"), withKey("zero")))
	requireConflict(t, err, storage.ConstraintIdempotencyKey)
	acct, ledger := e.checkLedger(a.ID)
	assert.Len(t, ledger, 1)
	assert.True(t, acct.Balance.IsZero())

	// Without a key, or of another kind, a zero posting is invalid.
	noKey := p
	noKey.ID, noKey.IdempotencyKey = e.id(), ""
	_, err = e.store.Balances().Post(e.ctx, noKey)
	require.ErrorIs(t, err, balance.ErrInvalid)
}

func orderDeletedCustomerCases() []testCase {
	return []testCase{
		{"CreateDeletedCustomer", orderCreateDeletedCustomer},
		{"ReassignToDeletedCustomer", orderReassignToDeleted},
		{"StatusOfDeletedCustomersOrder", orderStatusOfDeletedCustomer},
	}
}

func orderCreateDeletedCustomer(t *testing.T, e *env) {
	c := e.newCustomer()
	e.deleteCustomer(c.ID)
	_, err := e.store.Orders().Create(e.ctx, e.order(c.ID, "ORD-D"))
	requireNotLive(t, err)
	_, err = e.store.Orders().Get(e.ctx, "ORD-D")
	requireNotFound(t, err, "nothing is written")
}

func orderReassignToDeleted(t *testing.T, e *env) {
	guest := e.createCustomer(e.guest())
	owner := e.newCustomer()
	o := e.createOrder(guest.ID, "ORD-R")
	e.deleteCustomer(owner.ID)
	_, err := e.store.Orders().Update(e.ctx, o.ID, func(o *order.Order) error { return o.Reassign(owner.ID, e.now()) })
	requireNotLive(t, err)
	assertOrder(t, o, e.getOrder(o.ID), "nothing is written")
}

// The history of a deleted customer is kept, and the host may still move
// its orders' statuses (a refund after the account was closed).
func orderStatusOfDeletedCustomer(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.createOrder(c.ID, "ORD-S")
	e.deleteCustomer(c.ID)
	got, err := e.store.Orders().Update(e.ctx, o.ID, func(o *order.Order) error { return o.SetStatus(order.StatusCancelled, e.now()) })
	require.NoError(t, err)
	assert.Equal(t, order.StatusCancelled, got.Status)
}
