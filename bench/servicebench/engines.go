package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	sqlitedialect "github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// engine is one database the harness runs on: a *sql.DB over the counting
// driver, the dialect, the table prefix, and the store over them.
type engine struct {
	name    string
	db      *sql.DB
	counter *countingConnector
	dialect sqlstore.Dialect
	prefix  string
	store   *sqlstore.Store
	cleanup func() error
}

// sqliteDSN is the DSN sqlite.Open builds for path (WAL, a 10 s busy
// timeout, foreign keys, synchronous=NORMAL, secure_delete, BEGIN
// IMMEDIATE): sqlite.Open returns a *sql.DB, not its DSN, and the harness
// needs the DSN to put its counting connector under the driver.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	path = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
	return "file:" + path + "?" + q.Encode()
}

// openEngine opens, migrates and wraps the engine name ("sqlite",
// "postgres" or "mysql"). dsn is the server's DSN (unused for SQLite, which
// gets a file in a fresh temporary directory). Tables on a server get a
// fresh prefix (sb_<random>_), dropped by cleanup unless keep.
func openEngine(ctx context.Context, name, dsn string, keep bool) (*engine, error) {
	e := &engine{name: name, cleanup: func() error { return nil }}
	var err error
	switch name {
	case "sqlite":
		dir, derr := os.MkdirTemp("", "servicebench-")
		if derr != nil {
			return nil, derr
		}
		e.cleanup = func() error { return os.RemoveAll(dir) }
		e.counter, err = wrapDriver(&sqlite.Driver{}, sqliteDSN(filepath.Join(dir, "bench.db")))
		e.dialect = sqlitedialect.Dialect
	case "postgres":
		e.counter, err = wrapDriver(stdlib.GetDefaultDriver(), dsn)
		e.dialect = postgres.Dialect
	case "mysql":
		// As mysql.Open: the DSN must not set clientFoundRows.
		cfg, perr := mysqldriver.ParseDSN(dsn)
		if perr != nil {
			return nil, perr
		}
		if cfg.ClientFoundRows {
			return nil, fmt.Errorf("mysql: the DSN must not set clientFoundRows=true")
		}
		e.counter, err = wrapDriver(mysqldriver.MySQLDriver{}, cfg.FormatDSN())
		e.dialect = mysql.Dialect
	default:
		return nil, fmt.Errorf("unknown engine %q (want sqlite, postgres or mysql)", name)
	}
	if err != nil {
		_ = e.cleanup()
		return nil, err
	}
	e.db = sql.OpenDB(e.counter)
	if name != "sqlite" {
		e.prefix = "sb_" + strings.ToLower(rand.Text()[:8]) + "_"
		if !keep {
			e.cleanup = func() error { return dropPrefixed(context.Background(), e.db, name, e.prefix) }
		}
	}
	opts := []sqlstore.Option{sqlstore.WithTablePrefix(e.prefix)}
	if err := sqlstore.Migrate(ctx, e.db, e.dialect, opts...); err != nil {
		e.close()
		return nil, fmt.Errorf("%s: migrate: %w", name, err)
	}
	if e.store, err = sqlstore.New(e.db, e.dialect, opts...); err != nil {
		e.close()
		return nil, err
	}
	return e, nil
}

// close drops the engine's tables (unless kept) and closes its pool.
func (e *engine) close() error {
	var errs []error
	if e.store != nil {
		errs = append(errs, e.store.Close())
	}
	e.db.SetMaxOpenConns(1)
	errs = append(errs, e.cleanup(), e.db.Close())
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// dropPrefixed drops every table whose name starts with prefix.
func dropPrefixed(ctx context.Context, db *sql.DB, engine, prefix string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	list := `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1`
	if engine == "mysql" {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?`
	}
	rows, err := conn.QueryContext(ctx, list, strings.ReplaceAll(prefix, "_", `\_`)+"%")
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	if len(names) == 0 {
		return nil
	}
	if engine == "mysql" {
		if _, err := conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 0"); err != nil {
			return err
		}
		_, err = conn.ExecContext(ctx, "DROP TABLE `"+strings.Join(names, "`, `")+"`")
		return err
	}
	_, err = conn.ExecContext(ctx, `DROP TABLE "`+strings.Join(names, `", "`)+`" CASCADE`)
	return err
}

// renderSQL renders a shared query for e: its table prefix and
// placeholders.
func renderSQL(q string, e *engine) string { return sqlstore.Render(q, e.prefix, e.dialect) }

// analyze refreshes the planner's statistics of the seeded tables, as
// autovacuum (PostgreSQL) and InnoDB's persistent statistics would in
// production: a statement prepared while a table was nearly empty would
// otherwise keep a plan that scans it (a page of 50 customers took 18 ms
// on PostgreSQL instead of well under one).
func analyze(ctx context.Context, e *engine) error {
	if e.name == "sqlite" {
		_, err := e.db.ExecContext(ctx, "ANALYZE")
		return err
	}
	for _, t := range []string{"customers", "groups", "memberships", "balance_accounts", "balance_postings", "balance_lots", "events"} {
		q := "ANALYZE " + e.prefix + t
		if e.name == "mysql" {
			q = "ANALYZE TABLE `" + e.prefix + t + "`"
		}
		rows, err := e.db.QueryContext(ctx, q) // MySQL answers with a result set
		if err != nil {
			return err
		}
		for rows.Next() {
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
	}
	return nil
}
