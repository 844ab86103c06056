package clientele

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
)

// Authenticate signs a customer in with email and password. It returns
// the active registered customer whose canonical email is email, when pw
// matches their password.
//
// Every failure is credential.ErrInvalidCredentials, whatever the reason:
// an unknown or malformed email, a wrong password, a guest's email, an
// account that is invited, disabled, deleted or has no password. Where
// there is no hash to check, the password is verified against a dummy
// hash of the current parameters, so that the answer takes about as long
// as for a wrong password and its timing does not tell the cases apart.
//
// Each failed attempt on an existing account counts, atomically in
// storage: after the throttle's threshold of consecutive failures
// (WithLoginThrottle; 10 by default), sign-in is refused for an
// exponential backoff capped at 15 minutes, even with the right password,
// and the error is a *credential.ThrottledError (which is
// credential.ErrInvalidCredentials too, and tells the host when to let
// the customer try again). A success clears the counter. A hash of other
// parameters or another algorithm (an imported bcrypt or scrypt hash) is
// replaced by a hash of the current ones.
func (s *Accounts) Authenticate(ctx context.Context, email, pw string) (Login, error) {
	repo, err := credentialsOf(s.store)
	if err != nil {
		return Login{}, err
	}
	canonical, err := customer.CanonicalEmail(email)
	if err != nil {
		return Login{}, s.decline(ctx, repo, pw, true)
	}
	c, err := s.store.Customers().GetByEmail(ctx, canonical, true)
	if errors.Is(err, storage.ErrNotFound) {
		return Login{}, s.decline(ctx, repo, pw, true)
	} else if err != nil {
		return Login{}, err
	}
	cr, err := repo.Get(ctx, c.ID)
	if errors.Is(err, storage.ErrNotFound) {
		cr = storage.NoCredentials(c.ID)
	} else if err != nil {
		return Login{}, err
	}
	if c.State != customer.StateActive || !cr.HasPassword() {
		return Login{}, s.decline(ctx, repo, pw, false)
	}
	return s.checkPassword(ctx, c, cr, pw)
}

// decline answers a sign-in that has no account to check, as a wrong
// password on a real account is answered, in about the same time: a read
// of credentials (when the real path's was skipped), a verification
// against the dummy hash, and a wait as long as the failure count the
// real path commits (see pads).
func (s *Accounts) decline(ctx context.Context, repo storage.Credentials, pw string, read bool) error {
	if read {
		_, _ = repo.Get(ctx, uuid.Nil)
	}
	s.burn(pw)
	s.acct.pads.wait(ctx, padLoginFailure)
	return credential.ErrInvalidCredentials
}

// checkPassword verifies pw against cr, counting a failure or recording
// the sign-in.
func (s *Accounts) checkPassword(ctx context.Context, c customer.Customer, cr credential.Credentials, pw string) (Login, error) {
	if locked, _ := cr.Locked(s.clock()); locked {
		s.burn(pw)
		return Login{}, s.recordFailure(ctx, c.ID)
	}
	ok, rehash, err := s.verify(cr.PasswordHash, pw)
	if err != nil {
		// A stored hash that cannot be checked (corrupt, or beyond the
		// limits): the sign-in fails like a wrong password, in the same
		// time and with the same text; the cause stays reachable with
		// errors.Is and errors.As for the host's logs.
		s.burn(pw)
		if ferr := s.recordFailure(ctx, c.ID); !errors.Is(ferr, credential.ErrInvalidCredentials) {
			return Login{}, ferr
		}
		return Login{}, &unreadableHashError{cause: err}
	}
	if !ok {
		return Login{}, s.recordFailure(ctx, c.ID)
	}
	var newHash string
	if rehash {
		if norm, err := password.Normalize(pw); err == nil {
			newHash, _ = s.acct.hasher.Hash(norm) // a failed rehash keeps the old hash
		}
	}
	return s.recordLogin(ctx, c.ID, cr.PasswordHash, newHash, "password", "", "")
}

