package password_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/password"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii unchanged", "Correct Horse 1!", "Correct Horse 1!"},
		{"ligature", "ﬁsh", "fish"},
		{"fullwidth", "ＰＡＳＳ１２３", "PASS123"},
		{"decomposed accent composed", "e\u0301te\u0301", "été"},
		{"precomposed kept", "été", "été"},
		{"superscript", "x²", "x2"},
		{"no trimming", "  pass  ", "  pass  "},
		{"no case folding", "PaSs", "PaSs"},
		{"empty", "", ""},
		{"emoji unchanged", "😀👍🏽", "😀👍🏽"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := password.Normalize(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := password.Normalize(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "Normalize is idempotent")
		})
	}

	t.Run("invalid UTF-8", func(t *testing.T) {
		got, err := password.Normalize("hunter\xff2")
		assert.Empty(t, got)
		var ve *password.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "password", ve.Field)
		assert.Equal(t, "is not valid UTF-8", ve.Reason)
		assert.ErrorIs(t, err, password.ErrInvalid)
		assert.Equal(t, errcode.Invalid, errcode.Of(err))
		assert.NotContains(t, err.Error(), "hunter")
	})
}

func TestNormalize_LigatureHashesAsFi(t *testing.T) {
	h := cheap()
	lig, err := password.Normalize("ﬁrst ﬂoor oﬃce")
	require.NoError(t, err)
	plain, err := password.Normalize("first floor office")
	require.NoError(t, err)
	encoded, err := h.Hash(lig)
	require.NoError(t, err)
	ok, _, err := h.Verify(encoded, plain)
	require.NoError(t, err)
	assert.True(t, ok)
	// Without normalization the two are different passwords.
	ok, _, err = h.Verify(encoded, "ﬁrst ﬂoor oﬃce")
	require.NoError(t, err)
	assert.False(t, ok)
}

// recorder is a BreachChecker that records its calls.
type recorder struct {
	calls    []string
	breached bool
	err      error
}

func (r *recorder) Breached(_ context.Context, pw string) (bool, error) {
	r.calls = append(r.calls, pw)
	return r.breached, r.err
}

func TestPolicy_Check(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		policy   password.Policy
		password string
		want     string // the normalized password, when accepted
		reason   string // the ValidationError's reason, when refused
	}{
		{"accepted", password.Policy{}, "correct horse battery staple", "correct horse battery staple", ""},
		{"normalized", password.Policy{}, "ＣＯＲＲＥＣＴ horse", "CORRECT horse", ""},
		{"invalid UTF-8", password.Policy{}, "correct\xc3horse", "", "is not valid UTF-8"},
		{"empty", password.Policy{}, "", "", "is shorter than 8 characters"},
		{"7 characters", password.Policy{}, "zq7!xw3", "", "is shorter than 8 characters"},
		{"8 characters", password.Policy{}, "zq7!xw3p", "zq7!xw3p", ""},
		{"8 characters of 4 bytes", password.Policy{}, strings.Repeat("😀", 8), strings.Repeat("😀", 8), ""},
		{"7 characters of 4 bytes (28 bytes)", password.Policy{}, strings.Repeat("😀", 7), "", "is shorter than 8 characters"},
		{"counted after NFKC: 8 decomposed runes are 4 characters", password.Policy{}, strings.Repeat("e\u0301", 4), "", "is shorter than 8 characters"},
		{"counted after NFKC: a ligature is 2 characters", password.Policy{MinLength: 9}, "ﬁsh&chip", "fish&chip", ""},
		{"custom minimum", password.Policy{MinLength: 15}, "fourteen chars", "", "is shorter than 15 characters"},
		{"256 characters", password.Policy{}, strings.Repeat("aB3$", 64), strings.Repeat("aB3$", 64), ""},
		{"257 characters", password.Policy{}, strings.Repeat("aB3$", 64) + "x", "", "is longer than 256 characters"},
		{"64 emoji", password.Policy{}, strings.Repeat("😀", 64), strings.Repeat("😀", 64), ""},
		{"max below 64 raised to 64", password.Policy{MaxLength: 10}, strings.Repeat("x7", 32), strings.Repeat("x7", 32), ""},
		{"max below 64 raised to 64, 65 refused", password.Policy{MaxLength: 10}, strings.Repeat("x7", 32) + "y", "", "is longer than 64 characters"},
		{"megabytes refused before normalizing", password.Policy{}, strings.Repeat("a", 1<<20), "", "is longer than 256 characters"},
		{"too common", password.Policy{}, "password", "", "is too common"},
		{"too common, any case", password.Policy{}, "PassWord1", "", "is too common"},
		{"too common, fullwidth", password.Policy{}, "ｑｗｅｒｔｙｕｉｏｐ", "", "is too common"},
		{"common allowed", password.Policy{AllowCommon: true}, "password", "password", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.policy.Check(ctx, tt.password)
			if tt.reason == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				return
			}
			assert.Empty(t, got)
			var ve *password.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "password", ve.Field)
			assert.Equal(t, tt.reason, ve.Reason)
			assert.ErrorIs(t, err, password.ErrInvalid)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
			assert.Equal(t, "password: "+tt.reason, err.Error(), "the error names no part of the password")
		})
	}
}

