package storagetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
)

// invalidCases: adapters check every record they store with the domain's
// Validate, so that a host that writes through the repositories directly
// (or a bug in a service) cannot store what the domain forbids. The error
// is the domain's, and nothing is written.
func invalidCases() []testCase {
	return []testCase{
		{"CustomerCreate", invalidCustomerCreate},
		{"CustomerUpdate", invalidCustomerUpdate},
		{"GroupCreateAndUpdate", invalidGroup},
		{"MerchantCreateAndUpdate", invalidMerchant},
		{"MarketCreateAndUpdate", invalidMarket},
		{"OrderCreateAndUpdate", invalidOrder},
		{"AccountCreate", invalidAccount},
		{"Posting", invalidPosting},
		{"AddressEntry", invalidAddressEntry},
	}
}

func invalidCustomerCreate(t *testing.T, e *env) {
	for name, spoil := range map[string]func(*customer.Customer){
		"no ID":                func(c *customer.Customer) { c.ID = uuid.Nil },
		"status against count": func(c *customer.Customer) { c.OrderCount = 3 },
		"guest with account":   func(c *customer.Customer) { c.State = customer.StateGuest },
		"name too long":        func(c *customer.Customer) { c.FirstName = strings.Repeat("x", customer.MaxNameLength+1) },
		"control character":    func(c *customer.Customer) { c.LastName = "a\x00b" },
		"phone not E.164":      func(c *customer.Customer) { c.Phone = "030 1234567" },
	} {
		c := e.registered()
		spoil(&c)
		_, err := e.store.Customers().Create(e.ctx, c)
		require.ErrorIs(t, err, customer.ErrInvalid, name)
		if c.ID != uuid.Nil {
			_, err = e.store.Customers().Get(e.ctx, c.ID)
			requireNotFound(t, err, "%s: nothing was stored", name)
		}
	}
}

func invalidCustomerUpdate(t *testing.T, e *env) {
	c := e.newCustomer()
	_, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
		c.FirstName = "Changed"
		c.HasAccount = false // a registered state without an account
		return nil
	})
	require.ErrorIs(t, err, customer.ErrInvalid)
	assertCustomer(t, c, e.getCustomer(c.ID), "the invalid update changed nothing")
}

func invalidGroup(t *testing.T, e *env) {
	g := e.groupAt("Retail", e.now())
	g.Name = ""
	_, err := e.store.Groups().Create(e.ctx, g)
	require.ErrorIs(t, err, group.ErrInvalid, "a group without a name")
	_, err = e.store.Groups().Get(e.ctx, g.ID)
	requireNotFound(t, err, "nothing was stored")

	ok := e.createGroup("Wholesale")
	_, err = e.store.Groups().Update(e.ctx, ok.ID, func(g *group.Group) error {
		g.Name = "bad\x00name"
		return nil
	})
	require.ErrorIs(t, err, group.ErrInvalid)
	assertGroup(t, ok, e.getGroup(ok.ID), "the invalid update changed nothing")
}

func invalidMerchant(t *testing.T, e *env) {
	m := e.merchantAt(e.now())
	m.BillingAddress.Country = "XX"
	_, err := e.store.Merchants().Create(e.ctx, m)
	require.Error(t, err, "a merchant with an invalid billing country")
	assert.True(t, isAny(err, merchant.ErrInvalid, address.ErrInvalid), "want the domain's error, got %v", err)
	_, err = e.store.Merchants().Get(e.ctx, m.ID)
	requireNotFound(t, err, "nothing was stored")

	ok := e.createMerchant()
	_, err = e.store.Merchants().Update(e.ctx, ok.ID, func(m *merchant.Merchant) error {
		m.Name = ""
		return nil
	})
	require.ErrorIs(t, err, merchant.ErrInvalid)
	assert.Equal(t, ok.Name, e.getMerchant(ok.ID).Name, "the invalid update changed nothing")
}

