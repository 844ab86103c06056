package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/storage"
)

// repos implements storage.Tx over a fixed conn (inside Atomic), and base is
// embedded in every repository.
type repos struct{ c conn }

func (r repos) Customers() storage.Customers { return customers{base{fixed: &r.c}} }
func (r repos) Addresses() storage.Addresses { return addresses{base{fixed: &r.c}} }
func (r repos) Groups() storage.Groups       { return groups{base{fixed: &r.c}} }
func (r repos) Merchants() storage.Merchants { return merchants{base{fixed: &r.c}} }
func (r repos) Markets() storage.Markets     { return markets{base{fixed: &r.c}} }
func (r repos) Balances() storage.Balances   { return balances{base{fixed: &r.c}} }
func (r repos) Orders() storage.Orders       { return orders{base{fixed: &r.c}} }

// Customers returns the customer repository.
func (s *Store) Customers() storage.Customers { return customers{base{s: s}} }

// Addresses returns the address book repository.
func (s *Store) Addresses() storage.Addresses { return addresses{base{s: s}} }

// Groups returns the group repository.
func (s *Store) Groups() storage.Groups { return groups{base{s: s}} }

// Merchants returns the merchant repository.
func (s *Store) Merchants() storage.Merchants { return merchants{base{s: s}} }

// Markets returns the market repository.
func (s *Store) Markets() storage.Markets { return markets{base{s: s}} }

// Balances returns the balance repository.
func (s *Store) Balances() storage.Balances { return balances{base{s: s}} }

// Orders returns the order history repository.
func (s *Store) Orders() storage.Orders { return orders{base{s: s}} }

// base resolves the conn a repository call runs on.
type base struct {
	s     *Store
	fixed *conn
}

func (b base) conn(ctx context.Context) conn {
	if b.fixed != nil {
		return *b.fixed
	}
	return b.s.connFor(ctx)
}

// micros and fromMicros convert times to and from the BIGINT microseconds
// since the Unix epoch that every table stores.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// micro is storage.Micro: UTC at the microsecond precision every adapter
// keeps.
var micro = storage.Micro

// nullMicros stores a nil time as NULL.
func nullMicros(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func fromNullMicros(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

// nullString stores "" as NULL (idempotency keys: NULLs never collide in a
// unique index).
func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// jsonText encodes v as the JSON text the tables store.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlstore: encode: %w", err)
	}
	return string(b), nil
}

// fromJSON decodes a JSON text column into v. An empty slice or map
// decodes to nil, as the domain's values hold no empty collections.
func fromJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("sqlstore: decode: %w", err)
	}
	if rv := reflect.ValueOf(v).Elem(); (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Map) && rv.Len() == 0 {
		rv.SetZero()
	}
	return nil
}

// qualify prefixes each column of a column list with a table alias.
func qualify(columns, alias string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// nullUUID stores uuid.Nil as NULL.
func nullUUID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

// scanUUID reads a UUID column however the driver returns it (text, or 16
// bytes).
type scanUUID struct{ id *uuid.UUID }

// Scan implements sql.Scanner. Text in bytes (MySQL's) is parsed where it
// lies, without the string uuid.UUID.Scan would make of it.
func (s scanUUID) Scan(v any) error {
	switch b := v.(type) {
	case nil:
		*s.id = uuid.Nil
		return nil
	case []byte:
		if len(b) != 0 && len(b) != 16 {
			u, err := uuid.ParseBytes(b)
			if err != nil {
				return fmt.Errorf("Scan: %v", err) // as uuid.UUID.Scan words it
			}
			*s.id = u
			return nil
		}
	}
	return s.id.Scan(v)
}

// notFound wraps storage.ErrNotFound with what was missing. A string key is
// a caller's value: it is quoted and cut with storage.Quote, as on every
// adapter.
func notFound(what string, key any) error {
	if s, ok := key.(string); ok {
		key = storage.Quote(s)
	}
	return fmt.Errorf("%s %v: %w", what, key, storage.ErrNotFound)
}

// noRows maps sql.ErrNoRows to storage.ErrNotFound.
func noRows(err error, what string, key any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, key)
	}
	return err
}

