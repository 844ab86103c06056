package clientele

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// issue makes a token of params and stores it in tx (revoking older
// tokens of its purpose), emits account.token_issued, and returns it with
// its secret.
func (e *env) issue(ctx context.Context, tx storage.Tx, p credential.TokenParams) (Issued, error) {
	repo, err := credentialsOf(tx)
	if err != nil {
		return Issued{}, err
	}
	secret, hash, err := credential.NewSecret(e.acct.random)
	if err != nil {
		return Issued{}, err
	}
	p.Lifetime = e.lifetime(p.Purpose)
	t, err := credential.NewToken(e.newID(), hash, p, e.clock()) // a record: its ID from the service's generator
	if err != nil {
		return Issued{}, err
	}
	if err := repo.IssueToken(ctx, t); err != nil {
		return Issued{}, customerGone(err)
	}
	if err := e.emitOne(ctx, tx, event.AccountTokenIssued, event.AggregateCredentials, t.CustomerID.String(),
		t.CustomerID, 0, event.TokenPayload{Token: t}); err != nil {
		return Issued{}, err
	}
	return Issued{Token: secret, TokenID: t.ID, Purpose: t.Purpose, Email: t.Email, ExpiresAt: t.ExpiresAt}, nil
}

// decoy returns what issue returns, for a request that issues nothing (an
// unknown address): a fresh secret that was never stored, so that the
// caller cannot tell the two apart.
func (e *env) decoy(purpose credential.Purpose, email string) (Issued, error) {
	secret, _, err := credential.NewSecret(e.acct.random)
	if err != nil {
		return Issued{}, err
	}
	return Issued{Token: secret, TokenID: e.newID(), Purpose: purpose, Email: email, // the generator of real tokens: IDs of one kind
		ExpiresAt: e.clock().Add(e.lifetime(purpose))}, nil
}

// redeem redeems the token with secret for purpose in tx, after a cheap
// check outside any lock. Unknown tokens, and tokens of customers deleted
// since, are a *credential.TokenError with reason unknown.
func (e *env) redeem(ctx context.Context, tx storage.Tx, secret string, purpose credential.Purpose) (credential.Token, error) {
	hash, err := credential.ParseSecret(secret)
	if err != nil {
		return credential.Token{}, err
	}
	repo, err := credentialsOf(tx)
	if err != nil {
		return credential.Token{}, err
	}
	now := e.clock()
	t, err := repo.UpdateToken(ctx, hash, func(t *credential.Token) error { return t.Redeem(purpose, now) })
	if errors.Is(err, storage.ErrNotFound) {
		return credential.Token{}, &credential.TokenError{Reason: credential.ReasonUnknown}
	}
	return t, err
}

// precheck reads the token with secret outside a transaction and returns
// its TokenError if it cannot be redeemed for purpose now, so that calls
// with a bad token do no expensive work (hashing a new password). The
// redemption itself decides.
func (e *env) precheck(ctx context.Context, secret string, purpose credential.Purpose) error {
	hash, err := credential.ParseSecret(secret)
	if err != nil {
		return err
	}
	repo, err := credentialsOf(e.store)
	if err != nil {
		return err
	}
	t, err := repo.Token(ctx, hash)
	if errors.Is(err, storage.ErrNotFound) {
		return &credential.TokenError{Reason: credential.ReasonUnknown}
	} else if err != nil {
		return err
	}
	return t.Usable(purpose, e.clock())
}

// tokenCustomer reads the live customer a redeemed token acts for, and
// checks that the address the token went to is still theirs when
// sameEmail is set (a token sent to an old address is superseded).
func tokenCustomer(ctx context.Context, tx storage.Tx, t credential.Token, sameEmail bool) (customer.Customer, error) {
	c, err := liveCustomer(ctx, tx, t.CustomerID)
	if errors.Is(err, customer.ErrNotFound) {
		return customer.Customer{}, &credential.TokenError{Reason: credential.ReasonUnknown}
	} else if err != nil {
		return customer.Customer{}, err
	}
	if sameEmail {
		if canonical, err := customer.CanonicalEmail(t.Email); err != nil || canonical != c.Email.Address {
			return customer.Customer{}, &credential.TokenError{Reason: credential.ReasonSuperseded}
		}
	}
	return c, nil
}

