package clientele_test

// Accounts under attack: what a hostile client, or a careless host, can
// do through the public API, and what must hold anyway. Each test names
// the promise it keeps; those written for a hole found in review say so.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
)

// gateHasher holds the first verification of each password the test
// gates until the test opens it, so that a test orders a verification
// against other calls without sleeping.
type gateHasher struct {
	password.Hasher
	mu      sync.Mutex
	gates   map[string]chan struct{}
	arrived chan string
}

func newGateHasher() *gateHasher {
	return &gateHasher{Hasher: clienteletest.FastHasher(), gates: map[string]chan struct{}{}, arrived: make(chan string, 16)}
}

// hold gates the next verification of p and returns the function that
// lets it go on.
func (h *gateHasher) hold(p string) (open func()) {
	g := make(chan struct{})
	h.mu.Lock()
	h.gates[p] = g
	h.mu.Unlock()
	return func() { close(g) }
}

func (h *gateHasher) Verify(encoded, p string) (bool, bool, error) {
	h.mu.Lock()
	g, ok := h.gates[p]
	delete(h.gates, p)
	h.mu.Unlock()
	if ok {
		h.arrived <- p
		<-g
	}
	return h.Hasher.Verify(encoded, p)
}

// lengthHasher records the longest password it was asked to verify.
type lengthHasher struct {
	password.Hasher
	longest atomic.Int64
}

func (h *lengthHasher) Verify(encoded, p string) (bool, bool, error) {
	for {
		old := h.longest.Load()
		if int64(len(p)) <= old || h.longest.CompareAndSwap(old, int64(len(p))) {
			break
		}
	}
	return h.Hasher.Verify(encoded, p)
}

// hashCounter counts the new hashes a hasher makes.
type hashCounter struct {
	password.Hasher
	hashes atomic.Int64
}

func (h *hashCounter) Hash(p string) (string, error) {
	h.hashes.Add(1)
	return h.Hasher.Hash(p)
}

// cancelHasher cancels the context of the call under way when it
// verifies a password: a client that hangs up while its password is
// checked.
type cancelHasher struct {
	password.Hasher
	mu     sync.Mutex
	cancel context.CancelFunc
}

func (h *cancelHasher) arm(cancel context.CancelFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cancel = cancel
}

func (h *cancelHasher) Verify(encoded, p string) (bool, bool, error) {
	h.mu.Lock()
	if h.cancel != nil {
		h.cancel()
		h.cancel = nil
	}
	h.mu.Unlock()
	return h.Hasher.Verify(encoded, p)
}

// envMaker makes an environment on a fresh store of the engine under
// test.
type envMaker func(t *testing.T, opts ...clienteletest.EnvOption) *clienteletest.Env

// eachAccountsStore runs fn on every engine of eachStore (memory and
// SQLite always; the servers whose DSN is set), with an envMaker that
// opens a fresh store of the engine for each environment.
func eachAccountsStore(t *testing.T, fn func(t *testing.T, newEnv envMaker)) {
	t.Helper()
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			fn(t, func(t *testing.T, opts ...clienteletest.EnvOption) *clienteletest.Env {
				return clienteletest.New(t, append([]clienteletest.EnvOption{clienteletest.WithStore(eng.open(t))}, opts...)...)
			})
		})
	}
}

// Review finding: credential.Credentials printed with fmt (or logged
// through log/slog's text handler) wrote the password hash, which an
// attacker who reads the logs cracks offline. Its JSON form already left
// it out.
func TestAccountsHostileCredentialsNeverPrintTheirHash(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		bob := e.MustRegister(clienteletest.Email("bob@example.com"))
		legacy, err := bcrypt.GenerateFromPassword([]byte("legacy-password-1"), 4)
		require.NoError(t, err)

		var all []credential.Credentials
		cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
		require.NoError(t, err)
		all = append(all, cr)
		cr, err = e.Service.Accounts.ChangePassword(ctx, ada.ID, clienteletest.Password, "changed-password-1")
		require.NoError(t, err)
		all = append(all, cr)
		cr, err = e.Service.Accounts.SetPassword(ctx, ada.ID, "staff-set-password-1")
		require.NoError(t, err)
		all = append(all, cr)
		cr, err = e.Service.Accounts.ImportPasswordHash(ctx, bob.ID, string(legacy))
		require.NoError(t, err)
		all = append(all, cr)

		for i, cr := range all {
			require.True(t, cr.HasPassword(), "%d: the host still sees that a password is set", i)
			var text, js bytes.Buffer
			var anyCr any = cr // any verb, as a logger's format string may use
			slog.New(slog.NewTextHandler(&text, nil)).Info("signed in", "credentials", cr)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("signed in", "credentials", cr)
			outputs := []string{
				fmt.Sprint(cr), fmt.Sprintf("%v", &cr), fmt.Sprintf("%+v", cr), fmt.Sprintf("%#v", cr), fmt.Sprintf("%s", anyCr),
				fmt.Sprintf("%q", anyCr), fmt.Sprintf("%x", anyCr), fmt.Sprintf("%+v", struct{ C credential.Credentials }{cr}),
				fmt.Sprintf("%v", []credential.Credentials{cr}), text.String(), js.String(),
			}
			var leaks []int
			for j, out := range outputs {
				if strings.Contains(out, cr.PasswordHash) || strings.Contains(out, "$argon2id$") ||
					strings.Contains(out, "$2a$") || strings.Contains(out, fmt.Sprintf("%x", cr.PasswordHash)) {
					leaks = append(leaks, j)
				}
			}
			assert.Empty(t, leaks, "credentials %d: the outputs that show the hash, such as %.160s", i, outputs[0])
			assert.Contains(t, fmt.Sprintf("%+v", cr), cr.CustomerID.String(), "the rest still prints")
			assert.Contains(t, fmt.Sprintf("%#v", cr), "credential.Credentials{", "%#v names the type")
		}
	})
}

