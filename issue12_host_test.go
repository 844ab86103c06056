package clientele_test

// Host-side checks of issue 12 (companies, marketplace roles, KYC) through
// the public API only, on every engine.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

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
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// i12World is two companies, each with an admin, an approver and a buyer,
// and in B a recorded order and a pending approval.
type i12World struct {
	a, b                      company.Company
	adminA, approverA, buyerA uuid.UUID
	adminB, approverB, buyerB uuid.UUID
	approvalB                 company.Approval
}

func newI12World(t *testing.T, e *clienteletest.Env) i12World {
	t.Helper()
	var w i12World
	w.adminA, w.approverA, w.buyerA = e.MustRegister().ID, e.MustRegister().ID, e.MustRegister().ID
	w.adminB, w.approverB, w.buyerB = e.MustRegister().ID, e.MustRegister().ID, e.MustRegister().ID
	w.a = e.MustCreateCompany(w.adminA, clienteletest.CreditLimit(eurMoney(t, "1000.00")))
	w.b = e.MustCreateCompany(w.adminB, clienteletest.CreditLimit(eurMoney(t, "1000.00")))
	limits := company.Limits{PerOrder: ptr(eurMoney(t, "100.00"))}
	e.MustAddMember(w.adminA, w.a.ID, w.approverA, company.RoleApprover, company.Limits{})
	e.MustAddMember(w.adminA, w.a.ID, w.buyerA, company.RoleBuyer, limits)
	e.MustAddMember(w.adminB, w.b.ID, w.approverB, company.RoleApprover, company.Limits{})
	e.MustAddMember(w.adminB, w.b.ID, w.buyerB, company.RoleBuyer, limits)
	e.MustPlaceCompanyOrder(w.buyerB, w.b.ID, "b-ok", "50.00 EUR")
	p := e.MustPlaceCompanyOrder(w.buyerB, w.b.ID, "b-big", "500.00 EUR")
	require.NotNil(t, p.Approval)
	w.approvalB = *p.Approval
	return w
}

// companyCalls are every Companies call that names a company (or one of
// its approvals), acting as acting on company companyID / approval
// approvalID.
func companyCalls(ctx context.Context, svc *clientele.Companies, acting, companyID, approvalID, someone uuid.UUID, orderID string) map[string]func() error {
	eur := balance.MustCurrency("EUR")
	return map[string]func() error{
		"Get": func() error { _, err := svc.Get(ctx, acting, companyID); return err },
		"Update": func() error {
			_, err := svc.Update(ctx, acting, companyID, company.Patch{Name: ptr("Stolen")})
			return err
		},
		"AddMember": func() error {
			_, err := svc.AddMember(ctx, acting, companyID, acting, clientele.MemberParams{Role: company.RoleAdmin})
			return err
		},
		"UpdateMember": func() error {
			_, err := svc.UpdateMember(ctx, acting, companyID, someone, clientele.MemberParams{Role: company.RoleBuyer})
			return err
		},
		"RemoveMember":     func() error { return svc.RemoveMember(ctx, acting, companyID, someone) },
		"Members":          func() error { _, err := svc.Members(ctx, acting, companyID); return err },
		"PendingApprovals": func() error { _, err := svc.PendingApprovals(ctx, acting, companyID); return err },
		"PlaceOrder": func() error {
			_, err := svc.PlaceOrder(ctx, acting, companyID, order.Params{ID: orderID, Total: balance.FromMinorUnits(100, eur)})
			return err
		},
		"PayOnAccount": func() error {
			_, err := svc.PayOnAccount(ctx, acting, companyID, orderID, balance.FromMinorUnits(100, eur))
			return err
		},
		"Approve": func() error { _, err := svc.Approve(ctx, acting, approvalID, "ok"); return err },
		"Reject":  func() error { _, err := svc.Reject(ctx, acting, approvalID, "no"); return err },
	}
}

// TestIssue12CrossTenantCompanies: each role of company A, on every call
// naming company B (or B's approval), gets company.ErrNotFound exactly as
// for a company that does not exist, and nothing is written.
func TestIssue12CrossTenantCompanies(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service.Companies
		w := newI12World(t, e)
		e.TakeEvents()
		bo := clienteletest.BackOffice()
		beforeB, err := svc.Get(bo, uuid.Nil, w.b.ID)
		require.NoError(t, err)
		beforeMembers, err := svc.Members(bo, uuid.Nil, w.b.ID)
		require.NoError(t, err)

		for _, acting := range []uuid.UUID{w.adminA, w.approverA, w.buyerA} {
			for name, call := range companyCalls(ctx, svc, acting, w.b.ID, w.approvalB.ID, w.buyerB, "x-"+acting.String()[:8]) {
				err := call()
				require.ErrorIs(t, err, company.ErrNotFound, "%s by %s", name, acting)
				assert.Equal(t, errcode.NotFound, errcode.Of(err), name)
			}
			for name, call := range companyCalls(ctx, svc, acting, uuid.New(), uuid.New(), w.buyerB, "y-"+acting.String()[:8]) {
				err := call()
				require.ErrorIs(t, err, company.ErrNotFound, "%s on nothing", name)
			}
			of, err := svc.CompaniesOf(ctx, acting, w.buyerB)
			require.NoError(t, err)
			assert.Empty(t, of, "another customer's memberships")
		}
		assert.Empty(t, e.TakeEventTypes(), "nothing was written")
		afterB, err := svc.Get(bo, uuid.Nil, w.b.ID)
		require.NoError(t, err)
		assert.Equal(t, beforeB, afterB)
		afterMembers, err := svc.Members(bo, uuid.Nil, w.b.ID)
		require.NoError(t, err)
		assert.Equal(t, beforeMembers, afterMembers)
		pending, err := svc.PendingApprovals(ctx, w.approverB, w.b.ID)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		assert.Equal(t, company.Pending, pending[0].Status)
		acct, err := e.Service.Balances.Account(ctx, w.b.BillingCustomerID, w.b.Currency)
		require.NoError(t, err)
		assert.True(t, acct.Balance.IsZero(), "nothing was paid on B's account")
		for _, id := range []string{"x-" + w.adminA.String()[:8], "x-" + w.buyerA.String()[:8]} {
			_, err := e.Service.Orders.Get(ctx, id)
			assert.ErrorIs(t, err, order.ErrNotFound)
		}

		// A former member of B is an outsider too.
		require.NoError(t, svc.RemoveMember(ctx, w.adminB, w.b.ID, w.approverB))
		_, err = svc.Approve(ctx, w.approverB, w.approvalB.ID, "")
		require.ErrorIs(t, err, company.ErrNotFound, "a removed approver")
		_, err = svc.Get(ctx, w.approverB, w.b.ID)
		require.ErrorIs(t, err, company.ErrNotFound)
	})
}

