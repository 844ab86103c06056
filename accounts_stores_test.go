package clientele_test

import (
	"context"
	"encoding/base64"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// The promises of issue 10 that depend on the store, on every adapter.
func TestAccountsOnEveryStore(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := context.Background()

		t.Run("16 concurrent redemptions of one token: exactly one succeeds", func(t *testing.T) {
			ada := e.MustRegisterAccount()
			is, err := e.Service.Accounts.RequestPasswordReset(ctx, ada.Email.Display)
			require.NoError(t, err)
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				ok   int
				errs []error
			)
			start := make(chan struct{})
			for i := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := e.Service.Accounts.ResetPassword(ctx, is.Token, "racing-password-"+string(rune('a'+i)))
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						ok++
					} else {
						errs = append(errs, err)
					}
				}()
			}
			close(start)
			wg.Wait()
			assert.Equal(t, 1, ok)
			for _, err := range errs {
				assert.True(t, credential.IsTokenError(err, credential.ReasonUsed), "%v", err)
			}
		})

		t.Run("16 concurrent claims with one token: exactly one moves the orders", func(t *testing.T) {
			g := e.MustGuest()
			e.MustPlaceOrder(g.ID, "claim-"+g.ID.String(), "4.00 EUR")
			c := e.MustRegisterAccount()
			is, err := e.Service.Orders.RequestClaim(ctx, c.ID, g.Email.Display)
			require.NoError(t, err)
			var (
				wg    sync.WaitGroup
				mu    sync.Mutex
				ok    int
				moved int
			)
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, n, err := e.Service.Orders.AcceptClaim(ctx, c.ID, is.Token)
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						ok++
						moved += n
					} else {
						assert.True(t, credential.IsTokenError(err, credential.ReasonUsed), "%v", err)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, 1, ok)
			assert.Equal(t, 1, moved)
			got, err := e.Service.Customers.Get(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, 1, got.OrderCount, "counted once")
		})

		t.Run("32 concurrent wrong passwords count 32 failures", func(t *testing.T) {
			ada := e.MustRegisterAccount()
			var wg sync.WaitGroup
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := e.Service.Accounts.Authenticate(ctx, ada.Email.Display, "wrong-password-123")
					assert.ErrorIs(t, err, credential.ErrInvalidCredentials)
				}()
			}
			wg.Wait()
			cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
			require.NoError(t, err)
			assert.Equal(t, 32, cr.FailedLogins)
			var te *credential.ThrottledError
			_, err = e.Service.Accounts.Authenticate(ctx, ada.Email.Display, clienteletest.Password)
			assert.True(t, errors.As(err, &te), "locked after 32 failures: %v", err)
		})

		t.Run("nothing at rest holds a plaintext password or token", func(t *testing.T) {
			const first, second = "first-Secret-Passw0rd", "second-Secret-Passw0rd"
			c, err := e.Service.Accounts.Register(ctx, customer.Params{Email: "secrets@example.com"}, first)
			require.NoError(t, err)
			var secrets []string
			reset, err := e.Service.Accounts.RequestPasswordReset(ctx, "secrets@example.com")
			require.NoError(t, err)
			decoy, err := e.Service.Accounts.RequestPasswordReset(ctx, "nobody-at-all@example.com")
			require.NoError(t, err)
			_, err = e.Service.Accounts.ResetPassword(ctx, reset.Token, second)
			require.NoError(t, err)
			verify, err := e.Service.Accounts.RequestEmailVerification(ctx, c.ID)
			require.NoError(t, err)
			_, err = e.Service.Accounts.VerifyEmail(ctx, verify.Token)
			require.NoError(t, err)
			g := e.MustGuest()
			e.MustPlaceOrder(g.ID, "secret-order-"+g.ID.String(), "1.00 EUR")
			claim, err := e.Service.Orders.RequestClaim(ctx, c.ID, g.Email.Display)
			require.NoError(t, err)
			_, _, err = e.Service.Orders.AcceptClaim(ctx, c.ID, claim.Token)
			require.NoError(t, err)
			change, err := e.Service.Accounts.RequestEmailChange(ctx, c.ID, "secrets2@example.com")
			require.NoError(t, err)
			_, err = e.Service.Accounts.Authenticate(ctx, "secrets@example.com", second)
			require.NoError(t, err)
			_, err = e.Service.Accounts.Authenticate(ctx, "secrets@example.com", first)
			require.Error(t, err)

			secrets = append(secrets, first, second)
			for _, is := range []string{reset.Token, decoy.Token, verify.Token, claim.Token, change.Token} {
				raw, err := base64.RawURLEncoding.DecodeString(is)
				require.NoError(t, err)
				secrets = append(secrets, is, string(raw))
			}
			dump := dumpStore(t, s)
			require.Contains(t, dump, "secrets@example.com", "the dump reads the data")
			require.Contains(t, dump, "$argon2id$", "and the hashes")
			for _, secret := range secrets {
				assert.NotContains(t, dump, secret)
			}
		})
	})
}
