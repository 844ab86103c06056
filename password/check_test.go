package password_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele/password"
)

// CheckHash accepts what Verify reads and refuses, without running it,
// what Verify refuses.
func TestCheckHash(t *testing.T) {
	h := &password.Argon2id{Memory: 64, Time: 1, Threads: 1}
	own, err := h.Hash("correct-horse")
	require.NoError(t, err)
	bc, err := bcrypt.GenerateFromPassword([]byte("correct-horse"), 4)
	require.NoError(t, err)
	for _, ok := range []string{own, string(bc), scryptKDFVectors[0].encoded, passlibScryptVectors[2].encoded} {
		assert.NoError(t, password.CheckHash(ok, password.Limits{}), "%.20s", ok)
	}
	bad := []struct {
		hash string
		want error
	}{
		{"", password.ErrMalformedHash},
		{"plaintext", password.ErrMalformedHash},
		{strings.Repeat("$", 600), password.ErrMalformedHash},
		{"$2a$31$" + strings.Repeat("a", 53), password.ErrHashParams},
		{"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", password.ErrHashParams},
		{"$scrypt$ln=40,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", password.ErrHashParams},
		{scryptKDFVectors[0].encoded[:124] + "AAAA", nil}, // the HMAC is not checked without a password
	}
	for _, tt := range bad {
		err := password.CheckHash(tt.hash, password.Limits{})
		if tt.want == nil {
			assert.NoError(t, err)
			continue
		}
		assert.ErrorIs(t, err, tt.want, "%.30s", tt.hash)
	}
}
