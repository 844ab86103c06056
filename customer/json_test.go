package customer_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
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

func TestEmailText(t *testing.T) {
	for _, in := range []string{"bob@example.com", "Anna.Muster@Bücher.DE", "anna@xn--bcher-kva.de", "δοκιμή@παράδειγμα.δοκιμή"} {
		e, err := customer.ParseEmail(in)
		require.NoError(t, err)
		b, err := json.Marshal(e)
		require.NoError(t, err)
		var s string
		require.NoError(t, json.Unmarshal(b, &s))
		assert.Equal(t, e.Display, s, "JSON carries the customer's spelling")
		assert.Equal(t, e, roundTrip(t, e))
	}
	// Without a display form the canonical address stands in for it.
	assert.Equal(t, customer.Email{Address: "bob@example.com", Display: "bob@example.com"},
		roundTrip(t, customer.Email{Address: "bob@example.com"}))

	erased := customer.ErasedEmail(testID)
	assert.Equal(t, erased, roundTrip(t, erased), "an erased customer's placeholder decodes")

	_, err := json.Marshal(customer.Email{})
	requireFieldError(t, err, "email")

	for _, bad := range []string{`""`, `"bob"`, `"bob@"`, `"Bob <bob@example.com>"`, `"x@erased.invalid"`,
		`"erased-not-a-uuid@erased.invalid"`, `"erased-` + testID.String() + `@erased.invalid.com@x"`} {
		e := customer.Email{Address: "keep@example.com", Display: "keep@example.com"}
		err := json.Unmarshal([]byte(bad), &e)
		requireFieldError(t, err, "email")
		assert.Equal(t, "keep@example.com", e.Address, "unchanged after %s", bad)
	}
	var e customer.Email
	assert.Error(t, json.Unmarshal([]byte(`{"Address":"bob@example.com"}`), &e), "an email is a string")
	assert.Error(t, json.Unmarshal([]byte(`42`), &e))
}

// fullCustomer returns a business customer with every field set.
func fullCustomer(t *testing.T) customer.Customer {
	t.Helper()
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)
	c.RecordOrder(t1)
	c.Version = 3
	return c
}

func TestCustomerJSONGolden(t *testing.T) {
	c := fullCustomer(t)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "6f1c2a4e-8a1b-4c55-9d0e-2b7f4a9c1d30",
		"email": "Anna.Muster@Bücher.DE",
		"has_account": true,
		"has_password": false,
		"status": "acquired",
		"state": "active",
		"type": "business",
		"first_name": "Anna",
		"last_name": "Muster",
		"phone": "+49301234567",
		"company": "Bücher GmbH",
		"vat_id": "DE123456789",
		"note": "Prefers invoices.\nCall before delivery.",
		"tags": ["vip", "wholesale"],
		"metadata": {"crm_id": "42"},
		"reference": "C-1001",
		"reference_origin": "erp",
		"order_count": 1,
		"created_at": "2025-03-01T12:00:00Z",
		"updated_at": "2025-03-01T13:00:00Z",
		"version": 3
	}`, string(b))

	g, err := customer.NewGuest(testID, customer.Params{Email: "bob@example.com"}, t0)
	require.NoError(t, err)
	require.NoError(t, g.Erase(t1))
	b, err = json.Marshal(g)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"id": "6f1c2a4e-8a1b-4c55-9d0e-2b7f4a9c1d30",
		"email": "erased-6f1c2a4e-8a1b-4c55-9d0e-2b7f4a9c1d30@erased.invalid",
		"has_account": false,
		"has_password": false,
		"status": "prospect",
		"state": "erased",
		"type": "private",
		"order_count": 0,
		"created_at": "2025-03-01T12:00:00Z",
		"updated_at": "2025-03-01T13:00:00Z",
		"deleted_at": "2025-03-01T13:00:00Z",
		"version": 0
	}`, string(b))
}

