package sqlstore

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/market"
)

// TestTaxDisplayColumnKeepsItsText pins markets.tax_display: the text
// every release since migration 0019 has written (the empty string for the
// default, by customer), so rows from before market.TaxDisplay became an
// int enum read alike, and rows written now read in those releases.
func TestTaxDisplayColumnKeepsItsText(t *testing.T) {
	for td, stored := range map[market.TaxDisplay]string{
		market.TaxDisplayByCustomer: "", market.TaxDisplayGross: "gross", market.TaxDisplayNet: "net",
	} {
		m, err := market.New(uuid.MustParse("0195a1b2-0000-7000-8000-000000000001"), market.Params{
			MerchantID: uuid.MustParse("0195a1b2-0000-7000-8000-000000000002"), Code: "de", Name: "DE",
			BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"), TaxDisplay: td,
		}, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		args, err := marketArgs(m)
		require.NoError(t, err)
		assert.Equal(t, stored, args[len(args)-1], "%s", td)

		back, err := scanMarket(fakeRow(args))
		require.NoError(t, err)
		assert.Equal(t, td, back.TaxDisplay)
	}

	for in, want := range map[string]market.TaxDisplay{
		"": market.TaxDisplayByCustomer, "by_customer": market.TaxDisplayByCustomer,
		"gross": market.TaxDisplayGross, "net": market.TaxDisplayNet,
	} {
		got, err := parseTaxDisplayColumn(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	_, err := parseTaxDisplayColumn("half")
	assert.ErrorIs(t, err, market.ErrInvalid, "an unknown stored value is an error")
}
