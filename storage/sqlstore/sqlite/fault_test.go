package sqlite_test

import (
	"database/sql"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	dialect "github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// dsn is the DSN sqlite.Open builds for path (kept in step with it by hand:
// Open does not expose it), with the busy timeout given.
func dsn(path, busyTimeout string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+busyTimeout+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	path = strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) // as Open does
	return "file:" + path + "?" + q.Encode()
}

// openFault opens a fresh database file through a fault connector.
func openFault(t testing.TB) (*sql.DB, *faultdriver.Connector) {
	t.Helper()
	fc, err := faultdriver.WrapDriver(&sqlite.Driver{}, dsn(filepath.Join(t.TempDir(), "clientele.db"), "10000"))
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(fc)
	t.Cleanup(func() { db.Close() })
	return db, fc
}

// busyError returns a real SQLITE_BUSY error: a second connection that
// does not wait tries to take the write lock a first one holds.
func busyError(t testing.TB) error {
	t.Helper()
	path := filepath.Join(t.TempDir(), "busy.db")
	holder, err := sql.Open("sqlite", dsn(path, "10000"))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // only releases the lock
	other, err := sql.Open("sqlite", dsn(path, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otx, err := other.Begin()
	if err == nil {
		otx.Rollback()
		t.Fatal("a second writer took the lock")
	}
	if dialect.Dialect.Classify(err) != sqlstore.ErrBusy {
		t.Fatalf("%T %v is not classified as retryable", err, err)
	}
	return err
}

func TestFaults(t *testing.T) { sqltest.Faults(t, faultEngine(t)) }

func TestOutboxFaults(t *testing.T) { sqltest.OutboxFaults(t, faultEngine(t)) }

func TestRoundTrips(t *testing.T) { sqltest.RoundTrips(t, faultEngine(t)) }

func TestServiceRoundTrips(t *testing.T) { sqltest.ServiceRoundTrips(t, faultEngine(t)) }

func TestLostTransactions(t *testing.T) { sqltest.LostTransactions(t, faultEngine(t)) }

func faultEngine(t *testing.T) sqltest.FaultEngine {
	return sqltest.FaultEngine{Dialect: dialect.Dialect, Open: openFault, Retryable: busyError(t)}
}

func TestLostConnections(t *testing.T) { sqltest.LostConnections(t, faultEngine(t)) }
