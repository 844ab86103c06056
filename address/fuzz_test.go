package address_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
)

// FuzzParse checks that Parse never panics and that what it accepts is a
// fixed point: parsing an accepted address again returns it unchanged.
func FuzzParse(f *testing.F) {
	f.Add("Heidestraße 17", "Köln", "de", "+49 30 123456")
	f.Add("x", "y", "EU", "")
	f.Add(" a\u0301 ", "\xff", "DEU", "030 123456")
	f.Add("a", "b", "us", "+1 (650) 253-0000")
	f.Fuzz(func(t *testing.T, line1, city, country, phone string) {
		a, err := address.Parse(address.Address{Line1: line1, City: city, Country: country, Phone: phone})
		if err != nil {
			return
		}
		require.NoError(t, a.Validate())
		again, err := address.Parse(a)
		require.NoError(t, err)
		require.Equal(t, a, again)
	})
}
