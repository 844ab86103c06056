package clientele_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
)

const pw = "correct-horse-battery-staple-42"

// countingHasher counts the verifications a hasher runs.
type countingHasher struct {
	password.Hasher
	verifies atomic.Int64
}

func (h *countingHasher) Verify(encoded, p string) (bool, bool, error) {
	h.verifies.Add(1)
	return h.Hasher.Verify(encoded, p)
}

// accountsEnv is a clienteletest environment (fast hasher) with a clock
// the test moves.
func accountsEnv(t *testing.T, opts ...clientele.Option) *clienteletest.Env {
	return clienteletest.New(t, clienteletest.WithServiceOptions(opts...))
}

func credsOf(t *testing.T, e *clienteletest.Env, c customer.Customer) credential.Credentials {
	t.Helper()
	cr, err := e.Store.(storage.Authentication).Credentials().Get(context.Background(), c.ID)
	require.NoError(t, err)
	return cr
}

func TestAccountsRegisterAndAuthenticate(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada, err := e.Service.Accounts.Register(ctx, customer.Params{Email: "Ada@Example.com", FirstName: "Ada"}, pw)
	require.NoError(t, err)
	assert.True(t, ada.HasPassword)
	assert.Equal(t, customer.StateActive, ada.State)
	assert.True(t, strings.HasPrefix(credsOf(t, e, ada).PasswordHash, "$argon2id$"))

	login, err := e.Service.Accounts.Authenticate(ctx, " ada@EXAMPLE.com ", pw)
	require.NoError(t, err)
	assert.Equal(t, ada.ID, login.Customer.ID)
	assert.False(t, login.Rehashed)

	guest := e.MustGuest(clienteletest.Email("guest@example.com"))
	disabled := e.MustRegisterAccount(clienteletest.Email("off@example.com"))
	_, err = e.Service.Customers.Disable(ctx, disabled.ID)
	require.NoError(t, err)
	invited, err := e.Service.Customers.Invite(ctx, customer.Params{Email: "invited@example.com"})
	require.NoError(t, err)
	nopw := e.MustRegister(clienteletest.Email("nopw@example.com"))
	deleted := e.MustRegisterAccount(clienteletest.Email("gone@example.com"))
	require.NoError(t, e.Service.Customers.Delete(ctx, deleted.ID))

	cases := []struct{ name, email, pw string }{
		{"wrong password", "ada@example.com", "wrong-password-123"},
		{"unknown email", "nobody@example.com", pw},
		{"malformed email", "not an address", pw},
		{"guest", guest.Email.Display, pw},
		{"disabled", "off@example.com", clienteletest.Password},
		{"invited", invited.Email.Display, pw},
		{"no password", nopw.Email.Display, pw},
		{"deleted", "gone@example.com", clienteletest.Password},
		{"invalid UTF-8 password", "ada@example.com", "\xff\xfe" + pw},
		{"empty password", "ada@example.com", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Service.Accounts.Authenticate(ctx, tt.email, tt.pw)
			require.ErrorIs(t, err, credential.ErrInvalidCredentials)
			assert.Equal(t, credential.ErrInvalidCredentials.Error(), err.Error(), "one answer for every failure")
			assert.Equal(t, errcode.Unauthenticated, errcode.Of(err))
			assert.Equal(t, 401, errcode.Of(err).HTTPStatus())
		})
	}
	assert.Equal(t, 3, credsOf(t, e, ada).FailedLogins, "wrong, invalid UTF-8 and empty passwords count")
	_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", pw)
	require.NoError(t, err)
	assert.Zero(t, credsOf(t, e, ada).FailedLogins, "a success clears the counter")
}