func TestPolicy_CheckBreached(t *testing.T) {
	ctx := context.Background()

	t.Run("called with the normalized password", func(t *testing.T) {
		r := &recorder{}
		got, err := password.Policy{Breached: r}.Check(ctx, "ﬁne ｐａｓｓ phrase")
		require.NoError(t, err)
		assert.Equal(t, "fine pass phrase", got)
		assert.Equal(t, []string{"fine pass phrase"}, r.calls)
	})
	t.Run("breached", func(t *testing.T) {
		r := &recorder{breached: true}
		_, err := password.Policy{Breached: r}.Check(ctx, "fine pass phrase")
		var ve *password.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "appears in a data breach", ve.Reason)
		assert.ErrorIs(t, err, password.ErrInvalid)
	})
	t.Run("error propagated, not ErrInvalid", func(t *testing.T) {
		unavailable := errcode.New(errcode.Unavailable, "hibp: unavailable")
		r := &recorder{err: unavailable}
		got, err := password.Policy{Breached: r}.Check(ctx, "fine pass phrase")
		assert.Empty(t, got)
		assert.ErrorIs(t, err, unavailable)
		assert.NotErrorIs(t, err, password.ErrInvalid)
		assert.Equal(t, errcode.Unavailable, errcode.Of(err))
		var ve *password.ValidationError
		assert.False(t, errors.As(err, &ve))
	})
	t.Run("not called when a cheaper check refuses", func(t *testing.T) {
		r := &recorder{}
		for _, pw := range []string{"short", "password", "bad\xff utf-8 input"} {
			_, err := password.Policy{Breached: r}.Check(ctx, pw)
			require.ErrorIs(t, err, password.ErrInvalid)
		}
		assert.Empty(t, r.calls)
	})
	t.Run("func adapter and context", func(t *testing.T) {
		type key struct{}
		var seen any
		f := password.BreachCheckerFunc(func(ctx context.Context, pw string) (bool, error) {
			seen = ctx.Value(key{})
			return pw == "leaked pass phrase", nil
		})
		p := password.Policy{Breached: f}
		_, err := p.Check(context.WithValue(ctx, key{}, "v"), "leaked pass phrase")
		assert.ErrorIs(t, err, password.ErrInvalid)
		assert.Equal(t, "v", seen)
		_, err = p.Check(ctx, "unleaked pass phrase")
		assert.NoError(t, err)
	})
}

func TestPolicy_Validate(t *testing.T) {
	tests := []struct {
		name   string
		policy password.Policy
		field  string // "" when valid
	}{
		{"zero", password.Policy{}, ""},
		{"NIST single factor", password.Policy{MinLength: 15}, ""},
		{"min 1", password.Policy{MinLength: 1}, ""},
		{"min 256 with default max", password.Policy{MinLength: 256}, ""},
		{"max 1024", password.Policy{MaxLength: 1024}, ""},
		{"max below 64 is raised", password.Policy{MinLength: 60, MaxLength: 10}, ""},
		{"negative min", password.Policy{MinLength: -1}, "min_length"},
		{"min above default max", password.Policy{MinLength: 257}, "min_length"},
		{"min above max", password.Policy{MinLength: 100, MaxLength: 99}, "min_length"},
		{"max above 1024", password.Policy{MaxLength: 1025}, "max_length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Validate()
			_, checkErr := tt.policy.Check(context.Background(), "a fine pass phrase")
			if tt.field == "" {
				assert.NoError(t, err)
				if tt.policy.MinLength <= 18 {
					assert.NoError(t, checkErr)
				}
				return
			}
			var ve *password.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, password.ErrInvalidPolicy)
			assert.NotErrorIs(t, err, password.ErrInvalid, "a bad policy is not a bad password")
			assert.Equal(t, err, checkErr, "Check refuses to run with an invalid policy")
		})
	}
}

func TestCommon(t *testing.T) {
	require.GreaterOrEqual(t, password.CommonCount(), 1000)
	assert.Equal(t, 10000, password.CommonCount())
	tests := []struct {
		password string
		common   bool
	}{
		{"password", true},
		{"123456", true},
		{"qwerty", true},
		{"PASSWORD", true},
		{"Qwerty", true},
		{"１２３４５６", true},
		{"iloveyou", true},
		{"trustno1", true},
		{"correct horse battery staple", false},
		{"password ", false},
		{"", false},
		{"\xff", false},
		{"# the list's header is not an entry", false},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			assert.Equal(t, tt.common, password.Common(tt.password))
		})
	}
}

func TestPolicyMaxInputBytes(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		policy password.Policy
		want   int
	}{
		{password.Policy{}, 72 * 256},
		{password.Policy{MaxLength: 10}, 72 * 64},
		{password.Policy{MaxLength: 1024}, 72 * 1024},
	} {
		limit := tt.policy.MaxInputBytes()
		assert.Equal(t, tt.want, limit, "%+v", tt.policy)
		// The longest password the policy accepts fits; an input of one
		// byte more than the bound is refused unread.
		maxLen := limit / 72
		_, err := tt.policy.Check(ctx, strings.Repeat("a", maxLen))
		require.NoError(t, err)
		_, err = tt.policy.Check(ctx, strings.Repeat("a", limit+1))
		require.ErrorIs(t, err, password.ErrInvalid)
	}
}
