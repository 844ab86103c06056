package sqltest

import (
	"fmt"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/order"
)

// placeOrder records an order of total for the named customer.
func (f *faultFixture) placeOrder(name, id, total string) {
	f.t.Helper()
	_, err := f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: id, CustomerID: f.ids[name], Number: id, Total: f.money(total)})
	f.must("record "+id, err)
}

// orderHistoryFaultOps are the writes of the fuller order history: each
// must leave the order's details, the statistics, the ledger and the
// outbox exactly as they were when any statement fails.
var orderHistoryFaultOps = []faultOp{
	{
		name:  "Orders.RecordReturn",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com"); f.placeOrder("ada", "order-1", "50.00") },
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Orders.RecordReturn(f.ctx, order.ReturnParams{ID: "ret-1", OrderID: "order-1", Amount: f.money("20.00")})
			return fmt.Sprintf("%s %s", r.ID, r.Status), err
		},
		replay: true,
	},
	{
		// Atomic: the refund, the statistics, the account opened, the
		// posting and their events, or nothing.
		name:  "Orders.RecordRefund(store credit)",
		setup: func(f *faultFixture) { f.register("ada", "ada@example.com"); f.placeOrder("ada", "order-1", "50.00") },
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Orders.RecordRefund(f.ctx, order.RefundParams{ID: "refund-1", OrderID: "order-1",
				Amount: f.money("20.00"), Destination: order.DestinationStoreCredit})
			return fmt.Sprintf("%s %s posting %s", r.ID, r.Status, r.PostingID), err
		},
		replay: true,
	},
	{
		name: "Orders.SetRefundStatus(succeeded, store credit)",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			f.placeOrder("ada", "order-1", "50.00")
			f.credit(f.ids["ada"], "1.00") // the account exists: only the posting moves it
			_, err := f.svc.Orders.RecordRefund(f.ctx, order.RefundParams{ID: "refund-1", OrderID: "order-1",
				Amount: f.money("20.00"), Destination: order.DestinationStoreCredit, Status: order.RefundPending})
			f.must("pending refund", err)
		},
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Orders.SetRefundStatus(f.ctx, "order-1", "refund-1", order.RefundSucceeded)
			return fmt.Sprintf("%s %s posting %s", r.ID, r.Status, r.PostingID), err
		},
		replay: true,
	},
	{
		// The statistics move between customers with the order.
		name: "Orders.Reassign(with refunds)",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			f.register("bob", "bob@example.com")
			f.placeOrder("ada", "order-1", "50.00")
			f.placeOrder("ada", "order-2", "10.00")
			_, err := f.svc.Orders.RecordRefund(f.ctx, order.RefundParams{ID: "refund-1", OrderID: "order-1",
				Amount: f.money("5.00"), Destination: order.DestinationOriginalPayment})
			f.must("refund", err)
		},
		run: func(f *faultFixture) (string, error) {
			o, err := f.svc.Orders.Reassign(actor.NewContext(f.ctx, actor.Staff("support-1")), "order-1", f.ids["bob"])
			return fmt.Sprintf("%s to %s", o.ID, o.CustomerID), err
		},
		replay: true,
	},
}
