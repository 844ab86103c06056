package clientele_test

import (
	"context"
	"fmt"
	"log"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage/memory"
)

// A segment is a saved rule evaluated against live data: here, German VIPs
// who are not business customers. Its members change with the customers;
// Freeze copies them into a group at one moment.
func ExampleSegments() {
	ctx := context.Background()
	svc := clientele.New(memory.New())
	for _, p := range []struct {
		email, country string
		tags           []string
	}{{"ada@example.com", "DE", []string{"vip"}}, {"bob@example.com", "FR", []string{"vip"}}, {"cy@example.com", "DE", nil}} {
		c, err := svc.Customers.Register(ctx, customer.Params{Email: p.email, Tags: p.tags})
		if err != nil {
			log.Fatal(err)
		}
		if _, _, err := svc.Addresses.Add(ctx, c.ID, address.Address{Line1: "1 Main St", City: "Town", Country: p.country}); err != nil {
			log.Fatal(err)
		}
	}
	s, err := svc.Segments.Create(ctx, clientele.SegmentParams{
		Name: "German VIPs",
		Rule: segment.All(
			segment.Cond(segment.FieldTag, segment.OpHas, "VIP"),
			segment.Cond(segment.FieldCountry, segment.OpEq, "DE"),
			segment.Not(segment.Cond(segment.FieldType, segment.OpEq, "business")),
		),
	})
	if err != nil {
		log.Fatal(err)
	}
	members, _ := svc.Segments.Members(ctx, s.ID, page.Request{})
	n, _ := svc.Segments.Count(ctx, s.ID)
	for _, c := range members.Items {
		fmt.Println(c.Email)
	}
	g, _ := svc.Segments.Freeze(ctx, s.ID, "German VIPs, December")
	fmt.Println(n, "member(s); frozen into", g.Name, "; version", s.Version)
	// Output:
	// ada@example.com
	// 1 member(s); frozen into German VIPs, December ; version 1
}