// TestIssue12CrossTenantVendors: every Vendors call of a member of A on B's
// group or customer through A answers not found; a customer actor cannot
// submit or decide another's verification.
func TestIssue12CrossTenantVendors(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		v := e.Service.Vendors
		w := newVendorWorld(t, e)
		_, err := v.AddGroupMembers(clienteletest.BackOffice(), uuid.Nil, w.b.ID, w.groupB.ID, []uuid.UUID{w.custB})
		require.NoError(t, err)
		e.TakeEvents()
		for _, acting := range []uuid.UUID{w.ownerA, w.staffA} {
			_, err := v.VendorGroupMembers(ctx, acting, w.a.ID, w.groupB.ID, page.Request{})
			require.ErrorIs(t, err, group.ErrNotFound, "B's group members through A")
			_, err = v.RemoveGroupMembers(ctx, acting, w.a.ID, w.groupB.ID, []uuid.UUID{w.custB})
			require.Error(t, err)
			assert.True(t, errors.Is(err, group.ErrNotFound) || errors.Is(err, merchant.ErrForbidden), "%v", err)
			_, err = v.VendorCustomer(ctx, acting, w.a.ID, uuid.New())
			require.ErrorIs(t, err, customer.ErrNotFound)
			// B's member through A: not a member of A.
			_, err = v.UpdateMember(ctx, acting, w.a.ID, w.ownerB, merchant.Staff)
			require.Error(t, err)
			assert.False(t, errors.Is(err, merchant.ErrLastOwner), "never B's state: %v", err)
			_, err = v.RemoveMember(ctx, acting, w.a.ID, w.ownerB)
			require.Error(t, err)
			assert.False(t, errors.Is(err, merchant.ErrLastOwner), "never B's state: %v", err)
		}
		assert.Empty(t, e.TakeEventTypes(), "nothing was written")
		gm, err := v.VendorGroupMembers(clienteletest.BackOffice(), uuid.Nil, w.b.ID, w.groupB.ID, page.Request{})
		require.NoError(t, err)
		require.Len(t, gm.Items, 1, "B's group is as it was")

		// Verifications: a customer acts only for themself, and never decides.
		vs := e.Service.Verifications
		asA := actor.NewContext(ctx, actor.Customer(w.custA))
		_, err = vs.Submit(asA, verification.CustomerSubject(w.custB))
		require.ErrorIs(t, err, clientele.ErrActorRequired, "another customer's verification")
		_, err = vs.Submit(asA, verification.MerchantSubject(w.a.ID))
		require.ErrorIs(t, err, clientele.ErrActorRequired, "a merchant's verification")
		_, err = vs.Submit(asA, verification.CustomerSubject(w.custA))
		require.NoError(t, err, "their own")
		for name, call := range map[string]func() error{
			"Approve": func() error { _, err := vs.Approve(asA, verification.CustomerSubject(w.custA)); return err },
			"Reject":  func() error { _, err := vs.Reject(asA, verification.CustomerSubject(w.custA), "x"); return err },
			"Revoke":  func() error { _, err := vs.Revoke(asA, verification.CustomerSubject(w.custA), "x"); return err },
			"SetRiskFlags": func() error {
				_, err := vs.SetRiskFlags(asA, verification.CustomerSubject(w.custB), "fraud")
				return err
			},
			"ClearRiskFlag": func() error {
				_, err := vs.ClearRiskFlag(asA, verification.CustomerSubject(w.custA), "fraud")
				return err
			},
			"Approve other": func() error { _, err := vs.Approve(asA, verification.CustomerSubject(w.custB)); return err },
			"Submit as customer with empty ID": func() error {
				_, err := vs.Submit(actor.NewContext(ctx, actor.Actor{Kind: actor.KindCustomer}), verification.CustomerSubject(w.custB))
				return err
			},
		} {
			require.ErrorIs(t, call(), clientele.ErrActorRequired, name)
		}
		got, err := vs.Get(ctx, verification.CustomerSubject(w.custB))
		require.NoError(t, err)
		assert.Equal(t, verification.Unverified, got.Status)
		assert.Empty(t, got.FlagNames())
	})
}

