package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// The Interleaving cases run only for stores that declare ConcurrentWriters.
// Each one makes the same interleaving happen, deterministically: a
// transaction reads (which fixes its snapshot on engines that keep one, as
// InnoDB does at REPEATABLE READ), then a write outside it commits, then the
// transaction writes. The contract says a read-modify-write reads what it
// changes under the lock it writes with, and a write to a customer's data
// checks under that lock that the customer is live; so the outside write
// must survive the transaction's write (no lost update), and a write for a
// customer deleted outside must fail with ErrCustomerNotLive and write
// nothing.

func interleavingCases() []testCase {
	return []testCase{
		{"UpdateKeepsCustomerChange", interleavedCustomer},
		{"UpdateBookKeepsAddressChange", interleavedAddress},
		{"UpdateBookKeepsDefaultChange", interleavedAddressDefault},
		{"UpdateKeepsGroupChange", interleavedGroup},
		{"UpdateKeepsMerchantChange", interleavedMerchant},
		{"UpdateKeepsMarketChange", interleavedMarket},
		{"UpdateAccountKeepsPosting", interleavedAccountLimit},
		{"PostKeepsCreditLimit", interleavedPostAfterLimit},
		{"AccountForInTransactionSeesLatest", interleavedAvailable},
		{"UpdateKeepsOrderChange", interleavedOrder},
		{"UpdateBookAfterDelete", interleavedBookAfterDelete},
		{"AddMemberAfterDelete", interleavedMemberAfterDelete},
		{"CreateAccountAfterDelete", interleavedAccountAfterDelete},
		{"PostAfterDelete", interleavedPostAfterDelete},
		{"UpdateAccountAfterDelete", interleavedLimitAfterDelete},
		{"CreateOrderAfterDelete", interleavedOrderAfterDelete},
		{"ReassignOrderAfterDelete", interleavedReassignAfterDelete},
		{"MergeHoldingsSeeLatest", needsMerging(mergeHoldingsAfterRead)},
		{"MergeTombstoneSeesLatest", needsMerging(mergeGetAfterRead)},
	}
}

// interleave runs, in one transaction, a plain read of the customer
// readID (which fixes the transaction's snapshot where the engine keeps
// one), then outside (a write made with the test's own ctx, outside the
// transaction, which must commit while the transaction is open), then last
// in the transaction, and returns Atomic's error. outside runs once, in the
// first run of the transaction; a retry (the engine may fail the first run
// with a serialization failure) runs the read and last again.
func (e *env) interleave(readID uuid.UUID, outside func(ctx context.Context) error, last func(ctx context.Context, tx storage.Tx) error) error {
	e.t.Helper()
	ran := false
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Get(ctx, readID); err != nil {
			return err
		}
		if !ran {
			ran = true
			require.NoError(e.t, outside(e.ctx), "the write outside the transaction")
		}
		return last(ctx, tx)
	})
	require.True(e.t, ran, "the transaction ran")
	return err
}

func interleavedCustomer(t *testing.T, e *env) {
	c := e.newCustomer()
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			return c.Apply(customer.Patch{FirstName: ptr("Outside")}, e.now())
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			return c.Apply(customer.Patch{Note: ptr("inside")}, e.now())
		})
		return err
	})
	require.NoError(t, err)
	got := e.getCustomer(c.ID)
	assert.Equal(t, "Outside", got.FirstName, "the change committed outside survives")
	assert.Equal(t, "inside", got.Note)
	assert.Equal(t, c.Version+2, got.Version)
}

// updateEntry applies p to the book's entry id in UpdateBook.
func updateEntry(ctx context.Context, r storage.Repositories, customerID, id uuid.UUID, p address.Patch, now func() time.Time) error {
	_, err := r.Addresses().UpdateBook(ctx, customerID, func(b *address.Book) error {
		_, err := b.Update(id, p, now())
		return err
	})
	return err
}

func interleavedAddress(t *testing.T, e *env) {
	c := e.newCustomer()
	entry := e.addEntries(c.ID, "1 Main St").Entries[0]
	err := e.interleave(c.ID, func(ctx context.Context) error {
		return updateEntry(ctx, e.store, c.ID, entry.ID, address.Patch{City: ptr("Hamburg")}, e.now)
	}, func(ctx context.Context, tx storage.Tx) error {
		return updateEntry(ctx, tx, c.ID, entry.ID, address.Patch{Line2: ptr("Floor 2")}, e.now)
	})
	require.NoError(t, err)
	got, ok := e.book(c.ID).Get(entry.ID)
	require.True(t, ok)
	assert.Equal(t, "Hamburg", got.City, "the city changed outside survives")
	assert.Equal(t, "Floor 2", got.Line2)
}

