package clientele_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
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