// Review finding: a password-reset token sent to the customer's old
// address kept working after staff changed the address (Customers.Update):
// whoever holds the old mailbox (the reason for the change, often) set a
// new password and took the account over. The token now answers
// credential.ReasonSuperseded and changes nothing.
func TestAccountsHostileResetTokenOfAnOldAddressIsSuperseded(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		is, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)
		_, err = e.Service.Customers.Update(ctx, ada.ID, customer.Patch{Email: ptr("ada.new@example.com")})
		require.NoError(t, err)
		e.TakeEvents()

		_, err = e.Service.Accounts.ResetPassword(ctx, is.Token, "takeover-password-1")
		assert.True(t, credential.IsTokenError(err, credential.ReasonSuperseded) || credential.IsTokenError(err, credential.ReasonRevoked), "%v", err)
		assert.Empty(t, e.TakeEventTypes(), "nothing written")
		_, err = e.Service.Accounts.Authenticate(ctx, "ada.new@example.com", clienteletest.Password)
		require.NoError(t, err, "the password is the customer's still")

		// A token sent to the address the customer has now works.
		is, err = e.Service.Accounts.RequestPasswordReset(ctx, "ada.new@example.com")
		require.NoError(t, err)
		_, err = e.Service.Accounts.ResetPassword(ctx, is.Token, "the-owners-password-1")
		require.NoError(t, err)
	})
}

// Review finding: an activation token sent to an invited customer's first
// address (a typo staff then corrected with Customers.Update) still
// activated the account, with a password of the typo address's owner's
// choosing.
func TestAccountsHostileActivationTokenOfAnOldAddressIsSuperseded(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		inv, err := e.Service.Customers.Invite(ctx, customer.Params{Email: "grace@exmaple.com"})
		require.NoError(t, err)
		typo, err := e.Service.Accounts.IssueActivation(ctx, inv.ID)
		require.NoError(t, err)
		_, err = e.Service.Customers.Update(ctx, inv.ID, customer.Patch{Email: ptr("grace@example.com")})
		require.NoError(t, err)
		e.TakeEvents()

		_, err = e.Service.Accounts.Activate(ctx, typo.Token, "typo-owners-password")
		assert.True(t, credential.IsTokenError(err, credential.ReasonSuperseded) || credential.IsTokenError(err, credential.ReasonRevoked), "%v", err)
		assert.Empty(t, e.TakeEventTypes(), "nothing written")
		got, err := e.Service.Customers.Get(ctx, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.StateInvited, got.State)
		assert.False(t, got.HasPassword)

		is, err := e.Service.Accounts.IssueActivation(ctx, inv.ID)
		require.NoError(t, err)
		assert.Equal(t, "grace@example.com", is.Email)
		_, err = e.Service.Accounts.Activate(ctx, is.Token, "graces-own-password")
		require.NoError(t, err)
	})
}

// Review finding: an email change requested by an intruder (with a stolen
// session) to the intruder's address survived the owner's password
// change, which is meant to lock the intruder out: the intruder confirmed
// it afterwards, took the address and, through a reset, the account. A
// password change (and a staff SetPassword) now revokes pending
// email-change tokens with the reset tokens.
func TestAccountsHostilePasswordChangeRevokesPendingEmailChanges(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		for _, tt := range []struct {
			name   string
			change func(e *clienteletest.Env, id uuid.UUID) error
		}{
			{"ChangePassword", func(e *clienteletest.Env, id uuid.UUID) error {
				_, err := e.Service.Accounts.ChangePassword(context.Background(), id, clienteletest.Password, "owners-new-password-1")
				return err
			}},
			{"SetPassword", func(e *clienteletest.Env, id uuid.UUID) error {
				_, err := e.Service.Accounts.SetPassword(context.Background(), id, "owners-new-password-1")
				return err
			}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				e := newEnv(t)
				ctx := context.Background()
				ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
				intruder, err := e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "intruder@example.com")
				require.NoError(t, err)
				require.NoError(t, tt.change(e, ada.ID))
				e.TakeEvents()

				_, err = e.Service.Accounts.ConfirmEmailChange(ctx, intruder.Token)
				assert.True(t, credential.IsTokenError(err, credential.ReasonRevoked), "%v", err)
				assert.Empty(t, e.TakeEventTypes())
				got, err := e.Service.Customers.Get(ctx, ada.ID)
				require.NoError(t, err)
				assert.Equal(t, "ada@example.com", got.Email.Address)
			})
		}
	})
}

// Review finding: a deleted customer kept their external identities, so
// the same person could never link that identity to a new account
// (credential.ErrIdentityTaken), while FindByIdentity said it was linked
// to nobody. Deleting frees the identities as it frees the email.
func TestAccountsHostileDeletingACustomerFreesTheirIdentities(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		bob := e.MustRegisterAccount(clienteletest.Email("bob@example.com"))
		_, err := e.Service.Accounts.LinkIdentity(ctx, bob.ID, "google", "sub-1")
		require.NoError(t, err)
		_, err = e.Service.Accounts.LinkIdentity(ctx, bob.ID, "apple", "sub-2")
		require.NoError(t, err)
		e.TakeEvents()
		require.NoError(t, e.Service.Customers.Delete(ctx, bob.ID))
		assert.Contains(t, e.TakeEventTypes(), event.CustomerDeleted)

		_, err = e.Service.Accounts.FindByIdentity(ctx, "google", "sub-1")
		require.ErrorIs(t, err, credential.ErrIdentityNotFound)
		_, err = e.Service.Accounts.AuthenticateIdentity(ctx, "apple", "sub-2")
		require.ErrorIs(t, err, credential.ErrIdentityNotFound)

		again := e.MustRegisterAccount(clienteletest.Email("bob@example.com"))
		_, err = e.Service.Accounts.LinkIdentity(ctx, again.ID, "google", "sub-1")
		require.NoError(t, err, "the identity is free for the new account")
		login, err := e.Service.Accounts.AuthenticateIdentity(ctx, "google", "sub-1")
		require.NoError(t, err)
		assert.Equal(t, again.ID, login.Customer.ID)

		require.ErrorIs(t, e.Service.Customers.Delete(ctx, bob.ID), customer.ErrNotFound, "deleting twice")
	})
}

