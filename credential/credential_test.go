package credential_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/credential"
)

var (
	t0  = time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)
	cid = uuid.MustParse("00000000-0000-4000-8000-000000000001")
)

func TestThrottleDelay(t *testing.T) {
	th := credential.Throttle{Threshold: 3, Base: time.Second, Max: 10 * time.Second}
	for _, tt := range []struct {
		failures int
		want     time.Duration
	}{
		{0, 0}, {2, 0}, {3, time.Second}, {4, 2 * time.Second}, {5, 4 * time.Second}, {6, 8 * time.Second},
		{7, 10 * time.Second}, {1 << 30, 10 * time.Second},
	} {
		assert.Equal(t, tt.want, th.Delay(tt.failures), "%d failures", tt.failures)
	}
	assert.Equal(t, 15*time.Minute, credential.Throttle{}.Delay(1000), "the zero Throttle is the default")
	assert.Zero(t, credential.Throttle{}.Delay(9))
	assert.Equal(t, time.Second, credential.Throttle{}.Delay(10))
	require.NoError(t, credential.Throttle{}.Validate())
	for _, bad := range []credential.Throttle{{Threshold: 0, Base: 1, Max: 1}, {Threshold: 1, Base: 0, Max: 1}, {Threshold: 1, Base: 2, Max: 1}} {
		assert.ErrorIs(t, bad.Validate(), credential.ErrInvalid)
	}
}

func TestFailuresAndLogin(t *testing.T) {
	c := credential.Credentials{CustomerID: cid}
	th := credential.Throttle{Threshold: 2, Base: time.Minute, Max: time.Hour}
	c.RecordFailure(th, t0)
	locked, _ := c.Locked(t0)
	assert.False(t, locked)
	c.RecordFailure(th, t0)
	locked, wait := c.Locked(t0.Add(10 * time.Second))
	assert.True(t, locked)
	assert.Equal(t, 50*time.Second, wait)
	locked, _ = c.Locked(t0.Add(time.Minute))
	assert.False(t, locked, "the lock ends at LockedUntil")
	c.RecordLogin(t0.Add(time.Minute))
	assert.Zero(t, c.FailedLogins)
	assert.Nil(t, c.LockedUntil)
	assert.Equal(t, t0.Add(time.Minute), *c.LastLoginAt)
}

func TestIdentitiesAndWaysIn(t *testing.T) {
	c := credential.Credentials{CustomerID: cid}
	added, err := c.Link(credential.Identity{Provider: " Google ", Subject: "Sub-1"}, t0)
	require.NoError(t, err)
	assert.True(t, added)
	assert.Equal(t, "google", c.Identities[0].Provider)
	assert.Equal(t, cid, c.Identities[0].CustomerID)
	added, err = c.Link(credential.Identity{Provider: "google", Subject: "Sub-1"}, t0)
	require.NoError(t, err)
	assert.False(t, added)
	require.ErrorIs(t, c.Unlink("google", "Sub-1", t0), credential.ErrLastWayIn)
	require.ErrorIs(t, c.Unlink("google", "sub-1", t0), credential.ErrIdentityNotFound, "subjects are byte-exact")
	require.NoError(t, c.SetPassword("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", t0))
	require.NoError(t, c.Unlink("GOOGLE", "Sub-1", t0))
	require.ErrorIs(t, c.ClearPassword(t0), credential.ErrLastWayIn)
	require.NoError(t, c.Validate())

	for _, bad := range []credential.Identity{
		{Provider: "", Subject: "x"}, {Provider: "bad provider", Subject: "x"}, {Provider: "p", Subject: ""},
		{Provider: "p", Subject: strings.Repeat("s", 256)}, {Provider: "p", Subject: "a\x00b"}, {Provider: "p", Subject: "\xff"},
		{Provider: strings.Repeat("p", 51), Subject: "x"},
	} {
		_, err := c.Link(bad, t0)
		assert.ErrorIs(t, err, credential.ErrInvalid, "%+v", bad)
	}
	_, err = c.Link(credential.Identity{Provider: "p", Subject: "🔐 " + strings.Repeat("s", 200)}, t0)
	require.NoError(t, err)
	for i := len(c.Identities); i < credential.MaxIdentities; i++ {
		_, err := c.Link(credential.Identity{Provider: "p", Subject: uuid.NewString()}, t0)
		require.NoError(t, err)
	}
	_, err = c.Link(credential.Identity{Provider: "p", Subject: "one-too-many"}, t0)
	require.ErrorIs(t, err, credential.ErrInvalid)
}

