package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// BenchmarkBulkCeiling is the ceiling of a bulk import on this server: the
// rows the import writes for one customer (the customer, a tag, an address
// entry, the customer.created and address.added events with payloads of
// the import's size) sent by hand with COPY, 500 customers a transaction,
// on one connection, into the migrated schema with all its indexes. Its
// ns/op is the server's cost of one imported customer, whatever the
// library does on the Go side (docs/BENCHMARKS.md).
func BenchmarkBulkCeiling(b *testing.B) {
	db, dsn := openFreshDSN(b, nil)
	ctx := context.Background()
	if err := sqlstore.Migrate(ctx, db, postgres.Dialect); err != nil {
		b.Fatal(err)
	}
	workers := 1
	if v, err := strconv.Atoi(os.Getenv("CLIENTELE_CEILING_WORKERS")); err == nil && v > 0 {
		workers = v // connections copying side by side
	}
	const batch = 500
	payload := func(kind string, id uuid.UUID, i int) string {
		return fmt.Sprintf(`{"customer":{"id":"%s","email":"c%d@example.com","email_display":"c%d@example.com","has_account":false,`+
			`"status":"active","state":"guest","type":"individual","first_name":"First%d","last_name":"Last","tags":["t%d"],`+
			`"reference_origin":"bench","reference":"R%d","created_at":"2026-12-04T17:00:00.000001Z","updated_at":"2026-12-04T17:00:00.000001Z",`+
			`"version":1},"kind":"%s"}`, id, i, i, i, i%7, i, kind)
	}
	now := time.Now().UnixMicro()
	skip := map[string]bool{}
	for _, t := range strings.Fields(os.Getenv("CLIENTELE_CEILING_SKIP")) {
		skip[t] = true // to see each table's share: CLIENTELE_CEILING_SKIP="events addresses"
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				b.Error(err)
				return
			}
			defer conn.Close(ctx)
			copyBatches(b, ctx, conn, &next, batch, now, payload, skip)
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "customers/s")
}

// copyBatches copies batches of customers until b.N are taken.
func copyBatches(b *testing.B, ctx context.Context, conn *pgx.Conn, next *atomic.Int64, batch int, now int64,
	payload func(string, uuid.UUID, int) string, skip map[string]bool) {
	for {
		start := int(next.Add(int64(batch))) - batch
		if start >= b.N {
			return
		}
		n := min(batch, b.N-start)
		var cust, tags, addrs, evs [][]any
		for k := range n {
			i := start + k
			id := uuid.New()
			email := fmt.Sprintf("c%d@example.com", i)
			cust = append(cust, []any{id, email, email, false, "active", "guest", "individual", fmt.Sprintf("First%d", i), "Last",
				fmt.Sprintf("first%d last", i), "", "", "", "", fmt.Sprintf(`["t%d"]`, i%7), "{}", fmt.Sprintf("R%d", i), "bench", int64(0),
				now, now, nil, int64(1), false, "c" + fmt.Sprint(i) + "@example.com"})
			tags = append(tags, []any{id, fmt.Sprintf("t%d", i%7)})
			aid := uuid.New()
			addrs = append(addrs, []any{aid, id, "", "", "", fmt.Sprintf("Street %d", i), "", "Berlin", "", "", "DE", "", false, false, now, now})
			evs = append(evs,
				[]any{uuid.New(), "customer.created", "customer", id.String(), id, int64(1), now, "system", "import", int32(1), payload("created", id, i)},
				[]any{uuid.New(), "address.added", "customer", id.String(), id, int64(2), now, "system", "import", int32(1), payload("address", aid, i)})
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			b.Error(err)
			return
		}
		for _, c := range []struct {
			table string
			cols  []string
			rows  [][]any
		}{
			{"customers", []string{"id", "email", "email_display", "has_account", "status", "state", "type", "first_name", "last_name",
				"search_name", "phone", "company", "vat_id", "note", "tags", "metadata", "reference", "reference_origin", "order_count",
				"created_at", "updated_at", "deleted_at", "version", "has_password", "email_skeleton"}, cust},
			{"customer_tags", []string{"customer_id", "tag"}, tags},
			{"addresses", []string{"id", "customer_id", "first_name", "last_name", "company", "line1", "line2", "city", "postal_code",
				"province", "country", "phone", "default_shipping", "default_billing", "created_at", "updated_at"}, addrs},
			{"events", []string{"id", "type", "aggregate", "aggregate_id", "customer_id", "version", "occurred_at", "actor_kind",
				"actor_id", "schema_version", "payload"}, evs},
		} {
			if skip[c.table] {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
				b.Errorf("copy %s: %v", c.table, err)
				return
			}
		}
		if err := tx.Commit(ctx); err != nil {
			b.Error(err)
			return
		}
	}
}
