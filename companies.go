package clientele

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// Companies manages B2B company accounts (package company): companies,
// their members with roles and spending limits, orders placed within the
// limits or sent for approval, and paying on account.
//
// Every call names the acting customer (actingID). A customer who is not a
// member of the company gets company.ErrNotFound, as for a company that
// does not exist: another company's data is not found, never denied. A
// member whose role does not allow the call gets company.ErrForbidden.
// Staff, apps and the system act with actingID uuid.Nil and an actor of
// theirs in ctx (actor.NewContext or WithActor, as for Orders.Claim): they
// may create and manage any company without being a member
// (ErrActorRequired without one).
//
// The company's credit on account is the store credit of its billing
// customer, a business guest record Create makes (see package company):
// its account's CreditLimit is the company's, so PayOnAccount never takes
// the balance below -CreditLimit (balance.ErrInsufficientFunds).
//
// It needs a store with the storage.Companies capability (every adapter of
// this module has it); on another store every call returns ErrUnsupported.
type Companies struct{ *env }

// companyRepo returns the company repository of r, or ErrUnsupported.
func companyRepo(r any) (storage.CompanyRecords, error) {
	c, ok := r.(storage.Companies)
	if !ok {
		return nil, fmt.Errorf("%w: companies need the storage.Companies capability (%T)", ErrUnsupported, r)
	}
	return c.CompanyRecords(), nil
}

// mapCompanyErr maps storage errors of a company call to the sentinels of
// package company.
func mapCompanyErr(err error) error {
	err = conflict(err, storage.ConstraintCompanyDomain, company.ErrDomainTaken)
	err = conflict(err, storage.ConstraintCompanyMember, company.ErrMemberExists)
	return notFound(err, company.ErrNotFound)
}

// staffActing reports whether the call acts as staff: actingID is
// uuid.Nil, which needs a staff, app or system actor named in ctx.
func staffActing(ctx context.Context, actingID uuid.UUID) (bool, error) {
	if actingID != uuid.Nil {
		return false, nil
	}
	who, ok := actor.Lookup(ctx)
	if !ok || who.Kind == actor.KindCustomer || who.ID == "" {
		return false, ErrActorRequired
	}
	return true, nil
}

// acting returns the acting member of the company through r, or, for
// staff, a member without ID whose role is admin. A customer who is not a
// member gets company.ErrNotFound; one whose role is not among roles (when
// given), company.ErrForbidden.
func (s *Companies) acting(ctx context.Context, r storage.CompanyRecords, actingID, companyID uuid.UUID, roles ...company.Role) (company.Member, error) {
	staff, err := staffActing(ctx, actingID)
	if err != nil {
		return company.Member{}, err
	}
	if staff {
		if _, err := r.Get(ctx, companyID); err != nil {
			return company.Member{}, mapCompanyErr(err)
		}
		return company.Member{CompanyID: companyID, Role: company.RoleAdmin}, nil
	}
	m, err := r.Member(ctx, companyID, actingID)
	if err != nil {
		return company.Member{}, mapCompanyErr(err)
	}
	if len(roles) > 0 {
		for _, role := range roles {
			if m.Role == role {
				return m, nil
			}
		}
		return company.Member{}, company.ErrForbidden
	}
	return m, nil
}

// registered returns the live registered customer id through r, or
// customer.ErrNotFound.
func registered(ctx context.Context, r storage.Repositories, id uuid.UUID) (customer.Customer, error) {
	c, err := liveCustomer(ctx, r, id)
	if err != nil {
		return customer.Customer{}, err
	}
	if !c.HasAccount {
		return customer.Customer{}, fmt.Errorf("%w: customer %v is a guest", customer.ErrNotFound, id)
	}
	return c, nil
}

func (e *env) emitCompany(ctx context.Context, r storage.Repositories, t event.Type, customerID uuid.UUID, before *company.Company, c company.Company) error {
	p := event.CompanyPayload{Company: c}
	if before != nil {
		p.Changes = diff(*before, c)
	}
	return e.emitOne(ctx, r, t, event.AggregateCompany, c.ID.String(), customerID, c.Version, p)
}

func (e *env) emitMember(ctx context.Context, r storage.Repositories, t event.Type, before *company.Member, m company.Member) error {
	p := event.CompanyMemberPayload{Member: m}
	if before != nil {
		p.Changes = diff(*before, m)
	}
	return e.emitOne(ctx, r, t, event.AggregateCompany, m.CompanyID.String(), m.CustomerID, 0, p)
}

