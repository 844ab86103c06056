package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
)

// MerchantRoles is the capability of keeping marketplace roles (on a Store
// and on a Tx, found with a type assertion): merchants' members, the
// operator's staff, vendors' own customers and the merchant owning a
// group. A store without it still works; the services then answer every
// vendor call with ErrUnsupported, and Groups.Create drops no owner since
// only the vendor services set one.
type MerchantRoles interface {
	Marketplace() Marketplace
}

// Marketplace stores marketplace roles (packages merchant and operator).
//
// The merchant's row is the lock of its members: every write of a
// membership locks it first (a locking read of the merchant), then reads
// the members it checks with locking reads, so that two writes of one
// merchant serialize and a merchant with an owner never loses its last
// one, however many removals race.
type Marketplace interface {
	// AddMember inserts m. Errors: ErrNotFound (merchant); an error
	// wrapping ErrCustomerNotLive; *ConflictError with
	// ConstraintMerchantMember when the customer is already a member;
	// *merchant.ValidationError.
	AddMember(ctx context.Context, m merchant.Member) (merchant.Member, error)
	// UpdateMember sets the member's role (UpdatedAt = now) and returns
	// the membership before and after; the same role writes nothing.
	// Errors: ErrNotFound (merchant or member); merchant.ErrLastOwner
	// when the merchant's last owner would be demoted, checked under the
	// merchant's lock.
	UpdateMember(ctx context.Context, merchantID, customerID uuid.UUID, role merchant.Role, now time.Time) (before, after merchant.Member, err error)
	// RemoveMember deletes the membership and returns it. Errors:
	// ErrNotFound; merchant.ErrLastOwner as UpdateMember.
	RemoveMember(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.Member, error)
	// Member returns one membership, or ErrNotFound. In a transaction it
	// reads with a shared lock.
	Member(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.Member, error)
	// Members lists the merchant's members ordered by (CreatedAt,
	// CustomerID). Errors: ErrInvalidCursor.
	Members(ctx context.Context, merchantID uuid.UUID, p PageRequest) (Page[merchant.Member], error)
	// MembershipsOf returns the customer's memberships, ordered by
	// (CreatedAt, MerchantID), at most MaxMemberships of them.
	MembershipsOf(ctx context.Context, customerID uuid.UUID) ([]merchant.Member, error)

	// PutOperator grants s (a new grant or a new role) and returns the
	// grant it replaced, if any. Errors: an error wrapping
	// ErrCustomerNotLive; *operator.ValidationError.
	PutOperator(ctx context.Context, s operator.Staff) (prev operator.Staff, existed bool, err error)
	// RemoveOperator revokes the customer's grant and returns it, or
	// ErrNotFound.
	RemoveOperator(ctx context.Context, customerID uuid.UUID) (operator.Staff, error)
	// Operator returns the customer's grant, or ErrNotFound.
	Operator(ctx context.Context, customerID uuid.UUID) (operator.Staff, error)
	// Operators lists the grants ordered by (Since, CustomerID). Errors:
	// ErrInvalidCursor.
	Operators(ctx context.Context, p PageRequest) (Page[operator.Staff], error)

	// RelateCustomer records that the customer is one of the vendor's own
	// customers. It is idempotent: when the relation exists it is
	// returned unchanged (its Since and Source kept) with created false.
	// Errors: ErrNotFound (merchant); an error wrapping
	// ErrCustomerNotLive; *merchant.ValidationError.
	RelateCustomer(ctx context.Context, r merchant.CustomerRelation) (out merchant.CustomerRelation, created bool, err error)
	// CustomerRelation returns the relation, or ErrNotFound.
	CustomerRelation(ctx context.Context, merchantID, customerID uuid.UUID) (merchant.CustomerRelation, error)
	// VendorCustomers lists the vendor's relations ordered by (Since,
	// CustomerID), one keyset page at a time (an index on (merchant,
	// since, customer): a page costs O(log n + size)). Errors:
	// ErrInvalidCursor.
	VendorCustomers(ctx context.Context, merchantID uuid.UUID, p PageRequest) (Page[merchant.CustomerRelation], error)

	// OwnedGroups lists the groups whose OwnerMerchantID is merchantID,
	// ordered by (CreatedAt, ID). Errors: ErrInvalidCursor.
	OwnedGroups(ctx context.Context, merchantID uuid.UUID, p PageRequest) (Page[group.Group], error)

	// MoveRoles moves every membership, vendor relation and operator grant
	// of the customer from to the customer to (a merge), and returns how
	// many records it moved or dropped. Where to already has one, the
	// stronger role and the earlier relation win, so a merge never takes
	// away an owner. to must be live (an error wrapping
	// ErrCustomerNotLive).
	MoveRoles(ctx context.Context, from, to uuid.UUID) (int, error)
	// DeleteRoles deletes every membership, vendor relation and operator
	// grant of the customer, who may be deleted (an erasure), and returns
	// how many it deleted. It may leave a merchant without an owner: an
	// operator admin appoints the next one.
	DeleteRoles(ctx context.Context, customerID uuid.UUID) (int, error)
}

// MaxMemberships is the most memberships MembershipsOf returns.
const MaxMemberships = 1000

// The cursors of Marketplace's lists.
const (
	ListMerchantMembers = "merchant_members"
	ListOperators       = "operators"
	ListVendorCustomers = "vendor_customers"
	ListOwnedGroups     = "owned_groups"
)

// ConstraintMerchantMember: the customer is already a member of the merchant.
const ConstraintMerchantMember Constraint = "merchant_member"

// NewMerchantMember prepares m for Marketplace.AddMember: microsecond UTC times,
// validated.
func NewMerchantMember(m merchant.Member) (merchant.Member, error) {
	m.CreatedAt, m.UpdatedAt = Micro(m.CreatedAt), Micro(m.UpdatedAt)
	return m, m.Validate()
}

// NewRelation prepares r for Marketplace.RelateCustomer.
func NewRelation(r merchant.CustomerRelation) (merchant.CustomerRelation, error) {
	r.Since = Micro(r.Since)
	return r, r.Validate()
}

// NewOperator prepares s for Marketplace.PutOperator.
func NewOperator(s operator.Staff) (operator.Staff, error) {
	s.Since = Micro(s.Since)
	return s, s.Validate()
}

// StrongerRole returns the stronger of two merchant roles (a merge keeps it).
func StrongerRole(a, b merchant.Role) merchant.Role {
	if a > b {
		return a
	}
	return b
}

// CheckOwners is the rule of UpdateMember and RemoveMember: a change of
// old to next (next.Role zero for a removal) is refused with
// merchant.ErrLastOwner when old is an owner, next is not, and owners (the
// merchant's owners, read under its lock) holds no other.
func CheckOwners(old merchant.Member, next merchant.Role, owners int) error {
	if old.Role == merchant.Owner && next != merchant.Owner && owners <= 1 {
		return merchant.ErrLastOwner
	}
	return nil
}
