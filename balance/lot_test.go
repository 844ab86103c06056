package balance_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

// lotBook is a test ledger: a Book plus the deterministic posting IDs.
type lotBook struct {
	t    testing.TB
	b    balance.Book
	next int
}

func newLotBook(t testing.TB, limit int64) *lotBook {
	a := balance.NewAccount(accountID, customerID, usd, t0)
	if limit != 0 {
		require.NoError(t, a.SetCreditLimit(balance.FromMinorUnits(limit, usd), t0))
	}
	return &lotBook{t: t, b: balance.Book{Account: a}}
}

// post posts amount (minor units, signed) at now with an expiry, returning
// the expiry postings made first.
func (l *lotBook) post(amount int64, expires, now time.Time) ([]balance.Posting, balance.Posting, error) {
	l.next++
	kind := balance.KindAdjustment
	p, err := balance.NewPosting(postingID(l.next), l.b.Account, balance.PostingParams{
		Kind: kind, Amount: balance.FromMinorUnits(amount, usd), ExpiresAt: expires}, now)
	if err != nil {
		return nil, balance.Posting{}, err
	}
	exp, err := l.b.Post(&p, now)
	return exp, p, err
}

func (l *lotBook) lot(id uuid.UUID) balance.Lot {
	for _, x := range l.b.Lots {
		if x.ID == id {
			return x
		}
	}
	l.t.Fatalf("no lot %s", id)
	return balance.Lot{}
}

func TestConsumeOrder(t *testing.T) {
	lot := func(id int, rem int64, exp time.Duration, seq int64) balance.Lot {
		l := balance.Lot{ID: postingID(id), AccountID: accountID, Amount: balance.FromMinorUnits(1000, usd),
			Remaining: balance.FromMinorUnits(rem, usd), Sequence: seq, CreatedAt: t0}
		if exp != 0 {
			l.ExpiresAt = t0.Add(exp)
		}
		return l
	}
	lots := []balance.Lot{
		lot(1, 100, 0, 1),            // never
		lot(2, 100, 48*time.Hour, 2), // later
		lot(3, 100, 24*time.Hour, 3), // soonest
		lot(4, 100, -time.Hour, 4),   // expired: never taken
		lot(5, 0, time.Hour, 5),      // empty
		lot(6, 100, 24*time.Hour, 2), // same expiry as 3, earlier sequence
		lot(7, 100, time.Nanosecond*0, 7),
	}
	tests := []struct {
		name   string
		amount int64
		want   []int // lot IDs in order
		takes  []int64
		rest   int64
	}{
		{"one lot partly", 50, []int{6}, []int64{50}, 0},
		{"ties by sequence", 150, []int{6, 3}, []int64{100, 50}, 0},
		{"never-expiring last", 450, []int{6, 3, 2, 1, 7}, []int64{100, 100, 100, 100, 50}, 0},
		{"beyond the lots is debt", 700, []int{6, 3, 2, 1, 7}, []int64{100, 100, 100, 100, 100}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			takes, rest, err := balance.Consume(lots, balance.FromMinorUnits(tt.amount, usd), t0)
			require.NoError(t, err)
			require.Len(t, takes, len(tt.want))
			for i, tk := range takes {
				require.Equal(t, postingID(tt.want[i]), tk.LotID, "take %d", i)
				require.Equal(t, tt.takes[i], tk.Amount.MinorUnits(), "take %d", i)
			}
			require.Equal(t, tt.rest, rest.MinorUnits())
		})
	}
	t.Run("expires exactly now is expired", func(t *testing.T) {
		takes, rest, err := balance.Consume([]balance.Lot{lot(1, 100, time.Hour, 1)}, balance.FromMinorUnits(10, usd), t0.Add(time.Hour))
		require.NoError(t, err)
		require.Empty(t, takes)
		require.Equal(t, int64(10), rest.MinorUnits())
	})
	t.Run("rejects", func(t *testing.T) {
		_, _, err := balance.Consume(lots, balance.FromMinorUnits(0, usd), t0)
		require.ErrorIs(t, err, balance.ErrInvalid)
		_, _, err = balance.Consume(lots, balance.FromMinorUnits(5, balance.MustCurrency("EUR")), t0)
		require.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	})
}

