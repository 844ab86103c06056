package textnorm

import "golang.org/x/text/unicode/norm"

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
