package clientele_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
)

func TestBalancesCreditDebit(t *testing.T) {
	usd := balance.MustCurrency("USD")
	tests := []struct {
		name    string
		credit  bool
		req     func(c uuid.UUID) clientele.PostingRequest
		want    string // EndingBalance after the request, balance starting at 10.00 EUR
		wantErr error
	}{
		{name: "credit", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "2.50")}
		}, want: "12.50"},
		{name: "credit gift card", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "5"), Kind: balance.KindGiftCard, Reference: "GC-1"}
		}, want: "15.00"},
		{name: "debit", req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "10.00")}
		}, want: "0.00"},
		{name: "debit expiry", req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "1"), Kind: balance.KindExpiry}
		}, want: "9.00"},
		{name: "debit below the floor", req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "10.01")}
		}, wantErr: balance.ErrInsufficientFunds},
		{name: "zero amount", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "0")}
		}, wantErr: balance.ErrInvalid},
		{name: "negative amount", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "-1")}
		}, wantErr: balance.ErrInvalid},
		{name: "no currency", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c}
		}, wantErr: balance.ErrInvalid},
		{name: "credit with a debit kind", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "1"), Kind: balance.KindOrderPayment}
		}, wantErr: balance.ErrInvalid},
		{name: "debit with a credit kind", req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "1"), Kind: balance.KindRefund}
		}, wantErr: balance.ErrInvalid},
		{name: "invalid kind", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "1"), Kind: balance.Kind(99)}
		}, wantErr: balance.ErrInvalid},
		{name: "note with control characters", credit: true, req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: money(t, "1"), Note: "a\x00b"}
		}, wantErr: balance.ErrInvalid},
		{name: "unknown customer", credit: true, req: func(uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: uuid.New(), Amount: money(t, "1")}
		}, wantErr: customer.ErrNotFound},
		{name: "debit in a currency without an account", req: func(c uuid.UUID) clientele.PostingRequest {
			return clientele.PostingRequest{CustomerID: c, Amount: balance.FromMinorUnits(1, usd)}
		}, wantErr: balance.ErrInsufficientFunds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.register(t, "ada@example.com")
			_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "10.00")})
			require.NoError(t, err)
			post := e.Balances.Debit
			if tt.credit {
				post = e.Balances.Credit
			}
			p, err := post(e.ctx, tt.req(c.ID))
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				avail, err := e.Balances.Available(e.ctx, c.ID, eur)
				require.NoError(t, err)
				assert.True(t, avail.Equal(money(t, "10.00")), "nothing changed: %s", avail)
				accts, err := e.Balances.Accounts(e.ctx, c.ID)
				require.NoError(t, err)
				assert.Len(t, accts, 1, "no account opened by a failed posting")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, int64(2), p.Sequence)
			assert.True(t, p.EndingBalance.Equal(money(t, tt.want)), "ending balance %s", p.EndingBalance)
			if tt.credit {
				assert.True(t, p.IsCredit())
			} else {
				assert.True(t, p.IsDebit())
			}
			acct, err := e.Balances.Account(e.ctx, c.ID, eur)
			require.NoError(t, err)
			assert.True(t, acct.Balance.Equal(p.EndingBalance))
		})
	}
	t.Run("deleted customer", func(t *testing.T) {
		e := newEnv(t)
		c := e.register(t, "ada@example.com")
		require.NoError(t, e.Customers.Delete(e.ctx, c.ID))
		_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1")})
		require.ErrorIs(t, err, customer.ErrNotFound)
	})
}

