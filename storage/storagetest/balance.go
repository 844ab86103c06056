package storagetest

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

func balanceCases() []testCase {
	return []testCase{
		{"CreateAccountReturnsVersion1", balanceCreateAccount},
		{"CreateAccountDuplicateID", balanceCreateAccountDuplicateID},
		{"CreateAccountOnePerCustomerAndCurrency", balanceOneAccountPerCurrency},
		{"CreateAccountUnknownCustomer", balanceCreateAccountUnknownCustomer},
		{"GetAccountMissing", balanceGetAccountMissing},
		{"AccountFor", balanceAccountFor},
		{"PostToCustomer", balancePostToCustomer},
		{"PostToCustomerExpiresDueLots", balancePostToCustomerExpires},
		{"PostToCustomerConcurrent", balancePostToCustomerConcurrent},
		{"AccountsOrderedByCurrency", balanceAccountsOrdered},
		{"PostAppliesInSequence", balancePostAppliesInSequence},
		{"PostEnforcesFloor", balancePostEnforcesFloor},
		{"PostMissingAccount", balancePostMissingAccount},
		{"PostCurrencyMismatch", balancePostCurrencyMismatch},
		{"PostDuplicateID", balancePostDuplicateID},
		{"IdempotencyKeyUniquePerAccount", balanceIdempotencyKeyUnique},
		{"EmptyIdempotencyKeyIsNoKey", balanceEmptyIdempotencyKey},
		{"PostingByKey", balancePostingByKey},
		{"CreditLimitLowersFloor", balanceCreditLimit},
		{"UpdateAccountRefusesOtherChanges", balanceUpdateAccountRefuses},
		{"UpdateAccountFnErrorWritesNothing", balanceUpdateAccountFnError},
		{"UpdateAccountMissing", balanceUpdateAccountMissing},
		{"PostingsOrderedBySequence", balancePostingsOrdered},
		{"PostingsMissingAccount", balancePostingsMissingAccount},
		{"BalanceEqualsSumOfPostings", balanceEqualsSum},
	}
}

// postings returns the whole ledger of an account, walking pages of limit.
func (e *env) postings(accountID uuid.UUID, limit int) []balance.Posting {
	e.t.Helper()
	return walk(e.t, limit, func(p storage.PageRequest) (storage.Page[balance.Posting], error) {
		return e.store.Balances().Postings(e.ctx, accountID, p)
	})
}

// checkLedger asserts the ledger invariants of an account: Balance is the
// sum of the postings, Postings their number, Sequences run 1..n without
// gaps, and every EndingBalance is the running sum.
func (e *env) checkLedger(accountID uuid.UUID) (balance.Account, []balance.Posting) {
	t := e.t
	t.Helper()
	a := e.getAccount(accountID)
	ps := e.postings(accountID, storage.MaxPageLimit)
	sum := balance.Zero(a.Currency)
	for i, p := range ps {
		var err error
		sum, err = sum.Add(p.Amount)
		require.NoError(t, err)
		assert.Equal(t, int64(i+1), p.Sequence, "Sequences run 1..n without gaps")
		assertMoney(t, "EndingBalance is the running sum", sum, p.EndingBalance)
		assert.Equal(t, accountID, p.AccountID)
		assert.Equal(t, a.CustomerID, p.CustomerID)
	}
	assertMoney(t, "Balance is the sum of the postings", sum, a.Balance)
	assert.Equal(t, int64(len(ps)), a.Postings, "Postings counts the ledger")
	e.checkLots(accountID)
	return a, ps
}

func balanceCreateAccount(t *testing.T, e *env) {
	c := e.newCustomer()
	a := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("EUR"), e.now())
	require.NoError(t, a.SetCreditLimit(money(t, "250.00", "EUR"), e.now()))
	a.Version = 3
	out, err := e.store.Balances().CreateAccount(e.ctx, a)
	require.NoError(t, err)
	want := a
	want.Version = 1
	assertAccount(t, want, out, "CreateAccount's result")
	assertAccount(t, want, e.getAccount(a.ID), "GetAccount")
	got, err := e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("EUR"))
	require.NoError(t, err)
	assertAccount(t, want, got, "AccountFor")
}

