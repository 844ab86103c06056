// Package mysql is the MySQL 8 / MariaDB 10.11 dialect of storage/sqlstore,
// through github.com/go-sql-driver/mysql.
//
// MySQL has no partial indexes, so unique keys that hold only for live rows
// index generated columns that are NULL otherwise; text is stored as
// VARBINARY so that comparisons are byte-exact (MySQL's utf8mb4 collations
// fold case or accents, and MariaDB's utf8mb4_bin ignores trailing spaces).
// The DSN must not set clientFoundRows=true: the adapter learns that an
// insert met a duplicate key from an affected-row count of zero. Open
// refuses such a DSN; a *sql.DB the host opens itself is not checked (the
// adapter cannot see its DSN), so keep the option off there too.
//
// The outbox needs SKIP LOCKED (MySQL 8.0.1, MariaDB 10.6): its sequence
// pass passes over events that transactions in flight have inserted
// instead of waiting for them (see package sqlstore).
//
//	db, err := mysql.Open("user:pass@tcp(host:3306)/db")
//	err = sqlstore.Migrate(ctx, db, mysql.Dialect)
//	store, err := sqlstore.New(db, mysql.Dialect)
package mysql
