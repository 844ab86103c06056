package market_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/market"
)

func TestValidationMessagesQuoteAndCutValues(t *testing.T) {
	_, err := market.ParseBusinessModel(strings.Repeat("\n\x1b[2J", 1<<18))
	require.ErrorIs(t, err, market.ErrInvalid)
	assert.LessOrEqual(t, len(err.Error()), 512)
	assert.NotContains(t, err.Error(), "\n")
}
