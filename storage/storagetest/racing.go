package storagetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// The cases of this file race transactions shaped like the services': each
// first reads the customer with a plain read (which fixes the transaction's
// snapshot on engines that keep one, as InnoDB does at REPEATABLE READ),
// then makes a read-modify-write. The writes must serialize cleanly: every
// call succeeds, and none loses another's change.

func raceAfterReadCases() []testCase {
	return []testCase{
		{"AddressUpdatesAfterRead", raceAddressUpdates},
		{"SetDefaultAfterRead", raceSetDefault},
		{"AddToEmptyBookAfterRead", raceAddToEmptyBook},
		{"DebitAvailableAfterRead", raceDebitAvailable},
	}
}

// editAfterRead runs, in one transaction, a plain read of the customer and
// then fn in UpdateBook.
func (e *env) editAfterRead(customerID uuid.UUID, fn func(*address.Book) error) error {
	return e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Get(ctx, customerID); err != nil {
			return err
		}
		_, err := tx.Addresses().UpdateBook(ctx, customerID, fn)
		return err
	})
}

// Eight concurrent updates of one address, each of another field: all of
// them survive.
func raceAddressUpdates(t *testing.T, e *env) {
	c := e.newCustomer()
	id := e.addEntries(c.ID, "1 Main St").Entries[0].ID
	fields := []func(p *address.Patch, v *string){
		func(p *address.Patch, v *string) { p.FirstName = v },
		func(p *address.Patch, v *string) { p.LastName = v },
		func(p *address.Patch, v *string) { p.Company = v },
		func(p *address.Patch, v *string) { p.Line1 = v },
		func(p *address.Patch, v *string) { p.Line2 = v },
		func(p *address.Patch, v *string) { p.City = v },
		func(p *address.Patch, v *string) { p.PostalCode = v },
		func(p *address.Patch, v *string) { p.Province = v },
	}
	now := e.now()
	errs := race(len(fields), func(i int) error {
		var p address.Patch
		fields[i](&p, ptr(fmt.Sprintf("Changed %d", i)))
		return e.editAfterRead(c.ID, func(b *address.Book) error {
			_, err := b.Update(id, p, now)
			return err
		})
	})
	for i, err := range errs {
		assert.NoError(t, err, "update %d", i)
	}
	got, ok := e.book(c.ID).Get(id)
	require.True(t, ok)
	want := []string{got.FirstName, got.LastName, got.Company, got.Line1, got.Line2, got.City, got.PostalCode, got.Province}
	for i, v := range want {
		assert.Equal(t, fmt.Sprintf("Changed %d", i), v, "the change of field %d survives", i)
	}
}

// bookHasOneDefaultEach checks the invariant of a non-empty book.
func bookHasOneDefaultEach(t *testing.T, b address.Book) {
	t.Helper()
	var shipping, billing int
	for _, e := range b.Entries {
		if e.DefaultShipping {
			shipping++
		}
		if e.DefaultBilling {
			billing++
		}
	}
	assert.Equal(t, 1, shipping, "default shipping addresses")
	assert.Equal(t, 1, billing, "default billing addresses")
}

// Sixteen concurrent SetDefault calls on one book, of both kinds: all
// succeed (no conflict on the default index), and the book keeps one
// default of each kind.
func raceSetDefault(t *testing.T, e *env) {
	c := e.newCustomer()
	lines := make([]string, 8)
	for i := range lines {
		lines[i] = fmt.Sprintf("%d Main St", i+1)
	}
	b := e.addEntries(c.ID, lines...)
	now := e.now()
	errs := race(16, func(i int) error {
		k := address.Shipping
		if i%2 == 1 {
			k = address.Billing
		}
		return e.editAfterRead(c.ID, func(bk *address.Book) error {
			return bk.SetDefault(b.Entries[i/2].ID, k, now)
		})
	})
	for i, err := range errs {
		assert.NoError(t, err, "SetDefault %d", i)
	}
	bookHasOneDefaultEach(t, e.book(c.ID))
}

// Sixteen concurrent adds to an empty book: all succeed, and the book holds
// sixteen entries with one default of each kind (the first one added).
func raceAddToEmptyBook(t *testing.T, e *env) {
	c := e.newCustomer()
	ids := make([]uuid.UUID, 16)
	for i := range ids {
		ids[i] = e.id()
	}
	now := e.now()
	errs := race(len(ids), func(i int) error {
		return e.editAfterRead(c.ID, func(b *address.Book) error {
			_, err := b.Add(ids[i], validAddress(fmt.Sprintf("%d Main St", i+1)), now)
			return err
		})
	})
	for i, err := range errs {
		assert.NoError(t, err, "Add %d", i)
	}
	got := e.book(c.ID)
	assert.Len(t, got.Entries, len(ids))
	bookHasOneDefaultEach(t, got)
}

// Thirty-two concurrent order payments, each debiting min(available, total)
// read with AccountFor in its transaction (as Balances.ApplyToOrder does):
// all succeed, and since they ask for more than the balance, they take
// exactly all of it.
func raceDebitAvailable(t *testing.T, e *env) {
	const n = 32
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("100.00"))
	usd := balance.MustCurrency("USD")
	postings := make([]balance.Posting, n)
	for i := range postings {
		postings[i] = e.posting(a, e.usd("-1.00"), withKey(fmt.Sprintf("order-%d", i))) // IDs and times; the amount is set in the race
	}
	applied := make([]balance.Money, n)
	errs := race(n, func(i int) error {
		total, err := balance.NewMoneyFromMinorUnits(int64(400+i*53), usd) // 4.00 to 20.43
		if err != nil {
			return err
		}
		return e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			applied[i] = balance.Zero(usd)
			if _, err := tx.Customers().Get(ctx, c.ID); err != nil {
				return err
			}
			acct, err := tx.Balances().AccountFor(ctx, c.ID, usd)
			if err != nil {
				return err
			}
			app, err := acct.ApplyToOrder(total)
			if err != nil || app.Applied.IsZero() {
				return err
			}
			p := postings[i]
			p.Amount = app.Applied.Neg()
			if _, err := tx.Balances().Post(ctx, p); err != nil {
				return err
			}
			applied[i] = app.Applied
			return nil
		})
	})
	sum := balance.Zero(usd)
	for i, err := range errs {
		if !assert.NoError(t, err, "payment %d", i) {
			continue
		}
		var err error
		sum, err = sum.Add(applied[i])
		require.NoError(t, err)
	}
	assert.True(t, sum.Equal(e.usd("100.00")), "the payments took %s of 100.00", sum)
	got, _ := e.checkLedger(a.ID)
	assert.True(t, got.Balance.IsZero(), "balance %s", got.Balance)
}
