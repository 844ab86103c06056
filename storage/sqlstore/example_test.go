package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// Open the database, bring its schema up to date, and build the services on
// the store. The same three lines work with postgres.Dialect and
// mysql.Dialect on their *sql.DB.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "clientele-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sqlite.Open(filepath.Join(dir, "shop.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := sqlstore.Migrate(ctx, db, sqlite.Dialect); err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, sqlite.Dialect)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	svc := clientele.New(store)
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "Grace@Example.com"})
	if err != nil {
		log.Fatal(err)
	}
	v, err := sqlstore.SchemaVersion(ctx, db, sqlite.Dialect)
	fmt.Println(c.Email.Address, c.State, v, err)
	// Output: grace@example.com active 20 <nil>
}

// Hosts whose schema belongs to a migration tool write the same
// migrations as files, here for goose, under the tables' prefix.
func ExampleWriteMigrations() {
	dir, err := os.MkdirTemp("", "clientele-migrations-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	if err := sqlstore.WriteMigrations(dir, sqlite.Dialect, sqlstore.WithTablePrefix("crm_")); err != nil {
		log.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.sql"))
	for _, f := range files {
		fmt.Println(filepath.Base(f))
	}
	// Output:
	// 0001_init.up.sql
	// 0002_email_skeleton.up.sql
	// 0003_idempotency.up.sql
	// 0004_outbox.up.sql
	// 0005_customers_created_live.up.sql
	// 0006_credentials.up.sql
	// 0007_wallet.up.sql
	// 0008_subscriptions.up.sql
	// 0009_order_history.up.sql
	// 0010_credit_lots.up.sql
	// 0011_merges.up.sql
	// 0012_companies.up.sql
	// 0013_marketplace_roles.up.sql
	// 0014_verification.up.sql
	// 0015_erasures.up.sql
	// 0016_timed_memberships.up.sql
	// 0017_consents.up.sql
	// 0018_segments.up.sql
	// 0019_pricing.up.sql
	// 0020_open_lots.up.sql
}
