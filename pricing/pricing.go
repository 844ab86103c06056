package pricing

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
	"github.com/clientele-go/clientele/market"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "pricing: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// Limits of a context.
const (
	// MaxRefLength is the longest host reference, in bytes.
	MaxRefLength = market.MaxRefLength
	// MaxGroups is the most groups a context lists: those in force,
	// ordered by ID; GroupsTruncated says when there were more.
	MaxGroups = 100
	// MaxSegments is the most segments evaluated for a context: the
	// first MaxSegments in (CreatedAt, ID) order; SegmentsTruncated says
	// when there were more (the later ones are not evaluated).
	MaxSegments = 50
)

// Refs are the host references a group or a segment carries: the host's
// price list, promotion and content audience. The library stores them and
// does not interpret them; the zero value carries none.
type Refs struct {
	PriceList       string `json:"price_list_ref,omitempty"`
	Promotion       string `json:"promotion_ref,omitempty"`
	ContentAudience string `json:"content_audience_ref,omitempty"`
}

// IsZero reports whether r carries no reference.
func (r Refs) IsZero() bool { return r == Refs{} }

// Normalize returns r with each reference trimmed and in NFC.
func (r Refs) Normalize() Refs {
	return Refs{textnorm.Clean(r.PriceList), textnorm.Clean(r.Promotion), textnorm.Clean(r.ContentAudience)}
}

// Validate checks that each reference has at most MaxRefLength bytes and
// no control characters. Errors are *ValidationError.
func (r Refs) Validate() error {
	if err := validation.Text(ErrInvalid, "price_list_ref", r.PriceList, MaxRefLength, false); err != nil {
		return err
	}
	if err := validation.Text(ErrInvalid, "promotion_ref", r.Promotion, MaxRefLength, false); err != nil {
		return err
	}
	return validation.Text(ErrInvalid, "content_audience_ref", r.ContentAudience, MaxRefLength, false)
}

// TaxDisplay says how prices are shown: including or excluding VAT. The
// zero value is not valid.
type TaxDisplay int

// The tax displays.
const (
	IncludingVAT TaxDisplay = iota + 1 // "including_vat"
	ExcludingVAT                       // "excluding_vat"
)

var taxDisplayNames = [...]string{IncludingVAT: "including_vat", ExcludingVAT: "excluding_vat"}

// TaxDisplays returns every valid TaxDisplay.
func TaxDisplays() []TaxDisplay { return []TaxDisplay{IncludingVAT, ExcludingVAT} }

// Valid reports whether d is one of the tax displays.
func (d TaxDisplay) Valid() bool { return d == IncludingVAT || d == ExcludingVAT }

// String returns the tax display's name ("including_vat"), or
// "TaxDisplay(n)".
func (d TaxDisplay) String() string {
	if d.Valid() {
		return taxDisplayNames[d]
	}
	return fmt.Sprintf("TaxDisplay(%d)", int(d))
}

