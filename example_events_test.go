package clientele_test

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
)

// A consumer (a search indexer, a CRM sync) claims the events that
// committed since it last acknowledged, handles them, and acknowledges
// them. Another process of the same consumer waits while one holds a batch;
// a batch not acknowledged within its lease is delivered again.
func ExampleEvents_Claim() {
	svc := newExampleService()
	ctx := clientele.WithActor(context.Background(), actor.Staff("u_42"))
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	_, _ = svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Ada")})

	b, err := svc.Events.Claim(ctx, "search-index", "indexer-1", 100, 30*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range b.Events {
		fmt.Println(e.Sequence, e.Type, "by", e.Actor)
	}
	_, err = svc.Events.Claim(ctx, "search-index", "indexer-2", 100, 30*time.Second)
	fmt.Println("another holder meanwhile:", err)
	fmt.Println("ack:", svc.Events.Ack(ctx, b))
	// Output:
	// 1 customer.registered by staff:u_42
	// 2 customer.updated by staff:u_42
	// another holder meanwhile: consumer "search-index": storage: another holder leases this consumer
	// ack: <nil>
}

// A subscriber hears of each committed call right after its commit, in
// process: for caches and live views. The outbox stays the durable path.
func ExampleEvents_Subscribe() {
	svc := newExampleService()
	ctx := context.Background()
	stop := svc.Events.Subscribe(func(_ context.Context, evs []event.Event) {
		for _, e := range evs {
			fmt.Println("committed:", e.Type)
		}
	})
	defer stop()
	_, _ = svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	_, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	fmt.Println("second registration:", err != nil)
	// Output:
	// committed: customer.registered
	// second registration: true
}

// The audit trail: who changed what and when, newest first, with personal
// values masked unless the reader may see them.
func ExampleEvents_Audit() {
	svc := newExampleService()
	ctx := context.Background()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
	_, _ = svc.Customers.Update(clientele.WithActor(ctx, actor.Customer(ada.ID)), ada.ID,
		customer.Patch{FirstName: ptr("Augusta"), Tags: &[]string{"newsletter"}})

	trail, _ := svc.Events.Audit(ctx, ada.ID, page.Request{Limit: 1})
	for _, c := range trail.Items[0].Changes {
		fmt.Printf("%s %s: %s -> %s\n", trail.Items[0].Actor.Kind, c.Field, c.Before, c.After)
	}
	// Output:
	// customer first_name: "A•••" -> "A•••"
	// customer tags:  -> ["newsletter"]
}

// An operator's look at the outbox: Read returns the events after a
// sequence without a consumer, so nothing is acknowledged and no cursor is
// left behind to hold back Prune.
func ExampleEvents_Read() {
	svc := newExampleService()
	ctx := context.Background()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	_, _ = svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Ada")})

	evs, err := svc.Events.Read(ctx, 0, 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range evs {
		fmt.Println(e.Sequence, e.Type)
	}
	after, _ := svc.Events.Read(ctx, evs[0].Sequence, 100)
	fmt.Println("after", evs[0].Sequence, "->", len(after), "event")
	consumers, _ := svc.Events.Consumers(ctx)
	fmt.Println("consumers:", len(consumers))
	// Output:
	// 1 customer.registered
	// 2 customer.updated
	// after 1 -> 1 event
	// consumers: 0
}