// TestBalancesDebit_Concurrent is the must-show floor case: 64 goroutines ×
// 50 debits of 1.00 against 100.00.
func TestBalancesDebit_Concurrent(t *testing.T) {
	e := newEnv(t, clientele.WithIDGenerator(uuid.New))
	c := e.register(t, "ada@example.com")
	_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "100.00"), Kind: balance.KindGiftCard})
	require.NoError(t, err)

	const goroutines, debits = 64, 50
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		ok, short  int
		unexpected []error
		start      = make(chan struct{})
		one        = money(t, "1.00")
	)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for range debits {
				_, err := e.Balances.Debit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: one, Kind: balance.KindOrderPayment})
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, balance.ErrInsufficientFunds):
					short++
				default:
					unexpected = append(unexpected, err)
				}
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()

	require.Empty(t, unexpected)
	assert.Equal(t, 100, ok, "exactly 100 debits succeed")
	assert.Equal(t, goroutines*debits-100, short, "the rest fail with balance.ErrInsufficientFunds")

	acct, err := e.Balances.Account(e.ctx, c.ID, eur)
	require.NoError(t, err)
	assert.True(t, acct.Balance.Equal(money(t, "0.00")), "final balance %s", acct.Balance)

	postings := e.allPostings(t, c.ID)
	require.Len(t, postings, 101)
	assert.Equal(t, int64(101), acct.Postings)
	sum := balance.Zero(eur)
	for i, p := range postings {
		sum, err = sum.Add(p.Amount)
		require.NoError(t, err)
		assert.Equal(t, int64(i+1), p.Sequence)
		assert.True(t, p.EndingBalance.Equal(sum), "posting %d ends at the running sum", p.Sequence)
		assert.False(t, p.EndingBalance.IsNegative(), "posting %d ends below the floor", p.Sequence)
	}
	assert.True(t, acct.Balance.Equal(sum), "balance %s equals the sum of the postings %s", acct.Balance, sum)
}

// TestBalancesIdempotency_ConcurrentReplays is the must-show replay case: 100
// replays of one key from 16 goroutines make exactly one posting and 100
// identical results.
func TestBalancesIdempotency_ConcurrentReplays(t *testing.T) {
	e := newEnv(t, clientele.WithIDGenerator(uuid.New))
	c := e.register(t, "ada@example.com")
	req := clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "25.00"), Kind: balance.KindRefund,
		Reference: "R-1", IdempotencyKey: "refund-R-1", Actor: "support"}

	const replays, goroutines = 100, 16
	results := make([]balance.Posting, replays)
	errs := make([]error, replays)
	next := make(chan int)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = e.Balances.Credit(e.ctx, req)
			}
		}()
	}
	for i := range replays {
		next <- i
	}
	close(next)
	wg.Wait()

	for i := range replays {
		require.NoError(t, errs[i], "replay %d", i)
		assert.Equal(t, results[0].ID, results[i].ID, "replay %d: posting ID", i)
		assert.Equal(t, results[0].Sequence, results[i].Sequence, "replay %d: sequence", i)
		assert.True(t, results[0].EndingBalance.Equal(results[i].EndingBalance), "replay %d: ending balance", i)
		assert.Equal(t, results[0], results[i], "replay %d", i)
	}
	assert.Equal(t, int64(1), results[0].Sequence)
	assert.True(t, results[0].EndingBalance.Equal(money(t, "25.00")))
	postings := e.allPostings(t, c.ID)
	require.Len(t, postings, 1, "exactly one posting")
	acct, err := e.Balances.Account(e.ctx, c.ID, eur)
	require.NoError(t, err)
	assert.True(t, acct.Balance.Equal(money(t, "25.00")))
}

