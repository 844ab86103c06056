package customer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

// hostileValue is a megabyte of newlines and escapes: echoed as is, it once
// made multi-megabyte error strings that forged log lines.
var hostileValue = strings.Repeat("\n\x1b[2J", 1<<18)

// requireSafeError fails unless err is a validation error whose text is
// short and holds no raw newline or escape.
func requireSafeError(t *testing.T, err error, what string) {
	t.Helper()
	require.ErrorIs(t, err, customer.ErrInvalid, what)
	assert.LessOrEqual(t, len(err.Error()), 512, what)
	assert.NotContains(t, err.Error(), "\n", what)
	assert.NotContains(t, err.Error(), "\x1b", what)
}

func TestValidationMessagesQuoteAndCutValues(t *testing.T) {
	_, err := customer.ParseStatus(hostileValue)
	requireSafeError(t, err, "ParseStatus")
	_, err = customer.ParseState(hostileValue)
	requireSafeError(t, err, "ParseState")
	_, err = customer.ParseType(hostileValue)
	requireSafeError(t, err, "ParseType")
	for _, tag := range []string{hostileValue, "a\nb", "a,b" + hostileValue, strings.Repeat("t", 1<<20)} {
		_, err = customer.NormalizeTags([]string{tag})
		requireSafeError(t, err, "NormalizeTags")
	}
	_, err = customer.NewRegistered(testID, customer.Params{Email: "a@example.com", Metadata: map[string]string{hostileValue: "v"}}, t0)
	requireSafeError(t, err, "metadata key")
	_, err = customer.NewRegistered(testID, customer.Params{Email: hostileValue}, t0)
	requireSafeError(t, err, "email")
	_, err = customer.NewRegistered(testID, customer.Params{Email: "a@example.com", Reference: hostileValue, ReferenceOrigin: "shop"}, t0)
	requireSafeError(t, err, "reference")
}
