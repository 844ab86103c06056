package clienteletest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
)

// CustomerOption changes the parameters a customer builder starts from.
type CustomerOption func(*customer.Params)

// Email sets the customer's email address.
func Email(email string) CustomerOption { return func(p *customer.Params) { p.Email = email } }

// Name sets the customer's first and last name.
func Name(first, last string) CustomerOption {
	return func(p *customer.Params) { p.FirstName, p.LastName = first, last }
}

// Business makes the customer a business with a company name and VAT ID.
func Business(company, vatID string) CustomerOption {
	return func(p *customer.Params) {
		p.Type, p.Company, p.VATID = customer.TypeBusiness, company, vatID
	}
}

// Phone sets the customer's phone number (E.164, "+4930123456").
func Phone(phone string) CustomerOption { return func(p *customer.Params) { p.Phone = phone } }

// Tags adds tags to the customer.
func Tags(tags ...string) CustomerOption {
	return func(p *customer.Params) { p.Tags = append(p.Tags, tags...) }
}

// Metadata sets one metadata entry.
func Metadata(key, value string) CustomerOption {
	return func(p *customer.Params) {
		if p.Metadata == nil {
			p.Metadata = map[string]string{}
		}
		p.Metadata[key] = value
	}
}

// Reference sets the customer's external reference and its origin.
func Reference(origin, reference string) CustomerOption {
	return func(p *customer.Params) { p.ReferenceOrigin, p.Reference = origin, reference }
}

// Note sets the customer's internal note.
func Note(note string) CustomerOption { return func(p *customer.Params) { p.Note = note } }

// CustomerParams returns valid customer parameters: a private customer named
// "Customer <n>" with the email customer-<n>@example.com, where n is unique
// within the environment, changed by opts.
func (e *Env) CustomerParams(opts ...CustomerOption) customer.Params {
	n := e.next()
	p := customer.Params{
		Email:     fmt.Sprintf("customer-%d@example.com", n),
		FirstName: "Customer",
		LastName:  fmt.Sprint(n),
	}
	for _, opt := range opts {
		opt(&p)
	}
	return p
}

// MustRegister registers an active customer built from CustomerParams(opts...)
// and fails the test on error.
func (e *Env) MustRegister(opts ...CustomerOption) customer.Customer {
	e.TB.Helper()
	c, err := e.Service.Customers.Register(context.Background(), e.CustomerParams(opts...))
	e.must(err, "register customer")
	return c
}

// MustGuest finds or creates a guest built from CustomerParams(opts...) and
// fails the test on error.
func (e *Env) MustGuest(opts ...CustomerOption) customer.Customer {
	e.TB.Helper()
	c, _, err := e.Service.Customers.CreateGuest(context.Background(), e.CustomerParams(opts...))
	e.must(err, "create guest")
	return c
}

// Address returns a valid address in Berlin, changed by p (patch semantics:
// only the fields p sets).
func Address(p address.Patch) address.Address {
	a := address.Address{
		FirstName:  "Ada",
		LastName:   "Lovelace",
		Line1:      "Unter den Linden 1",
		City:       "Berlin",
		PostalCode: "10117",
		Country:    "DE",
		Phone:      "+4930123456",
	}
	return p.Overlay(a)
}

// MustAddAddress adds Address(p) to the customer's book.
func (e *Env) MustAddAddress(customerID uuid.UUID, p address.Patch) address.Entry {
	e.TB.Helper()
	entry, _, err := e.Service.Addresses.Add(context.Background(), customerID, Address(p))
	e.must(err, "add address")
	return entry
}

// MustGroup creates a group with the name.
func (e *Env) MustGroup(name string) group.Group {
	e.TB.Helper()
	g, err := e.Service.Groups.Create(context.Background(), clientele.GroupParams{Name: name})
	e.must(err, "create group %q", name)
	return g
}

