package sqltest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
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
		// skip is the number of leading log entries that set the case
		// up (a customer to add), not counted.
		skip int
	}{
		{"Customers.Get", func() error {
			_, err := svc.Customers.Get(ctx, first.ID)
			return err
		}, []faultdriver.Kind{stmt}, 0},
		{"Customers.GetByEmail", func() error {
			_, err := svc.Customers.GetByEmail(ctx, first.Email.Display)
			return err
		}, []faultdriver.Kind{stmt}, 0},
		{"Customers.GetByEmail/guest", func() error {
			c, err := svc.Customers.GetByEmail(ctx, guest.Email.Display)
			if err == nil && c.ID != guest.ID {
				err = fmt.Errorf("found %v, want the guest %v", c.ID, guest.ID)
			}
			return err
		}, []faultdriver.Kind{stmt}, 0},
		{"Customers.CreateGuest/existing", func() error {
			c, created, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: guest.Email.Display})
			if err == nil && (created || c.ID != guest.ID) {
				err = fmt.Errorf("created %v %v, want the guest %v", created, c.ID, guest.ID)
			}
			return err
		}, []faultdriver.Kind{stmt}, 0},
		// A new guest: the lookup, then the customer and its event in
		// one transaction.
		{"Customers.CreateGuest/new", func() error {
			n++
			_, created, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("srt-guest%d@example.com", n)})
			if err == nil && !created {
				err = fmt.Errorf("not created")
			}
			return err
		}, []faultdriver.Kind{stmt, begin, stmt, stmt, commit}, 0},
		// The look-alike check (a read by the email's skeleton) is the
		// one statement more than the hand-written INSERTs.
		{"Customers.Register", func() error {
			_, err := register()
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, commit}, 0},
		{"Customers.List", func() error {
			_, err := svc.Customers.List(ctx, customer.Filter{}, page.Request{Limit: 50})
			return err
		}, []faultdriver.Kind{stmt}, 0},
		// The membership's INSERT … SELECT checks the group and the
		// customer under its lock; the group's read gives the event its
		// version.
		{"Groups.AddMembers/one", func() error {
			c := mustRegister()
			fc.ResetLog()
			rs, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID})
			if err == nil && rs[0].Outcome != clientele.MemberAdded {
				err = fmt.Errorf("outcome %v %v", rs[0].Outcome, rs[0].Err)
			}
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, commit}, 0},
		// A credit (storage.AccountPosts): the statement that finds and
		// locks the account by customer and currency also checks the
		// customer, the key and the lots due; then the balance, the
		// posting, its lot and its event. The lot is the one write more
		// than a hand-written posting: it keeps expiring credit apart.
		{"Balances.Credit", func() error {
			_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: first.ID, Amount: one})
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, stmt, stmt, commit}, 0},
		// A debit reads the open lots it takes from (after the lock) and
		// updates the one it empties or leaves.
		{"Balances.Debit", func() error {
			_, err := svc.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: first.ID, Amount: one})
			return err
		}, []faultdriver.Kind{begin, stmt, stmt, stmt, stmt, stmt, stmt, commit}, 0},
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
			for _, ev := range fc.Log()[c.skip:] {
				got = append(got, ev.Kind)
				lines = append(lines, ev.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("ran %d %v, want %d %v:\n%s", len(got), got, len(c.want), c.want, strings.Join(lines, "\n"))
			}
		})
	}
}
