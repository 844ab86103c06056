package clientele_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/privacy"
)

// A data-subject request: export everything known about a customer as one
// JSON document, then erase them. The erasure is recorded (who, when,
// why), the email is free again, the earlier events no longer hold the
// personal values, and a second erasure returns the first record.
func ExamplePrivacy() {
	ctx := context.Background()
	svc := newExampleService()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	_, _ = svc.Customers.Update(ctx, ada.ID, customer.Patch{Phone: ptr("+44 20 7946 0958")})

	doc, _ := svc.Privacy.Export(ctx, ada.ID)
	raw, _ := json.Marshal(doc)
	fmt.Println("version:", doc.Version, "mentions Lovelace:", strings.Contains(string(raw), "Lovelace"))

	dpo := actor.NewContext(ctx, actor.Staff("dpo"))
	rec, err := svc.Privacy.Erase(dpo, ada.ID, privacy.Request{Reason: "ticket DSR-42"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("erased by", rec.Actor, "because", rec.Reason)

	doc, _ = svc.Privacy.Export(ctx, ada.ID)
	raw, _ = json.Marshal(doc)
	fmt.Println("mentions Lovelace:", strings.Contains(string(raw), "Lovelace"), "state:", doc.Profile.State)

	_, err = svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	fmt.Println("email free:", err == nil)

	again, _ := svc.Privacy.Erase(ctx, ada.ID, privacy.Request{Reason: "again"})
	fmt.Println("second erasure returns the first:", again.Reason)
	// Output:
	// version: 1 mentions Lovelace: true
	// erased by staff:dpo because ticket DSR-42
	// mentions Lovelace: false state: erased
	// email free: true
	// second erasure returns the first: ticket DSR-42
}
