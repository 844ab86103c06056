package storagetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Authentication capability: credentials, linked identities
// and one-time tokens. Every write locks the customer first and needs a
// live one (Delete excepted); tokens are found by the SHA-256 hash of
// their secret.

func credentialsCases() []testCase {
	return []testCase{
		{"GetNotFound", needsAuth(credGetNotFound)},
		{"UpdateCreatesAtVersion1AndIncrements", needsAuth(credCreateAndIncrement)},
		{"UpdateKeepsCustomerIDAndCreatedAt", needsAuth(credKeepsIDAndCreatedAt)},
		{"UpdateFnErrorWritesNothing", needsAuth(credFnError)},
		{"UpdateValidates", needsAuth(credValidates)},
		{"ReturnedValuesAreCopies", needsAuth(credCopies)},
		{"IdentitiesLinkAndUnlink", needsAuth(credLinkUnlink)},
		{"IdentityUniqueAcrossCustomers", needsAuth(credIdentityUnique)},
		{"ByIdentity", needsAuth(credByIdentity)},
		{"ByIdentityBounds", needsAuth(credByIdentityBounds)},
		{"CustomerNotLive", needsAuth(credCustomerNotLive)},
		{"DeleteRemovesEverything", needsAuth(credDelete)},
		{"IssueTokenRevokesOlderOfPurpose", needsAuth(credIssueRevokes)},
		{"TokenByHash", needsAuth(credTokenByHash)},
		{"TokenHashUnique", needsAuth(credTokenHashUnique)},
		{"TokenIDUnique", needsAuth(credTokenIDUnique)},
		{"UpdateTokenOnlyUsedAndRevoked", needsAuth(credUpdateToken)},
		{"RevokeTokens", needsAuth(credRevokeTokens)},
		{"PruneTokens", needsAuth(credPruneTokens)},
		{"TimesInMicroseconds", needsAuth(credMicroseconds)},
		{"HostileInput", needsAuth(credHostile)},
		{"InsideAtomic", needsAuth(credInsideAtomic)},
		{"ConcurrentFailuresAllCounted", needsAuth(credConcurrentFailures)},
		{"ConcurrentRedeemOnce", needsAuth(credConcurrentRedeem)},
		{"DeleteRacingUpdate", needsAuth(credDeleteRacingUpdate)},
		{"CanceledContext", needsAuth(credCanceled)},
	}
}

// needsAuth skips a Credentials case on a store that lacks the capability.
func needsAuth(run func(t *testing.T, e *env, r storage.Credentials)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		a, ok := e.store.(storage.Authentication)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Authentication capability", e.store)
		}
		run(t, e, a.Credentials())
	}
}

// testHash is a valid PHC string; the suite stores it, never checks it.
const testHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"

// setPassword stores credentials with a password for the customer and
// returns them.
func (e *env) setPassword(r storage.Credentials, customerID uuid.UUID, hash string) credential.Credentials {
	e.t.Helper()
	now := e.now()
	c, err := r.Update(e.ctx, customerID, func(c *credential.Credentials) error { return c.SetPassword(hash, now) })
	require.NoError(e.t, err, "setting the password of customer %s", customerID)
	return c
}

// link links the identity (provider, subject) linked at the time, which
// must be new.
func (e *env) link(r storage.Credentials, customerID uuid.UUID, provider, subject string, at time.Time) credential.Credentials {
	e.t.Helper()
	c, err := r.Update(e.ctx, customerID, func(c *credential.Credentials) error {
		added, err := c.Link(credential.Identity{Provider: provider, Subject: subject}, at)
		if err == nil && !added {
			err = &sentinel{"identity linked already"}
		}
		return err
	})
	require.NoError(e.t, err, "linking %s/%q to customer %s", provider, subject, customerID)
	return c
}

// getCredentials reads credentials that must exist.
func (e *env) getCredentials(r storage.Credentials, customerID uuid.UUID) credential.Credentials {
	e.t.Helper()
	c, err := r.Get(e.ctx, customerID)
	require.NoError(e.t, err, "getting the credentials of customer %s", customerID)
	return c
}

// token builds (without storing) a token for the customer, created at the
// time, whose hash is that of its ID: unique, like its ID.
func (e *env) token(customerID uuid.UUID, p credential.Purpose, at time.Time, life time.Duration) credential.Token {
	e.t.Helper()
	var guest uuid.UUID
	if p == credential.PurposeOrderClaim {
		guest = e.id()
	}
	id := e.id()
	t, err := credential.NewToken(id, sha256.Sum256(id[:]), credential.TokenParams{Purpose: p, CustomerID: customerID,
		Email: "token@example.com", GuestID: guest, Lifetime: life}, at)
	require.NoError(e.t, err, "building a %s token", p)
	return t
}

// issue stores a token that must be new.
func (e *env) issue(r storage.Credentials, t credential.Token) credential.Token {
	e.t.Helper()
	require.NoError(e.t, r.IssueToken(e.ctx, t), "issuing the %s token %s", t.Purpose, t.ID)
	return t
}

// getToken reads a token that must exist.
func (e *env) getToken(r storage.Credentials, h credential.TokenHash) credential.Token {
	e.t.Helper()
	t, err := r.Token(e.ctx, h)
	require.NoError(e.t, err, "reading token %s", h)
	return t
}

// redeem redeems the token for its purpose at the time.
func redeem(ctx context.Context, r storage.Credentials, t credential.Token, now time.Time) (credential.Token, error) {
	return r.UpdateToken(ctx, t.Hash, func(tk *credential.Token) error { return tk.Redeem(t.Purpose, now) })
}

// assertCredentials asserts that got is want: every field, an empty list
// of identities being none.
func assertCredentials(t *testing.T, want, got credential.Credentials, msgAndArgs ...any) {
	t.Helper()
	if len(want.Identities) == 0 {
		want.Identities = nil
	}
	if len(got.Identities) == 0 {
		got.Identities = nil
	}
	assert.Equal(t, want, got, msgAndArgs...)
}

// requireNoCredentials fails unless the customer has no credentials.
func requireNoCredentials(t *testing.T, e *env, r storage.Credentials, customerID uuid.UUID, msgAndArgs ...any) {
	t.Helper()
	_, err := r.Get(e.ctx, customerID)
	requireNotFound(t, err, msgAndArgs...)
}