func (e *env) emitApproval(ctx context.Context, r storage.Repositories, t event.Type, a company.Approval) error {
	return e.emitOne(ctx, r, t, event.AggregateCompany, a.CompanyID.String(), a.BuyerID, 0, event.CompanyApprovalPayload{Approval: a})
}

// Create creates a company with its billing customer (a business guest
// record with p.BillingEmail, the company's name and tax ID) whose
// store-credit account's credit limit is p.CreditLimit. A registered
// customer acting becomes its first admin; staff (actingID uuid.Nil) create
// it without members, and add the first admin with AddMember. Errors:
// *company.ValidationError (company.ErrInvalid, also for a missing billing
// email), company.ErrDomainTaken, customer.ErrEmailTaken when a guest
// record has the billing email, customer.ErrNotFound for an acting
// customer who is not registered, ErrActorRequired, ErrUnsupported.
func (s *Companies) Create(ctx context.Context, actingID uuid.UUID, p company.Params) (company.Company, error) {
	if _, err := companyRepo(s.store); err != nil {
		return company.Company{}, err
	}
	staff, err := staffActing(ctx, actingID)
	if err != nil {
		return company.Company{}, err
	}
	now := s.clock()
	c, err := company.New(s.newID(), p, now)
	if err != nil {
		return company.Company{}, err
	}
	if p.BillingEmail == "" {
		return company.Company{}, &company.ValidationError{Field: "billing_email", Reason: "is required", Err: company.ErrInvalid}
	}
	billing, err := customer.NewGuest(s.newID(), customer.Params{Email: p.BillingEmail, Type: customer.TypeBusiness,
		Company: c.Name, VATID: c.TaxID}, now)
	if err != nil {
		return company.Company{}, err
	}
	c.BillingCustomerID = billing.ID
	var out company.Company
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		if !staff {
			if _, err := registered(ctx, tx, actingID); err != nil {
				return err
			}
		}
		b, err := tx.Customers().Create(ctx, billing)
		if storage.IsConflict(err, storage.ConstraintCustomerEmail) {
			return fmt.Errorf("%w: the billing email belongs to a guest record: %w", customer.ErrEmailTaken, err)
		}
		if err != nil {
			return mapCustomerErr(err)
		}
		if err := s.emitCustomer(ctx, tx, event.CustomerCreated, nil, b); err != nil {
			return err
		}
		if out, err = repo.Create(ctx, c); err != nil {
			return mapCompanyErr(err)
		}
		if _, err := (&Balances{s.env}).SetCreditLimit(ctx, b.ID, c.CreditLimit); err != nil {
			return err
		}
		if err := s.emitCompany(ctx, tx, event.CompanyCreated, actingID, nil, out); err != nil {
			return err
		}
		if staff {
			return nil
		}
		m, err := company.NewMember(c.ID, actingID, company.RoleAdmin, company.Limits{}, c.Currency, now)
		if err != nil {
			return err
		}
		if m, err = repo.AddMember(ctx, m); err != nil {
			return mapCompanyErr(customerGone(err))
		}
		return s.emitMember(ctx, tx, event.CompanyMemberAdded, nil, m)
	})
	if err != nil {
		return company.Company{}, err
	}
	return out, nil
}

// Get returns the company to one of its members (or staff). Errors:
// company.ErrNotFound, ErrActorRequired, ErrUnsupported.
func (s *Companies) Get(ctx context.Context, actingID, companyID uuid.UUID) (company.Company, error) {
	repo, err := companyRepo(s.store)
	if err != nil {
		return company.Company{}, err
	}
	if _, err := s.acting(ctx, repo, actingID, companyID); err != nil {
		return company.Company{}, err
	}
	c, err := repo.Get(ctx, companyID)
	return c, mapCompanyErr(err)
}

