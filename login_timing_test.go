package clientele_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// TestLoginTimingIsUniform measures Authenticate with a wrong password for
// an unknown email, a guest's email, a disabled account and an active
// account (the real verification), with the default hasher (argon2id, 19
// MiB), in interleaved trials, and checks loosely that the paths without a
// hash to check (which verify against the dummy hash) cost at least half
// of a real verification, on memory. With CLIENTELE_LOGIN_TIMING=1 it
// runs the 200 trials docs/BENCHMARKS.md reports, on every engine, and
// logs the medians (CLIENTELE_LOGIN_TIMING=1 go test -run
// TestLoginTimingIsUniform -v .). The exact figures belong in the
// benchmarks, not in assertions.
func TestLoginTimingIsUniform(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with the default parameters: skipped with -short")
	}
	if os.Getenv("CLIENTELE_LOGIN_TIMING") == "" {
		loginTiming(t, memory.New(), 12)
		return
	}
	eachStore(t, func(t *testing.T, s storage.Store) { loginTiming(t, s, 200) })
}

func loginTiming(t *testing.T, s storage.Store, trials int) {
	ctx := context.Background()
	svc := clientele.New(s, clientele.WithLoginThrottle(credential.Throttle{Threshold: 1 << 20, Base: time.Second, Max: time.Second}))
	_, err := svc.Accounts.Register(ctx, customer.Params{Email: "active@example.com"}, "the-real-password-1")
	require.NoError(t, err)
	_, _, err = svc.Customers.CreateGuest(ctx, customer.Params{Email: "guest@example.com"})
	require.NoError(t, err)
	off, err := svc.Accounts.Register(ctx, customer.Params{Email: "disabled@example.com"}, "the-real-password-1")
	require.NoError(t, err)
	_, err = svc.Customers.Disable(ctx, off.ID)
	require.NoError(t, err)

	paths := []struct{ name, email string }{
		{"wrong password", "active@example.com"},
		{"unknown email", "nobody@example.com"},
		{"guest email", "guest@example.com"},
		{"disabled account", "disabled@example.com"},
	}
	times := make([][]time.Duration, len(paths))
	for range trials {
		for i, p := range paths {
			start := time.Now()
			_, err := svc.Accounts.Authenticate(ctx, p.email, "a-wrong-password-2")
			times[i] = append(times[i], time.Since(start))
			require.ErrorIs(t, err, credential.ErrInvalidCredentials)
		}
	}
	median := func(d []time.Duration) time.Duration {
		s := slices.Clone(d)
		slices.Sort(s)
		return s[len(s)/2]
	}
	real, realMin := median(times[0]), slices.Min(times[0])
	for i, p := range paths {
		m := median(times[i])
		t.Logf("%-16s median %8.2f ms over %d trials (%.2fx the wrong password), fastest %.2f ms", p.name,
			float64(m.Microseconds())/1000, trials, float64(m)/float64(real), float64(slices.Min(times[i]).Microseconds())/1000)
		// The loose check compares the fastest trials, which other work on
		// the machine can only slow down: a path without a hash to check
		// that skipped the verification would be 100x faster.
		assert.GreaterOrEqual(t, float64(slices.Min(times[i])), 0.5*float64(realMin), "%s costs at least half a real verification", p.name)
	}
}

// recordingHasher records the hashes Verify is asked to check.
type recordingHasher struct {
	password.Hasher
	mu   sync.Mutex
	seen []string
}

func (h *recordingHasher) Verify(encoded, p string) (bool, bool, error) {
	h.mu.Lock()
	h.seen = append(h.seen, encoded)
	h.mu.Unlock()
	return h.Hasher.Verify(encoded, p)
}

// TestDummyHashHasTheCurrentParameters: where there is no hash to check,
// Authenticate verifies against a hash with exactly the parameters of the
// hasher's own hashes, so the work is the same as a real verification, by
// construction and without a clock.
func TestDummyHashHasTheCurrentParameters(t *testing.T) {
	h := &recordingHasher{Hasher: &password.Argon2id{Memory: 1024, Time: 3, Threads: 2}}
	svc := clientele.New(memory.New(), clientele.WithPasswordHasher(h))
	ctx := context.Background()
	_, err := svc.Accounts.Register(ctx, customer.Params{Email: "ada@example.com"}, pw)
	require.NoError(t, err)
	_, err = svc.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-1")
	require.Error(t, err)
	_, err = svc.Accounts.Authenticate(ctx, "nobody@example.com", "wrong-password-1")
	require.Error(t, err)
	require.Len(t, h.seen, 2)
	params := func(phc string) string { return strings.Join(strings.Split(phc, "$")[:4], "$") }
	assert.Equal(t, "$argon2id$v=19$m=1024,t=3,p=2", params(h.seen[0]))
	assert.Equal(t, params(h.seen[0]), params(h.seen[1]), "the dummy hash has the real one's parameters")
	assert.NotEqual(t, h.seen[0], h.seen[1])
}
