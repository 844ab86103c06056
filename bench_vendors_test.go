package clientele_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// benchVendorCustomers is how many own customers each of the two vendors
// of BenchmarkVendorCustomers has.
const benchVendorCustomers = 2000

// BenchmarkVendorCustomers lists a page of 50 of a vendor's own customers,
// as a staff member (the access check included), on every engine: the
// first page and a page from the middle (the keyset seeks the (merchant,
// since, customer) index, so both cost the same). Another vendor's
// customers share the table.
func BenchmarkVendorCustomers(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc := clientele.New(s, clientele.WithIDGenerator(uuid.New))
		ctx := context.Background()
		bo := clientele.WithActor(ctx, actor.Staff("bench"))
		berlin := address.Address{Line1: "Torstr. 1", City: "Berlin", PostalCode: "10119", Country: "DE"}
		var vendors [2]uuid.UUID
		for v := range vendors {
			m, err := svc.Merchants.Create(ctx, merchant.Params{Name: fmt.Sprintf("Vendor %d", v), BillingAddress: berlin})
			if err != nil {
				b.Fatal(err)
			}
			vendors[v] = m.ID
		}
		staff, err := svc.Customers.Register(ctx, customer.Params{Email: "staff@example.com"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Vendors.AddMember(bo, uuid.Nil, vendors[0], staff.ID, merchant.Staff); err != nil {
			b.Fatal(err)
		}
		const chunk = 200
		for start := 0; start < benchVendorCustomers; start += chunk {
			err := s.Atomic(bo, func(ctx context.Context, _ storage.Tx) error {
				for i := start; i < start+chunk; i++ {
					for v, vendor := range vendors {
						c, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("c%d-%d@example.com", v, i)})
						if err != nil {
							return err
						}
						if _, _, err := svc.Vendors.RelateCustomer(ctx, uuid.Nil, vendor, c.ID, merchant.SourceOrder); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		first, err := svc.Vendors.VendorCustomers(ctx, staff.ID, vendors[0], page.Request{Limit: benchVendorCustomers / 2})
		if err != nil || first.Next == "" {
			b.Fatal(err, "no middle cursor")
		}
		for _, tc := range []struct {
			name   string
			cursor string
		}{{"FirstPage", ""}, {"MiddlePage", first.Next}} {
			b.Run(tc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					p, err := svc.Vendors.VendorCustomers(ctx, staff.ID, vendors[0], page.Request{Limit: 50, Cursor: tc.cursor})
					if err != nil || len(p.Items) != 50 {
						b.Fatal(err, len(p.Items))
					}
				}
			})
		}
	})
}
