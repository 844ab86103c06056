package sqltest

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// faultCard returns valid card params with the token reference.
func faultCard(token string) wallet.Params {
	a := address.Address{Line1: "1 Fault St", City: "Berlin", Country: "DE"}
	return wallet.Params{Provider: "stripe", TokenRef: token, Type: wallet.Card, Brand: "visa", Last4: "4242",
		ExpMonth: 12, ExpYear: 2099, BillingAddress: &a, Metadata: map[string]string{"k": "v"}}
}

// addSource saves a card under name in the customer's wallet.
func (f *faultFixture) addSource(name string, customerID uuid.UUID, token string) {
	f.t.Helper()
	s, err := f.svc.Wallet.Add(f.ctx, customerID, faultCard(token))
	f.must("add payment source "+name, err)
	f.ids[name] = s.ID
}

// walletDigest is a wallet's sources and default, the same on every run.
func walletDigest(w wallet.Wallet) string {
	out := ""
	for _, s := range w.Sources {
		out += fmt.Sprintf("%s %s default %t; ", s.ID, s.TokenRef, s.IsDefault)
	}
	return out
}

// walletFaultOps are the writes of Wallet and Subscriptions.
var walletFaultOps = []faultOp{
	{
		name:  "Wallet.Add",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			s, err := f.svc.Wallet.Add(f.ctx, f.ids["ada"], faultCard("pm_first"))
			return fmt.Sprintf("%s default %t", s.ID, s.IsDefault), err
		},
	},
	{
		name: "Wallet.Remove(the default)",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			f.addSource("a", f.ids["ada"], "pm_a")
			f.addSource("b", f.ids["ada"], "pm_b")
		},
		run: func(f *faultFixture) (string, error) {
			w, err := f.svc.Wallet.Remove(f.ctx, f.ids["ada"], f.ids["a"])
			return walletDigest(w), err
		},
	},
	{
		name: "Wallet.SetDefault",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			f.addSource("a", f.ids["ada"], "pm_a")
			f.addSource("b", f.ids["ada"], "pm_b")
		},
		run: func(f *faultFixture) (string, error) {
			w, err := f.svc.Wallet.SetDefault(f.ctx, f.ids["ada"], f.ids["b"])
			return walletDigest(w), err
		},
	},
	{
		name: "Subscriptions.Record",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			f.addSource("a", f.ids["ada"], "pm_a")
		},
		run: func(f *faultFixture) (string, error) {
			src := f.ids["a"]
			s, err := f.svc.Subscriptions.Record(f.ctx, subscription.Params{ID: "sub_1", CustomerID: f.ids["ada"],
				Plan: "gold", PaymentSourceID: &src})
			return fmt.Sprintf("%s %s v%d", s.ID, s.Status, s.Version), err
		},
		replay: true,
	},
}