// Every failing path runs exactly one password verification: where there
// is no hash to check, the dummy hash (of the current parameters) is
// verified instead, so the work, and the time, are the same.
func TestAuthenticateDoesTheSameWorkOnEveryPath(t *testing.T) {
	h := &countingHasher{Hasher: clienteletest.FastHasher()}
	e := accountsEnv(t, clientele.WithPasswordHasher(h))
	ctx := context.Background()
	e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	e.MustGuest(clienteletest.Email("guest@example.com"))
	off := e.MustRegisterAccount(clienteletest.Email("off@example.com"))
	_, err := e.Service.Customers.Disable(ctx, off.ID)
	require.NoError(t, err)
	for _, email := range []string{"ada@example.com", "nobody@example.com", "guest@example.com", "off@example.com", "bad address"} {
		before := h.verifies.Load()
		_, err := e.Service.Accounts.Authenticate(ctx, email, "wrong-password-123")
		require.ErrorIs(t, err, credential.ErrInvalidCredentials)
		assert.Equal(t, int64(1), h.verifies.Load()-before, "%s: one verification", email)
	}
}

func TestAuthenticateThrottle(t *testing.T) {
	clock := clienteletest.NewClock(clienteletest.Epoch, 0)
	e := clienteletest.New(t, clienteletest.WithClock(clock), clienteletest.WithServiceOptions(
		clientele.WithLoginThrottle(credential.Throttle{Threshold: 3, Base: time.Second, Max: 4 * time.Second})))
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	for i := 1; i <= 2; i++ {
		_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-123")
		require.ErrorIs(t, err, credential.ErrInvalidCredentials)
		var te *credential.ThrottledError
		require.False(t, errors.As(err, &te), "attempt %d is below the threshold", i)
	}
	_, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-123")
	var te *credential.ThrottledError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, time.Second, te.RetryAfter)
	require.ErrorIs(t, err, credential.ErrInvalidCredentials)

	_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
	require.ErrorAs(t, err, &te, "the right password is refused during the backoff")
	assert.Equal(t, 2*time.Second, te.RetryAfter, "and counts: the backoff doubles")
	cr := credsOf(t, e, ada)
	assert.Equal(t, 4, cr.FailedLogins)

	for range 5 {
		_, _ = e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-123")
	}
	_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password-123")
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 4*time.Second, te.RetryAfter, "capped")

	clock.Advance(4 * time.Second)
	login, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
	require.NoError(t, err)
	assert.Equal(t, ada.ID, login.Customer.ID)
	assert.Zero(t, credsOf(t, e, ada).FailedLogins)
	assert.Nil(t, credsOf(t, e, ada).LockedUntil)
}

func TestPasswordPolicyThroughTheService(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	emoji := strings.Repeat("🔐", 64)
	hundred := strings.Repeat("abcdefghij", 10)
	for i, p := range []string{emoji, hundred, "ﬁxed-ligature-pass"} {
		c, err := e.Service.Accounts.Register(ctx, customer.Params{Email: "u" + string(rune('a'+i)) + "@example.com"}, p)
		require.NoError(t, err, "%q", p)
		_, err = e.Service.Accounts.Authenticate(ctx, c.Email.Display, p)
		require.NoError(t, err, "%q signs in", p)
	}
	for _, bad := range []string{"shrt", "PassWord", "123456789", strings.Repeat("x", 300), "ok-length\xff"} {
		_, err := e.Service.Accounts.Register(ctx, customer.Params{Email: "bad@example.com"}, bad)
		require.ErrorIs(t, err, password.ErrInvalid, "%q", bad)
		var ve *errcode.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "password", ve.Field)
		assert.NotContains(t, err.Error(), bad, "the error never echoes the password")
	}
	_, err := e.Service.Customers.GetByEmail(ctx, "bad@example.com")
	require.ErrorIs(t, err, customer.ErrNotFound, "a refused password registers nothing")
}

