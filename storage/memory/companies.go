package memory

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/storage"
)

// CompanyRecords returns the company repository: the store has the
// storage.Companies capability.
func (s *Store) CompanyRecords() storage.CompanyRecords { return companyRecords{repos{store: s}} }

// CompanyRecords returns the company repository (the storage.Companies
// capability).
func (r repos) CompanyRecords() storage.CompanyRecords { return companyRecords{r} }

var (
	_ storage.Companies = (*Store)(nil)
	_ storage.Companies = repos{}
)

// companyRecords keeps companies under the store's lock, which every
// write holds: the locks the contract names are implied.
type companyRecords struct{ repos }

// memberKey names a membership: (company ID, customer ID).
type memberKey struct{ companyID, customerID uuid.UUID }

func (d *db) company(id uuid.UUID) (company.Company, error) {
	c, ok := d.companies[id]
	if !ok {
		return company.Company{}, notFound("company", id)
	}
	return c.Clone(), nil
}

// setDomains moves the auto-join domains index from old's domains to c's.
func (t *txn) setDomains(old, c company.Company) error {
	d := t.db
	for _, dom := range c.AutoJoinDomains {
		if owner, ok := d.companyByDomain[dom]; ok && owner != c.ID {
			return storage.Conflict(storage.ConstraintCompanyDomain, nil)
		}
	}
	for _, dom := range old.AutoJoinDomains {
		del(t, d.companyByDomain, dom)
	}
	for _, dom := range c.AutoJoinDomains {
		put(t, d.companyByDomain, dom, c.ID)
	}
	return nil
}

func (r companyRecords) Create(ctx context.Context, c company.Company) (out company.Company, err error) {
	c, err = storage.NewCompany(c)
	if err != nil {
		return company.Company{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		if _, ok := t.db.companies[c.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if err := t.setDomains(company.Company{}, c); err != nil {
			return err
		}
		put(t, t.db.companies, c.ID, c.Clone())
		out = c.Clone()
		return nil
	})
	return out, err
}

func (r companyRecords) Get(ctx context.Context, id uuid.UUID) (out company.Company, err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = d.company(id)
		return err
	})
	return out, err
}

func (r companyRecords) LockCompany(ctx context.Context, id uuid.UUID) (company.Company, error) {
	return r.Get(ctx, id)
}

func (r companyRecords) Update(ctx context.Context, id uuid.UUID, fn func(*company.Company) error) (out company.Company, err error) {
	err = r.write(ctx, func(t *txn) error {
		old, err := t.db.company(id)
		if err != nil {
			return err
		}
		c, err := storage.UpdateCompany(old, fn)
		if err != nil {
			return err
		}
		if err := t.setDomains(old, c); err != nil {
			return err
		}
		put(t, t.db.companies, id, c.Clone())
		out = c.Clone()
		return nil
	})
	return out, err
}

func (r companyRecords) ByDomain(ctx context.Context, domain string) (out company.Company, err error) {
	err = r.read(ctx, func(d *db) error {
		id, ok := d.companyByDomain[domain]
		if !ok {
			return fmt.Errorf("company domain %s: %w", storage.Quote(domain), storage.ErrNotFound)
		}
		out, err = d.company(id)
		return err
	})
	return out, err
}

func (r companyRecords) ByBillingCustomer(ctx context.Context, customerID uuid.UUID) (out company.Company, err error) {
	err = r.read(ctx, func(d *db) error {
		for _, c := range d.companies {
			if c.BillingCustomerID == customerID && customerID != uuid.Nil {
				out = c.Clone()
				return nil
			}
		}
		return fmt.Errorf("company with billing customer %s: %w", customerID, storage.ErrNotFound)
	})
	return out, err
}