// micros truncates t to the microseconds, in UTC, as every adapter keeps
// times.
func micros(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func credGetNotFound(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	requireNoCredentials(t, e, r, c.ID, "a customer who never had credentials")
	requireNoCredentials(t, e, r, e.id(), "a customer who does not exist")
	requireNoCredentials(t, e, r, uuid.Nil, "the nil UUID")
}

func credCreateAndIncrement(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	now := e.now()
	calls := 0
	first, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		calls++
		assert.Equal(t, storage.NoCredentials(c.ID), *cr, "fn gets the zero credentials with CustomerID set")
		return cr.SetPassword(testHash, now)
	})
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "fn runs once")
	assert.Equal(t, int64(1), first.Version, "new credentials are at version 1")
	assert.Equal(t, c.ID, first.CustomerID)
	assert.Equal(t, testHash, first.PasswordHash)
	assert.Equal(t, micros(now), first.CreatedAt)
	assert.Equal(t, micros(now), first.UpdatedAt)
	require.NotNil(t, first.PasswordSetAt)
	assertCredentials(t, first, e.getCredentials(r, c.ID), "Get returns what Update returned")

	later := e.now()
	second, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		assertCredentials(t, first, *cr, "fn gets the stored credentials")
		cr.RecordFailure(credential.DefaultThrottle, later)
		cr.EndSessions(later)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, int64(2), second.Version)
	assert.Equal(t, 1, second.FailedLogins)
	assert.Equal(t, int64(1), second.SessionVersion)
	assert.Equal(t, micros(now), second.CreatedAt, "CreatedAt stays")
	assert.Equal(t, micros(later), second.UpdatedAt)
	assertCredentials(t, second, e.getCredentials(r, c.ID))

	// An fn that changes nothing still stores a new version.
	third, err := r.Update(e.ctx, c.ID, func(*credential.Credentials) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, int64(3), third.Version)
	assertCredentials(t, third, e.getCredentials(r, c.ID))
}

func credKeepsIDAndCreatedAt(t *testing.T, e *env, r storage.Credentials) {
	c, other := e.newCustomer(), e.newCustomer()
	created := e.now()
	// New credentials take fn's CreatedAt, or else its UpdatedAt.
	got, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.CustomerID = other.ID
		cr.CreatedAt = created
		cr.UpdatedAt = created.Add(time.Hour)
		return cr.Rehash(testHash, created.Add(time.Hour))
	})
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.CustomerID, "the adapter keeps CustomerID")
	assert.Equal(t, micros(created), got.CreatedAt, "new credentials take fn's CreatedAt")
	requireNoCredentials(t, e, r, other.ID, "nothing is stored for the customer fn named")

	got, err = r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.CustomerID = other.ID
		cr.CreatedAt = created.Add(-24 * time.Hour)
		cr.Version = 99
		_, err := cr.Link(credential.Identity{Provider: "google", Subject: "kept", CustomerID: other.ID}, e.now())
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.CustomerID)
	assert.Equal(t, micros(created), got.CreatedAt, "stored credentials keep their CreatedAt")
	assert.Equal(t, int64(2), got.Version, "the adapter sets the version")
	require.Len(t, got.Identities, 1)
	assert.Equal(t, c.ID, got.Identities[0].CustomerID, "identities carry the customer's ID")
	assertCredentials(t, got, e.getCredentials(r, c.ID))
	requireNoCredentials(t, e, r, other.ID)
	id, err := r.ByIdentity(e.ctx, "google", "kept")
	require.NoError(t, err)
	assert.Equal(t, c.ID, id.CustomerID)

	// New credentials whose fn sets only UpdatedAt: CreatedAt is UpdatedAt.
	third := e.newCustomer()
	got, err = r.Update(e.ctx, third.ID, func(cr *credential.Credentials) error {
		cr.UpdatedAt = created
		cr.VerifiedEmail = third.Email.Address
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, micros(created), got.CreatedAt, "CreatedAt defaults to UpdatedAt")
}

func credFnError(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	boom := &sentinel{"credentials fn failed"}
	_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		if err := cr.SetPassword(testHash, e.now()); err != nil {
			return err
		}
		return boom
	})
	requireSame(t, boom, err)
	requireNoCredentials(t, e, r, c.ID, "nothing is written for new credentials")

	stored := e.link(r, c.ID, "google", "g-1", e.now())
	_, err = r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		if err := cr.SetPassword(testHash+"x", e.now()); err != nil {
			return err
		}
		if _, err := cr.Link(credential.Identity{Provider: "apple", Subject: "a-1"}, e.now()); err != nil {
			return err
		}
		cr.Identities = cr.Identities[1:] // unlinks g-1
		return boom
	})
	requireSame(t, boom, err)
	assertCredentials(t, stored, e.getCredentials(r, c.ID), "nothing is written")
	_, err = r.ByIdentity(e.ctx, "apple", "a-1")
	requireNotFound(t, err, "the identity fn linked is not stored")
	_, err = r.ByIdentity(e.ctx, "google", "g-1")
	require.NoError(t, err, "the identity fn unlinked stays")
}

func credValidates(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	for name, mut := range map[string]func(*credential.Credentials){
		"hash with a space":   func(cr *credential.Credentials) { cr.PasswordHash = "not a hash" },
		"hash too long":       func(cr *credential.Credentials) { cr.PasswordHash = strings.Repeat("h", credential.MaxHashLength+1) },
		"negative failures":   func(cr *credential.Credentials) { cr.FailedLogins = -1 },
		"negative session":    func(cr *credential.Credentials) { cr.SessionVersion = -1 },
		"invalid UTF-8 email": func(cr *credential.Credentials) { cr.VerifiedEmail = "\xff@example.com" },
		"NUL in email":        func(cr *credential.Credentials) { cr.VerifiedEmail = "a\x00b@example.com" },
		"newline in email":    func(cr *credential.Credentials) { cr.VerifiedEmail = "a@example.com\nBcc: x@example.com" },
		"upper-case provider": func(cr *credential.Credentials) {
			cr.Identities = append(cr.Identities, credential.Identity{Provider: "Google", Subject: "s", LinkedAt: baseTime})
		},
		"empty subject": func(cr *credential.Credentials) {
			cr.Identities = append(cr.Identities, credential.Identity{Provider: "google", LinkedAt: baseTime})
		},
		"identity twice": func(cr *credential.Credentials) {
			id := credential.Identity{Provider: "google", Subject: "twice", LinkedAt: baseTime}
			cr.Identities = append(cr.Identities, id, id)
		},
		"too many identities": func(cr *credential.Credentials) {
			for i := range credential.MaxIdentities + 1 {
				cr.Identities = append(cr.Identities, credential.Identity{Provider: "p", Subject: fmt.Sprint(i), LinkedAt: baseTime})
			}
		},
	} {
		_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
			mut(cr)
			return nil
		})
		require.ErrorIs(t, err, credential.ErrInvalid, name)
		requireNoCredentials(t, e, r, c.ID, "%s: nothing is written", name)
	}
	stored := e.setPassword(r, c.ID, testHash)
	_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.PasswordHash = "bad hash"
		cr.Identities = append(cr.Identities, credential.Identity{Provider: "google", Subject: "valid", LinkedAt: baseTime})
		return nil
	})
	require.ErrorIs(t, err, credential.ErrInvalid)
	assertCredentials(t, stored, e.getCredentials(r, c.ID), "nothing is written")
	_, err = r.ByIdentity(e.ctx, "google", "valid")
	requireNotFound(t, err, "the valid identity of an invalid result is not linked")
}