// Update applies p to the company, for an admin (or staff). A new credit
// limit becomes the billing customer's in the same transaction. Errors:
// those of Get, company.ErrForbidden, *company.ValidationError,
// company.ErrDomainTaken, balance.ErrInsufficientFunds for a credit limit
// below what the company owes.
func (s *Companies) Update(ctx context.Context, actingID, companyID uuid.UUID, p company.Patch) (company.Company, error) {
	if _, err := companyRepo(s.store); err != nil {
		return company.Company{}, err
	}
	var out company.Company
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		if _, err := s.acting(ctx, repo, actingID, companyID, company.RoleAdmin); err != nil {
			return err
		}
		var before company.Company
		var err error
		out, err = repo.Update(ctx, companyID, func(c *company.Company) error {
			before = c.Clone()
			return p.Apply(c, s.clock())
		})
		if err != nil {
			return mapCompanyErr(err)
		}
		if !before.CreditLimit.Equal(out.CreditLimit) && out.BillingCustomerID != uuid.Nil {
			if _, err := (&Balances{s.env}).SetCreditLimit(ctx, out.BillingCustomerID, out.CreditLimit); err != nil {
				return err
			}
		}
		return s.emitCompany(ctx, tx, event.CompanyUpdated, actingID, &before, out)
	})
	if err != nil {
		return company.Company{}, err
	}
	return out, nil
}

// MemberParams describe a membership to add or change.
type MemberParams struct {
	Role   company.Role   `json:"role"`
	Limits company.Limits `json:"limits"`
}

// AddMember adds a live registered customer to the company, for an admin
// (or staff). Errors: those of Get, company.ErrForbidden,
// company.ErrMemberExists, customer.ErrNotFound (also for a guest),
// *company.ValidationError (limits in another currency than the
// company's).
func (s *Companies) AddMember(ctx context.Context, actingID, companyID, customerID uuid.UUID, p MemberParams) (company.Member, error) {
	if _, err := companyRepo(s.store); err != nil {
		return company.Member{}, err
	}
	var out company.Member
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		if _, err := s.acting(ctx, repo, actingID, companyID, company.RoleAdmin); err != nil {
			return err
		}
		c, err := repo.Get(ctx, companyID)
		if err != nil {
			return mapCompanyErr(err)
		}
		if _, err := registered(ctx, tx, customerID); err != nil {
			return err
		}
		m, err := company.NewMember(companyID, customerID, p.Role, p.Limits, c.Currency, s.clock())
		if err != nil {
			return err
		}
		if out, err = repo.AddMember(ctx, m); err != nil {
			return mapCompanyErr(customerGone(err))
		}
		return s.emitMember(ctx, tx, event.CompanyMemberAdded, nil, out)
	})
	if err != nil {
		return company.Member{}, err
	}
	return out, nil
}

// keepAdmin returns company.ErrLastAdmin when the company, locked, would
// have no admin left once customerID's membership is changed to role (0:
// removed).
func keepAdmin(ctx context.Context, repo storage.CompanyRecords, companyID, customerID uuid.UUID, role company.Role) error {
	if role == company.RoleAdmin {
		return nil
	}
	if _, err := repo.LockCompany(ctx, companyID); err != nil {
		return mapCompanyErr(err)
	}
	members, err := repo.Members(ctx, companyID)
	if err != nil {
		return err
	}
	admins, was := 0, false
	for _, m := range members {
		if m.Role == company.RoleAdmin {
			admins++
			was = was || m.CustomerID == customerID
		}
	}
	if was && admins == 1 {
		return company.ErrLastAdmin
	}
	return nil
}

// UpdateMember sets a member's role and limits, for an admin (or staff);
// the company keeps at least one admin. Errors: those of AddMember,
// company.ErrLastAdmin, company.ErrNotFound for a customer who is not a
// member.
func (s *Companies) UpdateMember(ctx context.Context, actingID, companyID, customerID uuid.UUID, p MemberParams) (company.Member, error) {
	if _, err := companyRepo(s.store); err != nil {
		return company.Member{}, err
	}
	var out company.Member
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		if _, err := s.acting(ctx, repo, actingID, companyID, company.RoleAdmin); err != nil {
			return err
		}
		if err := keepAdmin(ctx, repo, companyID, customerID, p.Role); err != nil {
			return err
		}
		c, err := repo.Get(ctx, companyID)
		if err != nil {
			return mapCompanyErr(err)
		}
		if err := p.Limits.Validate(c.Currency); err != nil {
			return err
		}
		var before company.Member
		out, err = repo.UpdateMember(ctx, companyID, customerID, func(m *company.Member) error {
			before = m.Clone()
			m.Role, m.Limits, m.UpdatedAt = p.Role, p.Limits.Clone(), s.clock()
			return nil
		})
		if err != nil {
			return mapCompanyErr(err)
		}
		return s.emitMember(ctx, tx, event.CompanyMemberUpdated, &before, out)
	})
	if err != nil {
		return company.Member{}, err
	}
	return out, nil
}