func interleavedAddressDefault(t *testing.T, e *env) {
	c := e.newCustomer()
	b := e.addEntries(c.ID, "1 Main St", "2 Main St", "3 Main St")
	second, third := b.Entries[1].ID, b.Entries[2].ID
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Addresses().UpdateBook(ctx, c.ID, func(b *address.Book) error {
			return b.SetDefault(second, address.Shipping, e.now())
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Addresses().UpdateBook(ctx, c.ID, func(b *address.Book) error {
			return b.SetDefault(third, address.Billing, e.now())
		})
		return err
	})
	require.NoError(t, err, "no conflict on the default index: the book was read under its lock")
	got := e.book(c.ID)
	ship, ok := got.Default(address.Shipping)
	require.True(t, ok)
	bill, ok := got.Default(address.Billing)
	require.True(t, ok)
	assert.Equal(t, second, ship.ID, "the default shipping set outside survives")
	assert.Equal(t, third, bill.ID)
}

func interleavedGroup(t *testing.T, e *env) {
	c := e.newCustomer()
	g := e.createGroup("Interleaved")
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Groups().Update(ctx, g.ID, func(g *group.Group) error { return g.SetDescription("outside", e.now()) })
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Groups().Update(ctx, g.ID, func(g *group.Group) error { return g.Rename("Inside", e.now()) })
		return err
	})
	require.NoError(t, err)
	got := e.getGroup(g.ID)
	assert.Equal(t, "outside", got.Description, "the change committed outside survives")
	assert.Equal(t, "Inside", got.Name)
	assert.Equal(t, g.Version+2, got.Version)
}

func interleavedMerchant(t *testing.T, e *env) {
	c := e.newCustomer()
	m := e.createMerchant()
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Merchants().Update(ctx, m.ID, func(m *merchant.Merchant) error {
			return m.Apply(merchant.Patch{Name: ptr("Outside")}, e.now())
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Merchants().Update(ctx, m.ID, func(m *merchant.Merchant) error {
			return m.Apply(merchant.Patch{Metadata: map[string]*string{"inside": ptr("yes")}}, e.now())
		})
		return err
	})
	require.NoError(t, err)
	got := e.getMerchant(m.ID)
	assert.Equal(t, "Outside", got.Name, "the change committed outside survives")
	assert.Equal(t, "yes", got.Metadata["inside"])
}

func interleavedMarket(t *testing.T, e *env) {
	c := e.newCustomer()
	m := e.createMarket(e.createMerchant().ID)
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Markets().Update(ctx, m.ID, func(m *market.Market) error {
			return m.Apply(market.Patch{Name: ptr("Outside")}, e.now())
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Markets().Update(ctx, m.ID, func(m *market.Market) error {
			return m.Apply(market.Patch{PriceListRef: ptr("inside-prices")}, e.now())
		})
		return err
	})
	require.NoError(t, err)
	got := e.getMarket(m.ID)
	assert.Equal(t, "Outside", got.Name, "the change committed outside survives")
	assert.Equal(t, "inside-prices", got.PriceListRef)
}

func interleavedAccountLimit(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Balances().Post(ctx, e.posting(a, e.usd("25.00")))
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Balances().UpdateAccount(ctx, a.ID, func(a *balance.Account) error {
			return a.SetCreditLimit(e.usd("10.00"), e.now())
		})
		return err
	})
	require.NoError(t, err)
	got, _ := e.checkLedger(a.ID)
	assert.True(t, got.Balance.Equal(e.usd("25.00")), "the posting made outside survives: balance %s", got.Balance)
	assert.Equal(t, int64(1), got.Postings)
	assert.True(t, got.CreditLimit.Equal(e.usd("10.00")))
}

func interleavedPostAfterLimit(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Balances().UpdateAccount(ctx, a.ID, func(a *balance.Account) error {
			return a.SetCreditLimit(e.usd("10.00"), e.now())
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		// Only the limit set outside lets this debit through.
		_, err := tx.Balances().Post(ctx, e.posting(a, e.usd("-4.00")))
		return err
	})
	require.NoError(t, err, "the debit sees the credit limit set outside")
	got, _ := e.checkLedger(a.ID)
	assert.True(t, got.CreditLimit.Equal(e.usd("10.00")), "the limit set outside survives")
	assert.True(t, got.Balance.Equal(e.usd("-4.00")))
}