func credCopies(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	e.setPassword(r, c.ID, testHash)
	got := e.link(r, c.ID, "google", "copy", e.now())
	want := got.Clone()
	got.Identities[0].Subject = "changed"
	*got.PasswordSetAt = time.Time{}
	assertCredentials(t, want, e.getCredentials(r, c.ID), "changing what Update returned changes nothing stored")
	read := e.getCredentials(r, c.ID)
	read.Identities[0].Provider = "changed"
	*read.PasswordSetAt = time.Time{}
	assertCredentials(t, want, e.getCredentials(r, c.ID), "changing what Get returned changes nothing stored")
	var kept *credential.Credentials
	_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		kept = cr
		return nil
	})
	require.NoError(t, err)
	stored := e.getCredentials(r, c.ID)
	kept.Identities[0].Subject = "changed"
	*kept.PasswordSetAt = time.Time{}
	assertCredentials(t, stored, e.getCredentials(r, c.ID), "changing what fn was given, after Update, changes nothing stored")

	tk := e.issue(r, e.token(c.ID, credential.PurposePasswordReset, e.now(), 0))
	redeemed, err := redeem(e.ctx, r, tk, e.now())
	require.NoError(t, err)
	usedAt := *redeemed.UsedAt
	*redeemed.UsedAt = time.Time{}
	read2 := e.getToken(r, tk.Hash)
	require.NotNil(t, read2.UsedAt)
	assert.Equal(t, usedAt, *read2.UsedAt, "changing what UpdateToken returned changes nothing stored")
	*read2.UsedAt = time.Time{}
	read3 := e.getToken(r, tk.Hash)
	require.NotNil(t, read3.UsedAt)
	assert.Equal(t, usedAt, *read3.UsedAt, "changing what Token returned changes nothing stored")
}

func credLinkUnlink(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	e.setPassword(r, c.ID, testHash)
	t1, t2, t3 := e.now(), e.now(), e.now()
	e.link(r, c.ID, "google", "g-1", t1)
	e.link(r, c.ID, "apple", "a-1", t3)
	// An identity linked with an earlier time comes before the others.
	got := e.link(r, c.ID, "okta-acme", "o-1", t2)
	want := []credential.Identity{
		{Provider: "google", Subject: "g-1", CustomerID: c.ID, LinkedAt: micros(t1)},
		{Provider: "okta-acme", Subject: "o-1", CustomerID: c.ID, LinkedAt: micros(t2)},
		{Provider: "apple", Subject: "a-1", CustomerID: c.ID, LinkedAt: micros(t3)},
	}
	assert.Equal(t, want, got.Identities, "Update returns the identities in the order they were linked")
	assert.Equal(t, want, e.getCredentials(r, c.ID).Identities, "Get returns them in the order they were linked")

	// One Update that links one and unlinks two.
	t4 := e.now()
	got, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		if err := cr.Unlink("google", "g-1", t4); err != nil {
			return err
		}
		if _, err := cr.Link(credential.Identity{Provider: "magic-link", Subject: "m-1"}, t4); err != nil {
			return err
		}
		return cr.Unlink("apple", "a-1", t4)
	})
	require.NoError(t, err)
	want = []credential.Identity{
		{Provider: "okta-acme", Subject: "o-1", CustomerID: c.ID, LinkedAt: micros(t2)},
		{Provider: "magic-link", Subject: "m-1", CustomerID: c.ID, LinkedAt: micros(t4)},
	}
	assert.Equal(t, want, got.Identities)
	assert.Equal(t, want, e.getCredentials(r, c.ID).Identities)
	for _, gone := range [][2]string{{"google", "g-1"}, {"apple", "a-1"}} {
		_, err := r.ByIdentity(e.ctx, gone[0], gone[1])
		requireNotFound(t, err, "%s/%s was unlinked", gone[0], gone[1])
	}
	for _, id := range want {
		found, err := r.ByIdentity(e.ctx, id.Provider, id.Subject)
		require.NoError(t, err)
		assert.Equal(t, id, found)
	}

	// An unlinked identity is free for another customer; unlinking every
	// identity leaves none.
	other := e.newCustomer()
	e.link(r, other.ID, "google", "g-1", e.now())
	got, err = r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.Identities = nil
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, got.Identities)
	assert.Empty(t, e.getCredentials(r, c.ID).Identities)
	_, err = r.ByIdentity(e.ctx, "okta-acme", "o-1")
	requireNotFound(t, err)
}

func credIdentityUnique(t *testing.T, e *env, r storage.Credentials) {
	a, b := e.newCustomer(), e.newCustomer()
	holder := e.link(r, a.ID, "google", "shared", e.now())

	_, err := r.Update(e.ctx, b.ID, func(cr *credential.Credentials) error {
		if err := cr.SetPassword(testHash, e.now()); err != nil {
			return err
		}
		_, err := cr.Link(credential.Identity{Provider: "google", Subject: "shared"}, e.now())
		return err
	})
	requireConflict(t, err, storage.ConstraintIdentity, "new credentials linking a taken identity")
	requireNoCredentials(t, e, r, b.ID, "nothing is written")

	stored := e.setPassword(r, b.ID, testHash)
	_, err = r.Update(e.ctx, b.ID, func(cr *credential.Credentials) error {
		cr.RecordLogin(e.now())
		if _, err := cr.Link(credential.Identity{Provider: "apple", Subject: "free"}, e.now()); err != nil {
			return err
		}
		_, err := cr.Link(credential.Identity{Provider: "google", Subject: "shared"}, e.now())
		return err
	})
	requireConflict(t, err, storage.ConstraintIdentity, "linking a free and a taken identity")
	assertCredentials(t, stored, e.getCredentials(r, b.ID), "nothing is written")
	_, err = r.ByIdentity(e.ctx, "apple", "free")
	requireNotFound(t, err, "the free identity of the failed Update is not linked")
	id, err := r.ByIdentity(e.ctx, "google", "shared")
	require.NoError(t, err)
	assert.Equal(t, a.ID, id.CustomerID, "the identity stays with its holder")
	assertCredentials(t, holder, e.getCredentials(r, a.ID), "the holder's credentials are untouched")

	// The same subject at another provider, or in another case, is
	// another identity.
	e.link(r, b.ID, "apple", "shared", e.now())
	e.link(r, b.ID, "google", "Shared", e.now())
}

func credByIdentity(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	at := e.now()
	e.link(r, c.ID, " Google ", "Sub", at) // Link normalizes the provider
	got, err := r.ByIdentity(e.ctx, "google", "Sub")
	require.NoError(t, err)
	assert.Equal(t, credential.Identity{Provider: "google", Subject: "Sub", CustomerID: c.ID, LinkedAt: micros(at)}, got)
	for _, k := range [][2]string{
		{"google", "sub"}, {"google", "SUB"}, {"google", "Sub "}, {"google", " Sub"}, {"google", "Su"},
		{"Google", "Sub"}, {" google", "Sub"}, {"apple", "Sub"}, {"", "Sub"}, {"google", ""},
		{"google", "Sub\x00"}, {"google", "\xff"}, {"g%", "Sub"}, {"google", "S_b"},
	} {
		_, err := r.ByIdentity(e.ctx, k[0], k[1])
		requireNotFound(t, err, "ByIdentity(%q, %q): providers are compared as given, subjects byte by byte", k[0], k[1])
	}
	// A subject that differs only in case belongs to whoever links it.
	other := e.newCustomer()
	e.link(r, other.ID, "google", "sub", e.now())
	got, err = r.ByIdentity(e.ctx, "google", "sub")
	require.NoError(t, err)
	assert.Equal(t, other.ID, got.CustomerID)
	got, err = r.ByIdentity(e.ctx, "google", "Sub")
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.CustomerID)
}

