package clientele_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
)

// A marketplace: the operator's back office appoints a vendor's owner; the
// owner adds staff; staff see the vendor's own customers, and nothing of
// another vendor's.
func ExampleVendors() {
	ctx := context.Background()
	svc := newExampleService()
	backOffice := clientele.WithActor(ctx, actor.Staff("ops-1"))
	berlin := address.Address{Line1: "Torstr. 1", City: "Berlin", PostalCode: "10119", Country: "DE"}
	shoes, _ := svc.Merchants.Create(ctx, merchant.Params{Name: "Shoes GmbH", BillingAddress: berlin})
	hats, _ := svc.Merchants.Create(ctx, merchant.Params{Name: "Hats AG", BillingAddress: berlin})

	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	bob, _ := svc.Customers.Register(ctx, customer.Params{Email: "bob@example.com"})
	buyer, _ := svc.Customers.Register(ctx, customer.Params{Email: "buyer@example.com"})

	_, err := svc.Vendors.AddMember(backOffice, uuid.Nil, shoes.ID, ada.ID, merchant.Owner)
	fmt.Println("owner:", err)
	_, err = svc.Vendors.AddMember(ctx, ada.ID, shoes.ID, bob.ID, merchant.Staff)
	fmt.Println("staff:", err)
	_, created, _ := svc.Vendors.RelateCustomer(ctx, bob.ID, shoes.ID, buyer.ID, merchant.SourceOrder)
	fmt.Println("related:", created)

	custs, _ := svc.Vendors.VendorCustomers(ctx, bob.ID, shoes.ID, page.Request{})
	fmt.Println("shoes' customers:", len(custs.Items), custs.Items[0].CustomerID == buyer.ID, custs.Items[0].Source)

	_, err = svc.Vendors.VendorCustomers(ctx, bob.ID, hats.ID, page.Request{})
	fmt.Println("hats' customers:", errors.Is(err, merchant.ErrNotFound))
	_, err = svc.Vendors.AddMember(ctx, bob.ID, shoes.ID, buyer.ID, merchant.Staff)
	fmt.Println("staff adding a member:", errors.Is(err, merchant.ErrForbidden))
	_, err = svc.Vendors.RemoveMember(ctx, ada.ID, shoes.ID, ada.ID)
	fmt.Println("the last owner leaving:", errors.Is(err, merchant.ErrLastOwner))

	roles, _ := svc.Vendors.Roles(ctx, bob.ID)
	fmt.Println("bob:", roles.Buyer, roles.Memberships[0].Role, roles.Operator.Valid())
	// Output:
	// owner: <nil>
	// staff: <nil>
	// related: true
	// shoes' customers: 1 true order
	// hats' customers: true
	// staff adding a member: true
	// the last owner leaving: true
	// bob: true staff false
}
