package customer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

func ptr[T any](v T) *T { return &v }

func TestApplyNilFieldsStayUnchanged(t *testing.T) {
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)
	before := c.Clone()

	require.True(t, customer.Patch{}.IsZero())
	require.True(t, customer.Patch{Metadata: map[string]*string{}}.IsZero())
	require.NoError(t, c.Apply(customer.Patch{}, t1))

	assert.Equal(t, before, c, "an empty patch changes nothing, not even UpdatedAt")
	assert.Equal(t, before.Version, c.Version, "Apply never touches Version")
}

func TestApplySetsEveryField(t *testing.T) {
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)

	p := customer.Patch{
		Email:           ptr(" New@Example.COM "),
		Type:            ptr(customer.TypePrivate),
		FirstName:       ptr("  Berta "),
		LastName:        ptr("Beispiel"),
		Phone:           ptr("+1 650 253 0000"),
		Company:         ptr(""),
		VATID:           ptr(""),
		Note:            ptr("new note"),
		Tags:            &[]string{"B", "a", "b"},
		Metadata:        map[string]*string{"crm_id": nil, "source": ptr("import")},
		Reference:       ptr(""),
		ReferenceOrigin: ptr(""),
	}
	require.False(t, p.IsZero())
	require.NoError(t, c.Apply(p, t1))

	assert.Equal(t, customer.Email{Address: "new@example.com", Display: "New@Example.COM"}, c.Email)
	assert.Equal(t, customer.TypePrivate, c.Type)
	assert.False(t, c.PricesExcludeVAT())
	assert.Equal(t, "Berta", c.FirstName)
	assert.Equal(t, "Beispiel", c.LastName)
	assert.Equal(t, "+16502530000", c.Phone)
	assert.Empty(t, c.Company)
	assert.Empty(t, c.VATID)
	assert.Equal(t, "new note", c.Note)
	assert.Equal(t, []string{"a", "b"}, c.Tags)
	assert.Equal(t, map[string]string{"source": "import"}, c.Metadata)
	assert.Empty(t, c.Reference)
	assert.Empty(t, c.ReferenceOrigin)
	assert.Equal(t, t0, c.CreatedAt)
	assert.Equal(t, t1, c.UpdatedAt)
	require.NoError(t, c.Validate())
}

func TestApplyMetadataAndTagsSemantics(t *testing.T) {
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)

	// Keys not named are kept; deleting a missing key is fine.
	require.NoError(t, c.Apply(customer.Patch{Metadata: map[string]*string{"a": ptr("1"), "missing": nil}}, t1))
	assert.Equal(t, map[string]string{"crm_id": "42", "a": "1"}, c.Metadata)

	// Deleting every key leaves nil.
	require.NoError(t, c.Apply(customer.Patch{Metadata: map[string]*string{"a": nil, "crm_id": nil}}, t1))
	assert.Nil(t, c.Metadata)

	// Adding to nil metadata.
	require.NoError(t, c.Apply(customer.Patch{Metadata: map[string]*string{"x": ptr("y")}}, t1))
	assert.Equal(t, map[string]string{"x": "y"}, c.Metadata)

	// An empty tag slice clears; a nil Tags pointer keeps.
	require.NoError(t, c.Apply(customer.Patch{FirstName: ptr("Z")}, t1))
	assert.Equal(t, []string{"vip", "wholesale"}, c.Tags)
	require.NoError(t, c.Apply(customer.Patch{Tags: &[]string{}}, t1))
	assert.Nil(t, c.Tags)
}

func TestApplyDoesNotShareInput(t *testing.T) {
	c, err := customer.NewRegistered(testID, fullParams(), t0)
	require.NoError(t, err)
	tags := []string{"a", "b"}
	v := "1"
	require.NoError(t, c.Apply(customer.Patch{Tags: &tags, Metadata: map[string]*string{"k": &v}}, t1))
	tags[0] = "z"
	v = "2"
	assert.Equal(t, []string{"a", "b"}, c.Tags)
	assert.Equal(t, "1", c.Metadata["k"])
}