func balanceCreateAccountDuplicateID(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	dup := balance.NewAccount(a.ID, c.ID, balance.MustCurrency("EUR"), e.now())
	_, err := e.store.Balances().CreateAccount(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	_, err = e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("EUR"))
	requireNotFound(t, err, "nothing is written on conflict")
	assertAccount(t, a, e.getAccount(a.ID))
}

func balanceOneAccountPerCurrency(t *testing.T, e *env) {
	c := e.newCustomer()
	other := e.newCustomer()
	usd := e.createAccount(c.ID, "USD")
	dup := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now())
	_, err := e.store.Balances().CreateAccount(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintBalanceAccount)
	_, err = e.store.Balances().GetAccount(e.ctx, dup.ID)
	requireNotFound(t, err, "nothing is written on conflict")

	e.createAccount(c.ID, "EUR")     // another currency
	e.createAccount(other.ID, "USD") // another customer
	got, err := e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("USD"))
	require.NoError(t, err)
	assert.Equal(t, usd.ID, got.ID)
}

func balanceCreateAccountUnknownCustomer(t *testing.T, e *env) {
	a := balance.NewAccount(e.id(), e.id(), balance.MustCurrency("USD"), e.now())
	_, err := e.store.Balances().CreateAccount(e.ctx, a)
	requireNotLive(t, err)
	_, err = e.store.Balances().GetAccount(e.ctx, a.ID)
	requireNotFound(t, err, "nothing is written")

	// A deleted customer opens no new account either.
	c := e.newCustomer()
	e.deleteCustomer(c.ID)
	a = balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now())
	_, err = e.store.Balances().CreateAccount(e.ctx, a)
	requireNotLive(t, err, "an account for a deleted customer")
	_, err = e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("USD"))
	requireNotFound(t, err, "nothing is written")
}

func balanceGetAccountMissing(t *testing.T, e *env) {
	_, err := e.store.Balances().GetAccount(e.ctx, e.id())
	requireNotFound(t, err)
}

func balanceAccountFor(t *testing.T, e *env) {
	c := e.newCustomer()
	usd := e.createAccount(c.ID, "USD")
	eur := e.createAccount(c.ID, "EUR")
	got, err := e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("USD"))
	require.NoError(t, err)
	assertAccount(t, usd, got)
	got, err = e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("EUR"))
	require.NoError(t, err)
	assertAccount(t, eur, got)
	_, err = e.store.Balances().AccountFor(e.ctx, c.ID, balance.MustCurrency("JPY"))
	requireNotFound(t, err)
	_, err = e.store.Balances().AccountFor(e.ctx, e.id(), balance.MustCurrency("USD"))
	requireNotFound(t, err)
}

