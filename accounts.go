package clientele

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
)

// Accounts manages how customers sign in: passwords (hashed with
// argon2id; bcrypt and scrypt hashes imported from other systems are
// verified and upgraded on the next sign-in), sign-in with a backoff after
// repeated failures, one-time tokens (password reset, activation, email
// verification, email change), and external identities (SSO, social
// login, magic links). Guest-order claims by token are on Orders.
//
// It needs a store with the storage.Authentication capability (every
// adapter of this module has it); on another store every call returns
// ErrUnsupported.
//
// Secrets never leave the call that handles them: passwords are hashed
// before they are stored, a token's secret is returned once, by the call
// that issues it, and stored only as its SHA-256 hash; no event, audit
// entry or error carries either.
type Accounts struct{ *env }

// accountsConfig is the accounts' part of env.
type accountsConfig struct {
	hasher    password.Hasher
	policy    password.Policy
	throttle  credential.Throttle
	lifetimes map[credential.Purpose]time.Duration
	random    io.Reader

	dummyOnce sync.Once
	dummy     string
	dummyErr  error

	pads *pads // shared by copies of the config
}

// WithPasswordHasher makes the service hash new passwords with h instead
// of password.Default() (argon2id, m=19 MiB, t=2, p=1). Stored hashes of
// other algorithms or parameters still verify, and are replaced by h's on
// the next successful sign-in. Tests use a fast hasher
// (clienteletest.FastHasher).
func WithPasswordHasher(h password.Hasher) Option {
	return func(e *env) {
		if h != nil {
			e.acct.hasher = h
		}
	}
}

// WithPasswordPolicy sets the rules new passwords must meet (see
// password.Policy; by default at least 8 characters, at most 256, not one
// of the built-in common passwords, no breach check).
func WithPasswordPolicy(p password.Policy) Option {
	return func(e *env) { e.acct.policy = p }
}

// WithLoginThrottle sets the backoff after repeated failed sign-ins (see
// credential.Throttle; by default credential.DefaultThrottle: after 10
// consecutive failures, 1 s doubling up to 15 minutes).
func WithLoginThrottle(t credential.Throttle) Option {
	return func(e *env) { e.acct.throttle = t }
}

// WithTokenLifetime sets how long tokens of purpose p stay valid (see
// credential.DefaultLifetime for the defaults). A lifetime of zero or less
// restores the default.
func WithTokenLifetime(p credential.Purpose, d time.Duration) Option {
	return func(e *env) {
		if e.acct.lifetimes == nil {
			e.acct.lifetimes = map[credential.Purpose]time.Duration{}
		}
		if d <= 0 {
			delete(e.acct.lifetimes, p)
			return
		}
		e.acct.lifetimes[p] = d
	}
}

func (e *env) lifetime(p credential.Purpose) time.Duration {
	if d, ok := e.acct.lifetimes[p]; ok {
		return d
	}
	return credential.DefaultLifetime(p)
}

// credentials returns the credentials repository of r, or ErrUnsupported.
func credentialsOf(r any) (storage.Credentials, error) {
	a, ok := r.(storage.Authentication)
	if !ok {
		return nil, fmt.Errorf("%w: accounts need the storage.Authentication capability (%T)", ErrUnsupported, r)
	}
	return a.Credentials(), nil
}

// dummyHash is a hash of the current parameters that no password matches
// in practice: sign-in verifies against it when there is no hash to verify
// (unknown email, a guest, a disabled account), so that the answer takes
// as long as a wrong password.
func (e *env) dummyHash() (string, error) {
	e.acct.dummyOnce.Do(func() {
		secret, _, err := credential.NewSecret(e.acct.random)
		if err != nil {
			e.acct.dummyErr = err
			return
		}
		e.acct.dummy, e.acct.dummyErr = e.acct.hasher.Hash(secret)
	})
	return e.acct.dummy, e.acct.dummyErr
}

