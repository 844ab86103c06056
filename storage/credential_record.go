package storage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
)

func storedCredentials(c *credential.Credentials) {
	c.CreatedAt, c.UpdatedAt = Micro(c.CreatedAt), Micro(c.UpdatedAt)
	c.PasswordSetAt, c.LastFailedAt = microPtr(c.PasswordSetAt), microPtr(c.LastFailedAt)
	c.LockedUntil, c.LastLoginAt = microPtr(c.LockedUntil), microPtr(c.LastLoginAt)
	c.EmailVerifiedAt = microPtr(c.EmailVerifiedAt)
	for i := range c.Identities {
		c.Identities[i].LinkedAt = Micro(c.Identities[i].LinkedAt)
	}
}

// NoCredentials is what Credentials.Update hands fn for a customer whose
// credentials were never stored: the zero value with CustomerID set.
func NoCredentials(customerID uuid.UUID) credential.Credentials {
	return credential.Credentials{CustomerID: customerID}
}

// UpdateCredentials is the updater prologue of Credentials.Update: old is
// the stored credentials or NoCredentials. The result keeps old's
// CustomerID (and CreatedAt, once stored; new credentials get fn's
// CreatedAt, or UpdatedAt when fn left it zero), has Version
// old.Version+1 and microsecond times, its identities carry the customer's
// ID and are sorted (SortIdentities), and it is validated.
func UpdateCredentials(old credential.Credentials, fn func(*credential.Credentials) error) (credential.Credentials, error) {
	return update(old, fn, credential.Credentials.Clone, func(old credential.Credentials, c *credential.Credentials) {
		c.CustomerID = old.CustomerID
		if old.Version > 0 {
			c.CreatedAt = old.CreatedAt
		} else if c.CreatedAt.IsZero() {
			c.CreatedAt = c.UpdatedAt
		}
		for i := range c.Identities {
			c.Identities[i].CustomerID = old.CustomerID
		}
		storedCredentials(c)
		SortIdentities(c.Identities)
		c.Version = old.Version + 1
	}, credential.Credentials.Validate)
}

// SortIdentities orders identities as Credentials.Identities lists them,
// in the order they were linked: by LinkedAt, ties by provider and then
// subject, byte by byte. UpdateCredentials sorts the identities it
// returns; an adapter whose reads return rows in no particular order (SQL)
// sorts what it reads.
func SortIdentities(ids []credential.Identity) {
	slices.SortStableFunc(ids, func(x, y credential.Identity) int {
		if c := x.LinkedAt.Compare(y.LinkedAt); c != 0 {
			return c
		}
		if c := strings.Compare(x.Provider, y.Provider); c != 0 {
			return c
		}
		return strings.Compare(x.Subject, y.Subject)
	})
}

// IdentityDiff returns the identities of next that old lacks (to link) and
// those of old that next lacks (to unlink), keyed by (provider, subject).
func IdentityDiff(old, next credential.Credentials) (added, removed []credential.Identity) {
	has := func(list []credential.Identity, id credential.Identity) bool {
		return slices.ContainsFunc(list, func(x credential.Identity) bool {
			return x.Provider == id.Provider && x.Subject == id.Subject
		})
	}
	for _, id := range next.Identities {
		if !has(old.Identities, id) {
			added = append(added, id)
		}
	}
	for _, id := range old.Identities {
		if !has(next.Identities, id) {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// NewToken prepares t for Credentials.IssueToken: microsecond times, then
// credential.Token.Validate.
func NewToken(t credential.Token) (credential.Token, error) {
	t = cloneToken(t)
	t.CreatedAt, t.ExpiresAt = Micro(t.CreatedAt), Micro(t.ExpiresAt)
	t.UsedAt, t.RevokedAt = microPtr(t.UsedAt), microPtr(t.RevokedAt)
	if err := t.Validate(); err != nil {
		return credential.Token{}, err
	}
	return t, nil
}

func cloneToken(t credential.Token) credential.Token {
	t.UsedAt, t.RevokedAt = microPtr(t.UsedAt), microPtr(t.RevokedAt)
	return t
}

// UpdateToken is the updater prologue of Credentials.UpdateToken: fn runs
// on a copy of old; a result that changes anything but UsedAt and
// RevokedAt is an error wrapping ErrConflict.
func UpdateToken(old credential.Token, fn func(*credential.Token) error) (credential.Token, error) {
	work := cloneToken(old)
	if err := fn(&work); err != nil {
		return credential.Token{}, err
	}
	n := cloneToken(work)
	n.UsedAt, n.RevokedAt = microPtr(n.UsedAt), microPtr(n.RevokedAt)
	same := n
	same.UsedAt, same.RevokedAt = old.UsedAt, old.RevokedAt
	if same != old {
		return credential.Token{}, fmt.Errorf("%w: only a token's used_at and revoked_at may change", ErrConflict)
	}
	return n, nil
}