func balanceAccountsOrdered(t *testing.T, e *env) {
	c := e.newCustomer()
	other := e.newCustomer()
	var want []balance.Account
	for _, code := range []string{"USD", "CHF", "JPY", "EUR"} {
		want = append(want, e.createAccount(c.ID, code))
	}
	e.createAccount(other.ID, "GBP")
	got, err := e.store.Balances().Accounts(e.ctx, c.ID)
	require.NoError(t, err)
	var codes []string
	for _, a := range got {
		codes = append(codes, a.Currency.Code())
	}
	assert.Equal(t, []string{"CHF", "EUR", "JPY", "USD"}, codes, "ordered by currency code")
	for _, a := range got {
		for _, w := range want {
			if w.ID == a.ID {
				assertAccount(t, w, a)
			}
		}
	}
	none, err := e.store.Balances().Accounts(e.ctx, e.newCustomer().ID)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func balancePostAppliesInSequence(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	steps := []struct {
		kind   balance.Kind
		amount string
		ending string
	}{
		{balance.KindGiftCard, "10.00", "10.00"},
		{balance.KindOrderPayment, "-3.50", "6.50"},
		{balance.KindAdjustment, "0.01", "6.51"},
		{balance.KindRefund, "100", "106.51"},
		{balance.KindExpiry, "-6.51", "100.00"},
	}
	var stored []balance.Posting
	for i, s := range steps {
		p, err := balance.NewPosting(e.id(), a, balance.PostingParams{
			Kind: s.kind, Amount: e.usd(s.amount), Reference: "order #" + s.amount,
			IdempotencyKey: "key-" + s.amount, Actor: "admin@example.com", Note: "step\nnote",
		}, e.now())
		require.NoError(t, err)
		in := p
		p.Sequence, p.EndingBalance = 99, e.usd("12345") // the adapter assigns these
		out, err := e.store.Balances().Post(e.ctx, p)
		require.NoError(t, err, "posting %s", s.amount)
		want := in
		want.Sequence = int64(i + 1)
		want.EndingBalance = e.usd(s.ending)
		assertPosting(t, want, out, "Post's result for step %d", i+1)
		stored = append(stored, out)
	}
	acc, ledger := e.checkLedger(a.ID)
	assertMoney(t, "Balance", e.usd("100"), acc.Balance)
	assert.Equal(t, int64(5), acc.Postings)
	require.Len(t, ledger, len(stored))
	for i := range stored {
		assertPosting(t, stored[i], ledger[i], "Postings[%d]", i)
	}
}

func balancePostEnforcesFloor(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("5.00"))
	before := e.getAccount(a.ID)

	p := e.posting(a, e.usd("-5.01"), withKey("too-much"))
	_, err := e.store.Balances().Post(e.ctx, p)
	require.ErrorIs(t, err, balance.ErrInsufficientFunds)
	assertAccount(t, before, e.getAccount(a.ID), "nothing is written when the floor would be broken")
	_, err = e.store.Balances().PostingByKey(e.ctx, a.ID, "too-much")
	requireNotFound(t, err, "the refused posting is not stored")
	assert.Len(t, e.postings(a.ID, 0), 1)

	// The refused ID and key stay free: exactly the balance can be spent.
	exact := e.posting(a, e.usd("-5.00"), withKey("too-much"))
	exact.ID = p.ID
	_, err = e.store.Balances().Post(e.ctx, exact)
	require.NoError(t, err)
	acc, _ := e.checkLedger(a.ID)
	assertMoney(t, "Balance", e.usd("0"), acc.Balance)
	_, err = e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-0.01")))
	require.ErrorIs(t, err, balance.ErrInsufficientFunds, "the floor is zero without a credit limit")
	e.checkLedger(a.ID)
}

func balancePostMissingAccount(t *testing.T, e *env) {
	c := e.newCustomer()
	a := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now()) // never stored
	_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd("1.00")))
	requireNotFound(t, err)
}

func balancePostCurrencyMismatch(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("10.00"))
	before := e.getAccount(a.ID)
	eur := a
	eur.Currency = balance.MustCurrency("EUR")
	eur.Balance, eur.CreditLimit = balance.Zero(eur.Currency), balance.Zero(eur.Currency)
	p := e.posting(eur, money(t, "1.00", "EUR")) // AccountID of the USD account
	_, err := e.store.Balances().Post(e.ctx, p)
	require.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	assertAccount(t, before, e.getAccount(a.ID), "nothing is written")
	assert.Len(t, e.postings(a.ID, 0), 1)
}

func balancePostDuplicateID(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	first := e.post(a, e.usd("1.00"))
	before := e.getAccount(a.ID)
	dup := e.posting(a, e.usd("2.00"), withKey("dup"))
	dup.ID = first.ID
	_, err := e.store.Balances().Post(e.ctx, dup)
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	assertAccount(t, before, e.getAccount(a.ID), "nothing is written on conflict")
	_, err = e.store.Balances().PostingByKey(e.ctx, a.ID, "dup")
	requireNotFound(t, err)

	// Posting IDs are unique across accounts too.
	b := e.createAccount(c.ID, "EUR")
	dup2 := e.posting(b, money(t, "1.00", "EUR"))
	dup2.ID = first.ID
	_, err = e.store.Balances().Post(e.ctx, dup2)
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	assert.Empty(t, e.postings(b.ID, 0))
}

