package tidb

import (
	"database/sql"
	"errors"

	driver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// Dialect is the TiDB dialect: mysql.Dialect's migrations and SQL, with
// exclusive locks for the reads that MySQL makes with shared ones, and
// TiDB's retryable errors.
var Dialect sqlstore.Dialect = dialect{mysql.Dialect}

type dialect struct{ sqlstore.Dialect }

// Open opens a database/sql handle on the TiDB database at dsn
// ("user:pass@tcp(host:4000)/db"), with the checks of mysql.Open.
func Open(dsn string) (*sql.DB, error) { return mysql.Open(dsn) }

func (dialect) Name() string { return "tidb" }

// QuoteIdentifier quotes names as MySQL's dialect does: TiDB reserves
// GROUPS too.
func (d dialect) QuoteIdentifier(name string) string {
	return d.Dialect.(sqlstore.IdentifierQuoter).QuoteIdentifier(name)
}

// ForShare is FOR UPDATE: TiDB does not implement shared locks (see the
// package documentation).
func (dialect) ForShare() string { return " FOR UPDATE" }

// The dialect does not implement sqlstore.ForUpdateOf, as MySQL's does:
// the statement that uses it joins on a subquery, and TiDB refuses
// subqueries in ON ("ON condition doesn't support subqueries yet"). A debit
// reads its lots after its lock.

// Classify adds TiDB's own retryable errors to MySQL's classification.
func (d dialect) Classify(err error) sqlstore.ErrorKind {
	var my *driver.MySQLError
	if errors.As(err, &my) {
		switch my.Number {
		case 9007, // ErrWriteConflict: a write conflict, at COMMIT in an optimistic transaction
			8005, // ErrWriteConflictInTiDB: the transaction's start timestamp is stale
			8002, // ErrForUpdateCantRetry: an optimistic SELECT FOR UPDATE met a conflict
			8022, // ErrTxnRetryable: the transaction failed in a way that may pass if run again
			8027, // ErrInfoSchemaExpired: the server's schema is out of date
			8028, // ErrInfoSchemaChanged: a schema change committed under the transaction
			9001, // ErrPDServerTimeout
			9002, // ErrTiKVServerTimeout
			9003, // ErrTiKVServerBusy
			9004, // ErrResolveLockTimeout
			9005, // ErrRegionUnavailable
			9006, // ErrGCTooEarly: the transaction outlived the GC life time; a new one starts afresh
			9008: // ErrTiKVStoreLimit
			return sqlstore.ErrRetry
		case 1105: // ER_UNKNOWN_ERROR: among others, "pessimistic lock retry limit reached"
			return sqlstore.ErrRetryStatement
		}
	}
	return d.Dialect.Classify(err)
}

// MetadataHas implements sqlstore.MetadataMatcher as MySQL does.
func (d dialect) MetadataHas(column, object string) string {
	return d.Dialect.(sqlstore.MetadataMatcher).MetadataHas(column, object)
}

// JSONObject implements sqlstore.JSONBuilder as MySQL does.
func (d dialect) JSONObject(pairs ...string) string {
	return d.Dialect.(sqlstore.JSONBuilder).JSONObject(pairs...)
}

// JSONArrayAgg implements sqlstore.JSONBuilder as MySQL does (TiDB does
// not cut it at group_concat_max_len).
func (d dialect) JSONArrayAgg(expr string) string {
	return d.Dialect.(sqlstore.JSONBuilder).JSONArrayAgg(expr)
}

// JSONString implements sqlstore.JSONBuilder as MySQL does: TiDB writes a
// binary string in JSON_OBJECT in base64 too.
func (d dialect) JSONString(column string) string {
	return d.Dialect.(sqlstore.JSONBuilder).JSONString(column)
}
