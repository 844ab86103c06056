package phone

import (
	"strings"
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// E164 parses s, an international number ("+", the country calling code,
// the national number, in any common punctuation), and returns it in E.164
// form ("+4930123456") with ok true when it is a valid number of its
// country without an extension. It never panics.
func E164(s string) (e164 string, ok bool) {
	if !strings.HasPrefix(s, "+") {
		return "", false
	}
	if accepted.has(s) { // s is E.164 already and was accepted before
		return s, true
	}
	defer func() {
		// phonenumbers is a large port; never let a parser bug on hostile
		// input escape as a panic.
		if recover() != nil {
			e164, ok = "", false
		}
	}()
	n, err := phonenumbers.Parse(s, "ZZ")
	if err != nil || n.GetExtension() != "" || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	e164 = phonenumbers.Format(n, phonenumbers.E164)
	accepted.add(e164)
	return e164, true
}

// accepted holds E.164 numbers E164 returned.
var accepted = memo{max: 4096}

// memo is a set of strings, safe for concurrent use, that forgets
// everything when it reaches max entries, so it stays small whatever the
// input.
type memo struct {
	mu  sync.RWMutex
	set map[string]struct{}
	max int
}

func (m *memo) has(s string) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.set[s]
	return ok
}

func (m *memo) add(s string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.set == nil || len(m.set) >= m.max {
		m.set = make(map[string]struct{}, 64)
	}
	m.set[s] = struct{}{}
}
