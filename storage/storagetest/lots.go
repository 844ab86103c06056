package storagetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// The Lots area covers storage.CreditLots: the lots Post keeps, the expiry
// of due lots before a posting and in ExpireDue, the due-lot index, and the
// invariant balance == sum(lots) - debt, which env.post also checks after
// every posting of every other case on a store with the capability.

func lotsCases() []testCase {
	return []testCase{
		{"CreditMakesLot", needsLots(lotsCreditMakesLot)},
		{"PostingExpiresAtRoundTrip", needsLots(lotsExpiresAtRoundTrip)},
		{"DebitTakesSoonestExpiryFirst", needsLots(lotsDebitOrder)},
		{"DebitAcrossManyLots", needsLots(lotsDebitManyLots)},
		{"CreditRepaysDebtFirst", needsLots(lotsRepayDebt)},
		{"PostExpiresDueLotsFirst", needsLots(lotsPostExpiresFirst)},
		{"FailedPostWritesNoLot", needsLots(lotsFailedPost)},
		{"ExpireDueOnce", needsLots(lotsExpireDueOnce)},
		{"ExpireDueMissingAccount", needsLots(lotsExpireDueMissing)},
		{"ExpireDueDeletedCustomer", needsLots(lotsExpireDueDeleted)},
		{"LotsMissingAccount", needsLots(lotsMissingAccount)},
		{"DueLotsPaged", needsLots(lotsDuePaged)},
		{"DueLotsInvalidCursor", needsLots(lotsDueInvalidCursor)},
		{"AtomicRollbackLeavesNoLot", needsLots(lotsAtomicRollback)},
		{"ConcurrentDebitsNeverOverdrawALot", needsLots(lotsConcurrentDebits)},
		{"ConcurrentExpiryPostsOnce", needsLots(lotsConcurrentExpiry)},
		{"ReadThenPostInTransaction", needsLots(lotsReadThenPost)},
		{"DebitWaitingForTheLock", needsLots(lotsDebitWaitsForLock)},
		{"HostileInput", needsLots(lotsHostile)},
		{"CanceledContext", needsLots(lotsCanceled)},
		{"RandomOperationsKeepTheInvariant", needsLots(lotsRandom)},
	}
}

// needsLots skips a Lots case on a store that lacks the capability.
func needsLots(run func(t *testing.T, e *env, r storage.CreditLots)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		r, ok := e.store.Balances().(storage.CreditLots)
		if !ok {
			t.Skipf("the store's Balances (%T) lacks the storage.CreditLots capability", e.store.Balances())
		}
		run(t, e, r)
	}
}

// withExpiry sets the posting's expiry.
func withExpiry(at time.Time) postingOption {
	return func(p *balance.PostingParams) { p.ExpiresAt = at }
}

// checkLots asserts the lots invariant of an account (balance.Book.Check)
// on a store with the capability, and returns the lots.
func (e *env) checkLots(accountID uuid.UUID) []balance.Lot {
	e.t.Helper()
	r, ok := e.store.Balances().(storage.CreditLots)
	if !ok {
		return nil
	}
	lots, err := r.Lots(e.ctx, accountID)
	require.NoError(e.t, err, "lots of account %s", accountID)
	a := e.getAccount(accountID)
	require.NoError(e.t, balance.Book{Account: a, Lots: lots}.Check(), "balance == sum(lots) - debt")
	for i := 1; i < len(lots); i++ {
		assert.LessOrEqual(e.t, balance.CompareLots(lots[i-1], lots[i]), 0, "Lots returns the consumption order")
	}
	return lots
}

// lotByID returns the lot with the ID, failing when there is none.
func lotByID(t *testing.T, lots []balance.Lot, id uuid.UUID) balance.Lot {
	t.Helper()
	for _, l := range lots {
		if l.ID == id {
			return l
		}
	}
	t.Fatalf("no lot %s among %d", id, len(lots))
	return balance.Lot{}
}