// RequestPasswordReset issues a password-reset token for the active
// registered customer with the email, valid for an hour by default
// (WithTokenLifetime), revoking older reset tokens. The host mails
// Issued.Token to Issued.Email in a link to its reset page.
//
// The answer looks the same whether or not such a customer exists (an
// unknown address, a guest's, a disabled account's): a well-formed Issued
// with a fresh secret that was never stored, so that the caller, and
// whoever it answers, cannot tell; the host sends the mail either way, and
// a link from a decoy simply does not work; a decoy also takes about as
// long as a real token's transaction. Only a real token emits
// account.token_issued. Errors: a *customer.ValidationError for a
// malformed address.
func (s *Accounts) RequestPasswordReset(ctx context.Context, email string) (Issued, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return Issued{}, err
	}
	addr, err := customer.ParseEmail(email)
	if err != nil {
		return Issued{}, err
	}
	c, err := s.store.Customers().GetByEmail(ctx, addr.Address, true)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && c.State != customer.StateActive) {
		s.acct.pads.wait(ctx, padResetIssue)
		return s.decoy(credential.PurposePasswordReset, addr.Display)
	} else if err != nil {
		return Issued{}, err
	}
	var out Issued
	err = s.acct.pads.timed(padResetIssue, func() error {
		return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			var err error
			out, err = s.issue(ctx, tx, credential.TokenParams{Purpose: credential.PurposePasswordReset,
				CustomerID: c.ID, Email: addr.Display})
			return err
		})
	})
	if errors.Is(err, customer.ErrNotFound) { // deleted meanwhile
		return s.decoy(credential.PurposePasswordReset, addr.Display)
	}
	return out, err
}

// ResetPassword sets a new password with a reset token: in one
// transaction it redeems the token (once: of concurrent redemptions one
// succeeds), sets the password, ends the customer's sessions (the session
// version moves up) and revokes every outstanding token of the customer;
// the address the token reached counts as verified. A token sent to an
// address the customer no longer has (staff changed it since) is refused
// (credential.ReasonSuperseded): whoever holds the old mailbox cannot take
// the account. The new password must meet the policy; a refused password
// leaves the token unused. Errors: a *credential.TokenError
// (credential.ErrTokenInvalid: unknown, malformed, expired, used, revoked,
// superseded); a *errcode.ValidationError (password.ErrInvalid).
func (s *Accounts) ResetPassword(ctx context.Context, token, pw string) (customer.Customer, error) {
	if err := s.precheck(ctx, token, credential.PurposePasswordReset); err != nil {
		return customer.Customer{}, err
	}
	hash, err := s.hashNew(ctx, pw)
	if err != nil {
		return customer.Customer{}, err
	}
	var out customer.Customer
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		t, err := s.redeem(ctx, tx, token, credential.PurposePasswordReset)
		if err != nil {
			return err
		}
		c, err := tokenCustomer(ctx, tx, t, true)
		if err != nil {
			return err
		}
		if c.State != customer.StateActive {
			return &credential.TokenError{Reason: credential.ReasonRevoked}
		}
		repo, _ := credentialsOf(tx)
		now := s.clock()
		revoked, err := repo.RevokeTokens(ctx, c.ID, now)
		if err != nil {
			return err
		}
		cr, err := repo.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			if err := cr.SetPassword(hash, now); err != nil {
				return err
			}
			cr.EndSessions(now)
			cr.VerifyEmail(c.Email.Address, now) // the token reached it (tokenCustomer checked)
			return nil
		})
		if err != nil {
			return customerGone(err)
		}
		if out, err = s.markPassword(ctx, tx, c, now); err != nil {
			return err
		}
		return s.emitOne(ctx, tx, event.AccountPasswordReset, event.AggregateCredentials, c.ID.String(), c.ID, cr.Version,
			event.PasswordPayload{CustomerID: c.ID, Method: "reset", SessionVersion: cr.SessionVersion, TokensRevoked: revoked})
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// markPassword sets HasPassword on the customer if it is not set yet.
func (s *Accounts) markPassword(ctx context.Context, tx storage.Tx, c customer.Customer, now time.Time) (customer.Customer, error) {
	if c.HasPassword {
		return c, nil
	}
	out, err := tx.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
		c.HasPassword = true
		c.UpdatedAt = now
		return nil
	})
	return out, mapCustomerErr(err)
}

// IssueActivation issues an activation token for an invited customer
// (valid 72 hours by default), revoking older ones; the host mails it to
// Issued.Email, and Activate redeems it. Errors: customer.ErrNotFound;
// customer.ErrInvalidTransition when the customer is not invited.
func (s *Accounts) IssueActivation(ctx context.Context, customerID uuid.UUID) (Issued, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return Issued{}, err
	}
	var out Issued
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		c, err := liveCustomer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		if c.State != customer.StateInvited {
			return &customer.TransitionError{From: c.State, To: customer.StateActive}
		}
		out, err = s.issue(ctx, tx, credential.TokenParams{Purpose: credential.PurposeActivation,
			CustomerID: c.ID, Email: c.Email.Display})
		return err
	})
	return out, err
}