// Review finding: a disabled or invited account could still be issued
// email-verification, email-change and order-claim tokens (and redeem
// them: a disabled customer changed their address and claimed a guest's
// orders). Disable revoked the pending tokens, and the next request
// issued new ones. These requests now need an active account, as
// ChangePassword does.
func TestAccountsHostileInactiveAccountsAreIssuedNoTokens(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		off := e.MustRegisterAccount(clienteletest.Email("off@example.com"))
		_, err := e.Service.Customers.Disable(ctx, off.ID)
		require.NoError(t, err)
		inv, err := e.Service.Customers.Invite(ctx, customer.Params{Email: "invited@example.com"})
		require.NoError(t, err)
		g := e.MustGuest(clienteletest.Email("guest@example.com"))
		e.MustPlaceOrder(g.ID, "g-1", "1.00 EUR")
		e.TakeEvents()

		for name, c := range map[string]customer.Customer{"disabled": off, "invited": inv} {
			t.Run(name, func(t *testing.T) {
				_, err := e.Service.Accounts.RequestEmailVerification(ctx, c.ID)
				assert.ErrorIs(t, err, credential.ErrInvalidCredentials, "verification")
				_, err = e.Service.Accounts.RequestEmailChange(ctx, c.ID, "elsewhere@example.com")
				assert.ErrorIs(t, err, credential.ErrInvalidCredentials, "email change")
				_, err = e.Service.Orders.RequestClaim(ctx, c.ID, "guest@example.com")
				assert.ErrorIs(t, err, credential.ErrInvalidCredentials, "claim")
				_, err = e.Service.Orders.RequestClaim(ctx, c.ID, "nobody@example.com")
				assert.ErrorIs(t, err, credential.ErrInvalidCredentials, "claim with a decoy")
				assert.Empty(t, e.TakeEventTypes(), "no token issued")
			})
		}
		o, err := e.Service.Orders.Get(ctx, "g-1")
		require.NoError(t, err)
		assert.Equal(t, g.ID, o.CustomerID)

		t.Run("enabled again, the account asks again", func(t *testing.T) {
			_, err := e.Service.Customers.Enable(ctx, off.ID)
			require.NoError(t, err)
			_, err = e.Service.Accounts.RequestEmailVerification(ctx, off.ID)
			require.NoError(t, err)
		})
	})
}

// Review finding: the backoff was checked on the credentials read before
// the password was verified (outside any lock, by design: a verification
// takes 20 ms), and not again when the success was recorded. Attempts sent
// together all passed the check, so a burst of guesses escaped the
// throttle, and a right guess among them signed in and cleared the
// counter although the failures before it had locked the account. The
// success is now recorded only if the account is not locked under the
// lock; otherwise it counts as one more failure.
func TestAccountsHostileThrottleHoldsWhenTheLockComesDuringVerification(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		h := newGateHasher()
		e := newEnv(t, clienteletest.WithClock(clienteletest.NewClock(clienteletest.Epoch, 0)),
			clienteletest.WithServiceOptions(clientele.WithPasswordHasher(h),
				clientele.WithLoginThrottle(credential.Throttle{Threshold: 3, Base: time.Minute, Max: time.Hour})))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))

		open := h.hold(clienteletest.Password)
		done := make(chan error, 1)
		go func() {
			_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
			done <- err
		}()
		<-h.arrived // the right guess read the credentials: not locked yet
		for range 3 {
			_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-guess-123")
			require.ErrorIs(t, err, credential.ErrInvalidCredentials)
		}
		var te *credential.ThrottledError
		_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
		require.ErrorAs(t, err, &te, "locked now")
		e.TakeEvents()

		open()
		err = <-done
		require.ErrorIs(t, err, credential.ErrInvalidCredentials, "the right guess came in during the backoff")
		require.ErrorAs(t, err, &te)
		cr := credsOf(t, e, ada)
		assert.Equal(t, 5, cr.FailedLogins, "it counts as an attempt during the backoff")
		assert.NotNil(t, cr.LockedUntil, "the backoff stays")
		assert.Nil(t, cr.LastLoginAt)
		assert.Equal(t, []event.Type{event.AccountLoginFailed}, e.TakeEventTypes())
	})
}

// Review finding: ChangePassword had the same hole as Authenticate: a
// current password verified before the account locked changed the
// password (and cleared the counter) after it locked.
func TestAccountsHostileChangePasswordHoldsWhenTheLockComesDuringVerification(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		h := newGateHasher()
		e := newEnv(t, clienteletest.WithClock(clienteletest.NewClock(clienteletest.Epoch, 0)),
			clienteletest.WithServiceOptions(clientele.WithPasswordHasher(h),
				clientele.WithLoginThrottle(credential.Throttle{Threshold: 3, Base: time.Minute, Max: time.Hour})))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		before := credsOf(t, e, ada)

		open := h.hold(clienteletest.Password)
		done := make(chan error, 1)
		go func() {
			_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, clienteletest.Password, "attackers-new-password")
			done <- err
		}()
		<-h.arrived
		for range 3 {
			_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-guess-123")
			require.ErrorIs(t, err, credential.ErrInvalidCredentials)
		}
		open()
		err := <-done
		var te *credential.ThrottledError
		require.ErrorAs(t, err, &te)
		cr := credsOf(t, e, ada)
		assert.Equal(t, before.PasswordHash, cr.PasswordHash, "the password did not change")
		assert.Equal(t, before.SessionVersion, cr.SessionVersion)
		assert.NotNil(t, cr.LockedUntil, "the backoff stays")
	})
}

