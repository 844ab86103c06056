package clientele_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/privacy"
)

// Communication consent: a customer asks for the newsletter with a
// double opt-in and confirms it from the mail; a replayed link records
// nothing; they grant SMS marketing at checkout and withdraw it later.
// The state answers per channel and purpose; an erasure keeps the history
// as the proof, without the IP address.
func ExampleConsents() {
	ctx := context.Background()
	svc := newExampleService()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	self := actor.NewContext(ctx, actor.Customer(ada.ID))

	newsletter := clientele.ConsentChange{Channel: consent.Email, Purpose: consent.Newsletter,
		Evidence: consent.Evidence{Source: "footer-form", WordingVersion: "nl-2026-01", IP: "203.0.113.9"}}
	tok, err := svc.Consents.Request(self, ada.ID, newsletter)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Record.Status, tok.Record.Pair()) // the host mails tok.Token in a link
	g, _ := svc.Consents.Confirm(ctx, tok.Token)
	fmt.Println(g.Status, "confirms the request:", g.Confirms == tok.Record.ID)
	again, _ := svc.Consents.Confirm(ctx, tok.Token)
	fmt.Println("replay records nothing:", again.ID == g.ID)

	sms := clientele.ConsentChange{Channel: consent.SMS, Purpose: consent.Marketing,
		Evidence: consent.Evidence{Source: "checkout", WordingVersion: "sms-v3"}}
	_, _ = svc.Consents.Grant(self, ada.ID, sms)
	_, _ = svc.Consents.Withdraw(self, ada.ID, sms)

	st, _ := svc.Consents.State(ctx, ada.ID)
	fmt.Println("newsletter by email:", st.Granted(consent.Email, consent.Newsletter))
	fmt.Println("marketing by SMS:", st.Granted(consent.SMS, consent.Marketing))
	fmt.Println("marketing by post:", st.Granted(consent.Post, consent.Marketing))

	other, _ := svc.Consents.Request(self, ada.ID, newsletter)
	_, _ = svc.Consents.Withdraw(self, ada.ID, newsletter)
	_, err = svc.Consents.Confirm(ctx, other.Token)
	var te *credential.TokenError
	fmt.Println("after a withdrawal:", errors.As(err, &te), te.Reason)

	_, _ = svc.Privacy.Erase(actor.NewContext(ctx, actor.Staff("dpo")), ada.ID, privacy.Request{Reason: "DSR-7"})
	doc, _ := svc.Privacy.Export(ctx, ada.ID)
	first := doc.Consents[0]
	fmt.Printf("kept: %d records; first: %s %s %s, IP %q\n", len(doc.Consents), first.Pair(), first.Status, first.WordingVersion, first.IP)
	_, err = svc.Consents.History(ctx, ada.ID, page.Request{})
	fmt.Println("history of an erased customer:", errors.Is(err, customer.ErrNotFound))
	// Output:
	// pending email/newsletter
	// granted confirms the request: true
	// replay records nothing: true
	// newsletter by email: true
	// marketing by SMS: false
	// marketing by post: false
	// after a withdrawal: true superseded
	// kept: 6 records; first: email/newsletter pending nl-2026-01, IP ""
	// history of an erased customer: true
}