func TestImportedHashesAreVerifiedAndUpgraded(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegister(clienteletest.Email("ada@example.com"))
	legacy, err := bcrypt.GenerateFromPassword([]byte("legacy-password-1"), 4)
	require.NoError(t, err)
	_, err = e.Service.Accounts.ImportPasswordHash(ctx, ada.ID, string(legacy))
	require.NoError(t, err)
	got, err := e.Service.Customers.Get(ctx, ada.ID)
	require.NoError(t, err)
	assert.True(t, got.HasPassword)

	login, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "legacy-password-1")
	require.NoError(t, err)
	assert.True(t, login.Rehashed)
	assert.True(t, strings.HasPrefix(credsOf(t, e, ada).PasswordHash, "$argon2id$"), "upgraded to argon2id")
	login, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", "legacy-password-1")
	require.NoError(t, err)
	assert.False(t, login.Rehashed)

	t.Run("bcrypt's 72 bytes", func(t *testing.T) {
		bob := e.MustRegister(clienteletest.Email("bob@example.com"))
		p72 := strings.Repeat("p", 72)
		h, err := bcrypt.GenerateFromPassword([]byte(p72), 4)
		require.NoError(t, err)
		_, err = e.Service.Accounts.ImportPasswordHash(ctx, bob.ID, string(h))
		require.NoError(t, err)
		_, err = e.Service.Accounts.Authenticate(ctx, "bob@example.com", p72+"and more")
		require.ErrorIs(t, err, credential.ErrInvalidCredentials, "bytes past 72 are not ignored")
		_, err = e.Service.Accounts.Authenticate(ctx, "bob@example.com", p72)
		require.NoError(t, err)
	})
	t.Run("hostile hashes are refused at import", func(t *testing.T) {
		for _, h := range []string{"", "plaintext", "$2a$31$" + strings.Repeat("a", 53), "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"} {
			_, err := e.Service.Accounts.ImportPasswordHash(ctx, ada.ID, h)
			require.Error(t, err, "%q", h)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
		}
	})
}

func TestPasswordReset(t *testing.T) {
	clock := clienteletest.NewClock(clienteletest.Epoch, time.Millisecond)
	e := clienteletest.New(t, clienteletest.WithClock(clock))
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("Ada@Example.com"))
	before := e.MustLogIn(ada)
	verify, err := e.Service.Accounts.RequestEmailVerification(ctx, ada.ID)
	require.NoError(t, err)
	e.TakeEvents()

	known, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, []event.Type{event.AccountTokenIssued}, e.TakeEventTypes())
	unknown, err := e.Service.Accounts.RequestPasswordReset(ctx, "nobody@example.com")
	require.NoError(t, err)
	assert.Empty(t, e.TakeEventTypes(), "a decoy emits nothing")
	for _, is := range []clientele.Issued{known, unknown} {
		assert.Len(t, is.Token, credential.SecretLength)
		assert.Equal(t, credential.PurposePasswordReset, is.Purpose)
		assert.NotZero(t, is.TokenID)
		assert.WithinDuration(t, clock.Peek().Add(time.Hour), is.ExpiresAt, time.Second)
	}
	assert.Equal(t, "nobody@example.com", unknown.Email)
	assert.NotContains(t, known.String(), known.Token, "String hides the secret")
	_, err = e.Service.Accounts.ResetPassword(ctx, unknown.Token, "new-password-123")
	assert.True(t, credential.IsTokenError(err, credential.ReasonUnknown), "%v", err)

	second, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
	require.NoError(t, err)
	_, err = e.Service.Accounts.ResetPassword(ctx, known.Token, "new-password-123")
	assert.True(t, credential.IsTokenError(err, credential.ReasonRevoked), "a newer token revokes older ones: %v", err)

	_, err = e.Service.Accounts.ResetPassword(ctx, second.Token, "short")
	require.ErrorIs(t, err, password.ErrInvalid)
	e.TakeEvents()
	got, err := e.Service.Accounts.ResetPassword(ctx, second.Token, "new-password-123")
	require.NoError(t, err, "a refused password left the token usable")
	assert.Equal(t, ada.ID, got.ID)
	assert.Equal(t, []event.Type{event.AccountPasswordReset}, e.TakeEventTypes())
	_, err = e.Service.Accounts.ResetPassword(ctx, second.Token, "another-password-123")
	assert.True(t, credential.IsTokenError(err, credential.ReasonUsed), "%v", err)

	_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
	require.ErrorIs(t, err, credential.ErrInvalidCredentials)
	after, err := e.Service.Accounts.Authenticate(ctx, "ada@example.com", "new-password-123")
	require.NoError(t, err)
	assert.Greater(t, after.SessionVersion, before.SessionVersion, "a reset ends sessions")
	_, err = e.Service.Accounts.VerifyEmail(ctx, verify.Token)
	assert.True(t, credential.IsTokenError(err, credential.ReasonRevoked), "a reset revokes every token: %v", err)
	cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
	require.NoError(t, err)
	assert.True(t, cr.EmailVerified(ada.Email.Address), "the reset link proved the address")

	t.Run("expired", func(t *testing.T) {
		is, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)
		clock.Advance(time.Hour)
		_, err = e.Service.Accounts.ResetPassword(ctx, is.Token, "new-password-456")
		assert.True(t, credential.IsTokenError(err, credential.ReasonExpired), "%v", err)
	})
	t.Run("malformed", func(t *testing.T) {
		for _, tok := range []string{"", "x", strings.Repeat("A", 43) + "=", strings.Repeat("!", 43), "'; DROP TABLE auth_tokens; --"} {
			_, err := e.Service.Accounts.ResetPassword(ctx, tok, "new-password-456")
			require.ErrorIs(t, err, credential.ErrTokenInvalid)
			assert.NotContains(t, err.Error(), "DROP")
		}
	})
	t.Run("a disabled customer's tokens are revoked", func(t *testing.T) {
		is, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)
		_, err = e.Service.Customers.Disable(ctx, ada.ID)
		require.NoError(t, err)
		_, err = e.Service.Accounts.ResetPassword(ctx, is.Token, "new-password-456")
		assert.True(t, credential.IsTokenError(err, credential.ReasonRevoked), "%v", err)
		e.TakeEvents()
		decoy, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
		require.NoError(t, err)
		assert.Empty(t, e.TakeEventTypes(), "a disabled account gets a decoy")
		_, err = e.Service.Accounts.ResetPassword(ctx, decoy.Token, "new-password-456")
		assert.True(t, credential.IsTokenError(err, credential.ReasonUnknown), "%v", err)
	})
}