// RemoveMember removes a member, for an admin (or staff); the company
// keeps at least one admin. Errors: those of UpdateMember.
func (s *Companies) RemoveMember(ctx context.Context, actingID, companyID, customerID uuid.UUID) error {
	if _, err := companyRepo(s.store); err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		if _, err := s.acting(ctx, repo, actingID, companyID, company.RoleAdmin); err != nil {
			return err
		}
		if err := keepAdmin(ctx, repo, companyID, customerID, 0); err != nil {
			return err
		}
		m, err := repo.Member(ctx, companyID, customerID)
		if err != nil {
			return mapCompanyErr(err)
		}
		if err := repo.RemoveMember(ctx, companyID, customerID); err != nil {
			return mapCompanyErr(err)
		}
		return s.emitMember(ctx, tx, event.CompanyMemberRemoved, nil, m)
	})
}

// Members returns the company's members, ordered by (Joined, CustomerID),
// to one of them (or staff). Errors: those of Get.
func (s *Companies) Members(ctx context.Context, actingID, companyID uuid.UUID) ([]company.Member, error) {
	repo, err := companyRepo(s.store)
	if err != nil {
		return nil, err
	}
	if _, err := s.acting(ctx, repo, actingID, companyID); err != nil {
		return nil, err
	}
	return repo.Members(ctx, companyID)
}

// CompaniesOf returns the customer's memberships, ordered by (Joined,
// CompanyID), to the customer themself (or staff); for anyone else the
// list is empty. Errors: ErrActorRequired, ErrUnsupported.
func (s *Companies) CompaniesOf(ctx context.Context, actingID, customerID uuid.UUID) ([]company.Member, error) {
	repo, err := companyRepo(s.store)
	if err != nil {
		return nil, err
	}
	if _, err := staffActing(ctx, actingID); err != nil {
		return nil, err
	}
	if actingID != uuid.Nil && actingID != customerID {
		return []company.Member{}, nil
	}
	return repo.CompaniesOf(ctx, customerID)
}

// PlacedOrder is what PlaceOrder and Approve answer: the decision and,
// when the order was recorded, the order; when it waits for approval, the
// approval.
type PlacedOrder struct {
	Decision company.Decision  `json:"decision"`
	Order    *order.Order      `json:"order,omitempty"`
	Approval *company.Approval `json:"approval,omitempty"`
}

// PlaceOrder places the buyer's order for the company, in one transaction:
// it locks the buyer's membership, reads what the buyer spent in the
// current period of their limit (in the company's time zone), and decides
// (company.Decide, with the credit available on account when the company
// has a billing customer with an account in the order's currency):
//
//   - Allowed: the order is recorded as by Orders.RecordPlaced (status,
//     statistics, events) and its amount reserved against the period;
//   - NeedsApproval: a pending company.Approval is created and the amount
//     reserved (so that the period counts it; Reject releases it), and the
//     order is not recorded until Approve;
//   - Denied: nothing is written; the error wraps company.ErrOrderDenied
//     and the result carries the decision.
//
// The period is the one in force when the decision is made (the service's
// clock), and the reservation is dated then: an order's PlacedAt, which a
// host may set to any time (an import, a late webhook), never moves an
// order into another period's limit.
//
// Concurrent orders of one buyer serialize on the membership's lock, so a
// period limit is never overspent however many race. It is idempotent on
// the order ID: a replay answers as the first call did (an approved order
// as Allowed, a rejected one as Denied). p.CustomerID defaults to the
// buyer and must be the buyer. Errors: company.ErrNotFound (not a member),
// *order.ValidationError, order.ErrOrderOwned, order.ErrOrderChanged,
// customer.ErrNotFound, ErrUnsupported.
func (s *Companies) PlaceOrder(ctx context.Context, actingBuyerID, companyID uuid.UUID, p order.Params) (PlacedOrder, error) {
	if _, err := companyRepo(s.store); err != nil {
		return PlacedOrder{}, err
	}
	if p.CustomerID == uuid.Nil {
		p.CustomerID = actingBuyerID
	}
	if p.CustomerID != actingBuyerID {
		return PlacedOrder{}, &order.ValidationError{Field: "customer_id", Reason: "must be the acting buyer", Err: order.ErrInvalid}
	}
	o, err := order.New(p, s.clock())
	if err != nil {
		return PlacedOrder{}, err
	}
	p.PlacedAt = o.PlacedAt
	var out PlacedOrder
	for range maxCreateAttempts {
		raced := false
		err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			var err error
			out, raced, err = s.placeOrder(ctx, tx, companyID, o, p)
			return err
		})
		if !raced {
			break
		}
	}
	return out, err
}

