package clientele_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage/memory"
)

// TestLoginTimingIsUniform measures Authenticate with a wrong password for
// an unknown email, a guest's email, a disabled account and an active
// account (the real verification), with the default hasher (argon2id, 19
// MiB), in interleaved trials, and checks loosely that the paths without a
// hash to check (which verify against the dummy hash) cost at least half
// of a real verification. With CLIENTELE_LOGIN_TIMING=1 it runs the 200
// trials docs/BENCHMARKS.md reports and logs the medians (go test -run
// TestLoginTimingIsUniform -v .). The exact figures belong in the
// benchmarks, not in assertions.
func TestLoginTimingIsUniform(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes with the default parameters: skipped with -short")
	}
	trials := 12
	if os.Getenv("CLIENTELE_LOGIN_TIMING") != "" {
		trials = 200
	}
	ctx := context.Background()
	svc := clientele.New(memory.New(), clientele.WithLoginThrottle(credential.Throttle{Threshold: 1 << 20, Base: time.Second, Max: time.Second}))
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
	real := median(times[0])
	for i, p := range paths {
		m := median(times[i])
		t.Logf("%-16s median %8.2f ms over %d trials (%.2fx the wrong password)", p.name,
			float64(m.Microseconds())/1000, trials, float64(m)/float64(real))
		assert.GreaterOrEqual(t, float64(m), 0.5*float64(real), "%s costs at least half a real verification", p.name)
	}
}
