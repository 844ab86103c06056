package postgres

import (
	"database/sql"
	"embed"
	"errors"
	"hash/fnv"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/clientele-go/clientele/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the PostgreSQL dialect.
var Dialect sqlstore.Dialect = dialect{}

type dialect struct{}

// Open opens a database/sql handle on the PostgreSQL database at dsn (a URL or
// key=value string) with the pgx driver.
func Open(dsn string) (*sql.DB, error) { return sql.Open("pgx", dsn) }

func (dialect) Name() string             { return "postgres" }
func (dialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }
func (dialect) ForUpdate() string        { return " FOR UPDATE" }
func (dialect) ForShare() string         { return " FOR SHARE" }

// ForUpdateOf implements sqlstore.ForUpdateOf with FOR UPDATE OF, which
// leaves the rows of the other tables, outer-joined ones among them,
// unlocked.
func (dialect) ForUpdateOf(aliases ...string) string {
	return " FOR UPDATE OF " + strings.Join(aliases, ", ")
}

// FreshAfterLock is true (sqlstore.FreshAfterLock): at READ COMMITTED a
// statement sees every commit before it began; at REPEATABLE READ and
// SERIALIZABLE (and on CockroachDB) locking a row that changed since the
// transaction's snapshot fails with a serialization failure, which Atomic
// retries. The outbox's reads after its locks need no locks of their own.
func (dialect) FreshAfterLock() bool { return true }

// ChainedWrites implements sqlstore.ChainedWrites: PostgreSQL runs
// data-modifying CTEs.
func (dialect) ChainedWrites() bool { return true }

func (dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	return sub
}

func (dialect) InsertOrNothing(insert string) string { return insert + " ON CONFLICT DO NOTHING" }

// Binary uses COLLATE "C" in the expression, not on the column, which
// CockroachDB does not allow (its strings compare byte by byte anyway).
func (dialect) Binary(column string) string { return column + ` COLLATE "C"` }

func (dialect) Contains(column, arg string) string { return "strpos(" + column + ", " + arg + ") > 0" }

func (dialect) Classify(err error) sqlstore.ErrorKind {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return sqlstore.ErrOther
	}
	switch pg.Code {
	case "23505":
		return sqlstore.ErrUnique
	case "23503":
		return sqlstore.ErrForeignKey
	case "23514":
		return sqlstore.ErrCheck
	case "40001", "40P01": // serialization failure, deadlock
		return sqlstore.ErrRetry
	case "55P03": // lock not available (lock_timeout)
		return sqlstore.ErrBusy
	case "57P01", "57P02", "57P03": // admin shutdown (pg_terminate_backend), crash shutdown, cannot connect now
		return sqlstore.ErrConnLost
	}
	if strings.HasPrefix(pg.Code, "08") { // connection exception
		return sqlstore.ErrConnLost
	}
	return sqlstore.ErrOther
}

func (dialect) ConstraintName(err error) (string, bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.ConstraintName != "" {
		return pg.ConstraintName, true
	}
	return "", false
}

// MigrationLock tries an advisory lock on a 64-bit FNV-1a hash of key,
// computed here rather than with PostgreSQL's undocumented hashtext, which
// CockroachDB lacks. It uses pg_try_advisory_lock (Migrate polls until it
// is granted) because CockroachDB has no pg_advisory_lock at all; there
// pg_try_advisory_lock is a stub that always grants.
func (dialect) MigrationLock(key string) (lock, unlock string) {
	h := fnv.New64a()
	h.Write([]byte(key))
	k := strconv.FormatInt(int64(h.Sum64()), 10)
	return "SELECT CASE WHEN pg_try_advisory_lock(" + k + ") THEN 1 ELSE 0 END", "SELECT pg_advisory_unlock(" + k + ")"
}

// MetadataHas implements sqlstore.MetadataMatcher with jsonb containment.
func (dialect) MetadataHas(column, object string) string {
	return "(" + column + "::jsonb @> " + object + "::jsonb)"
}

// JSONObject implements sqlstore.JSONBuilder with json_build_object.
func (dialect) JSONObject(pairs ...string) string {
	return sqlstore.JSONObjectCall("json_build_object", pairs...)
}

// JSONArrayAgg implements sqlstore.JSONBuilder with json_agg.
func (dialect) JSONArrayAgg(expr string) string { return "json_agg(" + expr + ")" }

// JSONString implements sqlstore.JSONBuilder: text is text.
func (dialect) JSONString(column string) string { return column }