// TestIssue12ConcurrentLimits: the limit holds with a per-order limit
// beside the period's, and for two buyers of one company at once, each by
// their own limit.
func TestIssue12ConcurrentLimits(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		admin, b1, b2 := e.MustRegister(), e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID)
		e.MustAddMember(admin.ID, c.ID, b1.ID, company.RoleBuyer, company.Limits{PerOrder: ptr(eurMoney(t, "15.00")),
			Period: &company.PeriodLimit{Period: company.Week, Amount: eurMoney(t, "100.00")}})
		e.MustAddMember(admin.ID, c.ID, b2.ID, company.RoleBuyer, company.Limits{
			Period: &company.PeriodLimit{Period: company.Month, Amount: eurMoney(t, "50.00")}})
		const n = 24
		type res struct {
			buyer uuid.UUID
			out   company.Outcome
			err   error
		}
		results := make(chan res, 2*n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 2 * n {
			buyer := b1.ID
			if i%2 == 1 {
				buyer = b2.ID
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out, err := e.Service.Companies.PlaceOrder(ctx, buyer, c.ID, order.Params{ID: fmt.Sprintf("cl-%d", i), Total: eurMoney(t, "10.00")})
				results <- res{buyer, out.Decision.Outcome, err}
			}()
		}
		close(start)
		wg.Wait()
		close(results)
		allowed := map[uuid.UUID]int{}
		for r := range results {
			require.NoError(t, r.err)
			if r.out == company.Allowed {
				allowed[r.buyer]++
			} else {
				require.Equal(t, company.NeedsApproval, r.out)
			}
		}
		assert.Equal(t, 10, allowed[b1.ID], "b1: 10 of 10.00 within 100.00")
		assert.Equal(t, 5, allowed[b2.ID], "b2: 5 of 10.00 within 50.00")
		pending, err := e.Service.Companies.PendingApprovals(ctx, admin.ID, c.ID)
		require.NoError(t, err)
		assert.Len(t, pending, 2*n-15)
		// Over the per-order limit is never allowed, whatever the period.
		out, err := e.Service.Companies.PlaceOrder(ctx, b1.ID, c.ID, order.Params{ID: "cl-big", Total: eurMoney(t, "16.00")})
		require.NoError(t, err)
		assert.Equal(t, company.NeedsApproval, out.Decision.Outcome)
	})
}

// TestIssue12ConcurrentApprove: of many approvers deciding one approval at
// once, exactly one succeeds and the order is recorded once; Approve and
// Reject racing leave exactly one decision.
func TestIssue12ConcurrentApprove(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service.Companies
		admin, buyer := e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID)
		approvers := []uuid.UUID{admin.ID}
		for range 3 {
			a := e.MustRegister().ID
			e.MustAddMember(admin.ID, c.ID, a, company.RoleApprover, company.Limits{})
			approvers = append(approvers, a)
		}
		e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{PerOrder: ptr(eurMoney(t, "1.00"))})
		for round := range 2 {
			id := fmt.Sprintf("ap-%d", round)
			p := e.MustPlaceCompanyOrder(buyer.ID, c.ID, id, "5.00 EUR")
			require.NotNil(t, p.Approval)
			e.TakeEvents()
			const n = 8
			errs := make([]error, n)
			approvedBy := make([]bool, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					who := approvers[i%len(approvers)]
					if round == 1 && i%2 == 1 {
						_, errs[i] = svc.Reject(ctx, who, p.Approval.ID, "no")
						return
					}
					_, errs[i] = svc.Approve(ctx, who, p.Approval.ID, "ok")
					approvedBy[i] = true
				}()
			}
			close(start)
			wg.Wait()
			wins, winApproved := 0, false
			for i, err := range errs {
				if err == nil {
					wins++
					winApproved = approvedBy[i]
					continue
				}
				require.ErrorIs(t, err, company.ErrInvalidTransition, "the losers, round %d", round)
			}
			require.Equal(t, 1, wins, "exactly one decides (round %d)", round)
			_, err := e.Service.Orders.Get(ctx, id)
			if winApproved {
				require.NoError(t, err, "the approved order is recorded")
			} else {
				require.ErrorIs(t, err, order.ErrNotFound, "a rejected order is not recorded")
			}
			types := e.TakeEventTypes()
			decided := 0
			for _, ty := range types {
				if strings.HasPrefix(string(ty), "company.approval_") {
					decided++
				}
			}
			assert.Equal(t, 1, decided, "one decision event: %v", types)
		}
	})
}

// TestIssue12CancelRacesApprove: an approval's order cancelled while it is
// approved: either the cancel finds no order (and the order stays), or it
// cancels the recorded order and its reservation is released.
func TestIssue12CancelRacesApprove(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service.Companies
		admin, buyer := e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID)
		e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{
			Period: &company.PeriodLimit{Period: company.Year, Amount: eurMoney(t, "100.00")}})
		for round := range 4 {
			first := e.MustPlaceCompanyOrder(buyer.ID, c.ID, fmt.Sprintf("cr-%d-a", round), "60.00 EUR")
			require.Equal(t, company.Allowed, first.Decision.Outcome)
			id := fmt.Sprintf("cr-%d-b", round)
			p := e.MustPlaceCompanyOrder(buyer.ID, c.ID, id, "60.00 EUR")
			require.NotNil(t, p.Approval)
			var wg sync.WaitGroup
			var approveErr, cancelErr error
			start := make(chan struct{})
			wg.Add(2)
			go func() { defer wg.Done(); <-start; _, approveErr = svc.Approve(ctx, admin.ID, p.Approval.ID, "") }()
			go func() {
				defer wg.Done()
				<-start
				_, cancelErr = e.Service.Orders.SetStatus(ctx, id, order.StatusCancelled)
			}()
			close(start)
			wg.Wait()
			require.NoError(t, approveErr)
			o, err := e.Service.Orders.Get(ctx, id)
			require.NoError(t, err)
			if cancelErr != nil {
				require.ErrorIs(t, cancelErr, order.ErrNotFound)
				require.NotEqual(t, order.StatusCancelled, o.Status)
				_, err = e.Service.Orders.SetStatus(ctx, id, order.StatusCancelled)
				require.NoError(t, err)
			} else {
				require.Equal(t, order.StatusCancelled, o.Status)
			}
			// Cancel the first too: the year's spend is 0 again, 100.00 fits.
			_, err = e.Service.Orders.SetStatus(ctx, first.Order.ID, order.StatusCancelled)
			require.NoError(t, err)
			full := e.MustPlaceCompanyOrder(buyer.ID, c.ID, fmt.Sprintf("cr-%d-c", round), "100.00 EUR")
			require.Equal(t, company.Allowed, full.Decision.Outcome, "round %d: both reservations released", round)
			_, err = e.Service.Orders.SetStatus(ctx, full.Order.ID, order.StatusCancelled)
			require.NoError(t, err)
		}
	})
}

