package sqltest

import (
	"fmt"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/privacy"
)

// privacyFaultOps are the writes of Privacy.Erase: the customer's and a
// merged duplicate's records, the credentials (tokens revoked, sessions
// ended, then deleted), the outbox's payloads rewritten, the erasure
// record inserted and the customer.erased event; a replay writes nothing.
var privacyFaultOps = []faultOp{
	{
		name: "Privacy.Erase(merged, events)",
		setup: func(f *faultFixture) {
			f.registerWithPassword("ada", "ada@example.com")
			ada := f.ids["ada"]
			f.addAddress("home", ada, "1 Home Street")
			_, err := f.svc.Accounts.LinkIdentity(f.ctx, ada, "google", "ada-sub")
			f.must("link", err)
			_, err = f.svc.Accounts.RequestPasswordReset(f.ctx, "ada@example.com")
			f.must("reset", err)
			bob := f.register("bob", "bob@example.com")
			f.addAddress("bob-home", bob, "2 Bob Street")
			_, err = f.svc.Customers.Update(f.ctx, ada, customer.Patch{Note: ptr("likes tea")})
			f.must("update", err)
			_, err = f.svc.Customers.Merge(actor.NewContext(f.ctx, actor.Staff("support-1")), bob, ada)
			f.must("merge", err)
		},
		run: func(f *faultFixture) (string, error) {
			e, err := f.svc.Privacy.Erase(actor.NewContext(f.ctx, actor.Staff("dpo")), f.ids["ada"], privacy.Request{Reason: "DSR-1"})
			return fmt.Sprintf("%s %s %s %v %s", e.CustomerID, e.Actor, e.Reason, e.Merged, e.At), err
		},
		replay: true,
	},
}
