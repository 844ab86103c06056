package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
)

// MemberVersions is an optional capability of a Groups repository (found
// with a type assertion on what Groups() returns, on a Store and on a Tx):
// adding a member and reading the group's version, which the membership
// events carry, in one call, and in one statement where the engine can
// (the SQL adapter on PostgreSQL). Without it Groups.AddMembers reads the
// group before it adds its members.
type MemberVersions interface {
	// AddMemberVersion is Groups.AddMember that also returns the group's
	// Version, read under the lock the write takes on the group. The
	// version comes with a refusal of the customer too (an error wrapping
	// ErrCustomerNotLive), for the group exists; with ErrNotFound for the
	// group it is 0.
	AddMemberVersion(ctx context.Context, groupID, customerID uuid.UUID) (added bool, version int64, err error)
}

// TimedMemberships is an optional capability of a Groups repository (found
// with a type assertion on what Groups() returns, on a Store and on a Tx):
// memberships with a validity window (group.Validity, half-open
// [From, Until)). A repository without it holds only memberships without a
// window, for which Groups.MemberOf and the lists are already right; the
// services then answer the timed calls with an unsupported error.
//
// The time a membership is judged at is always the caller's (the
// services pass their clock), never the database's: the adapters compare
// stored microseconds with it, as
// (valid_from IS NULL OR valid_from <= at) AND (valid_until IS NULL OR valid_until > at).
// Groups.AddMember adds a membership without a window and leaves an
// existing membership's window as it is; Groups.MemberOf, and the lists
// whose filter leaves the time zero (group.Filter.MemberAt,
// customer.Filter.GroupAt), ignore windows.
type TimedMemberships interface {
	// AddMemberFor makes the customer a member of the group for the
	// window v, or sets an existing membership's window to v. It reports
	// whether the membership is new and, when it is not, the window it had
	// (the zero Validity when new). v must be valid and normalized
	// (group.Validity.Validate, Normalize). Errors: those of
	// Groups.AddMember; *group.ValidationError for an invalid v.
	AddMemberFor(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (added bool, before group.Validity, err error)

	// SetMemberValidity sets the window of an existing membership to v
	// (under the membership's lock) and returns the window it had.
	// Errors: ErrNotFound when the group does not exist or the customer is
	// not a member; *group.ValidationError for an invalid v.
	SetMemberValidity(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (before group.Validity, err error)

	// Membership returns the window of the customer's membership of the
	// group, whatever the time. Errors: ErrNotFound when there is none.
	Membership(ctx context.Context, groupID, customerID uuid.UUID) (group.Validity, error)

	// MemberOfAt is Groups.MemberOf counting only the memberships whose
	// window contains at.
	MemberOfAt(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID, at time.Time) ([]uuid.UUID, error)
}
