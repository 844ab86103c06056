package mysql_test

import (
	"context"
	"log"
	"os"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// Open the database at a DSN from the environment, bring the schema up to
// date (safe from several processes at once) and build the services. (Not
// run by go test: it needs a server.)
func Example() {
	ctx := context.Background()
	db, err := mysql.Open(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := sqlstore.Migrate(ctx, db, mysql.Dialect, sqlstore.WithTablePrefix("crm_")); err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, mysql.Dialect, sqlstore.WithTablePrefix("crm_"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	svc := clientele.New(store)
	_ = svc
}