func TestBalancesIdempotency_KeyReused(t *testing.T) {
	base := func(c uuid.UUID) clientele.PostingRequest {
		return clientele.PostingRequest{CustomerID: c, Amount: money(t, "5.00"), Kind: balance.KindAdjustment,
			Reference: "ref", IdempotencyKey: "key-1", Actor: "staff", Note: "goodwill"}
	}
	tests := []struct {
		name   string
		debit  bool
		change func(r *clientele.PostingRequest)
	}{
		{name: "other amount", change: func(r *clientele.PostingRequest) { r.Amount = money(t, "5.01") }},
		{name: "other kind", change: func(r *clientele.PostingRequest) { r.Kind = balance.KindGiftCard }},
		{name: "other reference", change: func(r *clientele.PostingRequest) { r.Reference = "other" }},
		{name: "other actor", change: func(r *clientele.PostingRequest) { r.Actor = "bot" }},
		{name: "other note", change: func(r *clientele.PostingRequest) { r.Note = "" }},
		{name: "debit instead of credit", debit: true, change: func(*clientele.PostingRequest) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.register(t, "ada@example.com")
			first, err := e.Balances.Credit(e.ctx, base(c.ID))
			require.NoError(t, err)
			req := base(c.ID)
			tt.change(&req)
			post := e.Balances.Credit
			if tt.debit {
				post = e.Balances.Debit
			}
			_, err = post(e.ctx, req)
			require.ErrorIs(t, err, balance.ErrIdempotencyKeyReused)
			postings := e.allPostings(t, c.ID)
			require.Len(t, postings, 1, "nothing changes")
			assert.Equal(t, first, postings[0])
			// The original request still replays.
			again, err := e.Balances.Credit(e.ctx, base(c.ID))
			require.NoError(t, err)
			assert.Equal(t, first, again)
		})
	}
	t.Run("keys are per account", func(t *testing.T) {
		e := newEnv(t)
		a, b := e.register(t, "a@example.com"), e.register(t, "b@example.com")
		pa, err := e.Balances.Credit(e.ctx, base(a.ID))
		require.NoError(t, err)
		pb, err := e.Balances.Credit(e.ctx, base(b.ID))
		require.NoError(t, err)
		assert.NotEqual(t, pa.ID, pb.ID)
	})
	t.Run("a failed debit does not use up its key", func(t *testing.T) {
		e := newEnv(t)
		c := e.register(t, "a@example.com")
		req := clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "5.00"), IdempotencyKey: "d-1"}
		_, err := e.Balances.Debit(e.ctx, req)
		require.ErrorIs(t, err, balance.ErrInsufficientFunds)
		_, err = e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "5.00")})
		require.NoError(t, err)
		p, err := e.Balances.Debit(e.ctx, req)
		require.NoError(t, err)
		assert.True(t, p.EndingBalance.IsZero())
	})
}

// TestBalancesApplyToOrder is the must-show table for paying an order with
// store credit.
func TestBalancesApplyToOrder(t *testing.T) {
	tests := []struct {
		name        string
		balance     string // credited first; "" for no posting at all
		creditLimit string
		total       string
		wantApplied string
		wantRemain  string
		wantPosting bool
		wantBalance string
	}{
		{name: "available > total", balance: "100.00", total: "30.00", wantApplied: "30.00", wantRemain: "0.00", wantPosting: true, wantBalance: "70.00"},
		{name: "available = total", balance: "30.00", total: "30.00", wantApplied: "30.00", wantRemain: "0.00", wantPosting: true, wantBalance: "0.00"},
		{name: "available < total", balance: "20.00", total: "30.00", wantApplied: "20.00", wantRemain: "10.00", wantPosting: true, wantBalance: "0.00"},
		// With a key, a zero outcome is recorded too: a posting of zero.
		{name: "nothing available: no account (opened for the record)", total: "30.00", wantApplied: "0.00", wantRemain: "30.00", wantPosting: true, wantBalance: "0.00"},
		{name: "nothing available: spent balance", balance: "0.00", total: "30.00", wantApplied: "0.00", wantRemain: "30.00", wantPosting: true, wantBalance: "0.00"},
		{name: "zero total", balance: "10.00", total: "0.00", wantApplied: "0.00", wantRemain: "0.00", wantPosting: true, wantBalance: "10.00"},
		{name: "credit limit covers the rest", balance: "10.00", creditLimit: "50.00", total: "30.00", wantApplied: "30.00", wantRemain: "0.00", wantPosting: true, wantBalance: "-20.00"},
		{name: "credit limit only, partly", creditLimit: "25.00", total: "30.00", wantApplied: "25.00", wantRemain: "5.00", wantPosting: true, wantBalance: "-25.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.register(t, "ada@example.com")
			if tt.balance != "" {
				if m := money(t, tt.balance); m.IsPositive() {
					_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: m})
					require.NoError(t, err)
				} else {
					_, err := e.Balances.SetCreditLimit(e.ctx, c.ID, m) // opens the account
					require.NoError(t, err)
				}
			}
			if tt.creditLimit != "" {
				_, err := e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, tt.creditLimit))
				require.NoError(t, err)
			}
			before := 0
			if tt.balance != "" || tt.creditLimit != "" {
				before = len(e.allPostings(t, c.ID))
			}
			pay, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{
				CustomerID: c.ID, Total: money(t, tt.total), Reference: "#1001", IdempotencyKey: "pay-1001"})
			require.NoError(t, err)
			assert.True(t, pay.Applied.Equal(money(t, tt.wantApplied)), "applied %s", pay.Applied)
			assert.True(t, pay.Remaining.Equal(money(t, tt.wantRemain)), "remaining %s", pay.Remaining)
			if !tt.wantPosting {
				assert.Nil(t, pay.Posting)
				if tt.balance == "" && tt.creditLimit == "" {
					_, err := e.Balances.Account(e.ctx, c.ID, eur)
					require.ErrorIs(t, err, balance.ErrAccountNotFound, "no account is opened")
				} else {
					assert.Len(t, e.allPostings(t, c.ID), before)
				}
				return
			}
			require.NotNil(t, pay.Posting)
			assert.Equal(t, balance.KindOrderPayment, pay.Posting.Kind)
			assert.True(t, pay.Posting.Amount.Equal(pay.Applied.Neg()))
			assert.Equal(t, "#1001", pay.Posting.Reference)
			assert.True(t, pay.Posting.EndingBalance.Equal(money(t, tt.wantBalance)))
			acct, err := e.Balances.Account(e.ctx, c.ID, eur)
			require.NoError(t, err)
			assert.True(t, acct.Balance.Equal(money(t, tt.wantBalance)), "balance %s", acct.Balance)

			// Replay: same key and order → the same payment, nothing posted.
			again, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{
				CustomerID: c.ID, Total: money(t, tt.total), Reference: "#1001", IdempotencyKey: "pay-1001"})
			require.NoError(t, err)
			assert.Equal(t, pay.Posting.ID, again.Posting.ID)
			assert.True(t, again.Applied.Equal(pay.Applied))
			assert.True(t, again.Remaining.Equal(pay.Remaining))
			assert.Len(t, e.allPostings(t, c.ID), before+1)
		})
	}
}

