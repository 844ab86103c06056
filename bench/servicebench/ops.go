package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
)

// Sides of a comparison.
const (
	library = 0
	raw     = 1
)

var sideNames = [2]string{"library", "raw"}

// call is one operation on one side; seq is the call's sequence number on
// that side (unique within a run), which picks its rows.
type call func(ctx context.Context, seq int64) error

// op is a service operation and its hand-written equivalent.
type op struct {
	name string
	// what the calls do, for the report's legend.
	doc  string
	side [2]call
}

// ops returns the operations over the engine's service and its fixture.
func ops(svc *clientele.Service, h *hand, f *fixture) []op {
	one := balance.FromMinorUnits(100, eur)
	nReg := len(f.registered)
	return []op{
		{
			name: "register",
			doc:  "Customers.Register of a new address (look-alike check, INSERT, event)",
			side: [2]call{
				func(ctx context.Context, _ int64) error {
					_, err := svc.Customers.Register(ctx, newParams(f))
					return err
				},
				func(ctx context.Context, _ int64) error { return h.register(ctx, newParams(f)) },
			},
		},
		{
			name: "get",
			doc:  "Customers.Get by ID",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					_, err := svc.Customers.Get(ctx, f.registered[pick(seq, nReg)].ID)
					return err
				},
				func(ctx context.Context, seq int64) error {
					_, err := h.get(ctx, f.registered[pick(seq, nReg)].ID)
					return err
				},
			},
		},
		{
			name: "get_by_email",
			doc:  "Customers.GetByEmail of a registered customer",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					_, err := svc.Customers.GetByEmail(ctx, f.registered[pick(seq, nReg)].Email.Address)
					return err
				},
				func(ctx context.Context, seq int64) error {
					_, err := h.getByEmail(ctx, f.registered[pick(seq, nReg)].Email.Address)
					return err
				},
			},
		},
		{
			name: "get_by_email_guest",
			doc:  "Customers.GetByEmail of a guest (no registered customer has the address)",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					_, err := svc.Customers.GetByEmail(ctx, f.guests[pick(seq, len(f.guests))].Email.Address)
					return err
				},
				func(ctx context.Context, seq int64) error {
					_, err := h.getByEmail(ctx, f.guests[pick(seq, len(f.guests))].Email.Address)
					return err
				},
			},
		},
		{
			name: "create_guest",
			doc:  "Customers.CreateGuest of a new address (find-or-create, event)",
			side: [2]call{
				func(ctx context.Context, _ int64) error {
					_, created, err := svc.Customers.CreateGuest(ctx, newGuestParams(f))
					if err == nil && !created {
						err = fmt.Errorf("create_guest: found an existing guest")
					}
					return err
				},
				func(ctx context.Context, _ int64) error { return h.createGuest(ctx, newGuestParams(f)) },
			},
		},
		{
			name: "list",
			doc:  "Customers.List: a keyset page of 50 after a cursor",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					p, err := svc.Customers.List(ctx, customer.Filter{},
						page.Request{Limit: 50, Cursor: f.cursors[pick(seq, len(f.cursors))].token})
					if err == nil && len(p.Items) == 0 {
						err = fmt.Errorf("list: an empty page")
					}
					return err
				},
				func(ctx context.Context, seq int64) error {
					n, err := h.list(ctx, f.cursors[pick(seq, len(f.cursors))], 50)
					if err == nil && n == 0 {
						err = fmt.Errorf("list: an empty page")
					}
					return err
				},
			},
		},
		{
			name: "add_member",
			doc:  "Groups.AddMembers of one customer (a new membership each call)",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					g, c := f.membership(library, seq)
					res, err := svc.Groups.AddMembers(ctx, g, []uuid.UUID{c})
					if err == nil && res[0].Err != nil {
						err = res[0].Err
					}
					return err
				},
				func(ctx context.Context, seq int64) error {
					g, c := f.membership(raw, seq)
					return h.addMember(ctx, g, c)
				},
			},
		},
		{
			name: "credit",
			doc:  "Balances.Credit of 1.00 EUR with a fresh idempotency key, over 1,000 accounts",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: f.accounts[pick(seq, len(f.accounts))],
						Amount: one, IdempotencyKey: postingKey("credit", library, seq)})
					return err
				},
				func(ctx context.Context, seq int64) error {
					return h.post(ctx, f.accounts[pick(seq, len(f.accounts))], 100, postingKey("credit", raw, seq))
				},
			},
		},
		{
			name: "debit",
			doc:  "Balances.Debit of 1.00 EUR with a fresh idempotency key, over 1,000 accounts",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					_, err := svc.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: f.accounts[pick(seq, len(f.accounts))],
						Amount: one, IdempotencyKey: postingKey("debit", library, seq)})
					return err
				},
				func(ctx context.Context, seq int64) error {
					return h.post(ctx, f.accounts[pick(seq, len(f.accounts))], -100, postingKey("debit", raw, seq))
				},
			},
		},
		{
			name: "credit_hot",
			doc:  "Balances.Credit of 1.00 EUR with a fresh idempotency key, all to one account",
			side: [2]call{
				func(ctx context.Context, seq int64) error {
					_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: f.accounts[0],
						Amount: one, IdempotencyKey: postingKey("credit_hot", library, seq)})
					return err
				},
				func(ctx context.Context, seq int64) error {
					return h.post(ctx, f.accounts[0], 100, postingKey("credit_hot", raw, seq))
				},
			},
		},
	}
}

// newParams returns the parameters of a new registered customer.
func newParams(f *fixture) customer.Params {
	return customer.Params{Email: fmt.Sprintf("r%d@bench.example", f.seq.Add(1)), FirstName: "Ada", LastName: "Lovelace"}
}

// newGuestParams returns the parameters of a new guest.
func newGuestParams(f *fixture) customer.Params {
	return customer.Params{Email: fmt.Sprintf("g%d@bench.example", f.seq.Add(1)), FirstName: "Grace", LastName: "Hopper"}
}

// postingKey is a fresh idempotency key.
func postingKey(op string, side int, seq int64) string {
	return fmt.Sprintf("%s-%d-%d", op, side, seq)
}

// membership returns the group and customer of side's seq-th AddMembers
// call: a pair not added before while the side's groups last (then the
// calls find the customer a member already).
func (f *fixture) membership(side int, seq int64) (group, cust uuid.UUID) {
	n := int64(len(f.registered))
	gs := f.groups[side]
	g := int(seq / n % int64(len(gs)))
	return gs[g], f.registered[seq%n].ID
}
