package credential

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/internal/validation"
)

// Purpose is what a one-time token is for.
type Purpose int

// The purposes.
const (
	// PurposePasswordReset: sets a new password for a customer who forgot
	// it (sent to the customer's address).
	PurposePasswordReset Purpose = iota + 1
	// PurposeActivation: activates an invited account and sets its first
	// password (sent to the invited address).
	PurposeActivation
	// PurposeEmailVerification: proves the customer owns their address.
	PurposeEmailVerification
	// PurposeEmailChange: confirms a new address, sent to that address.
	PurposeEmailChange
	// PurposeOrderClaim: moves a guest's orders to the customer who asked,
	// sent to the guest's address.
	PurposeOrderClaim
)

var purposeNames = [...]string{
	PurposePasswordReset:     "password_reset",
	PurposeActivation:        "activation",
	PurposeEmailVerification: "email_verification",
	PurposeEmailChange:       "email_change",
	PurposeOrderClaim:        "order_claim",
}

// Purposes returns every valid Purpose, in declaration order.
func Purposes() []Purpose {
	return []Purpose{PurposePasswordReset, PurposeActivation, PurposeEmailVerification, PurposeEmailChange, PurposeOrderClaim}
}

// Valid reports whether p is one of the defined purposes.
func (p Purpose) Valid() bool { return p >= PurposePasswordReset && p <= PurposeOrderClaim }

// String returns the purpose's snake_case name ("password_reset"), or
// "Purpose(n)" for an invalid value.
func (p Purpose) String() string {
	if !p.Valid() {
		return "Purpose(" + strconv.Itoa(int(p)) + ")"
	}
	return purposeNames[p]
}

// ParsePurpose returns the Purpose named s (trimmed, case-folded). The
// error is a *ValidationError with Field "purpose".
func ParsePurpose(s string) (Purpose, error) {
	v, err := validation.Enum(ErrInvalid, "purpose", s, purposeNames[:])
	return Purpose(v), err
}

