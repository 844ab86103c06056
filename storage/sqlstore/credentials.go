package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/storage"
)

// Credentials (storage.Authentication, schema version 6): one row per
// customer in credentials, the linked identities in identities (keyed by
// (provider, subject), which makes an identity sign in to one customer),
// and one-time tokens in auth_tokens, keyed by ID and unique by the
// SHA-256 hash of their secret.
//
// As for the address book, the customer's row is the lock: every write
// takes it first with a locking read (see live.go), then reads what it
// changes with locking reads too, which see the latest committed rows
// where a plain read may return the transaction's snapshot (InnoDB at
// REPEATABLE READ) and, at PostgreSQL's REPEATABLE READ and SERIALIZABLE,
// fail with a serialization failure (retried) when another transaction
// changed the rows since the snapshot.

type credentials struct{ base }

// Credentials returns the credentials repository: the store has the
// storage.Authentication capability (schema version 6).
func (s *Store) Credentials() storage.Credentials { return credentials{base{s: s}} }

// Credentials returns the transaction's credentials repository.
func (r repos) Credentials() storage.Credentials { return credentials{base{fixed: &r.c}} }

var (
	_ storage.Authentication = (*Store)(nil)
	_ storage.Authentication = repos{}
)

const credentialColumns = `customer_id, password_hash, password_set_at, failed_logins, last_failed_at,
	locked_until, last_login_at, verified_email, email_verified_at, session_version, created_at, updated_at, version`

const identityColumns = `provider, subject, customer_id, linked_at`

const tokenColumns = `id, token_hash, purpose, customer_id, email, guest_id, created_at, expires_at, used_at,
	revoked_at`

var credentialConstraints = map[string]storage.Constraint{
	"credentials_pkey": storage.ConstraintPrimaryKey,
	"identities_pkey":  storage.ConstraintIdentity,
}

var tokenConstraints = map[string]storage.Constraint{
	"auth_tokens_pkey": storage.ConstraintPrimaryKey,
	"auth_tokens_hash": storage.ConstraintTokenHash,
}

// credentialArgs returns c's column values in credentialColumns order.
func credentialArgs(c credential.Credentials) []any {
	return []any{
		c.CustomerID.String(), c.PasswordHash, nullMicros(c.PasswordSetAt), int64(c.FailedLogins),
		nullMicros(c.LastFailedAt), nullMicros(c.LockedUntil), nullMicros(c.LastLoginAt), c.VerifiedEmail,
		nullMicros(c.EmailVerifiedAt), c.SessionVersion, micros(c.CreatedAt), micros(c.UpdatedAt), c.Version,
	}
}