func credByIdentityBounds(t *testing.T, e *env, r storage.Credentials) {
	long := strings.Repeat("s", storage.MaxKeyBytes+1)
	_, err := r.ByIdentity(e.ctx, "google", long)
	requireTooLarge(t, err, "subject")
	_, err = r.ByIdentity(e.ctx, long, "s")
	requireTooLarge(t, err, "provider")
	_, err = r.ByIdentity(e.ctx, "google", strings.Repeat("s", 1<<20))
	requireTooLarge(t, err, "subject", "a megabyte")
	_, err = r.ByIdentity(e.ctx, strings.Repeat("p", storage.MaxKeyBytes), strings.Repeat("s", storage.MaxKeyBytes))
	requireNotFound(t, err, "keys at the bound are looked up")
}

func credCustomerNotLive(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	stored := e.setPassword(r, c.ID, testHash)
	tk := e.issue(r, e.token(c.ID, credential.PurposePasswordReset, e.now(), 0))
	e.deleteCustomer(c.ID)

	called := false
	_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		called = true
		cr.RecordLogin(e.now())
		return nil
	})
	requireNotLive(t, err, "Update for a deleted customer")
	assert.False(t, called, "fn is not called for a deleted customer")
	assertCredentials(t, stored, e.getCredentials(r, c.ID), "nothing is written")

	next := e.token(c.ID, credential.PurposePasswordReset, e.now(), 0)
	requireNotLive(t, r.IssueToken(e.ctx, next), "IssueToken for a deleted customer")
	_, err = r.Token(e.ctx, next.Hash)
	requireNotFound(t, err, "no token is stored for a deleted customer")

	_, err = redeem(e.ctx, r, tk, e.now())
	requireNotLive(t, err, "UpdateToken of a deleted customer's token")
	assert.Equal(t, tk, e.getToken(r, tk.Hash), "the token is untouched (and was not revoked by the refused issue)")

	missing := e.id()
	_, err = r.Update(e.ctx, missing, func(cr *credential.Credentials) error { return cr.SetPassword(testHash, e.now()) })
	requireNotLive(t, err, "Update for a customer who does not exist")
	requireNoCredentials(t, e, r, missing)
	orphan := e.token(missing, credential.PurposeActivation, e.now(), 0)
	requireNotLive(t, r.IssueToken(e.ctx, orphan), "IssueToken for a customer who does not exist")
	_, err = r.Token(e.ctx, orphan.Hash)
	requireNotFound(t, err)
}

func credDelete(t *testing.T, e *env, r storage.Credentials) {
	c, other := e.newCustomer(), e.newCustomer()
	e.setPassword(r, c.ID, testHash)
	e.link(r, c.ID, "google", "deleted", e.now())
	tokens := []credential.Token{
		e.issue(r, e.token(c.ID, credential.PurposePasswordReset, e.now(), 0)),
		e.issue(r, e.token(c.ID, credential.PurposeEmailVerification, e.now(), 0)),
	}
	kept := e.link(r, other.ID, "google", "kept", e.now())
	keptToken := e.issue(r, e.token(other.ID, credential.PurposePasswordReset, e.now(), 0))

	removed, err := r.Delete(e.ctx, c.ID)
	require.NoError(t, err)
	assert.True(t, removed, "Delete reports that it removed something")
	requireNoCredentials(t, e, r, c.ID)
	_, err = r.ByIdentity(e.ctx, "google", "deleted")
	requireNotFound(t, err, "the identities are removed")
	for _, tk := range tokens {
		_, err = r.Token(e.ctx, tk.Hash)
		requireNotFound(t, err, "the %s token is removed", tk.Purpose)
	}
	removed, err = r.Delete(e.ctx, c.ID)
	require.NoError(t, err)
	assert.False(t, removed, "a second Delete finds nothing")

	assertCredentials(t, kept, e.getCredentials(r, other.ID), "another customer's credentials stay")
	assert.Equal(t, keptToken, e.getToken(r, keptToken.Hash), "another customer's token stays")

	// The erasure of a deleted customer.
	e.deleteCustomer(other.ID)
	removed, err = r.Delete(e.ctx, other.ID)
	require.NoError(t, err)
	assert.True(t, removed, "Delete works for a deleted customer")
	requireNoCredentials(t, e, r, other.ID)
	_, err = r.Token(e.ctx, keptToken.Hash)
	requireNotFound(t, err)
	_, err = r.ByIdentity(e.ctx, "google", "kept")
	requireNotFound(t, err)

	// Tokens alone are something to remove.
	third := e.newCustomer()
	e.issue(r, e.token(third.ID, credential.PurposeActivation, e.now(), 0))
	removed, err = r.Delete(e.ctx, third.ID)
	require.NoError(t, err)
	assert.True(t, removed, "a customer with only a token")

	removed, err = r.Delete(e.ctx, e.newCustomer().ID)
	require.NoError(t, err)
	assert.False(t, removed, "a customer without credentials")

	// A guest's erasure removes the claim tokens of others that name it
	// (they hold its address); the claimant's other tokens stay.
	guest, claimant := e.newCustomer(), e.newCustomer()
	claim := e.token(claimant.ID, credential.PurposeOrderClaim, e.now(), 0)
	claim.GuestID = guest.ID
	e.issue(r, claim)
	own := e.issue(r, e.token(claimant.ID, credential.PurposePasswordReset, e.now(), 0))
	removed, err = r.Delete(e.ctx, guest.ID)
	require.NoError(t, err)
	assert.True(t, removed, "a guest named by a claim token")
	_, err = r.Token(e.ctx, claim.Hash)
	requireNotFound(t, err, "the claim token naming the guest is removed")
	assert.Equal(t, own, e.getToken(r, own.Hash), "the claimant's other token stays")
}

