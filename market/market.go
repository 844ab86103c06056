package market

import (
	"bytes"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "market: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrNotFound is returned for a market that does not exist.
var ErrNotFound = errcode.New(errcode.NotFound, "market: not found")

// ErrCodeTaken is returned when another market already has the code.
var ErrCodeTaken = errcode.New(errcode.Conflict, "market: code already taken")

// Limits of the market fields.
const (
	MaxCodeLength   = 64  // bytes
	MaxNameLength   = 200 // bytes
	MaxRefLength    = 255 // bytes, PriceListRef and InventoryModelRef
	MaxAccessGroups = 100
)

// Market is a storefront of a merchant. The zero value is not valid.
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports.
type Market struct {
	ID         uuid.UUID `json:"id"`
	MerchantID uuid.UUID `json:"merchant_id"`
	// Code is the unique key, normalized (see NormalizeCode); immutable.
	Code string `json:"code"`
	// Name is the display name, trimmed and in NFC.
	Name          string        `json:"name"`
	BusinessModel BusinessModel `json:"business_model"`
	// Currency is the currency the market sells in; never zero.
	Currency balance.Currency `json:"currency"`
	// PriceListRef and InventoryModelRef reference the host's price list and
	// inventory model; the library stores them and does not interpret them.
	PriceListRef      string `json:"price_list_ref,omitempty"`
	InventoryModelRef string `json:"inventory_model_ref,omitempty"`
	// TaxDisplay says whether the market shows prices including or
	// excluding VAT; TaxDisplayByCustomer, the default, decides by the
	// customer's type (see package pricing). The JSON form leaves the
	// default out, and reads a missing tax_display as the default.
	TaxDisplay TaxDisplay `json:"tax_display,omitempty"`
	// Disabled markets admit nobody.
	Disabled bool `json:"disabled"`
	// AccessGroups are the groups whose members may buy here, sorted by
	// their bytes and without duplicates or uuid.Nil; nil or empty means a
	// public market.
	AccessGroups []uuid.UUID `json:"access_groups,omitempty"`
	// RequireVerified makes a private market admit only customers whose
	// identity verification (package verification) is verified; a public
	// market ignores it (see AccessWith).
	RequireVerified bool              `json:"require_verified"`
	Metadata        map[string]string `json:"metadata,omitempty"`
	CreatedAt       time.Time         `json:"created_at"` // UTC
	UpdatedAt       time.Time         `json:"updated_at"` // UTC
	// Version is bumped by storage on every write, starting at 1.
	Version int64 `json:"version"`
}

// Params holds the input of New. Its JSON names are those of Market.
type Params struct {
	MerchantID        uuid.UUID        `json:"merchant_id"`
	Code              string           `json:"code"`
	Name              string           `json:"name"`
	BusinessModel     BusinessModel    `json:"business_model,omitempty"`
	Currency          balance.Currency `json:"currency,omitzero"`
	PriceListRef      string           `json:"price_list_ref,omitempty"`
	InventoryModelRef string           `json:"inventory_model_ref,omitempty"`
	// TaxDisplay: see Market. The zero value is "not set": New makes it
	// TaxDisplayByCustomer.
	TaxDisplay TaxDisplay `json:"tax_display,omitempty"`
	// Disabled creates the market disabled.
	Disabled bool `json:"disabled,omitempty"`
	// AccessGroups, when not empty, make the market private; they are
	// sorted and deduplicated.
	AccessGroups []uuid.UUID `json:"access_groups,omitempty"`
	// RequireVerified: see Market.
	RequireVerified bool              `json:"require_verified,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
}

// New returns a validated market created at now. The code is normalized
// (NormalizeCode), name and references are trimmed and put in NFC, access
// groups are sorted and deduplicated, an unset tax display is
// TaxDisplayByCustomer, and slices and maps are copied.
func New(id uuid.UUID, p Params, now time.Time) (Market, error) {
	groups, err := NormalizeAccessGroups(p.AccessGroups)
	if err != nil {
		return Market{}, err
	}
	if p.TaxDisplay == 0 {
		p.TaxDisplay = TaxDisplayByCustomer
	}
	now = now.UTC()
	m := Market{
		ID:                id,
		MerchantID:        p.MerchantID,
		Code:              NormalizeCode(p.Code),
		Name:              textnorm.Clean(p.Name),
		BusinessModel:     p.BusinessModel,
		Currency:          p.Currency,
		PriceListRef:      textnorm.Clean(p.PriceListRef),
		InventoryModelRef: textnorm.Clean(p.InventoryModelRef),
		TaxDisplay:        p.TaxDisplay,
		Disabled:          p.Disabled,
		AccessGroups:      groups,
		RequireVerified:   p.RequireVerified,
		Metadata:          validation.CloneMetadata(p.Metadata),
		CreatedAt:         now,
		UpdatedAt:         now,
	}
	if err := m.Validate(); err != nil {
		return Market{}, err
	}
	return m, nil
}

// NormalizeCode returns code trimmed of surrounding white space with ASCII
// letters lower-cased. Other characters are kept, for ValidateCode to
// reject. Storage uses it to look markets up by code.
func NormalizeCode(code string) string {
	code = strings.TrimSpace(code)
	b := []byte(code)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// ValidateCode checks that code is a normalized market code: 1 to
// MaxCodeLength characters from a-z, 0-9, '-' and '_'. The error is a
// *ValidationError for the field "code".
func ValidateCode(code string) error {
	if code == "" {
		return validation.New(ErrInvalid, "code", "is required")
	}
	if len(code) > MaxCodeLength {
		return validation.New(ErrInvalid, "code", "is longer than %d characters", MaxCodeLength)
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return validation.New(ErrInvalid, "code", "may contain only a-z, 0-9, '-' and '_'")
		}
	}
	return nil
}

// NormalizeAccessGroups returns ids sorted by their bytes, without
// duplicates, as a new slice (nil when empty). It rejects uuid.Nil and more
// than MaxAccessGroups distinct groups with a *ValidationError for the field
// "access_groups".
func NormalizeAccessGroups(ids []uuid.UUID) ([]uuid.UUID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := slices.Clone(ids)
	slices.SortFunc(out, compareIDs)
	out = slices.Compact(out)
	if out[0] == uuid.Nil { // uuid.Nil sorts first
		return nil, validation.New(ErrInvalid, "access_groups", "contains the nil UUID")
	}
	if len(out) > MaxAccessGroups {
		return nil, validation.New(ErrInvalid, "access_groups", "has more than %d groups", MaxAccessGroups)
	}
	return slices.Clip(out), nil
}

func compareIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }

// Validate checks m: non-nil ID and merchant, a normalized valid code, a
// name of 1 to MaxNameLength bytes, a valid business model, a currency,
// references of at most MaxRefLength bytes, a valid tax display (the zero
// value is not: New sets the default), access groups in normalized form
// and valid metadata. Errors are *ValidationError.
func (m Market) Validate() error {
	if m.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if m.MerchantID == uuid.Nil {
		return validation.New(ErrInvalid, "merchant_id", "is required")
	}
	if err := ValidateCode(m.Code); err != nil {
		return err
	}
	if err := validation.Required(ErrInvalid, "name", m.Name, MaxNameLength); err != nil {
		return err
	}
	if !m.BusinessModel.Valid() {
		if m.BusinessModel == 0 {
			return validation.New(ErrInvalid, "business_model", "is required")
		}
		return invalidBusinessModel(m.BusinessModel)
	}
	if m.Currency.IsZero() {
		return validation.New(ErrInvalid, "currency", "is required")
	}
	if err := validation.Text(ErrInvalid, "price_list_ref", m.PriceListRef, MaxRefLength, false); err != nil {
		return err
	}
	if err := validation.Text(ErrInvalid, "inventory_model_ref", m.InventoryModelRef, MaxRefLength, false); err != nil {
		return err
	}
	if !m.TaxDisplay.Valid() {
		return invalidTaxDisplay(m.TaxDisplay)
	}
	if err := validateAccessGroups(m.AccessGroups); err != nil {
		return err
	}
	return validation.Metadata(ErrInvalid, "metadata", m.Metadata)
}

func validateAccessGroups(ids []uuid.UUID) error {
	if len(ids) > MaxAccessGroups {
		return validation.New(ErrInvalid, "access_groups", "has more than %d groups", MaxAccessGroups)
	}
	for i, id := range ids {
		if id == uuid.Nil {
			return validation.New(ErrInvalid, "access_groups", "contains the nil UUID")
		}
		if i > 0 && compareIDs(ids[i-1], id) >= 0 {
			return validation.New(ErrInvalid, "access_groups", "must be sorted and without duplicates")
		}
	}
	return nil
}

// IsPrivate reports whether the market is restricted to access groups.
func (m Market) IsPrivate() bool { return len(m.AccessGroups) > 0 }

// HasAccessGroup reports whether the group is one of the market's access
// groups.
func (m Market) HasAccessGroup(groupID uuid.UUID) bool {
	_, ok := slices.BinarySearchFunc(m.AccessGroups, groupID, compareIDs)
	return ok
}

// Patch changes some fields of a market. A nil field is left unchanged.
// AccessGroups replaces the whole list (a pointer to an empty slice makes the
// market public). In Metadata, a key mapped to nil is deleted and any other
// key is set; a nil map leaves the metadata unchanged. The code cannot be
// patched. Its JSON names are those of Market.
type Patch struct {
	Name              *string            `json:"name,omitempty"`
	BusinessModel     *BusinessModel     `json:"business_model,omitempty"`
	Currency          *balance.Currency  `json:"currency,omitempty"`
	PriceListRef      *string            `json:"price_list_ref,omitempty"`
	InventoryModelRef *string            `json:"inventory_model_ref,omitempty"`
	TaxDisplay        *TaxDisplay        `json:"tax_display,omitempty"`
	Disabled          *bool              `json:"disabled,omitempty"`
	AccessGroups      *[]uuid.UUID       `json:"access_groups,omitempty"`
	RequireVerified   *bool              `json:"require_verified,omitempty"`
	Metadata          map[string]*string `json:"metadata,omitempty"`
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool {
	return p.Name == nil && p.BusinessModel == nil && p.Currency == nil && p.PriceListRef == nil &&
		p.InventoryModelRef == nil && p.TaxDisplay == nil && p.Disabled == nil && p.AccessGroups == nil && p.RequireVerified == nil && len(p.Metadata) == 0
}

// Apply applies p, normalizes and revalidates the result and sets UpdatedAt
// to now. A zero patch changes nothing. On error m is unchanged.
func (m *Market) Apply(p Patch, now time.Time) error {
	if p.IsZero() {
		return nil
	}
	next := m.Clone()
	if p.Name != nil {
		next.Name = textnorm.Clean(*p.Name)
	}
	if p.BusinessModel != nil {
		next.BusinessModel = *p.BusinessModel
	}
	if p.Currency != nil {
		next.Currency = *p.Currency
	}
	if p.PriceListRef != nil {
		next.PriceListRef = textnorm.Clean(*p.PriceListRef)
	}
	if p.InventoryModelRef != nil {
		next.InventoryModelRef = textnorm.Clean(*p.InventoryModelRef)
	}
	if p.TaxDisplay != nil {
		next.TaxDisplay = *p.TaxDisplay
	}
	if p.Disabled != nil {
		next.Disabled = *p.Disabled
	}
	if p.AccessGroups != nil {
		groups, err := NormalizeAccessGroups(*p.AccessGroups)
		if err != nil {
			return err
		}
		next.AccessGroups = groups
	}
	if p.RequireVerified != nil {
		next.RequireVerified = *p.RequireVerified
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
func (m Market) Clone() Market {
	m.AccessGroups = slices.Clone(m.AccessGroups)
	m.Metadata = validation.CloneMetadata(m.Metadata)
	return m
}

// Filter selects markets in a list. Every set field must match.
type Filter struct {
	// MerchantID, unless uuid.Nil, lists the markets of this merchant.
	MerchantID uuid.UUID `json:"merchant_id,omitzero"`
	// GroupID, unless uuid.Nil, lists the markets that restrict access to
	// this group.
	GroupID uuid.UUID `json:"group_id,omitzero"`
}
