package mysql

import (
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strings"

	driver "github.com/go-sql-driver/mysql"

	"github.com/clientele-go/clientele/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the MySQL / MariaDB dialect.
var Dialect sqlstore.Dialect = dialect{}

type dialect struct{}

// Open opens a database/sql handle on the MySQL database at dsn
// ("user:pass@tcp(host:3306)/db"), checking that the DSN keeps the settings
// the adapter relies on.
func Open(dsn string) (*sql.DB, error) {
	cfg, err := driver.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	if cfg.ClientFoundRows {
		return nil, errors.New("mysql: the DSN must not set clientFoundRows=true")
	}
	return sql.Open("mysql", cfg.FormatDSN())
}

func (dialect) Name() string           { return "mysql" }
func (dialect) Placeholder(int) string { return "?" }
func (dialect) ForUpdate() string      { return " FOR UPDATE" }
func (dialect) ForShare() string       { return " LOCK IN SHARE MODE" } // MariaDB lacks FOR SHARE

// ForUpdateOf implements sqlstore.ForUpdateOf with FOR UPDATE (MariaDB has
// no FOR UPDATE OF): InnoDB locks the rows of every table of the SELECT,
// an outer-joined one only where it has a row.
func (d dialect) ForUpdateOf(...string) string { return d.ForUpdate() }

// QuoteIdentifier quotes a table or index name with backticks: MySQL 8
// reserves GROUPS, one of the tables' names (see sqlstore.IdentifierQuoter).
// Names are the adapter's own (letters, digits, underscores), so there is
// nothing to escape.
func (dialect) QuoteIdentifier(name string) string { return "`" + name + "`" }

func (dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	return sub
}

// InsertOrNothing appends a no-op ON DUPLICATE KEY UPDATE of the insert's
// first column: a duplicate then affects zero rows. (INSERT IGNORE would also
// silence foreign-key and data errors.)
func (dialect) InsertOrNothing(insert string) string {
	open := strings.IndexByte(insert, '(')
	end := strings.IndexAny(insert[open+1:], ",)")
	col := strings.TrimSpace(insert[open+1 : open+1+end])
	return insert + " ON DUPLICATE KEY UPDATE " + col + " = " + col
}

func (dialect) Binary(column string) string { return column } // text is VARBINARY

func (dialect) Contains(column, arg string) string { return "LOCATE(" + arg + ", " + column + ") > 0" }

func (dialect) Classify(err error) sqlstore.ErrorKind {
	if errors.Is(err, driver.ErrInvalidConn) {
		return sqlstore.ErrConnLost
	}
	var my *driver.MySQLError
	if !errors.As(err, &my) {
		return sqlstore.ErrOther
	}
	switch my.Number {
	case 1062: // ER_DUP_ENTRY
		return sqlstore.ErrUnique
	case 1451, 1452: // ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2
		return sqlstore.ErrForeignKey
	case 3819, 4025: // ER_CHECK_CONSTRAINT_VIOLATED (MySQL), ER_CONSTRAINT_FAILED (MariaDB)
		return sqlstore.ErrCheck
	case 1213, 1020:
		// ER_LOCK_DEADLOCK, and ER_CHECKREAD: MariaDB 11.6.2+
		// (innodb_snapshot_isolation=ON, its default) fails a locking read
		// or write of a row changed since the transaction's snapshot, and
		// rolls the transaction back.
		return sqlstore.ErrRetry
	case 1205: // ER_LOCK_WAIT_TIMEOUT
		return sqlstore.ErrBusy
	case 1053, 1927: // ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED (MariaDB)
		return sqlstore.ErrConnLost
	}
	return sqlstore.ErrOther
}

func (dialect) ConstraintName(error) (string, bool) { return "", false }

// MigrationLock tries a named lock without waiting (GET_LOCK returns 1 when
// taken, 0 when another session holds it, NULL on an error); Migrate
// polls.
func (dialect) MigrationLock(key string) (lock, unlock string) {
	return "SELECT GET_LOCK('" + key + "', 0)", "SELECT RELEASE_LOCK('" + key + "')"
}

// MetadataHas implements sqlstore.MetadataMatcher with JSON_CONTAINS (JSON
// strings compare byte by byte); the BLOB column is read as utf8mb4.
func (dialect) MetadataHas(column, object string) string {
	return "JSON_CONTAINS(CONVERT(" + column + " USING utf8mb4), CONVERT(" + object + " USING utf8mb4))"
}

// JSONObject implements sqlstore.JSONBuilder with JSON_OBJECT.
func (dialect) JSONObject(pairs ...string) string {
	return sqlstore.JSONObjectCall("JSON_OBJECT", pairs...)
}

// JSONArrayAgg implements sqlstore.JSONBuilder with JSON_ARRAYAGG, which
// MariaDB cuts at group_concat_max_len bytes (the adapter detects it).
func (dialect) JSONArrayAgg(expr string) string { return "JSON_ARRAYAGG(" + expr + ")" }

// JSONString implements sqlstore.JSONBuilder: the binary text columns are
// read as utf8mb4, which JSON_OBJECT writes as a JSON string (a binary
// string it would write as "base64:type15:...").
func (dialect) JSONString(column string) string { return "CONVERT(" + column + " USING utf8mb4)" }
