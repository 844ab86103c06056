package address_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
)

func TestValidationMessagesQuoteAndCutValues(t *testing.T) {
	hostile := strings.Repeat("\n\x1b[2J", 1<<18)
	for what, err := range map[string]error{
		"country": address.ValidateCountry(hostile),
		"kind":    func() error { _, err := address.ParseKind(hostile); return err }(),
	} {
		require.ErrorIs(t, err, address.ErrInvalid, what)
		assert.LessOrEqual(t, len(err.Error()), 512, what)
		assert.NotContains(t, err.Error(), "\n", what)
	}
}
