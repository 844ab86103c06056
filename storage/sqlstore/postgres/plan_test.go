package postgres_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// Sizes of the tables the plan test fills: big enough that a sequential
// scan would be the planner's choice if no index fit.
const (
	planCustomers = 20000
	planGroups    = 2000
	planBigGroups = 20 // every customer belongs to one of these
	planAccounts  = 5000
	planPostings  = 10    // per account
	planLedger    = 20000 // postings of account 1, the big ledger
	planEvents    = 50000 // the outbox, every 10th event customer 1's (the long audit trail)
	planNew       = 5000  // the last events, not numbered yet (a backlog)
)

// planSeed fills the tables under prefix with generate_series (IDs are
// md5-derived UUIDs, every 50th customer is deleted), then ANALYZEs them.
var planSeed = []string{
	`INSERT INTO {{prefix}}customers (` + sqltest.CustomerColumns + `)
	SELECT md5('c' || i)::uuid, 'c' || i || '@example.com', 'c' || i || '@example.com', i % 7 <> 0, 'prospect',
		'active', 'private', 'First' || i, 'Last' || i, 'first' || i || ' last' || i, '', '', '', '', '[]', '{}',
		CASE WHEN i % 3 = 0 THEN 'ref' || i ELSE '' END, CASE WHEN i % 3 = 0 THEN 'erp' ELSE '' END, 0,
		1700000000000000 + i * 1000, 1700000000000000 + i * 1000,
		CASE WHEN i % 50 = 0 THEN 1800000000000000 END, 1, false
	FROM generate_series(1, ` + strconv.Itoa(planCustomers) + `) i`,
	`INSERT INTO {{prefix}}groups (id, name, name_key, description, metadata, created_at, updated_at, version)
	SELECT md5('g' || j)::uuid, 'Group ' || j, 'group ' || j, '', '{}', 1600000000000000 + j, 1600000000000000 + j, 1
	FROM generate_series(0, ` + strconv.Itoa(planGroups-1) + `) j`,
	`INSERT INTO {{prefix}}memberships (group_id, customer_id, group_created_at, customer_created_at)
	SELECT md5('g' || (i % ` + strconv.Itoa(planBigGroups) + `))::uuid, md5('c' || i)::uuid,
		1600000000000000 + i % ` + strconv.Itoa(planBigGroups) + `, 1700000000000000 + i * 1000
	FROM generate_series(1, ` + strconv.Itoa(planCustomers) + `) i`,
	`INSERT INTO {{prefix}}balance_accounts (` + sqltest.AccountColumns + `)
	SELECT md5('a' || i)::uuid, md5('c' || i)::uuid, 'EUR', ` + strconv.Itoa(planPostings*100) + `, 0, ` + strconv.Itoa(planPostings) + `,
		1700000000000000 + i, 1700000000000000 + i, 1
	FROM generate_series(1, ` + strconv.Itoa(planAccounts) + `) i`,
	`INSERT INTO {{prefix}}balance_postings (` + sqltest.PostingColumns + `)
	SELECT md5('p' || i || '-' || s)::uuid, md5('a' || i)::uuid, md5('c' || i)::uuid, s, 'gift_card', 100, s * 100,
		'', CASE WHEN s % 2 = 0 THEN 'key-' || s END, '', '', 1700000000000000 + s, NULL
	FROM generate_series(1, ` + strconv.Itoa(planAccounts) + `) i, generate_series(1, ` + strconv.Itoa(planPostings) + `) s`,
	`INSERT INTO {{prefix}}balance_postings (` + sqltest.PostingColumns + `)
	SELECT md5('p1-' || s)::uuid, md5('a1')::uuid, md5('c1')::uuid, s, 'gift_card', 100, s * 100,
		'', 'big-key-' || s, '', '', 1700000000000000 + s, NULL
	FROM generate_series(` + strconv.Itoa(planPostings+1) + `, ` + strconv.Itoa(planLedger) + `) s`,
	`UPDATE {{prefix}}balance_accounts SET postings = ` + strconv.Itoa(planLedger) + `, balance = ` + strconv.Itoa(planLedger*100) + `
	WHERE id = md5('a1')::uuid`,
	// Each credit made a lot, whose later half has something left; of
	// the big ledger's, only the last 10 have.
	`INSERT INTO {{prefix}}balance_lots (` + sqltest.LotColumns + `, due_at)
	SELECT md5('p' || i || '-' || s)::uuid, md5('a' || i)::uuid, 100, CASE WHEN s > ` + strconv.Itoa(planPostings/2) + ` THEN 100 ELSE 0 END,
		9223372036854775807, 1700000000000000 + s, s, NULL
	FROM generate_series(1, ` + strconv.Itoa(planAccounts) + `) i, generate_series(1, ` + strconv.Itoa(planPostings) + `) s`,
	`INSERT INTO {{prefix}}balance_lots (` + sqltest.LotColumns + `, due_at)
	SELECT md5('p1-' || s)::uuid, md5('a1')::uuid, 100, CASE WHEN s > ` + strconv.Itoa(planLedger-10) + ` THEN 100 ELSE 0 END,
		9223372036854775807, 1700000000000000 + s, s, NULL
	FROM generate_series(` + strconv.Itoa(planPostings+1) + `, ` + strconv.Itoa(planLedger) + `) s`,
	`INSERT INTO {{prefix}}events (id, type, aggregate, aggregate_id, customer_id, version, occurred_at, actor_kind, actor_id,
		schema_version, payload, seq)
	SELECT md5('e' || i)::uuid, 'customer.updated', 'customer', c, c::uuid, i, 1700000000000000 + i, 'system', '', 1, '{}',
		CASE WHEN i <= ` + strconv.Itoa(planEvents-planNew) + ` THEN i END
	FROM (SELECT i, CASE WHEN i % 10 = 0 THEN md5('c1') ELSE md5('c' || (i % ` + strconv.Itoa(planCustomers) + ` + 1)) END c
		FROM generate_series(1, ` + strconv.Itoa(planEvents) + `) i) e`,
	`UPDATE {{prefix}}event_sequence SET last_seq = ` + strconv.Itoa(planEvents-planNew),
	// The numbered events are inserted numbered: numbering them with an
	// UPDATE left their old versions in the index of events not numbered
	// yet, and VACUUM cannot remove those while another session on a busy
	// server holds an older snapshot (the plan then flipped to a sort).
	`VACUUM ANALYZE {{prefix}}events`,
	`ANALYZE {{prefix}}customers`,
	`ANALYZE {{prefix}}groups`,
	`ANALYZE {{prefix}}memberships`,
	`ANALYZE {{prefix}}balance_accounts`,
	`ANALYZE {{prefix}}balance_postings`,
	`ANALYZE {{prefix}}balance_lots`,
}