func TestCustomerJSONRoundTrips(t *testing.T) {
	for _, s := range allStates {
		c := customerInState(t, s)
		back := roundTrip(t, c)
		assert.Equal(t, c, back, "%s", s)
		require.NoError(t, back.Validate())
	}
	c := fullCustomer(t)
	c.MarkDeleted(t2)
	back := roundTrip(t, c)
	assert.Equal(t, c, back)
	require.NoError(t, back.Validate())

	assert.Equal(t, fullParams(), roundTrip(t, fullParams()))
	p := customer.Patch{
		Email: ptr("new@example.com"), Type: ptr(customer.TypePrivate), FirstName: ptr(""),
		VATID: ptr(""), Tags: ptr([]string{}), Metadata: map[string]*string{"crm_id": nil, "tier": ptr("gold")},
		Reference: ptr("C-2"), ReferenceOrigin: ptr("erp"),
	}
	assert.Equal(t, p, roundTrip(t, p))
	assert.Equal(t, customer.Patch{}, roundTrip(t, customer.Patch{}))
}

func TestCustomerPatchFromJSON(t *testing.T) {
	var p customer.Patch
	require.NoError(t, json.Unmarshal([]byte(`{"first_name":"","last_name":null,"type":"Business","metadata":{"crm_id":null,"tier":"gold"}}`), &p))
	assert.Equal(t, customer.Patch{
		FirstName: ptr(""), Type: ptr(customer.TypeBusiness),
		Metadata: map[string]*string{"crm_id": nil, "tier": ptr("gold")},
	}, p, `"" clears, null and absent leave unchanged, a null metadata value deletes`)

	c := fullCustomer(t)
	require.NoError(t, c.Apply(p, t2))
	assert.Equal(t, "", c.FirstName)
	assert.Equal(t, "Muster", c.LastName)
	assert.Equal(t, map[string]string{"tier": "gold"}, c.Metadata)
}

func TestCustomerJSONTimesInUTC(t *testing.T) {
	c := fullCustomer(t)
	berlin := time.FixedZone("CET", 3600)
	deleted := t2.In(berlin)
	c.CreatedAt, c.UpdatedAt, c.DeletedAt = c.CreatedAt.In(berlin), c.UpdatedAt.In(berlin), &deleted
	b, err := json.Marshal(c)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m))
	assert.Equal(t, "2025-03-01T12:00:00Z", m["created_at"])
	assert.Equal(t, "2025-03-01T13:00:00Z", m["updated_at"])
	assert.Equal(t, "2025-03-01T14:00:00Z", m["deleted_at"])
	assert.Equal(t, berlin, deleted.Location(), "MarshalJSON changes nothing")

	var back customer.Customer
	require.NoError(t, json.Unmarshal([]byte(`{"created_at":"2025-03-01T13:00:00+01:00","deleted_at":"2025-03-01T15:00:00+01:00"}`), &back))
	assert.Equal(t, time.UTC, back.CreatedAt.Location())
	assert.True(t, back.CreatedAt.Equal(t0))
	assert.Equal(t, time.UTC, back.DeletedAt.Location())
}

func TestCustomerJSONRejectsBadValues(t *testing.T) {
	for _, tt := range []struct{ in, field string }{
		{`{"email":"not an email"}`, "email"},
		{`{"email":""}`, "email"},
		{`{"status":"vip"}`, "status"},
		{`{"state":"deleted"}`, "state"},
		{`{"type":"company"}`, "type"},
	} {
		var c customer.Customer
		requireFieldError(t, json.Unmarshal([]byte(tt.in), &c), tt.field)
		var p customer.Params
		if tt.field == "type" {
			requireFieldError(t, json.Unmarshal([]byte(tt.in), &p), tt.field)
		}
	}
	for _, in := range []string{`{"id":"nope"}`, `{"created_at":"yesterday"}`, `{"status":2}`, `{"tags":"vip"}`, `{"metadata":{"k":1}}`} {
		var c customer.Customer
		assert.Error(t, json.Unmarshal([]byte(in), &c), in)
	}
	// Decoding into a customer replaces it without writing through the
	// slices, map and pointer it held (a stored value may share them).
	c := fullCustomer(t)
	c.MarkDeleted(t2)
	tags, meta, deleted := c.Tags, c.Metadata, c.DeletedAt
	require.NoError(t, json.Unmarshal([]byte(`{"tags":["x","y"],"metadata":{"k":"v"},"deleted_at":"2025-01-01T00:00:00Z"}`), &c))
	assert.Equal(t, []string{"vip", "wholesale"}, tags)
	assert.Equal(t, map[string]string{"crm_id": "42"}, meta)
	assert.Equal(t, t2, *deleted)
	assert.Equal(t, []string{"x", "y"}, c.Tags)
	assert.Equal(t, uuid.Nil, c.ID, "the whole value is replaced")
}
