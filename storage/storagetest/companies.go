package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Companies capability: companies with unique auto-join
// domains, their members, the members' spend reservations (read and
// reserved under the member's lock) and order approvals.

func companyCases() []testCase {
	return []testCase{
		{"RoundTripsEveryField", needsCompanies(companyRoundTrip)},
		{"DomainUniqueAcrossCompanies", needsCompanies(companyDomains)},
		{"Members", needsCompanies(companyMembers)},
		{"MemberNeedsLiveCustomer", needsCompanies(companyMemberNotLive)},
		{"ReservationsAndSpend", needsCompanies(companyReservations)},
		{"Approvals", needsCompanies(companyApprovals)},
		{"InsideAtomicRollsBack", needsCompanies(companyAtomic)},
		{"ReturnedValuesAreCopies", needsCompanies(companyCopies)},
		{"ConcurrentReservationsKeepLimit", needsCompanies(companyConcurrentReserve)},
		{"InterleavedSpentSeesLatest", needsCompanies(companyInterleavedSpent)},
		{"ConcurrentDomainClaims", needsCompanies(companyConcurrentDomains)},
	}
}

// needsCompanies skips a case on a store without the capability.
func needsCompanies(run func(t *testing.T, e *env, r storage.CompanyRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		c, ok := e.store.(storage.Companies)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Companies capability", e.store)
		}
		run(t, e, c.CompanyRecords())
	}
}

func companiesOf(tx storage.Tx) storage.CompanyRecords {
	return tx.(storage.Companies).CompanyRecords()
}

var eurCur = balance.MustCurrency("EUR")

func eurs(units int64) balance.Money { return balance.FromMinorUnits(units, eurCur) }

// company creates a company with the domains.
func (e *env) company(r storage.CompanyRecords, domains ...string) company.Company {
	e.t.Helper()
	c, err := company.New(e.id(), company.Params{Name: fmt.Sprintf("Company %d", e.next()), Currency: eurCur,
		AutoJoinDomains: domains, TimeZone: "Europe/Berlin"}, e.now())
	require.NoError(e.t, err)
	out, err := r.Create(e.ctx, c)
	require.NoError(e.t, err)
	return out
}

// member adds a new customer to the company.
func (e *env) member(r storage.CompanyRecords, companyID uuid.UUID, role company.Role, limits company.Limits) company.Member {
	e.t.Helper()
	m, err := company.NewMember(companyID, e.newCustomer().ID, role, limits, eurCur, e.now())
	require.NoError(e.t, err)
	out, err := r.AddMember(e.ctx, m)
	require.NoError(e.t, err)
	return out
}

