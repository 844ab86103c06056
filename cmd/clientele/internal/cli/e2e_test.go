package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/privacy"
)

const (
	shopifyFile = "../../testdata/shopify_customers.csv"
	medusaFile  = "../../testdata/medusa_customers.jsonl"
)

func TestMigrate(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		r := run(t, e.env(), "", "migrate", "--status")
		require.Equal(t, ExitSchema, r.code, "a fresh database has every migration pending: %s", r.stderr)
		assert.Contains(t, r.stdout, "0001  pending")
		assert.Contains(t, r.stdout, "0 applied")

		r = run(t, e.env(), "", "events", "tail")
		assert.Equal(t, ExitSchema, r.code, "commands refuse an unmigrated schema")
		assert.Contains(t, r.stderr, "clientele migrate")

		r = run(t, e.env(), "", "migrate")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "applied 0001 init")

		r = run(t, e.env(), "", "migrate", "--status")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "  pending  ")
		assert.Contains(t, r.stdout, "0001  applied")
		assert.Contains(t, r.stdout, " 0 pending")

		r = run(t, e.env(), "", "migrate")
		require.Equal(t, ExitOK, r.code, "migrate is idempotent: %s", r.stderr)
		assert.Contains(t, r.stdout, "(0 applied now)")
		assert.NotContains(t, r.stdout, "applied 0001")
	})
}