func TestActivation(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	inv, err := e.Service.Customers.Invite(ctx, customer.Params{Email: "Grace@Example.com"})
	require.NoError(t, err)
	is, err := e.Service.Accounts.IssueActivation(ctx, inv.ID)
	require.NoError(t, err)
	assert.Equal(t, "Grace@Example.com", is.Email)
	assert.Equal(t, credential.PurposeActivation, is.Purpose)
	e.TakeEvents()
	_, err = e.Service.Accounts.Activate(ctx, is.Token, "short")
	require.ErrorIs(t, err, password.ErrInvalid)
	c, err := e.Service.Accounts.Activate(ctx, is.Token, pw)
	require.NoError(t, err)
	assert.Equal(t, customer.StateActive, c.State)
	assert.True(t, c.HasPassword)
	assert.Equal(t, []event.Type{event.CustomerActivated, event.AccountPasswordSet, event.AccountEmailVerified}, e.TakeEventTypes())
	_, err = e.Service.Accounts.Authenticate(ctx, "grace@example.com", pw)
	require.NoError(t, err)
	_, err = e.Service.Accounts.Activate(ctx, is.Token, pw)
	assert.True(t, credential.IsTokenError(err, credential.ReasonUsed), "%v", err)
	_, err = e.Service.Accounts.IssueActivation(ctx, c.ID)
	require.ErrorIs(t, err, customer.ErrInvalidTransition)
	reset, err := e.Service.Accounts.RequestPasswordReset(ctx, "grace@example.com")
	require.NoError(t, err)
	_, err = e.Service.Accounts.Activate(ctx, reset.Token, pw)
	assert.True(t, credential.IsTokenError(err, credential.ReasonPurpose), "a reset token does not activate: %v", err)
}

