package company

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// The errors of this package.
var (
	// ErrInvalid is the sentinel every validation error of this package
	// unwraps to.
	ErrInvalid = errcode.New(errcode.Invalid, "company: invalid input")
	// ErrNotFound: no such company, or the caller is not one of its
	// members (another company's data is not found, never denied), or no
	// such member or approval.
	ErrNotFound = errcode.New(errcode.NotFound, "company: not found")
	// ErrMemberExists: the customer is a member of the company already.
	ErrMemberExists = errcode.New(errcode.Conflict, "company: the customer is a member already")
	// ErrDomainTaken: an auto-join domain belongs to another company.
	ErrDomainTaken = errcode.New(errcode.Conflict, "company: the auto-join domain belongs to another company")
	// ErrLastAdmin: the change would leave the company without an admin.
	ErrLastAdmin = errcode.New(errcode.FailedPrecondition, "company: a company keeps at least one admin")
	// ErrForbidden: the member's role does not allow the call.
	ErrForbidden = errcode.New(errcode.Denied, "company: the member's role does not allow this")
	// ErrInvalidTransition: an approval that is not pending was decided
	// again.
	ErrInvalidTransition = errcode.New(errcode.FailedPrecondition, "company: the approval is not pending")
	// ErrSelfApproval: a buyer cannot approve their own order.
	ErrSelfApproval = errcode.New(errcode.Denied, "company: nobody approves their own order")
	// ErrOverApproverLimit: the order's amount exceeds the approver's own
	// per-order limit.
	ErrOverApproverLimit = errcode.New(errcode.Denied, "company: the amount exceeds the approver's own per-order limit")
	// ErrOrderDenied: Decide denied the order (see Decision.Reason).
	ErrOrderDenied = errcode.New(errcode.FailedPrecondition, "company: the order is denied")
)

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid)
// holds for it.
type ValidationError = validation.Error

func invalid(field, format string, args ...any) error {
	return validation.New(ErrInvalid, field, format, args...)
}

// Limits of the fields, in bytes unless said otherwise.
const (
	MaxNameLength         = 200
	MaxPriceListRefLength = 100
	MaxPaymentTermsDays   = 365
	MaxDomains            = 20
	MaxDomainLength       = 253
)

// Company is a B2B customer's organisation.
type Company struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	// TaxID is the VAT or tax ID, upper-case without spaces (like
	// customer.Customer.VATID), optional.
	TaxID           string          `json:"tax_id,omitempty"`
	BillingAddress  address.Address `json:"billing_address"`
	ShippingAddress address.Address `json:"shipping_address"`
	// PaymentTermsDays is the invoice due delay, 0..365 days.
	PaymentTermsDays int `json:"payment_terms_days"`
	// Currency is the currency of the credit limit and of the members'
	// limits.
	Currency balance.Currency `json:"currency"`
	// CreditLimit (>= 0, in Currency) is how far the company may buy on
	// account (see the package doc).
	CreditLimit balance.Money `json:"credit_limit"`
	// PriceListRef names the host's price list, optional.
	PriceListRef string `json:"price_list_ref,omitempty"`
	// TimeZone is an IANA time zone name ("Europe/Berlin"), "UTC" by
	// default: the periods of the members' limits start at its midnight.
	TimeZone string `json:"time_zone"`
	// AutoJoinDomains are verified email domains (IDNA A-labels, lower
	// case, sorted, unique); a domain belongs to at most one company.
	AutoJoinDomains []string `json:"auto_join_domains,omitempty"`
	// BillingCustomerID is the business customer record whose store-credit
	// account is the company's ledger (uuid.Nil when there is none).
	BillingCustomerID uuid.UUID         `json:"billing_customer_id,omitzero"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	Version           int64             `json:"version"`
}

// Params describe a new company. Its JSON names are those of Company.
type Params struct {
	Name             string          `json:"name"`
	TaxID            string          `json:"tax_id,omitempty"`
	BillingAddress   address.Address `json:"billing_address"`
	ShippingAddress  address.Address `json:"shipping_address"`
	PaymentTermsDays int             `json:"payment_terms_days,omitempty"`
	// CreditLimit is zero in Currency when its currency is zero.
	CreditLimit     balance.Money     `json:"credit_limit"`
	Currency        balance.Currency  `json:"currency"`
	PriceListRef    string            `json:"price_list_ref,omitempty"`
	TimeZone        string            `json:"time_zone,omitempty"`
	AutoJoinDomains []string          `json:"auto_join_domains,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
	// BillingEmail is the email of the company's billing customer (see
	// the package doc); the service requires it.
	BillingEmail string `json:"billing_email,omitempty"`
}

