package tidb_test

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	driver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/tidb"
)

// server is the TiDB server of CLIENTELE_TIDB_DSN (scripts/tidb.sh start
// runs one; .ci/run sets the variable).
var server = sqltest.MySQLProtocol{
	Env:     "CLIENTELE_TIDB_DSN",
	Example: "root@tcp(127.0.0.1:4000)/test, after scripts/tidb.sh start",
	Open:    tidb.Open,
	Pool:    8,
}

func openFresh(t testing.TB) *sql.DB {
	t.Helper()
	db, _ := server.Fresh(t)
	return db
}

// TestConformance runs the suite in TiDB's default transaction mode,
// pessimistic, which the test checks rather than assumes.
func TestConformance(t *testing.T) {
	db := openFresh(t)
	var mode string
	if err := db.QueryRow(`SELECT @@tidb_txn_mode`).Scan(&mode); err != nil {
		t.Fatalf("read the transaction mode: %v", err)
	}
	if mode != "pessimistic" && mode != "" {
		t.Fatalf("the server's transaction mode is %q; the suite is meant to run in pessimistic mode, TiDB's default", mode)
	}
	sqltest.Conformance(t, db, tidb.Dialect)
}

func TestServiceRaces(t *testing.T) { sqltest.ServiceRaces(t, openFresh(t), tidb.Dialect) }

// TestOptimisticServiceRaces runs the service races with every transaction
// optimistic: conflicts surface at COMMIT (9007) and Atomic retries them.
func TestOptimisticServiceRaces(t *testing.T) {
	_, dsn := server.Fresh(t)
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["tidb_txn_mode"] = "'optimistic'"
	db, err := tidb.Open(cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(server.Pool)
	t.Cleanup(func() { db.Close() })
	var mode string
	if err := db.QueryRow(`SELECT @@tidb_txn_mode`).Scan(&mode); err != nil || mode != "optimistic" {
		t.Fatalf("the session is not optimistic: %q, %v", mode, err)
	}
	sqltest.ServiceRaces(t, db, tidb.Dialect)
}

// engine returns a fresh database and a way to open more handles on it.
func engine(t *testing.T) sqltest.Engine {
	db, dsn := server.Fresh(t)
	return sqltest.Engine{
		Dialect: tidb.Dialect,
		DB:      db,
		Open: func(t testing.TB) *sql.DB {
			other, err := tidb.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			other.SetMaxOpenConns(server.Pool)
			t.Cleanup(func() { other.Close() })
			return other
		},
		Schema: sqltest.MySQLSchema,
	}
}

func TestMigrations(t *testing.T) { sqltest.Migrations(t, engine(t)) }

func TestBind(t *testing.T) { sqltest.Bind(t, engine(t)) }

// openFault opens a fresh database through a fault connector.
func openFault(t testing.TB) (*sql.DB, *faultdriver.Connector) {
	t.Helper()
	_, dsn := server.Fresh(t)
	fc, err := faultdriver.WrapDriver(driver.MySQLDriver{}, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(fc)
	db.SetMaxOpenConns(2)
	t.Cleanup(func() { db.Close() })
	return db, fc
}

func faultEngine() sqltest.FaultEngine {
	return sqltest.FaultEngine{Dialect: tidb.Dialect, Open: openFault,
		Retryable: &driver.MySQLError{Number: 9007, Message: "Write conflict"}}
}

func TestFaults(t *testing.T) { sqltest.Faults(t, faultEngine()) }

func TestOutboxFaults(t *testing.T) { sqltest.OutboxFaults(t, faultEngine()) }

func TestRoundTrips(t *testing.T) { sqltest.RoundTrips(t, faultEngine()) }

func TestServiceRoundTrips(t *testing.T) { sqltest.ServiceRoundTrips(t, faultEngine()) }

func TestLostTransactions(t *testing.T) { sqltest.LostTransactions(t, faultEngine()) }

func TestLostConnections(t *testing.T) { sqltest.LostConnections(t, faultEngine()) }

func TestKilledSessions(t *testing.T) {
	sqltest.KilledSessions(t, sqltest.SessionKiller{
		Dialect: tidb.Dialect,
		Open: func(t testing.TB) (*sql.DB, *sql.DB) {
			db := openFresh(t)
			admin, err := tidb.Open(server.DSN(t))
			if err != nil {
				t.Fatal(err)
			}
			admin.SetMaxOpenConns(1)
			t.Cleanup(func() { admin.Close() })
			return db, admin
		},
		SessionID: `SELECT CONNECTION_ID()`,
		Kill: func(ctx context.Context, admin *sql.DB, id int64) error {
			if _, err := admin.ExecContext(ctx, "KILL TIDB "+strconv.FormatInt(id, 10)); err != nil {
				return err
			}
			return sqltest.WaitGone(ctx, admin, `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?`, id)
		},
	})
}

// BenchmarkStore compares the adapter's hot operations with the same SQL
// written by hand on the same *sql.DB (see sqltest.Bench).
func BenchmarkStore(b *testing.B) {
	sqltest.Bench(b, sqltest.Engine{Dialect: tidb.Dialect, DB: openFresh(b), Analyze: `ANALYZE TABLE {{table}}`})
}

func TestOutbox(t *testing.T) { sqltest.Outbox(t, engine(t)) }

// TestEventsAutoIDCache checks that TiDB reads the comment of migration
// 0004 that MySQL and MariaDB ignore: the events table draws pos from one
// allocator (AUTO_ID_CACHE 1), so that pos grows with time across TiDB
// servers, which the outbox's order relies on.
func TestEventsAutoIDCache(t *testing.T) {
	db := openFresh(t)
	sqltest.NewStoreWithPrefix(t, db, tidb.Dialect, "ids_")
	var name, create string
	if err := db.QueryRow("SHOW CREATE TABLE `ids_events`").Scan(&name, &create); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(create, "AUTO_ID_CACHE=1") {
		t.Errorf("the events table has no AUTO_ID_CACHE=1:\n%s", create)
	}
}