func lotsCreditMakesLot(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	exp := baseTime.Add(30 * 24 * time.Hour)
	p := e.post(a, e.usd("12.34"), withExpiry(exp))
	never := e.post(a, e.usd("1.00"))
	lots := e.checkLots(a.ID)
	require.Len(t, lots, 2)
	l := lots[0]
	assert.Equal(t, p.ID, l.ID, "a lot has its credit's ID")
	assert.Equal(t, a.ID, l.AccountID)
	assertMoney(t, "Amount", e.usd("12.34"), l.Amount)
	assertMoney(t, "Remaining", e.usd("12.34"), l.Remaining)
	assert.True(t, exp.Equal(l.ExpiresAt), "ExpiresAt %s, want %s", l.ExpiresAt, exp)
	assert.Equal(t, time.UTC, l.ExpiresAt.Location())
	assert.True(t, p.CreatedAt.Equal(l.CreatedAt))
	assert.Equal(t, p.Sequence, l.Sequence)
	assert.Equal(t, never.ID, lots[1].ID, "a never-expiring lot comes last")
	assert.False(t, lots[1].Expires())
}

func lotsExpiresAtRoundTrip(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "EUR")
	exp := time.Date(2031, 2, 3, 4, 5, 6, 789012000, time.FixedZone("x", 3600))
	p := e.post(a, money(t, "5.00", "EUR"), withExpiry(exp), withKey("exp"))
	assert.True(t, exp.Equal(p.ExpiresAt))
	for _, got := range []balance.Posting{e.postings(a.ID, 10)[0], must(r2(e.store.Balances().PostingByKey(e.ctx, a.ID, "exp")))(t)} {
		assert.True(t, exp.Equal(got.ExpiresAt), "stored ExpiresAt %s", got.ExpiresAt)
		assert.Equal(t, time.UTC, got.ExpiresAt.Location())
	}
	q := e.post(a, money(t, "1.00", "EUR"))
	assert.True(t, q.ExpiresAt.IsZero())
	assert.True(t, e.postings(a.ID, 10)[1].ExpiresAt.IsZero(), "no expiry reads back as the zero time")
}

// r2 and must turn a (value, error) pair into a value a test requires.
func r2[T any](v T, err error) func() (T, error) { return func() (T, error) { return v, err } }

func must[T any](f func() (T, error)) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		v, err := f()
		require.NoError(t, err)
		return v
	}
}

func lotsDebitOrder(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	never := e.post(a, e.usd("10.00"))
	late := e.post(a, e.usd("10.00"), withExpiry(baseTime.Add(48*time.Hour)))
	soon := e.post(a, e.usd("10.00"), withExpiry(baseTime.Add(24*time.Hour)))
	tie := e.post(a, e.usd("10.00"), withExpiry(baseTime.Add(24*time.Hour)))
	e.post(a, e.usd("-15.00"))
	lots := e.checkLots(a.ID)
	assertMoney(t, "soonest, first by sequence", e.usd("0.00"), lotByID(t, lots, soon.ID).Remaining)
	assertMoney(t, "soonest, second by sequence", e.usd("5.00"), lotByID(t, lots, tie.ID).Remaining)
	assertMoney(t, "later", e.usd("10.00"), lotByID(t, lots, late.ID).Remaining)
	assertMoney(t, "never", e.usd("10.00"), lotByID(t, lots, never.ID).Remaining)
	e.post(a, e.usd("-20.00"))
	lots = e.checkLots(a.ID)
	assertMoney(t, "later emptied", e.usd("0.00"), lotByID(t, lots, late.ID).Remaining)
	assertMoney(t, "never-expiring last", e.usd("5.00"), lotByID(t, lots, never.ID).Remaining)
}

func lotsRepayDebt(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	a, err := e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
		return a.SetCreditLimit(e.usd("50.00"), e.now())
	})
	require.NoError(t, err)
	e.post(a, e.usd("5.00"))
	e.post(a, e.usd("-25.00")) // the lot, then 20 of debt
	e.checkLots(a.ID)
	e.post(a, e.usd("15.00"))
	assert.Empty(t, openOf(e.checkLots(a.ID)), "a credit that only repays debt makes no lot")
	p := e.post(a, e.usd("8.00"), withExpiry(baseTime.Add(time.Hour*24*365)))
	lots := e.checkLots(a.ID)
	assertMoney(t, "the lot holds what the credit left after the debt", e.usd("3.00"), lotByID(t, lots, p.ID).Amount)
}