func TestBalancesApplyToOrder_ReplayAndErrors(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "50.00")})
	require.NoError(t, err)
	req := clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "80.00"), Reference: "#1", IdempotencyKey: "k1", Actor: "checkout"}
	first, err := e.Balances.ApplyToOrder(e.ctx, req)
	require.NoError(t, err)
	require.True(t, first.Applied.Equal(money(t, "50.00")))

	t.Run("replay after more credit arrived returns the first payment", func(t *testing.T) {
		_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "100.00")})
		require.NoError(t, err)
		again, err := e.Balances.ApplyToOrder(e.ctx, req)
		require.NoError(t, err)
		assert.Equal(t, first.Posting.ID, again.Posting.ID)
		assert.True(t, again.Applied.Equal(money(t, "50.00")))
		assert.True(t, again.Remaining.Equal(money(t, "30.00")))
	})
	t.Run("replay with a lower total still owed recomputes the remainder", func(t *testing.T) {
		r := req
		r.Total = money(t, "60.00")
		again, err := e.Balances.ApplyToOrder(e.ctx, r)
		require.NoError(t, err)
		assert.True(t, again.Remaining.Equal(money(t, "10.00")))
	})
	reused := []struct {
		name   string
		change func(r *clientele.OrderPaymentRequest)
	}{
		{"another order", func(r *clientele.OrderPaymentRequest) { r.Reference = "#2" }},
		{"another actor", func(r *clientele.OrderPaymentRequest) { r.Actor = "admin" }},
		{"a total below what was applied", func(r *clientele.OrderPaymentRequest) { r.Total = money(t, "49.99") }},
	}
	for _, tt := range reused {
		t.Run("key reused for "+tt.name, func(t *testing.T) {
			r := req
			tt.change(&r)
			_, err := e.Balances.ApplyToOrder(e.ctx, r)
			require.ErrorIs(t, err, balance.ErrIdempotencyKeyReused)
		})
	}
	t.Run("key of a plain credit", func(t *testing.T) {
		_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1.00"), IdempotencyKey: "credit-key"})
		require.NoError(t, err)
		r := req
		r.IdempotencyKey = "credit-key"
		_, err = e.Balances.ApplyToOrder(e.ctx, r)
		require.ErrorIs(t, err, balance.ErrIdempotencyKeyReused)
	})
	errs := []struct {
		name string
		req  clientele.OrderPaymentRequest
		want error
	}{
		{"negative total", clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "-1.00")}, balance.ErrInvalid},
		{"total without currency", clientele.OrderPaymentRequest{CustomerID: c.ID}, balance.ErrInvalid},
		{"unknown customer", clientele.OrderPaymentRequest{CustomerID: uuid.New(), Total: money(t, "1.00")}, customer.ErrNotFound},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Balances.ApplyToOrder(e.ctx, tt.req)
			require.ErrorIs(t, err, tt.want)
		})
	}
	t.Run("concurrent payments never overdraw", func(t *testing.T) {
		e := newEnv(t, clientele.WithIDGenerator(uuid.New))
		c := e.register(t, "b@example.com")
		_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "100.00")})
		require.NoError(t, err)
		var wg sync.WaitGroup
		applied := make([]balance.Money, 32)
		for i := range applied {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pay, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{
					CustomerID: c.ID, Total: money(t, "7.00"), Reference: fmt.Sprint(i), IdempotencyKey: fmt.Sprint("k", i)})
				assert.NoError(t, err)
				applied[i] = pay.Applied
			}()
		}
		wg.Wait()
		sum := balance.Zero(eur)
		for _, a := range applied {
			sum, err = sum.Add(a)
			require.NoError(t, err)
		}
		assert.True(t, sum.Equal(money(t, "100.00")), "applied in total %s", sum)
		avail, err := e.Balances.Available(e.ctx, c.ID, eur)
		require.NoError(t, err)
		assert.True(t, avail.IsZero())
	})
}

