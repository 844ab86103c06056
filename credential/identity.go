package credential

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Bounds of an external identity.
const (
	// MaxProviderLength bounds a provider name, in bytes.
	MaxProviderLength = 50
	// MaxSubjectLength bounds a provider's subject, in bytes.
	MaxSubjectLength = 255
	// MaxIdentities bounds the identities linked to one customer.
	MaxIdentities = 20
)

// Identity is an external identity linked to a customer: the subject
// (the provider's stable user ID, such as an OpenID Connect "sub") at a
// provider ("google", "apple", "okta-acme", "magic-link"). The pair is
// unique: one identity signs in to one customer. It is the hook for SSO,
// social login and passwordless sign-in: the host verifies the provider's
// assertion, then finds the customer by the identity.
type Identity struct {
	// Provider names the provider: 1..MaxProviderLength bytes of lower-case
	// ASCII letters, digits, '.', '_' and '-' (Normalize lower-cases it).
	Provider string `json:"provider"`
	// Subject is the provider's ID of the user, byte-exact (subjects are
	// case-sensitive): 1..MaxSubjectLength bytes of printable UTF-8.
	Subject string `json:"subject"`
	// CustomerID is the customer the identity signs in to.
	CustomerID uuid.UUID `json:"customer_id"`
	// LinkedAt is when the identity was linked (UTC).
	LinkedAt time.Time `json:"linked_at"`
}

// Normalize returns id with its provider trimmed and lower-cased, and
// checks it with Validate.
func (id Identity) Normalize() (Identity, error) {
	id.Provider = NormalizeProvider(id.Provider)
	id.LinkedAt = id.LinkedAt.UTC()
	return id, id.Validate()
}

// NormalizeProvider trims and lower-cases a provider name (ASCII only:
// provider names are identifiers).
func NormalizeProvider(p string) string {
	return strings.ToLower(strings.TrimSpace(p))
}

// Validate checks id. Errors are *ValidationError.
func (id Identity) Validate() error {
	if err := CheckProvider(id.Provider); err != nil {
		return err
	}
	if err := CheckSubject(id.Subject); err != nil {
		return err
	}
	if id.CustomerID == uuid.Nil {
		return invalid("customer_id", "is required")
	}
	return nil
}

// CheckProvider checks a normalized provider name.
func CheckProvider(p string) error {
	switch {
	case p == "":
		return invalid("provider", "is required")
	case len(p) > MaxProviderLength:
		return invalid("provider", "is longer than %d bytes", MaxProviderLength)
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return invalid("provider", "may hold only lower-case letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// CheckSubject checks a subject.
func CheckSubject(s string) error {
	switch {
	case s == "":
		return invalid("subject", "is required")
	case len(s) > MaxSubjectLength:
		return invalid("subject", "is longer than %d bytes", MaxSubjectLength)
	case !utf8.ValidString(s):
		return invalid("subject", "is not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return invalid("subject", "contains a control character")
		}
	}
	return nil
}
