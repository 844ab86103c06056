package balance_test

import (
	"encoding/json"
	"errors"
	strs "strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
)

func TestNewPosting(t *testing.T) {
	a := account(t, 0, 0)
	local := t0.In(time.FixedZone("EST", -5*3600))
	params := balance.PostingParams{
		Kind:           balance.KindGiftCard,
		Amount:         money(t, "25", "USD"),
		Reference:      "GC-1234",
		IdempotencyKey: "req-1",
		Actor:          "staff:ana",
		Note:           "birthday\ngift",
	}
	p, err := balance.NewPosting(postingID(1), a, params, local)
	require.NoError(t, err)
	assert.Equal(t, postingID(1), p.ID)
	assert.Equal(t, a.ID, p.AccountID)
	assert.Equal(t, a.CustomerID, p.CustomerID)
	assert.Equal(t, int64(0), p.Sequence)
	assert.Equal(t, balance.KindGiftCard, p.Kind)
	assert.True(t, p.Amount.Equal(params.Amount))
	assert.Equal(t, balance.Money{}, p.EndingBalance)
	assert.Equal(t, "GC-1234", p.Reference)
	assert.Equal(t, "req-1", p.IdempotencyKey)
	assert.Equal(t, "staff:ana", p.Actor)
	assert.Equal(t, "birthday\ngift", p.Note)
	assert.Equal(t, time.UTC, p.CreatedAt.Location())
	assert.True(t, p.CreatedAt.Equal(t0))
	assert.True(t, p.IsCredit())
	assert.False(t, p.IsDebit())
	assert.Equal(t, params, p.Params())
	assert.Equal(t, p, p.Clone())
	require.NoError(t, p.Validate())
}

func TestNewPostingSignRules(t *testing.T) {
	a := account(t, 0, 0)
	credit := money(t, "1", "USD")
	debit := money(t, "-1", "USD")
	tests := []struct {
		kind          balance.Kind
		credit, debit bool
	}{
		{balance.KindAdjustment, true, true},
		{balance.KindGiftCard, true, false},
		{balance.KindRefund, true, false},
		{balance.KindOrderPayment, false, true},
		{balance.KindOrderPaymentReversal, true, false},
		{balance.KindExpiry, false, true},
		{balance.KindTransfer, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			assert.Equal(t, tt.credit, tt.kind.AllowsCredit())
			assert.Equal(t, tt.debit, tt.kind.AllowsDebit())
			for _, c := range []struct {
				amount balance.Money
				ok     bool
			}{{credit, tt.credit}, {debit, tt.debit}, {balance.Zero(usd), false}} {
				p, err := balance.NewPosting(postingID(1), a, balance.PostingParams{Kind: tt.kind, Amount: c.amount}, t0)
				if c.ok {
					require.NoError(t, err, c.amount)
					assert.Equal(t, c.amount.IsPositive(), p.IsCredit())
					assert.Equal(t, c.amount.IsNegative(), p.IsDebit())
					continue
				}
				require.Error(t, err, c.amount)
				assert.ErrorIs(t, err, balance.ErrInvalid)
				var ve *balance.ValidationError
				require.True(t, errors.As(err, &ve))
				assert.Equal(t, "amount", ve.Field)
			}
		})
	}
}