// Review finding: Authenticate (and ChangePassword's current password)
// normalized and hashed a password of any length: a 9 MB body of U+FDFA
// (which NFKC expands 18 times) cost seconds of CPU per request, for any
// email, signed in or not. No policy accepts a password longer than
// 72 bytes per character of its maximum length (1,024 characters at
// most), so a longer one is refused unread; the hasher never sees it.
// (The spy measures what reaches the hasher, not time.)
func TestAccountsHostileHugePasswordsAreNotHashed(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		const longestAnyPolicyAccepts = 18 * 4 * 1024
		h := &lengthHasher{Hasher: clienteletest.FastHasher()}
		e := newEnv(t, clienteletest.WithServiceOptions(clientele.WithPasswordHasher(h)))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		huge := []string{strings.Repeat("a", 10<<20), strings.Repeat("\ufdfa", 64<<10), strings.Repeat("e\u0301", 1<<20)}
		for i, p := range huge {
			for _, email := range []string{"ada@example.com", "nobody@example.com", "bad address"} {
				_, err := e.Service.Accounts.Authenticate(ctx, email, p)
				require.ErrorIs(t, err, credential.ErrInvalidCredentials, "%d %s", i, email)
				assert.Equal(t, credential.ErrInvalidCredentials.Error(), err.Error(), "one answer")
			}
			_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, p, "a-new-password-123")
			require.ErrorIs(t, err, credential.ErrInvalidCredentials, "%d", i)
			for _, call := range []func() error{
				func() error { _, err := e.Service.Accounts.SetPassword(ctx, ada.ID, p); return err },
				func() error {
					_, err := e.Service.Accounts.Register(ctx, customer.Params{Email: "huge@example.com"}, p)
					return err
				},
			} {
				err := call()
				require.ErrorIs(t, err, password.ErrInvalid)
				assert.Less(t, len(err.Error()), 200)
			}
		}
		assert.LessOrEqual(t, h.longest.Load(), int64(longestAnyPolicyAccepts), "the hasher never saw a huge password")
		assert.Equal(t, 2*len(huge), credsOf(t, e, ada).FailedLogins, "each attempt on the account counts")
		_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
		require.NoError(t, err)
		long := strings.Repeat("🔐", 256)
		_, err = e.Service.Accounts.SetPassword(ctx, ada.ID, long)
		require.NoError(t, err)
		_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", long)
		require.NoError(t, err, "the longest password the policy accepts still signs in")
	})
}

// Review finding: ChangePassword hashed the new password before it
// verified the current one, so each wrong guess (and each attempt during
// the backoff) cost a hash as well as a verification: twice the work the
// throttle is meant to bound. It now checks the policy first, and hashes
// only after the current password verified.
func TestAccountsHostileChangePasswordHashesOnlyAfterVerifying(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		h := &hashCounter{Hasher: clienteletest.FastHasher()}
		e := newEnv(t, clienteletest.WithClock(clienteletest.NewClock(clienteletest.Epoch, 0)),
			clienteletest.WithServiceOptions(clientele.WithPasswordHasher(h),
				clientele.WithLoginThrottle(credential.Throttle{Threshold: 2, Base: time.Minute, Max: time.Hour})))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		_, err := e.Service.Accounts.Authenticate(ctx, "nobody@example.com", "wrong-guess-123")
		require.ErrorIs(t, err, credential.ErrInvalidCredentials) // makes the dummy hash, once
		before := h.hashes.Load()
		for range 4 { // two below the threshold, two during the backoff
			_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, "wrong-guess-123", "a-brand-new-password")
			require.ErrorIs(t, err, credential.ErrInvalidCredentials)
		}
		_, err = e.Service.Accounts.ChangePassword(ctx, ada.ID, "wrong-guess-123", "short")
		require.ErrorIs(t, err, password.ErrInvalid, "a refused new password is said first")
		assert.Equal(t, before, h.hashes.Load(), "no hash for a wrong current password")
		assert.Equal(t, 4, credsOf(t, e, ada).FailedLogins)
	})
}

// Review finding: ImportPasswordHash checked an imported hash against the
// default limits, not the hasher's: with a hasher whose limits are
// tighter, a hash it refuses to verify was imported, and the customer
// could never sign in (each attempt an error about the stored hash).
func TestAccountsHostileImportHonoursTheHashersLimits(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		strict := &password.Argon2id{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32, Limits: password.Limits{MaxBcryptCost: 5}}
		e := newEnv(t, clienteletest.WithServiceOptions(clientele.WithPasswordHasher(strict)))
		ctx := context.Background()
		ada := e.MustRegister(clienteletest.Email("ada@example.com"))
		h, err := bcrypt.GenerateFromPassword([]byte("legacy-password-1"), 6)
		require.NoError(t, err)
		e.TakeEvents()
		_, err = e.Service.Accounts.ImportPasswordHash(ctx, ada.ID, string(h))
		require.ErrorIs(t, err, password.ErrHashParams)
		assert.Empty(t, e.TakeEventTypes())
		cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
		require.NoError(t, err)
		assert.False(t, cr.HasPassword())

		h, err = bcrypt.GenerateFromPassword([]byte("legacy-password-1"), 5)
		require.NoError(t, err)
		_, err = e.Service.Accounts.ImportPasswordHash(ctx, ada.ID, string(h))
		require.NoError(t, err)
		_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", "legacy-password-1")
		require.NoError(t, err)
	})
}

// Promise: erasing a guest deletes the claim tokens registered customers
// asked for that name it (the token belongs to the claimant, and its Email
// is the guest's address): storage.Credentials.Delete removes them.
func TestAccountsHostileErasingAGuestScrubsTheirAddressFromClaimTokens(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		g := e.MustGuest(clienteletest.Email("erase-me@example.com"))
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		is, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "erase-me@example.com")
		require.NoError(t, err)
		_, err = e.Service.Customers.Erase(ctx, g.ID)
		require.NoError(t, err)
		hash, err := credential.ParseSecret(is.Token)
		require.NoError(t, err)
		tok, err := e.Store.(storage.Authentication).Credentials().Token(ctx, hash)
		if err == nil {
			assert.NotContains(t, strings.ToLower(tok.Email), "erase-me", "the erased guest's address is gone")
		} else {
			require.ErrorIs(t, err, storage.ErrNotFound)
		}
	})
}

