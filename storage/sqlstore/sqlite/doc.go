// Package sqlite is the SQLite dialect of storage/sqlstore, through the pure
// Go driver modernc.org/sqlite (no cgo): the embedded default.
//
// Open configures what a concurrent server needs from SQLite: write-ahead
// logging, a busy timeout, foreign keys, and BEGIN IMMEDIATE for every
// transaction (so that a transaction that will write takes the write lock
// up front instead of failing to upgrade a read lock later).
//
//	db, err := sqlite.Open("clientele.db")
//	err = sqlstore.Migrate(ctx, db, sqlite.Dialect)
//	store, err := sqlstore.New(db, sqlite.Dialect)
package sqlite