func scanCredentials(r scanner) (credential.Credentials, error) {
	var (
		c                                          credential.Credentials
		failed, created, updated                   int64
		passwordSet, lastFailed, locked, lastLogin sql.NullInt64
		verifiedAt                                 sql.NullInt64
	)
	err := r.Scan(scanUUID{&c.CustomerID}, &c.PasswordHash, &passwordSet, &failed, &lastFailed, &locked,
		&lastLogin, &c.VerifiedEmail, &verifiedAt, &c.SessionVersion, &created, &updated, &c.Version)
	if err != nil {
		return credential.Credentials{}, err
	}
	c.FailedLogins = int(failed)
	c.PasswordSetAt, c.LastFailedAt = fromNullMicros(passwordSet), fromNullMicros(lastFailed)
	c.LockedUntil, c.LastLoginAt = fromNullMicros(locked), fromNullMicros(lastLogin)
	c.EmailVerifiedAt = fromNullMicros(verifiedAt)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

func scanIdentity(r scanner) (credential.Identity, error) {
	var (
		id     credential.Identity
		linked int64
	)
	if err := r.Scan(&id.Provider, &id.Subject, scanUUID{&id.CustomerID}, &linked); err != nil {
		return credential.Identity{}, err
	}
	id.LinkedAt = fromMicros(linked)
	return id, nil
}

// selectCredentials reads the credentials and their identities in one
// statement: one row per identity, or one row with NULL identity columns.
var selectCredentials = `SELECT ` + qualify(credentialColumns, "c") + `, i.provider, i.subject, i.linked_at
	FROM {{prefix}}credentials c LEFT JOIN {{prefix}}identities i ON i.customer_id = c.customer_id
	WHERE c.customer_id = ?`

func (r credentials) Get(ctx context.Context, customerID uuid.UUID) (credential.Credentials, error) {
	return read(ctx, r.conn(ctx), func() (credential.Credentials, error) {
		rows, err := r.conn(ctx).query(ctx, selectCredentials, customerID.String())
		if err != nil {
			return credential.Credentials{}, err
		}
		defer rows.Close()
		var (
			c     credential.Credentials
			found bool
		)
		for rows.Next() {
			var (
				provider, subject sql.NullString
				linked            sql.NullInt64
			)
			row, err := scanCredentials(extra{rows, []any{&provider, &subject, &linked}})
			if err != nil {
				return credential.Credentials{}, driverErr(err)
			}
			if !found {
				c, found = row, true
			}
			if provider.Valid {
				c.Identities = append(c.Identities, credential.Identity{Provider: provider.String,
					Subject: subject.String, CustomerID: customerID, LinkedAt: fromMicros(linked.Int64)})
			}
		}
		if err := rows.Err(); err != nil {
			return credential.Credentials{}, driverErr(err)
		}
		if !found {
			return credential.Credentials{}, notFound("credentials of customer", customerID)
		}
		storage.SortIdentities(c.Identities)
		return c, nil
	})
}

// lockedCredentials reads the customer's credentials and identities with
// locking reads (the caller holds the customer's lock), or
// storage.NoCredentials when none are stored.
func (c conn) lockedCredentials(ctx context.Context, customerID uuid.UUID) (credential.Credentials, error) {
	cr, err := scanCredentials(c.queryRow(ctx, `SELECT `+credentialColumns+` FROM {{prefix}}credentials
		WHERE customer_id = ?`+c.s.dialect.ForUpdate(), customerID.String()))
	if errors.Is(err, sql.ErrNoRows) {
		// Identities are written with their credentials and deleted with
		// them: without the row there are none.
		return storage.NoCredentials(customerID), nil
	} else if err != nil {
		return credential.Credentials{}, err
	}
	rows, err := c.query(ctx, `SELECT `+identityColumns+` FROM {{prefix}}identities
		WHERE customer_id = ?`+c.s.dialect.ForUpdate(), customerID.String())
	if err != nil {
		return credential.Credentials{}, err
	}
	if cr.Identities, err = collect(rows, 0, scanIdentity); err != nil {
		return credential.Credentials{}, err
	}
	storage.SortIdentities(cr.Identities)
	return cr, nil
}

const (
	insertCredentials = `INSERT INTO {{prefix}}credentials (` + credentialColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	updateCredentials = `UPDATE {{prefix}}credentials SET password_hash = ?, password_set_at = ?, failed_logins = ?,
	last_failed_at = ?, locked_until = ?, last_login_at = ?, verified_email = ?, email_verified_at = ?,
	session_version = ?, created_at = ?, updated_at = ?, version = ? WHERE customer_id = ?`
	insertIdentity = `INSERT INTO {{prefix}}identities (` + identityColumns + `) VALUES (?, ?, ?, ?)`
)

func (r credentials) Update(ctx context.Context, customerID uuid.UUID, fn func(*credential.Credentials) error) (credential.Credentials, error) {
	var out credential.Credentials
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The customer's row is the lock of its credentials; a deleted
		// customer's are not written (see live.go).
		if err := cn.lockLiveCustomer(ctx, customerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		old, err := cn.lockedCredentials(ctx, customerID)
		if err != nil {
			return err
		}
		c, err := storage.UpdateCredentials(old, fn)
		if err != nil {
			return err
		}
		// The identities first: a taken one is found before anything is
		// written.
		if err := cn.writeIdentities(ctx, old, c); err != nil {
			return err
		}
		args := credentialArgs(c)
		if old.Version == 0 {
			n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertCredentials), args...)
			if err != nil {
				return cn.uniqueConflict(err, credentialConstraints, nil)
			}
			if n == 0 { // not under the customer's lock: a writer that bypassed it
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			}
		} else if _, err := cn.exec(ctx, updateCredentials, append(args[1:], customerID.String())...); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return credential.Credentials{}, err
	}
	return out.Clone(), nil
}

