package postgres_test

import (
	"database/sql"
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
	t.Cleanup(func() { db.Close() }) // before openFreshDSN's cleanup drops the schema
	return db, fc
}

func TestFaults(t *testing.T) { sqltest.Faults(t, faultEngine(t)) }

func TestRoundTrips(t *testing.T) { sqltest.RoundTrips(t, faultEngine(t)) }

func TestLostTransactions(t *testing.T) { sqltest.LostTransactions(t, faultEngine(t)) }

func faultEngine(t *testing.T) sqltest.FaultEngine {
	return sqltest.FaultEngine{Dialect: postgres.Dialect, Open: openFault,
		Retryable: &pgconn.PgError{Severity: "ERROR", Code: "40001", Message: "could not serialize access due to concurrent update"}}
}
