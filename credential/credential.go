package credential

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// Errors of the credentials rules.
var (
	// ErrInvalid reports malformed credentials, tokens or identities; the
	// error is usually a *ValidationError naming the field.
	ErrInvalid = errcode.New(errcode.Invalid, "credential: invalid input")
	// ErrInvalidCredentials is the one answer to a failed sign-in: unknown
	// email, wrong password, a guest's email, a disabled, invited or
	// deleted account. It does not say which.
	ErrInvalidCredentials = errcode.New(errcode.Unauthenticated, "credential: invalid email or password")
	// ErrTokenInvalid reports a token that cannot be redeemed: unknown,
	// malformed, expired, used, revoked, or of another purpose. A
	// *TokenError says which.
	ErrTokenInvalid = errcode.New(errcode.Invalid, "credential: invalid or expired token")
	// ErrIdentityTaken reports an external identity (provider, subject)
	// linked to another customer already.
	ErrIdentityTaken = errcode.New(errcode.Conflict, "credential: identity linked to another customer")
	// ErrIdentityNotFound reports an external identity that is not linked.
	ErrIdentityNotFound = errcode.New(errcode.NotFound, "credential: identity not found")
	// ErrLastWayIn reports an attempt to remove the customer's last way to
	// sign in (the only identity of a customer without a password).
	ErrLastWayIn = errcode.New(errcode.FailedPrecondition, "credential: cannot remove the last way to sign in")
)

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid)
// holds for it.
type ValidationError = errcode.ValidationError

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrInvalid}
}

// MaxHashLength bounds a stored password hash, in bytes.
const MaxHashLength = 512

// Credentials are a customer's ways in. The zero value with CustomerID set
// is a customer who has none yet (no password, no identity).
//
// Its JSON form leaves out the password hash and the verified address:
// a host may show it to staff without exposing either.
type Credentials struct {
	// CustomerID is the customer these belong to; never uuid.Nil.
	CustomerID uuid.UUID `json:"customer_id"`
	// PasswordHash is the encoded hash (a PHC string, or an imported
	// bcrypt or scrypt hash); "" when no password is set. At most
	// MaxHashLength bytes. Never in JSON.
	PasswordHash string `json:"-"`
	// PasswordSetAt is when the password was last set.
	PasswordSetAt *time.Time `json:"password_set_at,omitempty"`
	// Identities are the external identities linked to the customer, in
	// the order they were linked.
	Identities []Identity `json:"identities"`
	// FailedLogins counts the failed sign-ins since the last success.
	FailedLogins int `json:"failed_logins"`
	// LastFailedAt is when the last failed sign-in happened.
	LastFailedAt *time.Time `json:"last_failed_at,omitempty"`
	// LockedUntil is when the backoff after repeated failures ends; sign-in
	// is refused before then (see Throttle).
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	// LastLoginAt is when the customer last signed in.
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
	// VerifiedEmail is the canonical address whose ownership the customer
	// proved (a verification, activation or email-change token sent
	// there); the customer's email is verified while it equals it.
	VerifiedEmail string `json:"-"`
	// EmailVerifiedAt is when VerifiedEmail was proved.
	EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
	// SessionVersion moves up whenever the sessions a host issued for the
	// customer should end: a password change or reset, an email change, an
	// identity unlinked. A host stores it in its sessions and ends those
	// that carry an older one.
	SessionVersion int64 `json:"session_version"`
	// CreatedAt and UpdatedAt are UTC times.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version is the record's optimistic-concurrency version, set by
	// storage (0 for credentials never stored).
	Version int64 `json:"version"`
}

// Format formats c as fmt would format its fields, with the password hash
// replaced by "[redacted]" when one is set, for every verb: printing or
// logging credentials (fmt, log, log/slog's text handler) never writes
// the hash, which an attacker who reads the logs could crack offline. The
// JSON form leaves it out too; the field itself holds it for the host's
// own use.
func (c Credentials) Format(f fmt.State, verb rune) {
	type plain Credentials // the fields without the methods: no recursion
	p := plain(c)
	if p.PasswordHash != "" {
		p.PasswordHash = "[redacted]"
	}
	s := fmt.Sprintf(fmt.FormatString(f, verb), p)
	if verb == 'v' && f.Flag('#') {
		s = strings.Replace(s, "credential.plain{", "credential.Credentials{", 1)
	}
	_, _ = io.WriteString(f, s)
}

// HasPassword reports whether a password is set.
func (c Credentials) HasPassword() bool { return c.PasswordHash != "" }

// EmailVerified reports whether the customer proved ownership of the
// canonical address email.
func (c Credentials) EmailVerified(email string) bool {
	return c.VerifiedEmail != "" && c.VerifiedEmail == email
}

// IsZero reports whether c holds no way in and nothing else worth keeping:
// no password, no identity, no verified address, no failure count.
func (c Credentials) IsZero() bool {
	return c.PasswordHash == "" && len(c.Identities) == 0 && c.VerifiedEmail == "" && c.FailedLogins == 0 &&
		c.LockedUntil == nil
}