func (s *Companies) placeOrder(ctx context.Context, tx storage.Tx, companyID uuid.UUID, o order.Order, p order.Params) (PlacedOrder, bool, error) {
	repo := tx.(storage.Companies).CompanyRecords()
	buyer := o.CustomerID
	// A replay writes nothing, not even the member's lock. A plain read
	// may miss an order a racing call placed meanwhile: its insert then
	// conflicts, and the next run (a new transaction) replays it.
	if _, err := repo.Member(ctx, companyID, buyer); err != nil {
		return PlacedOrder{}, false, mapCompanyErr(err)
	}
	if out, found, err := s.replayOrder(ctx, tx, repo, companyID, o); found || err != nil {
		return out, false, err
	}
	m, err := repo.LockMember(ctx, companyID, buyer)
	if err != nil {
		return PlacedOrder{}, false, mapCompanyErr(err)
	}
	c, err := repo.Get(ctx, companyID)
	if err != nil {
		return PlacedOrder{}, false, mapCompanyErr(err)
	}
	spent := balance.Zero(o.Total.Currency())
	now := s.clock()
	if l := m.Limits.Period; l != nil {
		start, end := company.PeriodWindow(l.Period, c.Location(), now)
		spent, err = repo.Spent(ctx, companyID, buyer, o.Total.Currency(), start, end)
		if errors.Is(err, balance.ErrOverflow) {
			// The period's reservations (pending approvals of huge
			// orders) sum beyond Money's range: far over any limit.
			spent, err = balance.FromMinorUnits(math.MaxInt64, o.Total.Currency()), nil
		}
		if err != nil {
			return PlacedOrder{}, false, err
		}
	}
	var credit []balance.Money
	if c.BillingCustomerID != uuid.Nil && o.Total.Currency() == c.Currency && c.CreditLimit.IsPositive() {
		acct, err := tx.Balances().AccountFor(ctx, c.BillingCustomerID, c.Currency)
		if err == nil {
			credit = append(credit, acct.Available())
		} else if !errors.Is(err, storage.ErrNotFound) {
			return PlacedOrder{}, false, err
		}
	}
	d := company.Decide(m, spent, o.Total, credit...)
	out := PlacedOrder{Decision: d}
	reserve := company.Reservation{CompanyID: companyID, CustomerID: buyer, OrderID: o.ID, Amount: o.Total, At: now}
	switch d.Outcome {
	case company.Allowed:
		rec, raced, err := s.recordPlacedTx(ctx, tx, o, true)
		if err != nil {
			return PlacedOrder{}, raced, err
		}
		out.Order = &rec
		if err := repo.Reserve(ctx, reserve); err != nil {
			return PlacedOrder{}, storage.IsConflict(err, storage.ConstraintReservationOrder), err
		}
		return out, false, s.emitOne(ctx, tx, event.CompanyOrderDecided, event.AggregateCompany, companyID.String(), buyer, 0,
			event.CompanyOrderPayload{CompanyID: companyID, OrderID: o.ID, BuyerID: buyer, Amount: o.Total, Decision: d})
	case company.NeedsApproval:
		a, err := company.NewApproval(s.newID(), companyID, o.ID, buyer, o.Total, d.Reason, s.clock())
		if err != nil {
			return PlacedOrder{}, false, err
		}
		if a.Order, err = json.Marshal(p); err != nil {
			return PlacedOrder{}, false, err
		}
		if a, err = repo.CreateApproval(ctx, a); err != nil {
			return PlacedOrder{}, storage.IsConflict(err, storage.ConstraintApprovalOrder), err
		}
		if err := repo.Reserve(ctx, reserve); err != nil {
			return PlacedOrder{}, storage.IsConflict(err, storage.ConstraintReservationOrder), err
		}
		out.Approval = &a
		return out, false, s.emitApproval(ctx, tx, event.CompanyApprovalRequested, a)
	default:
		return out, false, fmt.Errorf("%w: %s", company.ErrOrderDenied, d.Reason)
	}
}