// planCase is one statement of a repository, with arguments, and the index
// its plan must use.
type planCase struct {
	name  string
	query string // raw, from sqltest
	args  []any
	index string // without the prefix; "" for plain inserts
}

// knownSorts explain generic plans that sort, known and reported: the test
// logs them instead of failing, and fails once they are gone so that the
// note is removed.
var knownSorts = map[string]string{
	// None. Balances.Postings had one: PostingsAfter's generic plan fetched
	// every posting after the cursor and sorted them, until the page was
	// bounded at both ends (sequences are dense).
}

// pageSorts are the statements whose every row is bounded to one page by
// their index condition, so that a sort, which PostgreSQL may pick over an
// ordered index scan, sorts one page at most: Balances.Postings reads the
// range (cursor, cursor + page size] of dense sequences; Events.ByCustomer
// sorts the page its derived table took from the index. A debit's first
// open lots are in order in migration 0020's index, which the custom plan
// walks; the generic plan, costed for an average account's few open lots,
// may find them with a bitmap scan of that index and sort them: the open
// lots of one account, the emptied ones left out.
var pageSorts = map[string]bool{"Balances.Postings": true, "Events.ByCustomer": true, "Balances.Post/first open lots": true}

// TestQueryPlans checks that the hot statements of the repositories, as
// they run them, use indexes and never scan a whole table: PostgreSQL's
// plans for them, custom and generic (the adapter runs prepared statements,
// which PostgreSQL may switch to a generic plan after five runs), on tables
// of a few thousand rows after ANALYZE.
func TestQueryPlans(t *testing.T) {
	db := openFresh(t, nil)
	ctx := context.Background()
	const prefix = "plan_"
	sqltest.NewStoreWithPrefix(t, db, postgres.Dialect, prefix)
	for _, q := range planSeed {
		if _, err := db.ExecContext(ctx, sqlstore.Render(q, prefix, postgres.Dialect)); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	settle(t, db, prefix)
	// Sample rows: a live customer in the middle of those with an account,
	// its group, its account.
	var custID, custEmail, groupID, acctID string
	var custAt int64
	err := db.QueryRowContext(ctx, sqlstore.Render(`SELECT c.id::text, c.email, c.created_at, m.group_id::text, a.id::text
		FROM {{prefix}}customers c JOIN {{prefix}}memberships m ON m.customer_id = c.id
		JOIN {{prefix}}balance_accounts a ON a.customer_id = c.id
		WHERE c.deleted_at IS NULL AND c.has_account AND c.created_at >= ? ORDER BY c.created_at LIMIT 1`, prefix, postgres.Dialect),
		int64(1700000000000000+(planAccounts/2)*1000)).Scan(&custID, &custEmail, &custAt, &groupID, &acctID)
	if err != nil {
		t.Fatalf("sample rows: %v", err)
	}
	var bigAcct, bigCustomer string
	if err := db.QueryRowContext(ctx, `SELECT md5('a1')::uuid::text, md5('c1')::uuid::text`).Scan(&bigAcct, &bigCustomer); err != nil {
		t.Fatal(err)
	}
	var acctCurrency string
	if err := db.QueryRowContext(ctx, sqlstore.Render(`SELECT currency FROM {{prefix}}balance_accounts WHERE id = ?`, prefix, postgres.Dialect),
		acctID).Scan(&acctCurrency); err != nil {
		t.Fatal(err)
	}
	d := postgres.Dialect
	post := sqltest.PostQueries(d)
	claim := sqltest.ClaimQueries(d)
	postingArgs := []any{"00000000-0000-4000-8000-000000000001", acctID, custID, int64(planPostings + 1), "gift_card",
		int64(100), int64(planPostings*100 + 100), "", "new-key", "", "", int64(1800000000000000), nil}
	cases := []planCase{
		{"Customers.Get", sqltest.GetCustomer, []any{custID}, "customers_pkey"},
		{"Customers.GetByEmail", sqltest.GetCustomerByEmail, []any{custEmail, true}, "customers_live_email"},
		{"Customers.LookupEmail", sqltest.LookupCustomerByEmail, []any{custEmail}, "customers_live_email"},
		{"Customers.List", sqltest.ListCustomersAfter(50), []any{custAt, custAt, custID}, "customers_created_live"},
		{"Customers.List/group", sqltest.ListGroupMembersAfter(50), []any{groupID, custAt, custAt, custID}, "memberships_group_order"},
		{"Customers.List/group at", sqltest.ListGroupMembersAtAfter(50), []any{groupID, int64(1800000000000000), int64(1800000000000000), custAt, custAt, custID}, "memberships_group_order"},
		{"Groups.AddMember", sqltest.AddMemberInsert(d), []any{custID, groupID}, "customers_pkey"},
		{"Balances.Post/lock account", post.LockAccount, []any{postingArgs[0], "key-2", int64(1800000000000000), acctID}, "balance_accounts_pkey"},
		{"Balances.PostToCustomer/lock account", post.LockCustomerAccount, []any{postingArgs[0], "key-2", int64(1800000000000000), custID, acctCurrency}, "balance_accounts_customer_currency"},
		{"Balances.Post/first open lots", post.FirstOpenLots, []any{bigAcct}, "balance_lots_open"},
		{"Balances.Post/lock account for a debit", post.LockAccountForDebit, []any{postingArgs[0], "key-2", int64(1800000000000000), bigAcct}, "balance_lots_open"},
		{"Balances.PostToCustomer/lock account for a debit", post.LockCustomerAccountForDebit, []any{postingArgs[0], "key-2", int64(1800000000000000), bigCustomer, "EUR"}, "balance_lots_open"},
		{"Balances.Post/apply", post.Apply, []any{int64(100), int64(1), int64(1), int64(1800000000000000), acctID, int64(100)}, "balance_accounts_pkey"},
		{"Balances.Post/insert", post.Insert, postingArgs, ""},
		{"Balances.PostingByKey", sqltest.PostingByKey, []any{acctID, "key-2"}, "balance_postings_idempotency_key"},
		{"Balances.Postings", sqltest.PostingsAfter(50), []any{bigAcct, int64(planLedger / 2), int64(planLedger/2 + 51)}, "balance_postings_sequence"},
		{"Balances.PostingByKey/big ledger", sqltest.PostingByKey, []any{bigAcct, "big-key-77"}, "balance_postings_idempotency_key"},
		{"Events.Claim/new events", claim.NewEvents, nil, "events_unsequenced"},
		{"Events.Claim/batch", claim.Batch, []any{int64(planEvents / 2), int64(100)}, "events_seq_key"},
		{"Events.ByCustomer", sqltest.CustomerEventsAfter(50), []any{bigCustomer, int64(planEvents - 1000)}, "events_customer"},
		{"Customers.GetByReference", sqltest.GetCustomerByReference, []any{"erp", "R-1"}, "customers_live_reference"},
		{"Events.Prune", sqltest.PruneEvents, []any{int64(planEvents / 2), int64(1800000000000000), int64(1000)}, "events_seq_key"},
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for n, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stmt := fmt.Sprintf("plan_q%d", n)
			if _, err := conn.ExecContext(ctx, `PREPARE `+stmt+` AS `+sqlstore.Render(c.query, prefix, d)); err != nil {
				t.Fatalf("prepare: %v\n%s", err, c.query)
			}
			defer conn.ExecContext(ctx, `DEALLOCATE `+stmt) //nolint:errcheck // the session ends with the test
			for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
				if _, err := conn.ExecContext(ctx, `SET plan_cache_mode = `+mode); err != nil {
					t.Fatal(err)
				}
				execute := `EXECUTE ` + stmt
				if len(c.args) > 0 {
					execute += `(` + literals(c.args) + `)`
				}
				plan := explain(t, conn, `EXPLAIN (FORMAT JSON) `+execute)
				checkPlan(t, mode, plan, prefix, c.index, knownSorts[c.name], pageSorts[c.name])
			}
		})
	}
}