// TestIssue12CancelledContext: every write with a cancelled context fails
// and writes nothing.
func TestIssue12CancelledContext(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		svc := e.Service.Companies
		w := newI12World(t, e)
		vw := newVendorWorld(t, e)
		newbie := e.MustRegister(clienteletest.Email("new@acme.example"))
		e.MustVerifyEmail(newbie.ID)
		bo := clienteletest.BackOffice()
		_, err := svc.Update(bo, uuid.Nil, w.a.ID, company.Patch{AutoJoinDomains: ptr([]string{"acme.example"})})
		require.NoError(t, err)
		e.TakeEvents()

		dead, cancel := context.WithCancel(context.Background())
		cancel()
		deadBO, cancelBO := context.WithCancel(bo)
		cancelBO()
		calls := companyCalls(dead, svc, w.adminB, w.b.ID, w.approvalB.ID, w.buyerB, "dead-1")
		calls["Create"] = func() error { _, err := svc.Create(dead, w.adminA, e.CompanyParams()); return err }
		calls["Create staff"] = func() error { _, err := svc.Create(deadBO, uuid.Nil, e.CompanyParams()); return err }
		calls["AutoJoin"] = func() error { _, _, err := svc.AutoJoin(dead, newbie.ID); return err }
		calls["CompaniesOf"] = func() error { _, err := svc.CompaniesOf(dead, w.buyerB, w.buyerB); return err }
		v := e.Service.Vendors
		calls["Vendors.AddMember"] = func() error {
			_, err := v.AddMember(dead, vw.ownerA, vw.a.ID, newbie.ID, merchant.Staff)
			return err
		}
		calls["Vendors.RelateCustomer"] = func() error {
			_, _, err := v.RelateCustomer(dead, vw.ownerA, vw.a.ID, newbie.ID, merchant.SourceManual)
			return err
		}
		calls["Vendors.CreateGroup"] = func() error {
			_, err := v.CreateGroup(dead, vw.ownerA, vw.a.ID, clientele.GroupParams{Name: "Dead"})
			return err
		}
		calls["Vendors.AddGroupMembers"] = func() error {
			_, err := v.AddGroupMembers(dead, vw.ownerA, vw.a.ID, vw.groupA.ID, []uuid.UUID{vw.custA})
			return err
		}
		calls["Vendors.Roles"] = func() error { _, err := v.Roles(dead, newbie.ID); return err }
		calls["Vendors.GrantOperator"] = func() error { _, err := v.GrantOperator(deadBO, newbie.ID, 1); return err }
		vs := e.Service.Verifications
		deadReviewer, cancelR := context.WithCancel(actor.NewContext(context.Background(), actor.Staff("rev")))
		cancelR()
		calls["Verifications.Submit"] = func() error {
			_, err := vs.Submit(deadReviewer, verification.CustomerSubject(newbie.ID))
			return err
		}
		calls["Verifications.SetRiskFlags"] = func() error {
			_, err := vs.SetRiskFlags(deadReviewer, verification.CustomerSubject(newbie.ID), "pep")
			return err
		}
		calls["Verifications.Get"] = func() error {
			_, err := vs.Get(dead, verification.CustomerSubject(newbie.ID))
			return err
		}
		for name, call := range calls {
			err := call()
			require.Error(t, err, name)
			assert.ErrorIs(t, err, context.Canceled, name)
		}
		assert.Empty(t, e.TakeEventTypes(), "nothing was written")
		ctx := context.Background()
		of, err := svc.CompaniesOf(ctx, newbie.ID, newbie.ID)
		require.NoError(t, err)
		assert.Empty(t, of, "not auto-joined")
		pending, err := svc.PendingApprovals(ctx, w.adminB, w.b.ID)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		_, err = e.Service.Orders.Get(ctx, "dead-1")
		require.ErrorIs(t, err, order.ErrNotFound)
		ver, err := vs.Get(ctx, verification.CustomerSubject(newbie.ID))
		require.NoError(t, err)
		assert.Equal(t, verification.Unverified, ver.Status)
		assert.Empty(t, ver.FlagNames())
	})
}

var hostileStrings = map[string]string{
	"sql":     "Robert'); DROP TABLE companies; -- \" ` \\ %_",
	"utf8":    "bad \xff\xfe utf8",
	"nul":     "nul\x00byte",
	"huge":    strings.Repeat("x", 1<<20),
	"control": "bell\a\x1b[31m",
}