// recordFailure counts one failed sign-in of the customer in a
// transaction of its own and returns the error to answer with:
// credential.ErrInvalidCredentials, or a *credential.ThrottledError when
// sign-in is now locked.
func (s *Accounts) recordFailure(ctx context.Context, customerID uuid.UUID) error {
	var cr credential.Credentials
	err := s.acct.pads.timed(padLoginFailure, func() error { return s.countFailure(ctx, customerID, &cr) })
	if errors.Is(err, customer.ErrNotFound) {
		return credential.ErrInvalidCredentials // deleted meanwhile
	}
	if err != nil {
		return err
	}
	if locked, wait := cr.Locked(s.clock()); locked {
		return &credential.ThrottledError{RetryAfter: wait}
	}
	return credential.ErrInvalidCredentials
}

// countFailure is recordFailure's transaction.
func (s *Accounts) countFailure(ctx context.Context, customerID uuid.UUID, out *credential.Credentials) error {
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := credentialsOf(tx)
		if err != nil {
			return err
		}
		now := s.clock()
		cr, err := repo.Update(ctx, customerID, func(cr *credential.Credentials) error {
			cr.RecordFailure(s.acct.throttle, now)
			return nil
		})
		if err != nil {
			return customerGone(err)
		}
		*out = cr
		return s.emitOne(ctx, tx, event.AccountLoginFailed, event.AggregateCredentials, customerID.String(), customerID,
			cr.Version, event.LoginPayload{CustomerID: customerID, Method: "password", FailedLogins: cr.FailedLogins,
				LockedUntil: cr.LockedUntil})
	})
}

// errLockedMeanwhile stops the transaction that records a verified
// password when the account locked while the password was verified
// (outside any lock): failures that committed meanwhile reached the
// throttle's threshold, so the attempt is refused and counted like any
// attempt during the backoff. Without it, guesses sent together all pass
// the check made before verification, and a right one among them signs
// in however many wrong ones locked the account first.
var errLockedMeanwhile = errors.New("clientele: sign-in locked during the verification")

// recordLogin records a successful sign-in in a transaction: it checks,
// under the customer's lock, that the customer is still active and (for a
// password sign-in) that the hash verified is still the stored one (a
// concurrent reset wins) and that sign-in is not locked (failures that
// committed during the verification count: the attempt is then a failure
// too), clears the failure counter, stores newHash when set (for an
// identity sign-in, that the identity is still linked), and emits
// account.login_succeeded.
func (s *Accounts) recordLogin(ctx context.Context, customerID uuid.UUID, verified, newHash, method, provider, subject string) (Login, error) {
	var out Login
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := credentialsOf(tx)
		if err != nil {
			return err
		}
		now := s.clock()
		out.Rehashed = false
		cr, err := repo.Update(ctx, customerID, func(cr *credential.Credentials) error {
			if method == "password" && cr.PasswordHash != verified {
				return credential.ErrInvalidCredentials
			}
			if locked, _ := cr.Locked(now); locked && method == "password" {
				return errLockedMeanwhile
			}
			if _, linked := cr.Identity(provider, subject); method == "identity" && !linked {
				return credential.ErrInvalidCredentials // unlinked meanwhile
			}
			cr.RecordLogin(now)
			if newHash != "" {
				if err := cr.Rehash(newHash, now); err == nil {
					out.Rehashed = true
				}
			}
			return nil
		})
		if errors.Is(err, storage.ErrCustomerNotLive) {
			return credential.ErrInvalidCredentials
		} else if err != nil {
			return err
		}
		// Read after the lock Update took: the state is the latest.
		c, err := tx.Customers().Get(ctx, customerID)
		if err != nil {
			return mapCustomerErr(err)
		}
		if c.State != customer.StateActive || c.IsDeleted() {
			return credential.ErrInvalidCredentials
		}
		out.Customer, out.SessionVersion = c, cr.SessionVersion
		return s.emitOne(ctx, tx, event.AccountLoginSucceeded, event.AggregateCredentials, customerID.String(), customerID,
			cr.Version, event.LoginPayload{CustomerID: customerID, Method: method, Provider: provider, Rehashed: out.Rehashed})
	})
	if errors.Is(err, errLockedMeanwhile) {
		return Login{}, s.recordFailure(ctx, customerID)
	}
	if err != nil {
		return Login{}, err
	}
	return out, nil
}

