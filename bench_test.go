package clientele_test

import (
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
)

// Benchmarks of the hot paths on the memory store. They measure the service
// layer plus the adapter: canonicalization, validation, cloning and locking.

const benchPopulation = 10_000

// populate registers n customers c<i>@example.com.
func populate(b *testing.B, e env, n int) []customer.Customer {
	b.Helper()
	out := make([]customer.Customer, n)
	for i := range n {
		c, err := e.Customers.Register(e.ctx, customer.Params{Email: "c" + strconv.Itoa(i) + "@example.com", FirstName: "Customer", LastName: strconv.Itoa(i), Tags: []string{"bench"}})
		if err != nil {
			b.Fatal(err)
		}
		out[i] = c
	}
	return out
}

func BenchmarkCustomersRegister(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := e.Customers.Register(e.ctx, customer.Params{Email: "New.Customer" + strconv.Itoa(i) + "@Example.com", FirstName: "Ada"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCustomersRegisterWithKey is Register with an IdempotencyKey:
// the key's record is read and written in the customer's transaction.
func BenchmarkCustomersRegisterWithKey(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		n := strconv.Itoa(i)
		if _, err := e.Customers.Register(e.ctx, customer.Params{Email: "New.Customer" + n + "@Example.com", FirstName: "Ada"},
			clientele.IdempotencyKey("register-"+n)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCustomersGetByEmail(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	populate(b, e, benchPopulation)
	emails := make([]string, 1024)
	for i := range emails {
		emails[i] = "C" + strconv.Itoa(i*7%benchPopulation) + "@Example.COM"
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := e.Customers.GetByEmail(e.ctx, emails[i%len(emails)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCustomersCreateGuest_Find measures the common case of a guest
// checking out again: the guest exists and is returned.
func BenchmarkCustomersCreateGuest_Find(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	emails := make([]string, 1024)
	for i := range emails {
		emails[i] = "guest" + strconv.Itoa(i) + "@example.com"
		if _, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: emails[i]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: emails[i%len(emails)]}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBalancesCredit(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	c := e.register(b, "ada@example.com")
	req := clientele.PostingRequest{CustomerID: c.ID, Amount: money(b, "0.01")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Balances.Credit(e.ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBalancesDebit(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	c := e.register(b, "ada@example.com")
	if _, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(b, "1000000000.00")}); err != nil {
		b.Fatal(err)
	}
	req := clientele.PostingRequest{CustomerID: c.ID, Amount: money(b, "0.01")}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Balances.Debit(e.ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBalancesApplyToOrder(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	c := e.register(b, "ada@example.com")
	if _, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(b, "1000000000.00")}); err != nil {
		b.Fatal(err)
	}
	total := money(b, "12.34")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ref := strconv.Itoa(i)
		if _, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: total, Reference: ref, IdempotencyKey: ref}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGroupsAddMembers1 adds one new member per call.
func BenchmarkGroupsAddMembers1(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	pool := populate(b, e, 4096)
	var groupID uuid.UUID
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%len(pool) == 0 { // a fresh group, so that every add is new
			b.StopTimer()
			g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "group " + strconv.Itoa(i)})
			if err != nil {
				b.Fatal(err)
			}
			groupID = g.ID
			b.StartTimer()
		}
		res, err := e.Groups.AddMembers(e.ctx, groupID, []uuid.UUID{pool[i%len(pool)].ID})
		if err != nil || res[0].Outcome != clientele.MemberAdded {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkCustomersList reads a page of 50 from the middle of 10,000
// customers, unfiltered and filtered.
func BenchmarkCustomersList(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	populate(b, e, benchPopulation)
	first, err := e.Customers.List(e.ctx, customer.Filter{}, page.Request{Limit: benchPopulation / 2})
	if err != nil {
		b.Fatal(err)
	}
	for _, bb := range []struct {
		name   string
		filter customer.Filter
	}{
		{"page", customer.Filter{}},
		{"page/filtered", customer.Filter{Tags: []string{"bench"}, State: customer.StateActive}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pg, err := e.Customers.List(e.ctx, bb.filter, page.Request{Limit: 50, Cursor: first.Next})
				if err != nil || len(pg.Items) != 50 {
					b.Fatal(err, len(pg.Items))
				}
			}
		})
	}
}
