package validation

import (
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
)

func TestQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{"a\nb", `"a\nb"`},
		{"\u202egnp.exe", `"\u202egnp.exe"`},
		{"\xff", `"\xff"`},
		{strings.Repeat("a", MaxQuotedBytes), strconv.Quote(strings.Repeat("a", MaxQuotedBytes))},
		{strings.Repeat("a", MaxQuotedBytes+1), strconv.Quote(strings.Repeat("a", MaxQuotedBytes)) + "... (65 bytes)"},
		// A cut never splits a rune: 63 bytes of "a" and a 2-byte "é".
		{strings.Repeat("a", MaxQuotedBytes-1) + "éé", strconv.Quote(strings.Repeat("a", MaxQuotedBytes-1)) + "... (67 bytes)"},
	} {
		assert.Equal(t, tc.want, Quote(tc.in), "Quote(%q)", tc.in)
	}
	huge := Quote(strings.Repeat("\n\x1b", 1<<19))
	assert.LessOrEqual(t, len(huge), 4*MaxQuotedBytes+32)
	assert.True(t, strings.HasSuffix(huge, "... (1048576 bytes)"), huge)
}

func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "a\nb", strings.Repeat("é", 40), "\xe2\x82", strings.Repeat("\xbf", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Quote(s)
		if len(q) > 4*MaxQuotedBytes+32 {
			t.Fatalf("Quote(%q) is %d bytes long", s, len(q))
		}
		for _, r := range q {
			if !unicode.IsPrint(r) {
				t.Fatalf("Quote(%q) = %q holds the unprintable %U", s, q, r)
			}
		}
		body, _, _ := strings.Cut(q[1:], `"... (`)
		if len(s) <= MaxQuotedBytes {
			if u, err := strconv.Unquote(q); err != nil || u != s {
				t.Fatalf("Quote(%q) = %q does not unquote to the input", s, q)
			}
		} else if u, err := strconv.Unquote(`"` + body + `"`); err != nil || !strings.HasPrefix(s, u) {
			t.Fatalf("Quote(%q) = %q does not show a prefix of the input", s, q)
		}
	})
}

func TestMetadataErrorTextIsBounded(t *testing.T) {
	for _, key := range []string{strings.Repeat("\n\x1b", 1<<19), "a\nb", strings.Repeat("k", 1<<20)} {
		err := Metadata(errTest, "metadata", map[string]string{key: "v"})
		assert.ErrorIs(t, err, errTest)
		assert.LessOrEqual(t, len(err.Error()), 512, "a %d-byte key", len(key))
		assert.NotContains(t, err.Error(), "\n")
	}
}
