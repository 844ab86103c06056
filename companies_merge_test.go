package clientele_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// TestCompaniesMergeAndErase: a merge moves the duplicate's memberships
// (the stronger role wins where both are members, the survivor's limits
// stay), an approval the duplicate asked for records the order for the
// survivor, a company's billing customer is never merged, and an erasure
// takes the customer out of every company — on every store.
func TestCompaniesMergeAndErase(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := context.Background()
		svc := e.Service.Companies
		admin, approver := e.MustRegister(), e.MustRegister()
		dup, surv := e.MustRegister(), e.MustRegister()
		a := e.MustCreateCompany(admin.ID)
		b := e.MustCreateCompany(admin.ID)
		e.MustAddMember(admin.ID, a.ID, approver.ID, company.RoleApprover, company.Limits{})
		// In A the duplicate is an approver and the survivor a buyer with a
		// per-order limit; in B only the duplicate is a member.
		e.MustAddMember(admin.ID, a.ID, dup.ID, company.RoleApprover, company.Limits{})
		limit := eurMoney(t, "100.00")
		e.MustAddMember(admin.ID, a.ID, surv.ID, company.RoleBuyer, company.Limits{PerOrder: &limit})
		e.MustAddMember(admin.ID, b.ID, dup.ID, company.RoleBuyer, company.Limits{})
		e.MustAddMember(admin.ID, a.ID, e.MustRegister().ID, company.RoleBuyer, company.Limits{}) // a bystander
		asked := e.MustPlaceCompanyOrder(dup.ID, b.ID, "merge-po-1", "50.00 EUR")
		require.Equal(t, company.Allowed, asked.Decision.Outcome)
		_, err := svc.UpdateMember(ctx, admin.ID, b.ID, dup.ID, clientele.MemberParams{Role: company.RoleBuyer,
			Limits: company.Limits{PerOrder: ptr(eurMoney(t, "10.00"))}})
		require.NoError(t, err)
		pending := e.MustPlaceCompanyOrder(dup.ID, b.ID, "merge-po-2", "60.00 EUR")
		require.Equal(t, company.NeedsApproval, pending.Decision.Outcome)

		res := e.MustMerge(dup.ID, surv.ID)
		assert.Equal(t, 2, res.Companies)

		ma, err := svc.Members(ctx, admin.ID, a.ID)
		require.NoError(t, err)
		roles := map[string]company.Role{}
		for _, m := range ma {
			roles[m.CustomerID.String()] = m.Role
			assert.NotEqual(t, dup.ID, m.CustomerID, "the duplicate left A")
			if m.CustomerID == surv.ID {
				require.NotNil(t, m.Limits.PerOrder)
				assert.True(t, m.Limits.PerOrder.Equal(limit), "the survivor's limits stay")
			}
		}
		assert.Equal(t, company.RoleApprover, roles[surv.ID.String()], "the stronger role wins")
		assert.Len(t, ma, 4, "admin, approver, survivor, bystander")
		mb, err := svc.Members(ctx, admin.ID, b.ID)
		require.NoError(t, err)
		require.Len(t, mb, 2)
		moved := mb[0]
		if moved.CustomerID == admin.ID {
			moved = mb[1]
		}
		assert.Equal(t, surv.ID, moved.CustomerID, "the membership in B moved")
		assert.Equal(t, company.RoleBuyer, moved.Role)
		require.NotNil(t, moved.Limits.PerOrder, "with its limits")

		// The approval the duplicate asked for records the survivor's order.
		placed, err := svc.Approve(ctx, admin.ID, pending.Approval.ID, "ok")
		require.NoError(t, err)
		require.NotNil(t, placed.Order)
		assert.Equal(t, surv.ID, placed.Order.CustomerID)

		// The billing customer holds the company's credit: never merged.
		billingDup := e.MustGuest()
		_, err = e.Service.Customers.Merge(staff(ctx), billingDup.ID, a.BillingCustomerID)
		assert.ErrorIs(t, err, customer.ErrMergeRefused)
		_, err = e.Service.Customers.Merge(staff(ctx), a.BillingCustomerID, surv.ID)
		assert.ErrorIs(t, err, customer.ErrMergeRefused)

		// Erasure takes the customer out of every company.
		_, err = e.Service.Customers.Erase(staff(ctx), surv.ID)
		require.NoError(t, err)
		of, err := svc.CompaniesOf(staff(ctx), surv.ID, surv.ID)
		if err == nil {
			assert.Empty(t, of)
		}
		ma, err = svc.Members(ctx, admin.ID, a.ID)
		require.NoError(t, err)
		assert.Len(t, ma, 3)
		mb, err = svc.Members(ctx, admin.ID, b.ID)
		require.NoError(t, err)
		assert.Len(t, mb, 1)
	})
}
