package group

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/cases"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "group: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrNotFound is returned for a group that does not exist.
var ErrNotFound = errcode.New(errcode.NotFound, "group: not found")

// ErrNameTaken is returned when another group already has a name with the
// same NameKey.
var ErrNameTaken = errcode.New(errcode.Conflict, "group: name already taken")

// ErrInUse is returned when deleting a group that a market restricts access
// to; remove it from the market's access groups first.
var ErrInUse = errcode.New(errcode.FailedPrecondition, "group: group is in use")

// Limits of the group fields, in bytes.
const (
	MaxNameLength        = 100
	MaxDescriptionLength = 1000
)

// Group is a named segment of customers. The zero value is not valid: it has
// no ID and no name.
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports.
type Group struct {
	ID uuid.UUID `json:"id"`
	// Name is the display name, trimmed and in NFC; see NameKey for how it
	// is compared.
	Name string `json:"name"`
	// Description is free text; it may span several lines.
	Description string            `json:"description,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
	CreatedAt   time.Time         `json:"created_at"` // UTC
	UpdatedAt   time.Time         `json:"updated_at"` // UTC
	// Version is bumped by storage on every write, starting at 1.
	Version int64 `json:"version"`
	// OwnerMerchantID, unless uuid.Nil, is the merchant (vendor) that owns
	// the group: only its members see it through the vendor services. It
	// is set when the group is created and never changes; storage keeps it
	// with the storage.MerchantRoles capability.
	OwnerMerchantID uuid.UUID `json:"owner_merchant_id,omitzero"`
}

// Params describes a new group. Its JSON names are those of Group.
type Params struct {
	Name        string            `json:"name"`
	Description string            `json:"description,omitempty"`
	Metadata    map[string]string `json:"metadata,omitempty"`
}

// New returns a validated group made from p, created at now, as every
// domain constructor takes an ID, its Params and the time. Name and
// description are trimmed and put in NFC; the metadata map is copied.
func New(id uuid.UUID, p Params, now time.Time) (Group, error) {
	now = now.UTC()
	g := Group{
		ID:          id,
		Name:        textnorm.Clean(p.Name),
		Description: textnorm.Clean(p.Description),
		Metadata:    validation.CloneMetadata(p.Metadata),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
	if err := g.Validate(); err != nil {
		return Group{}, err
	}
	return g, nil
}

// NameKey returns the key under which name is unique: trimmed, in NFC, with
// every run of white space collapsed to a single space, case-folded with
// Unicode full case folding (golang.org/x/text/cases.Fold) and then
// lower-cased with strings.ToLower, and finally put in NFC again so that the
// key stays composed. "VIP", " vip " and "Vip" have the same key, and so have
// "Straße" and "STRASSE". The final lower-casing matters only for Cherokee,
// which cases.Fold maps in both directions; with it NameKey is idempotent:
// NameKey(NameKey(s)) == NameKey(s).
func NameKey(name string) string {
	s := strings.Join(strings.Fields(textnorm.NFC(name)), " ")
	// A Caser is stateful and not safe for concurrent use, so make one per call.
	return textnorm.NFC(strings.ToLower(cases.Fold().String(s)))
}

// Key returns the key under which storage keeps g's name unique:
// NameKey(g.Name) for a group no merchant owns, and the owner's ID, a unit
// separator (U+001F, which no name holds) and NameKey(g.Name) for a
// vendor's group. So names are unique per owner: two vendors may each have
// a "VIP" group, beside the operator's own "VIP", and a vendor learns
// nothing of the others' names.
func (g Group) Key() string {
	if g.OwnerMerchantID == uuid.Nil {
		return NameKey(g.Name)
	}
	return g.OwnerMerchantID.String() + "\x1f" + NameKey(g.Name)
}

// Validate checks g: a non-nil ID, a name of 1 to MaxNameLength bytes
// without control characters (and, while the module's x/text has its NFC
// bug, without a supplementary-plane character followed by a combining
// mark: see internal/textnorm), a description of at most MaxDescriptionLength
// bytes (newlines allowed) and valid metadata. Errors are *ValidationError.
func (g Group) Validate() error {
	if g.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if err := validation.Required(ErrInvalid, "name", g.Name, MaxNameLength); err != nil {
		return err
	}
	// The name decides identity through NameKey: refuse the rare names the
	// NFC guard would leave unnormalized (see internal/textnorm).
	if !textnorm.Normalizable(g.Name) || !textnorm.Normalizable(strings.ToLower(cases.Fold().String(g.Name))) {
		return validation.New(ErrInvalid, "name", "holds a character beyond the Basic Multilingual Plane followed by a combining mark, which cannot be normalized safely")
	}
	if err := validation.Text(ErrInvalid, "description", g.Description, MaxDescriptionLength, true); err != nil {
		return err
	}
	return validation.Metadata(ErrInvalid, "metadata", g.Metadata)
}

// Rename sets the name (trimmed, NFC) and UpdatedAt. On error g is unchanged.
// Uniqueness is checked by storage, which returns ErrNameTaken.
func (g *Group) Rename(name string, now time.Time) error {
	return g.Apply(Patch{Name: &name}, now)
}

// SetDescription sets the description (trimmed, NFC) and UpdatedAt. On error
// g is unchanged.
func (g *Group) SetDescription(d string, now time.Time) error {
	return g.Apply(Patch{Description: &d}, now)
}

// Patch changes some fields of a group. A nil field is left unchanged. In
// Metadata, a key mapped to nil is deleted and any other key is set; a nil
// map leaves the metadata unchanged. Its JSON names are those of Group.
type Patch struct {
	Name        *string            `json:"name,omitempty"`
	Description *string            `json:"description,omitempty"`
	Metadata    map[string]*string `json:"metadata,omitempty"`
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool {
	return p.Name == nil && p.Description == nil && len(p.Metadata) == 0
}

// Apply applies p, revalidates the result and sets UpdatedAt to now. A zero
// patch changes nothing. On error g is unchanged.
func (g *Group) Apply(p Patch, now time.Time) error {
	if p.IsZero() {
		return nil
	}
	next := g.Clone()
	if p.Name != nil {
		next.Name = textnorm.Clean(*p.Name)
	}
	if p.Description != nil {
		next.Description = textnorm.Clean(*p.Description)
	}
	if p.Metadata != nil {
		next.Metadata = validation.PatchMetadata(next.Metadata, p.Metadata)
	}
	if err := next.Validate(); err != nil {
		return err
	}
	next.UpdatedAt = now.UTC()
	*g = next
	return nil
}

// Clone returns a deep copy of g.
func (g Group) Clone() Group {
	g.Metadata = validation.CloneMetadata(g.Metadata)
	return g
}

// Filter selects groups in a list.
type Filter struct {
	// MemberID, unless uuid.Nil, lists the groups this customer belongs to.
	MemberID uuid.UUID `json:"member_id,omitzero"`
	// MemberAt, with MemberID, lists only the memberships whose Validity
	// contains this time (the services pass their clock's now); zero lists
	// every membership whatever its window.
	MemberAt time.Time `json:"member_at,omitzero"`
}
