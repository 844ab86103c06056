package merchant

import (
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "merchant: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrNotFound is returned for a merchant that does not exist.
var ErrNotFound = errcode.New(errcode.NotFound, "merchant: not found")

// ErrHasMarkets is returned when deleting a merchant that still owns markets.
var ErrHasMarkets = errcode.New(errcode.FailedPrecondition, "merchant: merchant still owns markets")

// MaxNameLength is the longest merchant name, in bytes.
const MaxNameLength = 200

// Merchant is the seller. The zero value is not valid: it has no ID, name or
// billing address.
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports ("billing_address.country").
type Merchant struct {
	ID uuid.UUID `json:"id"`
	// Name is the merchant's name, trimmed and in NFC.
	Name string `json:"name"`
	// BillingAddress is a normalized, valid address (see address.Parse).
	BillingAddress address.Address   `json:"billing_address"`
	Metadata       map[string]string `json:"metadata,omitempty"`
	CreatedAt      time.Time         `json:"created_at"` // UTC
	UpdatedAt      time.Time         `json:"updated_at"` // UTC
	// Version is bumped by storage on every write, starting at 1.
	Version int64 `json:"version"`
}

// Params holds the input of New. Its JSON names are those of Merchant.
type Params struct {
	Name           string            `json:"name"`
	BillingAddress address.Address   `json:"billing_address"`
	Metadata       map[string]string `json:"metadata,omitempty"`
}

// New returns a validated merchant created at now. The name is trimmed and
// put in NFC, the billing address is normalized with address.Parse, and the
// metadata map is copied.
func New(id uuid.UUID, p Params, now time.Time) (Merchant, error) {
	now = now.UTC()
	m := Merchant{
		ID:             id,
		Name:           textnorm.Clean(p.Name),
		BillingAddress: p.BillingAddress.Normalize(),
		Metadata:       validation.CloneMetadata(p.Metadata),
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := m.Validate(); err != nil {
		return Merchant{}, err
	}
	return m, nil
}

// Validate checks m: a non-nil ID, a name of 1 to MaxNameLength bytes without
// control characters, a valid normalized billing address and valid metadata.
// Errors are *ValidationError.
func (m Merchant) Validate() error {
	if m.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if err := validation.Required(ErrInvalid, "name", m.Name, MaxNameLength); err != nil {
		return err
	}
	if err := m.BillingAddress.Validate(); err != nil {
		return addressError(err)
	}
	return validation.Metadata(ErrInvalid, "metadata", m.Metadata)
}

// addressError prefixes the field of an address validation error with
// "billing_address" and makes it unwrap to ErrInvalid as well as to
// address.ErrInvalid.
func addressError(err error) error {
	err = validation.Prefix("billing_address", err)
	var ve *ValidationError
	if errors.As(err, &ve) {
		ve.Err = errors.Join(ErrInvalid, ve.Err)
	}
	return err
}

// Patch changes some fields of a merchant. A nil field is left unchanged;
// BillingAddress changes only the address fields it sets. In Metadata, a key
// mapped to nil is deleted and any other key is set; a nil map leaves the
// metadata unchanged. Its JSON names are those of Merchant.
type Patch struct {
	Name           *string            `json:"name,omitempty"`
	BillingAddress *address.Patch     `json:"billing_address,omitempty"`
	Metadata       map[string]*string `json:"metadata,omitempty"`
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool {
	return p.Name == nil && (p.BillingAddress == nil || p.BillingAddress.IsZero()) && len(p.Metadata) == 0
}

// Apply applies p, normalizes and revalidates the result and sets UpdatedAt
// to now. A zero patch changes nothing. On error m is unchanged.
func (m *Merchant) Apply(p Patch, now time.Time) error {
	if p.IsZero() {
		return nil
	}
	next := m.Clone()
	if p.Name != nil {
		next.Name = textnorm.Clean(*p.Name)
	}
	if p.BillingAddress != nil {
		next.BillingAddress = p.BillingAddress.Overlay(next.BillingAddress).Normalize() // Validate below names the field
	}
	if p.Metadata != nil {
		next.Metadata = validation.PatchMetadata(next.Metadata, p.Metadata)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	next.UpdatedAt = now.UTC()
	*m = next
	return nil
}

// Clone returns a deep copy of m.
func (m Merchant) Clone() Merchant {
	m.Metadata = validation.CloneMetadata(m.Metadata)
	return m
}
