package sqltest

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// ServiceRaces runs service operations that race to create the same row:
// the first credits of a customer without a balance account, from several
// goroutines at once. Every credit must succeed (the loser of the race to
// create the account uses the winner's), on one account whose balance is
// their sum. On MySQL this needs the conflict's diagnosis to see the
// winner's row, which the transaction's snapshot hides.
func ServiceRaces(t *testing.T, db *sql.DB, d sqlstore.Dialect) {
	ctx := context.Background()
	svc := clientele.New(NewStore(t, db, d))
	const goroutines, credits = 4, 20
	for round := range 3 {
		c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("race-%d@example.com", round)})
		if err != nil {
			t.Fatal(err)
		}
		one, err := balance.ParseMoney("1.00", "EUR")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, goroutines*credits)
		for g := range goroutines {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range credits {
					_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: one,
						IdempotencyKey: fmt.Sprintf("g%d-%d", g, i)})
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: a credit failed: %v", round, err)
		}
		got, err := svc.Balances.Available(ctx, c.ID, balance.MustCurrency("EUR"))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%d.00 EUR", goroutines*credits); got.String() != want {
			t.Errorf("round %d: balance %s, want %s", round, got, want)
		}
		page, err := svc.Balances.History(ctx, c.ID, balance.MustCurrency("EUR"), storage.PageRequest{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != goroutines*credits {
			t.Errorf("round %d: %d postings, want %d", round, len(page.Items), goroutines*credits)
		}
	}
}