// settle vacuums the seeded events until every page of the table is
// marked all-visible, as on a quiet server (index-only scans are costed
// on that), waiting up to a minute for other sessions' older snapshots
// (other tests on a shared server) to end; VACUUM cannot mark a page
// all-visible while a snapshot older than its rows is open, and the
// planner then prefers other plans than those a settled table gets.
func settle(t *testing.T, db *sql.DB, prefix string) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := db.ExecContext(ctx, `VACUUM ANALYZE `+prefix+`events`); err != nil {
			t.Fatal(err)
		}
		var pages, visible int64
		if err := db.QueryRowContext(ctx, `SELECT relpages, relallvisible FROM pg_class WHERE relname = $1`,
			prefix+"events").Scan(&pages, &visible); err != nil {
			t.Fatal(err)
		}
		if visible >= pages {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("the events table stayed %d of %d pages all-visible: an old snapshot is open on the server", visible, pages)
			return
		}
		time.Sleep(time.Second)
	}
}

// literals formats args as SQL literals for EXECUTE.
func literals(args []any) string {
	var out []string
	for _, a := range args {
		switch v := a.(type) {
		case string:
			out = append(out, "'"+strings.ReplaceAll(v, "'", "''")+"'")
		case int64:
			out = append(out, strconv.FormatInt(v, 10))
		case bool:
			out = append(out, strconv.FormatBool(v))
		case nil:
			out = append(out, "NULL")
		default:
			panic(fmt.Sprintf("literal of %T", a))
		}
	}
	return strings.Join(out, ", ")
}