func TestNewPostingRejects(t *testing.T) {
	good := balance.PostingParams{Kind: balance.KindRefund, Amount: money(t, "1", "USD")}
	tests := []struct {
		name    string
		id      uuid.UUID
		account func(a *balance.Account)
		params  func(p *balance.PostingParams)
		field   string
		also    error
	}{
		{name: "nil id", id: uuid.Nil, field: "id"},
		{name: "account without id", account: func(a *balance.Account) { a.ID = uuid.Nil }, field: "account_id"},
		{name: "account without customer", account: func(a *balance.Account) { a.CustomerID = uuid.Nil }, field: "customer_id"},
		{name: "account without currency", account: func(a *balance.Account) { a.Currency = balance.Currency{} }, field: "currency"},
		{name: "zero kind", params: func(p *balance.PostingParams) { p.Kind = 0 }, field: "kind"},
		{name: "unknown kind", params: func(p *balance.PostingParams) { p.Kind = 42 }, field: "kind"},
		{name: "other currency", params: func(p *balance.PostingParams) { p.Amount = money(t, "1", "EUR") }, field: "amount", also: balance.ErrCurrencyMismatch},
		{name: "no currency", params: func(p *balance.PostingParams) { p.Amount = balance.Money{} }, field: "amount", also: balance.ErrCurrencyMismatch},
		{name: "zero", params: func(p *balance.PostingParams) { p.Amount = balance.Zero(usd) }, field: "amount"},
		{name: "long reference", params: func(p *balance.PostingParams) { p.Reference = strs.Repeat("r", 256) }, field: "reference"},
		{name: "control reference", params: func(p *balance.PostingParams) { p.Reference = "a\nb" }, field: "reference"},
		{name: "long key", params: func(p *balance.PostingParams) { p.IdempotencyKey = strs.Repeat("k", 256) }, field: "idempotency_key"},
		{name: "bad utf8 key", params: func(p *balance.PostingParams) { p.IdempotencyKey = "\xff" }, field: "idempotency_key"},
		{name: "long actor", params: func(p *balance.PostingParams) { p.Actor = strs.Repeat("a", 256) }, field: "actor"},
		{name: "control actor", params: func(p *balance.PostingParams) { p.Actor = "a\x00" }, field: "actor"},
		{name: "long note", params: func(p *balance.PostingParams) { p.Note = strs.Repeat("n", 1001) }, field: "note"},
		{name: "control note", params: func(p *balance.PostingParams) { p.Note = "bell\a" }, field: "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := account(t, 0, 0)
			if tt.account != nil {
				tt.account(&a)
			}
			params := good
			if tt.params != nil {
				tt.params(&params)
			}
			id := postingID(1)
			if tt.name == "nil id" {
				id = tt.id
			}
			p, err := balance.NewPosting(id, a, params, t0)
			require.Error(t, err)
			assert.Equal(t, balance.Posting{}, p)
			assert.ErrorIs(t, err, balance.ErrInvalid)
			if tt.also != nil {
				assert.ErrorIs(t, err, tt.also)
			}
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tt.field, ve.Field)
		})
	}
}

func TestNewPostingLimits(t *testing.T) {
	a := account(t, 0, 0)
	_, err := balance.NewPosting(postingID(1), a, balance.PostingParams{
		Kind:           balance.KindRefund,
		Amount:         money(t, "1", "USD"),
		Reference:      strs.Repeat("r", balance.MaxReferenceLength),
		IdempotencyKey: strs.Repeat("k", balance.MaxIdempotencyKeyLength),
		Actor:          strs.Repeat("a", balance.MaxActorLength),
		Note:           strs.Repeat("n\n", balance.MaxNoteLength/2),
	}, t0)
	require.NoError(t, err)
}

func TestPostingValidate(t *testing.T) {
	a := account(t, 0, 0)
	p, err := balance.NewPosting(postingID(1), a, balance.PostingParams{Kind: balance.KindRefund, Amount: money(t, "1", "USD")}, t0)
	require.NoError(t, err)
	require.NoError(t, p.Validate())
	require.NoError(t, a.Apply(&p, t0))
	require.NoError(t, p.Validate())

	for name, edit := range map[string]func(p *balance.Posting){
		"id":             func(p *balance.Posting) { p.ID = uuid.Nil },
		"account_id":     func(p *balance.Posting) { p.AccountID = uuid.Nil },
		"customer_id":    func(p *balance.Posting) { p.CustomerID = uuid.Nil },
		"sequence":       func(p *balance.Posting) { p.Sequence = -1 },
		"kind":           func(p *balance.Posting) { p.Kind = 0 },
		"amount":         func(p *balance.Posting) { p.Amount = balance.Money{} },
		"ending_balance": func(p *balance.Posting) { p.EndingBalance = balance.Zero(eur) },
	} {
		t.Run(name, func(t *testing.T) {
			q := p
			edit(&q)
			err := q.Validate()
			assert.ErrorIs(t, err, balance.ErrInvalid)
			var ve *balance.ValidationError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, name, ve.Field)
		})
	}
}

