package mysql_test

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"testing"

	driver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// openFault opens a fresh database (see openFresh) through a fault
// connector.
func openFault(t testing.TB) (*sql.DB, *faultdriver.Connector) {
	t.Helper()
	_, dsn := openFreshDSN(t)
	fc, err := faultdriver.WrapDriver(driver.MySQLDriver{}, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(fc)
	db.SetMaxOpenConns(2)            // one operation at a time, and a statement prepared in the background
	t.Cleanup(func() { db.Close() }) // before openFreshDSN's cleanup drops the database
	return db, fc
}

func TestFaults(t *testing.T) { sqltest.Faults(t, faultEngine(t)) }

func TestOutboxFaults(t *testing.T) { sqltest.OutboxFaults(t, faultEngine(t)) }

func TestRoundTrips(t *testing.T) { sqltest.RoundTrips(t, faultEngine(t)) }

func TestServiceRoundTrips(t *testing.T) { sqltest.ServiceRoundTrips(t, faultEngine(t)) }

func TestLostTransactions(t *testing.T) { sqltest.LostTransactions(t, faultEngine(t)) }

func faultEngine(t *testing.T) sqltest.FaultEngine {
	return sqltest.FaultEngine{Dialect: mysql.Dialect, Open: openFault,
		Retryable: &driver.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}}
}

func TestKilledSessions(t *testing.T) {
	sqltest.KilledSessions(t, sqltest.SessionKiller{
		Dialect: mysql.Dialect,
		Open: func(t testing.TB) (*sql.DB, *sql.DB) {
			db := openFresh(t)
			admin, err := mysql.Open(os.Getenv("CLIENTELE_MYSQL_DSN"))
			if err != nil {
				t.Fatal(err)
			}
			admin.SetMaxOpenConns(1)
			t.Cleanup(func() { admin.Close() })
			return db, admin
		},
		SessionID: `SELECT CONNECTION_ID()`,
		Kill: func(ctx context.Context, admin *sql.DB, id int64) error {
			if _, err := admin.ExecContext(ctx, "KILL CONNECTION "+strconv.FormatInt(id, 10)); err != nil {
				return err
			}
			return sqltest.WaitGone(ctx, admin, `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?`, id)
		},
	})
}

func TestLostConnections(t *testing.T) { sqltest.LostConnections(t, faultEngine(t)) }