// writeIdentities stores the difference between the identities of old and
// c: it links those c added, unlinks those it removed, and moves the
// LinkedAt of those it kept, if fn changed it. An identity linked to
// another customer is a *storage.ConflictError with ConstraintIdentity,
// found before this writes anything (unless a concurrent link wins a race
// between the check and the insert: the insert then changes nothing and
// the call fails just the same, the transaction undoing the links before).
func (c conn) writeIdentities(ctx context.Context, old, cr credential.Credentials) error {
	added, removed := storage.IdentityDiff(old, cr)
	if len(added) > 1 {
		// The first insert finds a taken identity without writing; the
		// later ones would find it after the first had written.
		taken, err := c.identityTaken(ctx, added)
		if err != nil {
			return err
		}
		if taken {
			return storage.Conflict(storage.ConstraintIdentity, nil)
		}
	}
	for _, id := range added {
		n, err := c.exec(ctx, c.s.dialect.InsertOrNothing(insertIdentity), id.Provider, id.Subject,
			cr.CustomerID.String(), micros(id.LinkedAt))
		if err != nil {
			return c.uniqueConflict(err, credentialConstraints, func() (storage.Constraint, error) {
				return storage.ConstraintIdentity, nil // (provider, subject) is the table's only key
			})
		}
		if n == 0 {
			return storage.Conflict(storage.ConstraintIdentity, nil)
		}
	}
	for _, id := range removed {
		if _, err := c.exec(ctx, `DELETE FROM {{prefix}}identities WHERE provider = ? AND subject = ? AND customer_id = ?`,
			id.Provider, id.Subject, cr.CustomerID.String()); err != nil {
			return err
		}
	}
	for _, id := range cr.Identities {
		if prev, ok := old.Identity(id.Provider, id.Subject); ok && !prev.LinkedAt.Equal(id.LinkedAt) {
			if _, err := c.exec(ctx, `UPDATE {{prefix}}identities SET linked_at = ? WHERE provider = ? AND subject = ?`,
				micros(id.LinkedAt), id.Provider, id.Subject); err != nil {
				return err
			}
		}
	}
	return nil
}

// identityTaken reports whether any of ids is linked already (to another
// customer: the caller's own identities are not among them). Its read is
// a shared locking read, which sees the latest committed rows.
func (c conn) identityTaken(ctx context.Context, ids []credential.Identity) (bool, error) {
	var (
		q    strings.Builder
		args []any
	)
	q.WriteString(`SELECT 1 FROM {{prefix}}identities WHERE `)
	for i, id := range ids {
		if i > 0 {
			q.WriteString(` OR `)
		}
		q.WriteString(`(provider = ? AND subject = ?)`)
		args = append(args, id.Provider, id.Subject)
	}
	q.WriteString(` LIMIT 1` + c.s.dialect.ForShare())
	var one int
	err := c.queryRow(ctx, q.String(), args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (r credentials) Delete(ctx context.Context, customerID uuid.UUID) (bool, error) {
	var removed bool
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		removed = false // a retry starts over
		// The customer's lock, deleted or not (an erasure): a writer of the
		// credentials waits until they are gone.
		if _, err := cn.lockCustomer(ctx, customerID, cn.s.dialect.ForUpdate()); errors.Is(err, storage.ErrCustomerNotLive) {
			return nil // no customer, so nothing of its (the foreign keys)
		} else if err != nil {
			return err
		}
		for _, table := range []string{"auth_tokens", "identities", "credentials"} {
			n, err := cn.exec(ctx, `DELETE FROM {{prefix}}`+table+` WHERE customer_id = ?`, customerID.String())
			if err != nil {
				return err
			}
			removed = removed || n > 0
		}
		// Claim tokens of other customers that name this one as the
		// guest hold its address.
		n, err := cn.exec(ctx, `DELETE FROM {{prefix}}auth_tokens WHERE guest_id = ?`, customerID.String())
		if err != nil {
			return err
		}
		removed = removed || n > 0
		return nil
	})
	if err != nil {
		return false, err
	}
	return removed, nil
}

