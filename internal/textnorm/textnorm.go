package textnorm

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in NFC, or s unchanged when x/text would corrupt it.
func NFC(s string) string { return guarded(norm.NFC, norm.NFD, s) }

// Normalizable reports whether NFC puts s in Normalization Form C, that is
// whether s is not one of the rare strings the guard leaves as they are.
// Keys that decide identity reject such strings: left unnormalized, two
// canonically equivalent spellings would be two keys.
func Normalizable(s string) bool { return normalizable(norm.NFC, norm.NFD, s) }

// guarded returns s in the composed form f, or s unchanged when x/text's
// result does not decompose (by d, f's decomposed form) to what s
// decomposes to: the guard against the NFC bug of the x/text versions the
// module's Go floor allows.
func guarded(f, d norm.Form, s string) string {
	if f.IsNormalString(s) {
		return s
	}
	n := f.String(s)
	if d.String(n) != d.String(s) {
		return s
	}
	return n
}

// normalizable reports whether guarded(f, d, s) puts s in form f.
func normalizable(f, d norm.Form, s string) bool {
	return f.IsNormalString(s) || d.String(f.String(s)) == d.String(s)
}

// Clean trims surrounding white space and puts s in NFC: the normal form of
// every free-text field. Invalid UTF-8 is returned unchanged, so that
// validation reports it instead of it being repaired silently.
func Clean(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.TrimSpace(NFC(s))
}