// Activate activates an invited account with an activation token and
// sets its first password, in one transaction: the token is redeemed
// (once), the customer moves from invited to active, the password is set
// and the address the token reached counts as verified. A token sent to an
// address the customer no longer has (staff corrected it since) is refused
// (credential.ReasonSuperseded). The password must meet the policy; a
// refused password leaves the token unused. Errors: a
// *credential.TokenError (credential.ErrTokenInvalid);
// customer.ErrInvalidTransition when the customer is no longer invited; a
// *errcode.ValidationError (password.ErrInvalid).
func (s *Accounts) Activate(ctx context.Context, token, pw string) (customer.Customer, error) {
	if err := s.precheck(ctx, token, credential.PurposeActivation); err != nil {
		return customer.Customer{}, err
	}
	hash, err := s.hashNew(ctx, pw)
	if err != nil {
		return customer.Customer{}, err
	}
	var out customer.Customer
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		t, err := s.redeem(ctx, tx, token, credential.PurposeActivation)
		if err != nil {
			return err
		}
		if _, err := tokenCustomer(ctx, tx, t, true); err != nil {
			return err
		}
		now := s.clock()
		var before customer.Customer
		c, err := tx.Customers().Update(ctx, t.CustomerID, func(c *customer.Customer) error {
			before = c.Clone()
			if err := c.Activate(now); err != nil {
				return err
			}
			c.HasPassword = true
			return nil
		})
		if err != nil {
			return mapCustomerErr(err)
		}
		out = c
		if err := s.emitCustomer(ctx, tx, event.CustomerActivated, &before, c); err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		verified := false
		cr, err := repo.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			if err := cr.SetPassword(hash, now); err != nil {
				return err
			}
			if canonical, err := customer.CanonicalEmail(t.Email); err == nil && canonical == c.Email.Address {
				cr.VerifyEmail(canonical, now)
				verified = true
			}
			return nil
		})
		if err != nil {
			return customerGone(err)
		}
		if err := s.emitOne(ctx, tx, event.AccountPasswordSet, event.AggregateCredentials, c.ID.String(), c.ID, cr.Version,
			event.PasswordPayload{CustomerID: c.ID, Method: "activation", SessionVersion: cr.SessionVersion}); err != nil {
			return err
		}
		if !verified {
			return nil
		}
		return s.emitOne(ctx, tx, event.AccountEmailVerified, event.AggregateCredentials, c.ID.String(), c.ID, cr.Version,
			event.VerificationPayload{CustomerID: c.ID, Email: c.Email.Display})
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// RequestEmailVerification issues a token that proves the customer owns
// their address (valid 24 hours by default), revoking older ones; the
// host mails it to Issued.Email and VerifyEmail redeems it. The customer
// must be live and have an active account (an invited one proves their
// address by activating). Errors: customer.ErrNotFound;
// credential.ErrInvalidCredentials for an invited or disabled account.
func (s *Accounts) RequestEmailVerification(ctx context.Context, customerID uuid.UUID) (Issued, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return Issued{}, err
	}
	var out Issued
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		c, err := activeAccount(ctx, tx, customerID)
		if err != nil {
			return err
		}
		out, err = s.issue(ctx, tx, credential.TokenParams{Purpose: credential.PurposeEmailVerification,
			CustomerID: c.ID, Email: c.Email.Display})
		return err
	})
	return out, err
}

