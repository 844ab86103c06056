package sqltest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// SmokeIDs are the records Smoke created.
type SmokeIDs struct {
	Customer, Group uuid.UUID
	Order           string
}

// Money returns amount in currency code, failing the test on error.
func Money(t testing.TB, amount, code string) balance.Money {
	t.Helper()
	m, err := balance.ParseMoney(amount, code)
	if err != nil {
		t.Fatalf("money %s %s: %v", amount, code, err)
	}
	return m
}

// Smoke runs a short tour of the store through the services, touching
// every table that carries a customer's data: register, look up by email,
// join a group and list its members, credit a balance, record an order and
// pay it partly with the credit. It expects an empty store (or one where
// smoke@example.com and the group "Smoke" are free).
func Smoke(t testing.TB, s storage.Store) SmokeIDs {
	t.Helper()
	ctx := context.Background()
	svc := clientele.New(s)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("smoke: %s: %v", what, err)
		}
	}
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "Smoke@Example.com", FirstName: "Smoke",
		Tags: []string{"vip"}, Metadata: map[string]string{"k": "v"}})
	must("register", err)
	got, err := svc.Customers.GetByEmail(ctx, "smoke@example.com")
	must("get by email", err)
	if got.ID != c.ID || got.FirstName != "Smoke" || len(got.Tags) != 1 || got.Metadata["k"] != "v" {
		t.Fatalf("smoke: get by email = %+v, want %+v", got, c)
	}
	g, err := svc.Groups.Create(ctx, clientele.GroupParams{Name: "Smoke"})
	must("create group", err)
	res, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID})
	must("add member", err)
	if len(res) != 1 || res[0].Outcome != clientele.MemberAdded {
		t.Fatalf("smoke: add member = %+v", res)
	}
	members, err := svc.Groups.Members(ctx, g.ID, storage.PageRequest{})
	must("list members", err)
	if len(members.Items) != 1 || members.Items[0].ID != c.ID {
		t.Fatalf("smoke: members = %+v", members.Items)
	}
	_, err = svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: Money(t, "10.00", "EUR"),
		Kind: balance.KindGiftCard, IdempotencyKey: "smoke-credit"})
	must("credit", err)
	o, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "smoke-order-1", CustomerID: c.ID, Number: "1001",
		Total: Money(t, "25.00", "EUR")})
	must("record order", err)
	pay, err := svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: c.ID,
		Total: Money(t, "25.00", "EUR"), Reference: o.ID, IdempotencyKey: "smoke-pay"})
	must("apply to order", err)
	if !pay.Applied.Equal(Money(t, "10.00", "EUR")) || !pay.Remaining.Equal(Money(t, "15.00", "EUR")) {
		t.Fatalf("smoke: payment applied %s, remaining %s; want 10.00 and 15.00 EUR", pay.Applied, pay.Remaining)
	}
	after, err := svc.Customers.Get(ctx, c.ID)
	must("get", err)
	if after.OrderCount != 1 || after.Status != customer.StatusAcquired {
		t.Fatalf("smoke: after one order: count %d, status %s", after.OrderCount, after.Status)
	}
	hist, err := svc.Balances.History(ctx, c.ID, Money(t, "0", "EUR").Currency(), storage.PageRequest{})
	must("balance history", err)
	if len(hist.Items) != 2 || !hist.Items[1].EndingBalance.IsZero() {
		t.Fatalf("smoke: ledger = %+v", hist.Items)
	}
	return SmokeIDs{Customer: c.ID, Group: g.ID, Order: o.ID}
}
