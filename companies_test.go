package clientele_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

func eurMoney(t testing.TB, s string) balance.Money { return clienteletest.MustMoney(t, s+" EUR") }

func TestCompaniesAccess(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	svc := e.Service.Companies
	admin, buyer, outsider := e.MustRegister(), e.MustRegister(), e.MustRegister()
	c := e.MustCreateCompany(admin.ID, clienteletest.CreditLimit(eurMoney(t, "1000.00")))
	assert.NotEqual(t, uuid.Nil, c.BillingCustomerID)
	billing, err := e.Service.Customers.Get(ctx, c.BillingCustomerID)
	require.NoError(t, err)
	assert.Equal(t, customer.TypeBusiness, billing.Type)
	assert.Equal(t, c.Name, billing.Company)
	acct, err := e.Service.Balances.Account(ctx, c.BillingCustomerID, c.Currency)
	require.NoError(t, err)
	assert.True(t, acct.CreditLimit.Equal(eurMoney(t, "1000.00")), "the company's credit limit is its ledger's")

	members, err := svc.Members(ctx, admin.ID, c.ID)
	require.NoError(t, err)
	require.Len(t, members, 1)
	assert.Equal(t, company.RoleAdmin, members[0].Role)

	_, err = svc.Get(ctx, outsider.ID, c.ID)
	assert.ErrorIs(t, err, company.ErrNotFound, "another company's data is not found")
	_, err = svc.Get(ctx, outsider.ID, uuid.New())
	assert.ErrorIs(t, err, company.ErrNotFound)
	_, err = svc.Get(ctx, uuid.Nil, c.ID)
	assert.ErrorIs(t, err, clientele.ErrActorRequired, "no actor")
	staff := actor.NewContext(ctx, actor.Staff("u_1"))
	_, err = svc.Get(staff, uuid.Nil, c.ID)
	require.NoError(t, err, "staff manage any company")

	e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{})
	_, err = svc.AddMember(ctx, buyer.ID, c.ID, outsider.ID, clientele.MemberParams{Role: company.RoleBuyer})
	assert.ErrorIs(t, err, company.ErrForbidden)
	assert.Equal(t, errcode.Denied, errcode.Of(err))
	_, err = svc.AddMember(ctx, admin.ID, c.ID, buyer.ID, clientele.MemberParams{Role: company.RoleBuyer})
	assert.ErrorIs(t, err, company.ErrMemberExists)
	guest := e.MustGuest()
	_, err = svc.AddMember(ctx, admin.ID, c.ID, guest.ID, clientele.MemberParams{Role: company.RoleBuyer})
	assert.ErrorIs(t, err, customer.ErrNotFound, "members are registered customers")
	_, err = svc.AddMember(ctx, admin.ID, c.ID, outsider.ID, clientele.MemberParams{Role: company.RoleBuyer,
		Limits: company.Limits{PerOrder: ptr(balance.FromMinorUnits(1, balance.MustCurrency("USD")))}})
	assert.ErrorIs(t, err, company.ErrInvalid, "limits in the company's currency")

	_, err = svc.UpdateMember(ctx, admin.ID, c.ID, admin.ID, clientele.MemberParams{Role: company.RoleBuyer})
	assert.ErrorIs(t, err, company.ErrLastAdmin)
	assert.ErrorIs(t, svc.RemoveMember(ctx, admin.ID, c.ID, admin.ID), company.ErrLastAdmin)
	_, err = svc.UpdateMember(ctx, admin.ID, c.ID, buyer.ID, clientele.MemberParams{Role: company.RoleAdmin})
	require.NoError(t, err)
	require.NoError(t, svc.RemoveMember(ctx, buyer.ID, c.ID, admin.ID), "another admin remains")
	_, err = svc.Get(ctx, admin.ID, c.ID)
	assert.ErrorIs(t, err, company.ErrNotFound, "a former member sees nothing")

	of, err := svc.CompaniesOf(ctx, buyer.ID, buyer.ID)
	require.NoError(t, err)
	require.Len(t, of, 1)
	of, err = svc.CompaniesOf(ctx, outsider.ID, buyer.ID)
	require.NoError(t, err)
	assert.Empty(t, of)

	up, err := svc.Update(ctx, buyer.ID, c.ID, company.Patch{CreditLimit: ptr(eurMoney(t, "50.00"))})
	require.NoError(t, err)
	assert.EqualValues(t, 2, up.Version)
	acct, err = e.Service.Balances.Account(ctx, c.BillingCustomerID, c.Currency)
	require.NoError(t, err)
	assert.True(t, acct.CreditLimit.Equal(eurMoney(t, "50.00")))

	_, err = svc.Create(ctx, admin.ID, company.Params{Name: "X", Currency: c.Currency})
	assert.ErrorIs(t, err, company.ErrInvalid, "the billing email is required")
	sc, err := svc.Create(staff, uuid.Nil, e.CompanyParams(clienteletest.AutoJoin("acme.example")))
	require.NoError(t, err)
	_, err = svc.Create(staff, uuid.Nil, e.CompanyParams(clienteletest.AutoJoin("ACME.example")))
	assert.ErrorIs(t, err, company.ErrDomainTaken)
	ms, err := svc.Members(staff, uuid.Nil, sc.ID)
	require.NoError(t, err)
	assert.Empty(t, ms, "staff create companies without members")
}