// VerifyEmail redeems an email-verification token: the customer's address
// counts as verified (credential.Credentials.EmailVerified). A token sent
// to an address the customer no longer has is refused
// (credential.ReasonSuperseded). Errors: a *credential.TokenError
// (credential.ErrTokenInvalid).
func (s *Accounts) VerifyEmail(ctx context.Context, token string) (customer.Customer, error) {
	if err := s.precheck(ctx, token, credential.PurposeEmailVerification); err != nil {
		return customer.Customer{}, err
	}
	var out customer.Customer
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		t, err := s.redeem(ctx, tx, token, credential.PurposeEmailVerification)
		if err != nil {
			return err
		}
		c, err := tokenCustomer(ctx, tx, t, true)
		if err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		now := s.clock()
		cr, err := repo.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			cr.VerifyEmail(c.Email.Address, now)
			return nil
		})
		if err != nil {
			return customerGone(err)
		}
		out = c
		return s.emitOne(ctx, tx, event.AccountEmailVerified, event.AggregateCredentials, c.ID.String(), c.ID, cr.Version,
			event.VerificationPayload{CustomerID: c.ID, Email: c.Email.Display})
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// RequestEmailChange starts a change of the customer's address to
// newEmail: it issues a token sent to the new address (valid 24 hours by
// default), revoking older ones. Nothing changes until ConfirmEmailChange
// redeems it, so the customer proves they own the new address. Whether
// the new address is free is checked at confirmation, not here (the
// answer would tell whether someone else has an account with it). A host
// that wants the customer to re-enter their password first checks it
// with Authenticate. The account must be active (staff change an invited
// or disabled customer's address with Customers.Update). Errors:
// customer.ErrNotFound; credential.ErrInvalidCredentials for an invited
// or disabled account; a *customer.ValidationError for a malformed
// address or the current one.
func (s *Accounts) RequestEmailChange(ctx context.Context, customerID uuid.UUID, newEmail string) (Issued, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return Issued{}, err
	}
	addr, err := customer.ParseEmail(newEmail)
	if err != nil {
		return Issued{}, err
	}
	var out Issued
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		c, err := activeAccount(ctx, tx, customerID)
		if err != nil {
			return err
		}
		if addr.Address == c.Email.Address {
			return &customer.ValidationError{Field: "email", Reason: "is the customer's address already", Err: customer.ErrInvalid}
		}
		out, err = s.issue(ctx, tx, credential.TokenParams{Purpose: credential.PurposeEmailChange,
			CustomerID: c.ID, Email: addr.Display})
		return err
	})
	return out, err
}

// ConfirmEmailChange redeems an email-change token: in one transaction the
// customer's address becomes the one the token was sent to (which counts
// as verified), the customer's sessions end (the session version moves
// up), and pending reset, verification and email-change tokens, sent to
// the old address, are revoked. It emits customer.email_changed, whose
// changes hold the old address for a notice to it. Errors: a
// *credential.TokenError (credential.ErrTokenInvalid);
// customer.ErrEmailTaken when another live registered customer took the
// address meanwhile; customer.ErrEmailConfusable for a look-alike of
// another customer's (unless WithConfusableEmails(true)).
func (s *Accounts) ConfirmEmailChange(ctx context.Context, token string) (customer.Customer, error) {
	if err := s.precheck(ctx, token, credential.PurposeEmailChange); err != nil {
		return customer.Customer{}, err
	}
	var out customer.Customer
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		t, err := s.redeem(ctx, tx, token, credential.PurposeEmailChange)
		if err != nil {
			return err
		}
		c, err := tokenCustomer(ctx, tx, t, false)
		if err != nil {
			return err
		}
		addr, err := customer.ParseEmail(t.Email)
		if err != nil {
			return err
		}
		probe := c.Clone()
		probe.Email = addr
		if err := s.refuseConfusable(ctx, tx, probe); err != nil {
			return err
		}
		now := s.clock()
		var before customer.Customer
		display := addr.Display
		c, err = tx.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			before = c.Clone()
			return c.Apply(customer.Patch{Email: &display}, now)
		})
		if err != nil {
			return mapCustomerErr(err)
		}
		out = c
		if err := s.emitCustomer(ctx, tx, event.CustomerEmailChanged, &before, c); err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		if _, err := repo.RevokeTokens(ctx, c.ID, now, credential.PurposePasswordReset,
			credential.PurposeEmailVerification, credential.PurposeEmailChange); err != nil {
			return err
		}
		cr, err := repo.Update(ctx, c.ID, func(cr *credential.Credentials) error {
			cr.VerifyEmail(c.Email.Address, now)
			cr.EndSessions(now)
			return nil
		})
		if err != nil {
			return customerGone(err)
		}
		return s.emitOne(ctx, tx, event.AccountEmailVerified, event.AggregateCredentials, c.ID.String(), c.ID, cr.Version,
			event.VerificationPayload{CustomerID: c.ID, Email: c.Email.Display})
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// PruneTokens deletes the tokens that expired, were used or were revoked
// before the time, and returns how many: a job runs it now and then (a
// token is useless after its expiry; the account.token_issued event keeps
// the record).
func (s *Accounts) PruneTokens(ctx context.Context, before time.Time) (int, error) {
	repo, err := credentialsOf(s.store)
	if err != nil {
		return 0, err
	}
	return repo.PruneTokens(ctx, before)
}