func balanceIdempotencyKeyUnique(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	b := e.createAccount(c.ID, "EUR")
	first := e.post(a, e.usd("10.00"), withKey("order-1"))
	before := e.getAccount(a.ID)

	_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd("10.00"), withKey("order-1")))
	requireConflict(t, err, storage.ConstraintIdempotencyKey, "the same request again")
	_, err = e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-1.00"), withKey("order-1")))
	requireConflict(t, err, storage.ConstraintIdempotencyKey, "another request with the same key")
	assertAccount(t, before, e.getAccount(a.ID), "nothing is written on conflict")
	got, err := e.store.Balances().PostingByKey(e.ctx, a.ID, "order-1")
	require.NoError(t, err)
	assertPosting(t, first, got, "the first posting keeps the key")

	// Keys are per account, and compared exactly.
	e.post(b, money(t, "1.00", "EUR"), withKey("order-1"))
	e.post(a, e.usd("1.00"), withKey("ORDER-1"))
	e.post(a, e.usd("1.00"), withKey("order-1 "))
	e.checkLedger(a.ID)
}

func balanceEmptyIdempotencyKey(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	for range 3 {
		e.post(a, e.usd("1.00"), withKey("")) // no key: never a conflict
	}
	acc, _ := e.checkLedger(a.ID)
	assertMoney(t, "Balance", e.usd("3.00"), acc.Balance)
	_, err := e.store.Balances().PostingByKey(e.ctx, a.ID, "")
	requireNotFound(t, err, "the empty key finds nothing")
}

func balancePostingByKey(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	b := e.createAccount(c.ID, "EUR")
	e.post(a, e.usd("1.00"), withKey("k1"))
	p2 := e.post(a, e.usd("2.00"), withKey("k2"))
	got, err := e.store.Balances().PostingByKey(e.ctx, a.ID, "k2")
	require.NoError(t, err)
	assertPosting(t, p2, got)
	_, err = e.store.Balances().PostingByKey(e.ctx, a.ID, "k3")
	requireNotFound(t, err)
	_, err = e.store.Balances().PostingByKey(e.ctx, b.ID, "k2")
	requireNotFound(t, err, "keys belong to their account")
	_, err = e.store.Balances().PostingByKey(e.ctx, e.id(), "k2")
	requireNotFound(t, err, "unknown account")
}

func balanceCreditLimit(t *testing.T, e *env) {
	c := e.newCustomer(withBusiness())
	a := e.createAccount(c.ID, "USD")
	now := e.now()
	out, err := e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
		return a.SetCreditLimit(e.usd("50.00"), now)
	})
	require.NoError(t, err)
	want := a
	want.CreditLimit = e.usd("50.00")
	want.UpdatedAt = now
	want.Version = 2
	assertAccount(t, want, out, "UpdateAccount's result")
	assertAccount(t, want, e.getAccount(a.ID), "GetAccount")

	p := e.post(a, e.usd("-30.00"))
	assertMoney(t, "EndingBalance", e.usd("-30.00"), p.EndingBalance)
	p = e.post(a, e.usd("-20.00"))
	assertMoney(t, "EndingBalance", e.usd("-50.00"), p.EndingBalance)
	_, err = e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-0.01")))
	require.ErrorIs(t, err, balance.ErrInsufficientFunds, "the floor is -CreditLimit")
	acc, _ := e.checkLedger(a.ID)
	assertMoney(t, "Balance", e.usd("-50.00"), acc.Balance)

	// Lowering the limit below the debt is refused by the domain inside fn.
	_, err = e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
		return a.SetCreditLimit(e.usd("10.00"), e.now())
	})
	require.ErrorIs(t, err, balance.ErrInsufficientFunds)
	assertMoney(t, "CreditLimit", e.usd("50.00"), e.getAccount(a.ID).CreditLimit)

	// The adapter keeps the floor even when fn bypasses the domain method.
	for _, limit := range []string{"10.00", "-5.00"} {
		_, err = e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
			a.CreditLimit = e.usd(limit)
			return nil
		})
		require.ErrorIs(t, err, balance.ErrInvalid, "credit limit %s set directly", limit)
		assertMoney(t, "CreditLimit", e.usd("50.00"), e.getAccount(a.ID).CreditLimit)
	}
}

