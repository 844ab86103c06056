package customer_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

// Width and compatibility forms in the local part fold to the plain letters
// they show, as they already did in the domain: each of these once
// registered a second account that looked like ada@example.com.
func TestCanonicalEmailFoldsCompatibilityForms(t *testing.T) {
	for _, in := range []string{
		"ada@example.com",
		"ａｄａ@example.com",       // fullwidth
		"ＡＤＡ@ｅｘａｍｐｌｅ.ｃｏｍ",       // fullwidth, upper case, fullwidth domain
		"𝐚𝐝𝐚@example.com",       // mathematical bold
		"𝒂𝒅𝒂@example.com",       // mathematical bold italic
		"𝖺𝖽𝖺@example.com",       // mathematical sans-serif
		"ａ\u200bｄａ@example.com", // fullwidth with a zero-width space
		"\u00aada@example.com",  // feminine ordinal indicator: a
	} {
		c, err := customer.CanonicalEmail(in)
		require.NoError(t, err, in)
		assert.Equal(t, "ada@example.com", c, "CanonicalEmail(%q)", in)
	}
	for in, want := range map[string]string{
		"ﬁnance@example.com":   "finance@example.com", // ligature
		"x²@example.com":       "x2@example.com",      // superscript
		"ｊｏｈｎ.ｄｏｅ@example.com": "john.doe@example.com",
		"ÄÖÜ@example.com":      "äöü@example.com", // letters of their own stay
		"阿达@example.com":       "阿达@example.com",
	} {
		c, err := customer.CanonicalEmail(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, c, "CanonicalEmail(%q)", in)
	}
}

// Look-alikes from other scripts stay distinct addresses (a Cyrillic "а"
// is another letter), but they share the skeleton key that registration
// refuses on.
func TestEmailSkeleton(t *testing.T) {
	key := func(s string) string {
		t.Helper()
		c, err := customer.CanonicalEmail(s)
		require.NoError(t, err, s)
		return customer.EmailSkeleton(c)
	}
	ada := key("ada@example.com")
	assert.Len(t, ada, 64)
	for _, lookalike := range []string{
		"\u0430da@example.com",      // Cyrillic а
		"\u0430d\u0430@example.com", // two of them
		"ada@ex\u0430mple.com",      // in the domain (xn--exmple-4nf.com)
		"ADA@EXAMPLE.COM",
		"𝐚𝐝𝐚@example.com",
		"ɑda@example.com", // Latin alpha
	} {
		c, err := customer.CanonicalEmail(lookalike)
		require.NoError(t, err, lookalike)
		if lookalike != "ADA@EXAMPLE.COM" && lookalike != "𝐚𝐝𝐚@example.com" {
			assert.NotEqual(t, "ada@example.com", c, "%q is another address", lookalike)
		}
		assert.Equal(t, ada, key(lookalike), "%q looks like ada@example.com", lookalike)
	}
	assert.Equal(t, key("jim@example.com"), key("jirn@example.com"), "m and rn")
	assert.Equal(t, key("paypal@example.com"), key("paypa1@example.com"), "l and 1")
	for _, other := range []string{"bob@example.com", "ada@example.org", "adam@example.com", "ad@example.com"} {
		assert.NotEqual(t, ada, key(other), other)
	}
}

// FuzzEmailSkeleton checks that the skeleton key never panics, is a
// fixed-size key, and is the same for every spelling of one address.
func FuzzEmailSkeleton(f *testing.F) {
	for _, s := range append(emailSeeds, "ａｄａ@example.com", "\u0430da@ex\u0430mple.com", "𝐚𝐝𝐚@例え.jp", "jirn@x.org") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := customer.EmailSkeleton(s) // any string, even an invalid one
		if len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
			t.Fatalf("EmailSkeleton(%q) = %q is not a hex SHA-256", s, k)
		}
		e, err := customer.ParseEmail(s)
		if err != nil {
			return
		}
		if !utf8.ValidString(e.Address) {
			t.Fatalf("ParseEmail(%q).Address = %q is not UTF-8", s, e.Address)
		}
		d, err := customer.ParseEmail(e.Display)
		if err != nil || d.Address != e.Address {
			t.Fatalf("the display form %q of %q canonicalizes to %q, %v, not %q", e.Display, s, d.Address, err, e.Address)
		}
		if customer.EmailSkeleton(d.Address) != customer.EmailSkeleton(e.Address) {
			t.Fatalf("two spellings of %q have different skeletons", e.Address)
		}
	})
}
