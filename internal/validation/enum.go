package validation

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Enum returns the index in names of s, the one convention every domain
// package's enum Parse follows: surrounding white space is trimmed and ASCII
// letters are folded to lower case before s is compared with names, which
// hold the canonical lower-case spellings. An empty name (such as index 0,
// which domain enums leave unused for their invalid zero value) never
// matches. When s matches none, the error is an *Error for field, unwrapping
// to sentinel, that lists the valid names and quotes at most 32 bytes of s.
func Enum(sentinel error, field, s string, names []string) (int, error) {
	key := foldASCII(strings.TrimSpace(s))
	for i, n := range names {
		if n != "" && n == key {
			return i, nil
		}
	}
	return 0, EnumError(sentinel, field, s, names)
}

// EnumError returns the error Enum returns for s: an *Error for field,
// unwrapping to sentinel, whose reason lists the valid names.
func EnumError(sentinel error, field, s string, names []string) *Error {
	valid := make([]string, 0, len(names))
	for _, n := range names {
		if n != "" {
			valid = append(valid, n)
		}
	}
	return New(sentinel, field, "must be one of %s, not %s", strings.Join(valid, ", "), QuoteInput(s))
}

// maxQuoted bounds how much of a caller's input an error message repeats.
const maxQuoted = 32

// QuoteInput returns s quoted for an error message (strconv.Quote, so
// control and invisible characters are escaped), cut to at most 32 bytes on
// a rune boundary with "..." after the cut, so that messages never echo
// unbounded input.
func QuoteInput(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

// foldASCII lower-cases the ASCII letters of s and leaves every other byte
// as it is: enum names are ASCII, and Unicode folding would let look-alikes
// such as the Kelvin sign match "k".
func foldASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
