package balance_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

var (
	t0         = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	accountID  = uuid.MustParse("0195a1b2-0000-7000-8000-000000000001")
	customerID = uuid.MustParse("0195a1b2-0000-7000-8000-000000000002")
)

func postingID(n int) uuid.UUID {
	id := uuid.MustParse("0195a1b2-0000-7000-8000-000000001000")
	id[15] = byte(n)
	id[14] = byte(n >> 8)
	return id
}

// account returns a USD account with the given balance and credit limit
// (in minor units), built through postings.
func account(t testing.TB, bal, limit int64) balance.Account {
	t.Helper()
	a := balance.NewAccount(accountID, customerID, usd, t0)
	if limit != 0 {
		require.NoError(t, a.SetCreditLimit(balance.FromMinorUnits(limit, usd), t0))
	}
	if bal != 0 {
		p, err := balance.NewPosting(postingID(999), a, balance.PostingParams{Kind: balance.KindAdjustment, Amount: balance.FromMinorUnits(bal, usd)}, t0)
		require.NoError(t, err)
		require.NoError(t, a.Apply(&p, t0))
	}
	return a
}

func TestNewAccount(t *testing.T) {
	local := time.Date(2025, 3, 1, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	a := balance.NewAccount(accountID, customerID, jpy, local)
	require.NoError(t, a.Validate())
	assert.Equal(t, accountID, a.ID)
	assert.Equal(t, customerID, a.CustomerID)
	assert.Equal(t, jpy, a.Currency)
	assert.True(t, a.Balance.Equal(balance.Zero(jpy)))
	assert.True(t, a.CreditLimit.Equal(balance.Zero(jpy)))
	assert.True(t, a.Floor().Equal(balance.Zero(jpy)))
	assert.True(t, a.Available().Equal(balance.Zero(jpy)))
	assert.Equal(t, int64(0), a.Postings)
	assert.Equal(t, int64(0), a.Version)
	assert.Equal(t, time.UTC, a.CreatedAt.Location())
	assert.True(t, a.CreatedAt.Equal(local))
	assert.Equal(t, a.CreatedAt, a.UpdatedAt)
	assert.Equal(t, a, a.Clone())
}

func TestAccountValidate(t *testing.T) {
	valid := account(t, 500, 1000)
	require.NoError(t, valid.Validate())
	tests := []struct {
		name  string
		edit  func(a *balance.Account)
		field string
	}{
		{"nil id", func(a *balance.Account) { a.ID = uuid.Nil }, "id"},
		{"nil customer", func(a *balance.Account) { a.CustomerID = uuid.Nil }, "customer_id"},
		{"no currency", func(a *balance.Account) { a.Currency = balance.Currency{} }, "currency"},
		{"balance currency", func(a *balance.Account) { a.Balance = balance.FromMinorUnits(500, eur) }, "balance"},
		{"zero balance money", func(a *balance.Account) { a.Balance = balance.Money{} }, "balance"},
		{"limit currency", func(a *balance.Account) { a.CreditLimit = balance.Zero(eur) }, "credit_limit"},
		{"negative limit", func(a *balance.Account) { a.CreditLimit = balance.FromMinorUnits(-1, usd) }, "credit_limit"},
		{"below floor", func(a *balance.Account) { a.Balance = balance.FromMinorUnits(-1001, usd) }, "balance"},
		{"negative postings", func(a *balance.Account) { a.Postings = -1 }, "postings"},
		{"negative version", func(a *balance.Account) { a.Version = -1 }, "version"},
		{"available overflows", func(a *balance.Account) { a.Balance = balance.FromMinorUnits(math.MaxInt64, usd) }, "balance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid
			tt.edit(&a)
			err := a.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, balance.ErrInvalid)
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestAccountApply(t *testing.T) {
	tests := []struct {
		name        string
		balance     int64
		limit       int64
		amount      int64
		kind        balance.Kind
		wantBalance int64
		wantErr     error
	}{
		{"credit", 0, 0, 500, balance.KindGiftCard, 500, nil},
		{"debit within balance", 500, 0, -200, balance.KindOrderPayment, 300, nil},
		{"debit to exactly zero", 500, 0, -500, balance.KindOrderPayment, 0, nil},
		{"debit below zero", 500, 0, -501, balance.KindOrderPayment, 0, balance.ErrInsufficientFunds},
		{"debit from empty", 0, 0, -1, balance.KindExpiry, 0, balance.ErrInsufficientFunds},
		{"debit into credit limit", 500, 1000, -1200, balance.KindOrderPayment, -700, nil},
		{"debit to exactly the floor", 500, 1000, -1500, balance.KindOrderPayment, -1000, nil},
		{"debit below the floor", 500, 1000, -1501, balance.KindOrderPayment, 0, balance.ErrInsufficientFunds},
		{"credit while using credit", -700, 1000, 700, balance.KindOrderPaymentReversal, 0, nil},
		{"negative adjustment", 500, 0, -500, balance.KindAdjustment, 0, nil},
		{"credit overflows", math.MaxInt64 - 10, 0, 11, balance.KindAdjustment, 0, balance.ErrOverflow},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := account(t, tt.balance, tt.limit)
			before := a
			p, err := balance.NewPosting(postingID(1), a, balance.PostingParams{
				Kind:   tt.kind,
				Amount: balance.FromMinorUnits(tt.amount, usd),
			}, t0)
			require.NoError(t, err)
			pBefore := p
			later := t0.Add(time.Hour)
			err = a.Apply(&p, later)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Equal(t, before, a, "account changed on error")
				assert.Equal(t, pBefore, p, "posting changed on error")
				return
			}
			require.NoError(t, err)
			require.NoError(t, a.Validate())
			assert.Equal(t, tt.wantBalance, a.Balance.MinorUnits())
			assert.Equal(t, before.Postings+1, a.Postings)
			assert.Equal(t, a.Postings, p.Sequence)
			assert.True(t, p.EndingBalance.Equal(a.Balance))
			assert.Equal(t, later, a.UpdatedAt)
			assert.Equal(t, before.Version, a.Version, "Apply never bumps Version")
			require.NoError(t, p.Validate())
		})
	}
}

