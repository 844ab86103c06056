package clientele_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

func TestBulkImportJSONL(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	require.NoError(t, err)
	input := strings.Join([]string{
		`{"email":"ada@example.com","has_account":true,"first_name":"Ada","tags":["vip"],"reference_origin":"erp","reference":"C-1",` +
			`"addresses":[{"line1":"Main St 1","city":"Berlin","country":"de"},{"line1":"Side St 2","city":"Paris","country":"FR","default_billing":true}],` +
			`"groups":["Wholesale"],"balances":[{"amount":"12.50","currency":"EUR"}],"password_hash":"` + string(hash) + `","created_at":"2020-01-02T03:04:05Z"}`,
		`{"email":"not-an-email"}`,
		``,
		`{"email":"bob@example.com","addresses":[{"line1":"x","city":"y","country":"ZZ"}]}`,
		`{"email":"cy@example.com","groups":["Wholesale"]}`,
	}, "\n")
	eachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		svc := clientele.New(s)
		var calls []bulk.Progress
		rep, err := svc.Bulk.Import(ctx, strings.NewReader(input), clientele.ImportOptions{Format: bulk.JSONL,
			BatchSize: 2, Progress: func(p bulk.Progress) { calls = append(calls, p) }})
		require.NoError(t, err)
		assert.Equal(t, 4, rep.Read)
		assert.Equal(t, 2, rep.Imported)
		assert.Equal(t, 0, rep.Skipped)
		assert.Equal(t, 2, rep.Failed)
		require.Len(t, rep.Errors, 2)
		assert.Equal(t, 2, rep.Errors[0].Line)
		assert.Equal(t, "email", rep.Errors[0].Field)
		assert.Equal(t, 4, rep.Errors[1].Line)
		assert.Equal(t, "addresses[0].country", rep.Errors[1].Field)
		assert.ErrorIs(t, &rep.Errors[1], bulk.ErrInvalid)
		require.NotEmpty(t, calls)
		assert.Equal(t, bulk.Progress{Read: 4, Imported: 2, Failed: 2}, calls[len(calls)-1])

		ada, err := svc.Customers.GetByReference(ctx, "erp", "C-1")
		require.NoError(t, err)
		assert.True(t, ada.HasAccount)
		assert.Equal(t, "2020-01-02T03:04:05Z", ada.CreatedAt.Format("2006-01-02T15:04:05Z07:00"))
		book, err := svc.Addresses.Book(ctx, ada.ID)
		require.NoError(t, err)
		require.Len(t, book.Entries, 2)
		billing, _ := book.Default(address.Billing)
		assert.Equal(t, "Paris", billing.City)
		got, err := svc.Balances.Available(ctx, ada.ID, balance.MustCurrency("EUR"))
		require.NoError(t, err)
		assert.Equal(t, "12.50 EUR", got.String())
		if _, ok := s.(storage.Authentication); ok {
			_, err = svc.Accounts.Authenticate(ctx, "ada@example.com", "correct horse battery")
			require.NoError(t, err, "the imported hash signs the customer in")
			_, err = svc.Accounts.Authenticate(ctx, "ada@example.com", "wrong")
			require.Error(t, err)
		}
		g, err := svc.Groups.GetByName(ctx, "wholesale")
		require.NoError(t, err)
		members, err := svc.Groups.Members(ctx, g.ID, page.Request{Limit: 100})
		require.NoError(t, err)
		assert.Len(t, members.Items, 2)

		if _, ok := s.(storage.Outbox); ok {
			counts := map[event.Type]int{}
			for _, ev := range drain(t, svc, "bulk") {
				counts[ev.Type]++
			}
			delete(counts, event.AccountLoginSucceeded) // the sign-ins above
			delete(counts, event.AccountLoginFailed)
			assert.Equal(t, map[event.Type]int{event.CustomerRegistered: 1, event.CustomerCreated: 1,
				event.AddressAdded: 2, event.AddressDefaultChanged: 2, event.GroupCreated: 1, event.GroupMemberAdded: 2,
				event.BalanceAccountOpened: 1, event.BalanceCredited: 1, event.AccountPasswordSet: 1}, counts)
		}

		again, err := svc.Bulk.Import(ctx, strings.NewReader(input), clientele.ImportOptions{Format: bulk.JSONL})
		require.NoError(t, err)
		assert.Equal(t, 0, again.Imported, "a rerun imports nothing")
		assert.Equal(t, 2, again.Skipped)
		assert.Equal(t, 2, again.Failed)
		if _, ok := s.(storage.Outbox); ok {
			assert.Empty(t, drain(t, svc, "bulk"), "a rerun changes nothing")
		}

		var out bytes.Buffer
		exp, err := svc.Bulk.Export(ctx, &out, clientele.ExportOptions{Format: bulk.JSONL})
		require.NoError(t, err)
		assert.Equal(t, 2, exp.Written)
		assert.Contains(t, out.String(), `"reference":"C-1"`)
		assert.NotContains(t, out.String(), "password_hash")
	})
}

