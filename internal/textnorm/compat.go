package textnorm

import (
	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// NFKC returns s in Normalization Form KC (compatibility characters mapped
// to their plain forms: fullwidth and halfwidth letters, mathematical
// alphanumerics, ligatures, superscripts...), or s unchanged when x/text
// would corrupt it (see the package doc; the check compares NFKD forms).
func NFKC(s string) string { return guarded(norm.NFKC, norm.NFKD, s) }

// NFKCNormalizable reports whether NFKC puts s in Normalization Form KC.
func NFKCNormalizable(s string) bool { return normalizable(norm.NFKC, norm.NFKD, s) }

// Skeleton returns the Unicode Technical Standard #39 skeleton of s: NFD,
// each character replaced by its prototype in the confusables table (a
// Cyrillic "а" by a Latin "a", "ｍ" and "rn" alike by "rn"), NFD again. Two
// strings that look alike have the same skeleton. A skeleton is for
// comparing, never for display or storage as a value.
//
// The table is github.com/mtibben/confusables (UTS #39 confusables.txt,
// Unicode 13.0). Skeletons change when the table does: whatever stores
// them must compute them again after an upgrade of the table.
func Skeleton(s string) string { return confusables.Skeleton(s) }