func TestEmailChangeAndVerification(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	before := e.MustLogIn(ada)
	verify, err := e.Service.Accounts.RequestEmailVerification(ctx, ada.ID)
	require.NoError(t, err)

	_, err = e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "ADA@example.com")
	require.ErrorIs(t, err, customer.ErrInvalid, "the current address")
	change, err := e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "Ada.L@Example.org")
	require.NoError(t, err)
	assert.Equal(t, "Ada.L@Example.org", change.Email, "sent to the new address")
	got, err := e.Service.Customers.Get(ctx, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, "ada@example.com", got.Email.Address, "nothing changes before confirmation")

	e.TakeEvents()
	got, err = e.Service.Accounts.ConfirmEmailChange(ctx, change.Token)
	require.NoError(t, err)
	assert.Equal(t, "ada.l@example.org", got.Email.Address)
	assert.Equal(t, []event.Type{event.CustomerEmailChanged, event.AccountEmailVerified}, e.TakeEventTypes())
	cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
	require.NoError(t, err)
	assert.True(t, cr.EmailVerified(got.Email.Address))
	assert.Greater(t, cr.SessionVersion, before.SessionVersion)
	_, err = e.Service.Accounts.VerifyEmail(ctx, verify.Token)
	require.ErrorIs(t, err, credential.ErrTokenInvalid, "the old address's token is revoked")
	_, err = e.Service.Accounts.Authenticate(ctx, "ada.l@example.org", clienteletest.Password)
	require.NoError(t, err)

	t.Run("the address is unique at confirmation", func(t *testing.T) {
		c1, err := e.Service.Accounts.RequestEmailChange(ctx, ada.ID, "taken@example.com")
		require.NoError(t, err)
		e.MustRegister(clienteletest.Email("taken@example.com"))
		_, err = e.Service.Accounts.ConfirmEmailChange(ctx, c1.Token)
		require.ErrorIs(t, err, customer.ErrEmailTaken)
	})
	t.Run("a verification token of an old address is superseded", func(t *testing.T) {
		bob := e.MustRegisterAccount(clienteletest.Email("bob@example.com"))
		v, err := e.Service.Accounts.RequestEmailVerification(ctx, bob.ID)
		require.NoError(t, err)
		other := "bob2@example.com"
		_, err = e.Service.Customers.Update(ctx, bob.ID, customer.Patch{Email: &other})
		require.NoError(t, err)
		_, err = e.Service.Accounts.VerifyEmail(ctx, v.Token)
		assert.True(t, credential.IsTokenError(err, credential.ReasonSuperseded) || credential.IsTokenError(err, credential.ReasonRevoked), "%v", err)
		v, err = e.Service.Accounts.RequestEmailVerification(ctx, bob.ID)
		require.NoError(t, err)
		_, err = e.Service.Accounts.VerifyEmail(ctx, v.Token)
		require.NoError(t, err)
		cr, err := e.Service.Accounts.Credentials(ctx, bob.ID)
		require.NoError(t, err)
		assert.True(t, cr.EmailVerified("bob2@example.com"))
		assert.False(t, cr.EmailVerified("bob@example.com"))
	})
}

func TestChangePassword(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	before := e.MustLogIn(ada)
	_, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, "wrong-password-1", "brand-new-password")
	require.ErrorIs(t, err, credential.ErrInvalidCredentials)
	assert.Equal(t, 1, credsOf(t, e, ada).FailedLogins, "a wrong current password counts")
	_, err = e.Service.Accounts.ChangePassword(ctx, ada.ID, clienteletest.Password, "short")
	require.ErrorIs(t, err, password.ErrInvalid)
	cr, err := e.Service.Accounts.ChangePassword(ctx, ada.ID, clienteletest.Password, "brand-new-password")
	require.NoError(t, err)
	assert.Greater(t, cr.SessionVersion, before.SessionVersion)
	_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", "brand-new-password")
	require.NoError(t, err)
	nopw := e.MustRegister(clienteletest.Email("nopw@example.com"))
	_, err = e.Service.Accounts.ChangePassword(ctx, nopw.ID, "", "brand-new-password")
	require.ErrorIs(t, err, credential.ErrInvalidCredentials)
}