// openOf returns the lots with something left.
func openOf(lots []balance.Lot) []balance.Lot {
	var out []balance.Lot
	for _, l := range lots {
		if l.Remaining.IsPositive() {
			out = append(out, l)
		}
	}
	return out
}

func lotsPostExpiresFirst(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	exp := e.now().Add(10 * time.Second)
	soon := e.post(a, e.usd("10.00"), withExpiry(exp))
	never := e.post(a, e.usd("5.00"))
	e.post(a, e.usd("-3.00")) // from the expiring lot: 7 left
	for e.now().Before(exp) {
	}
	// 15 - 3 = 12 on the balance, but the 7 left of the expired lot is
	// not available: this debit fails and writes nothing.
	_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-6.00")))
	require.ErrorIs(t, err, balance.ErrInsufficientFunds)
	before, _ := e.checkLedger(a.ID)
	assert.Equal(t, int64(3), before.Postings, "nothing written")
	assertMoney(t, "the due lot is untouched until a posting succeeds", e.usd("7.00"), lotByID(t, e.checkLots(a.ID), soon.ID).Remaining)

	q := e.post(a, e.usd("-4.00"))
	got, ps := e.checkLedger(a.ID)
	require.Len(t, ps, 5)
	x := ps[3]
	assert.Equal(t, balance.KindExpiry, x.Kind, "the expiry is posted before the debit")
	assert.Equal(t, balance.ExpiryPostingID(soon.ID), x.ID)
	assert.Equal(t, balance.ExpiryKey(soon.ID), x.IdempotencyKey)
	assertMoney(t, "what was left expires", e.usd("-7.00"), x.Amount)
	assert.Equal(t, int64(5), q.Sequence, "the debit follows its expiry")
	assertMoney(t, "balance", e.usd("1.00"), got.Balance)
	assert.Equal(t, before.Version+2, got.Version, "one version per posting")
	lots := e.checkLots(a.ID)
	assertMoney(t, "the debit took from the live lot", e.usd("1.00"), lotByID(t, lots, never.ID).Remaining)
	expired, err := r.ExpireDue(e.ctx, a.ID, e.now())
	require.NoError(t, err)
	assert.Empty(t, expired, "nothing left to expire")
}

func lotsFailedPost(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	e.post(a, e.usd("10.00"), withKey("k"))
	_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd("5.00"), withKey("k")))
	requireConflict(t, err, storage.ConstraintIdempotencyKey)
	_, err = e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-11.00")))
	require.ErrorIs(t, err, balance.ErrInsufficientFunds)
	lots := e.checkLots(a.ID)
	require.Len(t, lots, 1, "a refused posting makes no lot")
	assertMoney(t, "and takes from none", e.usd("10.00"), lots[0].Remaining)
}

func lotsExpireDueOnce(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	t1 := baseTime.Add(time.Hour)
	l1 := e.post(a, e.usd("2.00"), withExpiry(t1))
	l2 := e.post(a, e.usd("3.00"), withExpiry(t1.Add(time.Hour)))
	e.post(a, e.usd("4.00"))
	before := e.getAccount(a.ID)

	got, err := r.ExpireDue(e.ctx, a.ID, t1.Add(-time.Microsecond))
	require.NoError(t, err)
	assert.Empty(t, got, "not yet due")
	got, err = r.ExpireDue(e.ctx, a.ID, t1.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, got, 2, "both due, soonest first")
	assert.Equal(t, balance.ExpiryPostingID(l1.ID), got[0].ID)
	assert.Equal(t, balance.ExpiryPostingID(l2.ID), got[1].ID)
	assert.Equal(t, before.Postings+2, got[1].Sequence)
	assertMoney(t, "ending balance", e.usd("4.00"), got[1].EndingBalance)
	again, err := r.ExpireDue(e.ctx, a.ID, t1.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, again, "a lot expires once")
	acct, ps := e.checkLedger(a.ID)
	assert.Len(t, ps, 5)
	assert.Equal(t, before.Version+2, acct.Version)
	e.checkLots(a.ID)
	byKey, err := e.store.Balances().PostingByKey(e.ctx, a.ID, balance.ExpiryKey(l1.ID))
	require.NoError(t, err)
	assert.Equal(t, got[0], byKey)
}

