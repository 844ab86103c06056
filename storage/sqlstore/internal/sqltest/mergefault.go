package sqltest

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
)

// mergeFaultOps are the customer merges: every kind of record a merge
// moves is there, so that a failure at any statement must leave both
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
			f.credit(ada, "1.00")
			_, err = f.svc.Accounts.LinkIdentity(f.ctx, bob, "google", "bob-sub")
			f.must("link", err)
			_, err = f.svc.Customers.Update(f.ctx, bob, customer.Patch{Tags: &[]string{"wholesale"},
				Reference: ptr("E-1"), ReferenceOrigin: ptr("erp")})
			f.must("update", err)
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Customers.Merge(actor.NewContext(f.ctx, actor.Staff("support-1")), f.ids["bob"], f.ids["ada"])
			return fmt.Sprintf("%s into %s", res.Tombstone.MergedID, res.Tombstone.SurvivorID), err
		},
		replay: true,
	},
}

func ptr[T any](v T) *T { return &v }
