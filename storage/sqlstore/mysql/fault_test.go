package mysql_test

import (
	"database/sql"
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
	t.Cleanup(func() { db.Close() }) // before openFreshDSN's cleanup drops the database
	return db, fc
}

func TestFaults(t *testing.T) { sqltest.Faults(t, faultEngine(t)) }

func TestRoundTrips(t *testing.T) { sqltest.RoundTrips(t, faultEngine(t)) }

func TestLostTransactions(t *testing.T) { sqltest.LostTransactions(t, faultEngine(t)) }

func faultEngine(t *testing.T) sqltest.FaultEngine {
	return sqltest.FaultEngine{Dialect: mysql.Dialect, Open: openFault,
		Retryable: &driver.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}}
}
