package clientele_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// Saving payment sources: token references only; a card number is refused
// with a field error, and a source a subscription charges stays.
func ExampleWallet_Add() {
	ctx := context.Background()
	svc := newExampleService()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})

	_, err := svc.Wallet.Add(ctx, ada.ID, wallet.Params{Provider: "stripe", TokenRef: "4242 4242 4242 4242",
		Type: wallet.Card, ExpMonth: 12, ExpYear: 2030})
	var ve *wallet.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("refused:", ve.Field)
	}

	visa, _ := svc.Wallet.Add(ctx, ada.ID, wallet.Params{Provider: "stripe", TokenRef: "pm_1Visa",
		Type: wallet.Card, Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030})
	sepa, _ := svc.Wallet.Add(ctx, ada.ID, wallet.Params{Provider: "stripe", TokenRef: "pm_1Sepa",
		Type: wallet.SEPADebit, Last4: "3000"})
	fmt.Println(visa.Brand, visa.Last4, "default:", visa.IsDefault)
	fmt.Println(sepa.Type, "default:", sepa.IsDefault)

	_, err = svc.Subscriptions.Record(ctx, subscription.Params{ID: "sub_42", CustomerID: ada.ID, Plan: "coffee-monthly",
		PaymentSourceID: &visa.ID})
	fmt.Println("recorded:", err)
	_, err = svc.Wallet.Remove(ctx, ada.ID, visa.ID)
	fmt.Println("remove:", errors.Is(err, wallet.ErrSourceInUse))

	// Move the subscription to the SEPA mandate; then the card can go,
	// and the mandate, the most recent unexpired source, becomes the
	// default.
	_, _ = svc.Subscriptions.SetPaymentSource(ctx, "sub_42", &sepa.ID)
	w, _ := svc.Wallet.Remove(ctx, ada.ID, visa.ID)
	d, _ := w.Default()
	fmt.Println("default now:", d.TokenRef)
	// Output:
	// refused: token_ref
	// visa 4242 default: true
	// sepa_debit default: false
	// recorded: <nil>
	// remove: true
	// default now: pm_1Sepa
}