func lotsExpireDueMissing(t *testing.T, e *env, r storage.CreditLots) {
	_, err := r.ExpireDue(e.ctx, e.id(), e.now())
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func lotsExpireDueDeleted(t *testing.T, e *env, r storage.CreditLots) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("2.00"), withExpiry(baseTime.Add(time.Hour)))
	e.deleteCustomer(c.ID)
	_, err := r.ExpireDue(e.ctx, a.ID, baseTime.Add(2*time.Hour))
	require.ErrorIs(t, err, storage.ErrCustomerNotLive)
	acct := e.getAccount(a.ID)
	assert.Equal(t, int64(1), acct.Postings, "nothing written")
}

func lotsMissingAccount(t *testing.T, e *env, r storage.CreditLots) {
	_, err := r.Lots(e.ctx, e.id())
	require.ErrorIs(t, err, storage.ErrNotFound)
	a := e.createAccount(e.newCustomer().ID, "USD")
	lots, err := r.Lots(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, lots)
}

func lotsDuePaged(t *testing.T, e *env, r storage.CreditLots) {
	at := baseTime.Add(time.Hour)
	var want []balance.Lot
	for i := range 7 {
		a := e.createAccount(e.newCustomer().ID, "USD")
		exp := at
		if i%3 == 0 {
			exp = at.Add(-time.Duration(i) * time.Minute)
		}
		p := e.post(a, e.usd("1.00"), withExpiry(exp))
		e.post(a, e.usd("1.00"), withExpiry(at.Add(time.Minute))) // not yet due
		e.post(a, e.usd("1.00"))                                  // never due
		if i == 5 {
			e.post(a, e.usd("-1.00")) // empties the due lot: not due any more
			continue
		}
		want = append(want, lotByID(t, e.checkLots(a.ID), p.ID))
	}
	sortByTimeID(want, func(l balance.Lot) (time.Time, uuid.UUID) { return l.ExpiresAt, l.ID })
	got := walk(t, 2, func(p storage.PageRequest) (storage.Page[balance.Lot], error) {
		return r.DueLots(e.ctx, at, p)
	})
	require.Len(t, got, len(want))
	for i := range want {
		assert.Equal(t, want[i].ID, got[i].ID, "lot %d: ordered by (ExpiresAt, ID)", i)
		assertMoney(t, "Remaining", want[i].Remaining, got[i].Remaining)
	}
	none, err := r.DueLots(e.ctx, baseTime, storage.PageRequest{})
	require.NoError(t, err)
	assert.Empty(t, none.Items, "nothing due before the first expiry")
}

func lotsDueInvalidCursor(t *testing.T, e *env, r storage.CreditLots) {
	for _, c := range []string{"garbage", storage.Cursor{List: storage.ListCustomers, Time: baseTime, Key: uuid.NewString()}.String(),
		storage.Cursor{List: storage.ListDueLots, Time: baseTime, Key: "not-a-uuid"}.String()} {
		_, err := r.DueLots(e.ctx, baseTime, storage.PageRequest{Cursor: c})
		require.ErrorIs(t, err, storage.ErrInvalidCursor, "cursor %q", c)
	}
}

func lotsAtomicRollback(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	exp := baseTime.Add(time.Hour)
	first := e.post(a, e.usd("5.00"), withExpiry(exp))
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Balances().Post(ctx, e.posting(a, e.usd("7.00"), withExpiry(exp.Add(time.Hour)))); err != nil {
			return err
		}
		p := e.posting(a, e.usd("-1.00"))
		p.CreatedAt = exp // after the first lot expired: Post expires it first
		if _, err := tx.Balances().Post(ctx, p); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	lots := e.checkLots(a.ID)
	require.Len(t, lots, 1, "the rolled-back credit left no lot")
	assertMoney(t, "the expiry was rolled back", e.usd("5.00"), lotByID(t, lots, first.ID).Remaining)
	acct, _ := e.checkLedger(a.ID)
	assert.Equal(t, int64(1), acct.Postings)
	due, err := r.DueLots(e.ctx, exp, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, due.Items, 1, "still due")
}

