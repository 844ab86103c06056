package main

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
)

// postingRequest is the body of a credit or a debit. The idempotency key
// comes in the Idempotency-Key header.
type postingRequest struct {
	Amount    money        `json:"amount"`
	Kind      balance.Kind `json:"kind"`
	Reference string       `json:"reference"`
	Actor     string       `json:"actor"`
	Note      string       `json:"note"`
}

// idempotencyKey is the Idempotency-Key header: a request repeated with the
// same key and body returns the first answer instead of moving money twice
// or creating a record twice; the same key with another body is a 409.
func idempotencyKey(r *http.Request) string { return r.Header.Get("Idempotency-Key") }

// createOptions are the options of a creating call: its Idempotency-Key.
func createOptions(r *http.Request) []clientele.CallOption {
	if key := idempotencyKey(r); key != "" {
		return []clientele.CallOption{clientele.IdempotencyKey(key)}
	}
	return nil
}

func (a *api) credit(w http.ResponseWriter, r *http.Request) error {
	return a.post(w, r, a.svc.Balances.Credit)
}

func (a *api) debit(w http.ResponseWriter, r *http.Request) error {
	return a.post(w, r, a.svc.Balances.Debit)
}

// post makes one posting with move (a credit or a debit) and answers with
// it; a replay answers with the first posting.
func (a *api) post(w http.ResponseWriter, r *http.Request, move func(context.Context, clientele.PostingRequest) (balance.Posting, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req postingRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	amount, err := req.Amount.parse("amount")
	if err != nil {
		return err
	}
	p, err := move(r.Context(), clientele.PostingRequest{
		CustomerID: id, Amount: amount, Kind: req.Kind, Reference: req.Reference,
		IdempotencyKey: idempotencyKey(r), Actor: req.Actor, Note: req.Note,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

// applyToOrder pays as much of an order's total as the customer's store
// credit allows and answers with what was applied and what remains due.
func (a *api) applyToOrder(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Total     money  `json:"total"`
		Reference string `json:"reference"`
		Actor     string `json:"actor"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	total, err := req.Total.parse("total")
	if err != nil {
		return err
	}
	pay, err := a.svc.Balances.ApplyToOrder(r.Context(), clientele.OrderPaymentRequest{
		CustomerID: id, Total: total, Reference: req.Reference, IdempotencyKey: idempotencyKey(r), Actor: req.Actor,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, pay)
}

func (a *api) accounts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	list, err := a.svc.Balances.Accounts(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, items[balance.Account]{list})
}

// accountPath parses the customer ID and the currency of the path.
func accountPath(r *http.Request) (uuid.UUID, balance.Currency, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return uuid.Nil, balance.Currency{}, err
	}
	c, err := balance.ParseCurrency(r.PathValue("currency"))
	return id, c, err
}

func (a *api) account(w http.ResponseWriter, r *http.Request) error {
	id, c, err := accountPath(r)
	if err != nil {
		return err
	}
	acct, err := a.svc.Balances.Account(r.Context(), id, c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acct)
}

// history lists the ledger of one account, oldest posting first.
func (a *api) history(w http.ResponseWriter, r *http.Request) error {
	id, c, err := accountPath(r)
	if err != nil {
		return err
	}
	q := newQuery(r)
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Balances.History(r.Context(), id, c, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}