func balanceUpdateAccountRefuses(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("10.00"))
	before := e.getAccount(a.ID)
	other := e.newCustomer()
	changes := []struct {
		name string
		fn   func(*balance.Account)
	}{
		{"Balance", func(a *balance.Account) { a.Balance = e.usd("1000.00") }},
		{"Postings", func(a *balance.Account) { a.Postings = 7 }},
		{"CustomerID", func(a *balance.Account) { a.CustomerID = other.ID }},
		{"Currency", func(a *balance.Account) {
			eur := balance.MustCurrency("EUR")
			a.Currency, a.Balance, a.CreditLimit = eur, money(t, "10.00", "EUR"), balance.Zero(eur)
		}},
		{"CreatedAt", func(a *balance.Account) { a.CreatedAt = a.CreatedAt.Add(-1e9) }},
	}
	for _, ch := range changes {
		_, err := e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
			ch.fn(a)
			return nil
		})
		require.Error(t, err, "changing %s through UpdateAccount", ch.name)
		assert.ErrorIs(t, err, storage.ErrConflict, "changing %s through UpdateAccount", ch.name)
		assertAccount(t, before, e.getAccount(a.ID), "nothing is written after changing %s", ch.name)
	}
	_, err := e.store.Balances().AccountFor(e.ctx, other.ID, balance.MustCurrency("USD"))
	requireNotFound(t, err)
}

func balanceUpdateAccountFnError(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	want := &sentinel{"account update refused"}
	_, err := e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
		if err := a.SetCreditLimit(e.usd("99.00"), e.now()); err != nil {
			return err
		}
		return want
	})
	requireSame(t, want, err)
	assertAccount(t, a, e.getAccount(a.ID), "nothing is written when fn fails")
}

func balanceUpdateAccountMissing(t *testing.T, e *env) {
	called := false
	_, err := e.store.Balances().UpdateAccount(e.ctx, e.id(), func(*balance.Account) error {
		called = true
		return nil
	})
	requireNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing account")
}

func balancePostingsOrdered(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	b := e.createAccount(c.ID, "EUR")
	var want []balance.Posting
	for i := range 7 {
		want = append(want, e.post(a, e.usd("1.00")))
		if i%2 == 0 {
			e.post(b, money(t, "1.00", "EUR")) // interleaved with another ledger
		}
	}
	for _, limit := range []int{0, 1, 3, 7, 8} {
		got := e.postings(a.ID, limit)
		require.Len(t, got, len(want), "pages of %d", limit)
		for i := range want {
			assertPosting(t, want[i], got[i], "pages of %d: posting %d", limit, i)
		}
	}
	page, err := e.store.Balances().Postings(e.ctx, a.ID, storage.PageRequest{Limit: 7})
	require.NoError(t, err)
	assert.Len(t, page.Items, 7)
	assert.Empty(t, page.Next, "no Next on the last page")

	empty := e.createAccount(c.ID, "JPY")
	page, err = e.store.Balances().Postings(e.ctx, empty.ID, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Empty(t, page.Next)
}

func balancePostingsMissingAccount(t *testing.T, e *env) {
	_, err := e.store.Balances().Postings(e.ctx, e.id(), storage.PageRequest{})
	requireNotFound(t, err)
}

func balanceEqualsSum(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "EUR")
	amounts := []string{"12.34", "-0.34", "100", "-112.00", "0.99", "-0.99", "7.77"}
	for _, s := range amounts {
		_, err := e.store.Balances().Post(e.ctx, e.posting(a, money(t, s, "EUR")))
		require.NoError(t, err, "posting %s", s)
		// A refused debit in between changes nothing.
		_, err = e.store.Balances().Post(e.ctx, e.posting(a, money(t, "-1000000", "EUR")))
		require.True(t, errors.Is(err, balance.ErrInsufficientFunds), "want ErrInsufficientFunds, got %v", err)
	}
	acc, ps := e.checkLedger(a.ID)
	assert.Len(t, ps, len(amounts))
	assertMoney(t, "Balance", money(t, "7.77", "EUR"), acc.Balance)
}