func TestIdentities(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	sso := e.MustRegister(clienteletest.Email("sso@example.com"))
	id, err := e.Service.Accounts.LinkIdentity(ctx, sso.ID, " Google ", "1098-Sub")
	require.NoError(t, err)
	assert.Equal(t, "google", id.Provider)
	again, err := e.Service.Accounts.LinkIdentity(ctx, sso.ID, "google", "1098-Sub")
	require.NoError(t, err)
	assert.Equal(t, id, again, "linking twice is a no-op")

	found, err := e.Service.Accounts.FindByIdentity(ctx, "GOOGLE", "1098-Sub")
	require.NoError(t, err)
	assert.Equal(t, sso.ID, found.ID)
	_, err = e.Service.Accounts.FindByIdentity(ctx, "google", "1098-sub")
	require.ErrorIs(t, err, credential.ErrIdentityNotFound, "subjects are case-sensitive")
	login, err := e.Service.Accounts.AuthenticateIdentity(ctx, "google", "1098-Sub")
	require.NoError(t, err)
	assert.Equal(t, sso.ID, login.Customer.ID)

	other := e.MustRegister(clienteletest.Email("other@example.com"))
	_, err = e.Service.Accounts.LinkIdentity(ctx, other.ID, "google", "1098-Sub")
	require.ErrorIs(t, err, credential.ErrIdentityTaken)
	guest := e.MustGuest(clienteletest.Email("guest@example.com"))
	_, err = e.Service.Accounts.LinkIdentity(ctx, guest.ID, "apple", "x")
	require.ErrorIs(t, err, customer.ErrNotFound, "guests have no account to link to")
	_, err = e.Service.Accounts.LinkIdentity(ctx, sso.ID, "bad provider!", "x")
	require.ErrorIs(t, err, credential.ErrInvalid)

	err = e.Service.Accounts.UnlinkIdentity(ctx, sso.ID, "google", "1098-Sub")
	require.ErrorIs(t, err, credential.ErrLastWayIn)
	_, err = e.Service.Accounts.LinkIdentity(ctx, sso.ID, "apple", "a-1")
	require.NoError(t, err)
	require.NoError(t, e.Service.Accounts.UnlinkIdentity(ctx, sso.ID, "google", "1098-Sub"))
	err = e.Service.Accounts.UnlinkIdentity(ctx, sso.ID, "google", "1098-Sub")
	require.ErrorIs(t, err, credential.ErrIdentityNotFound)
	_, err = e.Service.Accounts.SetPassword(ctx, sso.ID, pw)
	require.NoError(t, err)
	require.NoError(t, e.Service.Accounts.UnlinkIdentity(ctx, sso.ID, "apple", "a-1"), "the password is a way in")
	_, err = e.Service.Accounts.AuthenticateIdentity(ctx, "apple", "a-1")
	require.ErrorIs(t, err, credential.ErrIdentityNotFound)

	_, err = e.Service.Customers.Erase(ctx, other.ID)
	require.NoError(t, err)
	_, err = e.Service.Accounts.LinkIdentity(ctx, sso.ID, "okta", "o-1")
	require.NoError(t, err)
	_, err = e.Service.Customers.Disable(ctx, sso.ID)
	require.NoError(t, err)
	_, err = e.Service.Accounts.AuthenticateIdentity(ctx, "okta", "o-1")
	require.ErrorIs(t, err, credential.ErrInvalidCredentials)
}

