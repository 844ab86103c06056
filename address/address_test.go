package address_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
)

func valid() address.Address {
	return address.Address{
		FirstName:  "Erika",
		LastName:   "Mustermann",
		Line1:      "Heidestraße 17",
		City:       "Köln",
		PostalCode: "51147",
		Country:    "DE",
		Phone:      "+4930123456",
	}
}

func ptr[T any](v T) *T { return &v }

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	var ve *address.ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
	assert.Equal(t, field, ve.Field)
	assert.ErrorIs(t, err, address.ErrInvalid)
}

func TestParseCountry(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means rejected
	}{
		{"DE", "DE"},
		{"de", "DE"},
		{" fr ", "FR"},
		{"Us", "US"},
		{"GB", "GB"},
		{"XK", "XK"}, // Kosovo: user-assigned but used by CLDR and carriers
		{"", ""},
		{"XX", ""},    // private use
		{"ZZ", ""},    // unknown region
		{"AA", ""},    // private use
		{"QO", ""},    // outlying Oceania, a grouping
		{"EU", ""},    // a union, not a country
		{"UN", ""},    // exceptionally reserved
		{"UK", ""},    // exceptionally reserved, the code is GB
		{"AC", ""},    // exceptionally reserved
		{"IC", ""},    // exceptionally reserved
		{"DD", ""},    // withdrawn (East Germany)
		{"YU", ""},    // withdrawn (Yugoslavia)
		{"SU", ""},    // withdrawn (Soviet Union)
		{"AN", ""},    // withdrawn (Netherlands Antilles)
		{"DEU", ""},   // alpha-3
		{"276", ""},   // numeric
		{"419", ""},   // numeric macro-region
		{"D", ""},     // too short
		{"D1", ""},    // not letters
		{"ÄÖ", ""},    // not ASCII
		{"D\x00", ""}, // control character
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a := valid()
			a.Country = tt.in
			got, err := address.Parse(a)
			if tt.want == "" {
				requireField(t, err, "country")
				assert.Equal(t, address.Address{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Country)
		})
	}
}

func TestValidateCountryRequiresCanonicalForm(t *testing.T) {
	require.NoError(t, address.ValidateCountry("DE"))
	requireField(t, address.ValidateCountry("de"), "country")
	a := valid()
	a.Country = "de"
	requireField(t, a.Validate(), "country") // Validate does not normalize
}

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"+4930123456", "+4930123456", true},
		{"+49 30 123456", "+4930123456", true},
		{" +49 (30) 123-456 ", "+4930123456", true},
		{"+1 650 253 0000", "+16502530000", true},
		{"+44 20 7946 0958", "+442079460958", true},
		{"030 123456", "", false},           // national format: no country code
		{"004930123456", "", false},         // international prefix instead of +
		{"+999123", "", false},              // unknown country calling code
		{"+49", "", false},                  // no subscriber number
		{"+49 30 123456 ext. 7", "", false}, // extensions are not E.164
		{"+1 555", "", false},               // too short
		{"call me", "", false},
		{"+" + strings.Repeat("1", 100), "", false},
		{"+4930\x01123456", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a := valid()
			a.Phone = tt.in
			got, err := address.Parse(a)
			if !tt.ok {
				requireField(t, err, "phone")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Phone)
		})
	}
}

func TestValidatePhoneRequiresE164(t *testing.T) {
	a := valid()
	a.Phone = "+49 30 123456"
	requireField(t, a.Validate(), "phone")
}

func TestParseFields(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*address.Address)
		field string // "" means accepted
	}{
		{"valid", func(*address.Address) {}, ""},
		{"minimal", func(a *address.Address) { *a = address.Address{Line1: "x", City: "y", Country: "fr"} }, ""},
		{"line1 missing", func(a *address.Address) { a.Line1 = "" }, "line1"},
		{"line1 blank", func(a *address.Address) { a.Line1 = " \t " }, "line1"},
		{"city missing", func(a *address.Address) { a.City = "" }, "city"},
		{"country missing", func(a *address.Address) { a.Country = "" }, "country"},
		{"first name control char", func(a *address.Address) { a.FirstName = "Eri\x07ka" }, "first_name"},
		{"last name newline", func(a *address.Address) { a.LastName = "Muster\nmann" }, "last_name"},
		{"company DEL", func(a *address.Address) { a.Company = "ACME\x7f" }, "company"},
		{"line2 C1 control", func(a *address.Address) { a.Line2 = "Hinter\u0085haus" }, "line2"},
		{"city invalid UTF-8", func(a *address.Address) { a.City = "K\xf6ln" }, "city"},
		{"province invalid UTF-8", func(a *address.Address) { a.Province = "\xff" }, "province"},
		{"first name 100 bytes", func(a *address.Address) { a.FirstName = strings.Repeat("a", 100) }, ""},
		{"first name 101 bytes", func(a *address.Address) { a.FirstName = strings.Repeat("a", 101) }, "first_name"},
		{"last name too long", func(a *address.Address) { a.LastName = strings.Repeat("ä", 51) }, "last_name"},
		{"company too long", func(a *address.Address) { a.Company = strings.Repeat("a", 101) }, "company"},
		{"line1 200 bytes", func(a *address.Address) { a.Line1 = strings.Repeat("a", 200) }, ""},
		{"line1 too long", func(a *address.Address) { a.Line1 = strings.Repeat("a", 201) }, "line1"},
		{"line2 too long", func(a *address.Address) { a.Line2 = strings.Repeat("a", 201) }, "line2"},
		{"city too long", func(a *address.Address) { a.City = strings.Repeat("a", 201) }, "city"},
		{"postal code 20 bytes", func(a *address.Address) { a.PostalCode = strings.Repeat("1", 20) }, ""},
		{"postal code too long", func(a *address.Address) { a.PostalCode = strings.Repeat("1", 21) }, "postal_code"},
		{"province too long", func(a *address.Address) { a.Province = strings.Repeat("a", 101) }, "province"},
		{"unicode text", func(a *address.Address) {
			a.Line1 = "東京都千代田区千代田1-1"
			a.Country = "JP"
			a.Phone = ""
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := valid()
			tt.edit(&a)
			_, err := address.Parse(a)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			requireField(t, err, tt.field)
		})
	}
}