func TestSameRequest(t *testing.T) {
	a := account(t, 0, 0)
	params := balance.PostingParams{
		Kind:           balance.KindRefund,
		Amount:         money(t, "12.50", "USD"),
		Reference:      "R-1",
		IdempotencyKey: "key-1",
		Actor:          "job",
		Note:           "n",
	}
	p, err := balance.NewPosting(postingID(1), a, params, t0)
	require.NoError(t, err)
	require.NoError(t, a.Apply(&p, t0))

	assert.True(t, p.SameRequest(params))
	same := params
	same.Amount = money(t, "12.5", "usd")
	assert.True(t, p.SameRequest(same), "the amount is compared by value")
	same.IdempotencyKey = "another"
	assert.True(t, p.SameRequest(same), "the key is not compared")

	tests := map[string]func(q *balance.PostingParams){
		"kind":      func(q *balance.PostingParams) { q.Kind = balance.KindGiftCard },
		"amount":    func(q *balance.PostingParams) { q.Amount = money(t, "12.51", "USD") },
		"currency":  func(q *balance.PostingParams) { q.Amount = money(t, "12.50", "EUR") },
		"zero":      func(q *balance.PostingParams) { q.Amount = balance.Money{} },
		"reference": func(q *balance.PostingParams) { q.Reference = "R-2" },
		"actor":     func(q *balance.PostingParams) { q.Actor = "" },
		"note":      func(q *balance.PostingParams) { q.Note = "N" },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			q := params
			edit(&q)
			assert.False(t, p.SameRequest(q))
		})
	}
}

func TestKind(t *testing.T) {
	names := map[balance.Kind]string{
		balance.KindAdjustment:           "adjustment",
		balance.KindGiftCard:             "gift_card",
		balance.KindRefund:               "refund",
		balance.KindOrderPayment:         "order_payment",
		balance.KindOrderPaymentReversal: "order_payment_reversal",
		balance.KindExpiry:               "expiry",
		balance.KindTransfer:             "transfer",
	}
	require.Len(t, balance.Kinds(), len(names))
	for _, k := range balance.Kinds() {
		name := names[k]
		assert.True(t, k.Valid())
		assert.Equal(t, name, k.String())
		parsed, err := balance.ParseKind(name)
		require.NoError(t, err)
		assert.Equal(t, k, parsed)
		b, err := k.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, name, string(b))
		var u balance.Kind
		require.NoError(t, u.UnmarshalText(b))
		assert.Equal(t, k, u)
	}

	var zero balance.Kind
	assert.False(t, zero.Valid())
	assert.Equal(t, "Kind(0)", zero.String())
	assert.Equal(t, "Kind(99)", balance.Kind(99).String())
	assert.False(t, zero.AllowsCredit())
	assert.False(t, zero.AllowsDebit())
	_, err := zero.MarshalText()
	assert.ErrorIs(t, err, balance.ErrInvalid)

	for _, messy := range []string{"Refund", " refund", "REFUND\n"} {
		parsed, err := balance.ParseKind(messy)
		require.NoError(t, err, "trimmed and case-folded: %q", messy)
		assert.Equal(t, balance.KindRefund, parsed)
	}
	for _, bad := range []string{"", "gift-card", "Kind(1)", "1", "re fund"} {
		_, err := balance.ParseKind(bad)
		assert.ErrorIs(t, err, balance.ErrInvalid, bad)
		var k balance.Kind
		assert.Error(t, k.UnmarshalText([]byte(bad)))
		assert.Equal(t, balance.Kind(0), k)
	}

	var v struct {
		Kind balance.Kind `json:"kind"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"order_payment_reversal"}`), &v))
	assert.Equal(t, balance.KindOrderPaymentReversal, v.Kind)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"order_payment_reversal"}`, string(b))
}

// A zero amount is a posting only as an order payment with an idempotency
// key: the record of an ApplyToOrder that found nothing to apply. Applying
// it moves nothing and takes the next sequence number.
func TestZeroOrderPayment(t *testing.T) {
	a := account(t, 0, 0)
	zero := balance.Zero(usd)
	for _, tt := range []struct {
		name string
		p    balance.PostingParams
		ok   bool
	}{
		{"order payment with key", balance.PostingParams{Kind: balance.KindOrderPayment, Amount: zero, IdempotencyKey: "k"}, true},
		{"order payment without key", balance.PostingParams{Kind: balance.KindOrderPayment, Amount: zero}, false},
		{"expiry with key", balance.PostingParams{Kind: balance.KindExpiry, Amount: zero, IdempotencyKey: "k"}, false},
		{"refund with key", balance.PostingParams{Kind: balance.KindRefund, Amount: zero, IdempotencyKey: "k"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := balance.NewPosting(postingID(1), a, tt.p, t0)
			if !tt.ok {
				assert.ErrorIs(t, err, balance.ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.NoError(t, p.Validate())
			assert.False(t, p.IsCredit())
			assert.False(t, p.IsDebit())
			b := a
			require.NoError(t, b.Apply(&p, t0))
			assert.True(t, b.Balance.Equal(a.Balance), "a zero posting moves nothing")
			assert.Equal(t, a.Postings+1, b.Postings)
			assert.Equal(t, b.Postings, p.Sequence)
		})
	}
}