func lotsConcurrentDebits(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	var ids []uuid.UUID
	for i := range 4 {
		p := e.post(a, e.usd("8.00"), withExpiry(baseTime.Add(time.Duration(4-i)*24*time.Hour)))
		ids = append([]uuid.UUID{p.ID}, ids...) // soonest first
	}
	const n = 32
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range n {
		p := e.posting(a, e.usd("-1.00"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.store.Balances().Post(e.ctx, p)
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else {
				assert.ErrorIs(t, err, balance.ErrInsufficientFunds)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, n, ok, "32 debits of 1.00 fit in 32.00")
	acct, _ := e.checkLedger(a.ID)
	assertMoney(t, "balance", e.usd("0.00"), acct.Balance)
	lots := e.checkLots(a.ID)
	for _, id := range ids {
		assertMoney(t, "every lot is emptied exactly", e.usd("0.00"), lotByID(t, lots, id).Remaining)
	}
	// Half as much again: the soonest lots are emptied first.
	b := e.createAccount(e.newCustomer().ID, "USD")
	ids = ids[:0]
	for i := range 4 {
		p := e.post(b, e.usd("8.00"), withExpiry(baseTime.Add(time.Duration(i+1)*24*time.Hour)))
		ids = append(ids, p.ID)
	}
	for range 12 {
		p := e.posting(b, e.usd("-1.00"))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.store.Balances().Post(e.ctx, p)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	lots = e.checkLots(b.ID)
	for i, want := range []string{"0.00", "4.00", "8.00", "8.00"} {
		assertMoney(t, fmt.Sprintf("lot %d", i), e.usd(want), lotByID(t, lots, ids[i]).Remaining)
	}
}

func lotsConcurrentExpiry(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	exp := baseTime.Add(time.Hour)
	for range 3 {
		e.post(a, e.usd("2.00"), withExpiry(exp))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var all []balance.Posting
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := r.ExpireDue(e.ctx, a.ID, exp)
			assert.NoError(t, err)
			mu.Lock()
			all = append(all, got...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, all, 3, "each lot expired exactly once between the racers")
	acct, ps := e.checkLedger(a.ID)
	assert.Len(t, ps, 6)
	assert.True(t, acct.Balance.IsZero())
	e.checkLots(a.ID)
}

// lotsReadThenPost: a plain read of the lots in a transaction, then a debit
// committed outside, then the transaction's own debit, which must take from
// what the outside debit left (Post reads the lots under the account's
// lock, not from the transaction's snapshot).
func lotsReadThenPost(t *testing.T, e *env, r storage.CreditLots) {
	if !e.cfg.concurrentWriters {
		t.Skip("needs ConcurrentWriters")
	}
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	soon := e.post(a, e.usd("5.00"), withExpiry(baseTime.Add(24*time.Hour)))
	later := e.post(a, e.usd("5.00"), withExpiry(baseTime.Add(48*time.Hour)))
	ran := false
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Balances().(storage.CreditLots).Lots(ctx, a.ID); err != nil {
			return err
		}
		if !ran {
			ran = true
			_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-4.00")))
			require.NoError(t, err, "the debit outside")
		}
		_, err := tx.Balances().Post(ctx, e.posting(a, e.usd("-3.00")))
		return err
	})
	require.NoError(t, err)
	lots := e.checkLots(a.ID)
	assertMoney(t, "soonest emptied by both", e.usd("0.00"), lotByID(t, lots, soon.ID).Remaining)
	assertMoney(t, "the rest from the next", e.usd("3.00"), lotByID(t, lots, later.ID).Remaining)
}

// lotsDebitWaitsForLock: a debit that starts while a transaction holds
// the account (after debiting it) and waits for its lock must take from
// the lots as that transaction left them, not as they were when the
// waiting statement began (PostgreSQL's statement snapshot at READ
// COMMITTED, which a read in the locking statement itself would see).
func lotsDebitWaitsForLock(t *testing.T, e *env, r storage.CreditLots) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	soon := e.post(a, e.usd("5.00"), withExpiry(baseTime.Add(24*time.Hour)))
	later := e.post(a, e.usd("5.00"), withExpiry(baseTime.Add(48*time.Hour)))
	waiting := make(chan error, 1)
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Balances().Post(ctx, e.posting(a, e.usd("-4.00"))); err != nil {
			return err
		}
		debit := func() error {
			_, err := e.store.Balances().Post(e.ctx, e.posting(a, e.usd("-3.00")))
			return err
		}
		if posts, ok := e.store.Balances().(storage.AccountPosts); ok {
			p := e.customerPosting(c.ID, e.usd("-3.00"), e.now())
			debit = func() error {
				_, err := posts.PostToCustomer(e.ctx, p)
				return err
			}
		}
		go func() { waiting <- debit() }()
		// Long enough, most of the time, for the debit to begin and wait
		// for the account; the outcome must be the same when it has not.
		time.Sleep(100 * time.Millisecond)
		return nil
	})
	require.NoError(t, err)
	require.NoError(t, <-waiting, "the debit that waited")
	lots := e.checkLots(a.ID)
	assertMoney(t, "soonest emptied by both", e.usd("0.00"), lotByID(t, lots, soon.ID).Remaining)
	assertMoney(t, "the rest from the next", e.usd("3.00"), lotByID(t, lots, later.ID).Remaining)
}

