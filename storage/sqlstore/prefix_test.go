package sqlstore_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

// TestPrefixedNamesFit checks that with the longest prefix New accepts,
// every table, index and constraint name of every dialect's migrations stays
// within PostgreSQL's identifier limit of 63 bytes (it truncates longer
// names silently; MySQL refuses names over 64).
func TestPrefixedNamesFit(t *testing.T) {
	n := sqltest.LongestPrefix()
	if n < 8 {
		t.Fatalf("the longest prefix accepted has %d bytes", n)
	}
	prefix := strings.Repeat("p", n-1) + "_"
	names := regexp.MustCompile(prefix + `[A-Za-z0-9_]*`)
	for _, d := range []sqlstore.Dialect{sqlite.Dialect, postgres.Dialect, mysql.Dialect} {
		ms, err := sqlstore.Migrations(d, sqlstore.WithTablePrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, m := range ms {
			for _, stmt := range m.Statements {
				for _, name := range names.FindAllString(stmt, -1) {
					found++
					if len(name) > 63 {
						t.Errorf("%s %s: %s has %d bytes", d.Name(), m.Name, name, len(name))
					}
				}
			}
		}
		if found < len(sqltest.Tables) {
			t.Errorf("%s: found only %d prefixed names", d.Name(), found)
		}
	}
}

// TestDialectsShareMigrations checks that the three dialects have the same
// migration versions and names, so that SchemaVersion means the same
// everywhere.
func TestDialectsShareMigrations(t *testing.T) {
	var want []string
	for i, d := range []sqlstore.Dialect{postgres.Dialect, sqlite.Dialect, mysql.Dialect} {
		ms, err := sqlstore.Migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, m.Name)
		}
		if i == 0 {
			want = got
		} else if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s migrations %v, postgres has %v", d.Name(), got, want)
		}
	}
}