func credIssueRevokes(t *testing.T, e *env, r storage.Credentials) {
	c, other := e.newCustomer(), e.newCustomer()
	reset := credential.PurposePasswordReset
	base := micros(e.now())
	expired := e.issue(r, e.token(c.ID, reset, base, time.Second))
	used := e.issue(r, e.token(c.ID, reset, base.Add(2*time.Second), 0))
	_, err := redeem(e.ctx, r, used, base.Add(3*time.Second))
	require.NoError(t, err)
	used = e.getToken(r, used.Hash)
	pending := e.issue(r, e.token(c.ID, reset, base.Add(4*time.Second), 0))
	verification := e.issue(r, e.token(c.ID, credential.PurposeEmailVerification, base.Add(5*time.Second), 0))
	othersReset := e.issue(r, e.token(other.ID, reset, base.Add(6*time.Second), 0))

	newer := e.issue(r, e.token(c.ID, reset, base.Add(7*time.Second), 0))
	got := e.getToken(r, pending.Hash)
	require.NotNil(t, got.RevokedAt, "the older pending token of the purpose is revoked")
	assert.Equal(t, newer.CreatedAt, *got.RevokedAt, "at the new token's CreatedAt")
	assert.Nil(t, got.UsedAt)
	assert.Equal(t, used, e.getToken(r, used.Hash), "a used token stays as it is")
	assert.Equal(t, expired, e.getToken(r, expired.Hash), "an expired token stays as it is")
	assert.Equal(t, verification, e.getToken(r, verification.Hash), "a token of another purpose stays pending")
	assert.Equal(t, othersReset, e.getToken(r, othersReset.Hash), "another customer's token stays pending")
	assert.Equal(t, newer, e.getToken(r, newer.Hash), "the new token is pending")
	_, err = redeem(e.ctx, r, pending, base.Add(8*time.Second))
	assert.True(t, credential.IsTokenError(err, credential.ReasonRevoked), "the revoked token cannot be redeemed: %v", err)
	_, err = redeem(e.ctx, r, newer, base.Add(8*time.Second))
	require.NoError(t, err, "the new token can")
}

func credTokenByHash(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	for _, p := range credential.Purposes() {
		tk := e.token(c.ID, p, e.now(), 0)
		e.issue(r, tk)
		got := e.getToken(r, tk.Hash)
		assert.Equal(t, tk, got, "%s: every field round-trips", p)
		if p == credential.PurposeOrderClaim {
			assert.NotEqual(t, uuid.Nil, got.GuestID)
		}
	}
	_, err := r.Token(e.ctx, credential.TokenHash{})
	requireNotFound(t, err, "the zero hash")
	unknown := sha256.Sum256([]byte("unknown"))
	_, err = r.Token(e.ctx, unknown)
	requireNotFound(t, err)
	assert.NotContains(t, err.Error(), credential.TokenHash(unknown).String(), "the error does not name the hash")

	// A hash differing in its last byte is another token.
	tk := e.issue(r, e.token(c.ID, credential.PurposeActivation, e.now(), 0))
	h := tk.Hash
	h[len(h)-1] ^= 1
	_, err = r.Token(e.ctx, h)
	requireNotFound(t, err)
}

func credTokenHashUnique(t *testing.T, e *env, r storage.Credentials) {
	c, other := e.newCustomer(), e.newCustomer()
	first := e.issue(r, e.token(c.ID, credential.PurposePasswordReset, e.now(), 0))
	dup := e.token(other.ID, credential.PurposePasswordReset, e.now(), 0)
	dup.Hash = first.Hash
	requireConflict(t, r.IssueToken(e.ctx, dup), storage.ConstraintTokenHash)
	assert.Equal(t, first, e.getToken(r, first.Hash), "the first token stays")
	// The same purpose and customer: the failed issue revokes nothing.
	again := e.token(c.ID, credential.PurposePasswordReset, e.now(), 0)
	again.Hash = first.Hash
	requireConflict(t, r.IssueToken(e.ctx, again), storage.ConstraintTokenHash)
	assert.Equal(t, first, e.getToken(r, first.Hash), "a failed issue revokes nothing")
}

func credTokenIDUnique(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	first := e.issue(r, e.token(c.ID, credential.PurposeEmailChange, e.now(), 0))
	dup := e.token(c.ID, credential.PurposeEmailChange, e.now(), 0)
	dup.ID = first.ID
	requireConflict(t, r.IssueToken(e.ctx, dup), storage.ConstraintPrimaryKey)
	_, err := r.Token(e.ctx, dup.Hash)
	requireNotFound(t, err, "nothing is written")
	assert.Equal(t, first, e.getToken(r, first.Hash), "a failed issue revokes nothing")
}

func credUpdateToken(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	tk := e.issue(r, e.token(c.ID, credential.PurposeEmailVerification, e.now(), 0))
	for name, mut := range map[string]func(*credential.Token){
		"email":      func(w *credential.Token) { w.Email = "other@example.com" },
		"purpose":    func(w *credential.Token) { w.Purpose = credential.PurposePasswordReset },
		"expires_at": func(w *credential.Token) { w.ExpiresAt = w.ExpiresAt.Add(time.Hour) },
		"created_at": func(w *credential.Token) { w.CreatedAt = w.CreatedAt.Add(-time.Hour) },
		"customer":   func(w *credential.Token) { w.CustomerID = uuid.New() },
		"id":         func(w *credential.Token) { w.ID = uuid.New() },
		"hash":       func(w *credential.Token) { w.Hash[0] ^= 1 },
		"guest":      func(w *credential.Token) { w.GuestID = uuid.New() },
	} {
		_, err := r.UpdateToken(e.ctx, tk.Hash, func(w *credential.Token) error {
			w.UsedAt = ptr(e.now())
			mut(w)
			return nil
		})
		require.ErrorIs(t, err, storage.ErrConflict, "changing the %s", name)
		assert.Equal(t, tk, e.getToken(r, tk.Hash), "changing the %s: nothing is written", name)
	}
	boom := &sentinel{"token fn failed"}
	_, err := r.UpdateToken(e.ctx, tk.Hash, func(w *credential.Token) error {
		w.RevokedAt = ptr(e.now())
		return boom
	})
	requireSame(t, boom, err)
	assert.Equal(t, tk, e.getToken(r, tk.Hash), "nothing is written")

	_, err = r.UpdateToken(e.ctx, sha256.Sum256([]byte("unknown")), func(*credential.Token) error {
		t.Error("fn called for an unknown token")
		return nil
	})
	requireNotFound(t, err, "an unknown token")

	at := e.now()
	got, err := redeem(e.ctx, r, tk, at)
	require.NoError(t, err)
	require.NotNil(t, got.UsedAt)
	assert.Equal(t, micros(at), *got.UsedAt)
	assert.Equal(t, got, e.getToken(r, tk.Hash), "Token returns what UpdateToken returned")
	_, err = redeem(e.ctx, r, tk, e.now())
	assert.True(t, credential.IsTokenError(err, credential.ReasonUsed), "a token is redeemed once: %v", err)

	other := e.issue(r, e.token(c.ID, credential.PurposeOrderClaim, e.now(), 0))
	revokedAt := e.now()
	got, err = r.UpdateToken(e.ctx, other.Hash, func(w *credential.Token) error {
		if !w.Revoke(revokedAt) {
			return &sentinel{"not revoked"}
		}
		return nil
	})
	require.NoError(t, err)
	require.NotNil(t, got.RevokedAt)
	assert.Equal(t, micros(revokedAt), *got.RevokedAt)
	assert.Equal(t, got, e.getToken(r, other.Hash))
	// An fn that changes nothing is no error.
	same, err := r.UpdateToken(e.ctx, other.Hash, func(*credential.Token) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, got, same)
}