// TestIssue12HostileInput: hostile strings and amounts are clean errors
// (or stored exactly), never a panic or a partial write.
func TestIssue12HostileInput(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service.Companies
		w := newI12World(t, e)
		vw := newVendorWorld(t, e)
		e.TakeEvents()
		kinds := []errcode.Code{errcode.Invalid}
		clean := func(name string, err error) {
			t.Helper()
			require.Error(t, err, name)
			assert.Contains(t, kinds, errcode.Of(err), "%s: %v", name, err)
			assert.Less(t, len(err.Error()), 4096, "%s: the error does not echo the input", name)
		}

		// The SQL one is a valid name and round-trips exactly.
		p := e.CompanyParams()
		p.Name = hostileStrings["sql"]
		p.Metadata = map[string]string{"note": hostileStrings["sql"]}
		c, err := svc.Create(ctx, w.adminA, p)
		require.NoError(t, err)
		got, err := svc.Get(ctx, w.adminA, c.ID)
		require.NoError(t, err)
		assert.Equal(t, hostileStrings["sql"], got.Name)
		assert.Equal(t, hostileStrings["sql"], got.Metadata["note"])
		e.TakeEvents()

		for k, s := range hostileStrings {
			if k == "sql" {
				continue
			}
			for field, set := range map[string]func(*company.Params){
				"name":     func(p *company.Params) { p.Name = s },
				"tax_id":   func(p *company.Params) { p.TaxID = s },
				"metadata": func(p *company.Params) { p.Metadata = map[string]string{"k": s} },
				"meta key": func(p *company.Params) { p.Metadata = map[string]string{s: "v"} },
				"price":    func(p *company.Params) { p.PriceListRef = s },
				"tz":       func(p *company.Params) { p.TimeZone = s },
				"domain":   func(p *company.Params) { p.AutoJoinDomains = []string{s} },
			} {
				p := e.CompanyParams()
				set(&p)
				_, err := svc.Create(ctx, w.adminA, p)
				if k == "control" && (field == "tax_id" || field == "metadata" || field == "meta key") {
					continue // tolerated or refused, not asserted
				}
				clean("Create "+field+" "+k, err)
				// The billing email is free again: no partial guest.
				_, _, gerr := e.Service.Customers.CreateGuest(ctx, customer.Params{Email: p.BillingEmail})
				require.NoError(t, gerr, "Create %s %s left a billing customer behind", field, k)
				require.Equal(t, []event.Type{event.CustomerCreated}, e.TakeEventTypes(), "Create %s %s wrote events", field, k)
			}
			_, err := svc.Update(ctx, w.adminA, w.a.ID, company.Patch{Name: ptr(s)})
			clean("Update name "+k, err)
			_, err = svc.Update(ctx, w.adminA, w.a.ID, company.Patch{Metadata: map[string]*string{"k": ptr(s)}})
			if k != "control" {
				clean("Update metadata "+k, err)
			}
			if k != "nul" && k != "control" {
				_, err = svc.Reject(ctx, w.adminB, w.approvalB.ID, s)
				clean("Reject reason "+k, err)
				_, err = svc.Approve(ctx, w.adminB, w.approvalB.ID, s)
				clean("Approve note "+k, err)
			}
			_, err = e.Service.Verifications.SetRiskFlags(clienteletest.BackOffice(), verification.CustomerSubject(vw.custA), s)
			clean("risk flag "+k, err)
			_, err = e.Service.Verifications.Reject(clienteletest.BackOffice(), verification.CustomerSubject(vw.custA), s)
			require.Error(t, err, "reject unsubmitted")
			_, err = e.Service.Vendors.CreateGroup(ctx, vw.ownerA, vw.a.ID, clientele.GroupParams{Name: s})
			clean("group name "+k, err)
			_, err = svc.PlaceOrder(ctx, w.buyerA, w.a.ID, order.Params{ID: s, Total: eurMoney(t, "1.00")})
			clean("order id "+k, err)
			_, err = svc.PayOnAccount(ctx, w.buyerA, w.a.ID, s, eurMoney(t, "1.00"))
			clean("pay order id "+k, err)
		}

		// Amounts.
		eur := balance.MustCurrency("EUR")
		huge := balance.FromMinorUnits(math.MaxInt64, eur)
		_, err = svc.PlaceOrder(ctx, w.buyerA, w.a.ID, order.Params{ID: "neg", Total: balance.FromMinorUnits(-100, eur)})
		clean("negative order", err)
		kinds = []errcode.Code{errcode.Invalid, errcode.FailedPrecondition}
		_, err = svc.PayOnAccount(ctx, w.buyerA, w.a.ID, "neg", balance.FromMinorUnits(-100, eur))
		clean("negative payment", err)
		_, err = svc.PayOnAccount(ctx, w.buyerA, w.a.ID, "zero", balance.Zero(eur))
		clean("zero payment", err)
		_, err = svc.PayOnAccount(ctx, w.buyerA, w.a.ID, "usd", clienteletest.MustMoney(t, "1.00 USD"))
		clean("payment in another currency", err)
		_, err = svc.PayOnAccount(ctx, w.buyerA, w.a.ID, "huge", huge)
		require.ErrorIs(t, err, balance.ErrInsufficientFunds, "huge payment")
		_, err = svc.PlaceOrder(ctx, w.buyerA, w.a.ID, order.Params{ID: "huge", Total: huge})
		require.ErrorIs(t, err, company.ErrOrderDenied, "over the credit")
		_, err = svc.Update(ctx, w.adminA, w.a.ID, company.Patch{CreditLimit: ptr(balance.FromMinorUnits(-1, eur))})
		clean("negative credit limit", err)
		_, err = svc.Update(ctx, w.adminA, w.a.ID, company.Patch{CreditLimit: ptr(clienteletest.MustMoney(t, "1.00 USD"))})
		clean("credit limit in USD", err)
		_, err = svc.AddMember(ctx, w.adminA, w.a.ID, vw.custA, clientele.MemberParams{Role: company.RoleBuyer,
			Limits: company.Limits{PerOrder: ptr(balance.FromMinorUnits(-1, eur))}})
		clean("negative per-order limit", err)
		_, err = svc.AddMember(ctx, w.adminA, w.a.ID, vw.custA, clientele.MemberParams{Role: company.Role(99)})
		clean("invalid role", err)
		assert.Empty(t, e.TakeEventTypes(), "nothing was written")
		acct, err := e.Service.Balances.Account(ctx, w.a.BillingCustomerID, w.a.Currency)
		require.NoError(t, err)
		assert.True(t, acct.Balance.IsZero())
		assert.True(t, acct.CreditLimit.Equal(eurMoney(t, "1000.00")))
	})
}

