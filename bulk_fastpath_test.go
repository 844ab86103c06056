package clientele_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// noBulkStore hides the storage.BulkLoader capability of its store's
// transactions (and keeps their outbox), so that Bulk.Import takes the
// row-by-row path.
type noBulkStore struct{ *memory.Store }

type noBulkTx struct{ storage.Repositories }

func (t noBulkTx) Events() storage.Events { return t.Repositories.(storage.Outbox).Events() }

func (s noBulkStore) Atomic(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	return s.Store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error { return fn(ctx, noBulkTx{tx}) })
}

// countingStore counts the customers its transactions' BulkLoader creates.
type countingStore struct {
	*memory.Store
	created *int
}

type countingTx struct {
	storage.Repositories
	created *int
}

func (t countingTx) Events() storage.Events { return t.Repositories.(storage.Outbox).Events() }

func (t countingTx) CustomersExist(ctx context.Context, cs []customer.Customer) ([]bool, error) {
	return t.Repositories.(storage.BulkLoader).CustomersExist(ctx, cs)
}

func (t countingTx) CreateCustomers(ctx context.Context, cs []storage.BulkCustomer) ([]storage.BulkCustomer, error) {
	out, err := t.Repositories.(storage.BulkLoader).CreateCustomers(ctx, cs)
	if err == nil {
		*t.created += len(out)
	}
	return out, err
}

func (s countingStore) Atomic(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	return s.Store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		return fn(ctx, countingTx{tx, s.created})
	})
}

// TestBulkFastPathSameOutcome imports the same rows through the fast path
// and the row-by-row path (rows the fast path takes, rows it hands on:
// groups, a key twice in the batch, a row that does not build, and a
// customer that exists) and requires the same report, the same
// customers and the same events, with the same payloads but for IDs
// and times.
func TestBulkFastPathSameOutcome(t *testing.T) {
	rows := `{"email":"exists@example.com","first_name":"Old"}
{"email":"a@example.com","first_name":"A","tags":["VIP"," b2b"],"reference_origin":"shop","reference":"R1","addresses":[{"line1":"1 Main Street","city":"Berlin","country":"DE","default_shipping":true,"default_billing":true}]}
{"email":"b@example.com","first_name":"B","groups":["Wholesale"]}
{"email":"A@Example.com","first_name":"A again"}
{"email":"c@example.com","first_name":"C","reference_origin":"shop","reference":"R1"}
{"email":"d@example.com","first_name":"D","addresses":[{"line1":"2 Main Street","city":"Paris","country":"FR"},{"line1":"3 Main Street","city":"Paris","country":"FR","default_billing":true}]}
{"email":"e@example.com","first_name":"E","has_account":true}
`
	ctx := context.Background()
	run := func(s storage.Store) (clientele.ImportReport, []string) {
		svc := clientele.New(s, clientele.WithConfusableEmails(true))
		_, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "exists@example.com", FirstName: "Old"})
		require.NoError(t, err)
		rep, err := svc.Bulk.Import(ctx, strings.NewReader(rows), clientele.ImportOptions{Format: bulk.JSONL})
		require.NoError(t, err)
		evs, err := s.(storage.Outbox).Events().(storage.EventReader).Read(ctx, 0, 1000)
		require.NoError(t, err)
		var out []string
		for _, ev := range evs {
			out = append(out, string(ev.Type)+" "+scrub(t, ev))
		}
		return rep, out
	}
	var created int
	fastRep, fastEvents := run(countingStore{memory.New(), &created})
	assert.Equal(t, 3, created, "a, d and e go the fast way; b (groups) does not")
	slowRep, slowEvents := run(noBulkStore{memory.New()})
	assert.Equal(t, clientele.ImportReport{Read: 7, Imported: 4, Skipped: 3, Errors: fastRep.Errors}, fastRep)
	assert.Equal(t, slowRep, fastRep)
	// The rows the fast path hands on run after the fast ones, so the
	// customers' events interleave differently; each customer's own
	// events keep their order (the payloads differ from one customer to
	// the next, so the sorted lists compare the same events).
	assert.ElementsMatch(t, slowEvents, fastEvents)
	assert.Len(t, fastEvents, len(slowEvents))
	assert.Contains(t, strings.Join(fastEvents, "\n"), string(event.AddressDefaultChanged))
}

// scrub returns ev's payload with every ID and time replaced, so that two
// runs compare.
func scrub(t *testing.T, ev event.Event) string {
	var v any
	require.NoError(t, json.Unmarshal(ev.Payload, &v))
	var walk func(any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if k == "id" || strings.HasSuffix(k, "_id") || strings.HasSuffix(k, "_at") {
					x[k] = "*"
				} else {
					x[k] = walk(e)
				}
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		}
		return v
	}
	b, err := json.Marshal(walk(v))
	require.NoError(t, err)
	return string(b)
}