func credRevokeTokens(t *testing.T, e *env, r storage.Credentials) {
	c, other := e.newCustomer(), e.newCustomer()
	base := micros(e.now())
	reset := e.issue(r, e.token(c.ID, credential.PurposePasswordReset, base, 0))
	verify := e.issue(r, e.token(c.ID, credential.PurposeEmailVerification, base, 0))
	change := e.issue(r, e.token(c.ID, credential.PurposeEmailChange, base, 0))
	activation := e.issue(r, e.token(c.ID, credential.PurposeActivation, base, 0))
	_, err := redeem(e.ctx, r, activation, base.Add(time.Second))
	require.NoError(t, err)
	activation = e.getToken(r, activation.Hash)
	claim := e.issue(r, e.token(c.ID, credential.PurposeOrderClaim, base, time.Minute))
	othersReset := e.issue(r, e.token(other.ID, credential.PurposePasswordReset, base, 0))

	now := base.Add(10 * time.Minute) // the claim has expired
	n, err := r.RevokeTokens(e.ctx, c.ID, now, credential.Purpose(0), credential.Purpose(99))
	require.NoError(t, err)
	assert.Equal(t, 0, n, "purposes that are not valid name no token (and not every token)")
	n, err = r.RevokeTokens(e.ctx, c.ID, now, credential.PurposePasswordReset, credential.PurposeEmailVerification,
		credential.PurposePasswordReset, credential.PurposeOrderClaim, credential.PurposeActivation)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the pending reset and verification tokens; not the used activation, nor the expired claim")
	for _, tk := range []credential.Token{reset, verify} {
		got := e.getToken(r, tk.Hash)
		require.NotNil(t, got.RevokedAt, "%s", tk.Purpose)
		assert.Equal(t, now, *got.RevokedAt, "%s", tk.Purpose)
	}
	assert.Equal(t, change, e.getToken(r, change.Hash), "a purpose not named stays pending")
	assert.Equal(t, activation, e.getToken(r, activation.Hash), "a used token stays as it is")
	assert.Equal(t, claim, e.getToken(r, claim.Hash), "an expired token stays as it is")

	later := now.Add(time.Second)
	n, err = r.RevokeTokens(e.ctx, c.ID, later)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "no purpose: every pending token (the email change)")
	got := e.getToken(r, change.Hash)
	require.NotNil(t, got.RevokedAt)
	assert.Equal(t, later, *got.RevokedAt)
	n, err = r.RevokeTokens(e.ctx, c.ID, later)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing left to revoke")
	assert.Equal(t, othersReset, e.getToken(r, othersReset.Hash), "another customer's token stays pending")

	n, err = r.RevokeTokens(e.ctx, e.id(), later)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "a customer who does not exist has nothing to revoke")
}

func credPruneTokens(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	base := micros(e.now())
	cutoff := base.Add(time.Hour)
	expired := e.issue(r, e.token(c.ID, credential.PurposeOrderClaim, base, time.Minute))
	used := e.issue(r, e.token(c.ID, credential.PurposeActivation, base, 0))
	_, err := redeem(e.ctx, r, used, base.Add(time.Minute))
	require.NoError(t, err)
	revoked := e.issue(r, e.token(c.ID, credential.PurposePasswordReset, base, 0))
	n, err := r.RevokeTokens(e.ctx, c.ID, base.Add(2*time.Minute), credential.PurposePasswordReset)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	pending := e.issue(r, e.token(c.ID, credential.PurposeEmailVerification, base, 0))
	usedLate := e.issue(r, e.token(c.ID, credential.PurposeEmailChange, base, 0))
	_, err = redeem(e.ctx, r, usedLate, cutoff.Add(time.Minute))
	require.NoError(t, err)
	// Expiring at the time is not expiring before it.
	atCutoff := e.issue(r, e.token(c.ID, credential.PurposeOrderClaim, base, cutoff.Sub(base)))

	n, err = r.PruneTokens(e.ctx, cutoff)
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the tokens that expired, were used or were revoked before the time")
	for _, tk := range []credential.Token{expired, used, revoked} {
		_, err := r.Token(e.ctx, tk.Hash)
		requireNotFound(t, err, "the %s token is pruned", tk.Purpose)
	}
	e.getToken(r, pending.Hash)
	e.getToken(r, usedLate.Hash)
	e.getToken(r, atCutoff.Hash)
	n, err = r.PruneTokens(e.ctx, cutoff)
	require.NoError(t, err)
	assert.Equal(t, 0, n, "nothing left to prune")
	n, err = r.PruneTokens(e.ctx, base.Add(365*24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 3, n, "a year later everything has expired")
}

func credMicroseconds(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	zone := time.FixedZone("UTC+05:30", 5*3600+1800)
	at := e.now().In(zone).Add(123 * time.Nanosecond)
	want := micros(at)
	got, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		if err := cr.SetPassword(testHash, at); err != nil {
			return err
		}
		cr.RecordFailure(credential.Throttle{Threshold: 1, Base: time.Minute, Max: time.Hour}, at)
		cr.VerifyEmail(c.Email.Address, at)
		_, err := cr.Link(credential.Identity{Provider: "google", Subject: "times", LinkedAt: at}, at)
		cr.LastLoginAt = ptr(at)
		return err
	})
	require.NoError(t, err)
	for _, cr := range []credential.Credentials{got, e.getCredentials(r, c.ID)} {
		assert.Equal(t, want, cr.CreatedAt)
		assert.Equal(t, want, cr.UpdatedAt)
		for name, p := range map[string]*time.Time{"password_set_at": cr.PasswordSetAt, "last_failed_at": cr.LastFailedAt,
			"last_login_at": cr.LastLoginAt, "email_verified_at": cr.EmailVerifiedAt} {
			require.NotNil(t, p, name)
			assert.Equal(t, want, *p, name)
		}
		require.NotNil(t, cr.LockedUntil)
		assert.Equal(t, want.Add(time.Minute), *cr.LockedUntil)
		require.Len(t, cr.Identities, 1)
		assert.Equal(t, want, cr.Identities[0].LinkedAt)
	}
	id, err := r.ByIdentity(e.ctx, "google", "times")
	require.NoError(t, err)
	assert.Equal(t, want, id.LinkedAt)

	tk := e.token(c.ID, credential.PurposePasswordReset, at, 0)
	tk.CreatedAt = tk.CreatedAt.In(zone)
	tk.ExpiresAt = tk.ExpiresAt.In(zone).Add(456 * time.Nanosecond)
	e.issue(r, tk)
	stored := e.getToken(r, tk.Hash)
	assert.Equal(t, want, stored.CreatedAt)
	assert.Equal(t, micros(tk.ExpiresAt), stored.ExpiresAt)
	used := at.Add(time.Second)
	updated, err := redeem(e.ctx, r, tk, used)
	require.NoError(t, err)
	for _, got := range []credential.Token{updated, e.getToken(r, tk.Hash)} {
		require.NotNil(t, got.UsedAt)
		assert.Equal(t, micros(used), *got.UsedAt)
	}
	n, err := r.RevokeTokens(e.ctx, c.ID, at.Add(2*time.Second))
	require.NoError(t, err)
	assert.Zero(t, n)
}