func TestBulkImportSamples(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		svc := clientele.New(s)
		f, err := os.Open("bulk/testdata/shopify_customers.csv")
		require.NoError(t, err)
		defer f.Close()
		rep, err := svc.Bulk.Import(ctx, f, clientele.ImportOptions{Format: bulk.CSV, Mapping: bulk.Shopify})
		require.NoError(t, err)
		assert.Equal(t, 5, rep.Read)
		assert.Equal(t, 3, rep.Imported)
		require.Len(t, rep.Errors, 2)
		assert.Equal(t, "Email", rep.Errors[0].Field)
		maxm, err := svc.Customers.GetByReference(ctx, "shopify", "7023829586020")
		require.NoError(t, err)
		assert.False(t, maxm.HasAccount)
		assert.Equal(t, "yes", maxm.Metadata["tax_exempt"])

		f, err = os.Open("bulk/testdata/medusa_customers.jsonl")
		require.NoError(t, err)
		defer f.Close()
		rep, err = svc.Bulk.Import(ctx, f, clientele.ImportOptions{Format: bulk.JSONL, Mapping: bulk.Medusa})
		require.NoError(t, err)
		assert.Equal(t, 2, rep.Imported)
		assert.Equal(t, 2, rep.Failed)
		sam, err := svc.Customers.GetByReference(ctx, "medusa", "cus_01JAQ3S6J2V2W7R6QX4V3YQ1N5")
		require.NoError(t, err)
		assert.Equal(t, "gold", sam.Metadata["loyalty"])
		book, err := svc.Addresses.Book(ctx, sam.ID)
		require.NoError(t, err)
		require.Len(t, book.Entries, 2)
		ship, _ := book.Default(address.Shipping)
		assert.Equal(t, "US", ship.Country)
		bill, _ := book.Default(address.Billing)
		assert.Equal(t, "Lee Labs", bill.Company)
		if _, ok := s.(storage.Authentication); ok {
			_, err = svc.Accounts.Authenticate(ctx, "sam@example.com", "Grüße, Jürgen ❤")
			require.NoError(t, err, "Medusa's scrypt-kdf hash signs the customer in")
		}
	})
}

func TestBulkDryRunAndMaxErrors(t *testing.T) {
	ctx := context.Background()
	svc := clientele.New(memory.New())
	input := "{\"email\":\"a@example.com\"}\n{\"email\":\"bad\"}\n{\"email\":\"b@example.com\"}\n{\"email\":\"bad2\"}\n{\"email\":\"c@example.com\"}\n"
	rep, err := svc.Bulk.Import(ctx, strings.NewReader(input), clientele.ImportOptions{Format: bulk.JSONL, DryRun: true})
	require.NoError(t, err)
	assert.Equal(t, clientele.ImportReport{Read: 5, Imported: 3, Failed: 2, Errors: rep.Errors}, rep)
	_, err = svc.Customers.GetByEmail(ctx, "a@example.com")
	require.ErrorIs(t, err, customer.ErrNotFound, "a dry run writes nothing")

	rep, err = svc.Bulk.Import(ctx, strings.NewReader(input), clientele.ImportOptions{Format: bulk.JSONL, MaxErrors: 1, BatchSize: 1})
	require.ErrorIs(t, err, clientele.ErrTooManyErrors)
	assert.Equal(t, 2, rep.Failed)
	assert.Equal(t, 2, rep.Imported, "the rows before the limit stay")
	assert.Equal(t, 4, rep.Read)

	_, err = svc.Bulk.Import(ctx, strings.NewReader("email,colour\n"), clientele.ImportOptions{Format: bulk.CSV})
	require.ErrorIs(t, err, bulk.ErrInvalid)
	_, err = svc.Bulk.Import(ctx, strings.NewReader(""), clientele.ImportOptions{Format: "xml"})
	require.ErrorIs(t, err, bulk.ErrInvalid)
}

