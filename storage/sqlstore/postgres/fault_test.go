package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// openFault opens a fresh schema (see openFresh) through a fault connector.
func openFault(t testing.TB) (*sql.DB, *faultdriver.Connector) {
	t.Helper()
	_, dsn := openFreshDSN(t, nil)
	fc, err := faultdriver.WrapDriver(stdlib.GetDefaultDriver(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(fc)
	db.SetMaxOpenConns(2)            // one operation at a time, and a statement prepared in the background
	t.Cleanup(func() { db.Close() }) // before openFreshDSN's cleanup drops the schema
	return db, fc
}

func TestFaults(t *testing.T) { sqltest.Faults(t, faultEngine(t)) }

func TestOutboxFaults(t *testing.T) { sqltest.OutboxFaults(t, faultEngine(t)) }

func TestRoundTrips(t *testing.T) { sqltest.RoundTrips(t, faultEngine(t)) }

func TestServiceRoundTrips(t *testing.T) { sqltest.ServiceRoundTrips(t, faultEngine(t)) }

func TestLostTransactions(t *testing.T) { sqltest.LostTransactions(t, faultEngine(t)) }

func faultEngine(t *testing.T) sqltest.FaultEngine {
	return sqltest.FaultEngine{Dialect: postgres.Dialect, Open: openFault,
		Retryable: &pgconn.PgError{Severity: "ERROR", Code: "40001", Message: "could not serialize access due to concurrent update"}}
}

func TestKilledSessions(t *testing.T) {
	sqltest.KilledSessions(t, sqltest.SessionKiller{
		Dialect: postgres.Dialect,
		Open: func(t testing.TB) (*sql.DB, *sql.DB) {
			db := openFresh(t, nil)
			admin, err := postgres.Open(os.Getenv("CLIENTELE_POSTGRES_DSN"))
			if err != nil {
				t.Fatal(err)
			}
			admin.SetMaxOpenConns(1)
			t.Cleanup(func() { admin.Close() })
			return db, admin
		},
		SessionID: `SELECT pg_backend_pid()`,
		Kill: func(ctx context.Context, admin *sql.DB, id int64) error {
			if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend($1)`, id); err != nil {
				return err
			}
			return sqltest.WaitGone(ctx, admin, `SELECT COUNT(*) FROM pg_stat_activity WHERE pid = $1`, id)
		},
	})
}

func TestLostConnections(t *testing.T) { sqltest.LostConnections(t, faultEngine(t)) }