// replayOrder answers a PlaceOrder whose order ID was placed before: found
// is true when the order is recorded or has an approval.
func (s *Companies) replayOrder(ctx context.Context, tx storage.Tx, repo storage.CompanyRecords, companyID uuid.UUID, o order.Order) (PlacedOrder, bool, error) {
	a, err := repo.ApprovalByOrder(ctx, o.ID)
	switch {
	case err == nil:
		if a.CompanyID != companyID || a.BuyerID != o.CustomerID {
			return PlacedOrder{}, true, fmt.Errorf("%w: order %s", order.ErrOrderOwned, storage.Quote(o.ID))
		}
		if !a.Amount.Equal(o.Total) {
			return PlacedOrder{}, true, fmt.Errorf("%w: order %s", order.ErrOrderChanged, storage.Quote(o.ID))
		}
		switch a.Status {
		case company.Pending:
			return PlacedOrder{Decision: company.Decision{Outcome: company.NeedsApproval, Reason: "the order waits for approval"}, Approval: &a}, true, nil
		case company.Rejected:
			d := company.Decision{Outcome: company.Denied, Reason: "the order was rejected"}
			return PlacedOrder{Decision: d, Approval: &a}, true, fmt.Errorf("%w: %s", company.ErrOrderDenied, d.Reason)
		}
	case !errors.Is(err, storage.ErrNotFound):
		return PlacedOrder{}, true, err
	}
	prev, err := tx.Orders().Get(ctx, o.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return PlacedOrder{}, false, nil
	}
	if err != nil {
		return PlacedOrder{}, true, err
	}
	if err := replayedOrder(prev, o); err != nil {
		return PlacedOrder{}, true, err
	}
	out := PlacedOrder{Decision: company.Decision{Outcome: company.Allowed}, Order: &prev}
	if a.ID != uuid.Nil {
		out.Approval = &a
	}
	return out, true, nil
}

// Approve approves a pending approval, for an approver or admin of its
// company other than its buyer, within their own per-order limit, and
// records the order in the same transaction. Errors: company.ErrNotFound,
// company.ErrForbidden, company.ErrSelfApproval,
// company.ErrOverApproverLimit, company.ErrInvalidTransition.
func (s *Companies) Approve(ctx context.Context, actingID, approvalID uuid.UUID, note string) (PlacedOrder, error) {
	if _, err := companyRepo(s.store); err != nil {
		return PlacedOrder{}, err
	}
	var out PlacedOrder
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		a, err := s.decide(ctx, repo, actingID, approvalID, true, note)
		if err != nil {
			return err
		}
		var p order.Params
		if err := json.Unmarshal(a.Order, &p); err != nil {
			return fmt.Errorf("clientele: the approval's order: %w", err)
		}
		// A buyer merged into another customer since asking: the order
		// is the survivor's, as the buyer's others are.
		if p.CustomerID, err = survivorOf(ctx, tx, p.CustomerID); err != nil {
			return err
		}
		o, err := order.New(p, s.clock())
		if err != nil {
			return err
		}
		rec, _, err := s.recordPlacedTx(ctx, tx, o, true)
		if err != nil {
			return err
		}
		out = PlacedOrder{Decision: company.Decision{Outcome: company.Allowed}, Order: &rec, Approval: &a}
		return s.emitApproval(ctx, tx, event.CompanyApprovalApproved, a)
	})
	if err != nil {
		return PlacedOrder{}, err
	}
	return out, nil
}

// Reject rejects a pending approval, for an approver or admin of its
// company other than its buyer, and releases the amount it held. Errors:
// those of Approve but company.ErrOverApproverLimit.
func (s *Companies) Reject(ctx context.Context, actingID, approvalID uuid.UUID, note string) (company.Approval, error) {
	if _, err := companyRepo(s.store); err != nil {
		return company.Approval{}, err
	}
	var out company.Approval
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		var err error
		if out, err = s.decide(ctx, repo, actingID, approvalID, false, note); err != nil {
			return err
		}
		if err := s.emitApproval(ctx, tx, event.CompanyApprovalRejected, out); err != nil {
			return err
		}
		return s.release(ctx, tx, out.OrderID)
	})
	return out, err
}

// decide moves the approval by the acting member.
func (s *Companies) decide(ctx context.Context, repo storage.CompanyRecords, actingID, approvalID uuid.UUID, approve bool, note string) (company.Approval, error) {
	a, err := repo.Approval(ctx, approvalID)
	if err != nil {
		return company.Approval{}, mapCompanyErr(err)
	}
	approver, err := repo.Member(ctx, a.CompanyID, actingID)
	if err != nil {
		return company.Approval{}, mapCompanyErr(err)
	}
	a, err = repo.UpdateApproval(ctx, approvalID, func(a *company.Approval) error {
		return a.Decide(approver, approve, note, s.clock())
	})
	return a, mapCompanyErr(err)
}

