package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
)

// Companies is the capability of keeping B2B company accounts (package
// company) on a Store and on a Tx, found with a type assertion. A store
// without it still works; the services then answer every company call
// with ErrUnsupported.
type Companies interface {
	CompanyRecords() CompanyRecords
}

// CompanyRecords stores companies, their members, the members' period
// spend reservations and the approvals of orders.
//
// Locks: a member's row is the lock of the member's spend. LockMember
// writes it (so that, at PostgreSQL's SERIALIZABLE, two transactions that
// lock it conflict on a common row and one is retried) and Spent, in a
// transaction, reads the reservations with a locking read; so two
// transactions that each lock the member, read the spend and Reserve
// serialize, and the second sees the first's reservation. The company's
// row is the lock of its member list (LockCompany, then Members in the
// same transaction), which changes of roles take to keep an admin.
type CompanyRecords interface {
	// Create inserts c (Version 1) and its auto-join domains. Errors:
	// *ConflictError with ConstraintPrimaryKey (the ID is taken) or
	// ConstraintCompanyDomain (a domain belongs to another company).
	Create(ctx context.Context, c company.Company) (company.Company, error)
	// Get returns the company, or ErrNotFound.
	Get(ctx context.Context, id uuid.UUID) (company.Company, error)
	// LockCompany reads the company with a locking read in a transaction.
	LockCompany(ctx context.Context, id uuid.UUID) (company.Company, error)
	// Update locks the company, calls fn on a copy and stores the result
	// with Version incremented, keeping ID, Currency and CreatedAt; nothing
	// is written when fn fails. Errors: ErrNotFound, ConstraintCompanyDomain.
	Update(ctx context.Context, id uuid.UUID, fn func(*company.Company) error) (company.Company, error)
	// ByDomain returns the company that lists the normalized domain, or
	// ErrNotFound.
	ByDomain(ctx context.Context, domain string) (company.Company, error)
	// ByBillingCustomer returns the company whose billing customer (the
	// record holding its store credit) is customerID, or ErrNotFound.
	ByBillingCustomer(ctx context.Context, customerID uuid.UUID) (company.Company, error)

	// AddMember inserts m (Version 1). The company must exist
	// (ErrNotFound) and the customer be live (an error wrapping
	// ErrCustomerNotLive, checked under the customer's lock). Errors:
	// *ConflictError with ConstraintCompanyMember when the customer is a
	// member already.
	AddMember(ctx context.Context, m company.Member) (company.Member, error)
	// Member returns the membership, or ErrNotFound.
	Member(ctx context.Context, companyID, customerID uuid.UUID) (company.Member, error)
	// LockMember locks the member's row for writing (it writes it) in a
	// transaction and returns it; ErrNotFound when absent.
	LockMember(ctx context.Context, companyID, customerID uuid.UUID) (company.Member, error)
	// UpdateMember locks the membership, calls fn on a copy and stores the
	// result with Version incremented, keeping the IDs and Joined.
	UpdateMember(ctx context.Context, companyID, customerID uuid.UUID, fn func(*company.Member) error) (company.Member, error)
	// RemoveMember deletes the membership; ErrNotFound when absent.
	RemoveMember(ctx context.Context, companyID, customerID uuid.UUID) error
	// Members returns the company's members ordered by (Joined,
	// CustomerID); in a transaction with a locking read.
	Members(ctx context.Context, companyID uuid.UUID) ([]company.Member, error)
	// CompaniesOf returns the customer's memberships ordered by (Joined,
	// CompanyID).
	CompaniesOf(ctx context.Context, customerID uuid.UUID) ([]company.Member, error)

	// Spent sums the member's reservations in currency c whose At is in
	// [start, end); in a transaction with a locking read (see above).
	Spent(ctx context.Context, companyID, customerID uuid.UUID, c balance.Currency, start, end time.Time) (balance.Money, error)
	// Reserve stores r. Errors: *ConflictError with
	// ConstraintReservationOrder when the order holds a reservation.
	Reserve(ctx context.Context, r company.Reservation) error
	// Reservation returns the order's reservation, or ErrNotFound.
	Reservation(ctx context.Context, orderID string) (company.Reservation, error)
	// Release deletes the order's reservation and returns it; ok is false
	// when there was none.
	Release(ctx context.Context, orderID string) (r company.Reservation, ok bool, err error)

	// CreateApproval inserts a (Version 1). Errors: *ConflictError with
	// ConstraintPrimaryKey or ConstraintApprovalOrder (one approval per
	// order).
	CreateApproval(ctx context.Context, a company.Approval) (company.Approval, error)
	// Approval returns the approval, or ErrNotFound.
	Approval(ctx context.Context, id uuid.UUID) (company.Approval, error)
	// ApprovalByOrder returns the approval of the host's order, or
	// ErrNotFound.
	ApprovalByOrder(ctx context.Context, orderID string) (company.Approval, error)
	// UpdateApproval locks the approval, calls fn on a copy and stores the
	// result with Version incremented, keeping ID, CompanyID, OrderID,
	// BuyerID, Amount and CreatedAt.
	UpdateApproval(ctx context.Context, id uuid.UUID, fn func(*company.Approval) error) (company.Approval, error)
	// PendingApprovals returns the company's pending approvals ordered by
	// (CreatedAt, ID).
	PendingApprovals(ctx context.Context, companyID uuid.UUID) ([]company.Approval, error)
}

