package cli

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
	"github.com/clientele-go/clientele/storage/sqlstore/tidb"
)

// errSchema reports a database whose schema is behind the command's.
var errSchema = errors.New("the database schema is not up to date: run \"clientele migrate\"")

// dbFlags are the flags that say which database to use.
type dbFlags struct {
	driver, dsn, prefix string
	getenv              func(string) string
}

// add registers the flags on fs, with defaults from the environment.
func (f *dbFlags) add(fs *flag.FlagSet, io IO) {
	driver := io.Getenv("CLIENTELE_DRIVER")
	if driver == "" {
		driver = "sqlite"
	}
	fs.StringVar(&f.driver, "driver", driver, "the database engine: sqlite, postgres, mysql or tidb (env CLIENTELE_DRIVER)")
	f.getenv = io.Getenv
	// The DSN's default is read in check, not shown by --help: it may
	// hold a password.
	fs.StringVar(&f.dsn, "dsn", "",
		"the database: a file path for sqlite, a DSN for the others, such as\n"+
			"postgres://user@host:5432/db or user:pass@tcp(host:3306)/db (env CLIENTELE_DSN)")
	fs.StringVar(&f.prefix, "prefix", io.Getenv("CLIENTELE_TABLE_PREFIX"),
		"the table prefix the schema was created with (env CLIENTELE_TABLE_PREFIX)")
}

// check validates the flags' values, for a usage error before any work.
func (f *dbFlags) check() error {
	if _, err := dialectOf(f.driver); err != nil {
		return err
	}
	if f.dsn == "" && f.getenv != nil {
		f.dsn = f.getenv("CLIENTELE_DSN")
	}
	if f.dsn == "" {
		return errors.New("--dsn (or CLIENTELE_DSN) is required")
	}
	return nil
}

func dialectOf(driver string) (sqlstore.Dialect, error) {
	switch driver {
	case "sqlite":
		return sqlite.Dialect, nil
	case "postgres":
		return postgres.Dialect, nil
	case "mysql":
		return mysql.Dialect, nil
	case "tidb":
		return tidb.Dialect, nil
	}
	return nil, fmt.Errorf("--driver %q: want sqlite, postgres, mysql or tidb", driver)
}

// database is an open database and what it is.
type database struct {
	db      *sql.DB
	dialect sqlstore.Dialect
	opts    []sqlstore.Option
	driver  string
	prefix  string
}

// openDB opens the database the flags name, with a small pool.
func (f *dbFlags) openDB(ctx context.Context) (*database, error) {
	d, err := dialectOf(f.driver)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	switch f.driver {
	case "sqlite":
		db, err = sqlite.Open(f.dsn)
	case "postgres":
		db, err = postgres.Open(f.dsn)
	case "mysql":
		db, err = mysql.Open(f.dsn)
	default:
		db, err = tidb.Open(f.dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("opening the %s database: %w", f.driver, err)
	}
	db.SetMaxOpenConns(4)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to the %s database: %w", f.driver, err)
	}
	return &database{db: db, dialect: d, opts: []sqlstore.Option{sqlstore.WithTablePrefix(f.prefix)},
		driver: f.driver, prefix: f.prefix}, nil
}

// openService opens the database, checks that its schema is up to date
// (errSchema if not) and returns a Service over it, and a function that
// closes the database.
func (f *dbFlags) openService(ctx context.Context) (*clientele.Service, func(), error) {
	d, err := f.openDB(ctx)
	if err != nil {
		return nil, nil, err
	}
	st, err := d.status(ctx)
	if err == nil && len(st.pending) > 0 {
		err = fmt.Errorf("%w (%d migrations pending, the latest is %d)", errSchema, len(st.pending), st.latest)
	}
	if err != nil {
		d.db.Close()
		return nil, nil, err
	}
	store, err := sqlstore.New(d.db, d.dialect, d.opts...)
	if err != nil {
		d.db.Close()
		return nil, nil, err
	}
	return clientele.New(store), func() { d.db.Close() }, nil
}

// migrationsTable returns the name of the table that records migrations.
func (d *database) migrationsTable() string { return d.prefix + "schema_migrations" }

// hasMigrationsTable reports whether Migrate ever ran for the prefix.
func (d *database) hasMigrationsTable(ctx context.Context) (bool, error) {
	var q string
	switch d.driver {
	case "sqlite":
		q = `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	case "postgres":
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	default:
		q = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`
	}
	var n int
	if err := d.db.QueryRowContext(ctx, q, d.migrationsTable()).Scan(&n); err != nil {
		return false, fmt.Errorf("reading the schema: %w", err)
	}
	return n > 0, nil
}

// schemaStatus is which migrations the database has applied.
type schemaStatus struct {
	all     []sqlstore.Migration
	applied map[int]int64 // version -> applied_at (Unix microseconds)
	pending []sqlstore.Migration
	latest  int
}

func (d *database) status(ctx context.Context) (schemaStatus, error) {
	all, err := sqlstore.Migrations(d.dialect, d.opts...)
	if err != nil {
		return schemaStatus{}, err
	}
	st := schemaStatus{all: all, applied: map[int]int64{}}
	if len(all) > 0 {
		st.latest = all[len(all)-1].Version
	}
	ok, err := d.hasMigrationsTable(ctx)
	if err != nil {
		return schemaStatus{}, err
	}
	if ok {
		// The prefix was checked by sqlstore.Migrations: letters, digits
		// and underscores only.
		q := `SELECT version, applied_at FROM ` + d.migrationsTable()
		if d.driver != "sqlite" && d.driver != "postgres" {
			q = "SELECT version, applied_at FROM `" + d.migrationsTable() + "`"
		}
		rows, err := d.db.QueryContext(ctx, q)
		if err != nil {
			return schemaStatus{}, fmt.Errorf("reading the applied migrations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			var at int64
			if err := rows.Scan(&v, &at); err != nil {
				return schemaStatus{}, err
			}
			st.applied[v] = at
		}
		if err := rows.Err(); err != nil {
			return schemaStatus{}, err
		}
	}
	for _, m := range all {
		if _, ok := st.applied[m.Version]; !ok {
			st.pending = append(st.pending, m)
		}
	}
	return st, nil
}

// name returns a migration's name without its version and extension.
func migrationName(m sqlstore.Migration) string {
	_, n, _ := strings.Cut(strings.TrimSuffix(m.Name, ".sql"), "_")
	return n
}
