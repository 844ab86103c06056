package password_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/password"
)

// cheap is an argon2id hasher with tiny parameters, for tests that hash or
// verify many times. Its parameters differ from Default's in m and t only.
func cheap() *password.Argon2id {
	return &password.Argon2id{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// assertNoEcho checks that an error repeats none of the secrets.
func assertNoEcho(t *testing.T, err error, secrets ...string) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range secrets {
		if len(s) >= 4 {
			assert.NotContains(t, err.Error(), s, "the error repeats a secret")
		}
	}
}

// phcFields returns the salt and key fields of a PHC string.
func phcFields(t *testing.T, encoded string) (salt, key string) {
	t.Helper()
	f := strings.Split(encoded, "$")
	require.Len(t, f, 6, encoded)
	return f[4], f[5]
}

func TestArgon2id_RoundTrip(t *testing.T) {
	tests := []struct {
		name     string
		password string
	}{
		{"ascii", "correct horse battery staple"},
		{"empty", ""},
		{"one byte", "x"},
		{"64 emoji", strings.Repeat("😀", 64)},
		{"100 characters", strings.Repeat("abcdefghij", 10)},
		{"unicode", "Grüße, Jürgen ❤ 日本語のパスワード"},
		{"spaces kept", "  two  spaces  "},
		{"1000 bytes", strings.Repeat("é", 500)},
	}
	h := password.Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := h.Hash(tt.password)
			require.NoError(t, err)
			ok, rehash, err := h.Verify(encoded, tt.password)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.False(t, rehash, "a hash with the hasher's own parameters needs no rehash")

			ok, rehash, err = h.Verify(encoded, tt.password+"!")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash)
			if tt.password != "" {
				ok, _, err = h.Verify(encoded, tt.password[:len(tt.password)-1])
				require.NoError(t, err)
				assert.False(t, ok, "a prefix of the password must not match")
			}
		})
	}
}

func TestArgon2id_PHCFormat(t *testing.T) {
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)
	h := password.Default()
	a, err := h.Hash("correct horse battery staple")
	require.NoError(t, err)
	b, err := h.Hash("correct horse battery staple")
	require.NoError(t, err)
	require.Regexp(t, phc, a)
	require.Regexp(t, phc, b)
	assert.NotEqual(t, a, b, "every hash has its own salt")

	salt, key := phcFields(t, a)
	rawSalt, err := base64.RawStdEncoding.DecodeString(salt)
	require.NoError(t, err)
	rawKey, err := base64.RawStdEncoding.DecodeString(key)
	require.NoError(t, err)
	assert.Len(t, rawSalt, 16)
	assert.Len(t, rawKey, 32)

	// Custom parameters are written as they are.
	custom := &password.Argon2id{Memory: 1024, Time: 3, Threads: 4, SaltLen: 8, KeyLen: 16}
	c, err := custom.Hash("x")
	require.NoError(t, err)
	assert.Regexp(t, `^\$argon2id\$v=19\$m=1024,t=3,p=4\$[A-Za-z0-9+/]{11}\$[A-Za-z0-9+/]{22}$`, c)
}

// Hashes made by argon2-cffi 21.1.0 (Python, the reference C
// implementation), with PasswordHasher(time_cost, memory_cost, parallelism,
// hash_len, salt_len).
var argon2cffiVectors = []struct {
	name, password, encoded string
	ownParams               bool // the parameters of Default
}{
	{"default parameters", "correct horse battery staple",
		"$argon2id$v=19$m=19456,t=2,p=1$5pJ5NWaW1KPklb0fIrCwuA$qv8Cw2066eFBVSQ9bu4IyCeLFyIbgCE4CThKspFpluY", true},
	{"m=64 t=1 p=2, 8-byte salt, 16-byte key", "Grüße, Jürgen ❤",
		"$argon2id$v=19$m=64,t=1,p=2$jsJRkTdpjT4$lpHqnkSfbj380RwxTd78sA", false},
}

