package password_test

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele/password"
)

// legacyVector is a hash made by another library, and its password.
type legacyVector struct {
	name, password, encoded string
	heavy                   bool // costs tens of MiB and a noticeable time: skipped in -short
}

// verifyVectors checks that each vector matches its password, asks for a
// rehash, and refuses a wrong password.
func verifyVectors(t *testing.T, vectors []legacyVector) {
	t.Helper()
	h := password.Default()
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			if v.heavy && testing.Short() {
				t.Skip("heavy vector skipped in -short mode")
			}
			ok, rehash, err := h.Verify(v.encoded, v.password)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.True(t, rehash, "a matching hash of another algorithm must be rehashed")

			for _, wrong := range []string{v.password + "x", strings.ToUpper(v.password), ""} {
				if wrong == v.password {
					continue
				}
				ok, rehash, err = h.Verify(v.encoded, wrong)
				require.NoError(t, err)
				assert.False(t, ok, "%q", wrong)
				assert.False(t, rehash)
			}
		})
	}
}

// Hashes made by Python's bcrypt 3.2.2 (Debian python3-bcrypt):
// bcrypt.hashpw(pw, bcrypt.gensalt(rounds=4)); the "$2y$" one by
// bcrypt.hashpw(pw, b"$2y$04$<salt of the first>"), which writes PHP's
// prefix.
var pythonBcryptVectors = []legacyVector{
	{name: "2b", password: "correct horse battery staple",
		encoded: "$2b$04$d29ktPxZ4d5vpVlNOAKFy.lkDYQaeC5qleP.YeZKEvI5UniKk1iES"},
	{name: "2b unicode", password: "Grüße, Jürgen ❤",
		encoded: "$2b$04$ggIm9r2hQ1olohPo3x2L9.v4sjvhtwe0iHTebn8qdew9MI/SgNDt6"},
	{name: "2y", password: "correct horse battery staple",
		encoded: "$2y$04$d29ktPxZ4d5vpVlNOAKFy.lkDYQaeC5qleP.YeZKEvI5UniKk1iES"},
}

func TestVerify_Bcrypt(t *testing.T) {
	t.Run("python bcrypt", func(t *testing.T) { verifyVectors(t, pythonBcryptVectors) })

	t.Run("x/crypto bcrypt", func(t *testing.T) {
		var vectors []legacyVector
		for _, pw := range []string{"correct horse battery staple", "Grüße, Jürgen ❤", strings.Repeat("😀", 18)} {
			b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
			require.NoError(t, err)
			require.True(t, strings.HasPrefix(string(b), "$2a$04$"))
			vectors = append(vectors, legacyVector{name: pw, password: pw, encoded: string(b)})
		}
		verifyVectors(t, vectors)
	})
}

func TestVerify_Bcrypt72ByteRule(t *testing.T) {
	pw72 := strings.Repeat("0123456789ab", 6)
	require.Len(t, pw72, 72)
	b, err := bcrypt.GenerateFromPassword([]byte(pw72), bcrypt.MinCost)
	require.NoError(t, err)
	// bcrypt itself accepts the longer password: the rule is this package's.
	require.NoError(t, bcrypt.CompareHashAndPassword(b, []byte(pw72+"anything")))

	tests := []struct {
		name     string
		password string
		ok       bool
	}{
		{"exactly the 72 bytes", pw72, true},
		{"73 bytes", pw72 + "x", false},
		{"72 bytes and more", pw72 + "anything at all", false},
		{"71 bytes", pw72[:71], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := password.Default().Verify(string(b), tt.password)
			require.NoError(t, err, "a long password is a mismatch, not an error")
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.ok, rehash)
		})
	}

	t.Run("multi-byte characters count in bytes", func(t *testing.T) {
		pw := strings.Repeat("é", 36) // 72 bytes
		b, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
		require.NoError(t, err)
		ok, _, err := password.Default().Verify(string(b), pw)
		require.NoError(t, err)
		assert.True(t, ok)
		ok, _, err = password.Default().Verify(string(b), pw+"é")
		require.NoError(t, err)
		assert.False(t, ok)
	})
}

