package wallet

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package
// unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "wallet: invalid input")

// ErrNotFound is returned for a payment source that is not in the wallet.
var ErrNotFound = errcode.New(errcode.NotFound, "wallet: payment source not found")

// ErrWalletFull is returned by Wallet.Add when the wallet already holds
// MaxSources sources.
var ErrWalletFull = errcode.New(errcode.FailedPrecondition, "wallet: the wallet is full")

// ErrSourceInUse is returned when a payment source that a live
// subscription charges is removed.
var ErrSourceInUse = errcode.New(errcode.FailedPrecondition, "wallet: a live subscription charges the payment source")

// ErrSeveralDefaults is returned by Wallet.Stored for a wallet with more
// than one default source.
var ErrSeveralDefaults = errcode.New(errcode.Conflict, "wallet: more than one default payment source")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid)
// holds for it.
type ValidationError = validation.Error

// Limits of a source's fields, in bytes, and of a wallet.
const (
	MaxSources        = 50
	MaxProviderLength = 64
	MaxTokenRefLength = 255
	MaxBrandLength    = 64
	MinExpYear        = 2000
	MaxExpYear        = 2199
)

// Type is the kind of a payment source. The zero value is not valid.
type Type int

// The types of payment source.
const (
	Card Type = iota + 1
	SEPADebit
	PayPal
	BankAccount
	Other
)

var typeNames = [...]string{Card: "card", SEPADebit: "sepa_debit", PayPal: "paypal", BankAccount: "bank_account", Other: "other"}

// Types returns every valid Type.
func Types() []Type { return []Type{Card, SEPADebit, PayPal, BankAccount, Other} }