func TestCompaniesOrders(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	svc := e.Service.Companies
	admin, approver, buyer := e.MustRegister(), e.MustRegister(), e.MustRegister()
	c := e.MustCreateCompany(admin.ID, clienteletest.CreditLimit(eurMoney(t, "1000.00")))
	e.MustAddMember(admin.ID, c.ID, approver.ID, company.RoleApprover, company.Limits{PerOrder: ptr(eurMoney(t, "300.00"))})
	e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{PerOrder: ptr(eurMoney(t, "200.00")),
		Period: &company.PeriodLimit{Period: company.Month, Amount: eurMoney(t, "250.00")}})

	first := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-1", "150.00 EUR")
	require.Equal(t, company.Allowed, first.Decision.Outcome)
	require.NotNil(t, first.Order)
	got, err := e.Service.Orders.Get(ctx, "o-1")
	require.NoError(t, err)
	assert.Equal(t, buyer.ID, got.CustomerID)
	replay := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-1", "150.00 EUR")
	assert.Equal(t, first.Decision, replay.Decision, "a replay answers as the first time")

	over := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-2", "150.00 EUR")
	require.Equal(t, company.NeedsApproval, over.Decision.Outcome, "the month's limit")
	require.NotNil(t, over.Approval)
	_, err = e.Service.Orders.Get(ctx, "o-2")
	assert.ErrorIs(t, err, order.ErrNotFound, "not recorded before approval")
	replay = e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-2", "150.00 EUR")
	assert.Equal(t, over.Approval.ID, replay.Approval.ID)

	big := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-3", "400.00 EUR")
	require.Equal(t, company.NeedsApproval, big.Decision.Outcome)
	_, err = svc.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "o-4", Total: eurMoney(t, "2000.00")})
	assert.ErrorIs(t, err, company.ErrOrderDenied, "over the credit available on account")
	_, err = svc.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "o-5", Total: clienteletest.MustMoney(t, "1.00 USD")})
	assert.ErrorIs(t, err, company.ErrOrderDenied, "another currency")
	_, err = svc.PlaceOrder(ctx, e.MustRegister().ID, c.ID, order.Params{ID: "o-6", Total: eurMoney(t, "1.00")})
	assert.ErrorIs(t, err, company.ErrNotFound, "not a member")

	pending, err := svc.PendingApprovals(ctx, approver.ID, c.ID)
	require.NoError(t, err)
	require.Len(t, pending, 2)
	_, err = svc.PendingApprovals(ctx, buyer.ID, c.ID)
	assert.ErrorIs(t, err, company.ErrForbidden)

	_, err = svc.Approve(ctx, buyer.ID, over.Approval.ID, "")
	assert.ErrorIs(t, err, company.ErrForbidden)
	_, err = svc.Approve(ctx, approver.ID, big.Approval.ID, "")
	assert.ErrorIs(t, err, company.ErrOverApproverLimit, "beyond the approver's own per-order limit")
	approved, err := svc.Approve(ctx, approver.ID, over.Approval.ID, "ok")
	require.NoError(t, err)
	assert.Equal(t, company.Approved, approved.Approval.Status)
	got, err = e.Service.Orders.Get(ctx, "o-2")
	require.NoError(t, err, "recorded on approval")
	assert.Equal(t, over.Order, (*order.Order)(nil))
	replay = e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-2", "150.00 EUR")
	assert.Equal(t, company.Allowed, replay.Decision.Outcome, "an approved order replays as allowed")
	_, err = svc.Approve(ctx, admin.ID, over.Approval.ID, "")
	assert.ErrorIs(t, err, company.ErrInvalidTransition)

	rejected, err := svc.Reject(ctx, admin.ID, big.Approval.ID, "too much")
	require.NoError(t, err)
	assert.Equal(t, company.Rejected, rejected.Status)
	_, err = svc.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "o-3", Total: eurMoney(t, "400.00")})
	assert.ErrorIs(t, err, company.ErrOrderDenied, "a rejected order replays as denied")

	// The month holds o-1 and o-2 (150 each) and the pending o-7 (100):
	// rejecting o-7 and cancelling o-1 release theirs.
	next := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-7", "100.00 EUR")
	require.Equal(t, company.NeedsApproval, next.Decision.Outcome)
	_, err = svc.Reject(ctx, admin.ID, next.Approval.ID, "")
	require.NoError(t, err)
	_, err = e.Service.Orders.SetStatus(ctx, "o-1", order.StatusCancelled)
	require.NoError(t, err)
	after := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "o-8", "100.00 EUR")
	assert.Equal(t, company.Allowed, after.Decision.Outcome, "the rejected and cancelled orders' spend was released")

	// Pay on account, down to the floor and no further.
	p, err := svc.PayOnAccount(ctx, buyer.ID, c.ID, "o-2", eurMoney(t, "150.00"))
	require.NoError(t, err)
	again, err := svc.PayOnAccount(ctx, buyer.ID, c.ID, "o-2", eurMoney(t, "150.00"))
	require.NoError(t, err)
	assert.Equal(t, p.ID, again.ID, "paid once per order")
	_, err = svc.PayOnAccount(ctx, buyer.ID, c.ID, "o-8", eurMoney(t, "900.00"))
	assert.ErrorIs(t, err, balance.ErrInsufficientFunds)
	_, err = svc.PayOnAccount(ctx, buyer.ID, c.ID, "o-8", eurMoney(t, "850.00"))
	require.NoError(t, err)
	acct, err := e.Service.Balances.Account(ctx, c.BillingCustomerID, c.Currency)
	require.NoError(t, err)
	assert.True(t, acct.Balance.Equal(eurMoney(t, "-1000.00")), "%s", acct.Balance)
}