// New returns a validated company with ID id, created at now.
func New(id uuid.UUID, p Params, now time.Time) (Company, error) {
	if id == uuid.Nil {
		return Company{}, invalid("id", "is required")
	}
	now = now.UTC().Truncate(time.Microsecond)
	c := Company{
		ID:               id,
		Name:             strings.TrimSpace(p.Name),
		TaxID:            NormalizeTaxID(p.TaxID),
		BillingAddress:   p.BillingAddress.Normalize(),
		ShippingAddress:  p.ShippingAddress.Normalize(),
		PaymentTermsDays: p.PaymentTermsDays,
		Currency:         p.Currency,
		CreditLimit:      p.CreditLimit,
		PriceListRef:     strings.TrimSpace(p.PriceListRef),
		TimeZone:         strings.TrimSpace(p.TimeZone),
		Metadata:         validation.CloneMetadata(p.Metadata),
		CreatedAt:        now,
		UpdatedAt:        now,
		Version:          1,
	}
	if c.TimeZone == "" {
		c.TimeZone = "UTC"
	}
	if c.CreditLimit.Currency().IsZero() && !c.Currency.IsZero() {
		c.CreditLimit = balance.Zero(c.Currency)
	}
	domains, err := NormalizeDomains(p.AutoJoinDomains)
	if err != nil {
		return Company{}, err
	}
	c.AutoJoinDomains = domains
	return c, c.Validate()
}

// NormalizeTaxID trims, removes inner white space and upper-cases a tax ID.
func NormalizeTaxID(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// NormalizeDomain returns the canonical form of an email domain (or of an
// email address's domain): trimmed, lower case, IDNA A-labels, the form of
// customer.Email.Address's domain.
func NormalizeDomain(s string) (string, error) {
	s = strings.TrimSpace(s)
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[at+1:]
	}
	if s == "" || len(s) > MaxDomainLength {
		return "", invalid("auto_join_domains", "holds an empty or too long domain")
	}
	canon, err := customer.CanonicalEmail("x@" + s)
	if err != nil {
		return "", invalid("auto_join_domains", "holds an invalid domain %s", validation.QuoteInput(s))
	}
	return canon[strings.LastIndexByte(canon, '@')+1:], nil
}