func TestArgon2id_VerifiesOtherImplementations(t *testing.T) {
	h := password.Default()
	for _, v := range argon2cffiVectors {
		t.Run(v.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(v.encoded, v.password)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, !v.ownParams, rehash)

			ok, rehash, err = h.Verify(v.encoded, strings.ToUpper(v.password))
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}
}

func TestArgon2id_Rehash(t *testing.T) {
	verifier := cheap()
	tests := []struct {
		name   string
		hasher *password.Argon2id
		rehash bool
	}{
		{"same parameters", cheap(), false},
		{"zero fields are the defaults, not other parameters", &password.Argon2id{Memory: 64, Time: 1}, false},
		{"memory", &password.Argon2id{Memory: 128, Time: 1}, true},
		{"time", &password.Argon2id{Memory: 64, Time: 2}, true},
		{"threads", &password.Argon2id{Memory: 64, Time: 1, Threads: 2}, true},
		{"salt length", &password.Argon2id{Memory: 64, Time: 1, SaltLen: 32}, true},
		{"key length", &password.Argon2id{Memory: 64, Time: 1, KeyLen: 64}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := tt.hasher.Hash("hunter2 but longer")
			require.NoError(t, err)
			ok, rehash, err := verifier.Verify(encoded, "hunter2 but longer")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, tt.rehash, rehash)

			ok, rehash, err = verifier.Verify(encoded, "hunter3 but longer")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash, "rehash is only for a successful verification")
		})
	}
}

func TestArgon2id_ZeroValueIsDefault(t *testing.T) {
	var zero password.Argon2id
	var nilHasher *password.Argon2id
	for name, h := range map[string]*password.Argon2id{"zero": &zero, "nil": nilHasher} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, h.Validate())
			encoded, err := h.Hash("pass phrase")
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(encoded, "$argon2id$v=19$m=19456,t=2,p=1$"), encoded)
			ok, rehash, err := password.Default().Verify(encoded, "pass phrase")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.False(t, rehash)
			ok, _, err = h.Verify(encoded, "pass phrase")
			require.NoError(t, err)
			assert.True(t, ok)
		})
	}
}

func TestArgon2id_Validate(t *testing.T) {
	tests := []struct {
		name   string
		hasher *password.Argon2id
		ok     bool
	}{
		{"default", password.Default(), true},
		{"OWASP's 46 MiB, t=1", &password.Argon2id{Memory: 47104, Time: 1}, true},
		{"memory above the default limit", &password.Argon2id{Memory: 128 << 10}, false},
		{"memory above the default limit, limit raised", &password.Argon2id{Memory: 128 << 10, Limits: password.Limits{MaxMemoryKiB: 128 << 10}}, true},
		{"time above the limit", &password.Argon2id{Time: 11}, false},
		{"threads above the limit", &password.Argon2id{Threads: 9}, false},
		{"memory below 8 KiB per lane", &password.Argon2id{Memory: 15, Threads: 2}, false},
		{"salt too short", &password.Argon2id{SaltLen: 7}, false},
		{"salt too long", &password.Argon2id{SaltLen: 129}, false},
		{"key too short", &password.Argon2id{KeyLen: 15}, false},
		{"key too long", &password.Argon2id{KeyLen: 129}, false},
		{"key within a raised limit", &password.Argon2id{KeyLen: 200, Limits: password.Limits{MaxKeyLen: 256}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.hasher.Validate()
			_, hashErr := tt.hasher.Hash("some password")
			if tt.ok {
				assert.NoError(t, err)
				assert.NoError(t, hashErr)
				return
			}
			assert.ErrorIs(t, err, password.ErrHashParams)
			assert.ErrorIs(t, hashErr, password.ErrHashParams)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
		})
	}
}

