package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/storage"
)

type credentials struct{ repos }

func (r credentials) Get(ctx context.Context, customerID uuid.UUID) (out credential.Credentials, err error) {
	err = r.read(ctx, func(d *db) error {
		c, ok := d.credentials[customerID]
		if !ok {
			return notFound("credentials of customer", customerID)
		}
		out = c.Clone()
		return nil
	})
	return out, err
}

func (r credentials) Update(ctx context.Context, customerID uuid.UUID, fn func(*credential.Credentials) error) (out credential.Credentials, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if err := d.liveCustomer(customerID); err != nil {
			return err
		}
		old, ok := d.credentials[customerID]
		if !ok {
			old = storage.NoCredentials(customerID)
		}
		c, err := storage.UpdateCredentials(old, fn)
		if err != nil {
			return err
		}
		added, removed := storage.IdentityDiff(old, c)
		for _, id := range added {
			if _, taken := d.identities[identityKey{id.Provider, id.Subject}]; taken {
				return storage.Conflict(storage.ConstraintIdentity, nil)
			}
		}
		for _, id := range removed {
			del(t, d.identities, identityKey{id.Provider, id.Subject})
		}
		for _, id := range added {
			put(t, d.identities, identityKey{id.Provider, id.Subject}, id)
		}
		put(t, d.credentials, customerID, c)
		out = c.Clone()
		return nil
	})
	return out, err
}

func (r credentials) Delete(ctx context.Context, customerID uuid.UUID) (deleted bool, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		deleted = false
		if c, ok := d.credentials[customerID]; ok {
			for _, id := range c.Identities {
				del(t, d.identities, identityKey{id.Provider, id.Subject})
			}
			del(t, d.credentials, customerID)
			deleted = true
		}
		for h := range d.tokensOf[customerID] {
			del(t, d.tokenIDs, d.tokens[h].ID)
			del(t, d.tokens, h)
			deleted = true
		}
		del(t, d.tokensOf, customerID)
		// Claim tokens of other customers that name this one as the guest
		// hold its address.
		for h, tok := range d.tokens {
			if tok.GuestID != customerID {
				continue
			}
			del(t, d.tokens, h)
			del(t, d.tokenIDs, tok.ID)
			if mine := d.tokensOf[tok.CustomerID]; mine != nil {
				del(t, mine, h)
			}
			deleted = true
		}
		return nil
	})
	return deleted, err
}

func (r credentials) ByIdentity(ctx context.Context, provider, subject string) (out credential.Identity, err error) {
	if err := storage.CheckKey("provider", provider); err != nil {
		return credential.Identity{}, err
	}
	if err := storage.CheckKey("subject", subject); err != nil {
		return credential.Identity{}, err
	}
	err = r.read(ctx, func(d *db) error {
		id, ok := d.identities[identityKey{provider, subject}]
		if !ok {
			return fmt.Errorf("identity %s %s: %w", storage.Quote(provider), storage.Quote(subject), storage.ErrNotFound)
		}
		out = id
		return nil
	})
	return out, err
}

func (r credentials) IssueToken(ctx context.Context, tok credential.Token) error {
	tok, err := storage.NewToken(tok)
	if err != nil {
		return err
	}
	return r.write(ctx, func(t *txn) error {
		d := t.db
		if err := d.liveCustomer(tok.CustomerID); err != nil {
			return err
		}
		if _, taken := d.tokenIDs[tok.ID]; taken {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if _, taken := d.tokens[tok.Hash]; taken {
			return storage.Conflict(storage.ConstraintTokenHash, nil)
		}
		d.revoke(t, tok.CustomerID, tok.CreatedAt, tok.CreatedAt, []credential.Purpose{tok.Purpose})
		put(t, d.tokens, tok.Hash, tok)
		put(t, d.tokenIDs, tok.ID, tok.Hash)
		mine := d.tokensOf[tok.CustomerID]
		if mine == nil {
			mine = map[credential.TokenHash]bool{}
			put(t, d.tokensOf, tok.CustomerID, mine)
		}
		put(t, mine, tok.Hash, true)
		return nil
	})
}

// revoke revokes the customer's tokens of the purposes (every purpose when
// none) that are pending at now, setting RevokedAt to at, and returns how
// many it revoked.
func (d *db) revoke(t *txn, customerID uuid.UUID, now, at time.Time, purposes []credential.Purpose) int {
	n := 0
	for h := range d.tokensOf[customerID] {
		tok := d.tokens[h]
		if len(purposes) > 0 && !slices.Contains(purposes, tok.Purpose) || !tok.Pending(now) {
			continue
		}
		tok.Revoke(at)
		put(t, d.tokens, h, tok)
		n++
	}
	return n
}

func (r credentials) Token(ctx context.Context, hash credential.TokenHash) (out credential.Token, err error) {
	err = r.read(ctx, func(d *db) error {
		tok, ok := d.tokens[hash]
		if !ok {
			return fmt.Errorf("token: %w", storage.ErrNotFound)
		}
		out = copyToken(tok)
		return nil
	})
	return out, err
}

// copyToken returns tok with time pointers of its own, so that what the
// store keeps and what a caller gets share nothing.
func copyToken(tok credential.Token) credential.Token {
	for _, p := range []**time.Time{&tok.UsedAt, &tok.RevokedAt} {
		if *p != nil {
			v := **p
			*p = &v
		}
	}
	return tok
}

func (r credentials) UpdateToken(ctx context.Context, hash credential.TokenHash, fn func(*credential.Token) error) (out credential.Token, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.tokens[hash]
		if !ok {
			return fmt.Errorf("token: %w", storage.ErrNotFound)
		}
		if err := d.liveCustomer(old.CustomerID); err != nil {
			return err
		}
		tok, err := storage.UpdateToken(old, fn)
		if err != nil {
			return err
		}
		put(t, d.tokens, hash, tok)
		out = copyToken(tok)
		return nil
	})
	return out, err
}

func (r credentials) RevokeTokens(ctx context.Context, customerID uuid.UUID, now time.Time, purposes ...credential.Purpose) (n int, err error) {
	now = storage.Micro(now)
	err = r.write(ctx, func(t *txn) error {
		n = t.db.revoke(t, customerID, now, now, purposes)
		return nil
	})
	return n, err
}

func (r credentials) PruneTokens(ctx context.Context, before time.Time) (n int, err error) {
	before = storage.Micro(before)
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		for h, tok := range d.tokens {
			if !prunable(tok, before) {
				continue
			}
			del(t, d.tokens, h)
			del(t, d.tokenIDs, tok.ID)
			if mine := d.tokensOf[tok.CustomerID]; mine != nil {
				del(t, mine, h)
			}
			n++
		}
		return nil
	})
	return n, err
}

// prunable reports whether tok expired, was used or was revoked before
// the time.
func prunable(tok credential.Token, before time.Time) bool {
	return tok.ExpiresAt.Before(before) ||
		tok.UsedAt != nil && tok.UsedAt.Before(before) ||
		tok.RevokedAt != nil && tok.RevokedAt.Before(before)
}