// The constraints of companies.
const (
	// ConstraintCompanyDomain: an auto-join domain belongs to another
	// company.
	ConstraintCompanyDomain Constraint = "company_domain"
	// ConstraintCompanyMember: the customer is a member of the company.
	ConstraintCompanyMember Constraint = "company_member"
	// ConstraintReservationOrder: the order holds a reservation.
	ConstraintReservationOrder Constraint = "company_reservation_order"
	// ConstraintApprovalOrder: the order has an approval.
	ConstraintApprovalOrder Constraint = "company_approval_order"
)

// NewCompany prepares c for CompanyRecords.Create: a copy with microsecond
// UTC times and Version 1, validated.
func NewCompany(c company.Company) (company.Company, error) {
	c = c.Stored()
	c.Version = 1
	return c, c.Validate()
}

// UpdateCompany is the updater prologue of CompanyRecords.Update.
func UpdateCompany(old company.Company, fn func(*company.Company) error) (company.Company, error) {
	return update(old, fn, company.Company.Clone, func(old company.Company, c *company.Company) {
		*c = c.Stored()
		c.ID, c.Currency, c.CreatedAt = old.ID, old.Currency, old.CreatedAt
		c.Version = old.Version + 1
	}, company.Company.Validate)
}

// NewCompanyMember prepares m for CompanyRecords.AddMember.
func NewCompanyMember(m company.Member) (company.Member, error) {
	m = m.Clone()
	m.Joined, m.UpdatedAt, m.Version = Micro(m.Joined), Micro(m.UpdatedAt), 1
	return m, validMember(m)
}

func validMember(m company.Member) error {
	c := balance.Currency{}
	if m.Limits.PerOrder != nil {
		c = m.Limits.PerOrder.Currency()
	} else if m.Limits.Period != nil {
		c = m.Limits.Period.Amount.Currency()
	}
	return m.Validate(c)
}

// UpdateMember is the updater prologue of CompanyRecords.UpdateMember.
func UpdateMember(old company.Member, fn func(*company.Member) error) (company.Member, error) {
	return update(old, fn, company.Member.Clone, func(old company.Member, m *company.Member) {
		m.CompanyID, m.CustomerID, m.Joined = old.CompanyID, old.CustomerID, old.Joined
		m.UpdatedAt = Micro(m.UpdatedAt)
		m.Version = old.Version + 1
	}, validMember)
}

// NewApproval prepares a for CompanyRecords.CreateApproval.
func NewApproval(a company.Approval) (company.Approval, error) {
	a = a.Clone()
	a.CreatedAt, a.UpdatedAt, a.DecidedAt, a.Version = Micro(a.CreatedAt), Micro(a.UpdatedAt), microPtr(a.DecidedAt), 1
	return a, a.Validate()
}

// UpdateApproval is the updater prologue of CompanyRecords.UpdateApproval.
func UpdateApproval(old company.Approval, fn func(*company.Approval) error) (company.Approval, error) {
	return update(old, fn, company.Approval.Clone, func(old company.Approval, a *company.Approval) {
		a.ID, a.CompanyID, a.OrderID, a.BuyerID, a.Amount, a.CreatedAt = old.ID, old.CompanyID, old.OrderID, old.BuyerID, old.Amount, old.CreatedAt
		a.UpdatedAt, a.DecidedAt = Micro(a.UpdatedAt), microPtr(a.DecidedAt)
		a.Version = old.Version + 1
	}, company.Approval.Validate)
}
