package customer

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "customer: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// Sentinel errors of the customer rules. Storage adapters and services
// return them (wrapped) when the rule is enforced outside this package.
var (
	// ErrInvalidTransition is returned (as a *TransitionError) when a state
	// change is not in the table documented on State.
	ErrInvalidTransition = errcode.New(errcode.FailedPrecondition, "customer: invalid state transition")
	// ErrNotFound reports that no customer matches.
	ErrNotFound = errcode.New(errcode.NotFound, "customer: not found")
	// ErrEmailTaken reports that another live customer with the same
	// account kind (registered or guest) already uses the canonical email.
	ErrEmailTaken = errcode.New(errcode.Conflict, "customer: email already taken")
	// ErrEmailConfusable reports that an address looks like the address of
	// another live registered customer (their EmailSkeleton keys are equal:
	// "ada@example.com" with a Cyrillic "а"), so that registering it would
	// make an account that passes for an existing one. It is not
	// ErrEmailTaken: the address itself is free.
	ErrEmailConfusable = errcode.New(errcode.Conflict, "customer: email looks like another customer's")
	// ErrReferenceTaken reports that another live customer already has the
	// same reference within the same reference origin.
	ErrReferenceTaken = errcode.New(errcode.Conflict, "customer: reference already taken")
	// ErrErased reports an attempt to change an erased customer.
	ErrErased = errcode.New(errcode.FailedPrecondition, "customer: customer is erased")
)

// Customer is a person or business who buys, or may buy, from the store. It
// is a value: methods with a pointer receiver change it in place and keep it
// valid; storage adapters store and return copies (see Clone).
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports. Note is internal: a host that shows the
// customer their own record should leave it out.
type Customer struct {
	// ID identifies the customer; never uuid.Nil.
	ID uuid.UUID `json:"id"`
	// Email is the customer's email address; Email.Address is unique per
	// HasAccount among live customers (enforced by storage). In JSON it is
	// the string the customer typed (see Email.MarshalText).
	Email Email `json:"email"`
	// HasAccount is true for a registered customer (invited, active or
	// disabled account) and false for a guest. It does not change: a guest
	// who registers gets a new, registered record.
	HasAccount bool `json:"has_account"`
	// HasPassword is true when the customer's credentials hold a password
	// (see package credential, where the hash lives). Only the accounts
	// service sets it, in the transaction that sets or removes the
	// password; only a customer with an account has one.
	HasPassword bool `json:"has_password"`
	// Status is the purchase lifecycle (prospect, acquired, repeat),
	// derived from OrderCount; it never moves back, with one documented
	// exception: a service configured not to count cancelled orders
	// (clientele.WithCancelledOrdersCount(false)) uncounts an order when it
	// is cancelled (UncountOrder), and Status follows OrderCount down. It
	// says nothing about
	// the account: that is State.
	Status Status `json:"status"`
	// State is the account's state (guest, invited, active, disabled,
	// erased), changed only by explicit actions along the table documented
	// on State. Orders never change it: that is Status.
	State State `json:"state"`
	// Type is private or business.
	Type Type `json:"type"`
	// FirstName and LastName are at most 100 bytes each.
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	// Phone is an E.164 number ("+49301234567") or "".
	Phone string `json:"phone,omitempty"`
	// Company is the company name, at most 200 bytes.
	Company string `json:"company,omitempty"`
	// VATID is the VAT identification number, upper-case without spaces,
	// at most 50 bytes; only business customers may have one.
	VATID string `json:"vat_id,omitempty"`
	// Note is an internal note, never shown to the customer; multi-line,
	// at most 5000 bytes.
	Note string `json:"note,omitempty"`
	// Tags is a normalized set (see NormalizeTags).
	Tags []string `json:"tags,omitempty"`
	// Metadata holds the host's own key-value data, within the limits of
	// validation.Metadata (50 keys, keys up to 40 characters, values up to
	// 500 characters, no control characters).
	Metadata map[string]string `json:"metadata,omitempty"`
	// Reference is an external ID from the system named by
	// ReferenceOrigin ("erp", "shopify"...). Both are at most 255 bytes and
	// are set together or not at all; the pair is unique among live
	// customers (enforced by storage).
	Reference       string `json:"reference,omitempty"`
	ReferenceOrigin string `json:"reference_origin,omitempty"`
	// OrderCount is the number of placed orders recorded (see RecordOrder).
	OrderCount int `json:"order_count"`
	// CreatedAt and UpdatedAt are UTC times; UpdatedAt changes with every
	// change made through this package.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// DeletedAt is set when the customer is deleted (soft delete) or
	// erased; a deleted customer is not live.
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	// Version is the optimistic-concurrency version. Storage adapters set
	// it to 1 on create and increment it on every write; this package never
	// changes it.
	Version int64 `json:"version"`
}