// pageQuery holds the shared arithmetic of keyset pages: ask for one row more
// than the page holds to learn whether another page follows.
func pageSize(p storage.PageRequest) (size, limit int) {
	size = p.Size()
	return size, size + 1
}

// timeCursor decodes a (time, UUID) cursor; ok is false for the first page.
func timeCursor(list string, p storage.PageRequest) (at int64, id string, ok bool, err error) {
	if p.Cursor == "" {
		return 0, "", false, nil
	}
	c, err := storage.ParseCursor(list, p.Cursor)
	if err != nil {
		return 0, "", false, err
	}
	u, err := uuid.Parse(c.Key)
	if err != nil {
		return 0, "", false, fmt.Errorf("%w: %v", storage.ErrInvalidCursor, err)
	}
	return micros(c.Time), u.String(), true, nil
}

// timeCursorOf is the cursor after an item with (t, id).
func timeCursorOf(list string, t time.Time, id uuid.UUID) storage.Cursor {
	return storage.Cursor{List: list, Time: t, Key: id.String()}
}

// uniqueConflict turns a unique violation into the *storage.ConflictError of
// the constraint it broke: the dialect names it when the driver reports the
// name (PostgreSQL), otherwise diagnose runs queries to find which key is
// taken (MySQL and SQLite keep the transaction usable after a failed
// statement). names maps constraint or index names, without the table
// prefix, to storage constraints.
func (c conn) uniqueConflict(err error, names map[string]storage.Constraint, diagnose func() (storage.Constraint, error)) error {
	if c.s.dialect.Classify(err) != ErrUnique {
		return err
	}
	if name, ok := c.s.dialect.ConstraintName(err); ok {
		if con, ok := names[trimPrefix(name, c.s.opts.prefix)]; ok {
			return storage.Conflict(con, err)
		}
	}
	if diagnose != nil {
		con, derr := diagnose()
		if derr == nil && con != "" {
			return storage.Conflict(con, err)
		}
	}
	return fmt.Errorf("sqlstore: unique constraint: %w", errors.Join(storage.ErrConflict, err))
}

func trimPrefix(name, prefix string) string {
	if len(name) >= len(prefix) && name[:len(prefix)] == prefix {
		return name[len(prefix):]
	}
	return name
}

// keysetAfter is the condition of a keyset page after the cursor (at, id),
// with arguments at, at, id: "(at, id) > (?, ?)", led by "at >= ?", which
// says nothing more but lets every engine seek the (at, id) index to the
// cursor (MariaDB does not turn a row-value comparison into an index range,
// and without it walks the index from the start of the list: page n would
// cost O(n)).
func keysetAfter(at, id string) string {
	return at + ` >= ? AND (` + at + `, ` + id + `) > (?, ?)`
}

// itoa formats a LIMIT.
func itoa(n int) string { return strconv.Itoa(n) }

// collect scans every row of rows with scan and closes rows. capHint sizes
// the slice up front (rows such as customers are large: growing the slice
// row by row would copy them over and over); 0 lets append decide.
func collect[T any](rows *sql.Rows, capHint int, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		if out == nil && capHint > 0 {
			out = make([]T, 0, capHint)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, driverErr(err)
	}
	return out, nil
}

// pageOf makes a page of size from items, read with pageSize's limit (one
// more than size): when that extra item came, the page is cut to size and
// Next is the cursor of its last item.
func pageOf[T any](items []T, size int, cursor func(T) storage.Cursor) storage.Page[T] {
	page := storage.Page[T]{Items: items}
	if len(items) > size {
		page.Items = items[:size]
		page.Next = cursor(items[size-1]).String()
	}
	return page
}