func TestVerify_BcryptCostLimit(t *testing.T) {
	b, err := bcrypt.GenerateFromPassword([]byte("pw"), 5)
	require.NoError(t, err)
	h := &password.Argon2id{Limits: password.Limits{MaxBcryptCost: 4}}
	_, _, err = h.Verify(string(b), "pw")
	assert.ErrorIs(t, err, password.ErrHashParams)
	assert.Contains(t, err.Error(), "bcrypt cost 5 is above the limit of 4")

	// $2a$31$ would take days to compute: it is refused without running.
	_, _, err = password.Default().Verify("$2a$31$"+string(b[7:]), "pw")
	assert.ErrorIs(t, err, password.ErrHashParams)
}

// Hashes made by passlib 1.7.4 (Debian python3-passlib, stdlib hashlib
// backend): passlib.hash.scrypt.using(rounds=ln, block_size=r,
// parallelism=p).hash(pw). The first uses passlib's defaults (ln=16, r=8,
// p=1: 64 MiB).
var passlibScryptVectors = []legacyVector{
	{name: "passlib defaults", password: "correct horse battery staple", heavy: true,
		encoded: "$scrypt$ln=16,r=8,p=1$NwYg5Nw7J4RQivF+j3FujQ$9q0eBvr3llqMjTp6luWIoNDQ4y/ubWKSq/loCFgfgIc"},
	{name: "ln=10 unicode", password: "Grüße, Jürgen ❤",
		encoded: "$scrypt$ln=10,r=8,p=1$rJUyJmTsvbdWSimldM4ZYw$GZBmhFH4XxBb3yQO30YD1dNy/kcN2GS/Qg+9LcXylC0"},
	{name: "ln=4 r=1", password: "tiny",
		encoded: "$scrypt$ln=4,r=1,p=1$es+ZsxZibE0JwVjrfW8txQ$6utm6VDmQKr54iQDWXbT2J4QT9JboEhLlPaQn5Tolp4"},
	{name: "ln=4 r=2 p=2", password: "p2",
		encoded: "$scrypt$ln=4,r=2,p=2$tRbinDPG2Lu3tnaO0RqjNA$QBldQo79uKJz6raAgtEy0diGEZFAsIeSoPujLv9XGSI"},
}

func TestVerify_ScryptPasslib(t *testing.T) {
	verifyVectors(t, passlibScryptVectors)

	// The same hashes in the spellings passlib's other formats use: "adapted
	// base64" ('.' for '+') and padded base64. These strings are derived
	// from passlib's by hand (passlib writes scrypt in plain unpadded base64).
	base := passlibScryptVectors[2] // "es+Z..." has a '+'
	require.Contains(t, base.encoded, "+")
	f := strings.Split(base.encoded, "$")
	variants := []legacyVector{
		{name: "adapted base64", password: base.password, encoded: strings.ReplaceAll(base.encoded, "+", ".")},
		{name: "padded", password: base.password, encoded: strings.Join([]string{"", f[1], f[2], f[3] + "==", f[4] + "="}, "$")},
	}
	verifyVectors(t, variants)

	t.Run("tampered key is a mismatch", func(t *testing.T) {
		tampered := strings.Replace(base.encoded, "$6utm", "$6utn", 1)
		ok, _, err := password.Default().Verify(tampered, base.password)
		require.NoError(t, err)
		assert.False(t, ok)
	})
	t.Run("key length is that of the stored key", func(t *testing.T) {
		// The first 16 bytes of the 32-byte key are a valid 16-byte hash.
		key, err := base64.RawStdEncoding.DecodeString(f[4])
		require.NoError(t, err)
		short := strings.Join([]string{"", f[1], f[2], f[3], base64.RawStdEncoding.EncodeToString(key[:16])}, "$")
		ok, _, err := password.Default().Verify(short, base.password)
		require.NoError(t, err)
		assert.True(t, ok)
	})
}

