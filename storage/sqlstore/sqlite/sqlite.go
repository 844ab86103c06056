package sqlite

import (
	"database/sql"
	"embed"
	"errors"
	"io/fs"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/clientele-go/clientele/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is the SQLite dialect.
var Dialect sqlstore.Dialect = dialect{}

type dialect struct{}

// Open opens the SQLite database file at path (created if missing) with
// WAL, a 10 s busy timeout, foreign keys on, immediate transactions and
// secure_delete on: a deleted or rewritten row's bytes are overwritten with
// zeros in the file, so an erased customer's personal data does not linger
// in free pages (clientele.Privacy.Erase; once the WAL is checkpointed, the
// file holds none of it).
func Open(path string) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	return sql.Open("sqlite", "file:"+uriPath(path)+"?"+q.Encode())
}

// uriPath escapes the characters that would end or change the path of a
// "file:" URI ('%', '?' and '#'), so that a path such as a Go test's
// t.TempDir() ("/tmp/TestX#01/001") opens that file and not "/tmp/TestX".
func uriPath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path)
}

func (dialect) Name() string           { return "sqlite" }
func (dialect) Placeholder(int) string { return "?" }
func (dialect) ForUpdate() string      { return "" } // writers hold the database lock (BEGIN IMMEDIATE)
func (dialect) ForShare() string       { return "" }

// ForUpdateOf implements sqlstore.ForUpdateOf: writers hold the database
// lock, as for ForUpdate.
func (dialect) ForUpdateOf(...string) string { return "" }

func (dialect) Migrations() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the embedded directory is part of the build
	}
	return sub
}

func (dialect) InsertOrNothing(insert string) string { return insert + " ON CONFLICT DO NOTHING" }

func (dialect) Binary(column string) string { return column } // BINARY is SQLite's default collation

func (dialect) Contains(column, arg string) string { return "instr(" + column + ", " + arg + ") > 0" }

func (dialect) Classify(err error) sqlstore.ErrorKind {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.ErrOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ErrUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ErrForeignKey
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return sqlstore.ErrCheck
	}
	switch e.Code() & 0xff { // primary result code
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return sqlstore.ErrBusy
	}
	return sqlstore.ErrOther
}

func (dialect) ConstraintName(error) (string, bool) { return "", false }

func (dialect) MigrationLock(string) (lock, unlock string) { return "", "" }

// MetadataHas implements sqlstore.MetadataMatcher with json_each.
func (dialect) MetadataHas(column, object string) string {
	return "EXISTS (SELECT 1 FROM json_each(" + column + ") j, json_each(" + object + ") o WHERE j.key = o.key AND j.value = o.value)"
}

// JSONObject implements sqlstore.JSONBuilder with json_object.
func (dialect) JSONObject(pairs ...string) string {
	return sqlstore.JSONObjectCall("json_object", pairs...)
}

// JSONArrayAgg implements sqlstore.JSONBuilder with json_group_array.
func (dialect) JSONArrayAgg(expr string) string { return "json_group_array(" + expr + ")" }

// JSONString implements sqlstore.JSONBuilder: text is text.
func (dialect) JSONString(column string) string { return column }