// Clone returns a deep copy of c.
func (c Credentials) Clone() Credentials {
	out := c
	out.Identities = slices.Clone(c.Identities)
	out.PasswordSetAt = cloneTime(c.PasswordSetAt)
	out.LastFailedAt = cloneTime(c.LastFailedAt)
	out.LockedUntil = cloneTime(c.LockedUntil)
	out.LastLoginAt = cloneTime(c.LastLoginAt)
	out.EmailVerifiedAt = cloneTime(c.EmailVerifiedAt)
	return out
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := *t
	return &v
}

func timeAt(now time.Time) *time.Time {
	t := now.UTC()
	return &t
}

// Touch sets UpdatedAt to now, and CreatedAt too for credentials never
// stored.
func (c *Credentials) Touch(now time.Time) {
	now = now.UTC()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	c.UpdatedAt = now
}

// SetPassword stores the encoded hash of a new password, set at now. It
// clears the failure count and backoff: a new password is a fresh start.
// It does not move SessionVersion; EndSessions does, where a change should
// end other sessions.
func (c *Credentials) SetPassword(hash string, now time.Time) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	c.PasswordHash = hash
	c.PasswordSetAt = timeAt(now)
	c.FailedLogins, c.LastFailedAt, c.LockedUntil = 0, nil, nil
	c.Touch(now)
	return nil
}

// Rehash replaces the stored hash by a hash of the same password with the
// current parameters (after a successful sign-in); PasswordSetAt stays.
func (c *Credentials) Rehash(hash string, now time.Time) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	c.PasswordHash = hash
	c.Touch(now)
	return nil
}

// ClearPassword removes the password (the customer signs in through an
// identity only). It refuses to remove the last way in.
func (c *Credentials) ClearPassword(now time.Time) error {
	if c.PasswordHash == "" {
		return nil
	}
	if len(c.Identities) == 0 {
		return ErrLastWayIn
	}
	c.PasswordHash, c.PasswordSetAt = "", nil
	c.Touch(now)
	return nil
}

