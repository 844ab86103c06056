package clienteletest

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/order"
)

// CompanyOption changes the params MustCreateCompany uses.
type CompanyOption func(*company.Params)

// CreditLimit sets the company's credit limit on account ("5000.00 EUR").
func CreditLimit(m balance.Money) CompanyOption {
	return func(p *company.Params) { p.CreditLimit = m }
}

// AutoJoin sets the company's auto-join domains.
func AutoJoin(domains ...string) CompanyOption {
	return func(p *company.Params) { p.AutoJoinDomains = domains }
}

// TimeZone sets the company's time zone.
func TimeZone(tz string) CompanyOption { return func(p *company.Params) { p.TimeZone = tz } }

// CompanyParams returns valid params of a company in EUR with a unique
// name and billing email, changed by opts.
func (e *Env) CompanyParams(opts ...CompanyOption) company.Params {
	n := e.next()
	p := company.Params{Name: fmt.Sprintf("Company %d", n), Currency: balance.MustCurrency("EUR"),
		BillingEmail: fmt.Sprintf("billing%d@company.example", n), PaymentTermsDays: 30}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// MustCreateCompany creates a company whose first admin is the registered
// customer adminID.
func (e *Env) MustCreateCompany(adminID uuid.UUID, opts ...CompanyOption) company.Company {
	e.TB.Helper()
	c, err := e.Service.Companies.Create(context.Background(), adminID, e.CompanyParams(opts...))
	e.must(err, "create company")
	return c
}

// MustAddMember adds the registered customer to the company with role and
// limits, acting as the admin adminID.
func (e *Env) MustAddMember(adminID, companyID, customerID uuid.UUID, role company.Role, limits company.Limits) company.Member {
	e.TB.Helper()
	m, err := e.Service.Companies.AddMember(context.Background(), adminID, companyID, customerID,
		clientele.MemberParams{Role: role, Limits: limits})
	e.must(err, "add company member")
	return m
}

// MustPlaceCompanyOrder places the buyer's order orderID of total ("120.00
// EUR") for the company and returns the outcome (an error fails the test,
// a denial included).
func (e *Env) MustPlaceCompanyOrder(buyerID, companyID uuid.UUID, orderID, total string) clientele.PlacedOrder {
	e.TB.Helper()
	out, err := e.Service.Companies.PlaceOrder(context.Background(), buyerID, companyID,
		order.Params{ID: orderID, Total: MustMoney(e.TB, total)})
	e.must(err, "place company order %q", orderID)
	return out
}

// MustVerifyEmail verifies the registered customer's email, as the link of
// Accounts.RequestEmailVerification does.
func (e *Env) MustVerifyEmail(customerID uuid.UUID) {
	e.TB.Helper()
	ctx := context.Background()
	issued, err := e.Service.Accounts.RequestEmailVerification(ctx, customerID)
	e.must(err, "request email verification")
	_, err = e.Service.Accounts.VerifyEmail(ctx, issued.Token)
	e.must(err, "verify email")
}