func invalidMarket(t *testing.T, e *env) {
	mer := e.createMerchant()
	m := e.marketFor(mer.ID)
	m.Code = "not a code!"
	_, err := e.store.Markets().Create(e.ctx, m)
	require.ErrorIs(t, err, market.ErrInvalid)
	_, err = e.store.Markets().Get(e.ctx, m.ID)
	requireNotFound(t, err, "nothing was stored")

	ok := e.createMarket(mer.ID)
	_, err = e.store.Markets().Update(e.ctx, ok.ID, func(m *market.Market) error {
		m.Name = ""
		return nil
	})
	require.ErrorIs(t, err, market.ErrInvalid)
	got, err := e.store.Markets().Get(e.ctx, ok.ID)
	require.NoError(t, err)
	assert.Equal(t, ok.Name, got.Name, "the invalid update changed nothing")
}

func invalidOrder(t *testing.T, e *env) {
	c := e.newCustomer()
	o := e.order(c.ID, "bad")
	o.Channel = strings.Repeat("c", order.MaxChannelLength+1)
	_, err := e.store.Orders().Create(e.ctx, o)
	require.ErrorIs(t, err, order.ErrInvalid)
	_, err = e.store.Orders().Get(e.ctx, "bad")
	requireNotFound(t, err, "nothing was stored")

	ok := e.createOrder(c.ID, "good")
	_, err = e.store.Orders().Update(e.ctx, ok.ID, func(o *order.Order) error {
		o.Number = "line\nbreak"
		return nil
	})
	require.ErrorIs(t, err, order.ErrInvalid)
	got, err := e.store.Orders().Get(e.ctx, ok.ID)
	require.NoError(t, err)
	assert.Equal(t, ok.Number, got.Number, "the invalid update changed nothing")
}

func invalidAccount(t *testing.T, e *env) {
	c := e.newCustomer()
	for name, spoil := range map[string]func(*balance.Account){
		"opening balance": func(a *balance.Account) { a.Balance = e.usd("10.00") },
		"postings":        func(a *balance.Account) { a.Postings = 2 },
		"no customer":     func(a *balance.Account) { a.CustomerID = uuid.Nil },
		"negative limit":  func(a *balance.Account) { a.CreditLimit = e.usd("-1.00") },
	} {
		a := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now())
		spoil(&a)
		_, err := e.store.Balances().CreateAccount(e.ctx, a)
		require.ErrorIs(t, err, balance.ErrInvalid, name)
		_, err = e.store.Balances().GetAccount(e.ctx, a.ID)
		requireNotFound(t, err, "%s: nothing was stored", name)
	}
}

func invalidAddressEntry(t *testing.T, e *env) {
	c := e.newCustomer()
	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		a := validAddress("Unter den Linden 1")
		a.Country = "ZZ"
		b.Entries = append(b.Entries, address.Entry{
			ID: e.id(), CustomerID: c.ID, Address: a, DefaultShipping: true, DefaultBilling: true,
			CreatedAt: e.now(), UpdatedAt: e.now(),
		})
		return nil
	})
	require.ErrorIs(t, err, address.ErrInvalid)
	b, err := e.store.Addresses().Book(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, b.Entries, "nothing was stored")
}

// isAny reports whether err is any of targets.
func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

func invalidPosting(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	for name, spoil := range map[string]func(*balance.Posting){
		"no ID":         func(p *balance.Posting) { p.ID = uuid.Nil },
		"no account":    func(p *balance.Posting) { p.AccountID = uuid.Nil },
		"no customer":   func(p *balance.Posting) { p.CustomerID = uuid.Nil },
		"note too long": func(p *balance.Posting) { p.Note = strings.Repeat("n", balance.MaxNoteLength+1) },
		"negative seq":  func(p *balance.Posting) { p.Sequence = -1 },
	} {
		p := e.posting(a, e.usd("5.00"), withKey("invalid-"+name))
		spoil(&p)
		_, err := e.store.Balances().Post(e.ctx, p)
		require.ErrorIs(t, err, balance.ErrInvalid, name)
	}
	got := e.getAccount(a.ID)
	assert.True(t, got.Balance.IsZero(), "nothing was posted")
	assert.Zero(t, got.Postings, "nothing was posted")
}