func checkHash(hash string) error {
	switch {
	case hash == "":
		return invalid("password_hash", "is required")
	case len(hash) > MaxHashLength:
		return invalid("password_hash", "is longer than %d bytes", MaxHashLength)
	case !printableASCII(hash):
		return invalid("password_hash", "is not printable ASCII")
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// EndSessions moves SessionVersion up, so that hosts end the sessions
// issued before.
func (c *Credentials) EndSessions(now time.Time) {
	c.SessionVersion++
	c.Touch(now)
}

// Throttle is the backoff after repeated failed sign-ins: once Threshold
// consecutive failures are counted, each further failure locks sign-in
// for Base, doubled per failure beyond the threshold, at most Max. The
// zero value means DefaultThrottle.
type Throttle struct {
	Threshold int
	Base      time.Duration
	Max       time.Duration
}

// DefaultThrottle locks sign-in after 10 consecutive failures: 1 s, then
// 2 s, 4 s... at most 15 minutes.
var DefaultThrottle = Throttle{Threshold: 10, Base: time.Second, Max: 15 * time.Minute}

func (t Throttle) orDefault() Throttle {
	if t == (Throttle{}) {
		return DefaultThrottle
	}
	return t
}

// Validate checks t: a positive threshold, base and maximum, the base at
// most the maximum.
func (t Throttle) Validate() error {
	t = t.orDefault()
	switch {
	case t.Threshold < 1:
		return invalid("threshold", "must be at least 1")
	case t.Base <= 0:
		return invalid("base", "must be positive")
	case t.Max < t.Base:
		return invalid("max", "must be at least the base")
	}
	return nil
}

// Delay returns how long sign-in is locked after the given number of
// consecutive failures: 0 below the threshold.
func (t Throttle) Delay(failures int) time.Duration {
	t = t.orDefault()
	if failures < t.Threshold {
		return 0
	}
	d := t.Base
	for range failures - t.Threshold {
		if d >= t.Max/2 {
			return t.Max
		}
		d *= 2
	}
	return min(d, t.Max)
}

// Locked reports whether sign-in is locked at now, and for how long still.
func (c Credentials) Locked(now time.Time) (bool, time.Duration) {
	if c.LockedUntil == nil || !now.Before(*c.LockedUntil) {
		return false, 0
	}
	return true, c.LockedUntil.Sub(now)
}

// RecordFailure counts one failed sign-in at now and locks sign-in for
// t.Delay of the new count. Attempts refused while locked count too: the
// counter is the number of failed attempts since the last success.
func (c *Credentials) RecordFailure(t Throttle, now time.Time) {
	if c.FailedLogins < 1<<30 {
		c.FailedLogins++
	}
	c.LastFailedAt = timeAt(now)
	if d := t.Delay(c.FailedLogins); d > 0 {
		c.LockedUntil = timeAt(now.Add(d))
	}
	c.Touch(now)
}

// RecordLogin records a successful sign-in at now: the failure count and
// backoff are cleared.
func (c *Credentials) RecordLogin(now time.Time) {
	c.FailedLogins, c.LastFailedAt, c.LockedUntil = 0, nil, nil
	c.LastLoginAt = timeAt(now)
	c.Touch(now)
}

// VerifyEmail records that the customer proved ownership of the canonical
// address email at now.
func (c *Credentials) VerifyEmail(email string, now time.Time) {
	c.VerifiedEmail = email
	c.EmailVerifiedAt = timeAt(now)
	c.Touch(now)
}

// Identity returns the linked identity (provider, subject), if any.
func (c Credentials) Identity(provider, subject string) (Identity, bool) {
	for _, id := range c.Identities {
		if id.Provider == provider && id.Subject == subject {
			return id, true
		}
	}
	return Identity{}, false
}

// Link adds the external identity id (validated, provider normalized).
// Linking an identity the customer has already changes nothing and
// reports false. Whether another customer holds it is storage's rule.
func (c *Credentials) Link(id Identity, now time.Time) (bool, error) {
	id.CustomerID = c.CustomerID
	id, err := id.Normalize()
	if err != nil {
		return false, err
	}
	if _, ok := c.Identity(id.Provider, id.Subject); ok {
		return false, nil
	}
	if len(c.Identities) >= MaxIdentities {
		return false, invalid("identities", "holds %d identities already, the most allowed", MaxIdentities)
	}
	if id.LinkedAt.IsZero() {
		id.LinkedAt = now.UTC()
	}
	c.Identities = append(c.Identities, id)
	c.Touch(now)
	return true, nil
}

// Unlink removes the identity (provider, subject). Errors:
// ErrIdentityNotFound; ErrLastWayIn when it is the only identity of a
// customer without a password.
func (c *Credentials) Unlink(provider, subject string, now time.Time) error {
	provider = strings.ToLower(strings.TrimSpace(provider))
	i := slices.IndexFunc(c.Identities, func(id Identity) bool { return id.Provider == provider && id.Subject == subject })
	if i < 0 {
		return ErrIdentityNotFound
	}
	if c.PasswordHash == "" && len(c.Identities) == 1 {
		return ErrLastWayIn
	}
	c.Identities = slices.Delete(c.Identities, i, i+1)
	c.Touch(now)
	return nil
}

// Validate checks c. Errors are *ValidationError.
func (c Credentials) Validate() error {
	if c.CustomerID == uuid.Nil {
		return invalid("customer_id", "is required")
	}
	if c.PasswordHash != "" {
		if err := checkHash(c.PasswordHash); err != nil {
			return err
		}
	}
	if c.FailedLogins < 0 {
		return invalid("failed_logins", "is negative")
	}
	if c.SessionVersion < 0 {
		return invalid("session_version", "is negative")
	}
	// Control characters (a NUL, a line break) are kept out as in every
	// stored text: no engine stores a NUL in text, and a header must not
	// be forged from a stored address.
	if err := validation.Text(ErrInvalid, "verified_email", c.VerifiedEmail, 320, false); err != nil {
		return err
	}
	if len(c.Identities) > MaxIdentities {
		return invalid("identities", "holds more than %d identities", MaxIdentities)
	}
	seen := make(map[[2]string]bool, len(c.Identities))
	for i, id := range c.Identities {
		if id.CustomerID != c.CustomerID {
			return invalid(fmt.Sprintf("identities[%d].customer_id", i), "is another customer's")
		}
		if err := id.Validate(); err != nil {
			return prefixed(fmt.Sprintf("identities[%d]", i), err)
		}
		k := [2]string{id.Provider, id.Subject}
		if seen[k] {
			return invalid(fmt.Sprintf("identities[%d]", i), "is linked twice")
		}
		seen[k] = true
	}
	return nil
}

func prefixed(parent string, err error) error {
	if ve, ok := err.(*ValidationError); ok {
		cp := *ve
		cp.Field = parent + "." + cp.Field
		return &cp
	}
	return err
}

// ThrottledError is the answer to a sign-in while the backoff after
// repeated failures lasts (see Throttle): errors.Is(err,
// ErrInvalidCredentials) holds for it, so that a host that answers every
// failure alike needs no case for it; one that wants to may tell the
// customer when to try again (an HTTP 429 with Retry-After). It says that
// the account exists, which is why it is opt-in to show.
type ThrottledError struct {
	// RetryAfter is how long the backoff still lasts.
	RetryAfter time.Duration
}

// Error says how long the backoff lasts.
func (e *ThrottledError) Error() string {
	return fmt.Sprintf("credential: too many failed sign-ins, try again in %s", e.RetryAfter.Round(time.Second))
}

// Unwrap returns ErrInvalidCredentials.
func (e *ThrottledError) Unwrap() error { return ErrInvalidCredentials }