func credHostile(t *testing.T, e *env, r storage.Credentials) {
	subjects := append([]string{
		"Sub", "sub", `it's`, `"quoted"`, `\\`, `'; DROP TABLE identities; --`,
		"emoji 🔑👩‍💻", strings.Repeat("é", credential.MaxSubjectLength/2) + "s", // 255 bytes
		strings.Repeat("x", credential.MaxSubjectLength), "%", "_", "*", " leading and trailing ",
	}, hostileStrings...)
	var customers []uuid.UUID
	for i, s := range subjects {
		if i%credential.MaxIdentities == 0 {
			customers = append(customers, e.newCustomer().ID)
		}
		e.link(r, customers[len(customers)-1], "oidc.example_1-x", s, e.now())
	}
	for i, s := range subjects {
		got, err := r.ByIdentity(e.ctx, "oidc.example_1-x", s)
		require.NoError(t, err, "subject %d %q", i, s)
		assert.Equal(t, s, got.Subject, "subject %d is returned byte for byte", i)
		assert.Equal(t, customers[i/credential.MaxIdentities], got.CustomerID)
	}
	stored := e.getCredentials(r, customers[0])
	require.Len(t, stored.Identities, credential.MaxIdentities)
	for i, id := range stored.Identities {
		assert.Equal(t, subjects[i], id.Subject)
	}

	c := e.newCustomer()
	for name, subject := range map[string]string{
		"NUL":           "a\x00b",
		"newline":       "a\nb",
		"DEL":           "a\x7fb",
		"C1 control":    "a\u0085b",
		"invalid UTF-8": "a\xffb",
		"cut UTF-8":     "\xc3",
		"too long":      strings.Repeat("x", credential.MaxSubjectLength+1),
		"empty":         "",
	} {
		_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
			cr.Identities = append(cr.Identities, credential.Identity{Provider: "google", Subject: subject, LinkedAt: baseTime})
			return nil
		})
		require.ErrorIs(t, err, credential.ErrInvalid, name)
		_, err = r.ByIdentity(e.ctx, "google", subject)
		requireNotFound(t, err, "%s: looked up, not stored", name)
	}
	for _, p := range []string{"'; DROP TABLE identities; --", "google\x00", "\xff", "%"} {
		_, err := r.ByIdentity(e.ctx, p, "Sub")
		requireNotFound(t, err, "provider %q", p)
	}
	requireNoCredentials(t, e, r, c.ID)

	// The longest hash, of every printable ASCII character.
	var b strings.Builder
	for b.Len() < credential.MaxHashLength {
		b.WriteByte(byte(0x21 + b.Len()%(0x7f-0x21)))
	}
	long := b.String()
	require.Contains(t, long, `'`)
	require.Contains(t, long, `\`)
	got := e.setPassword(r, c.ID, long)
	assert.Equal(t, long, got.PasswordHash)
	assert.Equal(t, long, e.getCredentials(r, c.ID).PasswordHash, "a hash of %d bytes round-trips", credential.MaxHashLength)
	_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.PasswordHash = long + "x"
		return nil
	})
	require.ErrorIs(t, err, credential.ErrInvalid)

	email := `o'brien+"tag"\x@例え.jp`
	verified, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.VerifyEmail(email, e.now())
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, email, verified.VerifiedEmail)
	assert.Equal(t, email, e.getCredentials(r, c.ID).VerifiedEmail)
	tk := e.token(c.ID, credential.PurposeEmailChange, e.now(), 0)
	tk.Email = email
	e.issue(r, tk)
	assert.Equal(t, email, e.getToken(r, tk.Hash).Email)
}

func credInsideAtomic(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	tk := e.token(c.ID, credential.PurposePasswordReset, e.now(), 0)
	boom := &sentinel{"roll back"}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		a, ok := tx.(storage.Authentication)
		require.True(t, ok, "a store with the capability gives it to its transactions (%T)", tx)
		tr := a.Credentials()
		if _, err := tr.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			if err := cr.SetPassword(testHash, e.now()); err != nil {
				return err
			}
			_, err := cr.Link(credential.Identity{Provider: "google", Subject: "rolled-back"}, e.now())
			return err
		}); err != nil {
			return err
		}
		if err := tr.IssueToken(ctx, tk); err != nil {
			return err
		}
		got, err := r.Get(ctx, c.ID) // the store's repository joins the ctx's transaction
		if err != nil {
			return err
		}
		assert.Equal(t, testHash, got.PasswordHash, "the transaction sees its own writes")
		if _, err := r.Token(ctx, tk.Hash); err != nil {
			return err
		}
		return boom
	})
	requireSame(t, boom, err)
	requireNoCredentials(t, e, r, c.ID, "the credentials roll back with the transaction")
	_, err = r.ByIdentity(e.ctx, "google", "rolled-back")
	requireNotFound(t, err, "the identity rolls back")
	_, err = r.Token(e.ctx, tk.Hash)
	requireNotFound(t, err, "the token rolls back")

	// The same writes commit with the transaction.
	err = e.store.Atomic(e.ctx, func(ctx context.Context, _ storage.Tx) error {
		if _, err := r.Update(ctx, c.ID, func(cr *credential.Credentials) error { return cr.SetPassword(testHash, e.now()) }); err != nil {
			return err
		}
		return r.IssueToken(ctx, tk)
	})
	require.NoError(t, err)
	e.getToken(r, tk.Hash)
	assert.Equal(t, int64(1), e.getCredentials(r, c.ID).Version)

	// A failed call inside a transaction leaves it usable: a taken identity.
	holder := e.newCustomer()
	e.link(r, holder.ID, "google", "taken", e.now())
	err = e.store.Atomic(e.ctx, func(ctx context.Context, _ storage.Tx) error {
		_, err := r.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			_, err := cr.Link(credential.Identity{Provider: "google", Subject: "taken"}, e.now())
			return err
		})
		requireConflict(t, err, storage.ConstraintIdentity)
		_, err = r.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			cr.RecordLogin(e.now())
			return nil
		})
		return err
	})
	require.NoError(t, err, "the transaction carries on after the conflict")
	assert.Equal(t, int64(2), e.getCredentials(r, c.ID).Version)

	if !e.cfg.concurrentWriters {
		return
	}
	// A plain read first fixes the transaction's snapshot (InnoDB); then a
	// write outside commits; then the read-modify-writes in the
	// transaction must see it.
	throttle := credential.Throttle{Threshold: 1000, Base: time.Second, Max: time.Minute}
	before := e.getCredentials(r, c.ID)
	var inside credential.Credentials
	err = e.interleave(c.ID, func(ctx context.Context) error {
		_, err := r.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			cr.RecordFailure(throttle, e.now())
			_, err := cr.Link(credential.Identity{Provider: "google", Subject: "outside"}, e.now())
			return err
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		var err error
		inside, err = tx.(storage.Authentication).Credentials().Update(ctx, c.ID, func(cr *credential.Credentials) error {
			cr.RecordFailure(throttle, e.now())
			_, err := cr.Link(credential.Identity{Provider: "apple", Subject: "inside"}, e.now())
			return err
		})
		return err
	})
	require.NoError(t, err)
	got := e.getCredentials(r, c.ID)
	assert.Equal(t, before.FailedLogins+2, got.FailedLogins, "the failure counted outside survives")
	assert.Equal(t, before.Version+2, got.Version)
	assert.Len(t, got.Identities, 2, "the identity linked outside survives: %v", got.Identities)
	assertCredentials(t, got, inside, "Update in the transaction returned what it stored")

	// Unlinking every identity in the transaction unlinks the one linked
	// outside meanwhile too.
	err = e.interleave(c.ID, func(ctx context.Context) error {
		_, err := r.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			_, err := cr.Link(credential.Identity{Provider: "google", Subject: "outside-2"}, e.now())
			return err
		})
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.(storage.Authentication).Credentials().Update(ctx, c.ID, func(cr *credential.Credentials) error {
			cr.Identities = nil
			return nil
		})
		return err
	})
	require.NoError(t, err)
	assert.Empty(t, e.getCredentials(r, c.ID).Identities, "no identity is left")
	_, err = r.ByIdentity(e.ctx, "google", "outside-2")
	requireNotFound(t, err, "the identity linked outside is unlinked")

	err = e.interleave(c.ID, func(ctx context.Context) error {
		_, err := redeem(ctx, r, tk, e.now())
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := redeem(ctx, tx.(storage.Authentication).Credentials(), tk, e.now())
		return err
	})
	assert.True(t, credential.IsTokenError(err, credential.ReasonUsed),
		"the transaction sees the redemption committed outside: %v", err)
}

