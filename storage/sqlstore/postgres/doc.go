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
