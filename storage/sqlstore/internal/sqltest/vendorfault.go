package sqltest

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
)

// backOffice is the context of the operator's staff.
func (f *faultFixture) backOffice() context.Context {
	return actor.NewContext(f.ctx, actor.Staff("ops-1"))
}

// vendor creates a merchant under name whose owner is the customer owner
// (registered under owner's name).
func (f *faultFixture) vendor(name, owner string) uuid.UUID {
	f.t.Helper()
	m, err := f.svc.Merchants.Create(f.ctx, merchant.Params{Name: name, BillingAddress: faultAddress("1 Vendor Way")})
	f.must("create merchant", err)
	f.ids[name] = m.ID
	f.register(owner, owner+"@example.com")
	f.member(name, owner, merchant.Owner)
	return m.ID
}

// member adds the customer to the merchant with role, by the back office.
func (f *faultFixture) member(merchantName, customerName string, role merchant.Role) {
	f.t.Helper()
	_, err := f.svc.Vendors.AddMember(f.backOffice(), uuid.Nil, f.ids[merchantName], f.ids[customerName], role)
	f.must("add member", err)
}

func memberDigest(m merchant.Member) string {
	return fmt.Sprintf("%s %s %s", m.MerchantID, m.CustomerID, m.Role)
}

// vendorFaultOps are the writes of Vendors, and the merchant's deletion,
// merge and erasure with marketplace roles.
var vendorFaultOps = []faultOp{
	{
		name: "Vendors.AddMember",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("bob", "bob@example.com")
		},
		run: func(f *faultFixture) (string, error) {
			m, err := f.svc.Vendors.AddMember(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["bob"], merchant.Staff)
			return memberDigest(m), err
		},
	},
	{
		name: "Vendors.UpdateMember(demote an owner)",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("bob", "bob@example.com")
			f.member("shoes", "bob", merchant.Owner)
		},
		run: func(f *faultFixture) (string, error) {
			m, err := f.svc.Vendors.UpdateMember(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["bob"], merchant.Admin)
			return memberDigest(m), err
		},
	},
	{
		name: "Vendors.RemoveMember(an owner)",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("bob", "bob@example.com")
			f.member("shoes", "bob", merchant.Owner)
		},
		run: func(f *faultFixture) (string, error) {
			m, err := f.svc.Vendors.RemoveMember(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["bob"])
			return memberDigest(m), err
		},
	},
	{
		name: "Vendors.RelateCustomer",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("buyer", "buyer@example.com")
		},
		run: func(f *faultFixture) (string, error) {
			r, _, err := f.svc.Vendors.RelateCustomer(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["buyer"], merchant.SourceOrder)
			return fmt.Sprintf("%s %s %s", r.MerchantID, r.CustomerID, r.Source), err
		},
		replay: true,
	},
	{
		name:  "Vendors.CreateGroup",
		setup: func(f *faultFixture) { f.vendor("shoes", "ada") },
		run: func(f *faultFixture) (string, error) {
			g, err := f.svc.Vendors.CreateGroup(f.ctx, f.ids["ada"], f.ids["shoes"], clientele.GroupParams{Name: "Regulars"})
			return fmt.Sprintf("%s %s", g.ID, g.OwnerMerchantID), err
		},
	},
	{
		name: "Vendors.AddGroupMembers",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("buyer", "buyer@example.com")
			f.register("stranger", "stranger@example.com")
			_, _, err := f.svc.Vendors.RelateCustomer(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["buyer"], merchant.SourceOrder)
			f.must("relate", err)
			g, err := f.svc.Vendors.CreateGroup(f.ctx, f.ids["ada"], f.ids["shoes"], clientele.GroupParams{Name: "Regulars"})
			f.must("group", err)
			f.ids["regulars"] = g.ID
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Vendors.AddGroupMembers(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["regulars"],
				[]uuid.UUID{f.ids["buyer"], f.ids["stranger"]})
			out := ""
			for _, r := range res {
				out += fmt.Sprintf("%s %s; ", r.CustomerID, r.Outcome)
			}
			return out, err
		},
	},
	{
		name:  "Vendors.GrantOperator",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			s, err := f.svc.Vendors.GrantOperator(f.backOffice(), f.ids["ada"], operator.Admin)
			return fmt.Sprintf("%s %s", s.CustomerID, s.Role), err
		},
		replay: true,
	},
	{
		name: "Vendors.RevokeOperator",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			_, err := f.svc.Vendors.GrantOperator(f.backOffice(), f.ids["ada"], operator.Support)
			f.must("grant", err)
		},
		run: func(f *faultFixture) (string, error) {
			s, err := f.svc.Vendors.RevokeOperator(f.backOffice(), f.ids["ada"])
			return fmt.Sprintf("%s %s", s.CustomerID, s.Role), err
		},
	},
	{
		name: "Merchants.Delete(with members, customers and groups)",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("buyer", "buyer@example.com")
			_, _, err := f.svc.Vendors.RelateCustomer(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["buyer"], merchant.SourceOrder)
			f.must("relate", err)
			_, err = f.svc.Vendors.CreateGroup(f.ctx, f.ids["ada"], f.ids["shoes"], clientele.GroupParams{Name: "Regulars"})
			f.must("group", err)
		},
		run: func(f *faultFixture) (string, error) {
			return "deleted", f.svc.Merchants.Delete(f.ctx, f.ids["shoes"])
		},
	},
	{
		name: "Customers.Merge(marketplace roles)",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.vendor("hats", "bob")
			f.member("shoes", "bob", merchant.Staff) // both members: bob's stronger role wins
			_, _, err := f.svc.Vendors.RelateCustomer(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["bob"], merchant.SourceOrder)
			f.must("relate", err)
			_, err = f.svc.Vendors.GrantOperator(f.backOffice(), f.ids["bob"], operator.Support)
			f.must("grant", err)
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Customers.Merge(f.backOffice(), f.ids["bob"], f.ids["ada"])
			return fmt.Sprintf("%s into %s", res.Tombstone.MergedID, res.Tombstone.SurvivorID), err
		},
		replay: true,
	},
	{
		name: "Customers.Erase(marketplace roles)",
		setup: func(f *faultFixture) {
			f.vendor("shoes", "ada")
			f.register("bob", "bob@example.com")
			f.member("shoes", "bob", merchant.Admin)
			_, _, err := f.svc.Vendors.RelateCustomer(f.ctx, f.ids["ada"], f.ids["shoes"], f.ids["bob"], merchant.SourceOrder)
			f.must("relate", err)
			_, err = f.svc.Vendors.GrantOperator(f.backOffice(), f.ids["bob"], operator.Support)
			f.must("grant", err)
		},
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Customers.Erase(f.ctx, f.ids["bob"])
			return fmt.Sprintf("%s %s", c.ID, c.State), err
		},
	},
}