func TestApplyErrorLeavesCustomerUnchanged(t *testing.T) {
	tests := []struct {
		name  string
		patch customer.Patch
		field string
	}{
		{"bad email", customer.Patch{FirstName: ptr("Changed"), Email: ptr("not an email")}, "email"},
		{"empty email", customer.Patch{Email: ptr("")}, "email"},
		{"erased domain", customer.Patch{Email: ptr("x@erased.invalid")}, "email"},
		{"zero type", customer.Patch{Type: ptr(customer.Type(0))}, "type"},
		{"private with VAT ID kept", customer.Patch{Type: ptr(customer.TypePrivate)}, "vat_id"},
		{"bad phone", customer.Patch{FirstName: ptr("Changed"), Phone: ptr("12345")}, "phone"},
		{"long first name", customer.Patch{FirstName: ptr(strings.Repeat("x", 101))}, "first_name"},
		{"long last name", customer.Patch{LastName: ptr(strings.Repeat("x", 101))}, "last_name"},
		{"long company", customer.Patch{Company: ptr(strings.Repeat("x", 201))}, "company"},
		{"long note", customer.Patch{Note: ptr(strings.Repeat("x", 5001))}, "note"},
		{"bad VAT ID", customer.Patch{VATID: ptr("DE_1")}, "vat_id"},
		{"bad tags", customer.Patch{Metadata: map[string]*string{"new": ptr("v")}, Tags: &[]string{""}}, "tags"},
		{"metadata over the limit", customer.Patch{Metadata: ptrMap(manyKeys(50))}, "metadata"},
		{"metadata bad value", customer.Patch{Metadata: map[string]*string{"k": ptr("a\x00")}}, "metadata.k"},
		{"reference without origin", customer.Patch{ReferenceOrigin: ptr("")}, "reference_origin"},
		{"origin without reference", customer.Patch{Reference: ptr("")}, "reference"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := customer.NewRegistered(testID, fullParams(), t0)
			require.NoError(t, err)
			before := c.Clone()
			err = c.Apply(tt.patch, t1)
			requireFieldError(t, err, tt.field)
			assert.Equal(t, before, c)
		})
	}
}

func ptrMap(m map[string]string) map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = ptr(v)
	}
	return out
}

func TestApplyTypeAndVATTogether(t *testing.T) {
	c, err := customer.NewRegistered(testID, customer.Params{Email: "bob@example.com"}, t0)
	require.NoError(t, err)

	// Setting a VAT ID on a private customer fails...
	before := c.Clone()
	requireFieldError(t, c.Apply(customer.Patch{VATID: ptr("DE123456789")}, t1), "vat_id")
	assert.Equal(t, before, c)

	// ...but works together with the switch to business.
	require.NoError(t, c.Apply(customer.Patch{Type: ptr(customer.TypeBusiness), VATID: ptr("de123456789")}, t1))
	assert.Equal(t, "DE123456789", c.VATID)
	assert.True(t, c.PricesExcludeVAT())

	// And back to private only when the VAT ID is cleared.
	require.NoError(t, c.Apply(customer.Patch{Type: ptr(customer.TypePrivate), VATID: ptr("")}, t2))
	assert.Empty(t, c.VATID)
}

func TestApplyRefusesErasedCustomer(t *testing.T) {
	c := customerInState(t, customer.StateErased)
	before := c.Clone()
	err := c.Apply(customer.Patch{FirstName: ptr("Back")}, t1)
	require.ErrorIs(t, err, customer.ErrErased)
	assert.Equal(t, before, c)
}

func TestApplyConvertsTimeToUTC(t *testing.T) {
	c := customerInState(t, customer.StateActive)
	require.NoError(t, c.Apply(customer.Patch{Note: ptr("x")}, t1.Local()))
	assert.Equal(t, t1, c.UpdatedAt)
	assert.Equal(t, "UTC", c.UpdatedAt.Location().String())
}
