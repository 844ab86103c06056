// Command httpapi is a reference JSON HTTP service over Clientele, built on
// net/http alone (Go 1.22 method and wildcard patterns, no framework):
// customers, address books, groups and members, merchants and markets,
// store credit and order history. Errors are RFC 9457 problem documents
// whose status comes from the error's category (errcode); /openapi.json
// describes every operation.
//
// By default it keeps its data in the SQLite file clientele-httpapi.db, with
// no setup:
//
//	go run ./examples/httpapi
//	go run ./examples/httpapi -store memory -addr 127.0.0.1:9090
//	go run ./examples/httpapi -store postgres -dsn "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
//	go run ./examples/httpapi -store mysql -dsn "root@tcp(127.0.0.1:3306)/test"
//
// On PostgreSQL and MySQL its tables carry the prefix of -prefix (httpapi_).
// It stops gracefully on SIGINT and SIGTERM. NewHandler mounts the same API
// in a host's own server.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "the address to listen on")
	kind := flag.String("store", "sqlite", "where to keep the data: sqlite, memory, postgres or mysql")
	dsn := flag.String("dsn", "", "the database: a file for sqlite (default clientele-httpapi.db), a DSN for postgres and mysql")
	prefix := flag.String("prefix", "httpapi_", "the table prefix on postgres and mysql")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, where, closeStore, err := open(ctx, *kind, *dsn, *prefix)
	if err != nil {
		log.Fatal(err)
	}
	defer closeStore()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("clientele httpapi on http://%s (store: %s); the API is described at /openapi.json", ln.Addr(), where)
	if err := serve(ctx, ln, clientele.New(store)); err != nil {
		log.Fatal(err)
	}
	log.Print("stopped")
}

// serve serves the API on ln until ctx is done, then shuts down gracefully:
// it stops accepting connections and waits up to 10 seconds for the
// requests under way.
func serve(ctx context.Context, ln net.Listener, svc *clientele.Service) error {
	srv := &http.Server{
		Handler:           NewHandler(svc),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// open returns the store the flags ask for, says where it lives, and
// returns the function that closes its database.
func open(ctx context.Context, kind, dsn, prefix string) (storage.Store, string, func(), error) {
	var (
		db  *sql.DB
		d   sqlstore.Dialect
		err error
	)
	switch kind {
	case "memory":
		return memory.New(), "in memory", func() {}, nil
	case "sqlite":
		if dsn == "" {
			dsn = "clientele-httpapi.db"
		}
		prefix = ""
		db, err = sqlite.Open(dsn)
		d = sqlite.Dialect
	case "postgres", "mysql":
		if dsn == "" {
			return nil, "", nil, fmt.Errorf("-store %s needs -dsn", kind)
		}
		if kind == "postgres" {
			db, err = postgres.Open(dsn)
			d = postgres.Dialect
		} else {
			db, err = mysql.Open(dsn)
			d = mysql.Dialect
		}
	default:
		return nil, "", nil, fmt.Errorf("unknown -store %q (want sqlite, memory, postgres or mysql)", kind)
	}
	if err != nil {
		return nil, "", nil, err
	}
	opts := []sqlstore.Option{sqlstore.WithTablePrefix(prefix)}
	if err := sqlstore.Migrate(ctx, db, d, opts...); err != nil {
		db.Close()
		return nil, "", nil, err
	}
	store, err := sqlstore.New(db, d, opts...)
	if err != nil {
		db.Close()
		return nil, "", nil, err
	}
	where := d.Name() + " tables " + prefix + "*"
	if kind == "sqlite" {
		where = d.Name() + " file " + dsn
	}
	return store, where, func() { db.Close() }, nil
}