func TestGuestOrderClaims(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	guest := e.MustGuest(clienteletest.Email("old-address@example.com"))
	e.MustPlaceOrder(guest.ID, "g-1", "10.00 EUR")
	e.MustPlaceOrder(guest.ID, "g-2", "10.00 EUR")
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))

	_, _, err := e.Service.Orders.Claim(ctx, guest.ID, ada.ID)
	require.ErrorIs(t, err, clientele.ErrActorRequired, "no claim on nobody's authority")
	_, _, err = e.Service.Orders.Claim(actor.NewContext(ctx, actor.Customer(ada.ID)), guest.ID, ada.ID)
	require.ErrorIs(t, err, clientele.ErrActorRequired, "a customer proves with a token")
	assert.Equal(t, errcode.Denied, errcode.Of(err))

	decoy, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "nobody@example.com")
	require.NoError(t, err)
	is, err := e.Service.Orders.RequestClaim(ctx, ada.ID, "Old-Address@example.com")
	require.NoError(t, err)
	assert.Equal(t, "Old-Address@example.com", is.Email)
	assert.Equal(t, credential.PurposeOrderClaim, is.Purpose)
	assert.Len(t, decoy.Token, credential.SecretLength)
	_, _, err = e.Service.Orders.AcceptClaim(ctx, ada.ID, decoy.Token)
	assert.True(t, credential.IsTokenError(err, credential.ReasonUnknown), "%v", err)

	mallory := e.MustRegisterAccount(clienteletest.Email("mallory@example.com"))
	_, _, err = e.Service.Orders.AcceptClaim(ctx, mallory.ID, is.Token)
	assert.True(t, credential.IsTokenError(err, credential.ReasonCustomer), "%v", err)

	e.TakeEvents()
	got, moved, err := e.Service.Orders.AcceptClaim(ctx, ada.ID, is.Token)
	require.NoError(t, err, "the token stayed usable for its owner")
	assert.Equal(t, 2, moved)
	assert.Equal(t, 2, got.OrderCount)
	assert.Equal(t, customer.StatusRepeat, got.Status)
	evs := e.TakeEvents()
	require.Len(t, evs, 2)
	assert.Equal(t, event.CustomerGuestOrdersClaimed, evs[0].Type)
	p, err := event.Decode[event.ClaimPayload](evs[0])
	require.NoError(t, err)
	assert.Equal(t, "token", p.Proof)
	assert.Equal(t, is.TokenID, p.TokenID)
	o, err := e.Service.Orders.Get(ctx, "g-1")
	require.NoError(t, err)
	assert.Equal(t, ada.ID, o.CustomerID)
	_, _, err = e.Service.Orders.AcceptClaim(ctx, ada.ID, is.Token)
	assert.True(t, credential.IsTokenError(err, credential.ReasonUsed), "%v", err)

	t.Run("staff path records the actor", func(t *testing.T) {
		g2 := e.MustGuest(clienteletest.Email("bob@example.com"))
		e.MustPlaceOrder(g2.ID, "b-1", "5.00 EUR")
		bob := e.MustRegister(clienteletest.Email("bob@example.com"))
		e.TakeEvents()
		_, moved, err := e.Service.Orders.Claim(staffCtx(ctx), g2.ID, bob.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, moved)
		evs := e.TakeEvents()
		require.NotEmpty(t, evs)
		assert.Equal(t, "staff:support-1", evs[0].Actor.String())
		p, err := event.Decode[event.ClaimPayload](evs[0])
		require.NoError(t, err)
		assert.Equal(t, "staff", p.Proof)
	})
}

// What Accounts returns marshals to JSON as a host's API would send it,
// without a hash; an Issued carries its token (for the mail queue) but
// hides it from fmt.
func TestAccountsJSON(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	_, err := e.Service.Accounts.LinkIdentity(ctx, ada.ID, "google", "sub-1")
	require.NoError(t, err)
	login := e.MustLogIn(ada)
	obj := jsonObject(t, login)
	assert.Equal(t, true, obj["customer"].(map[string]any)["has_password"])
	assert.Contains(t, obj, "session_version")

	cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
	require.NoError(t, err)
	b, err := json.Marshal(cr)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "argon2")
	obj = jsonObject(t, cr)
	assert.Equal(t, ada.ID.String(), obj["customer_id"])
	assert.Len(t, obj["identities"], 1)
	assert.NotContains(t, obj, "password_hash")

	is, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
	require.NoError(t, err)
	obj = jsonObject(t, is)
	assert.Equal(t, is.Token, obj["token"])
	assert.Equal(t, "password_reset", obj["purpose"])
	for _, s := range []string{fmt.Sprint(is), fmt.Sprintf("%v %+v %#v %s", is, is, is, is)} {
		assert.NotContains(t, s, is.Token)
	}
	// The event of the token holds neither its secret nor its hash.
	masked := 0
	for _, ev := range e.TakeEvents() {
		assert.NotContains(t, string(ev.Payload), is.Token)
		assert.NotContains(t, string(ev.Payload), "hash")
		entry := ev.Audit(false)
		for _, c := range entry.Changes {
			if c.Field == "email" && ev.Type == event.AccountTokenIssued {
				assert.NotContains(t, string(c.After), "ada@", "the audit masks the address")
				masked++
			}
		}
	}
	assert.Equal(t, 1, masked, "the token's recipient is in the audit, masked")
}

