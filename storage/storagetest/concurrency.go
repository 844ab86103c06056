package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

func concurrencyCases() []testCase {
	return []testCase{
		{"EmailRace", concurrencyEmailRace},
		{"GroupNameRace", concurrencyGroupNameRace},
		{"BalanceRace", concurrencyBalanceRace},
		{"IdempotencyKeyRace", concurrencyIdempotencyKeyRace},
		{"AddMemberRace", concurrencyAddMemberRace},
		{"MembershipBatches", concurrencyMembershipBatches},
		{"UpdateRace", concurrencyUpdateRace},
		{"AtomicTransfers", concurrencyAtomicTransfers},
		{"ReadsDuringWrites", concurrencyReadsDuringWrites},
	}
}

// race runs fn(i) for i in [0, n) on n goroutines released at the same
// moment, and returns their errors by index. fn must not call t.FailNow.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts nil errors and errors that match; it reports the first error
// that is neither.
func tally(t *testing.T, errs []error, match func(error) bool, what string) (ok, matched int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case match(err):
			matched++
		default:
			assert.Failf(t, "unexpected error", "goroutine %d: want nil or %s, got %v", i, what, err)
		}
	}
	return ok, matched
}

func concurrencyEmailRace(t *testing.T, e *env) {
	const n = 64
	spellings := []string{"race@example.com", "Race@Example.com", " RACE@example.COM ", "race@EXAMPLE.com"}
	cs := make([]customer.Customer, n)
	for i := range cs {
		cs[i] = e.registered(withEmail(spellings[i%len(spellings)]))
	}
	errs := race(n, func(i int) error {
		_, err := e.store.Customers().Create(e.ctx, cs[i])
		return err
	})
	ok, conflicts := tally(t, errs, func(err error) bool { return storage.IsConflict(err, storage.ConstraintCustomerEmail) }, "ConstraintCustomerEmail")
	assert.Equal(t, 1, ok, "exactly one Create succeeds")
	assert.Equal(t, n-1, conflicts, "every other Create conflicts on the email")

	winner := slices.IndexFunc(errs, func(err error) bool { return err == nil })
	require.GreaterOrEqual(t, winner, 0)
	got, err := e.store.Customers().GetByEmail(e.ctx, "race@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, cs[winner].ID, got.ID)
	assertIDs(t, []uuid.UUID{cs[winner].ID}, e.listCustomerIDs(storage.CustomerFilter{IncludeDeleted: true}), "only the winner was written")
}

func concurrencyGroupNameRace(t *testing.T, e *env) {
	const n = 32
	names := []string{"Race Group", "race group", "RACE GROUP", "Race  Group"}
	gs := make([]group.Group, n)
	for i := range gs {
		gs[i] = e.groupAt(names[i%len(names)], e.now())
	}
	errs := race(n, func(i int) error {
		_, err := e.store.Groups().Create(e.ctx, gs[i])
		return err
	})
	ok, conflicts := tally(t, errs, func(err error) bool { return storage.IsConflict(err, storage.ConstraintGroupName) }, "ConstraintGroupName")
	assert.Equal(t, 1, ok, "exactly one Create succeeds")
	assert.Equal(t, n-1, conflicts)
	assert.Len(t, e.listGroups(storage.GroupFilter{}, 0), 1)
}

func concurrencyBalanceRace(t *testing.T, e *env) {
	const (
		goroutines = 64
		debitsEach = 50
	)
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("100.00"), func(p *balance.PostingParams) { p.Kind = balance.KindAdjustment })

	// Build every posting up front: the goroutines only call Post.
	debits := make([][]balance.Posting, goroutines)
	for g := range debits {
		debits[g] = make([]balance.Posting, debitsEach)
		for j := range debits[g] {
			kind := balance.KindOrderPayment
			if j%2 == 1 {
				kind = balance.KindAdjustment
			}
			debits[g][j] = e.posting(a, e.usd("-1.00"), func(p *balance.PostingParams) { p.Kind = kind })
		}
	}
	succeeded := make([]int, goroutines)
	errs := race(goroutines, func(g int) error {
		var errs []error
		for _, p := range debits[g] {
			out, err := e.store.Balances().Post(e.ctx, p)
			switch {
			case err == nil:
				succeeded[g]++
				if out.EndingBalance.IsNegative() {
					errs = append(errs, fmt.Errorf("post returned EndingBalance %s below the floor", out.EndingBalance))
				}
			case !errors.Is(err, balance.ErrInsufficientFunds):
				errs = append(errs, err)
			}
		}
		return errors.Join(errs...)
	})
	for g, err := range errs {
		assert.NoError(t, err, "goroutine %d: every refused debit fails with ErrInsufficientFunds", g)
	}
	total := 0
	for _, n := range succeeded {
		total += n
	}
	assert.Equal(t, 100, total, "exactly 100 Post calls succeed")

	acc, ledger := e.checkLedger(a.ID)
	assertMoney(t, "final Balance", e.usd("0.00"), acc.Balance)
	require.Len(t, ledger, 101, "the credit and exactly 100 debits were applied")
	posted := map[uuid.UUID]bool{}
	for _, p := range ledger {
		assert.False(t, p.EndingBalance.IsNegative(), "posting %d ends below the floor: %s", p.Sequence, p.EndingBalance)
		posted[p.ID] = true
	}
	applied := 0
	for _, ps := range debits {
		for _, p := range ps {
			if posted[p.ID] {
				applied++
			}
		}
	}
	assert.Equal(t, 100, applied, "exactly 100 debits succeed")
}