func TestAccountApplyInsufficientFundsError(t *testing.T) {
	a := account(t, 2000, 500)
	p, err := balance.NewPosting(postingID(1), a, balance.PostingParams{Kind: balance.KindOrderPayment, Amount: money(t, "-30", "USD")}, t0)
	require.NoError(t, err)
	err = a.Apply(&p, t0)
	var ife *balance.InsufficientFundsError
	require.True(t, errors.As(err, &ife))
	assert.Equal(t, "25.00 USD", ife.Available.String())
	assert.Equal(t, "30.00 USD", ife.Requested.String())
	assert.ErrorIs(t, err, balance.ErrInsufficientFunds)
	assert.EqualError(t, err, "balance: insufficient funds: requested 30.00 USD, available 25.00 USD")
}

func TestAccountApplyRejects(t *testing.T) {
	base := account(t, 1000, 0)
	good, err := balance.NewPosting(postingID(1), base, balance.PostingParams{Kind: balance.KindRefund, Amount: money(t, "1", "USD")}, t0)
	require.NoError(t, err)

	tests := []struct {
		name    string
		account func(a *balance.Account)
		posting func(p *balance.Posting)
		nilP    bool
		want    []error
		field   string
	}{
		{name: "nil posting", nilP: true, want: []error{balance.ErrInvalid}, field: "posting"},
		{name: "other account", posting: func(p *balance.Posting) { p.AccountID = uuid.New() }, want: []error{balance.ErrInvalid}, field: "account_id"},
		{name: "other customer", posting: func(p *balance.Posting) { p.CustomerID = uuid.New() }, want: []error{balance.ErrInvalid}, field: "customer_id"},
		{name: "other currency", posting: func(p *balance.Posting) { p.Amount = balance.FromMinorUnits(100, eur) }, want: []error{balance.ErrInvalid, balance.ErrCurrencyMismatch}, field: "amount"},
		{name: "zero money", posting: func(p *balance.Posting) { p.Amount = balance.Money{} }, want: []error{balance.ErrInvalid, balance.ErrCurrencyMismatch}, field: "amount"},
		{name: "zero amount", posting: func(p *balance.Posting) { p.Amount = balance.Zero(usd) }, want: []error{balance.ErrInvalid}, field: "amount"},
		{name: "wrong sign", posting: func(p *balance.Posting) { p.Amount = balance.FromMinorUnits(-100, usd) }, want: []error{balance.ErrInvalid}, field: "amount"},
		{name: "invalid kind", posting: func(p *balance.Posting) { p.Kind = 0 }, want: []error{balance.ErrInvalid}, field: "kind"},
		{name: "invalid account", account: func(a *balance.Account) { a.Currency = balance.Currency{} }, want: []error{balance.ErrInvalid}, field: "account.currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := base
			if tt.account != nil {
				tt.account(&a)
			}
			aBefore := a
			p := good
			if tt.posting != nil {
				tt.posting(&p)
			}
			pBefore := p
			var err error
			if tt.nilP {
				err = a.Apply(nil, t0)
			} else {
				err = a.Apply(&p, t0)
			}
			require.Error(t, err)
			for _, want := range tt.want {
				assert.ErrorIs(t, err, want)
			}
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
			assert.Equal(t, aBefore, a)
			assert.Equal(t, pBefore, p)
		})
	}
}

