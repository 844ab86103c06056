package sqltest

import (
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/order"
)

var faultEUR = balance.MustCurrency("EUR")

// faultCompany creates Acme with ada as its admin and bob as a buyer whose
// orders over 100 EUR need approval.
func (f *faultFixture) faultCompany() {
	f.t.Helper()
	f.register("ada", "ada@example.com")
	f.register("bob", "bob@example.com")
	c, err := f.svc.Companies.Create(f.ctx, f.ids["ada"], company.Params{Name: "Acme", Currency: faultEUR,
		CreditLimit: balance.FromMinorUnits(1000_00, faultEUR), BillingEmail: "billing@acme.example",
		AutoJoinDomains: []string{"acme.example"}})
	f.must("create company", err)
	f.ids["acme"] = c.ID
	limit := balance.FromMinorUnits(100_00, faultEUR)
	_, err = f.svc.Companies.AddMember(f.ctx, f.ids["ada"], c.ID, f.ids["bob"], clientele.MemberParams{Role: company.RoleBuyer,
		Limits: company.Limits{PerOrder: &limit, Period: &company.PeriodLimit{Period: company.Month, Amount: balance.FromMinorUnits(500_00, faultEUR)}}})
	f.must("add member", err)
}

// placeFault places bob's order id of units cents.
func (f *faultFixture) placeFault(id string, units int64) (clientele.PlacedOrder, error) {
	return f.svc.Companies.PlaceOrder(f.ctx, f.ids["bob"], f.ids["acme"], order.Params{ID: id, Total: balance.FromMinorUnits(units, faultEUR)})
}

func placedDigest(p clientele.PlacedOrder) string {
	s := p.Decision.Outcome.String()
	if p.Order != nil {
		s += " order " + p.Order.ID
	}
	if p.Approval != nil {
		s += fmt.Sprintf(" approval %s %s", p.Approval.OrderID, p.Approval.Status)
	}
	return s
}

// companyFaultOps are the writes of Companies.
var companyFaultOps = []faultOp{
	{
		name:  "Companies.Create",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Companies.Create(f.ctx, f.ids["ada"], company.Params{Name: "Acme", Currency: faultEUR,
				CreditLimit: balance.FromMinorUnits(1000_00, faultEUR), BillingEmail: "billing@acme.example",
				AutoJoinDomains: []string{"acme.example"}})
			return fmt.Sprintf("%s %s v%d", c.Name, c.AutoJoinDomains, c.Version), err
		},
	},
	{
		name:  "Companies.UpdateMember",
		setup: func(f *faultFixture) { f.faultCompany() },
		run: func(f *faultFixture) (string, error) {
			m, err := f.svc.Companies.UpdateMember(f.ctx, f.ids["ada"], f.ids["acme"], f.ids["bob"],
				clientele.MemberParams{Role: company.RoleApprover})
			return fmt.Sprintf("%s v%d", m.Role, m.Version), err
		},
	},
	{
		name:  "Companies.PlaceOrder(allowed)",
		setup: func(f *faultFixture) { f.faultCompany() },
		run: func(f *faultFixture) (string, error) {
			p, err := f.placeFault("co-1", 50_00)
			return placedDigest(p), err
		},
		replay: true,
	},
	{
		name:  "Companies.PlaceOrder(needs approval)",
		setup: func(f *faultFixture) { f.faultCompany() },
		run: func(f *faultFixture) (string, error) {
			p, err := f.placeFault("co-1", 150_00)
			return placedDigest(p), err
		},
		replay: true,
	},
	{
		name: "Companies.Approve",
		setup: func(f *faultFixture) {
			f.faultCompany()
			p, err := f.placeFault("co-1", 150_00)
			f.must("place order", err)
			f.ids["approval"] = p.Approval.ID
		},
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Companies.Approve(f.ctx, f.ids["ada"], f.ids["approval"], "ok")
			return placedDigest(p), err
		},
	},
	{
		name: "Companies.Reject",
		setup: func(f *faultFixture) {
			f.faultCompany()
			p, err := f.placeFault("co-1", 150_00)
			f.must("place order", err)
			f.ids["approval"] = p.Approval.ID
		},
		run: func(f *faultFixture) (string, error) {
			a, err := f.svc.Companies.Reject(f.ctx, f.ids["ada"], f.ids["approval"], "no")
			return fmt.Sprintf("%s %s", a.OrderID, a.Status), err
		},
	},
	{
		name: "Orders.SetStatus(cancel a company order)",
		setup: func(f *faultFixture) {
			f.faultCompany()
			_, err := f.placeFault("co-1", 50_00)
			f.must("place order", err)
		},
		run: func(f *faultFixture) (string, error) {
			o, err := f.svc.Orders.SetStatus(f.ctx, "co-1", order.StatusCancelled)
			return fmt.Sprintf("%s %s", o.ID, o.Status), err
		},
	},
	{
		name:  "Companies.PayOnAccount",
		setup: func(f *faultFixture) { f.faultCompany() },
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Companies.PayOnAccount(f.ctx, f.ids["bob"], f.ids["acme"], "co-1", balance.FromMinorUnits(300_00, faultEUR))
			return fmt.Sprintf("%s %s", p.Amount, p.EndingBalance), err
		},
		replay: true,
	},
}