func TestBalancesAccounts(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	usd := balance.MustCurrency("USD")

	t.Run("no account yet", func(t *testing.T) {
		_, err := e.Balances.Account(e.ctx, c.ID, eur)
		require.ErrorIs(t, err, balance.ErrAccountNotFound)
		avail, err := e.Balances.Available(e.ctx, c.ID, eur)
		require.NoError(t, err)
		assert.True(t, avail.Equal(balance.Zero(eur)))
		accts, err := e.Balances.Accounts(e.ctx, c.ID)
		require.NoError(t, err)
		assert.Empty(t, accts)
		_, err = e.Balances.History(e.ctx, c.ID, eur, page.Request{})
		require.ErrorIs(t, err, balance.ErrAccountNotFound)
	})

	_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: balance.FromMinorUnits(500, usd)})
	require.NoError(t, err)
	_, err = e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "3.00")})
	require.NoError(t, err)

	t.Run("one account per currency, ordered by code", func(t *testing.T) {
		accts, err := e.Balances.Accounts(e.ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, accts, 2)
		assert.Equal(t, "EUR", accts[0].Currency.Code())
		assert.Equal(t, "USD", accts[1].Currency.Code())
		assert.True(t, accts[1].Balance.Equal(balance.FromMinorUnits(500, usd)))
	})
	t.Run("credit limit", func(t *testing.T) {
		acct, err := e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, "20.00"))
		require.NoError(t, err)
		assert.True(t, acct.CreditLimit.Equal(money(t, "20.00")))
		assert.True(t, acct.Floor().Equal(money(t, "-20.00")))
		avail, err := e.Balances.Available(e.ctx, c.ID, eur)
		require.NoError(t, err)
		assert.True(t, avail.Equal(money(t, "23.00")))

		_, err = e.Balances.Debit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "13.00")})
		require.NoError(t, err) // balance -10.00
		_, err = e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, "9.99"))
		require.ErrorIs(t, err, balance.ErrInsufficientFunds, "lowering the limit below what is owed")
		_, err = e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, "-1"))
		require.ErrorIs(t, err, balance.ErrInvalid)
		_, err = e.Balances.SetCreditLimit(e.ctx, c.ID, balance.Money{})
		require.ErrorIs(t, err, balance.ErrInvalid)
		_, err = e.Balances.SetCreditLimit(e.ctx, uuid.New(), money(t, "1"))
		require.ErrorIs(t, err, customer.ErrNotFound)
		acct, err = e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, "10.00"))
		require.NoError(t, err)
		assert.True(t, acct.Available().IsZero())
	})
	t.Run("history pages", func(t *testing.T) {
		pg, err := e.Balances.History(e.ctx, c.ID, eur, page.Request{Limit: 1})
		require.NoError(t, err)
		require.Len(t, pg.Items, 1)
		assert.Equal(t, int64(1), pg.Items[0].Sequence)
		assert.NotEmpty(t, pg.Next)
		assert.Len(t, e.allPostings(t, c.ID), 2)
	})
	t.Run("unknown and deleted customers", func(t *testing.T) {
		for _, id := range []uuid.UUID{uuid.New()} {
			_, err := e.Balances.Account(e.ctx, id, eur)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, err = e.Balances.Available(e.ctx, id, eur)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, err = e.Balances.Accounts(e.ctx, id)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, err = e.Balances.History(e.ctx, id, eur, page.Request{})
			assert.ErrorIs(t, err, customer.ErrNotFound)
		}
		d := e.register(t, "deleted@example.com")
		require.NoError(t, e.Customers.Delete(e.ctx, d.ID))
		_, err := e.Balances.Accounts(e.ctx, d.ID)
		assert.ErrorIs(t, err, customer.ErrNotFound)
	})
}