// interleavedAvailable is what ApplyToOrder relies on: in a transaction,
// AccountFor reads the account under a lock, so an amount computed from it
// (min(available, total)) can still be posted although a debit committed
// after the transaction's first read.
func interleavedAvailable(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("10.00"))
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Balances().Post(ctx, e.posting(a, e.usd("-7.00")))
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		acct, err := tx.Balances().AccountFor(ctx, c.ID, balance.MustCurrency("USD"))
		if err != nil {
			return err
		}
		if !acct.Available().Equal(e.usd("3.00")) {
			return &sentinel{"AccountFor in the transaction returned a stale balance " + acct.Balance.String()}
		}
		_, err = tx.Balances().Post(ctx, e.posting(acct, acct.Available().Neg()))
		return err
	})
	require.NoError(t, err)
	got, _ := e.checkLedger(a.ID)
	assert.True(t, got.Balance.IsZero(), "balance %s", got.Balance)
}

func interleavedOrder(t *testing.T, e *env) {
	c := e.newCustomer()
	other := e.newCustomer()
	o := e.createOrder(c.ID, "interleaved")
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := e.store.Orders().Update(ctx, o.ID, func(o *order.Order) error { return o.SetStatus(order.StatusApproved, e.now()) })
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Orders().Update(ctx, o.ID, func(o *order.Order) error { return o.Reassign(other.ID, e.now()) })
		return err
	})
	require.NoError(t, err)
	got := e.getOrder(o.ID)
	assert.Equal(t, order.StatusApproved, got.Status, "the status set outside survives")
	assert.Equal(t, other.ID, got.CustomerID)
}

// deleteOutside is the outside write of the *AfterDelete cases.
func (e *env) deleteOutside(id uuid.UUID) func(context.Context) error {
	return func(ctx context.Context) error {
		now := e.now()
		_, err := e.store.Customers().Update(ctx, id, func(c *customer.Customer) error {
			c.MarkDeleted(now)
			return nil
		})
		return err
	}
}

func interleavedBookAfterDelete(t *testing.T, e *env) {
	c := e.newCustomer()
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Addresses().UpdateBook(ctx, c.ID, func(b *address.Book) error {
			_, err := b.Add(e.id(), validAddress("1 Erased St"), e.now())
			return err
		})
		return err
	})
	requireNotLive(t, err)
	assert.Empty(t, e.book(c.ID).Entries, "no address was stored for the deleted customer")
}

func interleavedMemberAfterDelete(t *testing.T, e *env) {
	c := e.newCustomer()
	g := e.createGroup("Deleted meanwhile")
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Groups().AddMember(ctx, g.ID, c.ID)
		return err
	})
	requireNotLive(t, err)
	member, err := e.store.Groups().MemberOf(e.ctx, c.ID, []uuid.UUID{g.ID})
	require.NoError(t, err)
	assert.Empty(t, member, "no membership was stored for the deleted customer")
}

func interleavedAccountAfterDelete(t *testing.T, e *env) {
	c := e.newCustomer()
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Balances().CreateAccount(ctx, balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now()))
		return err
	})
	requireNotLive(t, err)
	accts, err := e.store.Balances().Accounts(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, accts, "no account was opened for the deleted customer")
}

func interleavedPostAfterDelete(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("5.00"))
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Balances().Post(ctx, e.posting(a, e.usd("1.00")))
		return err
	})
	requireNotLive(t, err)
	got, ledger := e.checkLedger(a.ID)
	assert.Len(t, ledger, 1, "no posting was made for the deleted customer")
	assert.True(t, got.Balance.Equal(e.usd("5.00")))
}

func interleavedLimitAfterDelete(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Balances().UpdateAccount(ctx, a.ID, func(a *balance.Account) error {
			return a.SetCreditLimit(e.usd("10.00"), e.now())
		})
		return err
	})
	requireNotLive(t, err)
	assert.True(t, e.getAccount(a.ID).CreditLimit.IsZero(), "no credit limit was set for the deleted customer")
}

func interleavedOrderAfterDelete(t *testing.T, e *env) {
	c := e.newCustomer()
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Orders().Create(ctx, e.order(c.ID, "after-delete"))
		return err
	})
	requireNotLive(t, err)
	_, err = e.store.Orders().Get(e.ctx, "after-delete")
	requireNotFound(t, err, "no order was recorded for the deleted customer")
}

func interleavedReassignAfterDelete(t *testing.T, e *env) {
	guest := e.createCustomer(e.guest())
	owner := e.newCustomer()
	o := e.createOrder(guest.ID, "claimed")
	err := e.interleave(owner.ID, e.deleteOutside(owner.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Orders().Update(ctx, o.ID, func(o *order.Order) error { return o.Reassign(owner.ID, e.now()) })
		return err
	})
	requireNotLive(t, err)
	assert.Equal(t, guest.ID, e.getOrder(o.ID).CustomerID, "the order stayed with the guest")
}