// MarshalText implements encoding.TextMarshaler; invalid values fail.
func (p Purpose) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, invalid("purpose", "is invalid (%d)", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParsePurpose.
func (p *Purpose) UnmarshalText(b []byte) error {
	v, err := ParsePurpose(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// DefaultLifetime is how long a token of purpose p is valid by default:
// a password reset 1 hour, an activation 72 hours, an email verification
// or change 24 hours, a guest-order claim 24 hours.
func DefaultLifetime(p Purpose) time.Duration {
	switch p {
	case PurposePasswordReset:
		return time.Hour
	case PurposeActivation:
		return 72 * time.Hour
	default:
		return 24 * time.Hour
	}
}

// SecretBytes is the size of a token's secret: 32 random bytes (256 bits).
const SecretBytes = 32

// SecretLength is the length of a secret's text form: base64url without
// padding of SecretBytes bytes.
const SecretLength = 43

// TokenHash is the SHA-256 hash of a token's secret: all that storage
// keeps of it.
type TokenHash [sha256.Size]byte

// String returns the hash in hexadecimal.
func (h TokenHash) String() string { return hex.EncodeToString(h[:]) }

// IsZero reports whether h is the zero hash (no token).
func (h TokenHash) IsZero() bool { return h == TokenHash{} }

// NewSecret reads SecretBytes bytes from random (crypto/rand.Reader in
// production) and returns the secret's text form, to give to the customer
// once, and its hash, to store.
func NewSecret(random io.Reader) (secret string, hash TokenHash, err error) {
	var b [SecretBytes]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", TokenHash{}, fmt.Errorf("credential: reading a token secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), sha256.Sum256(b[:]), nil
}

// ParseSecret returns the hash of a secret in the text form NewSecret
// returns. A string of any other form (length, alphabet, padding) is a
// *TokenError with ReasonMalformed; its text is never echoed.
func ParseSecret(secret string) (TokenHash, error) {
	if len(secret) != SecretLength {
		return TokenHash{}, &TokenError{Reason: ReasonMalformed}
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(secret)
	if err != nil || len(b) != SecretBytes {
		return TokenHash{}, &TokenError{Reason: ReasonMalformed}
	}
	return sha256.Sum256(b), nil
}

// Token is a one-time token: bound to a purpose and a customer, expiring,
// redeemed at most once. Storage keeps its hash, never its secret.
//
// Its JSON form leaves the hash out.
type Token struct {
	// ID identifies the token (in events and the audit trail, which never
	// hold the secret).
	ID uuid.UUID `json:"id"`
	// Hash is the SHA-256 hash of the secret; never in JSON.
	Hash TokenHash `json:"-"`
	// Purpose is what the token is for.
	Purpose Purpose `json:"purpose"`
	// CustomerID is the customer the token acts for: the one whose
	// password it resets, whose account it activates, whose address it
	// verifies or changes, or who claims the guest's orders.
	CustomerID uuid.UUID `json:"customer_id"`
	// Email is the address the token was sent to, as displayed (the
	// customer's spelling; compare canonical forms): the customer's own,
	// the new address of an email change, or the guest's address of a
	// claim. A verification or change applies to this address only.
	Email string `json:"email"`
	// GuestID is the guest whose orders a claim moves (uuid.Nil for other
	// purposes).
	GuestID uuid.UUID `json:"guest_id,omitzero"`
	// CreatedAt and ExpiresAt bound the token's life (UTC).
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when the token was redeemed; RevokedAt when a newer token
	// of its purpose, a password reset or an erasure revoked it.
	UsedAt    *time.Time `json:"used_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// TokenParams are the input of NewToken.
type TokenParams struct {
	Purpose    Purpose
	CustomerID uuid.UUID
	Email      string
	GuestID    uuid.UUID
	Lifetime   time.Duration // 0 means DefaultLifetime(Purpose)
}

// NewToken returns a token with the given ID and hash, issued at now, and
// checks it with Validate.
func NewToken(id uuid.UUID, hash TokenHash, p TokenParams, now time.Time) (Token, error) {
	life := p.Lifetime
	if life == 0 {
		life = DefaultLifetime(p.Purpose)
	}
	if life < 0 {
		return Token{}, invalid("lifetime", "is negative")
	}
	now = now.UTC()
	t := Token{
		ID: id, Hash: hash, Purpose: p.Purpose, CustomerID: p.CustomerID, Email: p.Email, GuestID: p.GuestID,
		CreatedAt: now, ExpiresAt: now.Add(life),
	}
	return t, t.Validate()
}

// Validate checks t. Errors are *ValidationError.
func (t Token) Validate() error {
	switch {
	case t.ID == uuid.Nil:
		return invalid("id", "is required")
	case t.Hash.IsZero():
		return invalid("hash", "is required")
	case !t.Purpose.Valid():
		return invalid("purpose", "is invalid (%d)", int(t.Purpose))
	case t.CustomerID == uuid.Nil:
		return invalid("customer_id", "is required")
	case t.Email == "" || len(t.Email) > 320:
		return invalid("email", "is required, at most 320 bytes")
	case (t.Purpose == PurposeOrderClaim) != (t.GuestID != uuid.Nil):
		return invalid("guest_id", "is required for an order claim, and only there")
	case t.CreatedAt.IsZero() || !t.ExpiresAt.After(t.CreatedAt):
		return invalid("expires_at", "must be after created_at")
	}
	return validation.Text(ErrInvalid, "email", t.Email, 320, false)
}

// Reasons a token cannot be redeemed.
const (
	ReasonMalformed  = "malformed"
	ReasonUnknown    = "unknown"
	ReasonExpired    = "expired"
	ReasonUsed       = "used"
	ReasonRevoked    = "revoked"
	ReasonPurpose    = "wrong_purpose"
	ReasonCustomer   = "wrong_customer"
	ReasonSuperseded = "superseded"
)

// TokenError reports why a token cannot be redeemed; errors.Is(err,
// ErrTokenInvalid) holds for it. Reason is one of the Reason constants.
// It never holds the secret.
type TokenError struct {
	Reason string
}

// Error names the reason, never the token.
func (e *TokenError) Error() string { return "credential: token cannot be used: " + e.Reason }

// Unwrap returns ErrTokenInvalid.
func (e *TokenError) Unwrap() error { return ErrTokenInvalid }

// Usable reports whether t may be redeemed for purpose at now, and why not
// as a *TokenError.
func (t Token) Usable(purpose Purpose, now time.Time) error {
	switch {
	case t.Purpose != purpose:
		return &TokenError{Reason: ReasonPurpose}
	case t.UsedAt != nil:
		return &TokenError{Reason: ReasonUsed}
	case t.RevokedAt != nil:
		return &TokenError{Reason: ReasonRevoked}
	case !now.Before(t.ExpiresAt):
		return &TokenError{Reason: ReasonExpired}
	}
	return nil
}

// Redeem uses t for purpose at now: it checks Usable and sets UsedAt. A
// token is redeemed once; storage makes that hold under concurrency.
func (t *Token) Redeem(purpose Purpose, now time.Time) error {
	if err := t.Usable(purpose, now); err != nil {
		return err
	}
	t.UsedAt = timeAt(now)
	return nil
}

// Revoke revokes an unused token at now; it reports whether it did
// (a used or revoked token stays as it is).
func (t *Token) Revoke(now time.Time) bool {
	if t.UsedAt != nil || t.RevokedAt != nil {
		return false
	}
	t.RevokedAt = timeAt(now)
	return true
}

// Pending reports whether t is neither used, revoked nor expired at now.
func (t Token) Pending(now time.Time) bool {
	return t.UsedAt == nil && t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// IsTokenError reports whether err is a *TokenError with the reason.
func IsTokenError(err error, reason string) bool {
	var te *TokenError
	return errors.As(err, &te) && te.Reason == reason
}