// hostile builds an argon2id PHC string with the given parameter list and
// salt and key lengths.
func hostile(params string, saltLen, keyLen int) string {
	return fmt.Sprintf("$argon2id$v=19$%s$%s$%s", params,
		base64.RawStdEncoding.EncodeToString(make([]byte, saltLen)),
		base64.RawStdEncoding.EncodeToString(make([]byte, keyLen)))
}

func TestVerify_Malformed(t *testing.T) {
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	// The vector must be well formed, or every case below would pass for
	// the wrong reason.
	ok, _, err := cheap().Verify(good, "x")
	require.NoError(t, err)
	require.False(t, ok)

	tests := []struct{ name, encoded string }{
		{"empty", ""},
		{"plain text", "hunter2"},
		{"only a prefix", "$argon2id$"},
		{"unknown algorithm", "$md5$rounds=5000$abcdefgh$0123456789abcdef"},
		{"md5-crypt", "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/"},
		{"sha512-crypt", "$6$saltsalt$" + strings.Repeat("a", 86)},
		{"argon2i", strings.Replace(good, "$argon2id$", "$argon2i$", 1)},
		{"argon2d", strings.Replace(good, "$argon2id$", "$argon2d$", 1)},
		{"upper-case id", strings.Replace(good, "$argon2id$", "$ARGON2ID$", 1)},
		{"version 16", strings.Replace(good, "v=19", "v=16", 1)},
		{"no version", strings.Replace(good, "v=19$", "", 1)},
		{"parameters out of order", strings.Replace(good, "m=64,t=1,p=1", "t=1,m=64,p=1", 1)},
		{"missing parameter", strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1", 1)},
		{"extra parameter", strings.Replace(good, "m=64,t=1,p=1", "m=64,t=1,p=1,keyid=abc", 1)},
		{"leading zero", strings.Replace(good, "m=64", "m=064", 1)},
		{"sign", strings.Replace(good, "m=64", "m=+64", 1)},
		{"negative", strings.Replace(good, "t=1", "t=-1", 1)},
		{"empty value", strings.Replace(good, "t=1", "t=", 1)},
		{"hex value", strings.Replace(good, "m=64", "m=0x40", 1)},
		{"salt not base64", strings.Replace(good, salt, "!!!!"+salt[4:], 1)},
		{"salt padded", strings.Replace(good, salt, salt+"==", 1)},
		{"salt with a line break", strings.Replace(good, salt, salt[:8]+"\n"+salt[8:], 1)},
		{"key not canonical", good[:len(good)-1] + "x"},
		{"missing key", good[:strings.LastIndex(good, "$")]},
		{"extra field", good + "$abcd"},
		{"longer than 512 bytes", good + strings.Repeat("A", 512)},
		{"bcrypt 2x", "$2x$04$" + strings.Repeat("a", 53)},
		{"bcrypt 2", "$2$04$" + strings.Repeat("a", 54)},
		{"bcrypt too short", "$2b$04$abc"},
		{"bcrypt too long", "$2b$04$" + strings.Repeat("a", 54)},
		{"bcrypt bad alphabet", "$2b$04$" + strings.Repeat("+", 53)},
		{"bcrypt cost not digits", "$2b$a4$" + strings.Repeat("a", 53)},
		{"scrypt missing field", "$scrypt$ln=4,r=1,p=1$" + salt},
		{"scrypt parameters", "$scrypt$n=16,r=1,p=1$" + salt + "$" + key},
		{"scrypt salt not base64", "$scrypt$ln=4,r=1,p=1$***$" + key},
		{"scrypt-kdf shape, not base64", "c2NyeXB0" + strings.Repeat("*", 120)},
		{"base64 of 96 other bytes", base64.StdEncoding.EncodeToString(make([]byte, 96))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := cheap().Verify(tt.encoded, "x")
			assert.ErrorIs(t, err, password.ErrMalformedHash)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
			assert.False(t, ok)
			assert.False(t, rehash)
			assertNoEcho(t, err, salt, key, "hunter2", "saltsalt")
		})
	}
}

