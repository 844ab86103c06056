package customer

import (
	"math/rand/v2"
	"testing"
)

// FuzzASCIIDomain checks canonicalDomain's fast path against IDNA: where
// asciiDomain decides, idnaDomain accepts the domain and returns the same.
func FuzzASCIIDomain(f *testing.F) {
	for _, s := range []string{"example.com", "Example.COM", "a.b", "xn--bcher-kva.de", "ab--cd.com", "a-.com",
		"-a.com", "a..com", ".a.com", "a.com.", "1.23", "a.123", "localhost", "EXAMPLE.c0m", "a_b.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, domain string) {
		checkASCIIDomain(t, domain)
	})
}

// TestASCIIDomainRandom runs the same check over random domains of the
// characters that matter to the fast path.
func TestASCIIDomainRandom(t *testing.T) {
	const chars = "abcXYZ019-._"
	rng := rand.New(rand.NewPCG(1, 2))
	for range 50_000 {
		b := make([]byte, 1+rng.IntN(14))
		for i := range b {
			b[i] = chars[rng.IntN(len(chars))]
		}
		checkASCIIDomain(t, string(b))
	}
}

func checkASCIIDomain(t *testing.T, domain string) {
	t.Helper()
	fast, ok := asciiDomain(domain)
	if !ok {
		return
	}
	slow, err := idnaDomain(domain)
	if err != nil || slow != fast {
		t.Fatalf("domain %q: fast path %q, IDNA %q (%v)", domain, fast, slow, err)
	}
}