// Params holds the input for creating a customer. Strings are trimmed and
// normalized to NFC; Email is canonicalized by ParseEmail; Phone by
// NormalizePhone; Tags by NormalizeTags; VATID is upper-cased with white
// space removed. The zero Type means TypePrivate.
//
// Its JSON names are those of Customer; a request body decodes into it.
type Params struct {
	Email           string            `json:"email"`
	Type            Type              `json:"type,omitempty"`
	FirstName       string            `json:"first_name,omitempty"`
	LastName        string            `json:"last_name,omitempty"`
	Phone           string            `json:"phone,omitempty"`
	Company         string            `json:"company,omitempty"`
	VATID           string            `json:"vat_id,omitempty"`
	Note            string            `json:"note,omitempty"`
	Tags            []string          `json:"tags,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
	Reference       string            `json:"reference,omitempty"`
	ReferenceOrigin string            `json:"reference_origin,omitempty"`
}

// NewGuest returns a customer without an account (HasAccount false,
// StateGuest, StatusProspect), created at now. Errors are *ValidationError.
func NewGuest(id uuid.UUID, p Params, now time.Time) (Customer, error) {
	return newCustomer(id, p, now, false, StateGuest)
}

// NewRegistered returns a customer with an active account (HasAccount true,
// StateActive, StatusProspect), created at now. Errors are *ValidationError.
func NewRegistered(id uuid.UUID, p Params, now time.Time) (Customer, error) {
	return newCustomer(id, p, now, true, StateActive)
}

// NewInvited returns a customer with an account that still has to be
// activated (HasAccount true, StateInvited, StatusProspect), created at now.
// Errors are *ValidationError.
func NewInvited(id uuid.UUID, p Params, now time.Time) (Customer, error) {
	return newCustomer(id, p, now, true, StateInvited)
}

func newCustomer(id uuid.UUID, p Params, now time.Time, hasAccount bool, state State) (Customer, error) {
	if id == uuid.Nil {
		return Customer{}, newError("id", "is required")
	}
	email, err := ParseEmail(p.Email)
	if err != nil {
		return Customer{}, err
	}
	typ := p.Type
	if typ == 0 {
		typ = TypePrivate
	}
	if !typ.Valid() {
		return Customer{}, newError("type", "must be private or business")
	}
	phone, err := NormalizePhone(p.Phone)
	if err != nil {
		return Customer{}, err
	}
	tags, err := NormalizeTags(p.Tags)
	if err != nil {
		return Customer{}, err
	}
	now = now.UTC()
	c := Customer{
		ID:              id,
		Email:           email,
		HasAccount:      hasAccount,
		Status:          StatusProspect,
		State:           state,
		Type:            typ,
		FirstName:       textnorm.Clean(p.FirstName),
		LastName:        textnorm.Clean(p.LastName),
		Phone:           phone,
		Company:         textnorm.Clean(p.Company),
		VATID:           normalizeVATID(p.VATID),
		Note:            textnorm.Clean(p.Note),
		Tags:            tags,
		Metadata:        validation.CloneMetadata(p.Metadata),
		Reference:       textnorm.Clean(p.Reference),
		ReferenceOrigin: textnorm.Clean(p.ReferenceOrigin),
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	if err := c.Validate(); err != nil {
		return Customer{}, err
	}
	return c, nil
}

// Validate checks every invariant of a customer; storage adapters and
// services use it as a guard before writing. Besides the field rules of
// Params it checks that:
//
//   - ID is set and CreatedAt and UpdatedAt are not zero; Version >= 0;
//   - Email.Address is canonical, and Email.Display (when set) is a cleaned
//     spelling that canonicalizes to Email.Address;
//   - Status and Type are valid, OrderCount >= 0 and Status is the one
//     OrderCount implies (0 prospect, 1 acquired, 2+ repeat);
//   - State is valid and agrees with HasAccount (a guest has no account;
//     invited, active and disabled customers have one);
//   - only business customers have a VATID;
//   - Tags is a normalized set and Phone is E.164;
//   - an erased customer carries ErasedEmail(ID), no personal data and a
//     DeletedAt time.
//
// Errors are *ValidationError naming the first invalid field.
func (c Customer) Validate() error {
	if c.ID == uuid.Nil {
		return newError("id", "is required")
	}
	if err := c.validateEmail(); err != nil {
		return err
	}
	if !c.State.Valid() {
		return newError("state", "is invalid (%d)", int(c.State))
	}
	switch {
	case c.State == StateGuest && c.HasAccount:
		return newError("has_account", "must be false for a guest")
	case c.State.HasAccount() && !c.HasAccount:
		return newError("has_account", "must be true in state %s", c.State)
	case c.HasPassword && !c.HasAccount:
		return newError("has_password", "must be false for a customer without an account")
	case c.HasPassword && c.State == StateErased:
		return newError("has_password", "must be false for an erased customer")
	}
	if !c.Type.Valid() {
		return newError("type", "is invalid (%d)", int(c.Type))
	}
	if c.OrderCount < 0 {
		return newError("order_count", "must not be negative")
	}
	if !c.Status.Valid() {
		return newError("status", "is invalid (%d)", int(c.Status))
	}
	if want := StatusForOrders(c.OrderCount); c.Status != want {
		return newError("status", "is %s but %d orders make %s", c.Status, c.OrderCount, want)
	}
	if err := validateText("first_name", c.FirstName, MaxNameLength, false); err != nil {
		return err
	}
	if err := validateText("last_name", c.LastName, MaxNameLength, false); err != nil {
		return err
	}
	if c.Phone != "" {
		if p, err := NormalizePhone(c.Phone); err != nil {
			return err
		} else if p != c.Phone {
			return newError("phone", "is not in E.164 format")
		}
	}
	if err := validateText("company", c.Company, MaxCompanyLength, false); err != nil {
		return err
	}
	if c.VATID != "" {
		if c.Type != TypeBusiness {
			return newError("vat_id", "is only allowed for business customers")
		}
		if err := validateVATID(c.VATID); err != nil {
			return err
		}
	}
	if err := validateText("note", c.Note, MaxNoteLength, true); err != nil {
		return err
	}
	if err := validateTags(c.Tags); err != nil {
		return err
	}
	if err := validation.Metadata(ErrInvalid, "metadata", c.Metadata); err != nil {
		return err
	}
	if err := validateReference(c.Reference, c.ReferenceOrigin); err != nil {
		return err
	}
	if c.State == StateErased {
		if err := c.validateErased(); err != nil {
			return err
		}
	}
	switch {
	case c.CreatedAt.IsZero():
		return newError("created_at", "is required")
	case c.UpdatedAt.IsZero():
		return newError("updated_at", "is required")
	case c.DeletedAt != nil && c.DeletedAt.IsZero():
		return newError("deleted_at", "must not be the zero time")
	case c.Version < 0:
		return newError("version", "must not be negative")
	}
	return nil
}

func (c Customer) validateEmail() error {
	if c.Email.Address == "" {
		return newError(emailField, "is required")
	}
	erased := c.State == StateErased
	// A canonical address is a fixed point of canonicalization, so one pass
	// checks it (ParseEmail makes two, the second to prove that fixed point).
	canonical, err := canonicalizeEmail(c.Email.Address)
	if err != nil {
		return err
	}
	if canonical != c.Email.Address {
		return newError(emailField, "is not in canonical form")
	}
	if !erased {
		if _, domain, _ := strings.Cut(canonical, "@"); domain == ErasedEmailDomain {
			return newError(emailField, "uses the reserved domain %s", ErasedEmailDomain)
		}
	}
	if c.Email.Display != "" && c.Email.Display != c.Email.Address {
		d, err := parseEmail(c.Email.Display, erased)
		if err != nil {
			return err
		}
		if d.Address != c.Email.Address || d.Display != c.Email.Display {
			return newError(emailField, "display form does not match the address")
		}
	}
	return nil
}

func (c Customer) validateErased() error {
	if c.Email != ErasedEmail(c.ID) {
		return newError(emailField, "must be the erased placeholder for an erased customer")
	}
	pii := []struct {
		field string
		set   bool
	}{
		{"first_name", c.FirstName != ""},
		{"last_name", c.LastName != ""},
		{"phone", c.Phone != ""},
		{"company", c.Company != ""},
		{"vat_id", c.VATID != ""},
		{"note", c.Note != ""},
		{"tags", len(c.Tags) > 0},
		{"metadata", len(c.Metadata) > 0},
		{"reference", c.Reference != ""},
	}
	for _, f := range pii {
		if f.set {
			return newError(f.field, "must be empty for an erased customer")
		}
	}
	if c.DeletedAt == nil {
		return newError("deleted_at", "is required for an erased customer")
	}
	return nil
}

// Transition moves the account to state to, following the table documented
// on State, and sets UpdatedAt. A move the table does not allow returns a
// *TransitionError (errors.Is(err, ErrInvalidTransition)) and leaves c
// unchanged. Moving to StateErased is the same as calling Erase.
func (c *Customer) Transition(to State, now time.Time) error {
	if to == StateErased {
		return c.Erase(now)
	}
	if !c.State.CanTransition(to) {
		return &TransitionError{From: c.State, To: to}
	}
	c.State = to
	c.UpdatedAt = now.UTC()
	return nil
}

// Activate activates an invited account (invited → active). It is only
// valid from StateInvited: a disabled account is re-enabled with Enable, so
// that accepting an old invitation cannot undo a Disable.
func (c *Customer) Activate(now time.Time) error {
	if c.State != StateInvited {
		return &TransitionError{From: c.State, To: StateActive}
	}
	return c.Transition(StateActive, now)
}

// Disable switches an invited or active account off (→ disabled).
func (c *Customer) Disable(now time.Time) error {
	return c.Transition(StateDisabled, now)
}

// Enable switches a disabled account on again (disabled → active). It is
// only valid from StateDisabled.
func (c *Customer) Enable(now time.Time) error {
	if c.State != StateDisabled {
		return &TransitionError{From: c.State, To: StateActive}
	}
	return c.Transition(StateActive, now)
}

// RecordOrder records one placed order: OrderCount goes up by one and Status
// follows it (first order → acquired, second and later → repeat); Status
// never moves back. It sets UpdatedAt. Counting each order once is the
// caller's job (the order history makes it idempotent).
func (c *Customer) RecordOrder(now time.Time) {
	if c.OrderCount < math.MaxInt {
		c.OrderCount++
	}
	if s := StatusForOrders(c.OrderCount); s > c.Status {
		c.Status = s
	}
	c.UpdatedAt = now.UTC()
}

// UncountOrder takes back one counted order: OrderCount goes down by one
// (never below zero) and Status follows it, moving back if need be (repeat
// → acquired → prospect). It is the one move back of Status, used only
// when the service does not count cancelled orders and an order is
// cancelled. It sets UpdatedAt.
func (c *Customer) UncountOrder(now time.Time) {
	if c.OrderCount > 0 {
		c.OrderCount--
	}
	c.Status = StatusForOrders(c.OrderCount)
	c.UpdatedAt = now.UTC()
}

// PricesExcludeVAT reports whether prices are shown to the customer
// excluding VAT: true for business customers.
func (c Customer) PricesExcludeVAT() bool { return c.Type.PricesExcludeVAT() }

// IsDeleted reports whether the customer has been deleted or erased
// (DeletedAt is set). Deleted customers are not live: they do not hold their
// email or reference in the uniqueness rules.
func (c Customer) IsDeleted() bool { return c.DeletedAt != nil }

// MarkDeleted soft-deletes the customer: DeletedAt and UpdatedAt are set to
// now. The data is kept (use Erase to remove personal data). Deleting an
// already deleted customer changes nothing, so the first deletion time is
// kept.
func (c *Customer) MarkDeleted(now time.Time) {
	if c.DeletedAt != nil {
		return
	}
	t := now.UTC()
	c.DeletedAt = &t
	c.UpdatedAt = t
}

// Erase removes the customer's personal data, GDPR-style, and keeps only
// what is needed to account for past orders:
//
//   - State becomes StateErased (final);
//   - Email becomes the placeholder ErasedEmail(ID),
//     "erased-<id>@erased.invalid", which is unique, valid in form,
//     undeliverable and never accepted by ParseEmail for a live customer;
//   - FirstName, LastName, Phone, Company, VATID, Note, Tags, Metadata,
//     Reference and ReferenceOrigin are cleared (an external reference can
//     identify the person, so it goes too; a host that needs it must read it
//     before erasing);
//   - DeletedAt is set to now unless the customer was already deleted, and
//     UpdatedAt to now.
//
// HasPassword becomes false (the services delete the credentials with the
// erasure). ID, HasAccount, Type, Status, OrderCount, CreatedAt and Version
// are kept.
// Erasing follows the State table (any state but erased may be erased);
// erasing twice returns a *TransitionError and changes nothing.
func (c *Customer) Erase(now time.Time) error {
	if !c.State.CanTransition(StateErased) {
		return &TransitionError{From: c.State, To: StateErased}
	}
	now = now.UTC()
	c.State = StateErased
	c.HasPassword = false
	c.Email = ErasedEmail(c.ID)
	c.FirstName, c.LastName = "", ""
	c.Phone, c.Company, c.VATID, c.Note = "", "", "", ""
	c.Tags, c.Metadata = nil, nil
	c.Reference, c.ReferenceOrigin = "", ""
	if c.DeletedAt == nil {
		t := now
		c.DeletedAt = &t
	}
	c.UpdatedAt = now
	return nil
}

// Clone returns a deep copy of c: Tags, Metadata and DeletedAt are not
// shared (nil stays nil).
func (c Customer) Clone() Customer {
	out := c
	out.Tags = slices.Clone(c.Tags)
	out.Metadata = maps.Clone(c.Metadata)
	if c.DeletedAt != nil {
		t := *c.DeletedAt
		out.DeletedAt = &t
	}
	return out
}

// Name returns "FirstName LastName", or whichever of the two is set, or "".
func (c Customer) Name() string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Patch is a partial update for Apply. A nil field leaves the customer's
// value unchanged; a pointer to "" clears an optional field; Tags replaces
// the whole set (a pointer to an empty slice clears it); in Metadata a nil
// value deletes the key and a non-nil one sets it, and keys not named are
// kept. Values are normalized as in Params.
//
// Its JSON names are those of Customer. In JSON an absent member (or null)
// leaves the field unchanged and "" clears it; in "metadata" a key mapped to
// null is deleted.
type Patch struct {
	Email           *string            `json:"email,omitempty"`
	Type            *Type              `json:"type,omitempty"`
	FirstName       *string            `json:"first_name,omitempty"`
	LastName        *string            `json:"last_name,omitempty"`
	Phone           *string            `json:"phone,omitempty"`
	Company         *string            `json:"company,omitempty"`
	VATID           *string            `json:"vat_id,omitempty"`
	Note            *string            `json:"note,omitempty"`
	Tags            *[]string          `json:"tags,omitempty"`
	Metadata        map[string]*string `json:"metadata,omitempty"`
	Reference       *string            `json:"reference,omitempty"`
	ReferenceOrigin *string            `json:"reference_origin,omitempty"`
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool {
	return p.Email == nil && p.Type == nil && p.FirstName == nil && p.LastName == nil &&
		p.Phone == nil && p.Company == nil && p.VATID == nil && p.Note == nil &&
		p.Tags == nil && len(p.Metadata) == 0 && p.Reference == nil && p.ReferenceOrigin == nil
}

// Apply applies p to the customer and sets UpdatedAt to now; a patch that
// changes nothing (IsZero) leaves the customer as it is, UpdatedAt too, as
// group.Group.Apply does. The result is
// validated as a whole (so switching Type to private while a VATID is kept,
// or setting Reference without ReferenceOrigin, fails); on any error c is
// left unchanged. Apply does not change Version (storage does) and refuses
// to change an erased customer (ErrErased).
func (c *Customer) Apply(p Patch, now time.Time) error {
	if c.State == StateErased {
		return fmt.Errorf("%w: cannot apply changes", ErrErased)
	}
	if p.IsZero() {
		return nil
	}
	next := c.Clone()
	if p.Email != nil {
		e, err := ParseEmail(*p.Email)
		if err != nil {
			return err
		}
		next.Email = e
	}
	if p.Type != nil {
		if !p.Type.Valid() {
			return newError("type", "must be private or business")
		}
		next.Type = *p.Type
	}
	setText(&next.FirstName, p.FirstName)
	setText(&next.LastName, p.LastName)
	setText(&next.Company, p.Company)
	setText(&next.Note, p.Note)
	setText(&next.Reference, p.Reference)
	setText(&next.ReferenceOrigin, p.ReferenceOrigin)
	if p.VATID != nil {
		next.VATID = normalizeVATID(*p.VATID)
	}
	if p.Phone != nil {
		phone, err := NormalizePhone(*p.Phone)
		if err != nil {
			return err
		}
		next.Phone = phone
	}
	if p.Tags != nil {
		tags, err := NormalizeTags(*p.Tags)
		if err != nil {
			return err
		}
		next.Tags = tags
	}
	if len(p.Metadata) > 0 {
		next.Metadata = validation.PatchMetadata(next.Metadata, p.Metadata)
	}
	next.UpdatedAt = now.UTC()
	if err := next.Validate(); err != nil {
		return err
	}
	*c = next
	return nil
}

func setText(dst *string, v *string) {
	if v != nil {
		*dst = textnorm.Clean(*v)
	}
}
