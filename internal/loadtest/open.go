package loadtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	mysqldriver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// engine is an open store with what the harness needs around it: the
// database handle (nil for memory), the killer of its sessions, and the
// cleanup that removes what the run created.
type engine struct {
	store   storage.Store
	where   string
	db      *sql.DB
	killer  killer
	cleanup func()
}

// killer ends one of the harness's database sessions and reports whether
// it ended one.
type killer interface {
	killOne(ctx context.Context, pick func(n int) int) (bool, error)
	close()
}

// open opens a fresh store on cfg's engine, the way examples/quickstart
// does: a temporary file for SQLite, a fresh table prefix on the servers.
func open(ctx context.Context, cfg Config) (*engine, error) {
	switch cfg.Engine {
	case "memory":
		return &engine{store: memory.New(), where: "memory", cleanup: func() {}}, nil
	case "sqlite":
		dir, err := os.MkdirTemp("", "clientele-load-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "load.db")
		db, err := sqlite.Open(path)
		if err != nil {
			return nil, err
		}
		e, err := newSQL(ctx, db, sqlite.Dialect, "", "sqlite file "+path)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		e.cleanup = func() { _ = db.Close(); _ = os.RemoveAll(dir) }
		return e, nil
	case "postgres", "mysql":
		if cfg.DSN == "" {
			return nil, fmt.Errorf("loadtest: engine %s needs a DSN", cfg.Engine)
		}
		prefix := "load_" + strings.ToLower(rand.Text()[:6]) + "_"
		app := "clientele-load-" + prefix[5:11]
		var (
			db  *sql.DB
			d   sqlstore.Dialect
			k   killer
			err error
		)
		if cfg.Engine == "postgres" {
			db, err = postgres.Open(withAppName(cfg.DSN, app))
			d = postgres.Dialect
			if err == nil && cfg.KillSessions {
				k, err = newPGKiller(cfg.DSN, app)
			}
		} else {
			var reg *connRegistry
			db, reg, err = openMySQL(cfg.DSN)
			d = mysql.Dialect
			if err == nil && cfg.KillSessions {
				k, err = newMySQLKiller(cfg.DSN, reg)
			}
		}
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(cfg.Pool)
		db.SetMaxIdleConns(cfg.Pool)
		e, err := newSQL(ctx, db, d, prefix, d.Name()+" tables "+prefix+"*")
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		e.killer = k
		e.cleanup = func() {
			if !cfg.Keep {
				dropTables(context.Background(), db, cfg.Engine, prefix)
			}
			_ = db.Close()
			if k != nil {
				k.close()
			}
		}
		return e, nil
	}
	return nil, fmt.Errorf("loadtest: unknown engine %q (want memory, sqlite, postgres or mysql)", cfg.Engine)
}

func newSQL(ctx context.Context, db *sql.DB, d sqlstore.Dialect, prefix, where string) (*engine, error) {
	opts := []sqlstore.Option{sqlstore.WithTablePrefix(prefix)}
	if err := sqlstore.Migrate(ctx, db, d, opts...); err != nil {
		return nil, err
	}
	s, err := sqlstore.New(db, d, opts...)
	if err != nil {
		return nil, err
	}
	return &engine{store: s, where: where, db: db}, nil
}

// withAppName sets application_name in a PostgreSQL DSN (URL or key=value
// form), so that the killer finds the harness's sessions and no others.
func withAppName(dsn, app string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("application_name", app)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " application_name=" + app
}

// pgKiller terminates the harness's PostgreSQL sessions, found by their
// application_name, from a session of its own.
type pgKiller struct {
	db  *sql.DB
	app string
}

func newPGKiller(dsn, app string) (*pgKiller, error) {
	db, err := postgres.Open(withAppName(dsn, app+"-killer"))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &pgKiller{db: db, app: app}, nil
}

func (k *pgKiller) killOne(ctx context.Context, pick func(int) int) (bool, error) {
	pids, err := ids(ctx, k.db, `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`, k.app)
	if err != nil || len(pids) == 0 {
		return false, err
	}
	var ok bool
	err = k.db.QueryRowContext(ctx, `SELECT pg_terminate_backend($1)`, pids[pick(len(pids))]).Scan(&ok)
	return ok, err
}

func (k *pgKiller) close() { _ = k.db.Close() }

// connRegistry remembers the connection IDs of the harness's MariaDB
// connections: MariaDB has no application_name, and other clients of the
// same user and database must not be killed.
type connRegistry struct {
	mu  sync.Mutex
	ids map[int64]bool
}

func (r *connRegistry) has(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ids[id]
}

// recordingConnector asks every new connection for its CONNECTION_ID().
type recordingConnector struct {
	driver.Connector
	reg *connRegistry
}

func (c recordingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	q, ok := conn.(driver.QueryerContext)
	if !ok {
		return conn, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT CONNECTION_ID()", nil)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	dest := make([]driver.Value, 1)
	if err := rows.Next(dest); err == nil {
		var id int64
		switch v := dest[0].(type) {
		case int64:
			id = v
		case uint64:
			id = int64(v)
		case []byte:
			_, _ = fmt.Sscan(string(v), &id)
		}
		c.reg.mu.Lock()
		c.reg.ids[id] = true
		c.reg.mu.Unlock()
	}
	_ = rows.Close()
	return conn, nil
}

// openMySQL opens the DSN as mysql.Open does, through a connector that
// records each connection's ID.
func openMySQL(dsn string) (*sql.DB, *connRegistry, error) {
	// Killed sessions make the driver log every broken read; the harness
	// counts them itself. (A parsed DSN keeps the logger of its time.)
	_ = mysqldriver.SetLogger(log.New(io.Discard, "", 0))
	probe, err := mysql.Open(dsn) // the adapter's checks of the DSN
	if err != nil {
		return nil, nil, err
	}
	_ = probe.Close()
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return nil, nil, err
	}
	conn, err := mysqldriver.NewConnector(cfg)
	if err != nil {
		return nil, nil, err
	}
	reg := &connRegistry{ids: map[int64]bool{}}
	return sql.OpenDB(recordingConnector{Connector: conn, reg: reg}), reg, nil
}

// mysqlKiller KILLs the harness's MariaDB connections: those of
// information_schema.processlist for the same user and database whose ID
// the registry recorded, never its own.
type mysqlKiller struct {
	db  *sql.DB
	reg *connRegistry
}

func newMySQLKiller(dsn string, reg *connRegistry) (*mysqlKiller, error) {
	db, err := mysql.Open(dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &mysqlKiller{db: db, reg: reg}, nil
}

func (k *mysqlKiller) killOne(ctx context.Context, pick func(int) int) (bool, error) {
	all, err := ids(ctx, k.db, `SELECT ID FROM information_schema.PROCESSLIST
		WHERE USER = SUBSTRING_INDEX(USER(), '@', 1) AND DB = DATABASE() AND ID <> CONNECTION_ID()`)
	if err != nil {
		return false, err
	}
	var mine []int64
	for _, id := range all {
		if k.reg.has(id) {
			mine = append(mine, id)
		}
	}
	if len(mine) == 0 {
		return false, nil
	}
	// KILL takes no placeholder; id is an integer read from the server.
	if _, err := k.db.ExecContext(ctx, fmt.Sprintf("KILL %d", mine[pick(len(mine))])); err != nil {
		var me *mysqldriver.MySQLError
		if errors.As(err, &me) && me.Number == 1094 { // unknown thread: it ended first
			return false, nil
		}
		return false, err
	}
	return true, nil
}

func (k *mysqlKiller) close() { _ = k.db.Close() }

func ids(ctx context.Context, db *sql.DB, query string, args ...any) ([]int64, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// dropTables drops the tables of the run's prefix (best effort).
func dropTables(ctx context.Context, db *sql.DB, engine, prefix string) {
	var q string
	like := strings.ReplaceAll(prefix, "_", `\_`) + "%"
	if engine == "postgres" {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1`
	} else {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?`
	}
	rows, err := db.QueryContext(ctx, q, like)
	if err != nil {
		return
	}
	var names []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil && strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	_ = rows.Close()
	if len(names) == 0 {
		return
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	if engine == "postgres" {
		_, _ = conn.ExecContext(ctx, `DROP TABLE IF EXISTS "`+strings.Join(names, `", "`)+`" CASCADE`)
		return
	}
	_, _ = conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 0")
	_, _ = conn.ExecContext(ctx, "DROP TABLE IF EXISTS `"+strings.Join(names, "`, `")+"`")
	_, _ = conn.ExecContext(ctx, "SET FOREIGN_KEY_CHECKS = 1")
}
