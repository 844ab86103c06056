// Command returns shows the fuller order history: a customer places an
// order, sends part of it back, and the return is refunded to store
// credit — exactly once, although the shop's payment webhook reports the
// refund three times. It prints the order's details, the customer's
// balance and ledger, and the order statistics kept in the same
// transactions.
//
// It runs on SQLite in a fresh temporary file by default, with no setup:
//
//	go run ./examples/returns
//	go run ./examples/returns -store memory
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
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
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
	dir, err := os.MkdirTemp("", "clientele-returns-")
	if err != nil {
		return nil, nil, err
	}
	db, err := sqlite.Open(filepath.Join(dir, "returns.db"))
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

	ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
	if err != nil {
		return err
	}
	o, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "order-1001", CustomerID: ada.ID, Number: "#1001",
		Total: eur("149.90"), Channel: "web", PlacedAt: time.Now().Add(-72 * time.Hour)})
	if err != nil {
		return err
	}
	say("1. Ada placed order %s for %s", o.Number, o.Total)
	if _, err := svc.Orders.SetStatus(ctx, o.ID, order.StatusFulfilled); err != nil {
		return err
	}

	ret, err := svc.Orders.RecordReturn(ctx, order.ReturnParams{ID: "rma-7", OrderID: o.ID, Amount: eur("59.95"),
		Reason: "the boots are a size too small"})
	if err != nil {
		return err
	}
	say("2. she asked to return goods worth %s (%s: %s)", ret.Amount, ret.ID, ret.Status)
	if ret, err = svc.Orders.SetReturnStatus(ctx, o.ID, ret.ID, order.RequestReceived); err != nil {
		return err
	}
	say("3. the warehouse %s them", ret.Status)

	refund := order.RefundParams{ID: "refund-7", OrderID: o.ID, ReturnID: ret.ID, Amount: ret.Amount,
		Destination: order.DestinationStoreCredit, Reason: "return " + ret.ID}
	var rf order.Refund
	for i := range 3 { // the payment webhook is delivered three times
		if rf, err = svc.Orders.RecordRefund(ctx, refund); err != nil {
			return err
		}
		say("4.%d the refund was reported: %s to %s", i+1, rf.Amount, rf.Destination)
	}
	if _, err := svc.Orders.SetReturnStatus(ctx, o.ID, ret.ID, order.RequestCompleted); err != nil {
		return err
	}
	// Refunding more than the order's total is refused.
	_, err = svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "refund-8", OrderID: o.ID, Amount: eur("100.00"),
		Destination: order.DestinationOriginalPayment})
	say("5. a second refund of 100.00 EUR is refused (more than the order has left): %v", errors.Is(err, order.ErrRefundExceedsTotal))

	available, err := svc.Balances.Available(ctx, ada.ID, eur("0").Currency())
	if err != nil {
		return err
	}
	say("6. Ada's store credit: %s", available)
	ledger, err := svc.Balances.History(ctx, ada.ID, available.Currency(), page.Request{})
	if err != nil {
		return err
	}
	for _, p := range ledger.Items {
		say("   #%d %s %s for order %s", p.Sequence, p.Kind, p.Amount, p.Reference)
	}

	details, err := svc.Orders.Details(ctx, o.ID)
	if err != nil {
		return err
	}
	say("7. order %s: %d return(s), %d refund(s)", o.Number, len(details.Returns), len(details.Refunds))
	stats, err := svc.Orders.Stats(ctx, ada.ID)
	if err != nil {
		return err
	}
	for _, s := range stats {
		say("8. Ada in %s: %d order(s), spent %s, refunded %s, net %s, average order %s",
			s.Currency, s.OrderCount, s.Spent, s.Refunded, s.Net(), s.AverageOrderValue())
	}
	return nil
}