// Promise: the decoy a request for an unknown, guest, invited or disabled
// address gets has the shape of a real token, field by field: the same
// JSON keys, a secret of the same length and alphabet, a version 7 ID, the
// address as typed, the expiry of a real one in UTC.
func TestAccountsHostileDecoysLookLikeRealTokens(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		clock := clienteletest.NewClock(clienteletest.Epoch, 0)
		e := newEnv(t, clienteletest.WithClock(clock))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		e.MustGuest(clienteletest.Email("guest@example.com"))
		off := e.MustRegisterAccount(clienteletest.Email("off@example.com"))
		_, err := e.Service.Customers.Disable(ctx, off.ID)
		require.NoError(t, err)
		_, err = e.Service.Customers.Invite(ctx, customer.Params{Email: "invited@example.com"})
		require.NoError(t, err)
		g := e.MustGuest(clienteletest.Email("old@example.com"))
		e.MustPlaceOrder(g.ID, "o-1", "1.00 EUR")

		shape := func(is clientele.Issued) string {
			t.Helper()
			obj := jsonObject(t, is)
			keys := make([]string, 0, len(obj))
			for k, v := range obj {
				keys = append(keys, fmt.Sprintf("%s:%T", k, v))
			}
			b, err := json.Marshal(is.ExpiresAt)
			require.NoError(t, err)
			_, perr := credential.ParseSecret(is.Token)
			return fmt.Sprintf("%v|%d|%v|%d|%s|%s|%v|%s", len(keys), len(is.Token), perr == nil, is.TokenID.Version(),
				is.ExpiresAt.Location(), strings.Trim(string(b), `"`)[19:], is.ExpiresAt.Sub(clock.Peek()), is.Purpose)
		}
		real, err := e.Service.Accounts.RequestPasswordReset(ctx, "Ada@Example.com")
		require.NoError(t, err)
		want := shape(real)
		assert.Equal(t, "Ada@Example.com", real.Email)
		for _, email := range []string{"Nobody@Example.com", "Guest@Example.com", "Off@Example.com", "Invited@Example.com"} {
			decoy, err := e.Service.Accounts.RequestPasswordReset(ctx, email)
			require.NoError(t, err)
			assert.Equal(t, want, shape(decoy), email)
			assert.Equal(t, email, decoy.Email, "the address as typed, like a real one")
			assert.Equal(t, fmt.Sprintf("%v", real)[len("password_reset token ")+36:], strings.Replace(
				fmt.Sprintf("%v", decoy)[len("password_reset token ")+36:], email, real.Email, 1), "String")
		}
		_, err = e.Service.Accounts.RequestPasswordReset(ctx, "not an address")
		var ve *customer.ValidationError
		require.ErrorAs(t, err, &ve, "a malformed address is refused alike for everyone")

		realClaim, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "Old@Example.com")
		require.NoError(t, err)
		decoyClaim, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "Nobody@Example.com")
		require.NoError(t, err)
		assert.Equal(t, shape(realClaim), shape(decoyClaim))
	})
}

// Promise: a call whose ctx is cancelled before it starts returns an error
// wrapping context.Canceled and writes nothing: no event, no credentials
// change, and every token it was given is still usable afterwards.
func TestAccountsHostileCancelledContextWritesNothing(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		_, err := e.Service.Accounts.LinkIdentity(ctx, ada.ID, "google", "sub-1")
		require.NoError(t, err)
		_, err = e.Service.Accounts.LinkIdentity(ctx, ada.ID, "apple", "sub-2")
		require.NoError(t, err)
		inv, err := e.Service.Customers.Invite(ctx, customer.Params{Email: "invited@example.com"})
		require.NoError(t, err)
		activation, err := e.Service.Accounts.IssueActivation(ctx, inv.ID)
		require.NoError(t, err)
		g := e.MustGuest(clienteletest.Email("guest@example.com"))
		e.MustPlaceOrder(g.ID, "g-1", "1.00 EUR")
		reset, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)
		verify, err := e.Service.Accounts.RequestEmailVerification(ctx, ada.ID)
		require.NoError(t, err)
		change, err := e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "ada.new@example.com")
		require.NoError(t, err)
		claim, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "guest@example.com")
		require.NoError(t, err)
		hash, err := clienteletest.FastHasher().Hash("imported-password-1")
		require.NoError(t, err)
		before := credsOf(t, e, ada)
		e.TakeEvents()

		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		calls := map[string]func(ctx context.Context) error{
			"Register": func(ctx context.Context) error {
				_, err := e.Service.Accounts.Register(ctx, customer.Params{Email: "new@example.com"}, clienteletest.Password)
				return err
			},
			"Authenticate right": func(ctx context.Context) error {
				_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
				return err
			},
			"Authenticate wrong": func(ctx context.Context) error {
				_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-1")
				return err
			},
			"Authenticate unknown": func(ctx context.Context) error {
				_, err := e.Service.Accounts.Authenticate(ctx, "nobody@example.com", "wrong-password-1")
				return err
			},
			"ChangePassword": func(ctx context.Context) error {
				_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, clienteletest.Password, "changed-password-1")
				return err
			},
			"SetPassword": func(ctx context.Context) error {
				_, err := e.Service.Accounts.SetPassword(ctx, ada.ID, "staff-password-1")
				return err
			},
			"ImportPasswordHash": func(ctx context.Context) error {
				_, err := e.Service.Accounts.ImportPasswordHash(ctx, ada.ID, hash)
				return err
			},
			"Credentials": func(ctx context.Context) error {
				_, err := e.Service.Accounts.Credentials(ctx, ada.ID)
				return err
			},
			"RequestPasswordReset": func(ctx context.Context) error {
				_, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
				return err
			},
			"RequestPasswordReset decoy": func(ctx context.Context) error {
				_, err := e.Service.Accounts.RequestPasswordReset(ctx, "nobody@example.com")
				return err
			},
			"ResetPassword": func(ctx context.Context) error {
				_, err := e.Service.Accounts.ResetPassword(ctx, reset.Token, "reset-password-1")
				return err
			},
			"IssueActivation": func(ctx context.Context) error {
				_, err := e.Service.Accounts.IssueActivation(ctx, inv.ID)
				return err
			},
			"Activate": func(ctx context.Context) error {
				_, err := e.Service.Accounts.Activate(ctx, activation.Token, "activated-password-1")
				return err
			},
			"RequestEmailVerification": func(ctx context.Context) error {
				_, err := e.Service.Accounts.RequestEmailVerification(ctx, ada.ID)
				return err
			},
			"VerifyEmail": func(ctx context.Context) error {
				_, err := e.Service.Accounts.VerifyEmail(ctx, verify.Token)
				return err
			},
			"RequestEmailChange": func(ctx context.Context) error {
				_, err := e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "ada.other@example.com")
				return err
			},
			"ConfirmEmailChange": func(ctx context.Context) error {
				_, err := e.Service.Accounts.ConfirmEmailChange(ctx, change.Token)
				return err
			},
			"LinkIdentity": func(ctx context.Context) error {
				_, err := e.Service.Accounts.LinkIdentity(ctx, ada.ID, "okta", "sub-3")
				return err
			},
			"UnlinkIdentity": func(ctx context.Context) error {
				return e.Service.Accounts.UnlinkIdentity(ctx, ada.ID, "google", "sub-1")
			},
			"FindByIdentity": func(ctx context.Context) error {
				_, err := e.Service.Accounts.FindByIdentity(ctx, "google", "sub-1")
				return err
			},
			"AuthenticateIdentity": func(ctx context.Context) error {
				_, err := e.Service.Accounts.AuthenticateIdentity(ctx, "google", "sub-1")
				return err
			},
			"PruneTokens": func(ctx context.Context) error {
				_, err := e.Service.Accounts.PruneTokens(ctx, time.Now().Add(1000*time.Hour))
				return err
			},
			"RequestClaim": func(ctx context.Context) error {
				_, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "guest@example.com")
				return err
			},
			"RequestClaim decoy": func(ctx context.Context) error {
				_, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "nobody@example.com")
				return err
			},
			"AcceptClaim": func(ctx context.Context) error {
				_, _, err := e.Service.Orders.AcceptClaim(ctx, ada.ID, claim.Token)
				return err
			},
			"Claim (staff)": func(ctx context.Context) error {
				_, _, err := e.Service.Orders.Claim(staffCtx(ctx), g.ID, ada.ID)
				return err
			},
		}
		for name, call := range calls {
			err := call(cancelled)
			require.ErrorIs(t, err, context.Canceled, name)
		}
		assert.Empty(t, e.TakeEventTypes(), "no call wrote an event")
		assert.Equal(t, before, credsOf(t, e, ada), "no call changed the credentials")
		_, err = e.Service.Customers.GetByEmail(ctx, "new@example.com")
		require.ErrorIs(t, err, customer.ErrNotFound)

		// Every token is still usable.
		_, _, err = e.Service.Orders.AcceptClaim(ctx, ada.ID, claim.Token)
		require.NoError(t, err)
		_, err = e.Service.Accounts.VerifyEmail(ctx, verify.Token)
		require.NoError(t, err)
		_, err = e.Service.Accounts.ConfirmEmailChange(ctx, change.Token)
		require.NoError(t, err)
		_, err = e.Service.Accounts.Activate(ctx, activation.Token, "activated-password-1")
		require.NoError(t, err)
		reset, err = e.Service.Accounts.RequestPasswordReset(ctx, "ada.new@example.com")
		require.NoError(t, err)
		_, err = e.Service.Accounts.ResetPassword(ctx, reset.Token, "reset-password-1")
		require.NoError(t, err)
	})
}