// NormalizeDomains normalizes each domain, drops duplicates and sorts them.
func NormalizeDomains(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > MaxDomains {
		return nil, invalid("auto_join_domains", "holds more than %d domains", MaxDomains)
	}
	seen := make(map[string]bool, len(in))
	out := make([]string, 0, len(in))
	for _, d := range in {
		n, err := NormalizeDomain(d)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sortStrings(out)
	return out, nil
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Location returns the company's time zone (UTC when it does not load).
func (c Company) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate checks the invariants of a company.
func (c Company) Validate() error {
	if c.ID == uuid.Nil {
		return invalid("id", "is required")
	}
	if err := validation.Required(ErrInvalid, "name", c.Name, MaxNameLength); err != nil {
		return err
	}
	if c.TaxID != "" {
		if len(c.TaxID) > customer.MaxVATIDLength {
			return invalid("tax_id", "is longer than %d bytes", customer.MaxVATIDLength)
		}
		for i := 0; i < len(c.TaxID); i++ {
			b := c.TaxID[i]
			if !('A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '-' || b == '.' || b == '/') {
				return invalid("tax_id", "may only contain letters A-Z, digits and - . /")
			}
		}
	}
	if c.BillingAddress != (address.Address{}) {
		if err := c.BillingAddress.Validate(); err != nil {
			return validation.Prefix("billing_address", err)
		}
	}
	if c.ShippingAddress != (address.Address{}) {
		if err := c.ShippingAddress.Validate(); err != nil {
			return validation.Prefix("shipping_address", err)
		}
	}
	if c.PaymentTermsDays < 0 || c.PaymentTermsDays > MaxPaymentTermsDays {
		return invalid("payment_terms_days", "must be between 0 and %d", MaxPaymentTermsDays)
	}
	if c.Currency.IsZero() {
		return invalid("currency", "is required")
	}
	if c.CreditLimit.Currency() != c.Currency {
		return invalid("credit_limit", "must be in %s", c.Currency)
	}
	if c.CreditLimit.IsNegative() {
		return invalid("credit_limit", "must not be negative")
	}
	if err := validation.Text(ErrInvalid, "price_list_ref", c.PriceListRef, MaxPriceListRefLength, false); err != nil {
		return err
	}
	if c.TimeZone == "" || len(c.TimeZone) > 64 {
		return invalid("time_zone", "is required")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "Local" {
		return invalid("time_zone", "is not an IANA time zone: %s", validation.QuoteInput(c.TimeZone))
	}
	if len(c.AutoJoinDomains) > MaxDomains {
		return invalid("auto_join_domains", "holds more than %d domains", MaxDomains)
	}
	for i, d := range c.AutoJoinDomains {
		n, err := NormalizeDomain(d)
		if err != nil {
			return err
		}
		if n != d || (i > 0 && c.AutoJoinDomains[i-1] >= d) {
			return invalid("auto_join_domains", "must be normalized, sorted and unique")
		}
	}
	if err := validation.Metadata(ErrInvalid, "metadata", c.Metadata); err != nil {
		return err
	}
	if c.Version < 1 {
		return invalid("version", "must be positive")
	}
	return nil
}

// Clone returns a deep copy of c.
func (c Company) Clone() Company {
	c.AutoJoinDomains = append([]string(nil), c.AutoJoinDomains...)
	if len(c.AutoJoinDomains) == 0 {
		c.AutoJoinDomains = nil
	}
	c.Metadata = validation.CloneMetadata(c.Metadata)
	return c
}

// Stored returns c with microsecond UTC times, the form stores keep.
func (c Company) Stored() Company {
	c = c.Clone()
	c.CreatedAt = c.CreatedAt.UTC().Truncate(time.Microsecond)
	c.UpdatedAt = c.UpdatedAt.UTC().Truncate(time.Microsecond)
	return c
}

// Patch changes a company; nil fields are left as they are. The currency
// never changes (the members' limits are in it).
type Patch struct {
	Name             *string            `json:"name,omitempty"`
	TaxID            *string            `json:"tax_id,omitempty"`
	BillingAddress   *address.Address   `json:"billing_address,omitempty"`
	ShippingAddress  *address.Address   `json:"shipping_address,omitempty"`
	PaymentTermsDays *int               `json:"payment_terms_days,omitempty"`
	CreditLimit      *balance.Money     `json:"credit_limit,omitempty"`
	PriceListRef     *string            `json:"price_list_ref,omitempty"`
	TimeZone         *string            `json:"time_zone,omitempty"`
	AutoJoinDomains  *[]string          `json:"auto_join_domains,omitempty"`
	Metadata         map[string]*string `json:"metadata,omitempty"`
}

// Apply applies p to c at now and validates the result; c is unchanged on
// error.
func (p Patch) Apply(c *Company, now time.Time) error {
	n := c.Clone()
	if p.Name != nil {
		n.Name = strings.TrimSpace(*p.Name)
	}
	if p.TaxID != nil {
		n.TaxID = NormalizeTaxID(*p.TaxID)
	}
	if p.BillingAddress != nil {
		n.BillingAddress = p.BillingAddress.Normalize()
	}
	if p.ShippingAddress != nil {
		n.ShippingAddress = p.ShippingAddress.Normalize()
	}
	if p.PaymentTermsDays != nil {
		n.PaymentTermsDays = *p.PaymentTermsDays
	}
	if p.CreditLimit != nil {
		n.CreditLimit = *p.CreditLimit
	}
	if p.PriceListRef != nil {
		n.PriceListRef = strings.TrimSpace(*p.PriceListRef)
	}
	if p.TimeZone != nil {
		n.TimeZone = strings.TrimSpace(*p.TimeZone)
	}
	if p.AutoJoinDomains != nil {
		d, err := NormalizeDomains(*p.AutoJoinDomains)
		if err != nil {
			return err
		}
		n.AutoJoinDomains = d
	}
	if p.Metadata != nil {
		n.Metadata = validation.PatchMetadata(n.Metadata, p.Metadata)
	}
	if err := n.Validate(); err != nil {
		return err
	}
	n.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	*c = n
	return nil
}

// ErrEmailNotVerified: auto-join needs the customer's email to be verified.
var ErrEmailNotVerified = errcode.New(errcode.FailedPrecondition, "company: the customer's email is not verified")