// TestIssue12HugeSpendDoesNotWrap: pending approvals near the int64 bound
// of a buyer whose company has no credit limit: the period's spend
// neither wraps under the limit nor fails every later order of the period
// (it is far over any limit: the orders need approval).
func TestIssue12HugeSpendDoesNotWrap(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		admin, buyer := e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID) // no credit limit
		e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{
			Period: &company.PeriodLimit{Period: company.Month, Amount: eurMoney(t, "100.00")}})
		eur := balance.MustCurrency("EUR")
		for i := range 3 {
			out, err := e.Service.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: fmt.Sprintf("h-%d", i),
				Total: balance.FromMinorUnits(math.MaxInt64/2+1, eur)})
			require.NoError(t, err, "huge order %d", i)
			assert.Equal(t, company.NeedsApproval, out.Decision.Outcome)
		}
		out, err := e.Service.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "h-small", Total: eurMoney(t, "1.00")})
		require.NoError(t, err, "a small order after the huge ones")
		assert.Equal(t, company.NeedsApproval, out.Decision.Outcome, "the spend is over the limit")
		pending, err := e.Service.Companies.PendingApprovals(ctx, admin.ID, c.ID)
		require.NoError(t, err)
		// Rejecting the huge ones frees the period again.
		for _, a := range pending {
			if a.OrderID != "h-small" {
				_, err := e.Service.Companies.Reject(ctx, admin.ID, a.ID, "")
				require.NoError(t, err)
			}
		}
		out, err = e.Service.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "h-next", Total: eurMoney(t, "1.00")})
		require.NoError(t, err)
		assert.Equal(t, company.Allowed, out.Decision.Outcome)
	})
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkJSON marshals v, checks every object key is snake_case and no
// secret is named, and unmarshals it into a new *T equal to v.
func checkJSON[T any](t *testing.T, name string, v T) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err, name)
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, vv := range x {
				assert.Regexp(t, snake, k, "%s: key %q", name, k)
				for _, bad := range []string{"hash", "secret", "token"} {
					assert.NotContains(t, k, bad, name)
				}
				assert.NotEqual(t, "password", k, name)
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	var generic any
	require.NoError(t, json.Unmarshal(b, &generic))
	walk(generic)
	var back T
	require.NoError(t, json.Unmarshal(b, &back), "%s: %s", name, b)
	assert.Equal(t, v, back, "%s round trip: %s", name, b)
}

// TestIssue12JSON: every value the calls return marshals to snake_case
// JSON and back unchanged.
func TestIssue12JSON(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service.Companies
		w := newI12World(t, e)
		c, err := svc.Update(ctx, w.adminA, w.a.ID, company.Patch{Metadata: map[string]*string{"k": ptr("v")},
			AutoJoinDomains: ptr([]string{"json.example"}), TimeZone: ptr("Europe/Berlin")})
		require.NoError(t, err)
		checkJSON(t, "company", c)
		ms, err := svc.Members(ctx, w.adminB, w.b.ID)
		require.NoError(t, err)
		for _, m := range ms {
			checkJSON(t, "member", m)
		}
		placed := e.MustPlaceCompanyOrder(w.buyerA, w.a.ID, "j-1", "10.00 EUR")
		checkJSON(t, "placed allowed", placed)
		big := e.MustPlaceCompanyOrder(w.buyerA, w.a.ID, "j-2", "500.00 EUR")
		a := *big.Approval
		a.Order = nil // not marshalled, by design
		checkJSON(t, "approval", a)
		approved, err := svc.Approve(ctx, w.adminA, big.Approval.ID, "fine")
		require.NoError(t, err)
		approved.Approval.Order = nil
		checkJSON(t, "placed approved", approved)
		posting, err := svc.PayOnAccount(ctx, w.buyerA, w.a.ID, "j-1", eurMoney(t, "10.00"))
		require.NoError(t, err)
		checkJSON(t, "posting", posting)

		vw := newVendorWorld(t, e)
		e.MustSubmitVerification(vw.custA)
		ver, err := e.Service.Verifications.SetRiskFlags(clienteletest.BackOffice(), verification.CustomerSubject(vw.custA), "pep")
		require.NoError(t, err)
		checkJSON(t, "verification", ver)
		hist, err := e.Service.Verifications.History(ctx, verification.CustomerSubject(vw.custA), page.Request{})
		require.NoError(t, err)
		checkJSON(t, "history", hist.Items)
		roles, err := e.Service.Vendors.Roles(ctx, vw.staffA)
		require.NoError(t, err)
		checkJSON(t, "roles", roles)
		members, err := e.Service.Vendors.Members(ctx, vw.ownerA, vw.a.ID, page.Request{})
		require.NoError(t, err)
		checkJSON(t, "merchant members", members.Items)
		rels, err := e.Service.Vendors.VendorCustomers(ctx, vw.ownerA, vw.a.ID, page.Request{})
		require.NoError(t, err)
		checkJSON(t, "relations", rels.Items)

		dup, surv := e.MustRegister(), e.MustRegister()
		e.MustAddMember(w.adminA, w.a.ID, dup.ID, company.RoleApprover, company.Limits{})
		mr, err := e.Service.Customers.Merge(clienteletest.BackOffice(), dup.ID, surv.ID)
		require.NoError(t, err)
		b, err := json.Marshal(mr)
		require.NoError(t, err)
		assert.NotContains(t, string(b), `"password"`)
		assert.NotContains(t, string(b), "$argon")
		var generic map[string]any
		require.NoError(t, json.Unmarshal(b, &generic))
		for k := range generic {
			assert.Regexp(t, snake, k)
		}
	})
}