// release releases the order's reservation, if any, in tx, with its event.
func (e *env) release(ctx context.Context, tx storage.Tx, orderID string) error {
	c, ok := tx.(storage.Companies)
	if !ok {
		return nil
	}
	res, ok, err := c.CompanyRecords().Release(ctx, orderID)
	if err != nil || !ok {
		return err
	}
	return e.emitOne(ctx, tx, event.CompanyReservationReleased, event.AggregateCompany, res.CompanyID.String(), res.CustomerID, 0,
		event.CompanyReservationPayload{Reservation: res})
}

// PendingApprovals returns the company's pending approvals, ordered by
// (CreatedAt, ID), to its approvers and admins (or staff). Errors: those of
// Get, company.ErrForbidden for a buyer.
func (s *Companies) PendingApprovals(ctx context.Context, actingID, companyID uuid.UUID) ([]company.Approval, error) {
	repo, err := companyRepo(s.store)
	if err != nil {
		return nil, err
	}
	if _, err := s.acting(ctx, repo, actingID, companyID, company.RoleAdmin, company.RoleApprover); err != nil {
		return nil, err
	}
	return repo.PendingApprovals(ctx, companyID)
}

// PayOnAccount pays amount of the host's order on the company's account,
// for one of its members: a debit (kind order payment, reference the order
// ID) of the billing customer's store credit with an idempotency key
// derived from the order, so a replay pays once. The ledger never goes
// below the floor -CreditLimit: balance.ErrInsufficientFunds. Errors: those
// of Get, balance.ErrInvalid, balance.ErrIdempotencyKeyReused (another
// amount for the same order).
func (s *Companies) PayOnAccount(ctx context.Context, actingID, companyID uuid.UUID, orderID string, amount balance.Money) (balance.Posting, error) {
	if _, err := companyRepo(s.store); err != nil {
		return balance.Posting{}, err
	}
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return balance.Posting{}, err
	}
	var out balance.Posting
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		if _, err := s.acting(ctx, repo, actingID, companyID); err != nil {
			return err
		}
		c, err := repo.Get(ctx, companyID)
		if err != nil {
			return mapCompanyErr(err)
		}
		if c.BillingCustomerID == uuid.Nil {
			return fmt.Errorf("%w: the company has no billing customer", company.ErrNotFound)
		}
		out, err = (&Balances{s.env}).Debit(ctx, PostingRequest{CustomerID: c.BillingCustomerID, Amount: amount,
			Kind: balance.KindOrderPayment, Reference: orderID, IdempotencyKey: "company-order:" + orderID})
		return err
	})
	return out, err
}

// AutoJoin adds the registered customer as a buyer without limits to the
// company that lists their email's domain among its auto-join domains,
// when their email is verified (see Accounts). It returns the membership
// and whether it was added now; a customer who is a member already gets
// their membership and false. Without a company for the domain it returns
// a zero Member and false. Errors: customer.ErrNotFound (also for a
// guest), company.ErrEmailNotVerified, ErrUnsupported (also without the
// storage.Authentication capability, which knows verified emails).
func (s *Companies) AutoJoin(ctx context.Context, customerID uuid.UUID) (company.Member, bool, error) {
	if _, err := companyRepo(s.store); err != nil {
		return company.Member{}, false, err
	}
	if _, err := credentialsOf(s.store); err != nil {
		return company.Member{}, false, err
	}
	var (
		out    company.Member
		joined bool
	)
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo := tx.(storage.Companies).CompanyRecords()
		joined = false
		cust, err := registered(ctx, tx, customerID)
		if err != nil {
			return err
		}
		creds, err := tx.(storage.Authentication).Credentials().Get(ctx, customerID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if !creds.EmailVerified(cust.Email.Address) {
			return company.ErrEmailNotVerified
		}
		domain, err := company.NormalizeDomain(cust.Email.Address)
		if err != nil {
			return err
		}
		c, err := repo.ByDomain(ctx, domain)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if m, err := repo.Member(ctx, c.ID, customerID); err == nil {
			out = m
			return nil
		}
		m, err := company.NewMember(c.ID, customerID, company.RoleBuyer, company.Limits{}, c.Currency, s.clock())
		if err != nil {
			return err
		}
		out, err = repo.AddMember(ctx, m)
		if storage.IsConflict(err, storage.ConstraintCompanyMember) {
			// A concurrent AutoJoin added it: a locking read sees its
			// row, which a plain read of a REPEATABLE READ snapshot
			// (MySQL, TiDB) does not.
			out, err = repo.LockMember(ctx, c.ID, customerID)
			return mapCompanyErr(err)
		}
		if err != nil {
			return mapCompanyErr(customerGone(err))
		}
		joined = true
		return s.emitMember(ctx, tx, event.CompanyMemberAdded, nil, out)
	})
	if err != nil {
		return company.Member{}, false, err
	}
	return out, joined, nil
}

