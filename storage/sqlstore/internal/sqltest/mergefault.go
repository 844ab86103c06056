package sqltest

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/subscription"
)

// mergeFaultOps are the customer merges: every kind of record a merge
// moves (consent records included) is there, so that a failure at any statement must leave both
// customers exactly as they were.
var mergeFaultOps = []faultOp{
	{
		name: "Customers.Merge",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com", "vip")
			f.registerWithPassword("bob", "bob@example.com")
			bob := f.ids["bob"]
			f.addAddress("ada-home", ada, "1 Main St")
			f.addAddress("bob-home", bob, "1 Main St")
			f.addAddress("bob-work", bob, "2 Side St")
			g := f.group("newsletter")
			_, err := f.svc.Groups.AddMembers(f.ctx, g, []uuid.UUID{bob})
			f.must("join", err)
			_, err = f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: "order-1", CustomerID: bob, Number: "1",
				Total: f.money("5.00")})
			f.must("record", err)
			f.credit(bob, "12.50")
			f.creditExpiring(bob, "3.00", faultEpoch.Add(24*time.Hour))
			f.credit(ada, "1.00")
			f.addSource("ada-card", ada, "pm_shared")
			f.addSource("bob-card", bob, "pm_shared")
			f.addSource("bob-own", bob, "pm_own")
			for id, src := range map[string]string{"sub_1": "bob-card", "sub_2": "bob-own"} {
				srcID := f.ids[src]
				_, err := f.svc.Subscriptions.Record(f.ctx, subscription.Params{ID: id, CustomerID: bob, Plan: "monthly",
					PaymentSourceID: &srcID})
				f.must("record subscription", err)
			}
			_, err = f.svc.Orders.RecordRefund(f.ctx, order.RefundParams{ID: "rf-1", OrderID: "order-1", Amount: f.money("1.00"),
				Destination: order.DestinationStoreCredit})
			f.must("refund", err)
			_, err = f.svc.Accounts.LinkIdentity(f.ctx, bob, "google", "bob-sub")
			f.must("link", err)
			_, err = f.svc.Customers.Update(f.ctx, bob, customer.Patch{Tags: &[]string{"wholesale"},
				Reference: ptr("E-1"), ReferenceOrigin: ptr("erp")})
			f.must("update", err)
			// Consent on both sides: the survivor's head moves on, the
			// duplicate's records (a pending double opt-in too) move and
			// its head closes.
			_, err = f.svc.Consents.Grant(f.staffCtx(), ada, newsletter)
			f.must("grant", err)
			_, err = f.svc.Consents.Withdraw(f.staffCtx(), bob, newsletter)
			f.must("withdraw", err)
			_, err = f.svc.Consents.Request(f.staffCtx(), bob, clientele.ConsentChange{Channel: consent.SMS,
				Purpose: consent.Marketing, Evidence: consent.Evidence{Source: "app"}})
			f.must("request", err)
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Customers.Merge(actor.NewContext(f.ctx, actor.Staff("support-1")), f.ids["bob"], f.ids["ada"])
			return fmt.Sprintf("%s into %s", res.Tombstone.MergedID, res.Tombstone.SurvivorID), err
		},
		replay: true,
	},
}

func ptr[T any](v T) *T { return &v }
