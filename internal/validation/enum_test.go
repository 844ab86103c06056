package validation

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEnum(t *testing.T) {
	names := []string{"", "gift_card", "refund"}
	for in, want := range map[string]int{
		"gift_card": 1, "GIFT_CARD": 1, " Gift_Card\t": 1, "\nrefund ": 2,
	} {
		got, err := Enum(errTest, "kind", in, names)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	for _, bad := range []string{"", " ", "gift card", "gift-card", "refunds", "\u212a", "re\u017ffund"} {
		got, err := Enum(errTest, "kind", bad, names)
		assert.Zero(t, got)
		var ve *Error
		require.True(t, errors.As(err, &ve), "%q", bad)
		assert.Equal(t, "kind", ve.Field)
		assert.ErrorIs(t, err, errTest)
		assert.Contains(t, ve.Reason, "must be one of gift_card, refund")
	}
	_, err := Enum(errTest, "kind", "x", []string{"", "k"})
	assert.EqualError(t, err, `kind: must be one of k, not "x"`)
}

func TestQuoteInput(t *testing.T) {
	assert.Equal(t, `"abc"`, QuoteInput("abc"))
	assert.Equal(t, `"a\nb\u200f"`, QuoteInput("a\nb\u200f"), "control and invisible characters escaped")
	long := QuoteInput(strings.Repeat("é", 100))
	assert.Equal(t, `"`+strings.Repeat("é", 16)+`"...`, long, "cut at 32 bytes on a rune boundary")
	assert.Equal(t, `"`+strings.Repeat("x", 32)+`"...`, QuoteInput(strings.Repeat("x", 33)))
}