// String returns the type's name ("card", "sepa_debit"...), or "Type(n)".
func (t Type) String() string {
	if t.Valid() {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Valid reports whether t is one of the types above.
func (t Type) Valid() bool { return t >= Card && t <= Other }

// ParseType returns the Type named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "type".
func ParseType(s string) (Type, error) {
	v, err := validation.Enum(ErrInvalid, "type", s, typeNames[:])
	return Type(v), err
}

// MarshalText implements encoding.TextMarshaler. An invalid type is an
// error.
func (t Type) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, validation.New(ErrInvalid, "type", "is not a valid payment source type: %s", t)
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseType; on
// error t is unchanged.
func (t *Type) UnmarshalText(b []byte) error {
	v, err := ParseType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Source is one saved payment source: a reference to a token the provider
// keeps, and what identifies it to the customer.
type Source struct {
	ID         uuid.UUID `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	// Provider names the payment service ("stripe", "adyen"), lower case.
	Provider string `json:"provider"`
	// TokenRef is the provider's reference of the token (a payment method
	// ID, a mandate ID); never a card number.
	TokenRef string `json:"token_ref"`
	Type     Type   `json:"type"`
	// Brand is the card scheme or bank as the provider reports it
	// ("visa"); optional.
	Brand string `json:"brand,omitempty"`
	// Last4 is the last four digits of the card or account, or "".
	Last4 string `json:"last4,omitempty"`
	// ExpMonth (1..12) and ExpYear are the expiry; both zero for a source
	// without one (required for cards).
	ExpMonth int `json:"exp_month,omitempty"`
	ExpYear  int `json:"exp_year,omitempty"`
	// BillingAddress is optional.
	BillingAddress *address.Address `json:"billing_address,omitempty"`
	// IsDefault marks the wallet's default source; exactly one source of a
	// non-empty wallet has it.
	IsDefault bool              `json:"is_default"`
	Metadata  map[string]string `json:"metadata,omitempty"`
	CreatedAt time.Time         `json:"created_at"` // UTC
	UpdatedAt time.Time         `json:"updated_at"` // UTC
}

// Params are the fields of a new source.
type Params struct {
	Provider       string            `json:"provider"`
	TokenRef       string            `json:"token_ref"`
	Type           Type              `json:"type"`
	Brand          string            `json:"brand,omitempty"`
	Last4          string            `json:"last4,omitempty"`
	ExpMonth       int               `json:"exp_month,omitempty"`
	ExpYear        int               `json:"exp_year,omitempty"`
	BillingAddress *address.Address  `json:"billing_address,omitempty"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

// Clone returns a deep copy of p.
func (p Params) Clone() Params {
	p.BillingAddress = cloneAddress(p.BillingAddress)
	p.Metadata = validation.CloneMetadata(p.Metadata)
	return p
}

// Patch changes the fields of a source that may change. A nil field
// leaves the value unchanged; ClearBillingAddress removes the billing
// address; a metadata key mapped to nil is deleted.
type Patch struct {
	Brand               *string            `json:"brand,omitempty"`
	Last4               *string            `json:"last4,omitempty"`
	ExpMonth            *int               `json:"exp_month,omitempty"`
	ExpYear             *int               `json:"exp_year,omitempty"`
	BillingAddress      *address.Address   `json:"billing_address,omitempty"`
	ClearBillingAddress bool               `json:"clear_billing_address,omitempty"`
	Metadata            map[string]*string `json:"metadata,omitempty"`
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool {
	return p.Brand == nil && p.Last4 == nil && p.ExpMonth == nil && p.ExpYear == nil &&
		p.BillingAddress == nil && !p.ClearBillingAddress && len(p.Metadata) == 0
}

// Apply returns s with the set fields of p replaced, normalized and
// validated. Errors: *ValidationError naming the field.
func (p Patch) Apply(s Source) (Source, error) {
	s = s.Clone()
	if p.Brand != nil {
		s.Brand = *p.Brand
	}
	if p.Last4 != nil {
		s.Last4 = *p.Last4
	}
	if p.ExpMonth != nil {
		s.ExpMonth = *p.ExpMonth
	}
	if p.ExpYear != nil {
		s.ExpYear = *p.ExpYear
	}
	if p.ClearBillingAddress {
		s.BillingAddress = nil
	}
	if p.BillingAddress != nil {
		s.BillingAddress = cloneAddress(p.BillingAddress)
	}
	if p.Metadata != nil {
		s.Metadata = validation.PatchMetadata(s.Metadata, p.Metadata)
	}
	s = s.normalize()
	if err := s.validateFields(); err != nil {
		return Source{}, err
	}
	return s, nil
}

// New returns the source p describes, with the ID, customer and times
// given, normalized (trimmed, NFC, the provider and brand lower-cased, the
// billing address by address.Parse) and validated. It is not the default:
// Wallet.Add decides that. Errors: *ValidationError naming the field.
func New(id, customerID uuid.UUID, p Params, now time.Time) (Source, error) {
	now = now.UTC()
	s := Source{
		ID: id, CustomerID: customerID, Provider: p.Provider, TokenRef: p.TokenRef, Type: p.Type,
		Brand: p.Brand, Last4: p.Last4, ExpMonth: p.ExpMonth, ExpYear: p.ExpYear,
		BillingAddress: cloneAddress(p.BillingAddress), Metadata: validation.CloneMetadata(p.Metadata),
		CreatedAt: now, UpdatedAt: now,
	}
	s = s.normalize()
	if err := s.Validate(); err != nil {
		return Source{}, err
	}
	return s, nil
}

func (s Source) normalize() Source {
	s.Provider = strings.ToLower(textnorm.Clean(s.Provider))
	s.TokenRef = textnorm.Clean(s.TokenRef)
	s.Brand = strings.ToLower(textnorm.Clean(s.Brand))
	s.Last4 = textnorm.Clean(s.Last4)
	if s.BillingAddress != nil {
		a := s.BillingAddress.Normalize()
		s.BillingAddress = &a
	}
	return s
}

// noCard refuses a value holding a card number, without echoing it.
func noCard(field, v string) error {
	if ContainsCardNumber(v) {
		return validation.New(ErrInvalid, field, "looks like a card number; store the provider's token reference, never the number")
	}
	return nil
}

// Validate checks a normalized source: IDs, a provider and a token
// reference (single line, within their lengths, no white space in the
// token reference), a valid type, Last4 of exactly four digits when set,
// an expiry (required for cards) with a month in 1..12 and a year in
// MinExpYear..MaxExpYear, a valid billing address, metadata within the
// limits, and no card number anywhere (see the package documentation).
// The error is a *ValidationError for the first invalid field.
func (s Source) Validate() error {
	if s.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if s.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	return s.validateFields()
}

func (s Source) validateFields() error {
	if err := validation.Required(ErrInvalid, "provider", s.Provider, MaxProviderLength); err != nil {
		return err
	}
	if err := noCard("provider", s.Provider); err != nil {
		return err
	}
	if err := validation.Required(ErrInvalid, "token_ref", s.TokenRef, MaxTokenRefLength); err != nil {
		return err
	}
	if strings.ContainsAny(s.TokenRef, " \t") {
		if LooksLikeCardNumber(s.TokenRef) {
			return noCard("token_ref", s.TokenRef)
		}
		return validation.New(ErrInvalid, "token_ref", "must not contain white space")
	}
	if LooksLikeCardNumber(s.TokenRef) || containsCard(s.TokenRef, false) {
		return noCard("token_ref", "4242424242424242") // the message, without the value
	}
	if !s.Type.Valid() {
		return validation.New(ErrInvalid, "type", "is required: one of card, sepa_debit, paypal, bank_account, other")
	}
	if err := validation.Text(ErrInvalid, "brand", s.Brand, MaxBrandLength, false); err != nil {
		return err
	}
	if err := noCard("brand", s.Brand); err != nil {
		return err
	}
	if s.Last4 != "" {
		if err := noCard("last4", s.Last4); err != nil {
			return err
		}
		if len(s.Last4) != 4 || !allDigits(s.Last4) {
			return validation.New(ErrInvalid, "last4", "must be exactly 4 digits")
		}
	}
	if err := s.validateExpiry(); err != nil {
		return err
	}
	if s.BillingAddress != nil {
		if err := s.BillingAddress.Validate(); err != nil {
			return validation.Prefix("billing_address", err)
		}
		if err := addressNoCard(*s.BillingAddress); err != nil {
			return err
		}
	}
	if err := validation.Metadata(ErrInvalid, "metadata", s.Metadata); err != nil {
		return err
	}
	for k, v := range s.Metadata {
		if err := noCard("metadata."+k, v); err != nil {
			return err
		}
		if ContainsCardNumber(k) {
			return validation.New(ErrInvalid, "metadata", "a key looks like a card number")
		}
	}
	return nil
}

func (s Source) validateExpiry() error {
	if s.ExpMonth == 0 && s.ExpYear == 0 {
		if s.Type == Card {
			return validation.New(ErrInvalid, "exp_month", "is required for a card")
		}
		return nil
	}
	if s.ExpMonth < 1 || s.ExpMonth > 12 {
		return validation.New(ErrInvalid, "exp_month", "must be 1 to 12")
	}
	if s.ExpYear < MinExpYear || s.ExpYear > MaxExpYear {
		return validation.New(ErrInvalid, "exp_year", "must be a four-digit year from %d to %d", MinExpYear, MaxExpYear)
	}
	return nil
}

// addressNoCard checks the free-text fields of a billing address (not the
// phone number) for card numbers.
func addressNoCard(a address.Address) error {
	fields := []struct{ name, v string }{
		{"first_name", a.FirstName}, {"last_name", a.LastName}, {"company", a.Company},
		{"line1", a.Line1}, {"line2", a.Line2}, {"city", a.City}, {"postal_code", a.PostalCode},
		{"province", a.Province},
	}
	for _, f := range fields {
		if err := noCard("billing_address."+f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// HasExpiry reports whether s has an expiry month and year.
func (s Source) HasExpiry() bool { return s.ExpMonth != 0 && s.ExpYear != 0 }

// ExpiresAt returns the first instant at which s is expired: the start of
// the month after its expiry month, UTC. ok is false for a source without
// an expiry.
func (s Source) ExpiresAt() (t time.Time, ok bool) {
	if !s.HasExpiry() {
		return time.Time{}, false
	}
	return time.Date(s.ExpYear, time.Month(s.ExpMonth)+1, 1, 0, 0, 0, 0, time.UTC), true
}

// Expired reports whether s has expired at now: it has an expiry and now
// is after the last day of the expiry month (UTC).
func (s Source) Expired(now time.Time) bool {
	at, ok := s.ExpiresAt()
	return ok && !now.Before(at)
}

// Clone returns a deep copy of s.
func (s Source) Clone() Source {
	s.BillingAddress = cloneAddress(s.BillingAddress)
	s.Metadata = validation.CloneMetadata(s.Metadata)
	return s
}

// Equal reports whether s and o hold the same values (times compared with
// Equal).
func (s Source) Equal(o Source) bool {
	return s.ID == o.ID && s.CustomerID == o.CustomerID && s.Provider == o.Provider && s.TokenRef == o.TokenRef &&
		s.Type == o.Type && s.Brand == o.Brand && s.Last4 == o.Last4 && s.ExpMonth == o.ExpMonth &&
		s.ExpYear == o.ExpYear && sameAddress(s.BillingAddress, o.BillingAddress) && s.IsDefault == o.IsDefault &&
		maps.Equal(s.Metadata, o.Metadata) && s.CreatedAt.Equal(o.CreatedAt) && s.UpdatedAt.Equal(o.UpdatedAt)
}

func sameAddress(a, b *address.Address) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func cloneAddress(a *address.Address) *address.Address {
	if a == nil {
		return nil
	}
	v := *a
	return &v
}

// before reports whether s sorts before o: by CreatedAt, then by ID bytes.
func (s Source) before(o Source) bool {
	if !s.CreatedAt.Equal(o.CreatedAt) {
		return s.CreatedAt.Before(o.CreatedAt)
	}
	return bytes.Compare(s.ID[:], o.ID[:]) < 0
}

func compareSources(a, b Source) int {
	switch {
	case a.before(b):
		return -1
	case b.before(a):
		return 1
	}
	return 0
}
