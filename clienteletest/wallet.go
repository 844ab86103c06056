package clienteletest

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// CardOption changes the params Card returns.
type CardOption func(*wallet.Params)

// WithToken sets the token reference (a wallet refuses the same provider
// and token twice: give each source of one wallet its own).
func WithToken(ref string) CardOption { return func(p *wallet.Params) { p.TokenRef = ref } }

// Expiring sets the expiry month and year.
func Expiring(month, year int) CardOption {
	return func(p *wallet.Params) { p.ExpMonth, p.ExpYear = month, year }
}

// Billing sets the billing address.
func Billing(p address.Patch) CardOption {
	return func(w *wallet.Params) {
		a := Address(p)
		w.BillingAddress = &a
	}
}

// Card returns valid params of a Stripe Visa card ending in 4242 that
// expires in December 2099, changed by opts.
func Card(opts ...CardOption) wallet.Params {
	p := wallet.Params{Provider: "stripe", TokenRef: "pm_card_visa", Type: wallet.Card, Brand: "visa",
		Last4: "4242", ExpMonth: 12, ExpYear: 2099}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// MustAddPaymentSource saves p in the customer's wallet.
func (e *Env) MustAddPaymentSource(customerID uuid.UUID, p wallet.Params) wallet.Source {
	e.TB.Helper()
	s, err := e.Service.Wallet.Add(context.Background(), customerID, p)
	e.must(err, "add payment source")
	return s
}

// MustRecordSubscription records the subscription id of the customer on
// plan, charging sourceID when it is not uuid.Nil.
func (e *Env) MustRecordSubscription(customerID uuid.UUID, id, plan string, sourceID uuid.UUID) subscription.Subscription {
	e.TB.Helper()
	p := subscription.Params{ID: id, CustomerID: customerID, Plan: plan}
	if sourceID != uuid.Nil {
		p.PaymentSourceID = &sourceID
	}
	s, err := e.Service.Subscriptions.Record(context.Background(), p)
	e.must(err, "record subscription %q", id)
	return s
}
