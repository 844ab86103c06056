package sqltest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// creditLotsCarryBalances: migration 0010 turns the positive balance of
// every existing account into one lot that never expires, with the
// account's ID, so that data from before lots keeps balance == sum(lots);
// an account at zero (or in debt) gets none.
func creditLotsCarryBalances(t *testing.T, e Engine) {
	ctx := context.Background()
	p := FreshPrefix("lots")
	dropWhenDone(t, e.DB, e.Dialect, p)
	ms, err := sqlstore.Migrations(e.Dialect, sqlstore.WithTablePrefix(p))
	if err != nil {
		t.Fatal(err)
	}
	apply := func(keep func(v int) bool) {
		t.Helper()
		for _, m := range ms {
			if !keep(m.Version) {
				continue
			}
			for _, st := range m.Statements {
				if _, err := e.DB.ExecContext(ctx, st); err != nil {
					t.Fatalf("migration %s: %v\n%s", m.Name, err, st)
				}
			}
		}
	}
	apply(func(v int) bool { return v < 10 })

	// The schema as it was: customers and accounts through the store, a
	// balance set by hand (no posting can be stored before 0010's
	// expires_at column).
	s := newStoreAt(t, e.DB, e.Dialect, p)
	svc := clientele.New(s)
	eur := balance.MustCurrency("EUR")
	var accts []balance.Account
	for i, bal := range []int64{1250, 0} {
		c, err := svc.Customers.Register(ctx, customer.Params{Email: []string{"ada@example.com", "bob@example.com"}[i]})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.Balances().CreateAccount(ctx, balance.NewAccount(c.ID, c.ID, eur, c.CreatedAt))
		if err != nil {
			t.Fatal(err)
		}
		if bal != 0 {
			if _, err := e.DB.ExecContext(ctx, sqlstore.Render(`UPDATE {{prefix}}balance_accounts SET balance = ? WHERE id = ?`, p, e.Dialect),
				bal, a.ID.String()); err != nil {
				t.Fatal(err)
			}
		}
		accts = append(accts, a)
	}
	// 0010, and the later ones the store's statements need (0020 indexes
	// the carried-over lot among the open ones).
	apply(func(v int) bool { return v >= 10 })

	lots := s.Balances().(storage.CreditLots)
	got, err := lots.Lots(ctx, accts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].ID != accts[0].ID || got[0].Remaining.MinorUnits() != 1250 || got[0].Expires() {
		t.Fatalf("the balance of 12.50 became lots %+v, want one never-expiring lot of 12.50 with the account's ID", got)
	}
	a, err := s.Balances().GetAccount(ctx, accts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := (balance.Book{Account: a, Lots: got}).Check(); err != nil {
		t.Fatal(err)
	}
	if got, err := lots.Lots(ctx, accts[1].ID); err != nil || len(got) != 0 {
		t.Fatalf("an empty account has lots %v, %v", got, err)
	}
	// The carried-over lot is spent like any other.
	pst, err := balance.NewPosting(uuid.New(), a, balance.PostingParams{Kind: balance.KindOrderPayment,
		Amount: balance.FromMinorUnits(-250, eur)}, a.UpdatedAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Balances().Post(ctx, pst); err != nil {
		t.Fatal(err)
	}
	if got, _ := lots.Lots(ctx, accts[0].ID); len(got) != 1 || got[0].Remaining.MinorUnits() != 1000 {
		t.Fatalf("after a debit of 2.50: lots %+v", got)
	}
}