// TestImportExportEraseTail runs the command end to end: a Shopify CSV
// export and a Medusa JSON Lines export imported (dry run first, then for
// real, then again), exported back, one customer exported and erased, and
// the outbox tailed.
func TestImportExportEraseTail(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e engine) {
		e = migrated(t, e)
		env := e.env()
		ctx := context.Background()
		svc := e.service(t)

		// A dry run checks every row and writes nothing.
		r := run(t, env, "", "import", "--mapping", "shopify", "--dry-run", shopifyFile)
		require.Equal(t, ExitPartial, r.code, r.stderr)
		assert.Contains(t, r.stdout, "read 5 rows: would import (dry run: nothing written) 4, skipped 0 (existing), rejected 1")
		assert.Contains(t, r.stderr, "line 5: field Email: ")
		_, err := svc.Customers.GetByReference(ctx, "shopify", "7012345678901")
		require.ErrorIs(t, err, customer.ErrNotFound, "a dry run writes nothing")
		r = run(t, env, "", "events", "tail")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Empty(t, r.stdout, "a dry run emits no event")

		// Shopify: four good rows in, the bad one reported with line and field.
		r = run(t, env, "", "import", "--mapping", "shopify", "--actor", "staff:ops", shopifyFile)
		require.Equal(t, ExitPartial, r.code, r.stderr)
		assert.Contains(t, r.stdout, "read 5 rows: imported 4, skipped 0 (existing), rejected 1")
		assert.Equal(t, 1, strings.Count(r.stderr, "line "), "one rejected row: %s", r.stderr)
		assert.Contains(t, r.stderr, "line 5: field Email: ")
		ada, err := svc.Customers.GetByReference(ctx, "shopify", "7012345678901")
		require.NoError(t, err)
		assert.Equal(t, "ada.lovelace@example.com", ada.Email.String())
		assert.Equal(t, "Ada", ada.FirstName)
		assert.Equal(t, "Lovelace", ada.LastName)
		assert.ElementsMatch(t, []string{"vip", "newsletter"}, ada.Tags)
		zola, err := svc.Customers.GetByReference(ctx, "shopify", "7012345678903")
		require.NoError(t, err)
		assert.Equal(t, "Émile", zola.FirstName)
		_, err = svc.Customers.GetByReference(ctx, "shopify", "7012345678904")
		require.ErrorIs(t, err, customer.ErrNotFound, "the bad row is not imported")

		r = run(t, env, "", "import", "--mapping", "shopify", shopifyFile)
		require.Equal(t, ExitPartial, r.code, r.stderr)
		assert.Contains(t, r.stdout, "imported 0, skipped 4 (existing), rejected 1", "a rerun imports nothing new")

		// Medusa: the format from the file name; has_account, addresses
		// and groups come through.
		r = run(t, env, "", "import", "--mapping", "medusa", medusaFile)
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "read 3 rows: imported 3, skipped 0 (existing), rejected 0")
		kj, err := svc.Customers.GetByReference(ctx, "medusa", "cus_01HV8Z3K9Q2W3E4R5T6Y7U8I9O")
		require.NoError(t, err)
		assert.True(t, kj.HasAccount)
		assert.Equal(t, "katherine.johnson@example.com", kj.Email.String())
		doc := exportDoc(t, env, kj.ID)
		require.Len(t, doc.Addresses, 1)
		assert.Equal(t, "Hampton", doc.Addresses[0].City)
		require.Len(t, doc.Groups, 1)
		assert.Equal(t, "VIP", doc.Groups[0].Name)

		medusa, err := os.ReadFile(medusaFile)
		require.NoError(t, err)
		r = run(t, env, string(medusa), "import", "--mapping", "medusa", "--format", "jsonl")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "read 3 rows: imported 0, skipped 3 (existing)", "stdin, and a rerun imports nothing new")

		// Export: every live customer, to a file, in the native layout
		// (which import reads back as existing customers).
		out := filepath.Join(t.TempDir(), "customers.jsonl")
		r = run(t, env, "", "export", "--out", out)
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "exported 7 customers to "+out)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		require.Len(t, lines, 7)
		emails := map[string]bool{}
		for _, l := range lines {
			var row struct{ Email string }
			require.NoError(t, json.Unmarshal([]byte(l), &row))
			emails[row.Email] = true
		}
		assert.True(t, emails["ada.lovelace@example.com"] && emails["mary.jackson@example.com"], "%v", emails)
		r = run(t, env, "", "import", out)
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "imported 0, skipped 7 (existing)")
		r = run(t, env, "", "export", "--format", "csv", "--mapping", "shopify")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.True(t, strings.HasPrefix(r.stdout, "Customer ID,First Name,Last Name,Email,"), r.stdout)
		assert.Contains(t, r.stdout, "7012345678901,Ada,Lovelace,ada.lovelace@example.com")

		// Privacy: export one customer, erase it, and it is gone.
		doc = exportDoc(t, env, ada.ID)
		assert.Equal(t, "ada.lovelace@example.com", doc.Profile.Email.String())
		r = run(t, env, "yes\n", "erase", "--customer", ada.ID.String(), "--reason", "ticket 42")
		assert.Equal(t, ExitNotConfirmed, r.code, "stdin is no terminal: --yes is required")
		_, err = svc.Customers.Get(ctx, ada.ID)
		require.NoError(t, err, "nothing erased")
		r = run(t, env, "", "erase", "--customer", ada.ID.String(), "--reason", "ticket 42", "--yes", "--actor", "staff:dpo")
		require.Equal(t, ExitOK, r.code, r.stderr)
		var rec privacy.Erasure
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rec))
		assert.Equal(t, ada.ID, rec.CustomerID)
		assert.Equal(t, "ticket 42", rec.Reason)
		assert.Equal(t, "staff:dpo", rec.Actor.String())
		r = run(t, env, "", "export", "--customer", ada.ID.String())
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.NotContains(t, r.stdout, "ada.lovelace")
		assert.NotContains(t, r.stdout, "Lovelace")
		assert.Contains(t, r.stdout, `"state": "erased"`)
		missing := uuid.New().String()
		r = run(t, env, "", "export", "--customer", missing)
		assert.Equal(t, ExitNotFound, r.code, r.stderr)
		r = run(t, env, "", "erase", "--customer", missing, "--reason", "x", "--yes")
		assert.Equal(t, ExitNotFound, r.code, r.stderr)

		// The outbox: every change, in order, without leaving a consumer.
		r = run(t, env, "", "events", "tail")
		require.Equal(t, ExitOK, r.code, r.stderr)
		all := parseEvents(t, r.stdout)
		require.NotEmpty(t, all)
		var types []event.Type
		for i, ev := range all {
			if i > 0 {
				require.Greater(t, ev.Sequence, all[i-1].Sequence, "ascending sequences")
			}
			types = append(types, ev.Type)
		}
		assert.Contains(t, types, event.CustomerErased)
		assert.Equal(t, "staff:ops", all[0].Actor.String(), "import's --actor is recorded")
		consumers, err := svc.Events.Consumers(ctx)
		require.NoError(t, err)
		assert.Empty(t, consumers, "a read-only tail leaves no consumer behind")

		r = run(t, env, "", "events", "tail", "--limit", "3")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Equal(t, all[:3], parseEvents(t, r.stdout))
		r = run(t, env, "", "events", "tail", "--after", itoa(all[len(all)-3].Sequence), "--batch", "1")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Equal(t, all[len(all)-2:], parseEvents(t, r.stdout))

		r = run(t, env, "", "events", "tail", "--consumer", "ops-tail", "--batch", "7")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Equal(t, all, parseEvents(t, r.stdout), "a new consumer starts at the oldest event")
		r = run(t, env, "", "events", "tail", "--consumer", "ops-tail")
		require.Equal(t, ExitOK, r.code, r.stderr)
		assert.Empty(t, r.stdout, "the consumer acknowledged what it printed")
		consumers, err = svc.Events.Consumers(ctx)
		require.NoError(t, err)
		require.Len(t, consumers, 1)
		assert.Equal(t, all[len(all)-1].Sequence, consumers[0].Position)

		// --follow prints what commits after it started, until interrupted.
		fctx, cancel := context.WithCancel(ctx)
		done := make(chan result, 1)
		go func() {
			done <- runCtx(fctx, t, env, "", "events", "tail", "--follow", "--consumer", "ops-tail", "--interval", "20ms")
		}()
		time.Sleep(100 * time.Millisecond)
		r = run(t, env, "", "erase", "--customer", zola.ID.String(), "--reason", "ticket 43", "--yes")
		require.Equal(t, ExitOK, r.code, r.stderr)
		require.Eventually(t, func() bool {
			st, err := svc.Events.Consumers(ctx)
			return err == nil && len(st) == 1 && st[0].Position > all[len(all)-1].Sequence
		}, 10*time.Second, 20*time.Millisecond, "the follower acknowledges the new events")
		cancel()
		r = <-done
		assert.Equal(t, ExitOK, r.code, "an interrupted follow exits with 0: %s", r.stderr)
		followed := parseEvents(t, r.stdout)
		require.NotEmpty(t, followed)
		assert.Equal(t, zola.ID, followed[len(followed)-1].CustomerID)
		assert.Equal(t, event.CustomerErased, followed[len(followed)-1].Type)
	})
}

// exportDoc runs export --customer and decodes the document.
func exportDoc(t *testing.T, env map[string]string, id uuid.UUID) privacy.Document {
	t.Helper()
	r := run(t, env, "", "export", "--customer", id.String())
	require.Equal(t, ExitOK, r.code, r.stderr)
	var doc privacy.Document
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &doc))
	return doc
}

func parseEvents(t *testing.T, out string) []event.Event {
	t.Helper()
	var evs []event.Event
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var ev event.Event
		require.NoError(t, json.Unmarshal([]byte(l), &ev), l)
		evs = append(evs, ev)
	}
	return evs
}

func itoa(n int64) string { return strconvFormat(n) }

func strconvFormat(n int64) string { return strconv.FormatInt(n, 10) }