func TestBookPost(t *testing.T) {
	day := 24 * time.Hour
	t.Run("credit makes a lot with its expiry", func(t *testing.T) {
		l := newLotBook(t, 0)
		_, p, err := l.post(500, t0.Add(day), t0)
		require.NoError(t, err)
		got := l.lot(p.ID)
		require.Equal(t, int64(500), got.Amount.MinorUnits())
		require.Equal(t, int64(500), got.Remaining.MinorUnits())
		require.True(t, got.ExpiresAt.Equal(t0.Add(day)))
		require.Equal(t, p.Sequence, got.Sequence)
		require.NoError(t, l.b.Check())
	})
	t.Run("credit repays debt first", func(t *testing.T) {
		l := newLotBook(t, 1000)
		_, _, err := l.post(-300, time.Time{}, t0)
		require.NoError(t, err)
		require.Empty(t, l.b.Lots)
		_, _, err = l.post(200, time.Time{}, t0)
		require.NoError(t, err)
		require.Empty(t, l.b.Lots, "a credit that only repays debt makes no lot")
		_, p, err := l.post(250, time.Time{}, t0)
		require.NoError(t, err)
		require.Equal(t, int64(150), l.lot(p.ID).Amount.MinorUnits())
		require.NoError(t, l.b.Check())
	})
	t.Run("debit takes the soonest expiry first", func(t *testing.T) {
		l := newLotBook(t, 0)
		_, never, _ := l.post(100, time.Time{}, t0)
		_, late, _ := l.post(100, t0.Add(2*day), t0)
		_, soon, _ := l.post(100, t0.Add(day), t0)
		_, _, err := l.post(-150, time.Time{}, t0)
		require.NoError(t, err)
		require.Equal(t, int64(0), l.lot(soon.ID).Remaining.MinorUnits())
		require.Equal(t, int64(50), l.lot(late.ID).Remaining.MinorUnits())
		require.Equal(t, int64(100), l.lot(never.ID).Remaining.MinorUnits())
		require.NoError(t, l.b.Check())
	})
	t.Run("a posting after expiry first expires the due lots", func(t *testing.T) {
		l := newLotBook(t, 0)
		_, soon, _ := l.post(100, t0.Add(day), t0)
		_, never, _ := l.post(100, time.Time{}, t0)
		_, _, err := l.post(-30, time.Time{}, t0)
		require.NoError(t, err)
		exp, p, err := l.post(-150, time.Time{}, t0.Add(day))
		require.ErrorIs(t, err, balance.ErrInsufficientFunds, "the expired 70 is not available")
		require.Empty(t, exp)
		require.Equal(t, int64(0), p.Sequence)
		require.Equal(t, int64(170), l.b.Account.Balance.MinorUnits(), "unchanged on error")
		exp, _, err = l.post(-80, time.Time{}, t0.Add(day))
		require.NoError(t, err)
		require.Len(t, exp, 1)
		require.Equal(t, balance.ExpiryPostingID(soon.ID), exp[0].ID)
		require.Equal(t, balance.ExpiryKey(soon.ID), exp[0].IdempotencyKey)
		require.Equal(t, balance.KindExpiry, exp[0].Kind)
		require.Equal(t, int64(-70), exp[0].Amount.MinorUnits())
		require.Equal(t, int64(4), exp[0].Sequence)
		require.Equal(t, int64(20), l.lot(never.ID).Remaining.MinorUnits())
		require.Equal(t, int64(20), l.b.Account.Balance.MinorUnits())
		require.NoError(t, l.b.Check())
	})
	t.Run("expire twice expires once", func(t *testing.T) {
		l := newLotBook(t, 0)
		_, _, _ = l.post(100, t0.Add(day), t0)
		exp, err := l.b.Expire(t0.Add(day - time.Microsecond))
		require.NoError(t, err)
		require.Empty(t, exp)
		exp, err = l.b.Expire(t0.Add(day))
		require.NoError(t, err)
		require.Len(t, exp, 1)
		exp, err = l.b.Expire(t0.Add(2 * day))
		require.NoError(t, err)
		require.Empty(t, exp)
		require.True(t, l.b.Account.Balance.IsZero())
		require.NoError(t, l.b.Check())
	})
	t.Run("expires_at must be after now and only on credits", func(t *testing.T) {
		l := newLotBook(t, 0)
		_, _, err := l.post(100, t0, t0)
		requireField(t, err, "expires_at")
		_, _, err = l.post(-100, t0.Add(day), t0)
		requireField(t, err, "expires_at")
	})
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, balance.ErrInvalid)
	var ve *balance.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field)
}