func lotsHostile(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "JPY")
	huge := balance.FromMinorUnits(math.MaxInt64, balance.MustCurrency("JPY"))
	p := e.post(a, huge, withExpiry(time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC)),
		func(p *balance.PostingParams) { p.Reference = "'; DROP TABLE balance_lots; --" })
	lots := e.checkLots(a.ID)
	require.Len(t, lots, 1)
	assertMoney(t, "a huge amount", huge, lots[0].Remaining)
	assert.True(t, p.ExpiresAt.Equal(lots[0].ExpiresAt))
	e.post(a, balance.FromMinorUnits(-math.MaxInt64+1, balance.MustCurrency("JPY")))
	lots = e.checkLots(a.ID)
	assertMoney(t, "one yen left", balance.FromMinorUnits(1, balance.MustCurrency("JPY")), lots[0].Remaining)
	// An expiry far in the past of the Unix epoch is a valid time too.
	b := e.createAccount(e.newCustomer().ID, "USD")
	early := e.posting(b, e.usd("1.00"))
	early.CreatedAt = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	early.ExpiresAt = time.Date(1900, 1, 2, 0, 0, 0, 0, time.UTC)
	_, err := e.store.Balances().Post(e.ctx, early)
	require.NoError(t, err)
	due, err := r.DueLots(e.ctx, time.Date(1900, 1, 3, 0, 0, 0, 0, time.UTC), storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, due.Items, 1)
	assert.Equal(t, early.ID, due.Items[0].ID)
}

func lotsCanceled(t *testing.T, e *env, r storage.CreditLots) {
	a := e.createAccount(e.newCustomer().ID, "USD")
	e.post(a, e.usd("1.00"), withExpiry(baseTime.Add(time.Hour)))
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := r.ExpireDue(ctx, a.ID, baseTime.Add(2*time.Hour))
	require.ErrorIs(t, err, context.Canceled)
	_, err = r.Lots(ctx, a.ID)
	require.ErrorIs(t, err, context.Canceled)
	_, err = r.DueLots(ctx, baseTime.Add(2*time.Hour), storage.PageRequest{})
	require.ErrorIs(t, err, context.Canceled)
	acct := e.getAccount(a.ID)
	assert.Equal(t, int64(1), acct.Postings, "nothing expired")
}

