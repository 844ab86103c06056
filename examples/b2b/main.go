// Command b2b shows B2B company accounts: a company with an admin, an
// approver and a buyer whose orders over 500 EUR need approval; an order
// over the limit waits for the approver, is approved and recorded, and is
// paid on the company's account, within its credit limit.
//
// It runs on SQLite in a fresh temporary file by default, with no setup:
//
//	go run ./examples/b2b
//	go run ./examples/b2b -store memory
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

func main() {
	kind := flag.String("store", "sqlite", "where to keep the data: sqlite or memory")
	flag.Parse()
	ctx := context.Background()
	store, cleanup, err := open(ctx, *kind)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()
	if err := run(ctx, store, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// open returns the store: memory, or SQLite in a fresh temporary file,
// migrated.
func open(ctx context.Context, kind string) (storage.Store, func(), error) {
	switch kind {
	case "memory":
		return memory.New(), func() {}, nil
	case "sqlite":
	default:
		return nil, nil, fmt.Errorf("unknown -store %q (want sqlite or memory)", kind)
	}
	dir, err := os.MkdirTemp("", "clientele-b2b-")
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(filepath.Join(dir, "b2b.db"))
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { db.Close(); os.RemoveAll(dir) }
	if err := sqlstore.Migrate(ctx, db, sqlite.Dialect); err != nil {
		cleanup()
		return nil, nil, err
	}
	store, err := sqlstore.New(db, sqlite.Dialect)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	return store, func() { store.Close(); cleanup() }, nil
}

// run tells the story on store, writing to out.
func run(ctx context.Context, store storage.Store, out io.Writer) error {
	svc := clientele.New(store)
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	eur := func(amount string) balance.Money {
		m, err := balance.ParseMoney(amount, "EUR")
		if err != nil {
			panic(err)
		}
		return m
	}
	register := func(email, name string) (customer.Customer, error) {
		return svc.Customers.Register(ctx, customer.Params{Email: email, FirstName: name})
	}
	ada, err := register("ada@acme.example", "Ada")
	if err != nil {
		return err
	}
	grace, err := register("grace@acme.example", "Grace")
	if err != nil {
		return err
	}
	bob, err := register("bob@acme.example", "Bob")
	if err != nil {
		return err
	}

	acme, err := svc.Companies.Create(ctx, ada.ID, company.Params{Name: "Acme GmbH", TaxID: "DE 123 456 789",
		Currency: balance.MustCurrency("EUR"), CreditLimit: eur("5000.00"), PaymentTermsDays: 30,
		TimeZone: "Europe/Berlin", BillingEmail: "billing@acme.example"})
	if err != nil {
		return err
	}
	say("1. Ada created %s (tax ID %s, %d days to pay, credit limit %s); she is its admin", acme.Name, acme.TaxID,
		acme.PaymentTermsDays, acme.CreditLimit)

	if _, err := svc.Companies.AddMember(ctx, ada.ID, acme.ID, grace.ID, clientele.MemberParams{Role: company.RoleApprover}); err != nil {
		return err
	}
	say("2. Grace joined as an approver")
	perOrder := eur("500.00")
	bobLimits := company.Limits{PerOrder: &perOrder, Period: &company.PeriodLimit{Period: company.Month, Amount: eur("2000.00")}}
	if _, err := svc.Companies.AddMember(ctx, ada.ID, acme.ID, bob.ID, clientele.MemberParams{Role: company.RoleBuyer, Limits: bobLimits}); err != nil {
		return err
	}
	say("3. Bob joined as a buyer: %s per order, %s per month", perOrder, bobLimits.Period.Amount)

	small, err := svc.Companies.PlaceOrder(ctx, bob.ID, acme.ID, order.Params{ID: "PO-1", Number: "#1", Total: eur("320.00")})
	if err != nil {
		return err
	}
	say("4. Bob ordered PO-1 for 320.00 EUR: %s", small.Decision.Outcome)

	big, err := svc.Companies.PlaceOrder(ctx, bob.ID, acme.ID, order.Params{ID: "PO-2", Number: "#2", Total: eur("1250.00")})
	if err != nil {
		return err
	}
	say("5. Bob ordered PO-2 for 1250.00 EUR: %s (%s)", big.Decision.Outcome, big.Decision.Reason)
	pending, err := svc.Companies.PendingApprovals(ctx, grace.ID, acme.ID)
	if err != nil {
		return err
	}
	say("6. Grace sees %d order(s) waiting for approval", len(pending))
	_, err = svc.Companies.Approve(ctx, bob.ID, big.Approval.ID, "")
	say("7. Bob may not approve his own order: %t", errors.Is(err, company.ErrForbidden) || errors.Is(err, company.ErrSelfApproval))

	approved, err := svc.Companies.Approve(ctx, grace.ID, big.Approval.ID, "for the trade fair")
	if err != nil {
		return err
	}
	say("8. Grace approved PO-2 (%s); the order is recorded: %s, %s", approved.Approval.Reason, approved.Order.ID, approved.Order.Status)

	paid, err := svc.Companies.PayOnAccount(ctx, bob.ID, acme.ID, "PO-2", eur("1250.00"))
	if err != nil {
		return err
	}
	say("9. PO-2 paid on account: Acme owes %s", paid.EndingBalance.Neg())
	_, err = svc.Companies.PayOnAccount(ctx, bob.ID, acme.ID, "PO-3", eur("4000.00"))
	say("10. 4000.00 EUR more on account is refused (over the credit limit): %t", errors.Is(err, balance.ErrInsufficientFunds))
	return nil
}