// MustJoin adds the customers to the group and fails the test unless each
// is added or already a member.
func (e *Env) MustJoin(groupID uuid.UUID, customerIDs ...uuid.UUID) {
	e.TB.Helper()
	results, err := e.Service.Groups.AddMembers(context.Background(), groupID, customerIDs)
	e.must(err, "add members")
	for _, r := range results {
		e.must(r.Err, "add member %s", r.CustomerID)
	}
}

// MustJoinFor adds the customers to the group for the window v (a
// season's VIPs: group.Validity{Until: end}), or sets the window of those
// who are members already, and fails the test unless each succeeds. The
// window is judged by the Env's Clock.
func (e *Env) MustJoinFor(groupID uuid.UUID, v group.Validity, customerIDs ...uuid.UUID) {
	e.TB.Helper()
	results, err := e.Service.Groups.AddMembersFor(context.Background(), groupID, customerIDs, v)
	e.must(err, "add members for %v to %v", v.From, v.Until)
	for _, r := range results {
		e.must(r.Err, "add member %s", r.CustomerID)
	}
}

// MustMerchant creates a merchant with the name and a Berlin billing address.
func (e *Env) MustMerchant(name string) merchant.Merchant {
	e.TB.Helper()
	m, err := e.Service.Merchants.Create(context.Background(), merchant.Params{
		Name:           name,
		BillingAddress: Address(address.Patch{Company: &name}),
	})
	e.must(err, "create merchant %q", name)
	return m
}

// MarketOption changes the parameters a market builder starts from.
type MarketOption func(*market.Params)

// Private restricts the market to members of the groups.
func Private(groupIDs ...uuid.UUID) MarketOption {
	return func(p *market.Params) { p.AccessGroups = append(p.AccessGroups, groupIDs...) }
}

// RequireVerified makes a private market admit only verified customers
// (see MustVerify).
func RequireVerified() MarketOption {
	return func(p *market.Params) { p.RequireVerified = true }
}

// B2B makes the market a business-to-business one.
func B2B() MarketOption {
	return func(p *market.Params) { p.BusinessModel = market.BusinessModelB2B }
}

// MustMarket creates a public B2C market of the merchant with the code,
// selling in the currency, changed by opts.
func (e *Env) MustMarket(merchantID uuid.UUID, code, currency string, opts ...MarketOption) market.Market {
	e.TB.Helper()
	p := market.Params{
		MerchantID:    merchantID,
		Code:          code,
		Name:          strings.ToUpper(code[:1]) + code[1:],
		BusinessModel: market.BusinessModelB2C,
		Currency:      e.MustCurrency(currency),
	}
	for _, opt := range opts {
		opt(&p)
	}
	m, err := e.Service.Markets.Create(context.Background(), p)
	e.must(err, "create market %q", code)
	return m
}

// MustCurrency parses an ISO 4217 code.
func (e *Env) MustCurrency(code string) balance.Currency {
	e.TB.Helper()
	c, err := balance.ParseCurrency(code)
	e.must(err, "currency %q", code)
	return c
}

// MustMoney parses "12.34 USD" (an amount, a space, a currency code).
func MustMoney(tb testing.TB, s string) balance.Money {
	tb.Helper()
	amount, code, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		tb.Fatalf("clienteletest: money %q: want \"<amount> <currency>\"", s)
	}
	m, err := balance.ParseMoney(amount, code)
	if err != nil {
		tb.Fatalf("clienteletest: money %q: %v", s, err)
	}
	return m
}

// MustCredit credits the customer with amount ("100.00 EUR") as an
// adjustment that never expires; options change the kind or set an expiry
// (ExpiresIn).
func (e *Env) MustCredit(customerID uuid.UUID, amount string, opts ...CreditOption) balance.Posting {
	e.TB.Helper()
	r := clientele.PostingRequest{
		CustomerID: customerID,
		Amount:     MustMoney(e.TB, amount),
		Kind:       balance.KindAdjustment,
		Actor:      "clienteletest",
	}
	for _, o := range opts {
		o(e, &r)
	}
	p, err := e.Service.Balances.Credit(context.Background(), r)
	e.must(err, "credit %s", amount)
	return p
}