func TestAccountApplySequence(t *testing.T) {
	a := balance.NewAccount(accountID, customerID, usd, t0)
	var sum int64
	for i := 1; i <= 10; i++ {
		amount := int64(i * 100)
		kind := balance.KindGiftCard
		if i%3 == 0 {
			amount = -50
			kind = balance.KindOrderPayment
		}
		p, err := balance.NewPosting(postingID(i), a, balance.PostingParams{Kind: kind, Amount: balance.FromMinorUnits(amount, usd)}, t0)
		require.NoError(t, err)
		require.NoError(t, a.Apply(&p, t0))
		sum += amount
		assert.Equal(t, int64(i), p.Sequence)
		assert.Equal(t, sum, p.EndingBalance.MinorUnits())
	}
	assert.Equal(t, int64(10), a.Postings)
	assert.Equal(t, sum, a.Balance.MinorUnits())
}

// TestAccountApplyRetry shows that a retried transaction may apply the same
// posting value to a freshly loaded account.
func TestAccountApplyRetry(t *testing.T) {
	stored := account(t, 1000, 0)
	p, err := balance.NewPosting(postingID(1), stored, balance.PostingParams{Kind: balance.KindOrderPayment, Amount: money(t, "-4", "USD")}, t0)
	require.NoError(t, err)

	first := stored
	require.NoError(t, first.Apply(&p, t0)) // the transaction then fails to commit
	second := stored                        // reloaded
	require.NoError(t, second.Apply(&p, t0))
	assert.Equal(t, first, second)
	assert.Equal(t, int64(2), p.Sequence)
	assert.Equal(t, "6.00 USD", p.EndingBalance.String())
}

func TestSetCreditLimit(t *testing.T) {
	t.Run("raise and lower", func(t *testing.T) {
		a := account(t, -300, 500)
		later := t0.Add(time.Minute)
		require.NoError(t, a.SetCreditLimit(money(t, "10", "USD"), later))
		assert.Equal(t, "10.00 USD", a.CreditLimit.String())
		assert.Equal(t, "-10.00 USD", a.Floor().String())
		assert.Equal(t, "7.00 USD", a.Available().String())
		assert.Equal(t, later, a.UpdatedAt)
		require.NoError(t, a.SetCreditLimit(money(t, "3", "USD"), later))
		assert.Equal(t, "0.00 USD", a.Available().String())
	})
	tests := []struct {
		name  string
		limit balance.Money
		want  []error
	}{
		{"below used credit", balance.FromMinorUnits(299, usd), []error{balance.ErrInsufficientFunds}},
		{"zero below used credit", balance.Zero(usd), []error{balance.ErrInsufficientFunds}},
		{"negative", balance.FromMinorUnits(-1, usd), []error{balance.ErrInvalid}},
		{"other currency", balance.FromMinorUnits(1000, eur), []error{balance.ErrInvalid, balance.ErrCurrencyMismatch}},
		{"no currency", balance.Money{}, []error{balance.ErrInvalid, balance.ErrCurrencyMismatch}},
		{"overflow", balance.FromMinorUnits(math.MaxInt64, usd), []error{balance.ErrOverflow}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := account(t, -300, 500)
			if tt.name == "overflow" {
				a = account(t, 1, 0)
			}
			before := a
			err := a.SetCreditLimit(tt.limit, t0.Add(time.Hour))
			for _, want := range tt.want {
				assert.ErrorIs(t, err, want)
			}
			assert.Equal(t, before, a)
		})
	}
}

