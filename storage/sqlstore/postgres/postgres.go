// Package postgres is the PostgreSQL dialect of storage/sqlstore, for
// PostgreSQL 12 and newer through github.com/jackc/pgx/v5/stdlib. Its SQL
// also runs on CockroachDB: UUID keys made in Go, no sequences, no
// PostgreSQL-only types beyond UUID, and every transaction retried on
// SQLSTATE 40001.
//
//	db, err := postgres.Open("postgres://user@host/db")
//	err = sqlstore.Migrate(ctx, db, postgres.Dialect)
//	store, err := sqlstore.New(db, postgres.Dialect)
package postgres

import (
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"strconv"

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

func (dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	return sub
}

func (dialect) InsertOrNothing(insert string) string { return insert + " ON CONFLICT DO NOTHING" }

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
	case "40001", "40P01", "55P03": // serialization failure, deadlock, lock not available
		return sqlstore.ErrRetry
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

func (dialect) MigrationLock() (lock, unlock string) {
	return "SELECT pg_advisory_lock(hashtext('clientele_migrate_{{prefix}}'))",
		"SELECT pg_advisory_unlock(hashtext('clientele_migrate_{{prefix}}'))"
}
