package sqltest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// ServiceRoundTrips checks what the services' hot operations cost in calls
// to the database, as RoundTrips does for the adapter: what a host pays per
// call, events (the outbox rows) included. The budgets are those of the
// best hand-written SQL for the same work plus, where named, a check the
// library keeps and the hand-written SQL leaves out.
func ServiceRoundTrips(t *testing.T, e FaultEngine) {
	db, fc := e.Open(t)
	db.SetMaxOpenConns(1) // one connection: its statements are prepared by the warm-up
	s := NewStore(t, db, e.Dialect)
	ctx := context.Background()
	svc := clientele.New(s)
	n := 0
	register := func() (customer.Customer, error) {
		n++
		return svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("srt%d@example.com", n), FirstName: "R"})
	}
	mustRegister := func() customer.Customer {
		c, err := register()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := mustRegister()
	guest, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "guest-srt@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	g, err := svc.Groups.Create(ctx, group.Params{Name: "Service round trips"})
	if err != nil {
		t.Fatal(err)
	}
	ten, err := balance.ParseMoney("10.00", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	one, err := balance.ParseMoney("0.01", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: first.ID, Amount: ten}); err != nil {
		t.Fatal(err)
	}
	var (
		begin  = faultdriver.Begin
		stmt   = faultdriver.Statement
		commit = faultdriver.Commit
	)
	for _, c := range []struct {
		name string
		run  func() error
		want []faultdriver.Kind
	}{
		{"Customers.Get", func() error {
			_, err := svc.Customers.Get(ctx, first.ID)
			return err
		}, []faultdriver.Kind{stmt}},
		{"Customers.GetByEmail", func() error {
			_, err := svc.Customers.GetByEmail(ctx, first.Email.Display)
			return err
		}, []faultdriver.Kind{stmt}},
		{"Customers.GetByEmail/guest", func() error {
			c, err := svc.Customers.GetByEmail(ctx, guest.Email.Display)
			if err == nil && c.ID != guest.ID {
				err = fmt.Errorf("found %v, want the guest %v", c.ID, guest.ID)
			}
			return err
		}, []faultdriver.Kind{stmt}},
		{"Customers.CreateGuest/existing", func() error {
			c, created, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: guest.Email.Display})
			if err == nil && (created || c.ID != guest.ID) {
				err = fmt.Errorf("created %v %v, want the guest %v", created, c.ID, guest.ID)
			}
			return err
		}, []faultdriver.Kind{stmt}},
		// A new guest: the lookup, then the customer and its event in
		// one transaction.
		{"Customers.CreateGuest/new", func() error {
			n++
			_, created, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("srt-guest%d@example.com", n)})
			if err == nil && !created {
				err = fmt.Errorf("not created")
			}
			return err
		}, []faultdriver.Kind{stmt, begin, stmt, stmt, commit}},
		// The look-alike check (a read by the email's skeleton) is the
		// one statement more than the hand-written INSERTs.
		{"Customers.Register", func() error {
			_, err := register()
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, commit}},
		{"Customers.List", func() error {
			_, err := svc.Customers.List(ctx, customer.Filter{}, page.Request{Limit: 50})
			return err
		}, []faultdriver.Kind{stmt}},
		// The membership's INSERT … SELECT checks the group and the
		// customer under its lock; the group's version, which the event
		// carries, is read after it under that lock (storage.MemberVersions),
		// in the same statement where the dialect chains writes.
		{"Groups.AddMembers/one", func() error {
			c := mustRegister()
			fc.ResetLog()
			rs, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID})
			if err == nil && rs[0].Outcome != clientele.MemberAdded {
				err = fmt.Errorf("outcome %v %v", rs[0].Outcome, rs[0].Err)
			}
			return err
		}, chainedKinds(e.Dialect, begin, stmt, stmt, stmt, commit)},
		// A credit (storage.AccountPosts): the statement that finds and
		// locks the account by customer and currency also checks the
		// customer, the key and the lots due; then the balance, the
		// posting, its lot and its event. The lot is the one write more
		// than a hand-written posting (it keeps expiring credit apart),
		// except where the dialect writes it with the posting in one
		// statement (chainedKinds).
		{"Balances.Credit", func() error {
			_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: first.ID, Amount: one})
			return err
		}, chainedKinds(e.Dialect, begin, stmt, stmt, stmt, stmt, stmt, commit)},
		// A debit reads the open lots it takes from (in the lock's
		// statement where the dialect has ForUpdateOf and the first lot
		// covers it, else after the lock) and updates the one it empties
		// or leaves (with the posting's INSERT where the dialect chains
		// writes).
		{"Balances.Debit", func() error {
			_, err := svc.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: first.ID, Amount: one})
			return err
		}, debitKinds(e.Dialect, begin, stmt, stmt, stmt, stmt, stmt, stmt, commit)},
		// An update: the locking read the domain decides on, the write,
		// the event.
		{"Customers.Update", func() error {
			n++
			name := fmt.Sprintf("Ada %d", n)
			_, err := svc.Customers.Update(ctx, first.ID, customer.Patch{FirstName: &name})
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, commit}},
		// A new address: the book's lock (the customer's row, which
		// tells whether they are live), the book, the INSERT, the event.
		{"Addresses.Add", func() error {
			_, _, err := svc.Addresses.Add(ctx, first.ID, address.Address{FirstName: "Ada", Line1: "Main St 1", City: "Berlin", Country: "DE"})
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, stmt, commit}},
		// An order: the customer's order count (read, write), the
		// order's INSERT (which checks the customer under its lock, and
		// whose conflict tells a replay), the statistics (read, write)
		// and the events, in one append.
		{"Orders.RecordPlaced", func() error {
			n++
			_, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: fmt.Sprintf("srt-%d", n), CustomerID: first.ID, Total: ten})
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, stmt, stmt, stmt, stmt, commit}},
		// Paying an order with credit: the account (locked: what it says
		// is available stays so), the expiry check under that lock, then
		// the debit as Balances.Debit makes it.
		{"Balances.ApplyToOrder", func() error {
			n++
			_, err := svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: first.ID, Total: one, Reference: fmt.Sprintf("srt-%d", n)})
			return err
		}, debitKinds(e.Dialect, begin, stmt, stmt, stmt, stmt, stmt, stmt, stmt, stmt, commit)},
		// Removing a member: the group (the event's version), the
		// adapter's check of the group and the DELETE, the event.
		{"Groups.RemoveMembers/one", func() error {
			c := mustRegister()
			if _, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID}); err != nil {
				return err
			}
			fc.ResetLog()
			_, err := svc.Groups.RemoveMembers(ctx, g.ID, []uuid.UUID{c.ID})
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, stmt, commit}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(); err != nil { // warm up: prepare
				t.Fatal(err)
			}
			fc.ResetLog()
			if err := c.run(); err != nil {
				t.Fatal(err)
			}
			var got []faultdriver.Kind
			var lines []string
			for _, ev := range fc.Log() {
				got = append(got, ev.Kind)
				lines = append(lines, ev.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("ran %d %v, want %d %v:\n%s", len(got), got, len(c.want), c.want, strings.Join(lines, "\n"))
			}
		})
	}
}