// ChangePassword changes the password of a signed-in customer, who must
// give the current one. A wrong current password counts as a failed
// sign-in (and the throttle applies) and returns
// credential.ErrInvalidCredentials. The new password must meet the policy
// (checked first; it is hashed only once the current one verified). It
// ends the customer's other sessions (the session version moves up) and
// revokes pending password-reset and email-change tokens: an intruder
// whom the change locks out cannot confirm, afterwards, an email change
// to an address of theirs requested with the stolen session. Errors:
// customer.ErrNotFound; credential.ErrInvalidCredentials (also when no
// password is set, use SetPassword or a reset, and for an account that is
// not active); a *errcode.ValidationError (password.ErrInvalid).
func (s *Accounts) ChangePassword(ctx context.Context, customerID uuid.UUID, current, next string) (credential.Credentials, error) {
	repo, err := credentialsOf(s.store)
	if err != nil {
		return credential.Credentials{}, err
	}
	c, err := accountCustomer(ctx, s.store, customerID)
	if err != nil {
		return credential.Credentials{}, err
	}
	if c.State != customer.StateActive {
		s.burn(current)
		return credential.Credentials{}, credential.ErrInvalidCredentials
	}
	// The policy first (a refused new password is said before anything
	// is verified); the hash only once the current password verified, so
	// that wrong guesses cost one verification each, not two.
	norm, err := s.acct.policy.Check(ctx, next)
	if err != nil {
		return credential.Credentials{}, err
	}
	cr, err := repo.Get(ctx, customerID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !cr.HasPassword()) {
		s.burn(current)
		return credential.Credentials{}, credential.ErrInvalidCredentials
	} else if err != nil {
		return credential.Credentials{}, err
	}
	if locked, _ := cr.Locked(s.clock()); locked {
		s.burn(current)
		return credential.Credentials{}, s.recordFailure(ctx, customerID)
	}
	ok, _, err := s.verify(cr.PasswordHash, current)
	if err != nil {
		return credential.Credentials{}, fmt.Errorf("%w: the stored password hash: %w", credential.ErrInvalidCredentials, err)
	}
	if !ok {
		return credential.Credentials{}, s.recordFailure(ctx, customerID)
	}
	hash, err := s.acct.hasher.Hash(norm)
	if err != nil {
		return credential.Credentials{}, err
	}
	var out credential.Credentials
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		// The password verified must still be the stored one (a reset
		// that committed meanwhile wins), and sign-in must not have
		// locked meanwhile (see errLockedMeanwhile).
		var err error
		out, err = s.setPassword(ctx, tx, c, hash, "change", true, func(now credential.Credentials) error {
			if now.PasswordHash != cr.PasswordHash {
				return credential.ErrInvalidCredentials
			}
			if locked, _ := now.Locked(s.clock()); locked {
				return errLockedMeanwhile
			}
			return nil
		})
		if err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		_, err = repo.RevokeTokens(ctx, customerID, s.clock(), passwordChangeRevokes...)
		return err
	})
	if errors.Is(err, errLockedMeanwhile) {
		return credential.Credentials{}, s.recordFailure(ctx, customerID)
	}
	if err != nil {
		return credential.Credentials{}, err
	}
	return out, nil
}

// unreadableHashError is the answer to a sign-in whose stored hash cannot
// be checked: it reads like credential.ErrInvalidCredentials, so that a
// host that shows err.Error() tells nothing more, and unwraps to it and to
// the cause (password.ErrMalformedHash, password.ErrHashParams).
type unreadableHashError struct{ cause error }

func (e *unreadableHashError) Error() string { return credential.ErrInvalidCredentials.Error() }
func (e *unreadableHashError) Unwrap() []error {
	return []error{credential.ErrInvalidCredentials, e.cause}
}
