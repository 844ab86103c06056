package merchant_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/merchant"
)

var (
	mid = uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01")
	t0  = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

func params() merchant.Params {
	return merchant.Params{
		Name: "ACME GmbH",
		BillingAddress: address.Address{
			Company: "ACME GmbH", Line1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117",
			Country: "DE", Phone: "+4930123456",
		},
		Metadata: map[string]string{"erp_id": "42"},
	}
}

func newMerchant(t *testing.T) merchant.Merchant {
	t.Helper()
	m, err := merchant.New(mid, params(), t0)
	require.NoError(t, err)
	return m
}

func requireField(t *testing.T, err error, field string) *merchant.ValidationError {
	t.Helper()
	require.Error(t, err)
	var ve *merchant.ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
	assert.Equal(t, field, ve.Field)
	assert.ErrorIs(t, err, merchant.ErrInvalid)
	return ve
}

func TestNew(t *testing.T) {
	p := params()
	p.Name = "  ACME GmbH "
	p.BillingAddress.Country = "de"
	p.BillingAddress.Phone = "+49 30 123456"
	m, err := merchant.New(mid, p, t0.In(time.FixedZone("X", 3600)))
	require.NoError(t, err)
	assert.Equal(t, mid, m.ID)
	assert.Equal(t, "ACME GmbH", m.Name)
	assert.Equal(t, "DE", m.BillingAddress.Country, "billing address is normalized")
	assert.Equal(t, "+4930123456", m.BillingAddress.Phone)
	assert.Equal(t, time.UTC, m.CreatedAt.Location())
	assert.True(t, m.CreatedAt.Equal(t0))
	assert.Equal(t, m.CreatedAt, m.UpdatedAt)
	assert.Zero(t, m.Version)
	require.NoError(t, m.Validate())

	p.Metadata["erp_id"] = "changed"
	assert.Equal(t, "42", m.Metadata["erp_id"], "metadata is copied")
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name  string
		id    uuid.UUID
		edit  func(*merchant.Params)
		field string
	}{
		{"nil id", uuid.Nil, func(*merchant.Params) {}, "id"},
		{"no name", mid, func(p *merchant.Params) { p.Name = " " }, "name"},
		{"name too long", mid, func(p *merchant.Params) { p.Name = strings.Repeat("n", 201) }, "name"},
		{"name control char", mid, func(p *merchant.Params) { p.Name = "AC\x00ME" }, "name"},
		{"name invalid UTF-8", mid, func(p *merchant.Params) { p.Name = "AC\xffME" }, "name"},
		{"no billing address", mid, func(p *merchant.Params) { p.BillingAddress = address.Address{} }, "billing_address.line1"},
		{"billing country EU", mid, func(p *merchant.Params) { p.BillingAddress.Country = "EU" }, "billing_address.country"},
		{"billing country alpha-3", mid, func(p *merchant.Params) { p.BillingAddress.Country = "DEU" }, "billing_address.country"},
		{"billing phone", mid, func(p *merchant.Params) { p.BillingAddress.Phone = "030 123456" }, "billing_address.phone"},
		{"billing city too long", mid, func(p *merchant.Params) { p.BillingAddress.City = strings.Repeat("c", 201) }, "billing_address.city"},
		{"metadata", mid, func(p *merchant.Params) { p.Metadata = map[string]string{"k": "a\x00"} }, "metadata.k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := params()
			tt.edit(&p)
			m, err := merchant.New(tt.id, p, t0)
			ve := requireField(t, err, tt.field)
			assert.Equal(t, merchant.Merchant{}, m)
			if strings.HasPrefix(tt.field, "billing_address.") {
				assert.ErrorIs(t, err, address.ErrInvalid, "address errors also unwrap to address.ErrInvalid")
				assert.True(t, strings.HasPrefix(ve.Error(), "billing_address."))
			}
		})
	}
	requireField(t, merchant.Merchant{}.Validate(), "id")
}

