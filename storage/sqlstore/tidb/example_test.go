package tidb_test

import (
	"context"
	"log"
	"os"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/tidb"
)

// Open a TiDB database, migrate it and build the services on it: the same
// steps as on MySQL, with the TiDB dialect. (Not run by go test: it needs a
// server.)
func Example() {
	ctx := context.Background()
	db, err := tidb.Open(os.Getenv("DATABASE_URL")) // e.g. root@tcp(127.0.0.1:4000)/shop
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := sqlstore.Migrate(ctx, db, tidb.Dialect); err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(db, tidb.Dialect)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	svc := clientele.New(store)
	_ = svc
}
