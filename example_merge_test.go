package clientele_test

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"

	"github.com/clientele-go/clientele"
)

// Ada checked out as a guest with another address, then registered:
// support merges the guest record into her account. Her order and her
// store credit move, and the old address still finds her.
func ExampleCustomers_Merge() {
	svc := newExampleService()
	ctx := context.Background()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
	guest, _, _ := svc.Customers.CreateGuest(ctx, customer.Params{Email: "ada.l@example.org", LastName: "Lovelace"})
	total, _ := balance.ParseMoney("49.90", "EUR")
	card, _ := balance.ParseMoney("10.00", "EUR")
	_, _ = svc.Orders.RecordPlaced(ctx, order.Params{ID: "A-1001", CustomerID: guest.ID, Total: total})
	_, _ = svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: guest.ID, Amount: card, Kind: balance.KindGiftCard})

	staff := actor.NewContext(ctx, actor.Staff("support-7"))
	res, err := svc.Customers.Merge(staff, guest.ID, ada.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Survivor.FirstName, res.Survivor.LastName, res.Survivor.OrderCount, res.Survivor.Status)
	fmt.Println("moved:", res.Orders, "order,", res.Transfers[0].Amount)
	found, _ := svc.Customers.ResolveByEmail(ctx, "ada.l@example.org")
	fmt.Println("ada.l@example.org is", found.Email.Display)
	again, _ := svc.Customers.Merge(staff, guest.ID, ada.ID)
	fmt.Println("replayed:", again.Replayed)
	// Output:
	// Ada Lovelace 1 acquired
	// moved: 1 order, 10.00 EUR
	// ada.l@example.org is ada@example.com
	// replayed: true
}