func (r companyRecords) AddMember(ctx context.Context, m company.Member) (out company.Member, err error) {
	m, err = storage.NewCompanyMember(m)
	if err != nil {
		return company.Member{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, err := d.company(m.CompanyID); err != nil {
			return err
		}
		if err := d.liveCustomer(m.CustomerID); err != nil {
			return err
		}
		members := innerFor(t, d.companyMembers, m.CompanyID)
		if _, ok := members[m.CustomerID]; ok {
			return storage.Conflict(storage.ConstraintCompanyMember, nil)
		}
		put(t, members, m.CustomerID, m.Clone())
		put(t, innerFor(t, d.memberOfCompany, m.CustomerID), m.CompanyID, true)
		out = m.Clone()
		return nil
	})
	return out, err
}

func (d *db) member(companyID, customerID uuid.UUID) (company.Member, error) {
	m, ok := d.companyMembers[companyID][customerID]
	if !ok {
		return company.Member{}, fmt.Errorf("company %s member %s: %w", companyID, customerID, storage.ErrNotFound)
	}
	return m.Clone(), nil
}

func (r companyRecords) Member(ctx context.Context, companyID, customerID uuid.UUID) (out company.Member, err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = d.member(companyID, customerID)
		return err
	})
	return out, err
}

func (r companyRecords) LockMember(ctx context.Context, companyID, customerID uuid.UUID) (company.Member, error) {
	return r.Member(ctx, companyID, customerID)
}

func (r companyRecords) UpdateMember(ctx context.Context, companyID, customerID uuid.UUID, fn func(*company.Member) error) (out company.Member, err error) {
	err = r.write(ctx, func(t *txn) error {
		old, err := t.db.member(companyID, customerID)
		if err != nil {
			return err
		}
		m, err := storage.UpdateMember(old, fn)
		if err != nil {
			return err
		}
		put(t, t.db.companyMembers[companyID], customerID, m.Clone())
		out = m.Clone()
		return nil
	})
	return out, err
}

func (r companyRecords) RemoveMember(ctx context.Context, companyID, customerID uuid.UUID) error {
	return r.write(ctx, func(t *txn) error {
		if _, err := t.db.member(companyID, customerID); err != nil {
			return err
		}
		del(t, t.db.companyMembers[companyID], customerID)
		del(t, t.db.memberOfCompany[customerID], companyID)
		return nil
	})
}

func sortMembers(ms []company.Member, key func(company.Member) uuid.UUID) {
	slices.SortFunc(ms, func(a, b company.Member) int {
		if c := a.Joined.Compare(b.Joined); c != 0 {
			return c
		}
		x, y := key(a), key(b)
		return slices.Compare(x[:], y[:])
	})
}

func (r companyRecords) Members(ctx context.Context, companyID uuid.UUID) (out []company.Member, err error) {
	err = r.read(ctx, func(d *db) error {
		out = make([]company.Member, 0, len(d.companyMembers[companyID]))
		for _, m := range d.companyMembers[companyID] {
			out = append(out, m.Clone())
		}
		sortMembers(out, func(m company.Member) uuid.UUID { return m.CustomerID })
		return nil
	})
	return out, err
}

func (r companyRecords) CompaniesOf(ctx context.Context, customerID uuid.UUID) (out []company.Member, err error) {
	err = r.read(ctx, func(d *db) error {
		out = make([]company.Member, 0, len(d.memberOfCompany[customerID]))
		for id := range d.memberOfCompany[customerID] {
			out = append(out, d.companyMembers[id][customerID].Clone())
		}
		sortMembers(out, func(m company.Member) uuid.UUID { return m.CompanyID })
		return nil
	})
	return out, err
}

