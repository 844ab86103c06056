package clientele_test

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
)

// A return refunded to store credit: the refund credits the customer's
// balance once, however often the host reports it, and the customer's
// statistics keep what was spent and what was refunded.
func ExampleOrders_RecordRefund() {
	ctx := context.Background()
	svc := newExampleService()
	ada, _ := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	total, _ := balance.ParseMoney("120.00", "EUR")
	o, _ := svc.Orders.RecordPlaced(ctx, order.Params{ID: "order-1001", CustomerID: ada.ID, Total: total})

	back, _ := balance.ParseMoney("45.00", "EUR")
	ret, _ := svc.Orders.RecordReturn(ctx, order.ReturnParams{ID: "return-1", OrderID: o.ID, Amount: back, Reason: "too small"})
	ret, _ = svc.Orders.SetReturnStatus(ctx, o.ID, ret.ID, order.RequestReceived)
	fmt.Println("return:", ret.ID, ret.Status, ret.Amount)

	refund := order.RefundParams{ID: "refund-1", OrderID: o.ID, Amount: back,
		Destination: order.DestinationStoreCredit, ReturnID: ret.ID}
	for range 3 { // a webhook delivered three times
		if _, err := svc.Orders.RecordRefund(ctx, refund); err != nil {
			fmt.Println(err)
			return
		}
	}
	available, _ := svc.Balances.Available(ctx, ada.ID, total.Currency())
	fmt.Println("store credit:", available)

	stats, _ := svc.Orders.Stats(ctx, ada.ID)
	s := stats[0]
	fmt.Println("orders:", s.OrderCount, "spent:", s.Spent, "refunded:", s.Refunded, "net:", s.Net())

	min, _ := balance.ParseMoney("100.00", "EUR")
	big, _ := svc.Orders.CustomersBySpend(ctx, order.StatsFilter{Currency: total.Currency(), MinSpent: min}, page.Request{})
	fmt.Println("customers who spent 100 EUR or more:", len(big.Items))
	// Output:
	// return: return-1 received 45.00 EUR
	// store credit: 45.00 EUR
	// orders: 1 spent: 120.00 EUR refunded: 45.00 EUR net: 75.00 EUR
	// customers who spent 100 EUR or more: 1
}