func (r credentials) ByIdentity(ctx context.Context, provider, subject string) (credential.Identity, error) {
	if err := storage.CheckKey("provider", provider); err != nil {
		return credential.Identity{}, err
	}
	if err := storage.CheckKey("subject", subject); err != nil {
		return credential.Identity{}, err
	}
	return read(ctx, r.conn(ctx), func() (credential.Identity, error) {
		id, err := scanIdentity(r.conn(ctx).queryRow(ctx, `SELECT `+identityColumns+` FROM {{prefix}}identities
			WHERE provider = ? AND subject = ?`, provider, subject))
		if errors.Is(err, sql.ErrNoRows) {
			return id, fmt.Errorf("identity %s/%s: %w", storage.Quote(provider), storage.Quote(subject), storage.ErrNotFound)
		}
		return id, err
	})
}

// tokenArgs returns t's column values in tokenColumns order.
func tokenArgs(t credential.Token) []any {
	return []any{
		t.ID.String(), t.Hash[:], t.Purpose.String(), t.CustomerID.String(), t.Email, nullUUID(t.GuestID),
		micros(t.CreatedAt), micros(t.ExpiresAt), nullMicros(t.UsedAt), nullMicros(t.RevokedAt),
	}
}

func scanToken(r scanner) (credential.Token, error) {
	var (
		t                credential.Token
		hash             []byte
		purpose          string
		created, expires int64
		used, revoked    sql.NullInt64
	)
	err := r.Scan(scanUUID{&t.ID}, &hash, &purpose, scanUUID{&t.CustomerID}, &t.Email, scanUUID{&t.GuestID},
		&created, &expires, &used, &revoked)
	if err != nil {
		return credential.Token{}, err
	}
	if len(hash) != len(t.Hash) {
		return credential.Token{}, fmt.Errorf("sqlstore: stored token hash of %d bytes, want %d", len(hash), len(t.Hash))
	}
	copy(t.Hash[:], hash)
	if t.Purpose, err = credential.ParsePurpose(purpose); err != nil {
		return credential.Token{}, fmt.Errorf("sqlstore: stored token purpose: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	t.UsedAt, t.RevokedAt = fromNullMicros(used), fromNullMicros(revoked)
	return t, nil
}

const (
	insertToken = `INSERT INTO {{prefix}}auth_tokens (` + tokenColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// revokeTokens revokes a customer's pending tokens: the WHERE clause
	// is credential.Token.Pending at the time of the last argument.
	revokeTokens = `UPDATE {{prefix}}auth_tokens SET revoked_at = ?
	WHERE customer_id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?`
	selectToken = `SELECT ` + tokenColumns + ` FROM {{prefix}}auth_tokens WHERE token_hash = ?`
)

func (r credentials) IssueToken(ctx context.Context, t credential.Token) error {
	t, err := storage.NewToken(t)
	if err != nil {
		return err
	}
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		if err := cn.lockLiveCustomer(ctx, t.CustomerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		// Insert first, so that a conflict is found before anything is
		// written; then revoke the older pending tokens of the purpose.
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertToken), tokenArgs(t)...)
		if err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return fmt.Errorf("customer %v: %w", t.CustomerID, errors.Join(storage.ErrCustomerNotLive, err))
			}
			return cn.uniqueConflict(err, tokenConstraints, func() (storage.Constraint, error) {
				return cn.tokenConflict(ctx, t)
			})
		}
		if n == 0 {
			con, err := cn.tokenConflict(ctx, t)
			if err != nil {
				return err
			}
			return storage.Conflict(con, nil)
		}
		_, err = cn.exec(ctx, revokeTokens+` AND purpose = ? AND id <> ?`, micros(t.CreatedAt), t.CustomerID.String(),
			micros(t.CreatedAt), t.Purpose.String(), t.ID.String())
		return err
	})
}

