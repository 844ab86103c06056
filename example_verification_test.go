package clientele_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/verification"

	"github.com/clientele-go/clientele"
)

// Identity verification: a customer submits, a reviewer rejects with a
// reason, the customer resubmits and is approved; a second decision is
// refused; a private market that requires verified customers lets the
// customer in only then.
func ExampleVerifications() {
	ctx := context.Background()
	svc := newExampleService()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	vip, _ := svc.Groups.Create(ctx, clientele.GroupParams{Name: "VIP"})
	_, _ = svc.Groups.AddMembers(ctx, vip.ID, []uuid.UUID{ada.ID})
	m, _ := svc.Merchants.Create(ctx, merchant.Params{Name: "Acme",
		BillingAddress: address.Address{Line1: "Torstraße 1", City: "Berlin", Country: "DE"}})
	mk, err := svc.Markets.Create(ctx, market.Params{MerchantID: m.ID, Code: "vip", Name: "VIP",
		BusinessModel: market.BusinessModelB2C, Currency: balance.MustCurrency("EUR"),
		AccessGroups: []uuid.UUID{vip.ID}, RequireVerified: true})
	if err != nil {
		fmt.Println(err)
		return
	}

	self := actor.NewContext(ctx, actor.Customer(ada.ID))
	staff := actor.NewContext(ctx, actor.Staff("ana"))
	s := verification.CustomerSubject(ada.ID)

	_, _ = svc.Verifications.Submit(self, s)
	fmt.Println("access:", errors.Is(svc.Markets.Access(ctx, mk.ID, ada.ID), market.ErrNotVerified))
	v, _ := svc.Verifications.Reject(staff, s, "the photo is blurred")
	fmt.Println(v.Status, v.Reason)
	_, _ = svc.Verifications.Submit(self, s)
	queue, _ := svc.Verifications.PendingQueue(ctx, verification.Customer, page.Request{})
	fmt.Println("queue:", len(queue.Items))
	v, _ = svc.Verifications.Approve(staff, s)
	fmt.Println(v.Status, v.Reviewer)
	_, err = svc.Verifications.Reject(staff, s, "too late")
	fmt.Println(errors.Is(err, verification.ErrInvalidTransition))
	fmt.Println("access:", svc.Markets.Access(ctx, mk.ID, ada.ID))

	h, _ := svc.Verifications.History(ctx, s, page.Request{})
	for _, r := range h.Items {
		fmt.Println(r.Version, r.From, "->", r.To, r.Reviewer == "customer:"+ada.ID.String())
	}
	// Output:
	// access: true
	// rejected the photo is blurred
	// queue: 1
	// verified staff:ana
	// true
	// access: <nil>
	// 1 unverified -> pending true
	// 2 pending -> rejected false
	// 3 rejected -> pending true
	// 4 pending -> verified false
}
