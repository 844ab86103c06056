package password

import (
	_ "embed"
	"strings"
	"sync"

	"github.com/clientele-go/clientele/internal/textnorm"
)

// commonText is the list of common passwords, one a line, lower-cased,
// after a header of '#' lines that says where it comes from.
//
//go:embed common.txt
var commonText string

// commonSet is the list as a set, built on first use.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10000)
	for line := range strings.Lines(commonText) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[commonKey(line)] = struct{}{}
	}
	return set
})

// commonKey is the form in which the list is compared.
func commonKey(password string) string { return strings.ToLower(textnorm.NFKC(password)) }

// Common reports whether password is in the built-in list of common
// passwords, compared case-insensitively on its NFKC form ("PASSWORD" and
// "Ｐａｓｓｗｏｒｄ" are "password"). The list is the 10,000 most frequent
// passwords of the Xato corpus (Mark Burnett), as zxcvbn 4.4.2 ships them;
// see the package doc.
func Common(password string) bool {
	_, ok := commonSet()[commonKey(password)]
	return ok
}

// CommonCount returns how many passwords the built-in list holds.
func CommonCount() int { return len(commonSet()) }
