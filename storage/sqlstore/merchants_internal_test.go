package sqlstore

import (
	"database/sql"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/merchant"
)

// fakeRow is a scanner over values as merchantArgs produces them.
type fakeRow []any

func (r fakeRow) Scan(dest ...any) error {
	for i, d := range dest {
		if s, ok := d.(sql.Scanner); ok {
			if err := s.Scan(r[i]); err != nil {
				return err
			}
			continue
		}
		reflect.ValueOf(d).Elem().Set(reflect.ValueOf(r[i]))
	}
	return nil
}

// TestBillingAddressColumnKeepsItsFormat pins the JSON of the
// billing_address column: the Go field names every release has written,
// not address.Address's snake_case API names, so rows written before
// Address had json tags still decode.
func TestBillingAddressColumnKeepsItsFormat(t *testing.T) {
	m, err := merchant.New(uuid.MustParse("0195a1b2-0000-7000-8000-000000000001"), merchant.Params{
		Name: "Acme",
		BillingAddress: address.Address{FirstName: "Ada", LastName: "Lovelace", Company: "Acme",
			Line1: "1 Main St", Line2: "Floor 2", City: "Berlin", PostalCode: "10115",
			Province: "BE", Country: "DE", Phone: "+49301234567"},
	}, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	args, err := merchantArgs(m)
	require.NoError(t, err)
	legacy := `{"FirstName":"Ada","LastName":"Lovelace","Company":"Acme","Line1":"1 Main St","Line2":"Floor 2",` +
		`"City":"Berlin","PostalCode":"10115","Province":"BE","Country":"DE","Phone":"+49301234567"}`
	assert.Equal(t, legacy, args[2])

	back, err := scanMerchant(fakeRow(args))
	require.NoError(t, err)
	assert.Equal(t, m.BillingAddress, back.BillingAddress)
}
