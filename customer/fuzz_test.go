package customer_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clientele-go/clientele/customer"
)

// emailSeeds is the seed corpus of FuzzCanonicalEmail; it runs as an ordinary
// test with go test.
var emailSeeds = []string{
	"",
	" ",
	"bob@example.com",
	"  Bob.Smith@Example.COM ",
	"b\u200bob@example.com",
	"\ufeffbob@example.com\u200f",
	"bo\u00adb@exam\u00adple.com",
	"anna@bücher.de",
	"anna@BÜCHER.DE",
	"anna@bu\u0308cher.de",
	"anna@xn--bcher-kva.de",
	"anna@XN--BCHER-KVA.DE",
	"anna@xn--Bcher-kva.de",
	"x@παράδειγμα.δοκιμή",
	"x@例え.テスト",
	"用户@例子.广告",
	"jose\u0301@example.com",
	"JOSÉ@example.com",
	"ǅ@example.com",
	"Ⱥ@example.com",
	"\u212a@example.com", // Kelvin sign
	"İ@example.com",
	"ß@example.com",
	"ẞ@faß.de",
	"x@ẞ.de",
	"bob@example\u3002com",
	"bob@example\uff0ecom",
	"bob@example\uff61com",
	"bob@example\u3002\u3002com",
	"a!#$%&'*+-/=?^_`{|}~z@example.com",
	"Bob <bob@example.com>",
	"<bob@example.com>",
	"bob@example.com (Bob)",
	"bob(home)@example.com",
	"\"bob\"@example.com",
	"\"b o b\"@example.com",
	"bob@[192.168.0.1]",
	"bob@[IPv6:2001:db8::1]",
	"bob@192.168.0.1",
	"bob@localhost",
	"bob@bücher",
	strings.Repeat("a", 64) + "@example.com",
	strings.Repeat("a", 65) + "@example.com",
	strings.Repeat("a", 64) + "@" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 57) + ".com",
	strings.Repeat("a", 64) + "@" + strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 58) + ".com",
	strings.Repeat("Ⱥ", 32) + "@example.com",
	"x@" + strings.Repeat("ü", 30) + ".de",
	"b\xffob@example.com",
	"bob@exam\xc3\x28ple.com",
	"bob@example.com\xe2\x82",
	"bo b@example.com",
	"bob\t@example.com",
	"bob@example.com\nbcc@evil.com",
	"bob\x00@example.com",
	".bob@example.com",
	"bob.@example.com",
	"bo..b@example.com",
	"bob@.example.com",
	"bob@example.com.",
	"bob@example..com",
	"bob@-example.com",
	"bob@ab--cd.com",
	"bob@exa_mple.com",
	"bob@xn--zz.com",
	"bob@xn--ab-.com",
	"bob@ｘｎ--ab-.com",
	"bob@xn--a.com",
	"bob@ＥＸＡＭＰＬＥ.ＣＯＭ",
	"bob@a\ufe0f.com",
	"bob@a\u200d.com",
	"bob@עברית.com",
	"bob@1עברית.com",
	"bob@مثال.إختبار",
	"bob@xn--mgbh0fb.xn--kgbechtv",
	"bob@例子.xn--zckzah",
	"x@erased.invalid",
	"erased-00000000-0000-0000-0000-000000000000@erased.invalid",
	"@",
	"@@",
	"a@b",
	"a@b.c",
	"a@1.2",
	"a@b.1",
	// Found while fuzzing: local parts that start with a combining mark
	// (now rejected) and variation selectors.
	"\u0325@0.A",
	"\ufe22@0.A",
	"A\ufe0f@A\ufe0f.A",
	"0@\u0130.A",
	"0@XN--00HAAHAAUUUUUUA.A",
	"0@\u300e\u3002\u300e\u9002A",
}

// FuzzCanonicalEmail checks that canonicalization never panics, that every
// accepted address is valid UTF-8, at most 254 bytes and a fixed point, that
// the display spelling canonicalizes to the same address, and that every
// rejection is a *ValidationError for "email".
func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range emailSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := customer.CanonicalEmail(s)
		if err != nil {
			var ve *customer.ValidationError
			if !errors.As(err, &ve) || ve.Field != "email" || !errors.Is(err, customer.ErrInvalid) {
				t.Fatalf("CanonicalEmail(%q): error %v (%T) is not an email *ValidationError", s, err, err)
			}
			if c != "" {
				t.Fatalf("CanonicalEmail(%q) returned %q with error %v", s, c, err)
			}
			return
		}
		if !utf8.ValidString(c) {
			t.Fatalf("CanonicalEmail(%q) = %q: invalid UTF-8", s, c)
		}
		if len(c) > customer.MaxEmailLength {
			t.Fatalf("CanonicalEmail(%q) = %q: %d bytes", s, c, len(c))
		}
		local, _, ok := strings.Cut(c, "@")
		if !ok || len(local) > customer.MaxEmailLocalLength {
			t.Fatalf("CanonicalEmail(%q) = %q: bad local part", s, c)
		}
		again, err := customer.CanonicalEmail(c)
		if err != nil || again != c {
			t.Fatalf("not idempotent: CanonicalEmail(%q) = %q, CanonicalEmail(%q) = %q, %v", s, c, c, again, err)
		}
		e, err := customer.ParseEmail(s)
		if err != nil || e.Address != c {
			t.Fatalf("ParseEmail(%q) = %+v, %v; CanonicalEmail gave %q", s, e, err, c)
		}
		if !utf8.ValidString(e.Display) || len(e.Display) > customer.MaxEmailInputLength {
			t.Fatalf("ParseEmail(%q).Display = %q", s, e.Display)
		}
		d, err := customer.ParseEmail(e.Display)
		if err != nil || d != e {
			t.Fatalf("display not stable: ParseEmail(%q) = %+v, %v; want %+v", e.Display, d, err, e)
		}
	})
}

// FuzzNormalizePhone checks that phone normalization never panics and is
// idempotent.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"", "+4930 1234567", "+49 (30) 123-4567", "+1 650 253 0000", "+1 555 555 0123",
		"+49 30 1234567 ext. 12", "030 1234567", "+", "+0", "++49", "+49\x00", "+\xff",
		"+800 1234 5678", "+882 1234 5678", "+4930１２３４５６７", "+49 30 1234567;ext=1",
		"+1-800-FLOWERS", "+" + strings.Repeat("9", 60),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := customer.NormalizePhone(s)
		if err != nil {
			if !errors.Is(err, customer.ErrInvalid) {
				t.Fatalf("NormalizePhone(%q): error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		again, err := customer.NormalizePhone(p)
		if err != nil || again != p {
			t.Fatalf("not idempotent: NormalizePhone(%q) = %q, then %q, %v", s, p, again, err)
		}
	})
}

// FuzzNormalizeTags checks that tag normalization never panics and is
// idempotent.
func FuzzNormalizeTags(f *testing.F) {
	for _, s := range []string{"", "vip", " VIP ,b2b", "cafe\u0301", "ÜBER", "a\x00", "\xff", "Ⱥ", "\u212a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := customer.NormalizeTags(strings.Split(s, "|"))
		if err != nil {
			if !errors.Is(err, customer.ErrInvalid) {
				t.Fatalf("NormalizeTags: error %v does not wrap ErrInvalid", err)
			}
			return
		}
		again, err := customer.NormalizeTags(tags)
		if err != nil || strings.Join(again, "|") != strings.Join(tags, "|") {
			t.Fatalf("not idempotent: %q then %q, %v", tags, again, err)
		}
	})
}