// ParseTaxDisplay returns the TaxDisplay named s; white space is trimmed
// and case folded. The error is a *ValidationError for the field
// "tax_display".
func ParseTaxDisplay(s string) (TaxDisplay, error) {
	v, err := validation.Enum(ErrInvalid, "tax_display", s, taxDisplayNames[:])
	return TaxDisplay(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid tax display is
// an error.
func (d TaxDisplay) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, validation.New(ErrInvalid, "tax_display", "is not a tax display: %s", d)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseTaxDisplay;
// on error d is unchanged.
func (d *TaxDisplay) UnmarshalText(b []byte) error {
	v, err := ParseTaxDisplay(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// TaxDisplayFor decides the tax display of a market's setting for a
// visitor; c == nil is a guest, who is not a business customer.
func TaxDisplayFor(setting market.TaxDisplay, c *customer.Customer) TaxDisplay {
	if setting.ExcludesVAT(c != nil && c.Type.PricesExcludeVAT()) {
		return ExcludingVAT
	}
	return IncludingVAT
}

// Group is a group whose membership is in force.
type Group struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	// ValidUntil is the end of the membership's window (zero: none).
	ValidUntil time.Time `json:"valid_until,omitzero"`
	Refs       Refs      `json:"refs,omitzero"`
}

// Segment is a segment the customer is in.
type Segment struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	Refs Refs      `json:"refs,omitzero"`
}

// Reason says why access is denied. The zero value is not valid: it is
// the Reason of an Access that is allowed, which has none.
type Reason int

// The reasons, one per market access error.
const (
	ReasonNoMarket    Reason = iota + 1 // "no_market": market.ErrNoMarket
	ReasonDisabled                      // "disabled": market.ErrDisabled
	ReasonPrivate                       // "private": market.ErrPrivate
	ReasonNotMember                     // "not_member": market.ErrNotMember
	ReasonNotVerified                   // "not_verified": market.ErrNotVerified
	ReasonDenied                        // "denied": another market.ErrAccessDenied
)

var reasonNames = [...]string{
	ReasonNoMarket: "no_market", ReasonDisabled: "disabled", ReasonPrivate: "private",
	ReasonNotMember: "not_member", ReasonNotVerified: "not_verified", ReasonDenied: "denied",
}

// Reasons returns every valid Reason.
func Reasons() []Reason {
	return []Reason{ReasonNoMarket, ReasonDisabled, ReasonPrivate, ReasonNotMember, ReasonNotVerified, ReasonDenied}
}

// Valid reports whether r is one of the reasons.
func (r Reason) Valid() bool { return r >= ReasonNoMarket && r <= ReasonDenied }

// String returns the reason's name ("not_member"), or "Reason(n)".
func (r Reason) String() string {
	if r.Valid() {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// ParseReason returns the Reason named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "reason".
func ParseReason(s string) (Reason, error) {
	v, err := validation.Enum(ErrInvalid, "reason", s, reasonNames[:])
	return Reason(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid reason is an
// error.
func (r Reason) MarshalText() ([]byte, error) {
	if !r.Valid() {
		return nil, validation.New(ErrInvalid, "reason", "is not an access denial reason: %s", r)
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseReason; on
// error r is unchanged.
func (r *Reason) UnmarshalText(b []byte) error {
	v, err := ParseReason(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Access is whether the visitor may buy in the market and, when not, why.
type Access struct {
	Allowed bool `json:"allowed"`
	// Reason is why access is denied; when it is allowed, Reason is the
	// zero value (not a valid Reason) and the JSON form leaves it out.
	Reason Reason `json:"reason,omitzero"`
	// Message is the denial's error text.
	Message string `json:"message,omitempty"`
	// Err is the denial (errors.Is(Err, market.ErrAccessDenied)); not
	// part of the JSON form.
	Err error `json:"-"`
}

// AccessOf turns the result of market.Market.AccessWith into an Access:
// nil is allowed; a denial keeps its error and gets its Reason.
func AccessOf(err error) Access {
	if err == nil {
		return Access{Allowed: true}
	}
	a := Access{Reason: ReasonDenied, Message: err.Error(), Err: err}
	for _, r := range []struct {
		err    error
		reason Reason
	}{
		{market.ErrNoMarket, ReasonNoMarket}, {market.ErrDisabled, ReasonDisabled},
		{market.ErrPrivate, ReasonPrivate}, {market.ErrNotMember, ReasonNotMember},
		{market.ErrNotVerified, ReasonNotVerified},
	} {
		if errors.Is(err, r.err) {
			a.Reason = r.reason
			break
		}
	}
	return a
}

// Context is what a host's pricing, promotion and content engines need
// about a visitor in a market; see the package doc for its JSON form.
type Context struct {
	// At is the service clock's time the context was judged at (UTC).
	At time.Time `json:"at"`
	// CustomerID is uuid.Nil for a guest.
	CustomerID uuid.UUID `json:"customer_id,omitzero"`
	Guest      bool      `json:"guest"`
	// CustomerType, Company and VATID are the customer's (zero for a
	// guest).
	CustomerType customer.Type `json:"customer_type,omitzero"`
	Company      string        `json:"company,omitempty"`
	VATID        string        `json:"vat_id,omitempty"`
	TaxDisplay   TaxDisplay    `json:"tax_display"`

	MarketID          uuid.UUID        `json:"market_id"`
	MarketCode        string           `json:"market_code"`
	Currency          balance.Currency `json:"currency,omitzero"`
	PriceListRef      string           `json:"price_list_ref,omitempty"`
	InventoryModelRef string           `json:"inventory_model_ref,omitempty"`
	MerchantID        uuid.UUID        `json:"merchant_id"`
	MerchantName      string           `json:"merchant_name,omitempty"`

	// Groups are the groups whose memberships are in force at At,
	// ordered by ID, at most MaxGroups.
	Groups          []Group `json:"groups,omitempty"`
	GroupsTruncated bool    `json:"groups_truncated,omitempty"`
	// Segments are the segments the customer is in, in the segments'
	// (CreatedAt, ID) order, among the first MaxSegments.
	Segments          []Segment `json:"segments,omitempty"`
	SegmentsTruncated bool      `json:"segments_truncated,omitempty"`

	Access Access `json:"access"`
}

// PriceListRefs returns the price list references that apply, most
// specific first and without duplicates: the groups', the segments', then
// the market's.
func (c Context) PriceListRefs() []string {
	var out []string
	add := func(ref string) {
		if ref != "" && !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	for _, g := range c.Groups {
		add(g.Refs.PriceList)
	}
	for _, s := range c.Segments {
		add(s.Refs.PriceList)
	}
	add(c.PriceListRef)
	return out
}

// Build assembles a context from what the store read: the market m and
// its merchant's name, the customer (nil for a guest), the groups in force
// and the segments matched (ownership of the slices passes to the
// context), and the access decision (the result of m.AccessWith).
func Build(at time.Time, m market.Market, merchantName string, c *customer.Customer, groups []Group, segments []Segment, access error) Context {
	ctx := Context{
		At: at.UTC(), Guest: c == nil, TaxDisplay: TaxDisplayFor(m.TaxDisplay, c),
		MarketID: m.ID, MarketCode: m.Code, Currency: m.Currency, PriceListRef: m.PriceListRef,
		InventoryModelRef: m.InventoryModelRef, MerchantID: m.MerchantID, MerchantName: merchantName,
		Groups: groups, Segments: segments, Access: AccessOf(access),
	}
	if c != nil {
		ctx.CustomerID, ctx.CustomerType, ctx.Company, ctx.VATID = c.ID, c.Type, c.Company, c.VATID
	}
	return ctx
}