// tokenConflict names the key of t that another token holds: its ID, or
// else its hash.
func (c conn) tokenConflict(ctx context.Context, t credential.Token) (storage.Constraint, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}auth_tokens WHERE id = ?`+c.s.dialect.ForShare(), t.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintPrimaryKey, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return storage.ConstraintTokenHash, nil
}

// errNoToken is the error of a token not found. The hash is not repeated:
// it names a secret.
func errNoToken() error { return fmt.Errorf("token: %w", storage.ErrNotFound) }

func (r credentials) Token(ctx context.Context, hash credential.TokenHash) (credential.Token, error) {
	return read(ctx, r.conn(ctx), func() (credential.Token, error) {
		t, err := scanToken(r.conn(ctx).queryRow(ctx, selectToken, hash[:]))
		if errors.Is(err, sql.ErrNoRows) {
			return t, errNoToken()
		}
		return t, err
	})
}

func (r credentials) UpdateToken(ctx context.Context, hash credential.TokenHash, fn func(*credential.Token) error) (credential.Token, error) {
	// The token names its customer, whose row is the lock: read it, take
	// the lock, then read the token again under it. Outside a transaction
	// the first read runs before BEGIN: an unknown token costs one
	// statement.
	c := r.conn(ctx)
	var known uuid.UUID
	if c.tx == nil {
		var err error
		if known, err = read(ctx, c, func() (uuid.UUID, error) { return c.tokenCustomer(ctx, hash) }); err != nil {
			return credential.Token{}, err
		}
	}
	var out credential.Token
	err := c.atomic(ctx, func(cn conn) error {
		customerID := known
		if customerID == uuid.Nil {
			var err error
			if customerID, err = cn.tokenCustomer(ctx, hash); err != nil {
				return err
			}
		}
		if err := cn.lockLiveCustomer(ctx, customerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		old, err := scanToken(cn.queryRow(ctx, selectToken+cn.s.dialect.ForUpdate(), hash[:]))
		if errors.Is(err, sql.ErrNoRows) { // pruned meanwhile
			return errNoToken()
		} else if err != nil {
			return err
		}
		t, err := storage.UpdateToken(old, fn)
		if err != nil {
			return err
		}
		if !sameTime(old.UsedAt, t.UsedAt) || !sameTime(old.RevokedAt, t.RevokedAt) {
			if _, err := cn.exec(ctx, `UPDATE {{prefix}}auth_tokens SET used_at = ?, revoked_at = ? WHERE id = ?`,
				nullMicros(t.UsedAt), nullMicros(t.RevokedAt), t.ID.String()); err != nil {
				return err
			}
		}
		out = t
		return nil
	})
	if err != nil {
		return credential.Token{}, err
	}
	return out, nil
}

// tokenCustomer returns the customer of the token with the hash, with a
// plain read: a token's customer never changes. In a transaction whose
// snapshot may predate the token (InnoDB at REPEATABLE READ), a token the
// plain read misses is looked for again with a shared locking read, which
// sees the latest committed rows.
func (c conn) tokenCustomer(ctx context.Context, hash credential.TokenHash) (uuid.UUID, error) {
	const q = `SELECT customer_id FROM {{prefix}}auth_tokens WHERE token_hash = ?`
	var id uuid.UUID
	err := c.queryRow(ctx, q, hash[:]).Scan(scanUUID{&id})
	if errors.Is(err, sql.ErrNoRows) && c.tx != nil && c.s.dialect.ForShare() != "" {
		err = c.queryRow(ctx, q+c.s.dialect.ForShare(), hash[:]).Scan(scanUUID{&id})
	}
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, errNoToken()
	}
	return id, err
}

// sameTime reports whether two optional times are both nil or equal.
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func (r credentials) RevokeTokens(ctx context.Context, customerID uuid.UUID, now time.Time, purposes ...credential.Purpose) (int, error) {
	q, args := revokeTokens, []any{micros(now), customerID.String(), micros(now)}
	var names []string // at most one per valid purpose: an invalid one matches no token
	for _, p := range purposes {
		if p.Valid() && !slices.Contains(names, p.String()) {
			names = append(names, p.String())
		}
	}
	if len(purposes) > 0 && len(names) == 0 {
		return 0, ctx.Err()
	}
	if len(names) > 0 {
		q += ` AND purpose IN (?` + strings.Repeat(`, ?`, len(names)-1) + `)`
		for _, name := range names {
			args = append(args, name)
		}
	}
	var n int64
	err := r.conn(ctx).single(ctx, func(cn conn) error {
		var err error
		n, err = cn.exec(ctx, q, args...)
		return err
	})
	return int(n), err
}

func (r credentials) PruneTokens(ctx context.Context, before time.Time) (int, error) {
	at := micros(before)
	var n int64
	err := r.conn(ctx).single(ctx, func(cn conn) error {
		var err error
		n, err = cn.exec(ctx, `DELETE FROM {{prefix}}auth_tokens WHERE expires_at < ? OR used_at < ? OR revoked_at < ?`,
			at, at, at)
		return err
	})
	return int(n), err
}