// lotsRandom is the property test on the adapter: random credits (most
// with an expiry), debits, expiry runs and clock moves on one account with
// a credit limit. After every step the invariant holds (checkLots), and no
// debit took from a lot that was expired at its time: a debit's expiry
// postings empty the due lots first, and every other lot it changed is
// live.
func lotsRandom(t *testing.T, e *env, r storage.CreditLots) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	a, err := e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
		return a.SetCreditLimit(e.usd("3.00"), e.now())
	})
	require.NoError(t, err)
	rnd := rand.New(rand.NewPCG(11, 17))
	now := baseTime.Add(time.Hour)
	cents := func(n int64) balance.Money { return balance.FromMinorUnits(n, a.Currency) }
	for step := range 80 {
		before := e.checkLots(a.ID)
		acct := e.getAccount(a.ID)
		switch op := rnd.IntN(10); {
		case op < 4:
			p, err := balance.NewPosting(e.id(), acct, balance.PostingParams{Kind: balance.KindGiftCard,
				Amount: cents(1 + rnd.Int64N(500))}, now)
			require.NoError(t, err)
			if rnd.IntN(4) > 0 {
				p.ExpiresAt = now.Add(time.Duration(1+rnd.IntN(48)) * time.Hour)
			}
			_, err = e.store.Balances().Post(e.ctx, p)
			require.NoError(t, err, "step %d: credit", step)
		case op < 8:
			p, err := balance.NewPosting(e.id(), acct, balance.PostingParams{Kind: balance.KindOrderPayment,
				Amount: cents(-(1 + rnd.Int64N(400)))}, now)
			require.NoError(t, err)
			_, err = e.store.Balances().Post(e.ctx, p)
			if errors.Is(err, balance.ErrInsufficientFunds) {
				break
			}
			require.NoError(t, err, "step %d: debit", step)
			after := e.checkLots(a.ID)
			_, changed := balance.LotChanges(before, after)
			for _, l := range changed {
				if l.Remaining.IsZero() && !l.Live(now) {
					continue // emptied by its expiry posting
				}
				assert.True(t, l.Live(now), "step %d: the debit at %s took from lot %s expired at %s", step, now, l.ID, l.ExpiresAt)
			}
		case op < 9:
			_, err := r.ExpireDue(e.ctx, a.ID, now)
			require.NoError(t, err, "step %d: expiry", step)
			for _, l := range e.checkLots(a.ID) {
				assert.False(t, l.Due(now), "step %d: lot %s still due after the run", step, l.ID)
			}
		default:
			now = now.Add(time.Duration(rnd.IntN(24)) * time.Hour)
		}
		e.checkLedger(a.ID)
	}
}

// lotsDebitManyLots: an account with many lots (more than an adapter may
// read for a debit at first): a small debit takes from the soonest
// expiring ones, one larger than the first few lots take from as many as
// it needs, one larger than every lot leaves debt. The invariant holds
// after each.
func lotsDebitManyLots(t *testing.T, e *env, _ storage.CreditLots) {
	c := e.newCustomer()
	a, err := e.store.Balances().CreateAccount(e.ctx, func() balance.Account {
		a := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now())
		a.CreditLimit = e.usd("10.00")
		return a
	}())
	require.NoError(t, err)
	start := e.now()
	var expiring []balance.Posting
	for i := range 40 {
		e.post(a, e.usd("1.00"))
		if i%8 == 7 { // 5 expiring lots among 40 that never expire, latest expiry first
			expiring = append(expiring, e.post(a, e.usd("2.00"), withExpiry(start.Add(time.Duration(100-i)*time.Hour))))
		}
	}
	remaining := func() map[uuid.UUID]string {
		out := map[uuid.UUID]string{}
		for _, l := range e.checkLots(a.ID) {
			out[l.ID] = l.Remaining.Amount().StringFixed(2)
		}
		return out
	}
	e.post(a, e.usd("-3.00"))
	left := remaining()
	assert.Equal(t, "0.00", left[expiring[4].ID], "the soonest-expiring lot first")
	assert.Equal(t, "1.00", left[expiring[3].ID], "then the next one")
	assert.Equal(t, "2.00", left[expiring[0].ID])

	// 7.00 of expiring credit left: a debit of 30.00 takes it all and 23
	// never-expiring lots, oldest first.
	e.post(a, e.usd("-30.00"))
	left = remaining()
	for _, p := range expiring {
		assert.Equal(t, "0.00", left[p.ID], "expiring lot %s", p.ID)
	}
	b := e.getAccount(a.ID)
	assert.Equal(t, "17.00", b.Balance.Amount().StringFixed(2))

	// More than every lot holds: the lots empty, the rest is debt.
	e.post(a, e.usd("-20.00"))
	for id, rem := range remaining() {
		assert.Equal(t, "0.00", rem, "lot %s", id)
	}
	assert.Equal(t, "-3.00", e.getAccount(a.ID).Balance.Amount().StringFixed(2))
}
