package main

import (
	"errors"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
)

// money is an amount in a request body: {"amount":"12.34","currency":"EUR"},
// the form balance.Money marshals to. Requests decode it here rather than
// into balance.Money so that a validation error names the whole path of the
// field ("total.amount"): balance.Money's own decoder only knows "amount" or
// "currency", not which of the body's amounts it is.
type money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
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