// TestCompaniesPeriodIsTheDecisionTime: the period of a limit is the one
// in force when PlaceOrder decides (the service clock); an order's
// PlacedAt in another month neither escapes this month's limit nor counts
// toward another month.
func TestCompaniesPeriodIsTheDecisionTime(t *testing.T) {
	e := clienteletest.New(t)
	admin, buyer := e.MustRegister(), e.MustRegister()
	c := e.MustCreateCompany(admin.ID)
	e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{
		Period: &company.PeriodLimit{Period: company.Month, Amount: eurMoney(t, "100.00")}})
	first := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "pt-1", "80.00 EUR")
	require.Equal(t, company.Allowed, first.Decision.Outcome)
	lastMonth := e.Clock.Now().AddDate(0, -1, 0)
	backdated, err := e.Service.Companies.PlaceOrder(context.Background(), buyer.ID, c.ID,
		order.Params{ID: "pt-2", Total: eurMoney(t, "50.00"), PlacedAt: lastMonth})
	require.NoError(t, err)
	assert.Equal(t, company.NeedsApproval, backdated.Decision.Outcome, "a backdated order counts in this month's limit")
	nextMonth := e.Clock.Now().AddDate(0, 1, 0)
	postdated, err := e.Service.Companies.PlaceOrder(context.Background(), buyer.ID, c.ID,
		order.Params{ID: "pt-3", Total: eurMoney(t, "50.00"), PlacedAt: nextMonth})
	require.NoError(t, err)
	assert.Equal(t, company.NeedsApproval, postdated.Decision.Outcome, "so does a postdated one")
}

func TestCompaniesAutoJoin(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	admin := e.MustRegister()
	c := e.MustCreateCompany(admin.ID, clienteletest.AutoJoin("Bücher.example"))
	ada := e.MustRegister(clienteletest.Email("ada@BÜCHER.example"))
	_, _, err := e.Service.Companies.AutoJoin(ctx, ada.ID)
	assert.ErrorIs(t, err, company.ErrEmailNotVerified)
	e.MustVerifyEmail(ada.ID)
	m, joined, err := e.Service.Companies.AutoJoin(ctx, ada.ID)
	require.NoError(t, err)
	assert.True(t, joined)
	assert.Equal(t, c.ID, m.CompanyID)
	assert.Equal(t, company.RoleBuyer, m.Role)
	assert.True(t, m.Limits.IsZero())
	_, joined, err = e.Service.Companies.AutoJoin(ctx, ada.ID)
	require.NoError(t, err)
	assert.False(t, joined, "idempotent")
	bob := e.MustRegister(clienteletest.Email("bob@elsewhere.example"))
	e.MustVerifyEmail(bob.ID)
	m, joined, err = e.Service.Companies.AutoJoin(ctx, bob.ID)
	require.NoError(t, err)
	assert.False(t, joined)
	assert.Equal(t, uuid.Nil, m.CompanyID)
}

// TestCompaniesConcurrentOrdersKeepLimit: 32 concurrent orders of one
// buyer whose period limit allows exactly 10 of them: exactly 10 are
// allowed, the rest need approval, on every engine.
func TestCompaniesConcurrentOrdersKeepLimit(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		admin, buyer := e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID)
		e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{
			Period: &company.PeriodLimit{Period: company.Day, Amount: eurMoney(t, "100.00")}})
		const n = 32
		outcomes := make([]company.Outcome, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out, err := e.Service.Companies.PlaceOrder(context.Background(), buyer.ID, c.ID,
					order.Params{ID: fmt.Sprintf("race-%d", i), Total: eurMoney(t, "10.00")})
				outcomes[i], errs[i] = out.Decision.Outcome, err
			}()
		}
		close(start)
		wg.Wait()
		counts := map[company.Outcome]int{}
		for i, err := range errs {
			require.NoError(t, err, "order %d", i)
			counts[outcomes[i]]++
		}
		assert.Equal(t, 10, counts[company.Allowed], "exactly the limit is allowed")
		assert.Equal(t, n-10, counts[company.NeedsApproval])
		pending, err := e.Service.Companies.PendingApprovals(context.Background(), admin.ID, c.ID)
		require.NoError(t, err)
		assert.Len(t, pending, n-10)
	})
}
