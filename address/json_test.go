package address_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
)

// roundTrip marshals v, unmarshals the result into a fresh T and returns it.
func roundTrip[T any](t *testing.T, v T) T {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back T
	require.NoError(t, json.Unmarshal(b, &back), string(b))
	return back
}

func TestAddressJSON(t *testing.T) {
	a := valid()
	a.Company, a.Line2, a.Province = "ACME", "Hinterhaus", "NW"
	b, err := json.Marshal(a)
	require.NoError(t, err)
	assert.JSONEq(t, `{"first_name":"Erika","last_name":"Mustermann","company":"ACME","line1":"Heidestraße 17",
		"line2":"Hinterhaus","city":"Köln","postal_code":"51147","province":"NW","country":"DE","phone":"+4930123456"}`, string(b))
	assert.Equal(t, a, roundTrip(t, a))

	b, err = json.Marshal(address.Address{Line1: "x", City: "y", Country: "DE"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"line1":"x","city":"y","country":"DE"}`, string(b), "optional fields are left out when empty")

	p := address.Patch{City: ptr("Bonn"), Line2: ptr("")}
	assert.Equal(t, p, roundTrip(t, p))
	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"city":"Bonn","line2":""}`, string(b))
	assert.Equal(t, address.Patch{}, roundTrip(t, address.Patch{}))
}

// TestAddressJSONNamesMatchValidation checks that a validation error names
// the field as JSON does, inline in an Entry too.
func TestAddressJSONNamesMatchValidation(t *testing.T) {
	var e address.Entry
	require.NoError(t, json.Unmarshal([]byte(`{"id":"00000000-0000-0000-0000-000000000001",
		"customer_id":"00000000-0000-0000-0000-0000000000c1","line1":"x","city":"y","country":"XX","postal_code":"1"}`), &e))
	requireField(t, e.Validate(), "country")
	e.Country = "DE"
	require.NoError(t, e.Validate())
}

func TestEntryAndBookJSON(t *testing.T) {
	b := newBook(t, 2)
	e, ok := b.Get(id(1))
	require.True(t, ok)
	js, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "00000000-0000-0000-0000-000000000001",
		"customer_id": "00000000-0000-0000-0000-0000000000c1",
		"line1": "Street 1", "city": "Berlin", "country": "DE",
		"default_shipping": true, "default_billing": true,
		"created_at": "2024-05-01T12:01:00Z", "updated_at": "2024-05-01T12:01:00Z"
	}`, string(js))
	assert.Equal(t, e, roundTrip(t, e))
	assert.Equal(t, *b, roundTrip(t, *b))
	require.NoError(t, roundTrip(t, *b).Validate())

	empty := address.Book{CustomerID: customerID}
	js, err = json.Marshal(empty)
	require.NoError(t, err)
	assert.JSONEq(t, `{"customer_id":"00000000-0000-0000-0000-0000000000c1"}`, string(js))
	assert.Equal(t, empty, roundTrip(t, empty))

	// Times are UTC both ways.
	e.CreatedAt = e.CreatedAt.In(time.FixedZone("CET", 3600))
	js, err = json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"created_at":"2024-05-01T12:01:00Z"`)
	var back address.Entry
	require.NoError(t, json.Unmarshal([]byte(`{"updated_at":"2024-05-01T13:01:00+01:00"}`), &back))
	assert.Equal(t, time.UTC, back.UpdatedAt.Location())

	for _, bad := range []string{`{"id":"x"}`, `{"line1":5}`, `{"created_at":"today"}`, `{"default_billing":"yes"}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &back), bad)
	}
}