func TestDisableEndsSessions(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegisterAccount()
	login := e.MustLogIn(ada)
	_, err := e.Service.Customers.Disable(ctx, ada.ID)
	require.NoError(t, err)
	cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
	require.NoError(t, err)
	assert.Greater(t, cr.SessionVersion, login.SessionVersion)
}

// A stored hash that cannot be checked answers like a wrong password (the
// same text, a failure counted), with the cause reachable for the logs.
func TestUnreadableStoredHash(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	_, err := e.Store.(storage.Authentication).Credentials().Update(ctx, ada.ID, func(cr *credential.Credentials) error {
		cr.PasswordHash = "$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
		return nil
	})
	require.NoError(t, err)
	_, err = e.Service.Accounts.Authenticate(ctx, "ada@example.com", clienteletest.Password)
	require.ErrorIs(t, err, credential.ErrInvalidCredentials)
	require.ErrorIs(t, err, password.ErrHashParams)
	assert.Equal(t, credential.ErrInvalidCredentials.Error(), err.Error())
	assert.Equal(t, 1, credsOf(t, e, ada).FailedLogins)
}

// The staff path needs a named actor: an anonymous system actor is no one.
func TestClaimNeedsANamedActor(t *testing.T) {
	e := accountsEnv(t)
	g := e.MustGuest(clienteletest.Email("ada@example.com"))
	ada := e.MustRegister(clienteletest.Email("ada@example.com"))
	_, _, err := e.Service.Orders.Claim(actor.NewContext(context.Background(), actor.System("")), g.ID, ada.ID)
	require.ErrorIs(t, err, clientele.ErrActorRequired)
	_, _, err = e.Service.Orders.Claim(actor.NewContext(context.Background(), actor.System("nightly-merge")), g.ID, ada.ID)
	require.NoError(t, err)
}

// Staff changing a customer's address ends their sessions and revokes the
// links mailed to the old address.
func TestStaffEmailChangeEndsSessions(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	ada := e.MustRegisterAccount(clienteletest.Email("ada@example.com"))
	login := e.MustLogIn(ada)
	reset, err := e.Service.Accounts.RequestPasswordReset(ctx, "ada@example.com")
	require.NoError(t, err)
	_, err = e.Service.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Ada")})
	require.NoError(t, err)
	cr, err := e.Service.Accounts.Credentials(ctx, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, login.SessionVersion, cr.SessionVersion, "another field changes nothing")

	_, err = e.Service.Customers.Update(ctx, ada.ID, customer.Patch{Email: ptr("ada@example.org")})
	require.NoError(t, err)
	cr, err = e.Service.Accounts.Credentials(ctx, ada.ID)
	require.NoError(t, err)
	assert.Greater(t, cr.SessionVersion, login.SessionVersion)
	assert.False(t, cr.EmailVerified("ada@example.org"))
	_, err = e.Service.Accounts.ResetPassword(ctx, reset.Token, "new-password-123")
	require.ErrorIs(t, err, credential.ErrTokenInvalid)
}

// A token whose address is no longer the customer's is refused even when
// nothing revoked it (a host that changed the address in storage
// directly): the check is made at redemption.
func TestTokenOfAnOldAddressIsSuperseded(t *testing.T) {
	e := accountsEnv(t)
	ctx := context.Background()
	bob := e.MustRegisterAccount(clienteletest.Email("bob@example.com"))
	v, err := e.Service.Accounts.RequestEmailVerification(ctx, bob.ID)
	require.NoError(t, err)
	r, err := e.Service.Accounts.RequestPasswordReset(ctx, "bob@example.com")
	require.NoError(t, err)
	_, err = e.Store.Customers().Update(ctx, bob.ID, func(c *customer.Customer) error {
		return c.Apply(customer.Patch{Email: ptr("bob2@example.com")}, c.UpdatedAt)
	})
	require.NoError(t, err)
	_, err = e.Service.Accounts.VerifyEmail(ctx, v.Token)
	assert.True(t, credential.IsTokenError(err, credential.ReasonSuperseded), "%v", err)
	_, err = e.Service.Accounts.ResetPassword(ctx, r.Token, "new-password-123")
	assert.True(t, credential.IsTokenError(err, credential.ReasonSuperseded), "%v", err)
}