func TestVerify_MalformedNamesOnlyShortIdentifiers(t *testing.T) {
	_, _, err := cheap().Verify("$md5$abc$def", "x")
	require.Error(t, err)
	assert.Equal(t, `password: malformed hash: unknown algorithm "md5"`, err.Error())

	for _, encoded := range []string{"$My Secret Pass$x", "$averyveryverylongidentifier$x", "secret-token"} {
		_, _, err = cheap().Verify(encoded, "x")
		require.ErrorIs(t, err, password.ErrMalformedHash)
		assert.Equal(t, "password: malformed hash: not a hash format this package reads", err.Error())
	}
}

func TestVerify_HashParams(t *testing.T) {
	tests := []struct{ name, encoded string }{
		{"argon2 m=4194304 (4 GiB)", hostile("m=4194304,t=1,p=1", 16, 32)},
		{"argon2 m just above the limit", hostile("m=65537,t=1,p=1", 16, 32)},
		{"argon2 m beyond 32 bits", hostile("m=99999999999,t=1,p=1", 16, 32)},
		{"argon2 m of 30 digits", hostile("m=999999999999999999999999999999,t=1,p=1", 16, 32)},
		{"argon2 t=0", hostile("m=64,t=0,p=1", 16, 32)},
		{"argon2 t=11", hostile("m=64,t=11,p=1", 16, 32)},
		{"argon2 t=4294967295", hostile("m=64,t=4294967295,p=1", 16, 32)},
		{"argon2 p=0", hostile("m=64,t=1,p=0", 16, 32)},
		{"argon2 p=9", hostile("m=128,t=1,p=9", 16, 32)},
		{"argon2 p=256", hostile("m=4096,t=1,p=256", 16, 32)},
		{"argon2 m below 8 KiB per lane", hostile("m=8,t=1,p=2", 16, 32)},
		{"argon2 salt of 4 bytes", hostile("m=64,t=1,p=1", 4, 32)},
		{"argon2 salt of 129 bytes", hostile("m=64,t=1,p=1", 129, 32)},
		{"argon2 key of 8 bytes", hostile("m=64,t=1,p=1", 16, 8)},
		{"argon2 key of 200 bytes", hostile("m=64,t=1,p=1", 16, 200)},
		{"bcrypt cost 31", "$2a$31$" + strings.Repeat("a", 53)},
		{"bcrypt cost 15", "$2b$15$" + strings.Repeat("a", 53)},
		{"bcrypt cost 99", "$2y$99$" + strings.Repeat("a", 53)},
		{"bcrypt cost 3", "$2b$03$" + strings.Repeat("a", 53)},
		{"scrypt ln=40", "$scrypt$ln=40,r=8,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt ln=63", "$scrypt$ln=63,r=1,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt ln=0", "$scrypt$ln=0,r=8,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt ln=17 (128 MiB)", "$scrypt$ln=17,r=8,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt r huge", "$scrypt$ln=4,r=4294967295,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt r=0", "$scrypt$ln=4,r=0,p=1$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt p huge", "$scrypt$ln=4,r=1,p=4294967295$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt p=17", "$scrypt$ln=4,r=1,p=17$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt work N·r·p above 2^22", "$scrypt$ln=16,r=8,p=16$c2FsdHNhbHRzYWx0$" + strings.Repeat("A", 43)},
		{"scrypt salt of 4 bytes", "$scrypt$ln=4,r=1,p=1$c2FsdA$" + strings.Repeat("A", 43)},
		{"scrypt key of 8 bytes", "$scrypt$ln=4,r=1,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAA"},
		{"scrypt-kdf logN=30", scryptKDFWith(t, func(b []byte) { b[7] = 30 })},
		{"scrypt-kdf r=2^32-1", scryptKDFWith(t, func(b []byte) { copy(b[8:12], []byte{0xff, 0xff, 0xff, 0xff}) })},
		{"scrypt-kdf p=2^32-1", scryptKDFWith(t, func(b []byte) { copy(b[12:16], []byte{0xff, 0xff, 0xff, 0xff}) })},
		{"scrypt-kdf logN=0", scryptKDFWith(t, func(b []byte) { b[7] = 0 })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.LessOrEqual(t, len(tt.encoded), 512, "the vector must not be refused for its length")
			ok, rehash, err := password.Default().Verify(tt.encoded, "x")
			assert.ErrorIs(t, err, password.ErrHashParams)
			assert.NotErrorIs(t, err, password.ErrMalformedHash)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}
}

func TestVerify_LimitsAreTheReceiversOwn(t *testing.T) {
	encoded, err := (&password.Argon2id{Memory: 1024, Time: 1}).Hash("pw")
	require.NoError(t, err)
	strict := &password.Argon2id{Memory: 64, Time: 1, Limits: password.Limits{MaxMemoryKiB: 512}}
	_, _, err = strict.Verify(encoded, "pw")
	assert.ErrorIs(t, err, password.ErrHashParams)
	ok, rehash, err := cheap().Verify(encoded, "pw")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, rehash)
}