// Hashes made by the npm package scrypt-kdf 4.0.0 (Node 20):
// Buffer.from(await Scrypt.kdf(pw, params)).toString("base64"), as Medusa's
// emailpass provider stores them; the first with Medusa's default
// parameters (logN 15, r 8, p 1: 32 MiB). Each was checked with
// Scrypt.verify.
var scryptKDFVectors = []legacyVector{
	{name: "medusa defaults", password: "correct horse battery staple", heavy: true,
		encoded: "c2NyeXB0AA8AAAAIAAAAARltXAvA5TgXH+4t/bLzl/AirYOUC4lMkpKEVIeCpQ5iA9ZH9+3nOmBOyUrpiSVWUKgqmEYhIKqQ21iZm+fZDjJffs5wyaC7k8QaqDqhnPMn"},
	{name: "logN 10 unicode", password: "Grüße, Jürgen ❤",
		encoded: "c2NyeXB0AAoAAAAIAAAAAehAQ9qQiLVi1dnF0aB+2AklJ/fQqSA7vorj854ZAzC9/qciyfuW01yRWCrcFQfnZo0W3d3kLHnSuAZp7ZXIs8py41vqfbTwnFBdM1tlZ6mU"},
	{name: "logN 4 r 1", password: "tiny",
		encoded: "c2NyeXB0AAQAAAABAAAAAaNVloU3XDtMbI8ZR7QmQYZDzuHykcC85mscBqcam2rKSGGyCW3ybS5QNxAjXaW76bYqkPj2HBtMInKCivAQ0kWfpKBVQGIYOr/LXxp9aPX/"},
	{name: "logN 4 r 2 p 2", password: "p2",
		encoded: "c2NyeXB0AAQAAAACAAAAAinVTBVQoGJY1Cv5yiN9r2KRtjMLbrq5KseDYN96e+HnGLM+/HIxILDm57L4sy5dfGZzimMgxqKWd+RRUZ1K37fhTvOWDQkp7p4ZZlitrg0+"},
}

// scryptKDFWith returns the "logN 4 r 1" scrypt-kdf vector changed by edit,
// with its checksum recomputed so that only the edit is wrong.
func scryptKDFWith(t *testing.T, edit func([]byte)) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(scryptKDFVectors[2].encoded)
	require.NoError(t, err)
	edit(b)
	sum := sha256.Sum256(b[:48])
	copy(b[48:64], sum[:16])
	return base64.StdEncoding.EncodeToString(b)
}

func TestVerify_ScryptKDF(t *testing.T) {
	verifyVectors(t, scryptKDFVectors)

	const pw = "tiny"
	raw, err := base64.StdEncoding.DecodeString(scryptKDFVectors[2].encoded)
	require.NoError(t, err)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	tests := []struct {
		name    string
		encoded string
		wantErr error // nil: a mismatch
	}{
		{"checksum recomputed, unchanged", scryptKDFWith(t, func([]byte) {}), nil},
		{"salt changed: wrong checksum", flip(20), password.ErrMalformedHash},
		{"checksum changed", flip(50), password.ErrMalformedHash},
		{"magic changed, checksum recomputed", scryptKDFWith(t, func(b []byte) { b[5] = 'T' }), password.ErrMalformedHash},
		{"version 1, checksum recomputed", scryptKDFWith(t, func(b []byte) { b[6] = 1 }), password.ErrMalformedHash},
		{"salt changed, checksum recomputed", scryptKDFWith(t, func(b []byte) { b[20] ^= 1 }), nil},
		{"hmac changed", flip(70), nil},
		{"r changed, checksum recomputed", scryptKDFWith(t, func(b []byte) { b[11] = 2 }), nil},
		{"truncated", scryptKDFVectors[2].encoded[:124], password.ErrMalformedHash},
		{"url-safe base64", strings.NewReplacer("+", "-", "/", "_").Replace(scryptKDFVectors[2].encoded), password.ErrMalformedHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := password.Default().Verify(tt.encoded, pw)
			if tt.name == "checksum recomputed, unchanged" {
				require.NoError(t, err)
				assert.True(t, ok, "the helper must keep a valid hash valid")
				return
			}
			assert.False(t, ok)
			assert.False(t, rehash)
			if tt.wantErr == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.wantErr)
			}
		})
	}
}
