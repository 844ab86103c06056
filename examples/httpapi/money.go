package main

import (
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/order"
)

// The views in this file exist only because balance.Money has no JSON form
// yet (it marshals as {}): they give every amount as a string with its
// currency and every other field the snake_case name the domain's own JSON
// will have. When the domain types marshal themselves (issue 7, "JSON"),
// the handlers encode them directly and this file goes.

// money is the JSON form of an amount: {"amount":"12.34","currency":"EUR"},
// the amount a string so that no client reads it as a binary float.
type money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func moneyOf(m balance.Money) money {
	return money{Amount: m.AmountString(), Currency: m.Currency().Code()}
}

// parse returns the amount, with validation errors named after the
// request's field ("total.amount", "amount.currency").
func (m money) parse(field string) (balance.Money, error) {
	v, err := balance.ParseMoney(m.Amount, m.Currency)
	var ve *errcode.ValidationError
	if errors.As(err, &ve) {
		return v, &errcode.ValidationError{Field: field + "." + ve.Field, Reason: ve.Reason, Err: ve.Err}
	}
	return v, err
}

type postingView struct {
	ID             uuid.UUID    `json:"id"`
	AccountID      uuid.UUID    `json:"account_id"`
	CustomerID     uuid.UUID    `json:"customer_id"`
	Sequence       int64        `json:"sequence"`
	Kind           balance.Kind `json:"kind"`
	Amount         money        `json:"amount"`
	EndingBalance  money        `json:"ending_balance"`
	Reference      string       `json:"reference,omitempty"`
	IdempotencyKey string       `json:"idempotency_key,omitempty"`
	Actor          string       `json:"actor,omitempty"`
	Note           string       `json:"note,omitempty"`
	CreatedAt      time.Time    `json:"created_at"`
}

func postingOf(p balance.Posting) postingView {
	return postingView{
		ID: p.ID, AccountID: p.AccountID, CustomerID: p.CustomerID, Sequence: p.Sequence, Kind: p.Kind,
		Amount: moneyOf(p.Amount), EndingBalance: moneyOf(p.EndingBalance), Reference: p.Reference,
		IdempotencyKey: p.IdempotencyKey, Actor: p.Actor, Note: p.Note, CreatedAt: p.CreatedAt,
	}
}

type accountView struct {
	ID          uuid.UUID `json:"id"`
	CustomerID  uuid.UUID `json:"customer_id"`
	Currency    string    `json:"currency"`
	Balance     money     `json:"balance"`
	CreditLimit money     `json:"credit_limit"`
	// Available is what the customer can spend: balance plus credit limit.
	Available money     `json:"available"`
	Postings  int64     `json:"postings"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

func accountOf(a balance.Account) accountView {
	return accountView{
		ID: a.ID, CustomerID: a.CustomerID, Currency: a.Currency.Code(), Balance: moneyOf(a.Balance),
		CreditLimit: moneyOf(a.CreditLimit), Available: moneyOf(a.Available()), Postings: a.Postings,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: a.Version,
	}
}

type paymentView struct {
	Applied   money `json:"applied"`
	Remaining money `json:"remaining"`
	// Posting is the order-payment debit; null when nothing was applied.
	Posting *postingView `json:"posting"`
}

func paymentOf(p clientele.OrderPayment) paymentView {
	v := paymentView{Applied: moneyOf(p.Applied), Remaining: moneyOf(p.Remaining)}
	if p.Posting != nil {
		pv := postingOf(*p.Posting)
		v.Posting = &pv
	}
	return v
}

type orderView struct {
	ID         string       `json:"id"`
	CustomerID uuid.UUID    `json:"customer_id"`
	Number     string       `json:"number,omitempty"`
	Status     order.Status `json:"status"`
	Total      money        `json:"total"`
	MarketID   *uuid.UUID   `json:"market_id,omitempty"`
	Channel    string       `json:"channel,omitempty"`
	PlacedAt   time.Time    `json:"placed_at"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

func orderOf(o order.Order) orderView {
	v := orderView{
		ID: o.ID, CustomerID: o.CustomerID, Number: o.Number, Status: o.Status, Total: moneyOf(o.Total),
		Channel: o.Channel, PlacedAt: o.PlacedAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
	if o.MarketID != uuid.Nil {
		v.MarketID = &o.MarketID
	}
	return v
}

// mapItems converts a page's items with view.
func mapItems[T, V any](items []T, view func(T) V) []V {
	out := make([]V, len(items))
	for i, it := range items {
		out[i] = view(it)
	}
	return out
}