func concurrencyIdempotencyKeyRace(t *testing.T, e *env) {
	const n = 16
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	ps := make([]balance.Posting, n)
	for i := range ps {
		ps[i] = e.posting(a, e.usd("5.00"), withKey("same-request"))
	}
	errs := race(n, func(i int) error {
		_, err := e.store.Balances().Post(e.ctx, ps[i])
		return err
	})
	ok, conflicts := tally(t, errs, func(err error) bool { return storage.IsConflict(err, storage.ConstraintIdempotencyKey) }, "ConstraintIdempotencyKey")
	assert.Equal(t, 1, ok, "exactly one Post succeeds")
	assert.Equal(t, n-1, conflicts)
	acc, ledger := e.checkLedger(a.ID)
	assertMoney(t, "Balance", e.usd("5.00"), acc.Balance)
	require.Len(t, ledger, 1)
	winner := slices.IndexFunc(errs, func(err error) bool { return err == nil })
	require.GreaterOrEqual(t, winner, 0)
	assert.Equal(t, ps[winner].ID, ledger[0].ID)
}

func concurrencyAddMemberRace(t *testing.T, e *env) {
	const n = 32
	g := e.createGroup("Racers")
	c := e.newCustomer()
	var mu sync.Mutex
	added := 0
	errs := race(n, func(int) error {
		ok, err := e.store.Groups().AddMember(e.ctx, g.ID, c.ID)
		if ok {
			mu.Lock()
			added++
			mu.Unlock()
		}
		return err
	})
	for i, err := range errs {
		assert.NoError(t, err, "goroutine %d", i)
	}
	assert.Equal(t, 1, added, "exactly one AddMember reports added=true")
	assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID}))
	assertIDs(t, []uuid.UUID{g.ID}, groupIDs(e.listGroups(storage.GroupFilter{MemberID: c.ID}, 0)))
}

func concurrencyUpdateRace(t *testing.T, e *env) {
	const n = 32
	c := e.newCustomer()
	now := e.now()
	errs := race(n, func(int) error {
		_, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
			c.RecordOrder(now)
			return nil
		})
		return err
	})
	for i, err := range errs {
		assert.NoError(t, err, "goroutine %d", i)
	}
	got := e.getCustomer(c.ID)
	assert.Equal(t, n, got.OrderCount, "no update is lost")
	assert.Equal(t, int64(n+1), got.Version, "every update bumps Version once")
}

func concurrencyAtomicTransfers(t *testing.T, e *env) {
	const n = 24
	from := e.newCustomer()
	to := e.newCustomer()
	src := e.createAccount(from.ID, "USD")
	dst := e.createAccount(to.ID, "USD")
	e.post(src, e.usd("10.00"))

	type transfer struct{ credit, debit balance.Posting }
	ts := make([]transfer, n)
	for i := range ts {
		ts[i] = transfer{
			credit: e.posting(dst, e.usd("1.00"), withKey(fmt.Sprintf("transfer-%d", i))),
			debit:  e.posting(src, e.usd("-1.00"), withKey(fmt.Sprintf("transfer-%d", i))),
		}
	}
	errs := race(n, func(i int) error {
		return e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			// Credit first: when the debit fails, the credit must roll back.
			if _, err := tx.Balances().Post(ctx, ts[i].credit); err != nil {
				return err
			}
			_, err := tx.Balances().Post(ctx, ts[i].debit)
			return err
		})
	})
	ok, refused := tally(t, errs, func(err error) bool { return errors.Is(err, balance.ErrInsufficientFunds) }, "ErrInsufficientFunds")
	assert.Equal(t, 10, ok, "exactly the funded transfers commit")
	assert.Equal(t, n-10, refused)

	srcAcc, _ := e.checkLedger(src.ID)
	dstAcc, dstLedger := e.checkLedger(dst.ID)
	assertMoney(t, "source Balance", e.usd("0.00"), srcAcc.Balance)
	assertMoney(t, "destination Balance", e.usd("10.00"), dstAcc.Balance)
	for _, p := range dstLedger {
		i := slices.IndexFunc(ts, func(x transfer) bool { return x.credit.ID == p.ID })
		require.GreaterOrEqual(t, i, 0)
		assert.NoError(t, errs[i], "a credit was kept for a transfer that failed")
	}
}