// TestVerify_Tampered changes every character of a valid hash, and cuts it
// at every length: the result is a mismatch or an error, never a match,
// never a panic.
func TestVerify_Tampered(t *testing.T) {
	h := cheap()
	const pw = "tamper-proof password"
	encoded, err := h.Hash(pw)
	require.NoError(t, err)
	check := func(t *testing.T, tampered string) {
		t.Helper()
		ok, rehash, err := h.Verify(tampered, pw)
		assert.False(t, ok, "%q", tampered)
		assert.False(t, rehash)
		if err != nil {
			assert.True(t, errorIsOneOf(err, password.ErrMalformedHash, password.ErrHashParams), "%q: %v", tampered, err)
		}
	}
	for i := range len(encoded) {
		for _, c := range []byte{'A', 'z', '0', '9', '$', ',', '=', '+', '/', 0, 0xff} {
			if encoded[i] == c {
				continue
			}
			tampered := []byte(encoded)
			tampered[i] = c
			check(t, string(tampered))
		}
		check(t, encoded[:i])
	}
}

func errorIsOneOf(err error, targets ...error) bool {
	for _, target := range targets {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func TestArgon2id_ConcurrentUse(t *testing.T) {
	h := cheap()
	bcryptHash := pythonBcryptVectors[0]
	done := make(chan error)
	for i := range 8 {
		go func() {
			pw := fmt.Sprintf("password number %d", i)
			encoded, err := h.Hash(pw)
			if err == nil {
				var ok bool
				if ok, _, err = h.Verify(encoded, pw); err == nil && !ok {
					err = errors.New("own hash did not verify")
				}
			}
			if err == nil {
				var ok bool
				if ok, _, err = h.Verify(bcryptHash.encoded, bcryptHash.password); err == nil && !ok {
					err = errors.New("bcrypt hash did not verify")
				}
			}
			done <- err
		}()
	}
	for range 8 {
		assert.NoError(t, <-done)
	}
}

// Argon2id.CheckHash checks a hash against the hasher's own limits, which
// may be tighter than the defaults.
func TestArgon2idCheckHashUsesItsLimits(t *testing.T) {
	h, err := password.Default().Hash("a-password-to-check")
	require.NoError(t, err)
	require.NoError(t, password.Default().CheckHash(h))
	require.NoError(t, (*password.Argon2id)(nil).CheckHash(h), "a nil hasher is Default")
	tight := &password.Argon2id{Memory: 64, Time: 1, Limits: password.Limits{MaxMemoryKiB: 1024}}
	require.ErrorIs(t, tight.CheckHash(h), password.ErrHashParams, "19 MiB is above the hasher's 1 MiB")
	require.ErrorIs(t, tight.CheckHash("plaintext"), password.ErrMalformedHash)
	own, err := tight.Hash("a-password-to-check")
	require.NoError(t, err)
	require.NoError(t, tight.CheckHash(own))
}