func TestBookCheck(t *testing.T) {
	l := newLotBook(t, 1000)
	_, p, err := l.post(100, time.Time{}, t0)
	require.NoError(t, err)
	require.NoError(t, l.b.Check())
	bad := l.b
	bad.Lots = append([]balance.Lot(nil), l.b.Lots...)
	bad.Lots[0].Remaining = balance.FromMinorUnits(90, usd)
	require.ErrorIs(t, bad.Check(), balance.ErrInvalid)
	bad.Lots = nil
	require.ErrorIs(t, bad.Check(), balance.ErrInvalid)
	_ = p
}

// TestLotsProperty runs random credits with expiries, debits, expiry runs
// and clock moves: after each step the invariant holds (Book.Check), no
// debit took from a lot that was expired at its time, and the balance is
// the sum of the postings.
func TestLotsProperty(t *testing.T) {
	for seed := range uint64(200) {
		runLotSteps(t, rand.New(rand.NewPCG(seed, 7)), 60)
	}
}

func runLotSteps(t *testing.T, r *rand.Rand, steps int) {
	t.Helper()
	limit := int64(0)
	if r.IntN(3) == 0 {
		limit = r.Int64N(500)
	}
	l := newLotBook(t, limit)
	now := t0
	var sum int64
	for range steps {
		switch op := r.IntN(10); {
		case op < 4: // credit
			var exp time.Time
			if r.IntN(3) > 0 {
				exp = now.Add(time.Duration(1+r.IntN(72)) * time.Hour)
			}
			before := l.b
			before.Lots = append([]balance.Lot(nil), l.b.Lots...)
			expired, p, err := l.post(1+r.Int64N(1000), exp, now)
			require.NoError(t, err)
			sum += p.Amount.MinorUnits()
			for _, e := range expired {
				sum += e.Amount.MinorUnits()
			}
		case op < 8: // debit
			before := append([]balance.Lot(nil), l.b.Lots...)
			expired, p, err := l.post(-(1 + r.Int64N(800)), time.Time{}, now)
			if err != nil {
				require.ErrorIs(t, err, balance.ErrInsufficientFunds)
				break
			}
			sum += p.Amount.MinorUnits()
			for _, e := range expired {
				sum += e.Amount.MinorUnits()
			}
			_, changed := balance.LotChanges(before, l.b.Lots)
			expiredIDs := map[uuid.UUID]bool{}
			for _, e := range expired {
				id, err := uuid.Parse(e.Reference)
				require.NoError(t, err)
				expiredIDs[id] = true
			}
			for _, c := range changed {
				if expiredIDs[c.ID] {
					continue
				}
				require.True(t, c.Live(now), "debit took from lot %s expired at %s (now %s)", c.ID, c.ExpiresAt, now)
			}
		case op < 9: // expiry run
			expired, err := l.b.Expire(now)
			require.NoError(t, err)
			for _, e := range expired {
				sum += e.Amount.MinorUnits()
			}
			for _, x := range l.b.Lots {
				require.False(t, x.Due(now))
			}
		default: // the clock moves
			now = now.Add(time.Duration(r.IntN(48)) * time.Hour)
		}
		require.NoError(t, l.b.Check())
		require.Equal(t, sum, l.b.Account.Balance.MinorUnits())
	}
}

func FuzzLots(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(42), uint64(0))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		runLotSteps(t, rand.New(rand.NewPCG(a, b)), 40)
	})
}
