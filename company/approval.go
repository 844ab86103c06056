package company

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/internal/validation"
)

// ApprovalStatus is an approval's state. The zero value is not valid.
type ApprovalStatus int

// The approval statuses.
const (
	Pending ApprovalStatus = iota + 1
	Approved
	Rejected
)

var approvalStatusNames = [...]string{Pending: "pending", Approved: "approved", Rejected: "rejected"}

// ApprovalStatuses returns every valid ApprovalStatus.
func ApprovalStatuses() []ApprovalStatus { return []ApprovalStatus{Pending, Approved, Rejected} }

// Valid reports whether s is one of the statuses.
func (s ApprovalStatus) Valid() bool { return s >= Pending && s <= Rejected }

// String returns the status's name ("pending"), or "ApprovalStatus(n)".
func (s ApprovalStatus) String() string {
	if s.Valid() {
		return approvalStatusNames[s]
	}
	return fmt.Sprintf("ApprovalStatus(%d)", int(s))
}

// ParseApprovalStatus returns the status named s; white space is trimmed
// and case folded. The error is a *ValidationError for the field "status".
func ParseApprovalStatus(s string) (ApprovalStatus, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, approvalStatusNames[:])
	return ApprovalStatus(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid status is an
// error.
func (s ApprovalStatus) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("status", "is not an approval status: %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseApprovalStatus; on error s is unchanged.
func (s *ApprovalStatus) UnmarshalText(b []byte) error {
	v, err := ParseApprovalStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// CanTransition reports whether s may move to to: only a pending approval
// moves, to approved or rejected.
func (s ApprovalStatus) CanTransition(to ApprovalStatus) bool {
	return s == Pending && (to == Approved || to == Rejected)
}

// MaxReasonLength is the longest approval reason, in bytes.
const MaxReasonLength = 500

// MaxOrderIDLength is the longest host order ID, in bytes (as
// order.MaxIDLength).
const MaxOrderIDLength = 100

// Approval is a buyer's order waiting for (or given) an approver's decision.
type Approval struct {
	ID        uuid.UUID `json:"id"`
	CompanyID uuid.UUID `json:"company_id"`
	// OrderID is the host's order ID; one approval per order.
	OrderID string         `json:"order_id"`
	BuyerID uuid.UUID      `json:"buyer_id"`
	Amount  balance.Money  `json:"amount"`
	Status  ApprovalStatus `json:"status"`
	// Reason is why it was needed, then the approver's note.
	Reason     string     `json:"reason,omitempty"`
	ApproverID uuid.UUID  `json:"approver_id,omitzero"`
	DecidedAt  *time.Time `json:"decided_at,omitempty"`
	// Order is the order to record once approved, as the host sent it
	// (JSON of order.Params); the domain does not read it.
	Order     []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// NewApproval returns a pending approval of buyer's order, created at now.
func NewApproval(id, companyID uuid.UUID, orderID string, buyer uuid.UUID, amount balance.Money, reason string, now time.Time) (Approval, error) {
	now = now.UTC().Truncate(time.Microsecond)
	a := Approval{ID: id, CompanyID: companyID, OrderID: orderID, BuyerID: buyer, Amount: amount, Status: Pending,
		Reason: strings.TrimSpace(reason), CreatedAt: now, UpdatedAt: now, Version: 1}
	return a, a.Validate()
}

// Validate checks the approval's invariants.
func (a Approval) Validate() error {
	switch {
	case a.ID == uuid.Nil:
		return invalid("id", "is required")
	case a.CompanyID == uuid.Nil:
		return invalid("company_id", "is required")
	case a.BuyerID == uuid.Nil:
		return invalid("buyer_id", "is required")
	case a.Amount.Currency().IsZero() || a.Amount.IsNegative():
		return invalid("amount", "must be a non-negative amount")
	case !a.Status.Valid():
		return invalid("status", "is not an approval status")
	case (a.Status == Pending) != (a.DecidedAt == nil):
		return invalid("decided_at", "is set once decided, and only then")
	case a.Status != Pending && a.ApproverID == uuid.Nil:
		return invalid("approver_id", "is required once decided")
	}
	if err := validation.Required(ErrInvalid, "order_id", a.OrderID, MaxOrderIDLength); err != nil {
		return err
	}
	return validation.Text(ErrInvalid, "reason", a.Reason, MaxReasonLength, true)
}

// Clone returns a deep copy of a.
func (a Approval) Clone() Approval {
	if a.DecidedAt != nil {
		t := *a.DecidedAt
		a.DecidedAt = &t
	}
	a.Order = append([]byte(nil), a.Order...)
	if len(a.Order) == 0 {
		a.Order = nil
	}
	return a
}

// CanApprove checks that approver may decide a: a member of a's company
// whose role approves, who is not its buyer, and (to approve) whose own
// PerOrder limit, if any, covers the amount. Errors: ErrForbidden,
// ErrSelfApproval, ErrOverApproverLimit.
func CanApprove(approver Member, a Approval, approve bool) error {
	switch {
	case approver.CompanyID != a.CompanyID || !approver.Role.CanApprove():
		return ErrForbidden
	case approver.CustomerID == a.BuyerID:
		return ErrSelfApproval
	case approve && approver.Limits.PerOrder != nil && a.Amount.MinorUnits() > approver.Limits.PerOrder.MinorUnits():
		return ErrOverApproverLimit
	}
	return nil
}

// Decide moves a pending approval to approved (approve) or rejected, by
// approver, at now, with an optional note that replaces Reason when not
// empty. Errors: ErrInvalidTransition when a is not pending, and those of
// CanApprove; a is unchanged on error.
func (a *Approval) Decide(approver Member, approve bool, note string, now time.Time) error {
	to := Rejected
	if approve {
		to = Approved
	}
	if !a.Status.CanTransition(to) {
		return fmt.Errorf("%w: it is %s", ErrInvalidTransition, a.Status)
	}
	if err := CanApprove(approver, *a, approve); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if err := validation.Text(ErrInvalid, "reason", note, MaxReasonLength, true); err != nil {
		return err
	}
	now = now.UTC().Truncate(time.Microsecond)
	a.Status, a.ApproverID, a.DecidedAt, a.UpdatedAt = to, approver.CustomerID, &now, now
	if note != "" {
		a.Reason = note
	}
	return nil
}