func TestBalancesRefuseBlankIdempotencyKeys(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	for _, key := range []string{" ", "   ", "\u3000", " \u00a0 "} {
		_, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1.00"), IdempotencyKey: key})
		var ve *balance.ValidationError
		require.ErrorAs(t, err, &ve, "%q", key)
		assert.Equal(t, "idempotency_key", ve.Field)
		_, err = e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "1.00"), IdempotencyKey: key})
		require.ErrorIs(t, err, balance.ErrInvalid, "%q", key)
	}
	_, err := e.Balances.Account(e.ctx, c.ID, eur)
	require.ErrorIs(t, err, balance.ErrAccountNotFound, "nothing was posted")
	_, err = e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1.00"), IdempotencyKey: " k "})
	require.NoError(t, err, "a key with spaces around is a key")
}

// Issue 7, bug 3: an ApplyToOrder that applied nothing is answered the same
// on a replay, even after credit arrived: the zero outcome is recorded
// against its key (a posting of zero), with or without an account before.
func TestBalancesApplyToOrder_ZeroOutcomeIsReplayed(t *testing.T) {
	for _, tt := range []struct {
		name    string
		account bool // the customer has an (empty) account before the first call
	}{{"no account yet", false}, {"empty account", true}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.register(t, "ada@example.com")
			if tt.account {
				_, err := e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, "0.00")) // opens the account
				require.NoError(t, err)
			}
			req := clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "20.00"), Reference: "#7", IdempotencyKey: "pay-7"}
			first, err := e.Balances.ApplyToOrder(e.ctx, req)
			require.NoError(t, err)
			require.True(t, first.Applied.IsZero(), "applied %s", first.Applied)
			require.NotNil(t, first.Posting, "the zero outcome is recorded")
			assert.True(t, first.Posting.Amount.IsZero())
			assert.Equal(t, "pay-7", first.Posting.IdempotencyKey)

			_, err = e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "15.00")})
			require.NoError(t, err)
			again, err := e.Balances.ApplyToOrder(e.ctx, req)
			require.NoError(t, err)
			assert.True(t, again.Applied.IsZero(), "the replay applied %s", again.Applied)
			assert.True(t, again.Remaining.Equal(money(t, "20.00")), "remaining %s", again.Remaining)
			require.NotNil(t, again.Posting)
			assert.Equal(t, first.Posting.ID, again.Posting.ID)
			avail, err := e.Balances.Available(e.ctx, c.ID, eur)
			require.NoError(t, err)
			assert.True(t, avail.Equal(money(t, "15.00")), "the credit is untouched: %s", avail)

			// The same key for another order is a reuse.
			other := req
			other.Reference = "#8"
			_, err = e.Balances.ApplyToOrder(e.ctx, other)
			require.ErrorIs(t, err, balance.ErrIdempotencyKeyReused)
		})
	}
}

// Without an idempotency key there is nothing to record a zero outcome
// against: no posting, and no account is opened.
func TestBalancesApplyToOrder_ZeroOutcomeWithoutKey(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	pay, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "20.00"), Reference: "#7"})
	require.NoError(t, err)
	assert.True(t, pay.Applied.IsZero())
	assert.True(t, pay.Remaining.Equal(money(t, "20.00")))
	assert.Nil(t, pay.Posting)
	_, err = e.Balances.Account(e.ctx, c.ID, eur)
	require.ErrorIs(t, err, balance.ErrAccountNotFound, "no account is opened")
}
