package storagetest

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// The optional capabilities that save the services a round trip on their
// hot paths: storage.CustomerEmailLookup and storage.AccountPosts.

// emailLookup returns the CustomerEmailLookup capability of the store's
// customers repository, skipping the test without it.
func emailLookup(t *testing.T, e *env) storage.CustomerEmailLookup {
	t.Helper()
	l, ok := e.store.Customers().(storage.CustomerEmailLookup)
	if !ok {
		t.Skipf("the customers repository (%T) lacks the storage.CustomerEmailLookup capability", e.store.Customers())
	}
	return l
}

// customerLookupEmail: the live customer with the address, the registered
// one before the guest, never a deleted one; byte-exact on the canonical
// form; hostile and oversized keys.
func customerLookupEmail(t *testing.T, e *env) {
	l := emailLookup(t, e)
	guest := e.createCustomer(e.guest(withEmail("ada@example.com")))
	got, err := l.LookupEmail(e.ctx, "ada@example.com")
	require.NoError(t, err)
	assertCustomer(t, guest, got, "the guest, while no one registered the address")

	registered := e.newCustomer(withEmail("ada@example.com"))
	got, err = l.LookupEmail(e.ctx, "ada@example.com")
	require.NoError(t, err)
	assertCustomer(t, registered, got, "the registered customer before the guest")

	e.deleteCustomer(registered.ID)
	got, err = l.LookupEmail(e.ctx, "ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, guest.ID, got.ID, "a deleted customer is not found: the guest again")

	e.deleteCustomer(guest.ID)
	only := e.newCustomer(withEmail("bob@example.com"))
	got, err = l.LookupEmail(e.ctx, "bob@example.com")
	require.NoError(t, err)
	assert.Equal(t, only.ID, got.ID)

	for _, k := range []string{"ada@example.com", "ADA@example.com", "", "a\x00b", "\xff", "' OR 1=1 --", "%"} {
		_, err := l.LookupEmail(e.ctx, k)
		require.ErrorIs(t, err, storage.ErrNotFound, "%q", k)
	}
	_, err = l.LookupEmail(e.ctx, strings.Repeat("k", storage.MaxKeyBytes+1))
	requireTooLarge(t, err, "canonicalEmail")
}

// accountPosts returns the AccountPosts capability of the store's
// balances repository, skipping the test without it.
func accountPosts(t *testing.T, e *env) storage.AccountPosts {
	t.Helper()
	p, ok := e.store.Balances().(storage.AccountPosts)
	if !ok {
		t.Skipf("the balances repository (%T) lacks the storage.AccountPosts capability", e.store.Balances())
	}
	return p
}

// customerPosting builds a posting to the customer's account in amount's
// currency, its account left to the store (balance.NewCustomerPosting).
func (e *env) customerPosting(customerID uuid.UUID, amount balance.Money, at time.Time, opts ...postingOption) balance.Posting {
	e.t.Helper()
	p := balance.PostingParams{Kind: kindFor(amount), Amount: amount, Reference: "ref", Actor: "storagetest"}
	for _, o := range opts {
		o(&p)
	}
	out, err := balance.NewCustomerPosting(e.id(), customerID, p, at)
	require.NoError(e.t, err, "building a posting of %s", amount)
	require.Equal(e.t, uuid.Nil, out.AccountID)
	return out
}

// balancePostToCustomer: a posting finds the customer's account by
// currency, does what Post does and says so; the account as locked comes
// back with it.
func balancePostToCustomer(t *testing.T, e *env) {
	r := accountPosts(t, e)
	c := e.newCustomer()
	usd := e.createAccount(c.ID, "USD")
	eur := e.createAccount(c.ID, "EUR")
	e.post(eur, money(t, "1.00", "EUR"))

	done, err := r.PostToCustomer(e.ctx, e.customerPosting(c.ID, e.usd("12.50"), e.now(), withKey("k1")))
	require.NoError(t, err)
	assert.Equal(t, usd.ID, done.Posting.AccountID, "the customer's account in the posting's currency")
	assert.Equal(t, int64(1), done.Posting.Sequence)
	assert.Equal(t, "12.50", done.Posting.EndingBalance.Amount().StringFixed(2))
	assert.Equal(t, usd.ID, done.Account.ID)
	assert.Equal(t, usd.Version, done.Account.Version, "the account as it was locked, before the posting")
	assert.Empty(t, done.Expired)
	a, postings := e.checkLedger(usd.ID)
	assert.Equal(t, "12.50", a.Balance.Amount().StringFixed(2))
	require.Len(t, postings, 1)
	assertPosting(t, done.Posting, postings[0])
	assert.Equal(t, usd.Version+1, a.Version)

	// A debit, and a posting naming its account, as Post.
	done, err = r.PostToCustomer(e.ctx, e.customerPosting(c.ID, e.usd("-2.50"), e.now()))
	require.NoError(t, err)
	assert.Equal(t, "10.00", done.Posting.EndingBalance.Amount().StringFixed(2))
	named := e.posting(usd, e.usd("1.00"))
	done, err = r.PostToCustomer(e.ctx, named)
	require.NoError(t, err)
	assert.Equal(t, int64(3), done.Posting.Sequence)
	e.checkLots(usd.ID)

	// The key is the account's: taken, nothing is written.
	_, err = r.PostToCustomer(e.ctx, e.customerPosting(c.ID, e.usd("1.00"), e.now(), withKey("k1")))
	require.True(t, storage.IsConflict(err, storage.ConstraintIdempotencyKey), "%v", err)
	_, err = r.PostToCustomer(e.ctx, e.customerPosting(c.ID, money(t, "1.00", "EUR"), e.now(), withKey("k1")))
	require.NoError(t, err, "another account's key")

	// Beyond the floor: nothing is written.
	_, err = r.PostToCustomer(e.ctx, e.customerPosting(c.ID, e.usd("-11.01"), e.now()))
	require.ErrorIs(t, err, balance.ErrInsufficientFunds)
	a, postings = e.checkLedger(usd.ID)
	assert.Equal(t, "11.00", a.Balance.Amount().StringFixed(2))
	assert.Len(t, postings, 3)

	// No account in the currency: ErrNotFound, not a dead customer.
	_, err = r.PostToCustomer(e.ctx, e.customerPosting(c.ID, money(t, "1.00", "GBP"), e.now()))
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.False(t, errors.Is(err, storage.ErrCustomerNotLive), "%v", err)
	_, err = r.PostToCustomer(e.ctx, e.customerPosting(e.id(), e.usd("1.00"), e.now()))
	require.ErrorIs(t, err, storage.ErrNotFound)

	// Another customer's account named: refused, nothing written.
	other := e.newCustomer()
	wrong := e.posting(usd, e.usd("1.00"))
	wrong.CustomerID = other.ID
	_, err = r.PostToCustomer(e.ctx, wrong)
	require.ErrorIs(t, err, balance.ErrInvalid)
	_, postings = e.checkLedger(usd.ID)
	assert.Len(t, postings, 3)

	// A deleted customer's account takes nothing.
	e.deleteCustomer(c.ID)
	_, err = r.PostToCustomer(e.ctx, e.customerPosting(c.ID, e.usd("1.00"), e.now()))
	require.ErrorIs(t, err, storage.ErrCustomerNotLive)
	_, postings = e.checkLedger(usd.ID)
	assert.Len(t, postings, 3)
}

// balancePostToCustomerExpires: the lots due at the posting's time expire
// first, and their expiry postings come back, in order, before it.
func balancePostToCustomerExpires(t *testing.T, e *env) {
	r := accountPosts(t, e)
	if _, ok := e.store.Balances().(storage.CreditLots); !ok {
		t.Skipf("the store's Balances (%T) lacks the storage.CreditLots capability", e.store.Balances())
	}
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	start := e.now()
	first := e.post(a, e.usd("3.00"), withExpiry(start.Add(time.Hour)))
	second := e.post(a, e.usd("4.00"), withExpiry(start.Add(2*time.Hour)))
	e.post(a, e.usd("5.00"))
	before := e.getAccount(a.ID)

	done, err := r.PostToCustomer(e.ctx, e.customerPosting(c.ID, e.usd("-1.00"), start.Add(3*time.Hour)))
	require.NoError(t, err)
	require.Len(t, done.Expired, 2)
	assert.Equal(t, "-3.00", done.Expired[0].Amount.Amount().StringFixed(2))
	assert.Equal(t, "-4.00", done.Expired[1].Amount.Amount().StringFixed(2))
	assert.Equal(t, balance.ExpiryKey(first.ID), done.Expired[0].IdempotencyKey)
	assert.Equal(t, balance.ExpiryKey(second.ID), done.Expired[1].IdempotencyKey)
	assert.Equal(t, before.Postings+3, done.Posting.Sequence, "the posting follows its expiries")
	assert.Equal(t, "4.00", done.Posting.EndingBalance.Amount().StringFixed(2))
	assert.Equal(t, before.Version, done.Account.Version)
	got, postings := e.checkLedger(a.ID)
	assert.Equal(t, before.Version+3, got.Version, "one version per posting")
	require.Len(t, postings, 6)
	assertPosting(t, done.Expired[0], postings[3])
	assertPosting(t, done.Posting, postings[5])
	e.checkLots(a.ID)
}

// balancePostToCustomerConcurrent: postings racing on one account by
// customer serialize; none is lost, none goes below the floor.
func balancePostToCustomerConcurrent(t *testing.T, e *env) {
	r := accountPosts(t, e)
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("5.00"))
	const n = 16
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		ok, poor int
	)
	for range n {
		p := e.customerPosting(c.ID, e.usd("-1.00"), e.now())
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.PostToCustomer(e.ctx, p)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, balance.ErrInsufficientFunds):
				poor++
			default:
				t.Errorf("PostToCustomer: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 5, ok, "five debits of 1.00 fit in 5.00")
	assert.Equal(t, n-5, poor)
	got, _ := e.checkLedger(a.ID)
	assert.True(t, got.Balance.IsZero(), "balance %s", got.Balance)
	e.checkLots(a.ID)
}
