package customer

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrMerged is returned for a customer that was merged into another one
// (see Tombstone): as a *MergedError, which also unwraps to ErrNotFound, so
// that code treating a merged customer as gone keeps working.
var ErrMerged = errcode.New(errcode.NotFound, "customer: merged into another customer")

// ErrMergeRefused is returned when two customers may not be merged: a
// registered customer into a guest (the account would be lost), or a
// merge whose result breaks a limit (see MergeProfile).
var ErrMergeRefused = errcode.New(errcode.FailedPrecondition, "customer: merge refused")

// MergedError reports that the customer ID was merged into SurvivorID.
// errors.Is(err, ErrMerged) and errors.Is(err, ErrNotFound) hold for it.
type MergedError struct {
	ID         uuid.UUID
	SurvivorID uuid.UUID
}

// Error implements error.
func (e *MergedError) Error() string {
	return "customer: " + e.ID.String() + " was merged into " + e.SurvivorID.String()
}

// Is makes errors.Is match ErrMerged and ErrNotFound.
func (e *MergedError) Is(target error) bool { return target == ErrMerged || target == ErrNotFound }

// Tombstone records that one customer (MergedID) was merged into another
// (SurvivorID). The merged record stays, deleted, and the tombstone keeps
// what is needed to find the survivor from the merged customer's old ID,
// canonical email or external reference. When a survivor is merged in
// turn, the tombstones that pointed to it are moved to the new survivor,
// so a lookup needs one hop.
//
// Its JSON names are the tags below.
type Tombstone struct {
	MergedID   uuid.UUID `json:"merged_id"`
	SurvivorID uuid.UUID `json:"survivor_id"`
	// Email is the merged customer's canonical address at the merge, and
	// HasAccount its flag; ReferenceOrigin and Reference its external
	// reference (both empty when it had none). An erasure of either
	// customer clears them.
	Email           string `json:"email,omitempty"`
	HasAccount      bool   `json:"has_account"`
	ReferenceOrigin string `json:"reference_origin,omitempty"`
	Reference       string `json:"reference,omitempty"`
	// Actor is who merged (actor.Actor's string form).
	Actor    string    `json:"actor,omitempty"`
	MergedAt time.Time `json:"merged_at"`
}

// NewTombstone returns the tombstone of merging merged into survivor.
func NewTombstone(merged, survivor Customer, actorName string, now time.Time) Tombstone {
	return Tombstone{
		MergedID: merged.ID, SurvivorID: survivor.ID,
		Email: merged.Email.Address, HasAccount: merged.HasAccount,
		ReferenceOrigin: merged.ReferenceOrigin, Reference: merged.Reference,
		Actor: actorName, MergedAt: now.UTC(),
	}
}

// Validate checks a tombstone: both IDs set and different, a merge time,
// texts within the key limits.
func (t Tombstone) Validate() error {
	switch {
	case t.MergedID == uuid.Nil:
		return newError("merged_id", "is required")
	case t.SurvivorID == uuid.Nil:
		return newError("survivor_id", "is required")
	case t.MergedID == t.SurvivorID:
		return newError("survivor_id", "is the merged customer itself")
	case t.MergedAt.IsZero():
		return newError("merged_at", "is required")
	}
	for _, f := range []struct{ name, v string }{{"email", t.Email}, {"reference_origin", t.ReferenceOrigin},
		{"reference", t.Reference}, {"actor", t.Actor}} {
		if err := validation.Text(ErrInvalid, f.name, f.v, MaxReferenceLength, false); err != nil {
			return err
		}
	}
	return nil
}

// CheckMerge reports whether merged may be merged into survivor: two
// different customers, both live, and not a registered customer into a
// guest (the guest record has no account to keep the sign-in). Errors: a
// *ValidationError for the same ID; ErrNotFound (as a *MergedError when
// known by the caller) for a deleted customer; ErrMergeRefused.
func CheckMerge(merged, survivor Customer) error {
	switch {
	case merged.ID == survivor.ID:
		return newError("survivor_id", "is the customer to merge itself")
	case merged.IsDeleted() || survivor.IsDeleted():
		return ErrNotFound
	case merged.HasAccount && !survivor.HasAccount:
		return fmt.Errorf("%w: a registered customer cannot be merged into a guest", ErrMergeRefused)
	}
	return nil
}

// MergeProfile folds the profile of merged into c, the survivor, by this
// rule: the survivor's values win; each of its empty fields (first and last
// name, phone, company, VAT ID for a business customer, and the external
// reference when it has none) takes the merged customer's value; tags are
// the union; metadata keys the survivor lacks are added (the survivor's
// value wins on a shared key); the notes are joined, the survivor's first,
// separated by a blank line, unless equal. Email, type, account and state
// stay the survivor's. The result is validated: more than MaxTags tags,
// more than the metadata key limit or a note longer than its limit returns
// a *ValidationError (wrapping ErrMergeRefused too) and leaves c as it was.
//
// The merged customer must have released its reference first (be deleted)
// when the survivor takes it: the pair is unique among live customers.
func (c *Customer) MergeProfile(merged Customer, now time.Time) error {
	out := c.Clone()
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&out.FirstName, merged.FirstName)
	fill(&out.LastName, merged.LastName)
	fill(&out.Phone, merged.Phone)
	fill(&out.Company, merged.Company)
	if out.Type == TypeBusiness {
		fill(&out.VATID, merged.VATID)
	}
	if out.Reference == "" && merged.Reference != "" {
		out.Reference, out.ReferenceOrigin = merged.Reference, merged.ReferenceOrigin
	}
	if len(merged.Tags) > 0 {
		tags := slices.Concat(out.Tags, merged.Tags)
		slices.Sort(tags)
		out.Tags = slices.Compact(tags)
	}
	for k, v := range merged.Metadata {
		if _, ok := out.Metadata[k]; !ok {
			if out.Metadata == nil {
				out.Metadata = make(map[string]string, len(merged.Metadata))
			}
			out.Metadata[k] = v
		}
	}
	switch note := strings.TrimSpace(merged.Note); {
	case note == "" || note == strings.TrimSpace(out.Note):
	case out.Note == "":
		out.Note = merged.Note
	default:
		out.Note = out.Note + "\n\n" + merged.Note
	}
	if maps.Equal(out.Metadata, c.Metadata) && slices.Equal(out.Tags, c.Tags) && out.FirstName == c.FirstName &&
		out.LastName == c.LastName && out.Phone == c.Phone && out.Company == c.Company && out.VATID == c.VATID &&
		out.Reference == c.Reference && out.Note == c.Note {
		return nil
	}
	out.UpdatedAt = now.UTC()
	if err := out.Validate(); err != nil {
		return mergeRefused(err)
	}
	*c = out
	return nil
}

// mergeRefused makes the validation error of a merged profile also
// unwrap to ErrMergeRefused (errcode.Of reports a failed precondition:
// neither customer's input was wrong, their sum is).
func mergeRefused(err error) error {
	return fmt.Errorf("%w: %w", ErrMergeRefused, err)
}