// burn verifies pw against the dummy hash and discards the outcome. A
// password longer than the policy's MaxInputBytes is cut there first: the
// work stays that of a real verification, not of the megabytes a client
// sent.
func (e *env) burn(pw string) {
	if limit := e.acct.policy.MaxInputBytes(); len(pw) > limit {
		pw = pw[:limit]
	}
	if h, err := e.dummyHash(); err == nil {
		_, _, _ = e.acct.hasher.Verify(h, pw)
	}
}

// Login is the outcome of a successful sign-in.
type Login struct {
	// Customer is the customer who signed in.
	Customer customer.Customer `json:"customer"`
	// SessionVersion is the credentials' session version: a host stores
	// it in the session it issues and ends sessions whose version is
	// older than Accounts.Credentials reports (a password change or
	// reset, an email change or an unlinked identity moves it up).
	SessionVersion int64 `json:"session_version"`
	// Rehashed reports that the stored hash was replaced by one with the
	// current parameters.
	Rehashed bool `json:"rehashed,omitempty"`
}

// Issued is a one-time token as issued: the secret to put in the link the
// host mails, once, and what the mail needs. The secret is nowhere else:
// storage keeps its hash, the account.token_issued event its ID.
//
// String and GoString hide the secret, so that printing or logging an
// Issued with fmt does not disclose it; its JSON form holds it (for a
// host's mail queue): never log that.
type Issued struct {
	// Token is the secret (43 characters of base64url).
	Token string `json:"token"`
	// TokenID identifies the token in events and the audit trail.
	TokenID uuid.UUID `json:"token_id"`
	// Purpose is what the token is for.
	Purpose credential.Purpose `json:"purpose"`
	// Email is the address to send it to.
	Email string `json:"email"`
	// ExpiresAt is when it stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

// String describes i without its secret.
func (i Issued) String() string {
	return fmt.Sprintf("%s token %s for %s until %s", i.Purpose, i.TokenID, i.Email, i.ExpiresAt.Format(time.RFC3339))
}

// GoString is String, so that %#v hides the secret too.
func (i Issued) GoString() string { return "clientele.Issued{" + i.String() + "}" }

// hashNew applies the policy and returns the hash of the normalized
// password.
func (s *Accounts) hashNew(ctx context.Context, pw string) (string, error) {
	norm, err := s.acct.policy.Check(ctx, pw)
	if err != nil {
		return "", err
	}
	return s.acct.hasher.Hash(norm)
}

// verify checks pw against the stored hash. A hash this library made
// (argon2id) was made from the NFKC form; an imported one from the bytes
// the customer typed, so when the two differ both are tried. A password
// longer than the policy's MaxInputBytes is wrong unread (no password
// that long was ever set): normalizing and hashing megabytes of input
// cost seconds of CPU per request.
func (s *Accounts) verify(encoded, pw string) (ok, rehash bool, err error) {
	if len(pw) > s.acct.policy.MaxInputBytes() {
		s.burn(pw)
		return false, false, nil
	}
	norm, nerr := password.Normalize(pw)
	if nerr != nil {
		s.burn(pw)
		return false, false, nil
	}
	ok, rehash, err = s.acct.hasher.Verify(encoded, norm)
	if err == nil && !ok && norm != pw && !strings.HasPrefix(encoded, "$argon2id$") {
		ok, rehash, err = s.acct.hasher.Verify(encoded, pw)
	}
	return ok, rehash, err
}

// Register creates a registered, active customer with a password, in one
// transaction: the customer record (see Customers.Register, whose rules
// and errors apply) and its credentials. The password must meet the
// policy (a *errcode.ValidationError with Field "password", unwrapping to
// password.ErrInvalid, otherwise); it is hashed before the transaction
// starts. It honours IdempotencyKey; the password is not part of the
// request the key remembers (a retry with another password replays the
// first registration).
func (s *Accounts) Register(ctx context.Context, p customer.Params, pw string, opts ...CallOption) (customer.Customer, error) {
	c, err := customer.NewRegistered(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, err
	}
	if _, err := credentialsOf(s.store); err != nil {
		return customer.Customer{}, err
	}
	hash, err := s.hashNew(ctx, pw)
	if err != nil {
		return customer.Customer{}, err
	}
	request := c.Clone()
	request.ID, request.CreatedAt, request.UpdatedAt = uuid.Nil, time.Time{}, time.Time{}
	c.HasPassword = true
	var out customer.Customer
	err = s.once(ctx, "account.register", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			if err := s.refuseConfusable(ctx, tx, c); err != nil {
				return "", err
			}
			var err error
			out, err = tx.Customers().Create(ctx, c)
			if err != nil {
				return "", mapCustomerErr(err)
			}
			if err := s.emitCustomer(ctx, tx, event.CustomerRegistered, nil, out); err != nil {
				return "", err
			}
			_, err = s.setPassword(ctx, tx, out, hash, "register", false, nil)
			return out.ID.String(), err
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err == nil {
				out, err = tx.Customers().Get(ctx, id)
			}
			return mapCustomerErr(err)
		})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// refuseConfusable is Customers.refuseConfusable for the accounts.
func (s *Accounts) refuseConfusable(ctx context.Context, r storage.Repositories, c customer.Customer) error {
	return (&Customers{s.env}).refuseConfusable(ctx, r, c)
}

// setPassword stores hash as c's password in tx, marks the customer as
// having one, optionally ends its sessions, and emits
// account.password_set (or the event method names).
func (s *Accounts) setPassword(ctx context.Context, tx storage.Tx, c customer.Customer, hash, method string, endSessions bool,
	guard func(credential.Credentials) error) (credential.Credentials, error) {
	repo, err := credentialsOf(tx)
	if err != nil {
		return credential.Credentials{}, err
	}
	now := s.clock()
	cr, err := repo.Update(ctx, c.ID, func(cr *credential.Credentials) error {
		if guard != nil {
			if err := guard(*cr); err != nil {
				return err
			}
		}
		if err := cr.SetPassword(hash, now); err != nil {
			return err
		}
		if endSessions {
			cr.EndSessions(now)
		}
		return nil
	})
	if err != nil {
		return credential.Credentials{}, customerGone(err)
	}
	if !c.HasPassword {
		if _, err := tx.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			c.HasPassword = true
			c.UpdatedAt = now
			return nil
		}); err != nil {
			return credential.Credentials{}, mapCustomerErr(err)
		}
	}
	t := event.AccountPasswordSet
	switch method {
	case "change":
		t = event.AccountPasswordChanged
	case "reset":
		t = event.AccountPasswordReset
	}
	return cr, s.emitOne(ctx, tx, t, event.AggregateCredentials, c.ID.String(), c.ID, cr.Version,
		event.PasswordPayload{CustomerID: c.ID, Method: method, SessionVersion: cr.SessionVersion})
}