func concurrencyReadsDuringWrites(t *testing.T, e *env) {
	const (
		writers   = 8
		perWriter = 25
		readers   = 8
	)
	g := e.createGroup("Busy")
	cs := make([][]customer.Customer, writers)
	for w := range cs {
		for range perWriter {
			cs[w] = append(cs[w], e.registered())
		}
	}
	done := make(chan struct{})
	var readErrs [readers]error
	var rwg sync.WaitGroup
	for r := range readers {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			readErrs[r] = readUntil(e, done, g.ID, cs)
		}()
	}
	errs := race(writers, func(w int) error {
		for _, c := range cs[w] {
			if _, err := e.store.Customers().Create(e.ctx, c); err != nil {
				return err
			}
			if _, err := e.store.Groups().AddMember(e.ctx, g.ID, c.ID); err != nil {
				return err
			}
		}
		return nil
	})
	close(done)
	rwg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "writer %d", i)
	}
	for i, err := range readErrs {
		assert.NoError(t, err, "reader %d", i)
	}
	assert.Len(t, e.listCustomers(storage.CustomerFilter{}, 7), writers*perWriter)
	assert.Len(t, e.listCustomers(storage.CustomerFilter{GroupID: g.ID}, 9), writers*perWriter)
}

// readUntil reads the store until done is closed and reports the first
// inconsistency: an error, or a page out of (CreatedAt, ID) order.
func readUntil(e *env, done <-chan struct{}, groupID uuid.UUID, cs [][]customer.Customer) error {
	for i := 0; ; i++ {
		select {
		case <-done:
			return nil
		default:
		}
		page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{GroupID: groupID}, storage.PageRequest{Limit: 20})
		if err != nil {
			return err
		}
		if !slices.IsSortedFunc(page.Items, func(a, b customer.Customer) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return compareIDs(a.ID, b.ID)
		}) {
			return errors.New("a page is out of (CreatedAt, ID) order")
		}
		c := cs[i%len(cs)][i%len(cs[0])]
		if _, err := e.store.Customers().Get(e.ctx, c.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if _, err := e.store.Customers().GetByEmail(e.ctx, c.Email.Address, true); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if _, err := e.store.Groups().MemberOf(e.ctx, c.ID, []uuid.UUID{groupID}); err != nil {
			return err
		}
		time.Sleep(time.Microsecond)
	}
}

// concurrencyMembershipBatches: transactions that each add a new member to
// one group and re-add members it already has, racing, all succeed (an
// adapter may deadlock internally, but must resolve it), report added only
// for the new members, and leave every member listed once.
func concurrencyMembershipBatches(t *testing.T, e *env) {
	const goroutines, batches, existing = 4, 8, 4
	g := e.createGroup("Batches")
	var old []uuid.UUID
	for range existing {
		c := e.newCustomer()
		e.addMember(g.ID, c.ID)
		old = append(old, c.ID)
	}
	fresh := make([][]uuid.UUID, goroutines)
	for i := range fresh {
		for range batches {
			fresh[i] = append(fresh[i], e.newCustomer().ID)
		}
	}
	errs := race(goroutines, func(i int) error {
		for _, id := range fresh[i] {
			err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
				if added, err := tx.Groups().AddMember(ctx, g.ID, id); err != nil || !added {
					return fmt.Errorf("new member %v: added %v, %w", id, added, err)
				}
				for _, o := range old {
					if added, err := tx.Groups().AddMember(ctx, g.ID, o); err != nil || added {
						return fmt.Errorf("existing member %v: added %v, %w", o, added, err)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	for i, err := range errs {
		assert.NoError(t, err, "goroutine %d", i)
	}
	want := slices.Clone(old)
	for _, f := range fresh {
		want = append(want, f...)
	}
	got := e.listCustomerIDs(storage.CustomerFilter{GroupID: g.ID})
	assert.ElementsMatch(t, want, got, "every member once")
}