func companyRoundTrip(t *testing.T, e *env, r storage.CompanyRecords) {
	a := address.Address{FirstName: "Ada", Line1: "Straße 1", City: "Berlin", PostalCode: "10115", Country: "DE"}
	c, err := company.New(e.id(), company.Params{Name: "Acme GmbH ✓", TaxID: "DE123", BillingAddress: a, ShippingAddress: a,
		PaymentTermsDays: 30, Currency: eurCur, CreditLimit: eurs(5000_00), PriceListRef: "pl-1", TimeZone: "Europe/Berlin",
		AutoJoinDomains: []string{"acme.example", "bücher.example"}, Metadata: map[string]string{"k": "v"}}, e.now().Add(time.Nanosecond))
	require.NoError(t, err)
	c.BillingCustomerID = e.newCustomer().ID
	created, err := r.Create(e.ctx, c)
	require.NoError(t, err)
	got, err := r.Get(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)
	assert.True(t, got.CreditLimit.Equal(eurs(5000_00)))
	assert.Equal(t, []string{"acme.example", "xn--bcher-kva.example"}, got.AutoJoinDomains)
	assert.Equal(t, c.BillingCustomerID, got.BillingCustomerID)
	byBilling, err := r.ByBillingCustomer(e.ctx, c.BillingCustomerID)
	require.NoError(t, err)
	assert.Equal(t, created, byBilling)
	_, err = r.ByBillingCustomer(e.ctx, e.newCustomer().ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "a customer who bills no company")
	assert.EqualValues(t, 1, got.Version)
	assert.Equal(t, storage.Micro(c.CreatedAt), got.CreatedAt)

	_, err = r.Create(e.ctx, c)
	assert.True(t, storage.IsConflict(err, storage.ConstraintPrimaryKey), "%v", err)
	_, err = r.Get(e.ctx, e.id())
	assert.ErrorIs(t, err, storage.ErrNotFound)

	up, err := r.Update(e.ctx, c.ID, func(c *company.Company) error {
		return company.Patch{Name: ptr("Acme AG"), CreditLimit: ptr(eurs(1))}.Apply(c, e.now())
	})
	require.NoError(t, err)
	assert.EqualValues(t, 2, up.Version)
	got, err = r.Get(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, up, got)
	_, err = r.Update(e.ctx, c.ID, func(*company.Company) error { return errors.New("no") })
	assert.EqualError(t, err, "no")
	_, err = r.Update(e.ctx, e.id(), func(*company.Company) error { return nil })
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func companyDomains(t *testing.T, e *env, r storage.CompanyRecords) {
	a := e.company(r, "a.example", "shared.example")
	got, err := r.ByDomain(e.ctx, "shared.example")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
	_, err = r.ByDomain(e.ctx, "none.example")
	assert.ErrorIs(t, err, storage.ErrNotFound)

	c, err := company.New(e.id(), company.Params{Name: "B", Currency: eurCur, AutoJoinDomains: []string{"shared.example"}}, e.now())
	require.NoError(t, err)
	_, err = r.Create(e.ctx, c)
	assert.True(t, storage.IsConflict(err, storage.ConstraintCompanyDomain), "%v", err)
	_, err = r.Get(e.ctx, c.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing written")

	b := e.company(r, "b.example")
	_, err = r.Update(e.ctx, b.ID, func(c *company.Company) error {
		c.AutoJoinDomains = []string{"b.example", "shared.example"}
		return nil
	})
	assert.True(t, storage.IsConflict(err, storage.ConstraintCompanyDomain), "%v", err)

	// a gives the domain up; b takes it.
	_, err = r.Update(e.ctx, a.ID, func(c *company.Company) error { c.AutoJoinDomains = []string{"a.example"}; return nil })
	require.NoError(t, err)
	_, err = r.Update(e.ctx, b.ID, func(c *company.Company) error {
		c.AutoJoinDomains = []string{"b.example", "shared.example"}
		return nil
	})
	require.NoError(t, err)
	got, err = r.ByDomain(e.ctx, "shared.example")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
	_, err = r.ByDomain(e.ctx, "a.example")
	require.NoError(t, err)
}

func companyMembers(t *testing.T, e *env, r storage.CompanyRecords) {
	c := e.company(r)
	limits := company.Limits{PerOrder: ptr(eurs(100_00)), Period: &company.PeriodLimit{Period: company.Month, Amount: eurs(1000_00)}}
	admin := e.member(r, c.ID, company.RoleAdmin, company.Limits{})
	buyer := e.member(r, c.ID, company.RoleBuyer, limits)

	got, err := r.Member(e.ctx, c.ID, buyer.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, buyer, got)
	assert.True(t, got.Limits.PerOrder.Equal(eurs(100_00)))
	assert.Equal(t, company.Month, got.Limits.Period.Period)

	_, err = r.AddMember(e.ctx, buyer)
	assert.True(t, storage.IsConflict(err, storage.ConstraintCompanyMember), "%v", err)
	m, err := company.NewMember(e.id(), e.newCustomer().ID, company.RoleBuyer, company.Limits{}, eurCur, e.now())
	require.NoError(t, err)
	_, err = r.AddMember(e.ctx, m)
	assert.ErrorIs(t, err, storage.ErrNotFound, "the company does not exist")

	members, err := r.Members(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, members, 2)
	assert.Equal(t, admin.CustomerID, members[0].CustomerID, "ordered by joined")

	other := e.company(r)
	_, err = r.AddMember(e.ctx, company.Member{CompanyID: other.ID, CustomerID: buyer.CustomerID, Role: company.RoleAdmin, Joined: e.now()})
	require.NoError(t, err)
	of, err := r.CompaniesOf(e.ctx, buyer.CustomerID)
	require.NoError(t, err)
	require.Len(t, of, 2)
	assert.Equal(t, c.ID, of[0].CompanyID)
	assert.Equal(t, other.ID, of[1].CompanyID)

	up, err := r.UpdateMember(e.ctx, c.ID, buyer.CustomerID, func(m *company.Member) error {
		m.Role, m.Limits = company.RoleApprover, company.Limits{}
		return nil
	})
	require.NoError(t, err)
	assert.EqualValues(t, 2, up.Version)
	got, err = r.Member(e.ctx, c.ID, buyer.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, up, got)
	assert.True(t, got.Limits.IsZero())

	require.NoError(t, r.RemoveMember(e.ctx, c.ID, buyer.CustomerID))
	assert.ErrorIs(t, r.RemoveMember(e.ctx, c.ID, buyer.CustomerID), storage.ErrNotFound)
	_, err = r.Member(e.ctx, c.ID, buyer.CustomerID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	of, err = r.CompaniesOf(e.ctx, buyer.CustomerID)
	require.NoError(t, err)
	require.Len(t, of, 1)
}

func companyMemberNotLive(t *testing.T, e *env, r storage.CompanyRecords) {
	c := e.company(r)
	cust := e.newCustomer()
	require.NoError(t, e.deleteOutside(cust.ID)(e.ctx))
	m, err := company.NewMember(c.ID, cust.ID, company.RoleBuyer, company.Limits{}, eurCur, e.now())
	require.NoError(t, err)
	_, err = r.AddMember(e.ctx, m)
	assert.ErrorIs(t, err, storage.ErrCustomerNotLive)
	m.CustomerID = e.id()
	_, err = r.AddMember(e.ctx, m)
	assert.ErrorIs(t, err, storage.ErrCustomerNotLive)
}

func companyReservations(t *testing.T, e *env, r storage.CompanyRecords) {
	c := e.company(r)
	m := e.member(r, c.ID, company.RoleBuyer, company.Limits{})
	start, end := company.PeriodWindow(company.Month, c.Location(), e.now())
	for i, at := range []time.Time{start, end.Add(-time.Microsecond), end, start.Add(-time.Microsecond)} {
		require.NoError(t, r.Reserve(e.ctx, company.Reservation{CompanyID: c.ID, CustomerID: m.CustomerID,
			OrderID: fmt.Sprintf("o-%d", i), Amount: eurs(int64(10 * (i + 1))), At: at}))
	}
	spent, err := r.Spent(e.ctx, c.ID, m.CustomerID, eurCur, start, end)
	require.NoError(t, err)
	assert.True(t, spent.Equal(eurs(30)), "the window holds its start, not its end: %s", spent)
	usd, err := r.Spent(e.ctx, c.ID, m.CustomerID, balance.MustCurrency("USD"), start, end)
	require.NoError(t, err)
	assert.True(t, usd.IsZero())

	err = r.Reserve(e.ctx, company.Reservation{CompanyID: c.ID, CustomerID: m.CustomerID, OrderID: "o-0", Amount: eurs(1), At: start})
	assert.True(t, storage.IsConflict(err, storage.ConstraintReservationOrder), "%v", err)

	got, err := r.Reservation(e.ctx, "o-1")
	require.NoError(t, err)
	assert.True(t, got.Amount.Equal(eurs(20)))
	assert.Equal(t, end.Add(-time.Microsecond), got.At)

	res, ok, err := r.Release(e.ctx, "o-1")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, got, res)
	_, ok, err = r.Release(e.ctx, "o-1")
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = r.Reservation(e.ctx, "o-1")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	spent, err = r.Spent(e.ctx, c.ID, m.CustomerID, eurCur, start, end)
	require.NoError(t, err)
	assert.True(t, spent.Equal(eurs(10)))
}

func (e *env) approval(c company.Company, buyer uuid.UUID, orderID string) company.Approval {
	e.t.Helper()
	a, err := company.NewApproval(e.id(), c.ID, orderID, buyer, eurs(500_00), "over the limit", e.now())
	require.NoError(e.t, err)
	a.Order = []byte(`{"id":"` + orderID + `"}`)
	return a
}

func companyApprovals(t *testing.T, e *env, r storage.CompanyRecords) {
	c := e.company(r)
	buyer := e.member(r, c.ID, company.RoleBuyer, company.Limits{})
	approver := e.member(r, c.ID, company.RoleApprover, company.Limits{})
	a := e.approval(c, buyer.CustomerID, "o-1")
	created, err := r.CreateApproval(e.ctx, a)
	require.NoError(t, err)
	got, err := r.Approval(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, created, got)
	assert.JSONEq(t, `{"id":"o-1"}`, string(got.Order))
	byOrder, err := r.ApprovalByOrder(e.ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, created, byOrder)

	dup := e.approval(c, buyer.CustomerID, "o-1")
	_, err = r.CreateApproval(e.ctx, dup)
	assert.True(t, storage.IsConflict(err, storage.ConstraintApprovalOrder), "%v", err)
	_, err = r.CreateApproval(e.ctx, a)
	assert.True(t, storage.IsConflict(err, storage.ConstraintPrimaryKey) || storage.IsConflict(err, storage.ConstraintApprovalOrder), "%v", err)

	second, err := r.CreateApproval(e.ctx, e.approval(c, buyer.CustomerID, "o-2"))
	require.NoError(t, err)
	pending, err := r.PendingApprovals(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, pending, 2)
	assert.Equal(t, a.ID, pending[0].ID)

	up, err := r.UpdateApproval(e.ctx, a.ID, func(a *company.Approval) error {
		return a.Decide(approver, true, "fine", e.now())
	})
	require.NoError(t, err)
	assert.Equal(t, company.Approved, up.Status)
	assert.EqualValues(t, 2, up.Version)
	got, err = r.Approval(e.ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, up, got)
	_, err = r.UpdateApproval(e.ctx, a.ID, func(a *company.Approval) error { return a.Decide(approver, false, "", e.now()) })
	assert.ErrorIs(t, err, company.ErrInvalidTransition)
	pending, err = r.PendingApprovals(e.ctx, c.ID)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, second.ID, pending[0].ID)
	_, err = r.Approval(e.ctx, e.id())
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func companyAtomic(t *testing.T, e *env, r storage.CompanyRecords) {
	c := e.company(r)
	cust := e.newCustomer()
	boom := errors.New("boom")
	var created company.Company
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		tr := companiesOf(tx)
		var err error
		n, err := company.New(e.id(), company.Params{Name: "Rolled back", Currency: eurCur, AutoJoinDomains: []string{"rb.example"}}, e.now())
		require.NoError(t, err)
		if created, err = tr.Create(ctx, n); err != nil {
			return err
		}
		if _, err := tr.AddMember(ctx, company.Member{CompanyID: c.ID, CustomerID: cust.ID, Role: company.RoleBuyer, Joined: e.now()}); err != nil {
			return err
		}
		if err := tr.Reserve(ctx, company.Reservation{CompanyID: c.ID, CustomerID: cust.ID, OrderID: "rb", Amount: eurs(1), At: e.now()}); err != nil {
			return err
		}
		if _, err := tr.CreateApproval(ctx, e.approval(c, cust.ID, "rb")); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = r.Get(e.ctx, created.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.ByDomain(e.ctx, "rb.example")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.Member(e.ctx, c.ID, cust.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.Reservation(e.ctx, "rb")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.ApprovalByOrder(e.ctx, "rb")
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func companyCopies(t *testing.T, e *env, r storage.CompanyRecords) {
	c := e.company(r, "copy.example")
	c.AutoJoinDomains[0] = "changed.example"
	got, err := r.Get(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"copy.example"}, got.AutoJoinDomains)
	m := e.member(r, c.ID, company.RoleBuyer, company.Limits{PerOrder: ptr(eurs(5))})
	*m.Limits.PerOrder = eurs(6)
	gm, err := r.Member(e.ctx, c.ID, m.CustomerID)
	require.NoError(t, err)
	assert.True(t, gm.Limits.PerOrder.Equal(eurs(5)))
}

// reserveWithin runs the PlaceOrder pattern: lock the member, read the
// period's spend, reserve amount when it stays within limit.
func (e *env) reserveWithin(c company.Company, customerID uuid.UUID, orderID string, amount, limit balance.Money) (bool, error) {
	var reserved bool
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		reserved = false
		tr := companiesOf(tx)
		if _, err := tr.LockMember(ctx, c.ID, customerID); err != nil {
			return err
		}
		start, end := company.PeriodWindow(company.Day, c.Location(), e.now())
		spent, err := tr.Spent(ctx, c.ID, customerID, eurCur, start, end)
		if err != nil {
			return err
		}
		if spent.MinorUnits()+amount.MinorUnits() > limit.MinorUnits() {
			return nil
		}
		reserved = true
		return tr.Reserve(ctx, company.Reservation{CompanyID: c.ID, CustomerID: customerID, OrderID: orderID, Amount: amount, At: e.now()})
	})
	return reserved, err
}

func companyConcurrentReserve(t *testing.T, e *env, r storage.CompanyRecords) {
	const n, fit = 16, 5
	c := e.company(r)
	m := e.member(r, c.ID, company.RoleBuyer, company.Limits{})
	reserved := make([]bool, n)
	errs := race(n, func(i int) error {
		var err error
		reserved[i], err = e.reserveWithin(c, m.CustomerID, fmt.Sprintf("race-%d", i), eurs(10_00), eurs(fit*10_00))
		return err
	})
	count := 0
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
		if reserved[i] {
			count++
		}
	}
	assert.Equal(t, fit, count, "exactly the limit was reserved")
	start, end := company.PeriodWindow(company.Day, c.Location(), e.now())
	spent, err := r.Spent(e.ctx, c.ID, m.CustomerID, eurCur, start, end)
	require.NoError(t, err)
	assert.True(t, spent.Equal(eurs(fit*10_00)), "%s", spent)
}

func companyInterleavedSpent(t *testing.T, e *env, r storage.CompanyRecords) {
	if !e.cfg.concurrentWriters {
		t.Skip("needs ConcurrentWriters")
	}
	c := e.company(r)
	m := e.member(r, c.ID, company.RoleBuyer, company.Limits{})
	var reserved bool
	err := e.interleave(m.CustomerID, func(ctx context.Context) error {
		ok, err := e.reserveWithin(c, m.CustomerID, "outside", eurs(10_00), eurs(10_00))
		require.True(t, ok)
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		reserved = false
		tr := companiesOf(tx)
		if _, err := tr.LockMember(ctx, c.ID, m.CustomerID); err != nil {
			return err
		}
		start, end := company.PeriodWindow(company.Day, c.Location(), e.now())
		spent, err := tr.Spent(ctx, c.ID, m.CustomerID, eurCur, start, end)
		if err != nil {
			return err
		}
		if spent.MinorUnits()+10_00 > 10_00 {
			return nil
		}
		reserved = true
		return tr.Reserve(ctx, company.Reservation{CompanyID: c.ID, CustomerID: m.CustomerID, OrderID: "inside", Amount: eurs(10_00), At: e.now()})
	})
	require.NoError(t, err)
	assert.False(t, reserved, "the spend read under the member's lock includes the reservation committed meanwhile")
}

func companyConcurrentDomains(t *testing.T, e *env, r storage.CompanyRecords) {
	const n = 8
	errs := race(n, func(i int) error {
		c, err := company.New(e.id(), company.Params{Name: fmt.Sprint("C", i), Currency: eurCur, AutoJoinDomains: []string{"race.example"}}, e.now())
		if err != nil {
			return err
		}
		_, err = r.Create(e.ctx, c)
		return err
	})
	ok, taken := tally(t, errs, func(err error) bool { return storage.IsConflict(err, storage.ConstraintCompanyDomain) }, "ConstraintCompanyDomain")
	assert.Equal(t, 1, ok)
	assert.Equal(t, n-1, taken)
}