func credConcurrentFailures(t *testing.T, e *env, r storage.Credentials) {
	const n = 32
	c := e.newCustomer()
	throttle := credential.Throttle{Threshold: 1000, Base: time.Second, Max: time.Minute}
	now := e.now()
	errs := race(n, func(int) error {
		_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
			cr.RecordFailure(throttle, now)
			return nil
		})
		return err
	})
	for i, err := range errs {
		assert.NoError(t, err, "Update %d", i)
	}
	got := e.getCredentials(r, c.ID)
	assert.Equal(t, n, got.FailedLogins, "every failure is counted")
	assert.Equal(t, int64(n), got.Version)
}

func credConcurrentRedeem(t *testing.T, e *env, r storage.Credentials) {
	const n = 16
	c := e.newCustomer()
	tk := e.issue(r, e.token(c.ID, credential.PurposePasswordReset, e.now(), 0))
	now := e.now()
	errs := race(n, func(int) error {
		_, err := redeem(e.ctx, r, tk, now)
		return err
	})
	ok, used := tally(t, errs, func(err error) bool { return credential.IsTokenError(err, credential.ReasonUsed) }, "a used token")
	assert.Equal(t, 1, ok, "exactly one redemption succeeds")
	assert.Equal(t, n-1, used, "the others find the token used")
	got := e.getToken(r, tk.Hash)
	require.NotNil(t, got.UsedAt)
	assert.Equal(t, micros(now), *got.UsedAt)
}

func credDeleteRacingUpdate(t *testing.T, e *env, r storage.Credentials) {
	const n = 16
	c := e.newCustomer()
	e.setPassword(r, c.ID, testHash)
	throttle := credential.Throttle{Threshold: 1000, Base: time.Second, Max: time.Minute}
	var (
		mu        sync.Mutex
		committed int
	)
	errs := race(n+1, func(i int) error {
		if i == n {
			now := e.now()
			_, err := e.store.Customers().Update(e.ctx, c.ID, func(cu *customer.Customer) error {
				cu.MarkDeleted(now)
				return nil
			})
			return err
		}
		_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
			cr.RecordFailure(throttle, baseTime)
			return nil
		})
		if err == nil {
			mu.Lock()
			committed++
			mu.Unlock()
		}
		return err
	})
	require.NoError(t, errs[n], "the delete")
	ok, notLive := tally(t, errs[:n], func(err error) bool { return errors.Is(err, storage.ErrCustomerNotLive) }, "ErrCustomerNotLive")
	assert.Equal(t, n, ok+notLive)
	got := e.getCredentials(r, c.ID)
	assert.Equal(t, committed, got.FailedLogins, "only the updates that committed counted, none lost")
	assert.Equal(t, int64(committed+1), got.Version)
	_, err := r.Update(e.ctx, c.ID, func(cr *credential.Credentials) error {
		cr.RecordFailure(throttle, baseTime)
		return nil
	})
	requireNotLive(t, err, "after the delete")
}

func credCanceled(t *testing.T, e *env, r storage.Credentials) {
	c := e.newCustomer()
	stored := e.link(r, c.ID, "google", "canceled", e.now())
	tk := e.issue(r, e.token(c.ID, credential.PurposeEmailVerification, e.now(), time.Minute))
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	later := tk.ExpiresAt.Add(time.Hour)

	_, err := r.Get(ctx, c.ID)
	require.ErrorIs(t, err, context.Canceled, "Get")
	_, err = r.Update(ctx, c.ID, func(cr *credential.Credentials) error {
		cr.RecordLogin(e.now())
		return nil
	})
	require.ErrorIs(t, err, context.Canceled, "Update")
	_, err = r.Delete(ctx, c.ID)
	require.ErrorIs(t, err, context.Canceled, "Delete")
	_, err = r.ByIdentity(ctx, "google", "canceled")
	require.ErrorIs(t, err, context.Canceled, "ByIdentity")
	next := e.token(c.ID, credential.PurposeEmailVerification, e.now(), 0)
	require.ErrorIs(t, r.IssueToken(ctx, next), context.Canceled, "IssueToken")
	_, err = r.Token(ctx, tk.Hash)
	require.ErrorIs(t, err, context.Canceled, "Token")
	_, err = redeem(ctx, r, tk, e.now())
	require.ErrorIs(t, err, context.Canceled, "UpdateToken")
	_, err = r.RevokeTokens(ctx, c.ID, e.now())
	require.ErrorIs(t, err, context.Canceled, "RevokeTokens")
	_, err = r.PruneTokens(ctx, later)
	require.ErrorIs(t, err, context.Canceled, "PruneTokens")

	assertCredentials(t, stored, e.getCredentials(r, c.ID), "nothing is written")
	assert.Equal(t, tk, e.getToken(r, tk.Hash), "the token is neither used, revoked nor pruned")
	_, err = r.Token(e.ctx, next.Hash)
	requireNotFound(t, err, "the token is not issued")
}
