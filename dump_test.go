package clientele_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
)

// dumpStore returns everything s holds at rest, as text: for a SQL store
// every row of every table (bytes as they are stored), for the memory
// store every string and byte array reachable from it.
func dumpStore(t *testing.T, s storage.Store) string {
	t.Helper()
	if db, ok := storeDBs.Load(s); ok {
		return dumpDB(t, db.(*sql.DB))
	}
	var b strings.Builder
	walk(reflect.ValueOf(s), map[uintptr]bool{}, &b)
	return b.String()
}

// walk writes every string and byte array or slice reachable from v.
func walk(v reflect.Value, seen map[uintptr]bool, b *strings.Builder) {
	switch v.Kind() {
	case reflect.String:
		b.WriteString(v.String())
		b.WriteByte('\n')
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			if seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
		}
		walk(v.Elem(), seen, b)
	case reflect.Struct:
		for i := range v.NumField() {
			walk(v.Field(i), seen, b)
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b.Write(v.Bytes())
			b.WriteByte('\n')
			return
		}
		for i := range v.Len() {
			walk(v.Index(i), seen, b)
		}
	case reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			for i := range v.Len() {
				b.WriteByte(byte(v.Index(i).Uint()))
			}
			b.WriteByte('\n')
			return
		}
		for i := range v.Len() {
			walk(v.Index(i), seen, b)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			walk(iter.Key(), seen, b)
			walk(iter.Value(), seen, b)
		}
	}
}

// dumpDB reads every row of every table of db's schema or database.
func dumpDB(t *testing.T, db *sql.DB) string {
	t.Helper()
	ctx := context.Background()
	var (
		tables []string
		quote  string
	)
	for _, q := range []struct{ list, quote string }{
		{`SELECT name FROM sqlite_master WHERE type = 'table'`, `"`},
		{`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`, `"`},
		{`SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`, "`"}, // groups is reserved
	} {
		quote = q.quote
		rows, err := db.QueryContext(ctx, q.list)
		if err != nil {
			continue
		}
		for rows.Next() {
			var name string
			require.NoError(t, rows.Scan(&name))
			tables = append(tables, name)
		}
		require.NoError(t, rows.Close())
		if len(tables) > 0 {
			break
		}
	}
	require.NotEmpty(t, tables, "no tables found")
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+quote+table+quote)
		require.NoError(t, err, table)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					b.Write(v)
				default:
					fmt.Fprint(&b, v)
				}
				b.WriteByte('\t')
			}
			b.WriteByte('\n')
		}
		require.NoError(t, rows.Close())
	}
	return b.String()
}
