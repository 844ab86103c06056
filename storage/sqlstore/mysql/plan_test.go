package mysql_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// digits numbers rows 1..100000 without a sequence table (portable to MySQL
// and MariaDB).
const digits = `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4
	UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)`

func numbers(n int) string {
	return `(SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 1 AS i FROM ` +
		digits + ` a, ` + digits + ` b, ` + digits + ` c, ` + digits + ` e, ` + digits + ` f) n WHERE i <= ` + fmt.Sprint(n)
}

// uuidOf makes a deterministic UUID text of a kind letter and a number.
func uuidOf(kind, num string) string {
	return `CONCAT('00000000-0000-4000-8` + kind + `00-', LPAD(` + num + `, 12, '0'))`
}

// TestRowsExamined checks, on MariaDB, how many rows the hot reads of the
// repositories examine (ANALYZE FORMAT=JSON runs them): a lookup by key
// about one, a keyset page about one page, whatever the cursor's position.
// MariaDB does not use row-value comparisons ((a, b) > (?, ?)) as index
// ranges, so keyset pages are known to walk their index from its start: see
// knownScans.
func TestRowsExamined(t *testing.T) {
	db := openFresh(t)
	ctx := context.Background()
	var version string
	if err := db.QueryRowContext(ctx, `SELECT VERSION()`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(version, "MariaDB") {
		t.Skipf("the test reads MariaDB's ANALYZE FORMAT=JSON; the server is %s", version)
	}
	const prefix = "rows_"
	const customers, perGroup, postings = 20000, 5000, 20000
	const events, backlog = 20000, 5000
	const openLots = 10
	sqltest.NewStoreWithPrefix(t, db, mysql.Dialect, prefix)
	for _, q := range []string{
		`INSERT INTO {{prefix}}customers (` + sqltest.CustomerColumns + `)
		SELECT ` + uuidOf("c", "i") + `, CONCAT('c', i, '@example.com'), CONCAT('c', i, '@example.com'), 1, 'prospect',
			'active', 'private', 'F', 'L', 'f l', '', '', '', '', '[]', '{}', '', '', 0,
			1700000000000000 + i * 1000, 1700000000000000 + i * 1000, NULL, 1, 0
		FROM ` + numbers(customers),
		`INSERT INTO {{prefix}}groups (id, name, name_key, description, metadata, created_at, updated_at, version)
		SELECT ` + uuidOf("a", "i") + `, CONCAT('G', i), CONCAT('g', i), '', '{}', i, i, 1 FROM ` + numbers(4),
		`INSERT INTO {{prefix}}memberships (group_id, customer_id, group_created_at, customer_created_at)
		SELECT ` + uuidOf("a", "(i % 4) + 1") + `, ` + uuidOf("c", "i") + `, (i % 4) + 1, 1700000000000000 + i * 1000
		FROM ` + numbers(customers),
		`INSERT INTO {{prefix}}balance_accounts (` + sqltest.AccountColumns + `)
		VALUES ('00000000-0000-4000-8b00-000000000001', '00000000-0000-4000-8c00-000000000001', 'EUR', ` +
			fmt.Sprint(postings*100) + `, 0, ` + fmt.Sprint(postings) + `, 1, 1, 1)`,
		`INSERT INTO {{prefix}}balance_postings (` + sqltest.PostingColumns + `)
		SELECT ` + uuidOf("d", "i") + `, '00000000-0000-4000-8b00-000000000001', '00000000-0000-4000-8c00-000000000001',
			i, 'gift_card', 100, i * 100, '', CONCAT('key-', i), '', '', i, NULL
		FROM ` + numbers(postings),
		// Each credit made a lot; the last 10 have something left.
		`INSERT INTO {{prefix}}balance_lots (` + sqltest.LotColumns + `, due_at)
		SELECT ` + uuidOf("d", "i") + `, '00000000-0000-4000-8b00-000000000001', 100, IF(i > ` + fmt.Sprint(postings-openLots) + `, 100, 0),
			9223372036854775807, i, i, NULL
		FROM ` + numbers(postings),
		// The outbox: customer 1 has every 10th event; the last ones are
		// not numbered yet (a backlog).
		`INSERT INTO {{prefix}}events (id, type, aggregate, aggregate_id, customer_id, version, occurred_at, actor_kind, actor_id,
			schema_version, payload)
		SELECT ` + uuidOf("e", "i") + `, 'customer.updated', 'customer', 'c', IF(i % 10 = 0, ` + uuidOf("c", "1") + `, ` +
			uuidOf("c", "i") + `), i, i, 'system', '', 1, '{}'
		FROM ` + numbers(events),
		`UPDATE {{prefix}}events SET seq = pos WHERE pos <= ` + fmt.Sprint(events-backlog),
		`ANALYZE TABLE {{prefix}}customers, {{prefix}}groups, {{prefix}}memberships, {{prefix}}balance_accounts, {{prefix}}balance_postings,
			{{prefix}}balance_lots, {{prefix}}events`,
	} {
		if _, err := db.ExecContext(ctx, sqlstore.Render(q, prefix, mysql.Dialect)); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	mid := func(kind string, n int) string { return fmt.Sprintf("00000000-0000-4000-8%s00-%012d", kind, n) }
	const midCustomer = customers / 2 // in group (midCustomer % 4) + 1, at position perGroup/2
	group := mid("a", midCustomer%4+1)
	acct := "00000000-0000-4000-8b00-000000000001"
	at := int64(1700000000000000 + midCustomer*1000)
	d := mysql.Dialect
	post := sqltest.PostQueries(d)
	claim := sqltest.ClaimQueries(d)
	for _, c := range []struct {
		name    string
		query   string
		args    []any
		maxRows int
	}{
		{"Customers.Get", sqltest.GetCustomer, []any{mid("c", midCustomer)}, 2},
		{"Customers.GetByEmail", sqltest.GetCustomerByEmail, []any{fmt.Sprintf("c%d@example.com", midCustomer), true}, 2},
		{"Customers.LookupEmail", sqltest.LookupCustomerByEmail, []any{fmt.Sprintf("c%d@example.com", midCustomer)}, 2},
		{"Customers.List", sqltest.ListCustomersAfter(50), []any{at, at, mid("c", midCustomer)}, 3 * 51},
		{"Customers.List/group", sqltest.ListGroupMembersAfter(50), []any{group, at, at, mid("c", midCustomer)}, 3 * 51},
		{"Customers.List/group at", sqltest.ListGroupMembersAtAfter(50), []any{group, int64(1800000000000000), int64(1800000000000000), at, at, mid("c", midCustomer)}, 3 * 51},
		{"Balances.Post/lock account", strings.TrimSuffix(post.LockAccount, d.ForUpdate()), []any{mid("d", 77), "key-77", int64(1800000000000000), acct}, 4},
		{"Balances.PostToCustomer/lock account", strings.TrimSuffix(post.LockCustomerAccount, d.ForUpdate()),
			[]any{mid("d", 77), "key-77", int64(1800000000000000), "00000000-0000-4000-8c00-000000000001", "EUR"}, 4},
		// A debit's lock finds the first open lot at the start of the
		// open lots' range of migration 0020's index (after the emptied
		// ones, under NULL): one row, read up to three times, since
		// MariaDB runs that subquery while planning (the lot is then a
		// constant row) and running the statement.
		{"Balances.Post/lock account for a debit", strings.TrimSuffix(post.LockAccountForDebit, d.ForUpdate()), []any{mid("d", 77), "key-77", int64(1800000000000000), acct}, 4 + 3},
		{"Balances.PostToCustomer/lock account for a debit", strings.TrimSuffix(post.LockCustomerAccountForDebit, d.ForUpdate()),
			[]any{mid("d", 77), "key-77", int64(1800000000000000), "00000000-0000-4000-8c00-000000000001", "EUR"}, 4 + 3},
		{"Balances.Post/first open lots", strings.TrimSuffix(post.FirstOpenLots, d.ForUpdate()), []any{acct}, 8 + 2},
		{"Balances.PostingByKey", sqltest.PostingByKey, []any{acct, "key-77"}, 3},
		{"Balances.Postings", sqltest.PostingsAfter(50), []any{acct, int64(postings / 2), int64(postings/2 + 51)}, 3 * 51},
		// The first 1000 of the backlog, in pos order, read from the index
		// on seq (its NULLs are in pos order): neither the whole backlog
		// nor a sort of it.
		{"Events.Claim/new events", claim.NewEvents, nil, 1001},
		{"Events.Claim/batch", claim.Batch, []any{int64(events / 2), 100}, 101},
		{"Events.ByCustomer", sqltest.CustomerEventsAfter(50), []any{mid("c", 1), int64(events - 1000)}, 3 * 51},
		{"Events.Prune", sqltest.PruneEvents, []any{int64(events / 2), int64(events), 1000}, 1001},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out string
			q := `ANALYZE FORMAT=JSON ` + sqlstore.Render(c.query, prefix, d)
			if err := db.QueryRowContext(ctx, q, c.args...).Scan(&out); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
			examined, tables := rowsExamined(t, out)
			switch known, ok := knownScans[c.name]; {
			case examined <= c.maxRows && ok:
				t.Errorf("the known issue is gone (%s): remove the note", known)
			case examined <= c.maxRows:
				t.Logf("%d rows examined: %s", examined, tables)
			case ok:
				t.Logf("KNOWN ISSUE: %s: %d rows examined: %s", known, examined, tables)
			default:
				t.Errorf("%d rows examined, want at most %d: %s", examined, c.maxRows, tables)
			}
		})
	}
}

// knownScans explain reads that examine far more rows than they return,
// known and reported: the test logs them instead of failing, and fails once
// they are gone so that the note is removed. There are none: keyset pages
// lead their row-value comparison with "created_at >= ?" because MariaDB
// does not turn "(created_at, id) > (?, ?)" alone into an index range.
var knownScans = map[string]string{}

// rowsExamined sums r_loops * r_rows over the tables of MariaDB's ANALYZE
// FORMAT=JSON output, and describes each table's access.
func rowsExamined(t *testing.T, analyze string) (int, string) {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(analyze), &doc); err != nil {
		t.Fatalf("ANALYZE output: %v\n%s", err, analyze)
	}
	total := 0.0
	var desc []string
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if table, ok := v["table"].(map[string]any); ok {
				loops, _ := table["r_loops"].(float64)
				rows, _ := table["r_rows"].(float64)
				total += loops * rows
				desc = append(desc, fmt.Sprintf("%v %v key=%v loops=%v rows=%v", table["table_name"],
					table["access_type"], table["key"], loops, rows))
			}
			for _, c := range v {
				walk(c)
			}
		case []any:
			for _, c := range v {
				walk(c)
			}
		}
	}
	walk(doc)
	return int(total), strings.Join(desc, "; ")
}