func TestCredentialsValidate(t *testing.T) {
	ok := credential.Credentials{CustomerID: cid}
	require.NoError(t, ok.Validate())
	for name, bad := range map[string]credential.Credentials{
		"no customer":       {},
		"hash too long":     {CustomerID: cid, PasswordHash: strings.Repeat("h", credential.MaxHashLength+1)},
		"hash with a space": {CustomerID: cid, PasswordHash: "a b"},
		"negative failures": {CustomerID: cid, FailedLogins: -1},
		"other customer's identity": {CustomerID: cid, Identities: []credential.Identity{
			{Provider: "p", Subject: "s", CustomerID: uuid.New()}}},
		"identity twice": {CustomerID: cid, Identities: []credential.Identity{
			{Provider: "p", Subject: "s", CustomerID: cid}, {Provider: "p", Subject: "s", CustomerID: cid}}},
	} {
		assert.ErrorIs(t, bad.Validate(), credential.ErrInvalid, name)
	}
}

// The JSON form never holds the hash or the verified address.
func TestCredentialsJSON(t *testing.T) {
	c := credential.Credentials{CustomerID: cid, PasswordHash: "$argon2id$secret-hash", VerifiedEmail: "ada@example.com"}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "secret-hash")
	assert.NotContains(t, string(b), "ada@example.com")
	assert.Contains(t, string(b), `"identities":null`)

	tok := credential.Token{ID: cid, Hash: credential.TokenHash{1, 2, 3}, Purpose: credential.PurposeOrderClaim}
	b, err = json.Marshal(tok)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "hash")
	assert.Contains(t, string(b), `"purpose":"order_claim"`)
}

func TestSecrets(t *testing.T) {
	random := bytes.NewReader(bytes.Repeat([]byte{7}, 64))
	s1, h1, err := credential.NewSecret(random)
	require.NoError(t, err)
	assert.Len(t, s1, credential.SecretLength)
	back, err := credential.ParseSecret(s1)
	require.NoError(t, err)
	assert.Equal(t, h1, back)
	s2, h2, err := credential.NewSecret(random)
	require.NoError(t, err)
	assert.Equal(t, s1, s2, "the same random bytes make the same secret")
	assert.Equal(t, h1, h2)
	_, _, err = credential.NewSecret(bytes.NewReader(nil))
	require.Error(t, err, "a failing random source is an error")

	for _, bad := range []string{"", s1[:42], s1 + "A", s1[:42] + "=", strings.Repeat("+", 43), " " + s1[1:]} {
		_, err := credential.ParseSecret(bad)
		assert.True(t, credential.IsTokenError(err, credential.ReasonMalformed), "%q", bad)
	}
}

func TestTokenLifecycle(t *testing.T) {
	_, h, err := credential.NewSecret(bytes.NewReader(bytes.Repeat([]byte{9}, 32)))
	require.NoError(t, err)
	tok, err := credential.NewToken(uuid.New(), h, credential.TokenParams{Purpose: credential.PurposePasswordReset,
		CustomerID: cid, Email: "ada@example.com"}, t0)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Hour), tok.ExpiresAt)
	assert.True(t, tok.Pending(t0))

	cases := []struct {
		name    string
		mutate  func(*credential.Token)
		purpose credential.Purpose
		at      time.Time
		reason  string
	}{
		{"other purpose", nil, credential.PurposeActivation, t0, credential.ReasonPurpose},
		{"expired", nil, credential.PurposePasswordReset, t0.Add(time.Hour), credential.ReasonExpired},
		{"revoked", func(tk *credential.Token) { tk.Revoke(t0) }, credential.PurposePasswordReset, t0, credential.ReasonRevoked},
		{"used", func(tk *credential.Token) { _ = tk.Redeem(credential.PurposePasswordReset, t0) },
			credential.PurposePasswordReset, t0, credential.ReasonUsed},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			cp := tok
			if tt.mutate != nil {
				tt.mutate(&cp)
			}
			err := cp.Redeem(tt.purpose, tt.at)
			require.ErrorIs(t, err, credential.ErrTokenInvalid)
			assert.True(t, credential.IsTokenError(err, tt.reason), "%v", err)
		})
	}
	require.NoError(t, tok.Redeem(credential.PurposePasswordReset, t0.Add(time.Minute)))
	assert.False(t, tok.Revoke(t0), "a used token is not revoked")

	_, err = credential.NewToken(uuid.New(), h, credential.TokenParams{Purpose: credential.PurposeOrderClaim,
		CustomerID: cid, Email: "ada@example.com"}, t0)
	require.ErrorIs(t, err, credential.ErrInvalid, "a claim names its guest")
	_, err = credential.NewToken(uuid.New(), credential.TokenHash{}, credential.TokenParams{Purpose: credential.PurposeActivation,
		CustomerID: cid, Email: "ada@example.com"}, t0)
	require.ErrorIs(t, err, credential.ErrInvalid, "no hash")
}

func FuzzParseSecret(f *testing.F) {
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Add("\xff")
	f.Fuzz(func(t *testing.T, s string) {
		h, err := credential.ParseSecret(s)
		if err != nil {
			require.ErrorIs(t, err, credential.ErrTokenInvalid)
			require.NotContains(t, err.Error(), s[:min(len(s), 8)]+"x") // never echoes
			return
		}
		require.Len(t, s, credential.SecretLength)
		require.False(t, h.IsZero())
	})
}
