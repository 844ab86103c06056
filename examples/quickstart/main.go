// Command quickstart tells Clientele's story end to end: a guest orders,
// registers, joins a group that unlocks a private market, gets store credit,
// and pays part of an order with it. Every change is written with its
// event, in the same transaction; at the end a consumer of the outbox
// prints them, in the order they committed.
//
// By default it runs on SQLite in the local file clientele-quickstart.db
// (made afresh on every run), with no setup:
//
//	go run ./examples/quickstart
//	go run ./examples/quickstart -store memory
//	go run ./examples/quickstart -store postgres -dsn "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
//	go run ./examples/quickstart -store mysql -dsn "root@tcp(127.0.0.1:3306)/test"
//
// On PostgreSQL and MySQL it creates its tables under a fresh prefix
// (quickstart_<random>_) and leaves them there for you to look at.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
	"github.com/clientele-go/clientele/storage/sqlstore/tidb"
)

func main() {
	kind := flag.String("store", "sqlite", "where to keep the data: sqlite, memory, postgres, mysql or tidb")
	dsn := flag.String("dsn", "", "the database: a file for sqlite (default clientele-quickstart.db), a DSN for postgres and mysql")
	flag.Parse()
	ctx := context.Background()
	store, where, err := open(ctx, *kind, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("Store: %s\n\n", where)
	if err := run(ctx, store, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

// open returns the store the flags ask for and says where it lives.
func open(ctx context.Context, kind, dsn string) (storage.Store, string, error) {
	var (
		db     *sql.DB
		d      sqlstore.Dialect
		prefix string
		err    error
	)
	switch kind {
	case "memory":
		return memory.New(), "in memory", nil
	case "sqlite":
		if dsn == "" {
			dsn = "clientele-quickstart.db"
		}
		for _, suffix := range []string{"", "-wal", "-shm"} { // a fresh story every run
			if err := os.Remove(dsn + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, "", err
			}
		}
		db, err = sqlite.Open(dsn)
		d = sqlite.Dialect
	case "postgres", "mysql", "tidb":
		if dsn == "" {
			return nil, "", fmt.Errorf("-store %s needs -dsn", kind)
		}
		prefix = "quickstart_" + strings.ToLower(rand.Text()[:6]) + "_"
		switch kind {
		case "postgres":
			db, err = postgres.Open(dsn)
			d = postgres.Dialect
		case "mysql":
			db, err = mysql.Open(dsn)
			d = mysql.Dialect
		default:
			db, err = tidb.Open(dsn)
			d = tidb.Dialect
		}
	default:
		return nil, "", fmt.Errorf("unknown -store %q (want sqlite, memory, postgres, mysql or tidb)", kind)
	}
	if err != nil {
		return nil, "", err
	}
	opts := []sqlstore.Option{sqlstore.WithTablePrefix(prefix)}
	if err := sqlstore.Migrate(ctx, db, d, opts...); err != nil {
		return nil, "", err
	}
	store, err := sqlstore.New(db, d, opts...)
	if err != nil {
		return nil, "", err
	}
	where := d.Name()
	if kind == "sqlite" {
		where += " file " + dsn
	} else {
		where += " tables " + prefix + "*"
	}
	return store, where, nil
}

// run tells the story on store, writing what happens to w.
func run(ctx context.Context, store storage.Store, w io.Writer) error {
	svc := clientele.New(store)
	say := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	// An in-process subscriber hears of each change after it commits (a
	// search index, a cache); the durable outbox is read at step 7.
	heard := 0
	stop := svc.Events.Subscribe(func(_ context.Context, evs []event.Event) { heard += len(evs) })
	defer stop()
	eur := balance.MustCurrency("EUR")
	money := func(amount string) balance.Money {
		m, err := balance.ParseMoney(amount, "EUR")
		if err != nil {
			panic(err) // constants below
		}
		return m
	}

	// The shop: one merchant, a public market and a private one for VIPs.
	acme, err := svc.Merchants.Create(ctx, merchant.Params{
		Name: "Acme Outfitters",
		BillingAddress: address.Address{
			Company: "Acme Outfitters GmbH", Line1: "Torstraße 1", City: "Berlin",
			PostalCode: "10119", Country: "DE",
		},
	})
	if err != nil {
		return err
	}
	vip, err := svc.Groups.Create(ctx, clientele.GroupParams{Name: "VIP", Description: "Early access to new collections"})
	if err != nil {
		return err
	}
	public, err := svc.Markets.Create(ctx, market.Params{
		MerchantID: acme.ID, Code: "eu", Name: "Europe", BusinessModel: market.BusinessModelB2C, Currency: eur,
	})
	if err != nil {
		return err
	}
	private, err := svc.Markets.Create(ctx, market.Params{
		MerchantID: acme.ID, Code: "vip-eu", Name: "VIP Europe", BusinessModel: market.BusinessModelB2C,
		Currency: eur, AccessGroups: []uuid.UUID{vip.ID},
	})
	if err != nil {
		return err
	}
	say("Shop: %s sells in market %q (public) and %q (private, group %s)", acme.Name, public.Code, private.Code, vip.Name)

	// 1. A guest checks out with an email address typed in mixed case.
	guest, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "  Ada.Lovelace@Example.COM ", FirstName: "Ada"})
	if err != nil {
		return err
	}
	say("1. Guest %s checks out (email stored as %s)", guest.Email.Display, guest.Email.Address)
	if _, err := svc.Orders.RecordPlaced(ctx, order.Params{
		ID: "order-1001", CustomerID: guest.ID, Number: "1001", Total: money("49.90"), MarketID: public.ID, Channel: "web",
		PlacedAt: guest.CreatedAt,
	}); err != nil {
		return err
	}
	guest, err = svc.Customers.Get(ctx, guest.ID)
	if err != nil {
		return err
	}
	say("   order 1001 placed: the guest is now %s", guest.Status)

	// 2. She registers with a password (hashed with argon2id; only the
	// hash is stored) and signs in; the same address with a zero-width
	// space cannot register twice, but her guest record stays beside the
	// registered one.
	ada, err := svc.Accounts.Register(ctx, customer.Params{
		Email: "ada.lovelace@example.com", FirstName: "Ada", LastName: "Lovelace",
	}, "analytical-engine-1843")
	if err != nil {
		return err
	}
	say("2. Ada registers: account %s, state %s, password set %t", ada.ID.String()[:8], ada.State, ada.HasPassword)
	_, err = svc.Customers.Register(ctx, customer.Params{Email: "ada.love\u200blace@EXAMPLE.com"})
	say("   registering again as \"ada.love<ZWSP>lace@EXAMPLE.com\": email taken = %t", errors.Is(err, customer.ErrEmailTaken))
	if _, err := svc.Accounts.Authenticate(ctx, "Ada.Lovelace@example.com", "analytical-engine-1843"); err != nil {
		return err
	}
	_, err = svc.Accounts.Authenticate(ctx, "ada.lovelace@example.com", "difference-engine")
	say("   she signs in; a wrong password: %v", err)
	// She claims the orders she placed as a guest: a token goes to the
	// guest's address (the host mails it), and accepting it proves she
	// owns that address.
	claim, err := svc.Orders.RequestClaim(ctx, ada.ID, guest.Email.Display)
	if err != nil {
		return err
	}
	ada, moved, err := svc.Orders.AcceptClaim(ctx, ada.ID, claim.Token)
	if err != nil {
		return err
	}
	say("   she claims her guest order(s) with the link mailed to %s: %d moved, she is %s", claim.Email, moved, ada.Status)

	// 3. The private market is closed to her until she joins the VIP group.
	ok, err := svc.Markets.CanAccess(ctx, private.ID, ada.ID)
	if err != nil {
		return err
	}
	say("3. Can Ada buy in %q? %t", private.Code, ok)
	results, err := svc.Groups.AddMembers(ctx, vip.ID, []uuid.UUID{ada.ID})
	if err != nil {
		return err
	}
	ok, err = svc.Markets.CanAccess(ctx, private.ID, ada.ID)
	if err != nil {
		return err
	}
	say("   she joins %s (%s); can she now? %t", vip.Name, results[0].Outcome, ok)

	// 4. Customer service grants her 30.00 EUR of store credit, once, even
	// if the request is sent twice. The agent acts: the posting and its
	// event record who.
	support := clientele.WithActor(ctx, actor.Staff("support@acme.example"))
	for range 2 {
		if _, err := svc.Balances.Credit(support, clientele.PostingRequest{
			CustomerID: ada.ID, Amount: money("30.00"), Kind: balance.KindAdjustment,
			IdempotencyKey: "goodwill-2025-01", Note: "Late delivery",
		}); err != nil {
			return err
		}
	}
	avail, err := svc.Balances.Available(ctx, ada.ID, eur)
	if err != nil {
		return err
	}
	say("4. Goodwill credit sent twice with one idempotency key: balance %s", avail)

	// 5. She orders for 45.50 EUR in the private market and pays with credit
	// first.
	pay, err := svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{
		CustomerID: ada.ID, Total: money("45.50"), Reference: "1002", IdempotencyKey: "order-1002-credit",
	})
	if err != nil {
		return err
	}
	if _, err := svc.Orders.RecordPlaced(ctx, order.Params{
		ID: "order-1002", CustomerID: ada.ID, Number: "1002", Total: money("45.50"), MarketID: private.ID, Channel: "web",
		PlacedAt: pay.Posting.CreatedAt,
	}); err != nil {
		return err
	}
	avail, err = svc.Balances.Available(ctx, ada.ID, eur)
	if err != nil {
		return err
	}
	say("5. Order 1002 of 45.50 EUR: %s paid with store credit, %s due by card; balance now %s",
		pay.Applied, pay.Remaining, avail)

	// 6. The ledger explains the balance.
	history, err := svc.Balances.History(ctx, ada.ID, eur, page.Request{})
	if err != nil {
		return err
	}
	say("6. Ada's ledger:")
	for _, p := range history.Items {
		say("   #%d %-14s %10s -> %s", p.Sequence, p.Kind, p.Amount, p.EndingBalance)
	}
	ada, err = svc.Customers.Get(ctx, ada.ID)
	if err != nil {
		return err
	}
	say("   Ada is %s with %d order(s) on her account", ada.Status, ada.OrderCount)

	// 7. The outbox: a consumer claims the events in commit order, handles
	// them and acknowledges them; its cursor is kept in the store.
	say("7. The outbox, as consumer \"printer\" reads it (the subscriber heard %d events after their commits):", heard)
	for {
		b, err := svc.Events.Claim(ctx, "printer", "quickstart", 100, time.Minute)
		if errors.Is(err, clientele.ErrUnsupported) {
			say("   (this store keeps no events)")
			return nil
		}
		if err != nil {
			return err
		}
		if len(b.Events) == 0 {
			return nil
		}
		for _, e := range b.Events {
			say("   #%-3d %-29s %-16s by %s", e.Sequence, e.Type, e.Aggregate, e.Actor)
		}
		if err := svc.Events.Ack(ctx, b); err != nil {
			return err
		}
	}
}
