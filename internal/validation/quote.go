package validation

import (
	"strconv"
	"unicode/utf8"
)

// MaxQuotedBytes is how many bytes of a caller's value Quote shows.
const MaxQuotedBytes = 64

// Quote returns s as error text may show it: Go-quoted like strconv.Quote
// (control characters, bidi overrides, invalid UTF-8 and other unprintable
// runes escaped, so the result holds no raw newline and cannot forge a log
// line), cut to its first MaxQuotedBytes bytes at a rune boundary. A cut
// value is followed by "..." and its full length in bytes, so a 1 MB value
// of "a" shows as 64 a's in quotes followed by `... (1048576 bytes)`.
// The result is at most 4*MaxQuotedBytes+32 bytes long, whatever s is.
// Every error message that echoes a caller's value uses it.
func Quote(s string) string {
	if len(s) <= MaxQuotedBytes {
		return strconv.Quote(s)
	}
	cut := MaxQuotedBytes
	// Back up to the start of the rune the cut would split (a valid
	// encoding has at most three continuation bytes).
	for i := 0; i < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return strconv.Quote(s[:cut]) + "... (" + strconv.Itoa(len(s)) + " bytes)"
}