func TestBulkExportImportRoundTrip(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		ctx := context.Background()
		src := clientele.New(s)
		ada, err := src.Customers.Register(ctx, customer.Params{Email: "ada@example.com", Type: customer.TypeBusiness,
			VATID: "DE123456789", FirstName: "Ada", Tags: []string{"vip"}, Metadata: map[string]string{"k": "v"},
			Reference: "A-1", ReferenceOrigin: "erp"})
		require.NoError(t, err)
		_, _, err = src.Addresses.Add(ctx, ada.ID, address.Address{Line1: "1 Main St", City: "Berlin", Country: "DE"})
		require.NoError(t, err)
		g, err := src.Groups.Create(ctx, clientele.GroupParams{Name: "Wholesale"})
		require.NoError(t, err)
		_, err = src.Groups.AddMembers(ctx, g.ID, []uuid.UUID{ada.ID})
		require.NoError(t, err)
		_, err = src.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: ada.ID, Amount: balance.FromMinorUnits(1250, balance.MustCurrency("EUR"))})
		require.NoError(t, err)
		_, _, err = src.Customers.CreateGuest(ctx, customer.Params{Email: "guest@example.com"})
		require.NoError(t, err)

		for _, f := range bulk.Formats() {
			var buf bytes.Buffer
			exp, err := src.Bulk.Export(ctx, &buf, clientele.ExportOptions{Format: f})
			require.NoError(t, err)
			require.Equal(t, 2, exp.Written)
			dst := clientele.New(memory.New())
			rep, err := dst.Bulk.Import(ctx, bytes.NewReader(buf.Bytes()), clientele.ImportOptions{Format: f})
			require.NoError(t, err)
			require.Equal(t, 2, rep.Imported, "%s: %v", f, rep.Errors)
			var again bytes.Buffer
			_, err = dst.Bulk.Export(ctx, &again, clientele.ExportOptions{Format: f})
			require.NoError(t, err)
			assert.Equal(t, buf.String(), again.String(), "%s: export, import, export gives the same file", f)
		}
	})
}

// With several workers, batches are written side by side: every row is
// counted once, a customer listed twice (in different batches) is created
// once and skipped once, and the errors come back in line order.
func TestBulkImportWorkers(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		var b strings.Builder
		for i := range 60 {
			switch {
			case i%10 == 9:
				b.WriteString(`{"email":"bad"}` + "\n")
			default:
				fmt.Fprintf(&b, `{"email":"w%d@example.com","tags":["x"]}`+"\n", i%30) // each twice
			}
		}
		svc := clientele.New(s)
		rep, err := svc.Bulk.Import(context.Background(), strings.NewReader(b.String()),
			clientele.ImportOptions{Format: bulk.JSONL, Workers: 3, BatchSize: 4})
		require.NoError(t, err)
		assert.Equal(t, 60, rep.Read)
		assert.Equal(t, 6, rep.Failed)
		assert.Equal(t, 27, rep.Imported)
		assert.Equal(t, 27, rep.Skipped)
		require.Len(t, rep.Errors, 6)
		for i, e := range rep.Errors {
			assert.Equal(t, 10*(i+1), e.Line)
		}
	})
}