// planNode is a node of EXPLAIN (FORMAT JSON).
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	IndexName string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	Plans     []planNode `json:"Plans"`
}

func explain(t *testing.T, conn *sql.Conn, q string) planNode {
	t.Helper()
	var out string
	if err := conn.QueryRowContext(context.Background(), q).Scan(&out); err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(out), &plans); err != nil || len(plans) != 1 {
		t.Fatalf("plan %s: %v", out, err)
	}
	return plans[0].Plan
}

// checkPlan fails on any sequential scan or sort (unless pageSort: the
// statement's index condition bounds it to one page), and unless index is
// "", when the plan does not use index. A sort explained by knownSort is logged
// (in generic plans only).
func checkPlan(t *testing.T, mode string, plan planNode, prefix, index, knownSort string, pageSort bool) {
	t.Helper()
	var indexes []string
	sorted := false
	var walk func(n planNode, depth int) string
	walk = func(n planNode, depth int) string {
		line := strings.Repeat("  ", depth) + n.NodeType
		if n.Relation != "" {
			line += " on " + n.Relation
		}
		if n.IndexName != "" {
			line += " using " + n.IndexName
			indexes = append(indexes, n.IndexName)
		}
		if n.IndexCond != "" {
			line += " cond " + n.IndexCond
		}
		if n.Filter != "" {
			line += " filter " + n.Filter
		}
		switch n.NodeType {
		case "Seq Scan":
			t.Errorf("%s: a sequential scan of %s", mode, n.Relation)
		case "Sort", "Incremental Sort":
			// A keyset page must walk its index in order, not sort a
			// whole group's or ledger's rows.
			sorted = true
			if !pageSort && (knownSort == "" || mode != "force_generic_plan") {
				t.Errorf("%s: a sort", mode)
			}
		}
		for _, c := range n.Plans {
			line += "\n" + walk(c, depth+1)
		}
		return line
	}
	tree := walk(plan, 0)
	if knownSort != "" && mode == "force_generic_plan" {
		if sorted {
			t.Logf("KNOWN ISSUE: %s", knownSort)
		} else {
			t.Errorf("the known issue is gone (%s): remove the note", knownSort)
		}
	}
	if index != "" && !slices.Contains(indexes, prefix+index) {
		t.Errorf("%s: the plan does not use %s%s", mode, prefix, index)
	}
	t.Logf("%s plan:\n%s", mode, tree)
}