func TestApply(t *testing.T) {
	later := t0.Add(time.Hour)
	t.Run("zero patch changes nothing", func(t *testing.T) {
		m := newMerchant(t)
		before := m.Clone()
		require.NoError(t, m.Apply(merchant.Patch{}, later))
		require.NoError(t, m.Apply(merchant.Patch{BillingAddress: &address.Patch{}, Metadata: map[string]*string{}}, later))
		assert.Equal(t, before, m)
	})
	t.Run("name only", func(t *testing.T) {
		m := newMerchant(t)
		before := m.Clone()
		require.NoError(t, m.Apply(merchant.Patch{Name: ptr(" ACME AG ")}, later))
		assert.Equal(t, "ACME AG", m.Name)
		assert.Equal(t, before.BillingAddress, m.BillingAddress, "nil fields are never nulled")
		assert.Equal(t, before.Metadata, m.Metadata)
		assert.True(t, m.UpdatedAt.Equal(later))
		assert.True(t, m.CreatedAt.Equal(t0))
	})
	t.Run("address patch keeps unset address fields", func(t *testing.T) {
		m := newMerchant(t)
		before := m.Clone()
		require.NoError(t, m.Apply(merchant.Patch{BillingAddress: &address.Patch{City: ptr("Potsdam"), Phone: ptr("")}}, later))
		want := before.BillingAddress
		want.City = "Potsdam"
		want.Phone = ""
		assert.Equal(t, want, m.BillingAddress)
		assert.Equal(t, before.Name, m.Name)
	})
	t.Run("address patch is normalized", func(t *testing.T) {
		m := newMerchant(t)
		require.NoError(t, m.Apply(merchant.Patch{BillingAddress: &address.Patch{Country: ptr(" at "), Phone: ptr("+43 1 58858")}}, later))
		assert.Equal(t, "AT", m.BillingAddress.Country)
		assert.Equal(t, "+43158858", m.BillingAddress.Phone)
	})
	t.Run("metadata patch", func(t *testing.T) {
		m := newMerchant(t)
		old := m.Metadata
		require.NoError(t, m.Apply(merchant.Patch{Metadata: map[string]*string{"erp_id": nil, "region": ptr("eu")}}, later))
		assert.Equal(t, map[string]string{"region": "eu"}, m.Metadata)
		assert.Equal(t, "42", old["erp_id"], "the previous map is not written to")
		require.NoError(t, m.Apply(merchant.Patch{Metadata: map[string]*string{"region": nil}}, later))
		assert.Nil(t, m.Metadata)
	})
	t.Run("invalid result leaves the merchant unchanged", func(t *testing.T) {
		m := newMerchant(t)
		before := m.Clone()
		err := m.Apply(merchant.Patch{Name: ptr("New"), BillingAddress: &address.Patch{Country: ptr("ZZ")}}, later)
		requireField(t, err, "billing_address.country")
		assert.ErrorIs(t, err, address.ErrInvalid)
		assert.Equal(t, before, m)

		requireField(t, m.Apply(merchant.Patch{BillingAddress: &address.Patch{Line1: ptr("")}}, later), "billing_address.line1")
		requireField(t, m.Apply(merchant.Patch{Name: ptr("")}, later), "name")
		assert.Equal(t, before, m)
	})
}

func TestClone(t *testing.T) {
	m := newMerchant(t)
	c := m.Clone()
	c.Metadata["erp_id"] = "changed"
	c.BillingAddress.City = "changed"
	assert.Equal(t, "42", m.Metadata["erp_id"])
	assert.Equal(t, "Berlin", m.BillingAddress.City)
}

func TestSentinels(t *testing.T) {
	assert.NotErrorIs(t, merchant.ErrNotFound, merchant.ErrHasMarkets)
	assert.NotErrorIs(t, merchant.ErrHasMarkets, merchant.ErrInvalid)
}
