package textnorm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"golang.org/x/text/unicode/norm"
)

func TestNFC(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain ascii", "plain ascii"},
		{"e\u0301", "é"},                         // composes
		{"Å", "Å"},                               // already NFC
		{"\u212b", "Å"},                          // Angstrom sign to A-ring
		{"\U00010041\u0301", "\U00010041\u0301"}, // x/text < v0.42 would return "Á"
		{"\U0001F600", "\U0001F600"},
	} {
		assert.Equal(t, tc.want, NFC(tc.in), "NFC(%+q)", tc.in)
	}
}

func TestNormalizable(t *testing.T) {
	assert.True(t, Normalizable(""))
	assert.True(t, Normalizable("e\u0301"))
	assert.True(t, Normalizable("\U0001F600"))
	if norm.NFC.String("\U00010041\u0301") != "\U00010041\u0301" { // the x/text bug is present
		assert.False(t, Normalizable("\U00010041\u0301"))
	}
}

func FuzzNFC(f *testing.F) {
	for _, s := range []string{"e\u0301", "\U00010041\u0301", "a\u0308\u0301", "\xff", "ǅ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NFC(s)
		if Normalizable(s) && !norm.NFC.IsNormalString(n) {
			t.Fatalf("NFC(%+q) = %+q is not in NFC though Normalizable says it can be", s, n)
		}
		if NFC(n) != n {
			t.Fatalf("NFC not idempotent for %+q", s)
		}
		if norm.NFD.String(n) != norm.NFD.String(s) {
			t.Fatalf("NFC(%+q) = %+q changed the text, not just its form", s, n)
		}
	})
}
