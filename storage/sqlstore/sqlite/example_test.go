package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// A host application keeps its own orders table beside Clientele's, in the
// same database. At checkout it begins its own transaction, writes its order
// row, lets Clientele record the order and pay part of it with store credit
// in that transaction (Store.Bind), and commits: the host's row and
// Clientele's writes are stored together, or, had it rolled back, not at all.
func Example_bindHostTransaction() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "clientele-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "shop.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	// Clientele's tables, under a prefix, and the host's own table.
	crm := sqlstore.WithTablePrefix("crm_")
	if err := sqlstore.Migrate(ctx, db, sqlite.Dialect, crm); err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlite.Dialect, crm)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE shop_orders (
		id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, total_cents INTEGER NOT NULL, due_cents INTEGER NOT NULL)`); err != nil {
		log.Fatal(err)
	}

	// A fixed clock and sequential IDs keep the output stable.
	now := time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)
	var n atomic.Uint32
	opts := []clientele.Option{
		clientele.WithClock(func() time.Time { return now }),
		clientele.WithIDGenerator(func() uuid.UUID {
			return uuid.MustParse(fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)))
		}),
	}
	svc := clientele.New(store, opts...)
	ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
	if err != nil {
		log.Fatal(err)
	}
	giftCard, _ := balance.ParseMoney("10.00", "EUR")
	if _, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: ada.ID, Amount: giftCard, Kind: balance.KindGiftCard}); err != nil {
		log.Fatal(err)
	}

	// Checkout, in the host's transaction.
	total, _ := balance.ParseMoney("25.00", "EUR")
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer tx.Rollback() // a no-op once committed
	if _, err := tx.ExecContext(ctx, `INSERT INTO shop_orders (id, customer_id, total_cents, due_cents) VALUES (?, ?, ?, ?)`,
		"SO-1001", ada.ID.String(), total.MinorUnits(), total.MinorUnits()); err != nil {
		log.Fatal(err)
	}
	bound := clientele.New(store.Bind(tx), opts...)
	if _, err := bound.Orders.RecordPlaced(ctx, order.Params{ID: "SO-1001", CustomerID: ada.ID, Number: "1001", Total: total}); err != nil {
		log.Fatal(err)
	}
	pay, err := bound.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{
		CustomerID: ada.ID, Total: total, Reference: "SO-1001", IdempotencyKey: "pay-SO-1001"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE shop_orders SET due_cents = ? WHERE id = ?`, pay.Remaining.MinorUnits(), "SO-1001"); err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}

	// Both sides are stored.
	var due int64
	if err := db.QueryRowContext(ctx, `SELECT due_cents FROM shop_orders WHERE id = ?`, "SO-1001").Scan(&due); err != nil {
		log.Fatal(err)
	}
	fmt.Println("paid with credit:", pay.Applied)
	fmt.Println("host's order row, due in cents:", due)
	c, err := svc.Customers.Get(ctx, ada.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("customer:", c.Status, "with", c.OrderCount, "order")
	left, err := svc.Balances.Available(ctx, ada.ID, total.Currency())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("credit left:", left)
	// Output:
	// paid with credit: 10.00 EUR
	// host's order row, due in cents: 1500
	// customer: acquired with 1 order
	// credit left: 0.00 EUR
}