// Promise: a client that hangs up while its password is verified (the
// host's request ctx is cancelled mid-call) gets an error wrapping
// context.Canceled, and nothing is recorded: no sign-in, no failure, no
// password change. It learns nothing either: it has no answer.
func TestAccountsHostileCancelDuringVerificationWritesNothing(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		h := &cancelHasher{Hasher: clienteletest.FastHasher()}
		e := newEnv(t, clienteletest.WithServiceOptions(clientele.WithPasswordHasher(h)))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		before := credsOf(t, e, ada)
		e.TakeEvents()
		for _, tt := range []struct {
			name string
			call func(ctx context.Context) error
		}{
			{"Authenticate right", func(ctx context.Context) error {
				_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
				return err
			}},
			{"Authenticate wrong", func(ctx context.Context) error {
				_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-1")
				return err
			}},
			{"ChangePassword", func(ctx context.Context) error {
				_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, clienteletest.Password, "changed-password-1")
				return err
			}},
			{"ChangePassword wrong", func(ctx context.Context) error {
				_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, "wrong-password-1", "changed-password-1")
				return err
			}},
		} {
			c, cancel := context.WithCancel(ctx)
			h.arm(cancel)
			err := tt.call(c)
			require.ErrorIs(t, err, context.Canceled, tt.name)
			assert.Empty(t, e.TakeEventTypes(), tt.name)
			assert.Equal(t, before, credsOf(t, e, ada), tt.name)
		}
	})
}

// hostile are inputs a client may send in any text field.
var hostile = []string{
	"",
	" ",
	strings.Repeat("x", 10<<20),
	strings.Repeat("é", 1<<20),
	"\xff\xfe\xfd",
	"a\x00b",
	"\x00",
	"ada@example.com\x00admin@example.com",
	"'; DROP TABLE clientele_credentials; --",
	`" OR 1=1 --`,
	"%s%n%x",
	"\u202eedocr\u202c",
	"ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ",
	strings.Repeat("🔐", 300),
}