// CreditOption changes the request of MustCredit.
type CreditOption func(*Env, *clientele.PostingRequest)

// ExpiresIn makes MustCredit's credit expire d after the Env's clock
// reading (Clock.Peek): MustCredit(id, "10.00 EUR", ExpiresIn(30*24*time.Hour)).
func ExpiresIn(d time.Duration) CreditOption {
	return func(e *Env, r *clientele.PostingRequest) { r.ExpiresAt = e.Clock.Peek().Add(d) }
}

// CreditKind sets the kind of MustCredit's credit (adjustment by default).
func CreditKind(k balance.Kind) CreditOption {
	return func(_ *Env, r *clientele.PostingRequest) { r.Kind = k }
}

// MustPlaceOrder records that the customer placed an order with the ID and
// total ("59.90 EUR").
func (e *Env) MustPlaceOrder(customerID uuid.UUID, orderID, total string) order.Order {
	e.TB.Helper()
	o, err := e.Service.Orders.RecordPlaced(context.Background(), order.Params{
		ID:         orderID,
		CustomerID: customerID,
		Number:     orderID,
		Total:      MustMoney(e.TB, total),
		Channel:    "web",
		PlacedAt:   e.Clock.Peek(),
	})
	e.must(err, "record order %q", orderID)
	return o
}

// MustMerge merges the customer duplicateID into survivorID as the staff
// actor "clienteletest" (see clientele.Customers.Merge).
func (e *Env) MustMerge(duplicateID, survivorID uuid.UUID) clientele.MergeResult {
	e.TB.Helper()
	res, err := e.Service.Customers.Merge(actor.NewContext(context.Background(), actor.Staff("clienteletest")), duplicateID, survivorID)
	e.must(err, "merge %s into %s", duplicateID, survivorID)
	return res
}

// RefundOption changes the parameters a refund builder starts from.
type RefundOption func(*order.RefundParams)

// ToStoreCredit makes the refund go to the customer's store credit (the
// service credits the balance).
func ToStoreCredit() RefundOption {
	return func(p *order.RefundParams) { p.Destination = order.DestinationStoreCredit }
}

// ForReturn links the refund to a return of the order.
func ForReturn(returnID string) RefundOption {
	return func(p *order.RefundParams) { p.ReturnID = returnID }
}

// MustRecordReturn records a return of amount ("20.00 EUR") of the order,
// requested now.
func (e *Env) MustRecordReturn(orderID, returnID, amount string) order.Return {
	e.TB.Helper()
	r, err := e.Service.Orders.RecordReturn(context.Background(), order.ReturnParams{
		ID:      returnID,
		OrderID: orderID,
		Amount:  MustMoney(e.TB, amount),
	})
	e.must(err, "record return %q of order %q", returnID, orderID)
	return r
}

// MustRecordRefund records a succeeded refund of amount ("20.00 EUR") of
// the order, to the original payment unless opts say otherwise
// (ToStoreCredit, ForReturn).
func (e *Env) MustRecordRefund(orderID, refundID, amount string, opts ...RefundOption) order.Refund {
	e.TB.Helper()
	p := order.RefundParams{
		ID:          refundID,
		OrderID:     orderID,
		Amount:      MustMoney(e.TB, amount),
		Destination: order.DestinationOriginalPayment,
	}
	for _, opt := range opts {
		opt(&p)
	}
	r, err := e.Service.Orders.RecordRefund(context.Background(), p)
	e.must(err, "record refund %q of order %q", refundID, orderID)
	return r
}

// TaxDisplay sets the market's tax display (market.TaxDisplay).
func TaxDisplay(t market.TaxDisplay) MarketOption {
	return func(p *market.Params) { p.TaxDisplay = t }
}

// MustGroupRefs sets the host references the group carries.
func (e *Env) MustGroupRefs(groupID uuid.UUID, r pricing.Refs) {
	e.TB.Helper()
	_, err := e.Service.Pricing.SetGroupRefs(context.Background(), groupID, r)
	e.must(err, "set the references of group %v", groupID)
}