// mergeCompanies moves the duplicate's company memberships to the survivor,
// in Customers.Merge's transaction: in a company where the survivor is a
// member already, the survivor keeps its membership and its limits and
// takes the stronger of the two roles; elsewhere the membership moves as
// it is (role, limits, joined). Each company's row is locked first, as
// every role change does, so a merge cannot race a change of the members.
// The duplicate's reservations stay under its ID: what it spent in a
// period does not count toward the survivor's limits.
//
// A company's billing customer (the record holding its store credit) is
// never merged, on either side: customer.ErrMergeRefused. Stores without
// the capability have nothing to move.
func (s *Customers) mergeCompanies(ctx context.Context, tx storage.Tx, dupID, survID uuid.UUID, now time.Time) (int, error) {
	repo, err := companyRepo(tx)
	if err != nil {
		return 0, nil
	}
	for _, id := range []uuid.UUID{dupID, survID} {
		c, err := repo.ByBillingCustomer(ctx, id)
		if err == nil {
			return 0, fmt.Errorf("%w: customer %s holds the store credit of company %s", customer.ErrMergeRefused, id, c.ID)
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return 0, err
		}
	}
	ms, err := repo.CompaniesOf(ctx, dupID)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, m := range ms {
		if _, err := repo.LockCompany(ctx, m.CompanyID); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			return 0, err
		}
		dm, err := repo.LockMember(ctx, m.CompanyID, dupID)
		if errors.Is(err, storage.ErrNotFound) {
			continue // left the company since the list was read
		}
		if err != nil {
			return 0, err
		}
		sm, err := repo.LockMember(ctx, m.CompanyID, survID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			nm := dm.Clone()
			nm.CustomerID, nm.UpdatedAt = survID, now
			if _, err := repo.AddMember(ctx, nm); err != nil {
				return 0, mapCompanyErr(err)
			}
		case err != nil:
			return 0, err
		case stronger(dm.Role, sm.Role):
			if _, err := repo.UpdateMember(ctx, m.CompanyID, survID, func(m *company.Member) error {
				m.Role, m.UpdatedAt = dm.Role, now
				return nil
			}); err != nil {
				return 0, mapCompanyErr(err)
			}
		}
		if err := repo.RemoveMember(ctx, m.CompanyID, dupID); err != nil {
			return 0, mapCompanyErr(err)
		}
		moved++
	}
	return moved, nil
}

// stronger reports whether role a grants more than role b (admin >
// approver > buyer).
func stronger(a, b company.Role) bool {
	rank := func(r company.Role) int {
		switch r {
		case company.RoleAdmin:
			return 3
		case company.RoleApprover:
			return 2
		case company.RoleBuyer:
			return 1
		}
		return 0
	}
	return rank(a) > rank(b)
}

// eraseCompanyMemberships takes an erased customer out of every company
// (even as its last admin: an operator appoints the next), in
// Customers.Erase's transaction. The reservations stay, under the
// pseudonymous ID, as the company's spend record.
func eraseCompanyMemberships(ctx context.Context, tx storage.Tx, id uuid.UUID) error {
	repo, err := companyRepo(tx)
	if err != nil {
		return nil
	}
	ms, err := repo.CompaniesOf(ctx, id)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := repo.RemoveMember(ctx, m.CompanyID, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return nil
}

// survivorOf returns the customer that id was merged into (following the
// tombstone, which merges keep one hop long), or id itself when it was not
// merged or the store keeps no tombstones.
func survivorOf(ctx context.Context, tx storage.Tx, id uuid.UUID) (uuid.UUID, error) {
	m, err := mergesOf(tx)
	if err != nil {
		return id, nil
	}
	t, err := m.Get(ctx, id)
	switch {
	case err == nil:
		return t.SurvivorID, nil
	case errors.Is(err, storage.ErrNotFound):
		return id, nil
	default:
		return uuid.Nil, err
	}
}