func (r companyRecords) Spent(ctx context.Context, companyID, customerID uuid.UUID, c balance.Currency, start, end time.Time) (out balance.Money, err error) {
	out = balance.Zero(c)
	err = r.read(ctx, func(d *db) error {
		for id := range d.reservationsOf[memberKey{companyID, customerID}] {
			res := d.reservations[id]
			if res.Amount.Currency() == c && !res.At.Before(start) && res.At.Before(end) {
				if out, err = out.Add(res.Amount); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

func (r companyRecords) Reserve(ctx context.Context, res company.Reservation) error {
	if err := storage.CheckKey("order_id", res.OrderID); err != nil {
		return err
	}
	res.At = micro(res.At)
	return r.write(ctx, func(t *txn) error {
		if _, err := t.db.member(res.CompanyID, res.CustomerID); err != nil {
			return err
		}
		if _, ok := t.db.reservations[res.OrderID]; ok {
			return storage.Conflict(storage.ConstraintReservationOrder, nil)
		}
		put(t, t.db.reservations, res.OrderID, res)
		put(t, innerFor(t, t.db.reservationsOf, memberKey{res.CompanyID, res.CustomerID}), res.OrderID, true)
		return nil
	})
}

func (r companyRecords) Reservation(ctx context.Context, orderID string) (out company.Reservation, err error) {
	err = r.read(ctx, func(d *db) error {
		res, ok := d.reservations[orderID]
		if !ok {
			return fmt.Errorf("reservation %s: %w", storage.Quote(orderID), storage.ErrNotFound)
		}
		out = res
		return nil
	})
	return out, err
}

func (r companyRecords) Release(ctx context.Context, orderID string) (out company.Reservation, ok bool, err error) {
	err = r.write(ctx, func(t *txn) error {
		out, ok = t.db.reservations[orderID]
		if ok {
			del(t, t.db.reservations, orderID)
			del(t, t.db.reservationsOf[memberKey{out.CompanyID, out.CustomerID}], orderID)
		}
		return nil
	})
	return out, ok, err
}

func (r companyRecords) CreateApproval(ctx context.Context, a company.Approval) (out company.Approval, err error) {
	a, err = storage.NewApproval(a)
	if err != nil {
		return company.Approval{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, err := d.company(a.CompanyID); err != nil {
			return err
		}
		if _, ok := d.approvals[a.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if _, ok := d.approvalByOrder[a.OrderID]; ok {
			return storage.Conflict(storage.ConstraintApprovalOrder, nil)
		}
		put(t, d.approvals, a.ID, a.Clone())
		put(t, d.approvalByOrder, a.OrderID, a.ID)
		put(t, innerFor(t, d.approvalsOf, a.CompanyID), a.ID, true)
		out = a.Clone()
		return nil
	})
	return out, err
}

func (d *db) approval(id uuid.UUID) (company.Approval, error) {
	a, ok := d.approvals[id]
	if !ok {
		return company.Approval{}, notFound("approval", id)
	}
	return a.Clone(), nil
}

func (r companyRecords) Approval(ctx context.Context, id uuid.UUID) (out company.Approval, err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = d.approval(id)
		return err
	})
	return out, err
}

func (r companyRecords) ApprovalByOrder(ctx context.Context, orderID string) (out company.Approval, err error) {
	err = r.read(ctx, func(d *db) error {
		id, ok := d.approvalByOrder[orderID]
		if !ok {
			return fmt.Errorf("approval of order %s: %w", storage.Quote(orderID), storage.ErrNotFound)
		}
		out, err = d.approval(id)
		return err
	})
	return out, err
}

func (r companyRecords) UpdateApproval(ctx context.Context, id uuid.UUID, fn func(*company.Approval) error) (out company.Approval, err error) {
	err = r.write(ctx, func(t *txn) error {
		old, err := t.db.approval(id)
		if err != nil {
			return err
		}
		a, err := storage.UpdateApproval(old, fn)
		if err != nil {
			return err
		}
		put(t, t.db.approvals, id, a.Clone())
		out = a.Clone()
		return nil
	})
	return out, err
}

func (r companyRecords) PendingApprovals(ctx context.Context, companyID uuid.UUID) (out []company.Approval, err error) {
	err = r.read(ctx, func(d *db) error {
		out = []company.Approval{}
		for id := range d.approvalsOf[companyID] {
			if a := d.approvals[id]; a.Status == company.Pending {
				out = append(out, a.Clone())
			}
		}
		slices.SortFunc(out, func(a, b company.Approval) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return slices.Compare(a.ID[:], b.ID[:])
		})
		return nil
	})
	return out, err
}