// TestIssue12PeriodWindowBerlin: a day limit counts days of the company's
// time zone: 23:59 and 00:00 local are two days, whatever the UTC date.
func TestIssue12PeriodWindowBerlin(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		clock := clienteletest.NewClock(clienteletest.Epoch, 0)
		e := clienteletest.New(t, clienteletest.WithStore(store), clienteletest.WithClock(clock))
		ctx := context.Background()
		admin, buyer := e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID, clienteletest.TimeZone("Europe/Berlin"))
		e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{
			Period: &company.PeriodLimit{Period: company.Day, Amount: eurMoney(t, "100.00")}})
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		place := func(id, total string) company.Outcome {
			t.Helper()
			out, err := e.Service.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: id, Total: eurMoney(t, total)})
			require.NoError(t, err)
			return out.Decision.Outcome
		}
		for _, day := range []time.Time{
			time.Date(2025, 3, 10, 23, 59, 0, 0, berlin),  // CET: 22:59 UTC
			time.Date(2025, 3, 29, 23, 59, 0, 0, berlin),  // the eve of the spring change
			time.Date(2025, 10, 25, 23, 59, 0, 0, berlin), // the eve of the autumn change
			time.Date(2025, 7, 1, 23, 59, 59, 0, berlin),  // CEST: 21:59:59 UTC
		} {
			tag := day.Format("01-02")
			clock.Set(day)
			require.Equal(t, company.Allowed, place("bd-"+tag+"-1", "80.00"), "%s 23:59", tag)
			require.Equal(t, company.NeedsApproval, place("bd-"+tag+"-2", "30.00"), "%s 23:59 again", tag)
			midnight := time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, berlin)
			clock.Set(midnight)
			require.Equal(t, company.Allowed, place("bd-"+tag+"-3", "80.00"), "%s: 00:00 is a new day", tag)
			require.Equal(t, company.NeedsApproval, place("bd-"+tag+"-4", "30.00"), "%s: 00:00 again", tag)
			// One hour before midnight local, but another UTC day for CEST? No: still the previous local day.
			clock.Set(time.Date(day.Year(), day.Month(), day.Day()+1, 23, 0, 0, 0, berlin))
			require.Equal(t, company.NeedsApproval, place("bd-"+tag+"-5", "30.00"), "%s: 23:00 the next day is the same day", tag)
		}
	})
}

// TestIssue12AutoJoinDomainForms: a verified email joins the company whose
// domain differs only in case or in its IDNA form (U-label vs A-label).
func TestIssue12AutoJoinDomainForms(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		admin := e.MustRegister()
		cu := e.MustCreateCompany(admin.ID, clienteletest.AutoJoin("Bücher.Example"))
		ca := e.MustCreateCompany(admin.ID, clienteletest.AutoJoin("XN--STRAE-OQA.example"))
		_, err := e.Service.Companies.Create(ctx, admin.ID, e.CompanyParams(clienteletest.AutoJoin("xn--bcher-kva.EXAMPLE")))
		require.ErrorIs(t, err, company.ErrDomainTaken, "the A-label of a taken U-label")
		_, err = e.Service.Companies.Create(ctx, admin.ID, e.CompanyParams(clienteletest.AutoJoin("straße.example")))
		require.ErrorIs(t, err, company.ErrDomainTaken, "the U-label of a taken A-label")
		for email, want := range map[string]uuid.UUID{
			"a@xn--bcher-kva.example": cu.ID,
			"b@BÜCHER.EXAMPLE":        cu.ID,
			"c@bücher.example":        cu.ID,
			"d@straße.example":        ca.ID,
			"e@XN--STRAE-OQA.EXAMPLE": ca.ID,
			"f@sub.bücher.example":    uuid.Nil,
			"g@bucher.example":        uuid.Nil,
		} {
			c := e.MustRegister(clienteletest.Email(email))
			e.MustVerifyEmail(c.ID)
			m, joined, err := e.Service.Companies.AutoJoin(ctx, c.ID)
			require.NoError(t, err, email)
			assert.Equal(t, want, m.CompanyID, email)
			assert.Equal(t, want != uuid.Nil, joined, email)
		}
	})
}

// race runs fn(i) for i in [0, n) at once and returns the errors.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); <-start; errs[i] = fn(i) }()
	}
	close(start)
	wg.Wait()
	return errs
}