// Promise: no hostile input panics, none writes partially, and no error
// repeats a long input (an error is short whatever it was given).
func TestAccountsHostileInputsAreRefusedWhole(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		_, err := e.Service.Accounts.LinkIdentity(ctx, ada.ID, "google", "sub-1")
		require.NoError(t, err)
		before := credsOf(t, e, ada)
		e.TakeEvents()
		for i, s := range hostile {
			calls := map[string]func() error{
				"Register email": func() error {
					_, err := e.Service.Accounts.Register(ctx, customer.Params{Email: s}, clienteletest.Password)
					return err
				},
				"Authenticate email": func() error { _, err := e.Service.Accounts.Authenticate(ctx, s, "wrong-password-1"); return err },
				"Authenticate password": func() error {
					_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", s)
					return err
				},
				"ChangePassword next": func() error {
					_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, "wrong-current-1", s)
					return err
				},
				"ChangePassword current": func() error {
					_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, s, "a-new-password-1")
					return err
				},
				"ResetPassword token": func() error { _, err := e.Service.Accounts.ResetPassword(ctx, s, "a-new-password-1"); return err },
				"Activate token":      func() error { _, err := e.Service.Accounts.Activate(ctx, s, "a-new-password-1"); return err },
				"VerifyEmail token":   func() error { _, err := e.Service.Accounts.VerifyEmail(ctx, s); return err },
				"ConfirmEmailChange":  func() error { _, err := e.Service.Accounts.ConfirmEmailChange(ctx, s); return err },
				"AcceptClaim token":   func() error { _, _, err := e.Service.Orders.AcceptClaim(ctx, ada.ID, s); return err },
				"ImportPasswordHash":  func() error { _, err := e.Service.Accounts.ImportPasswordHash(ctx, ada.ID, s); return err },
				"LinkIdentity provider": func() error {
					_, err := e.Service.Accounts.LinkIdentity(ctx, ada.ID, s, "sub-2")
					return err
				},
				"UnlinkIdentity provider": func() error { return e.Service.Accounts.UnlinkIdentity(ctx, ada.ID, s, "sub-1") },
				"UnlinkIdentity subject":  func() error { return e.Service.Accounts.UnlinkIdentity(ctx, ada.ID, "google", s) },
				"FindByIdentity": func() error {
					_, err := e.Service.Accounts.FindByIdentity(ctx, s, s)
					return err
				},
				"AuthenticateIdentity": func() error {
					_, err := e.Service.Accounts.AuthenticateIdentity(ctx, "google", s)
					return err
				},
			}
			for name, call := range calls {
				var err error
				require.NotPanics(t, func() { err = call() }, "%s %d", name, i)
				require.Error(t, err, "%s %d", name, i)
				assert.Less(t, len(err.Error()), 200+min(len(s), 1024), "%s %d: %v", name, i, err)
				if len(s) > 1024 {
					assert.Less(t, len(err.Error()), 1024, "%s %d: a long input is not echoed", name, i)
				}
			}
			for _, name := range []string{"RequestPasswordReset", "RequestEmailChange", "RequestClaim"} {
				var err error
				require.NotPanics(t, func() {
					switch name {
					case "RequestPasswordReset":
						_, err = e.Service.Accounts.RequestPasswordReset(ctx, s)
					case "RequestEmailChange":
						_, err = e.Service.Accounts.RequestEmailChange(ctx, ada.ID, s)
					default:
						_, err = e.Service.Orders.RequestClaim(ctx, ada.ID, s)
					}
				})
				if err == nil {
					// A well-formed address (the fullwidth one normalizes to
					// ada@example.com): a token or a decoy, never a panic.
					continue
				}
				assert.Less(t, len(err.Error()), 200+min(len(s), 1024), "%s %d: %v", name, i, err)
			}
		}
		after := credsOf(t, e, ada)
		assert.Equal(t, before.PasswordHash, after.PasswordHash, "no hostile input set a password")
		assert.Equal(t, before.Identities, after.Identities, "nor linked or unlinked an identity")
		for _, ev := range e.TakeEvents() {
			assert.Contains(t, []event.Type{event.AccountLoginFailed, event.AccountTokenIssued}, ev.Type,
				"hostile input only counts failures and issues tokens to well-formed addresses")
		}
	})
}

// Promise: an identity's subject is byte-exact: SQL metacharacters,
// quotes, case and Unicode are kept and matched as given, and a subject
// that differs in one byte finds nobody.
func TestAccountsHostileSubjectsAreByteExact(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		subjects := []string{"'; DROP TABLE clientele_identities; --", `" OR ""="`, "%_\\", "Sub-1", "sub-1", "Ａ", "A", "e\u0301", "é"}
		for _, s := range subjects {
			_, err := e.Service.Accounts.LinkIdentity(ctx, ada.ID, "oidc", s)
			require.NoError(t, err, "%q", s)
		}
		for _, s := range subjects {
			id, err := e.Service.Accounts.FindByIdentity(ctx, "OIDC", s)
			require.NoError(t, err, "%q", s)
			assert.Equal(t, ada.ID, id.ID)
		}
		for _, s := range []string{"%", "_", "' OR '1'='1", "SUB-1", "a", "e"} {
			_, err := e.Service.Accounts.FindByIdentity(ctx, "oidc", s)
			require.ErrorIs(t, err, credential.ErrIdentityNotFound, "%q", s)
		}
		cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
		require.NoError(t, err)
		require.Len(t, cr.Identities, len(subjects))
		for i, id := range cr.Identities {
			assert.Equal(t, subjects[i], id.Subject, "stored as given")
		}
	})
}

// Promise: a token works once, for its purpose, for its customer: tokens
// of the wrong shape, of another purpose, used, or of another customer
// are refused with a *credential.TokenError that never holds the token,
// and the refusal consumes nothing.
func TestAccountsHostileTokensOfTheWrongKind(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t)
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		mallory := e.MustRegisterAccount(clienteletest.Email("mallory@example.com"))
		g := e.MustGuest(clienteletest.Email("guest@example.com"))
		e.MustPlaceOrder(g.ID, "g-1", "1.00 EUR")
		reset, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)
		verify, err := e.Service.Accounts.RequestEmailVerification(ctx, ada.ID)
		require.NoError(t, err)
		claim, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "guest@example.com")
		require.NoError(t, err)
		e.TakeEvents()

		shapes := []string{
			reset.Token[:42], reset.Token + "A", reset.Token + "=", " " + reset.Token, reset.Token + "\x00",
			strings.ToUpper(reset.Token), strings.NewReplacer("-", "+", "_", "/").Replace(reset.Token) + "x",
			strings.Repeat("_", 43), strings.Repeat("A", 42) + "B", // non-zero padding bits
			strings.Repeat("Ａ", 43), strings.Repeat("x", 10<<20),
		}
		for _, tok := range shapes {
			if tok == reset.Token {
				continue // the upper-cased secret may equal itself
			}
			_, err := e.Service.Accounts.ResetPassword(ctx, tok, "a-new-password-1")
			require.ErrorIs(t, err, credential.ErrTokenInvalid, "%.50q", tok)
			assert.NotContains(t, err.Error(), reset.Token)
			assert.Less(t, len(err.Error()), 100)
		}
		_, err = e.Service.Accounts.VerifyEmail(ctx, reset.Token)
		assert.True(t, credential.IsTokenError(err, credential.ReasonPurpose), "%v", err)
		_, err = e.Service.Accounts.ResetPassword(ctx, verify.Token, "a-new-password-1")
		assert.True(t, credential.IsTokenError(err, credential.ReasonPurpose), "%v", err)
		_, _, err = e.Service.Orders.AcceptClaim(ctx, ada.ID, reset.Token)
		assert.True(t, credential.IsTokenError(err, credential.ReasonPurpose), "%v", err)
		_, err = e.Service.Accounts.ConfirmEmailChange(ctx, claim.Token)
		assert.True(t, credential.IsTokenError(err, credential.ReasonPurpose), "%v", err)
		_, _, err = e.Service.Orders.AcceptClaim(ctx, mallory.ID, claim.Token)
		assert.True(t, credential.IsTokenError(err, credential.ReasonCustomer), "%v", err)
		assert.Empty(t, e.TakeEventTypes(), "refusals write nothing")

		_, err = e.Service.Accounts.ResetPassword(ctx, reset.Token, "a-new-password-1")
		require.NoError(t, err, "the token survived every refusal")
	})
}