func TestNormalize(t *testing.T) {
	a := address.Address{
		FirstName: "  Jose\u0301 ", // decomposed é
		Line1:     "\tMain St 1\n",
		City:      " Berlin ",
		Country:   " de ",
		Phone:     " +49 30 123456 ",
	}
	got := a.Normalize()
	assert.Equal(t, address.Address{
		FirstName: "José", // composed
		Line1:     "Main St 1",
		City:      "Berlin",
		Country:   "DE",
		Phone:     "+4930123456",
	}, got)
	assert.Equal(t, got, got.Normalize(), "Normalize is idempotent")

	// Normalization never alters text (x/text v0.34 would turn this into "Á").
	odd := "\U00010041\u0301"
	assert.Equal(t, odd, address.Address{City: odd}.Normalize().City)

	// Values Normalize cannot fix are kept for Validate to report.
	bad := address.Address{Phone: "030 123456", City: "K\xf6ln"}.Normalize()
	assert.Equal(t, "030 123456", bad.Phone)
	assert.Equal(t, "K\xf6ln", bad.City)
}

func TestPatchApply(t *testing.T) {
	base := valid()
	base.Company = "ACME"

	t.Run("zero patch changes nothing", func(t *testing.T) {
		var p address.Patch
		assert.True(t, p.IsZero())
		assert.Equal(t, base, p.Overlay(base))
	})
	t.Run("nil fields are never nulled", func(t *testing.T) {
		p := address.Patch{City: ptr("Bonn")}
		assert.False(t, p.IsZero())
		got := p.Overlay(base)
		want := base
		want.City = "Bonn"
		assert.Equal(t, want, got)
	})
	t.Run("empty string clears an optional field", func(t *testing.T) {
		got := address.Patch{Company: ptr(""), Phone: ptr("")}.Overlay(base)
		assert.Empty(t, got.Company)
		assert.Empty(t, got.Phone)
		assert.Equal(t, base.Line1, got.Line1)
		_, err := address.Parse(got)
		require.NoError(t, err)
	})
	t.Run("clearing a required field fails validation", func(t *testing.T) {
		_, err := address.Parse(address.Patch{Line1: ptr("")}.Overlay(base))
		requireField(t, err, "line1")
		_, err = address.Patch{Line1: ptr("")}.Apply(base)
		requireField(t, err, "line1")
	})
	t.Run("Apply normalizes and validates", func(t *testing.T) {
		got, err := address.Patch{City: ptr("  Bonn "), Country: ptr("fr")}.Apply(base)
		require.NoError(t, err)
		assert.Equal(t, "Bonn", got.City)
		assert.Equal(t, "FR", got.Country)
		_, err = address.Patch{Country: ptr("ZZ")}.Apply(base)
		requireField(t, err, "country")
	})
	t.Run("every field", func(t *testing.T) {
		p := address.Patch{
			FirstName: ptr("a"), LastName: ptr("b"), Company: ptr("c"), Line1: ptr("d"), Line2: ptr("e"),
			City: ptr("f"), PostalCode: ptr("g"), Province: ptr("h"), Country: ptr("FR"), Phone: ptr("+33123456789"),
		}
		assert.Equal(t, address.Address{
			FirstName: "a", LastName: "b", Company: "c", Line1: "d", Line2: "e",
			City: "f", PostalCode: "g", Province: "h", Country: "FR", Phone: "+33123456789",
		}, p.Overlay(base))
	})
	t.Run("apply does not modify its input", func(t *testing.T) {
		before := base
		_ = address.Patch{City: ptr("Bonn")}.Overlay(base)
		assert.Equal(t, before, base)
	})
	t.Run("clone shares no pointers", func(t *testing.T) {
		p := address.Patch{City: ptr("Bonn")}
		c := p.Clone()
		*c.City = "Essen"
		assert.Equal(t, "Bonn", *p.City)
		assert.Nil(t, c.Line1)
	})
}

func TestKind(t *testing.T) {
	for _, k := range []address.Kind{address.Shipping, address.Billing} {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var got address.Kind
		require.NoError(t, got.UnmarshalText(b))
		assert.Equal(t, k, got)
		p, err := address.ParseKind(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, p)
	}
	assert.Equal(t, "shipping", address.Shipping.String())
	assert.Equal(t, "billing", address.Billing.String())

	var zero address.Kind
	assert.False(t, zero.Valid())
	assert.Equal(t, "Kind(0)", zero.String())
	_, err := zero.MarshalText()
	requireField(t, err, "kind")
	for _, s := range []string{"Shipping", " shipping ", "SHIPPING\t"} {
		got, err := address.ParseKind(s)
		require.NoError(t, err, "trimmed and case-folded: %q", s)
		assert.Equal(t, address.Shipping, got)
	}
	for _, s := range []string{"", "both", "0", "ship ping"} {
		_, err := address.ParseKind(s)
		requireField(t, err, "kind")
		k := address.Billing
		requireField(t, k.UnmarshalText([]byte(s)), "kind")
		assert.Equal(t, address.Billing, k, "unchanged on error")
	}
}