// accountCustomer reads, in tx, the live customer with an account (any
// account state); others are customer.ErrNotFound.
func accountCustomer(ctx context.Context, r storage.Repositories, id uuid.UUID) (customer.Customer, error) {
	c, err := liveCustomer(ctx, r, id)
	if err != nil {
		return customer.Customer{}, err
	}
	if !c.HasAccount {
		return customer.Customer{}, fmt.Errorf("customer %s is a guest, without an account: %w", id, customer.ErrNotFound)
	}
	return c, nil
}

// activeAccount reads, in r, the live customer with an active account, for
// the calls a signed-in customer makes: a guest or an unknown ID is
// customer.ErrNotFound, an invited or disabled account
// credential.ErrInvalidCredentials (it cannot sign in, so it asks for
// nothing: no token for a disabled account, whose pending ones Disable
// revoked).
func activeAccount(ctx context.Context, r storage.Repositories, id uuid.UUID) (customer.Customer, error) {
	c, err := accountCustomer(ctx, r, id)
	if err != nil {
		return customer.Customer{}, err
	}
	if c.State != customer.StateActive {
		return customer.Customer{}, fmt.Errorf("%w: the account is %s", credential.ErrInvalidCredentials, c.State)
	}
	return c, nil
}

// SetPassword sets the customer's password on the host's or staff's
// authority (an administrator, a migration): no current password is
// asked. It ends the customer's sessions (the session version moves up)
// and revokes pending password-reset and email-change tokens (see
// ChangePassword). The customer must be live and have an account. Errors: customer.ErrNotFound; a *errcode.ValidationError
// (password.ErrInvalid) for a password the policy refuses.
func (s *Accounts) SetPassword(ctx context.Context, customerID uuid.UUID, pw string) (credential.Credentials, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return credential.Credentials{}, err
	}
	hash, err := s.hashNew(ctx, pw)
	if err != nil {
		return credential.Credentials{}, err
	}
	return s.storeHash(ctx, customerID, hash, "staff")
}