func TestApplyToOrder(t *testing.T) {
	tests := []struct {
		name             string
		balance, limit   int64
		total            string
		applied, remains string
	}{
		{"available above total", 5000, 0, "20.00", "20.00 USD", "0.00 USD"},
		{"available equals total", 2000, 0, "20.00", "20.00 USD", "0.00 USD"},
		{"available below total", 1250, 0, "20.00", "12.50 USD", "7.50 USD"},
		{"nothing available", 0, 0, "20.00", "0.00 USD", "20.00 USD"},
		{"zero total", 5000, 0, "0", "0.00 USD", "0.00 USD"},
		{"credit limit covers", 1000, 5000, "40.00", "40.00 USD", "0.00 USD"},
		{"credit limit partly covers", 1000, 500, "40.00", "15.00 USD", "25.00 USD"},
		{"using credit already", -500, 1000, "40.00", "5.00 USD", "35.00 USD"},
		{"credit exhausted", -1000, 1000, "40.00", "0.00 USD", "40.00 USD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := account(t, tt.balance, tt.limit)
			before := a
			app, err := a.ApplyToOrder(money(t, tt.total, "USD"))
			require.NoError(t, err)
			assert.Equal(t, tt.applied, app.Applied.String())
			assert.Equal(t, tt.remains, app.Remaining.String())
			assert.Equal(t, before, a)

			// Taking the applied credit always succeeds.
			if app.Applied.IsPositive() {
				p, err := balance.NewPosting(postingID(1), a, balance.PostingParams{Kind: balance.KindOrderPayment, Amount: app.Applied.Neg()}, t0)
				require.NoError(t, err)
				require.NoError(t, a.Apply(&p, t0))
			}
		})
	}
}

func TestApplyToOrderRejects(t *testing.T) {
	a := account(t, 1000, 0)
	_, err := a.ApplyToOrder(money(t, "-1", "USD"))
	assert.ErrorIs(t, err, balance.ErrInvalid)
	_, err = a.ApplyToOrder(money(t, "1", "EUR"))
	assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	assert.ErrorIs(t, err, balance.ErrInvalid)
	_, err = a.ApplyToOrder(balance.Money{})
	assert.ErrorIs(t, err, balance.ErrCurrencyMismatch)
	_, err = balance.Account{}.ApplyToOrder(money(t, "1", "USD"))
	assert.ErrorIs(t, err, balance.ErrInvalid)
}

func TestFloorAndAvailableOfZeroAccount(t *testing.T) {
	var a balance.Account
	assert.NotPanics(t, func() {
		_ = a.Floor()
		_ = a.Available()
	})
	assert.True(t, a.Floor().IsZero())
	assert.True(t, a.Available().IsZero())
	assert.Error(t, a.Validate())
	err := a.Apply(&balance.Posting{}, t0)
	assert.ErrorIs(t, err, balance.ErrInvalid)
}

func TestChangedBesidesLimit(t *testing.T) {
	old := balance.NewAccount(uuid.New(), uuid.New(), balance.MustCurrency("EUR"), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	limit, err := balance.ParseMoney("50.00", "EUR")
	require.NoError(t, err)
	same := old
	same.CreditLimit, same.UpdatedAt = limit, old.UpdatedAt.Add(time.Hour)
	assert.False(t, same.ChangedBesidesLimit(old), "the limit and UpdatedAt may change")
	ten, err := balance.ParseMoney("10.00", "EUR")
	require.NoError(t, err)
	for name, change := range map[string]func(*balance.Account){
		"balance":  func(a *balance.Account) { a.Balance = ten },
		"postings": func(a *balance.Account) { a.Postings++ },
		"version":  func(a *balance.Account) { a.Version++ },
		"customer": func(a *balance.Account) { a.CustomerID = uuid.New() },
		"currency": func(a *balance.Account) { a.Currency = balance.MustCurrency("USD") },
		"created":  func(a *balance.Account) { a.CreatedAt = a.CreatedAt.Add(time.Second) },
	} {
		a := old
		change(&a)
		assert.True(t, a.ChangedBesidesLimit(old), name)
	}
}
