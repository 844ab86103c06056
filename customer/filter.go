package customer

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Filter selects customers in a list. Every set field must match (AND);
// the zero Filter matches every live customer. Storage adapters expect a
// normalized Filter (see Normalize); the services normalize it for them.
type Filter struct {
	// Email matches the canonical email address exactly. Normalize
	// canonicalizes it, so any spelling of the address works; the
	// placeholder address of an erased customer (ErasedEmail) is accepted
	// as it is.
	Email string `json:"email,omitempty"`
	// Name matches when the name, case-folded and with white space
	// collapsed, is a substring of the customer's "first last" name folded
	// the same way (storage.SearchKey).
	Name string `json:"name,omitempty"`
	// GroupID, unless uuid.Nil, matches members of the group.
	GroupID uuid.UUID `json:"group_id,omitzero"`
	// GroupAt, with GroupID, matches only the members whose membership's
	// window (group.Validity) contains this time; the services set it to
	// their clock's now. Zero matches every member whatever the window.
	GroupAt time.Time `json:"group_at,omitzero"`
	// Status, State and Type match when non-zero.
	Status Status `json:"status,omitzero"`
	State  State  `json:"state,omitzero"`
	Type   Type   `json:"type,omitzero"`
	// Tags matches customers that carry every one of these tags; Normalize
	// puts them in their stored form.
	Tags []string `json:"tags,omitempty"`
	// HasAccount, when set, matches registered (true) or guest (false)
	// customers.
	HasAccount *bool `json:"has_account,omitempty"`
	// CreatedFrom and CreatedTo bound CreatedAt to [CreatedFrom, CreatedTo)
	// when non-zero.
	CreatedFrom time.Time `json:"created_from,omitzero"`
	CreatedTo   time.Time `json:"created_to,omitzero"`
	// IncludeDeleted also returns deleted and erased customers; by default
	// only live ones are listed.
	IncludeDeleted bool `json:"include_deleted,omitempty"`
}

// Normalize returns f with Email canonicalized and Tags in their stored
// form, as storage compares them. Errors: *ValidationError with Field
// "email" or "tags".
func (f Filter) Normalize() (Filter, error) {
	if f.Email != "" {
		if e := strings.ToLower(strings.TrimSpace(f.Email)); IsErasedEmail(e) {
			f.Email = e
		} else {
			canonical, err := CanonicalEmail(f.Email)
			if err != nil {
				return Filter{}, err
			}
			f.Email = canonical
		}
	}
	if len(f.Tags) > 0 {
		tags, err := NormalizeTags(f.Tags)
		if err != nil {
			return Filter{}, err
		}
		f.Tags = tags
	}
	return f, nil
}

// IsErasedEmail reports whether address is the placeholder that
// ErasedEmail gives an erased customer.
func IsErasedEmail(address string) bool {
	local, ok := strings.CutSuffix(address, "@"+ErasedEmailDomain)
	if !ok {
		return false
	}
	id, ok := strings.CutPrefix(local, "erased-")
	if !ok {
		return false
	}
	u, err := uuid.Parse(id)
	return err == nil && ErasedEmail(u).Address == address
}
