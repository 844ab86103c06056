package textnorm

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in NFC, or s unchanged when x/text would corrupt it.
func NFC(s string) string {
	if norm.NFC.IsNormalString(s) {
		return s
	}
	n := norm.NFC.String(s)
	if norm.NFD.String(n) != norm.NFD.String(s) {
		return s
	}
	return n
}

// Normalizable reports whether NFC puts s in Normalization Form C, that is
// whether s is not one of the rare strings the guard leaves as they are.
// Keys that decide identity reject such strings: left unnormalized, two
// canonically equivalent spellings would be two keys.
func Normalizable(s string) bool {
	if norm.NFC.IsNormalString(s) {
		return true
	}
	return norm.NFD.String(norm.NFC.String(s)) == norm.NFD.String(s)
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
