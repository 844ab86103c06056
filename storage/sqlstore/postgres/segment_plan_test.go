package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/sqltest"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// segmentSeed fills customers with tags, metadata, default addresses and
// order figures, n rows each, with generate_series.
func segmentSeed(n int) []string {
	N := strconv.Itoa(n)
	return []string{
		`INSERT INTO {{prefix}}customers (` + sqltest.CustomerColumns + `)
	SELECT md5('c' || i)::uuid, 'c' || i || '@example.com', 'c' || i || '@example.com', true, 'prospect',
		CASE WHEN i % 11 = 0 THEN 'disabled' ELSE 'active' END, CASE WHEN i % 4 = 0 THEN 'business' ELSE 'private' END,
		'First' || i, 'Last' || i, 'first' || i || ' last' || i, '', '', '', '',
		CASE WHEN i % 3 = 0 THEN '["vip"]' ELSE '[]' END,
		CASE WHEN i % 5 = 0 THEN '{"tier":"gold"}' ELSE '{"tier":"silver"}' END, '', '', i % 5,
		1700000000000000 + i * 1000, 1700000000000000 + i * 1000,
		CASE WHEN i % 50 = 0 THEN 1800000000000000 END, 1, false
	FROM generate_series(1, ` + N + `) i`,
		`INSERT INTO {{prefix}}customer_tags (customer_id, tag)
	SELECT md5('c' || i)::uuid, 'vip' FROM generate_series(3, ` + N + `, 3) i`,
		`INSERT INTO {{prefix}}addresses (id, customer_id, first_name, last_name, company, line1, line2, city, postal_code,
		province, country, phone, default_shipping, default_billing, created_at, updated_at)
	SELECT md5('a' || i)::uuid, md5('c' || i)::uuid, '', '', '', 'Main St 1', '', 'Berlin', '', '',
		CASE WHEN i % 2 = 0 THEN 'DE' ELSE 'FR' END, '', true, true, 1700000000000000 + i * 1000, 1700000000000000 + i * 1000
	FROM generate_series(1, ` + N + `) i`,
		`INSERT INTO {{prefix}}order_stats (customer_id, currency, order_count, spent, refunded, first_order_at, last_order_at)
	SELECT md5('c' || i)::uuid, 'EUR', 1 + i % 5, (i % 1000) * 1000, 0, 1700000000000000 + i, 1700000000000000 + i
	FROM generate_series(2, ` + N + `, 2) i`,
		`ANALYZE {{prefix}}customers`,
		`ANALYZE {{prefix}}customer_tags`,
		`ANALYZE {{prefix}}addresses`,
		`ANALYZE {{prefix}}order_stats`,
	}
}

// fiveConditions is the segment of the plan test and the measurement in
// docs/BENCHMARKS.md: VIP business customers in Germany who spent 100 EUR
// or more and are not disabled.
func fiveConditions(t testing.TB) segment.Rule {
	r, err := segment.All(
		segment.Cond(segment.FieldTag, segment.OpHas, "vip"),
		segment.Cond(segment.FieldType, segment.OpEq, "business"),
		segment.Cond(segment.FieldCountry, segment.OpEq, "DE"),
		segment.Cond(segment.FieldSpent, segment.OpGte, "100.00 EUR"),
		segment.Not(segment.Cond(segment.FieldState, segment.OpEq, "disabled")),
	).Normalize()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestSegmentPlan checks that the first page of a 5-condition segment walks
// the customers' (created_at, id) index, with no sequential scan of the
// customers and no sort, in a custom and in a generic plan. With
// CLIENTELE_SEGMENT_CUSTOMERS set (200000 for docs/BENCHMARKS.md) it seeds
// that many customers and logs the first page's time: a measurement, not
// an assertion.
func TestSegmentPlan(t *testing.T) {
	n := 20000
	if v := os.Getenv("CLIENTELE_SEGMENT_CUSTOMERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	db := openFresh(t, nil)
	ctx := context.Background()
	const prefix = "segplan_"
	store := sqltest.NewStoreWithPrefix(t, db, postgres.Dialect, prefix)
	for _, q := range segmentSeed(n) {
		if _, err := db.ExecContext(ctx, sqlstore.Render(q, prefix, postgres.Dialect)); err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
	rule := fiveConditions(t)
	q, args, err := sqlstore.SegmentMembersQuery(postgres.Dialect, rule, 50, false, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PREPARE seg_q AS `+sqlstore.Render(q, prefix, postgres.Dialect)); err != nil {
		t.Fatalf("prepare: %v\n%s", err, q)
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.ExecContext(ctx, `SET plan_cache_mode = `+mode); err != nil {
			t.Fatal(err)
		}
		plan := explain(t, conn, `EXPLAIN (FORMAT JSON) EXECUTE seg_q(`+literals(args)+`)`)
		var lines []string
		usesIndex, seq, sorted := false, false, false
		var walk func(p planNode, depth int)
		walk = func(p planNode, depth int) {
			lines = append(lines, fmt.Sprintf("%s%s %s %s", strings.Repeat("  ", depth), p.NodeType, p.Relation, p.IndexName))
			if p.Relation == prefix+"customers" {
				if p.IndexName == prefix+"customers_created_live" {
					usesIndex = true
				}
				if p.NodeType == "Seq Scan" {
					seq = true
				}
			}
			if p.NodeType == "Sort" || p.NodeType == "Incremental Sort" {
				sorted = true
			}
			for _, c := range p.Plans {
				walk(c, depth+1)
			}
		}
		walk(plan, 0)
		if !usesIndex || seq || sorted {
			t.Errorf("%s: the first page of a 5-condition segment does not walk customers_created_live without a sort:\n%s",
				mode, strings.Join(lines, "\n"))
		}
	}
	if os.Getenv("CLIENTELE_SEGMENT_CUSTOMERS") != "" {
		rows, err := conn.QueryContext(ctx, `EXPLAIN (ANALYZE, BUFFERS) EXECUTE seg_q(`+literals(args)+`)`)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		t.Logf("EXPLAIN ANALYZE (generic plan):\n%s", strings.Join(plan, "\n"))
	}
	// The page through the store, as a host gets it.
	ev := store.SegmentEvaluator()
	start := time.Now()
	page, err := ev.Members(ctx, rule, storage.PageRequest{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	best := first
	for range 5 {
		start = time.Now()
		if _, err := ev.Members(ctx, rule, storage.PageRequest{Limit: 50}); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(start))
	}
	if len(page.Items) != 50 {
		t.Errorf("first page: %d members, want 50", len(page.Items))
	}
	t.Logf("%d customers: first page of 50 members of a 5-condition segment: first call %v, best of 5 %v", n, first, best)
}