// passwordChangeRevokes are the purposes of the pending tokens a new
// password revokes: resets (the old password's way back) and email
// changes (an intruder's way to keep the account).
var passwordChangeRevokes = []credential.Purpose{credential.PurposePasswordReset, credential.PurposeEmailChange}

// storeHash stores an encoded hash as the customer's password.
func (s *Accounts) storeHash(ctx context.Context, customerID uuid.UUID, hash, method string) (credential.Credentials, error) {
	var out credential.Credentials
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		c, err := accountCustomer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		if out, err = s.setPassword(ctx, tx, c, hash, method, true, nil); err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		_, err = repo.RevokeTokens(ctx, customerID, s.clock(), passwordChangeRevokes...)
		return err
	})
	return out, err
}

// ImportPasswordHash stores a password hash made by another system, for a
// migration: bcrypt ($2a$, $2b$, $2y$), scrypt (passlib's $scrypt$ or the
// scrypt-kdf format Medusa stores) or argon2id (PHC). The hash is checked
// for form and bounded parameters without being run; the customer signs
// in with the password it was made from, and the first successful sign-in
// replaces it by a hash of the current parameters. A bcrypt hash never
// accepts a password longer than 72 bytes (bcrypt would ignore the rest).
// The parameters are checked against the limits of the service's hasher
// when it has a CheckHash(string) error method (password.Argon2id does),
// so that no hash is imported that the hasher would refuse to verify;
// against password.DefaultLimits otherwise. Errors: customer.ErrNotFound;
// password.ErrMalformedHash, password.ErrHashParams.
func (s *Accounts) ImportPasswordHash(ctx context.Context, customerID uuid.UUID, hash string) (credential.Credentials, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return credential.Credentials{}, err
	}
	check := func(h string) error { return password.CheckHash(h, password.Limits{}) }
	if c, ok := s.acct.hasher.(interface{ CheckHash(string) error }); ok {
		check = c.CheckHash
	}
	if err := check(hash); err != nil {
		return credential.Credentials{}, err
	}
	return s.storeHash(ctx, customerID, hash, "import")
}

// Credentials returns the customer's credentials (never their hash: see
// credential.Credentials's JSON form): whether a password is set, the
// linked identities, the failure counter and backoff, the verified
// address and the session version. A customer without stored credentials
// gets the zero value with CustomerID set. Errors: customer.ErrNotFound.
func (s *Accounts) Credentials(ctx context.Context, customerID uuid.UUID) (credential.Credentials, error) {
	repo, err := credentialsOf(s.store)
	if err != nil {
		return credential.Credentials{}, err
	}
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return credential.Credentials{}, err
	}
	cr, err := repo.Get(ctx, customerID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.NoCredentials(customerID), nil
	}
	return cr, err
}