// TestIssue12ConcurrentAdminsAndDomains: two admins demoting or removing
// each other at once leave one admin; concurrent auto-joins of one
// customer join once; concurrent companies claiming one domain: one wins,
// the others get company.ErrDomainTaken; two companies paying the same
// order ID each pay on their own account.
func TestIssue12ConcurrentAdminsAndDomains(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service.Companies
		for round := range 2 {
			a1, a2 := e.MustRegister(), e.MustRegister()
			c := e.MustCreateCompany(a1.ID)
			e.MustAddMember(a1.ID, c.ID, a2.ID, company.RoleAdmin, company.Limits{})
			pair := [2]uuid.UUID{a1.ID, a2.ID}
			errs := race(2, func(i int) error {
				if round == 0 {
					_, err := svc.UpdateMember(ctx, pair[i], c.ID, pair[1-i], clientele.MemberParams{Role: company.RoleBuyer})
					return err
				}
				return svc.RemoveMember(ctx, pair[i], c.ID, pair[1-i])
			})
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else {
					assert.True(t, errors.Is(err, company.ErrForbidden) || errors.Is(err, company.ErrNotFound) ||
						errors.Is(err, company.ErrLastAdmin), "round %d: %v", round, err)
				}
			}
			assert.Equal(t, 1, ok, "round %d: exactly one change", round)
			ms, err := svc.Members(clienteletest.BackOffice(), uuid.Nil, c.ID)
			require.NoError(t, err)
			admins := 0
			for _, m := range ms {
				if m.Role == company.RoleAdmin {
					admins++
				}
			}
			assert.Equal(t, 1, admins, "round %d: one admin left", round)
		}

		admin := e.MustRegister()
		errs := race(6, func(int) error {
			_, err := svc.Create(ctx, admin.ID, e.CompanyParams(clienteletest.AutoJoin("race.example")))
			return err
		})
		created := 0
		for _, err := range errs {
			if err == nil {
				created++
			} else {
				require.ErrorIs(t, err, company.ErrDomainTaken)
			}
		}
		require.Equal(t, 1, created)
		joiner := e.MustRegister(clienteletest.Email("j@RACE.example"))
		e.MustVerifyEmail(joiner.ID)
		var mu sync.Mutex
		joins := 0
		errs = race(6, func(int) error {
			_, joined, err := svc.AutoJoin(ctx, joiner.ID)
			if joined {
				mu.Lock()
				joins++
				mu.Unlock()
			}
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		assert.Equal(t, 1, joins, "joined once")
		of, err := svc.CompaniesOf(ctx, joiner.ID, joiner.ID)
		require.NoError(t, err)
		assert.Len(t, of, 1)

		w := newI12World(t, e)
		pb, err := svc.PayOnAccount(ctx, w.buyerB, w.b.ID, "shared-1", eurMoney(t, "50.00"))
		require.NoError(t, err)
		pa, err := svc.PayOnAccount(ctx, w.buyerA, w.a.ID, "shared-1", eurMoney(t, "70.00"))
		require.NoError(t, err, "another company's order ID is no reuse")
		assert.NotEqual(t, pb.ID, pa.ID)
		for _, cc := range []struct {
			c    company.Company
			want string
		}{{w.a, "-70.00"}, {w.b, "-50.00"}} {
			acct, err := e.Service.Balances.Account(ctx, cc.c.BillingCustomerID, cc.c.Currency)
			require.NoError(t, err)
			assert.True(t, acct.Balance.Equal(eurMoney(t, cc.want)), "%s", acct.Balance)
		}
	})
}

// TestIssue12ConcurrentVendorAndKYCWrites: idempotent or exclusive writes
// racing on one record answer cleanly on every engine: one relation
// created, one member added (the others merchant.ErrMemberTaken), one
// submission (the others verification.ErrInvalidTransition), flags set
// once, one operator grant, one company order placed per order ID.
func TestIssue12ConcurrentVendorAndKYCWrites(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		v := e.Service.Vendors
		m, owner := e.MustVendor("Racy")
		cust := e.MustRegister()
		const n = 6
		var mu sync.Mutex
		created := 0
		for _, err := range race(n, func(int) error {
			_, c, err := v.RelateCustomer(ctx, owner.CustomerID, m.ID, cust.ID, merchant.SourceOrder)
			if c {
				mu.Lock()
				created++
				mu.Unlock()
			}
			return err
		}) {
			require.NoError(t, err, "RelateCustomer")
		}
		assert.Equal(t, 1, created)
		added := 0
		for _, err := range race(n, func(int) error {
			_, err := v.AddMember(ctx, owner.CustomerID, m.ID, cust.ID, merchant.Staff)
			return err
		}) {
			if err == nil {
				added++
			} else {
				require.ErrorIs(t, err, merchant.ErrMemberTaken)
			}
		}
		assert.Equal(t, 1, added)
		for _, err := range race(n, func(int) error {
			_, err := e.Service.Verifications.SetRiskFlags(clienteletest.BackOffice(), verification.CustomerSubject(cust.ID), "pep")
			return err
		}) {
			require.NoError(t, err, "SetRiskFlags")
		}
		submitted := 0
		asCust := actor.NewContext(ctx, actor.Customer(cust.ID))
		for _, err := range race(n, func(int) error {
			_, err := e.Service.Verifications.Submit(asCust, verification.CustomerSubject(cust.ID))
			return err
		}) {
			if err == nil {
				submitted++
			} else {
				require.ErrorIs(t, err, verification.ErrInvalidTransition)
			}
		}
		assert.Equal(t, 1, submitted)
		other := e.MustRegister()
		for _, err := range race(n, func(int) error {
			_, err := e.Service.Verifications.Submit(clienteletest.BackOffice(), verification.MerchantSubject(m.ID))
			if errors.Is(err, verification.ErrInvalidTransition) {
				return nil
			}
			return err
		}) {
			require.NoError(t, err, "merchant Submit")
		}
		for _, err := range race(n, func(int) error {
			_, err := v.GrantOperator(clienteletest.BackOffice(), other.ID, 1)
			return err
		}) {
			require.NoError(t, err, "GrantOperator")
		}
		ver, err := e.Service.Verifications.Get(ctx, verification.CustomerSubject(cust.ID))
		require.NoError(t, err)
		assert.Equal(t, verification.Pending, ver.Status)
		assert.Equal(t, []string{"pep"}, ver.FlagNames())

		admin, buyer := e.MustRegister(), e.MustRegister()
		c := e.MustCreateCompany(admin.ID)
		e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{PerOrder: ptr(eurMoney(t, "5.00"))})
		for _, total := range []string{"1.00", "9.00"} {
			id := "same-" + total
			for _, err := range race(n, func(int) error {
				_, err := e.Service.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: id, Total: eurMoney(t, total)})
				return err
			}) {
				require.NoError(t, err, "PlaceOrder %s", id)
			}
		}
		pending, err := e.Service.Companies.PendingApprovals(ctx, admin.ID, c.ID)
		require.NoError(t, err)
		assert.Len(t, pending, 1)
	})
}