// Promise: every pending token dies with the account: a token issued
// before a Disable, a Delete or an Erase is refused after it (and after an
// Enable), whatever its purpose.
func TestAccountsHostileTokensDieWithTheAccount(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		for _, end := range []string{"disable", "disable and enable", "delete", "erase"} {
			t.Run(end, func(t *testing.T) {
				e := newEnv(t)
				ctx := context.Background()
				ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
				g := e.MustGuest(clienteletest.Email("guest@example.com"))
				e.MustPlaceOrder(g.ID, "g-1", "1.00 EUR")
				reset, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
				require.NoError(t, err)
				verify, err := e.Service.Accounts.RequestEmailVerification(ctx, ada.ID)
				require.NoError(t, err)
				change, err := e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "ada.new@example.com")
				require.NoError(t, err)
				claim, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "guest@example.com")
				require.NoError(t, err)
				switch end {
				case "disable", "disable and enable":
					_, err = e.Service.Customers.Disable(ctx, ada.ID)
					require.NoError(t, err)
					if end == "disable and enable" {
						_, err = e.Service.Customers.Enable(ctx, ada.ID)
						require.NoError(t, err)
					}
				case "delete":
					require.NoError(t, e.Service.Customers.Delete(ctx, ada.ID))
				case "erase":
					_, err = e.Service.Customers.Erase(ctx, ada.ID)
					require.NoError(t, err)
				}
				e.TakeEvents()
				_, err = e.Service.Accounts.ResetPassword(ctx, reset.Token, "a-new-password-1")
				assert.ErrorIs(t, err, credential.ErrTokenInvalid, "reset")
				_, err = e.Service.Accounts.VerifyEmail(ctx, verify.Token)
				assert.ErrorIs(t, err, credential.ErrTokenInvalid, "verify")
				_, err = e.Service.Accounts.ConfirmEmailChange(ctx, change.Token)
				assert.ErrorIs(t, err, credential.ErrTokenInvalid, "change")
				_, _, err = e.Service.Orders.AcceptClaim(ctx, ada.ID, claim.Token)
				assert.ErrorIs(t, err, credential.ErrTokenInvalid, "claim")
				assert.Empty(t, e.TakeEventTypes())
				o, err := e.Service.Orders.Get(ctx, "g-1")
				require.NoError(t, err)
				assert.Equal(t, g.ID, o.CustomerID, "the guest keeps its orders")
			})
		}
	})
}

// Promise: a sign-in whose password was verified before a reset committed
// fails: the reset wins, whatever the order in which the two finish.
func TestAccountsHostileLoginRacingAReset(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		h := newGateHasher()
		e := newEnv(t, clienteletest.WithServiceOptions(clientele.WithPasswordHasher(h)))
		ctx := context.Background()
		ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
		is, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)

		open := h.hold(clienteletest.Password)
		done := make(chan error, 1)
		go func() {
			_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
			done <- err
		}()
		<-h.arrived
		_, err = e.Service.Accounts.ResetPassword(ctx, is.Token, "the-reset-password-1")
		require.NoError(t, err)
		open()
		require.ErrorIs(t, <-done, credential.ErrInvalidCredentials, "the old password no longer signs in")
		assert.Nil(t, credsOf(t, e, ada).LastLoginAt)
	})
}

// Promise: two unlinks racing for the last two ways in of a customer
// without a password cannot both succeed: one identity stays.
func TestAccountsHostileConcurrentUnlinksKeepAWayIn(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, clienteletest.WithServiceOptions(WithRandomIDs()))
		ctx := context.Background()
		for round := range 8 {
			c := e.MustRegister()
			subjects := []string{"a", "b", "c"}
			for _, s := range subjects {
				_, err := e.Service.Accounts.LinkIdentity(ctx, c.ID, "oidc", fmt.Sprintf("%s-%d", s, round))
				require.NoError(t, err)
			}
			var (
				wg       sync.WaitGroup
				ok, last atomic.Int64
			)
			for _, s := range subjects {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := e.Service.Accounts.UnlinkIdentity(ctx, c.ID, "oidc", fmt.Sprintf("%s-%d", s, round))
					switch {
					case err == nil:
						ok.Add(1)
					case assert.ErrorIs(t, err, credential.ErrLastWayIn):
						last.Add(1)
					}
				}()
			}
			wg.Wait()
			assert.Equal(t, int64(2), ok.Load())
			assert.Equal(t, int64(1), last.Load())
			cr, err := e.Service.Accounts.Credentials(ctx, c.ID)
			require.NoError(t, err)
			assert.Len(t, cr.Identities, 1)
		}
	})
}

// Promise: a claim racing the claimant's deletion never moves orders to a
// deleted customer: either the claim commits first (and the orders are
// the deleted customer's history, as any order) or the token is dead.
func TestAccountsHostileClaimRacingADelete(t *testing.T) {
	eachAccountsStore(t, func(t *testing.T, newEnv envMaker) {
		e := newEnv(t, clienteletest.WithServiceOptions(WithRandomIDs()))
		ctx := context.Background()
		for round := range 8 {
			g := e.MustGuest()
			id := fmt.Sprintf("race-%d", round)
			e.MustPlaceOrder(g.ID, id, "1.00 EUR")
			c := e.MustRegisterAccount()
			is, err := e.Service.Orders.RequestClaim(ctx, c.ID, g.Email.Display)
			require.NoError(t, err)
			var (
				wg       sync.WaitGroup
				claimErr error
			)
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, _, claimErr = e.Service.Orders.AcceptClaim(ctx, c.ID, is.Token)
			}()
			go func() {
				defer wg.Done()
				assert.NoError(t, e.Service.Customers.Delete(ctx, c.ID))
			}()
			wg.Wait()
			o, err := e.Service.Orders.Get(ctx, id)
			require.NoError(t, err)
			if claimErr == nil {
				assert.Equal(t, c.ID, o.CustomerID)
			} else {
				assert.ErrorIs(t, claimErr, credential.ErrTokenInvalid)
				assert.Equal(t, g.ID, o.CustomerID)
				assert.Equal(t, order.StatusPlaced, o.Status)
			}
		}
	})
}
