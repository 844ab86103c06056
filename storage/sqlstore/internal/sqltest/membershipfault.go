package sqltest

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
)

// membershipFaultOps are the writes of timed group memberships.
var membershipFaultOps = []faultOp{
	{
		name: "Groups.AddMembersFor",
		setup: func(f *faultFixture) {
			g := f.group("VIP")
			ada, bob := f.register("ada", "ada@example.com"), f.register("bob", "bob@example.com")
			f.register("cy", "cy@example.com")
			gone := f.register("gone", "gone@example.com")
			f.must("delete", f.svc.Customers.Delete(f.ctx, gone))
			_, err := f.svc.Groups.AddMembers(f.ctx, g, []uuid.UUID{ada})
			f.must("add ada", err)
			_, err = f.svc.Groups.AddMembersFor(f.ctx, g, []uuid.UUID{bob}, group.Validity{Until: faultEpoch.Add(time.Hour)})
			f.must("add bob for an hour", err)
		},
		run: func(f *faultFixture) (string, error) {
			res, err := f.svc.Groups.AddMembersFor(f.ctx, f.ids["VIP"], []uuid.UUID{f.ids["ada"], f.ids["bob"],
				f.ids["cy"], f.ids["gone"], f.ids["cy"]},
				group.Validity{From: faultEpoch, Until: faultEpoch.Add(24 * time.Hour)})
			var out []string
			for _, r := range res {
				out = append(out, r.Outcome.String())
			}
			return strings.Join(out, " "), err
		},
	},
	{
		name: "Groups.SetMemberValidity",
		setup: func(f *faultFixture) {
			g := f.group("VIP")
			ada := f.register("ada", "ada@example.com")
			_, err := f.svc.Groups.AddMembersFor(f.ctx, g, []uuid.UUID{ada}, group.Validity{Until: faultEpoch.Add(time.Hour)})
			f.must("add ada for an hour", err)
		},
		run: func(f *faultFixture) (string, error) {
			m, err := f.svc.Groups.SetMemberValidity(f.ctx, f.ids["VIP"], f.ids["ada"],
				group.Validity{From: faultEpoch.Add(-time.Hour), Until: faultEpoch.Add(48 * time.Hour)})
			return fmt.Sprintf("%s %s", m.From, m.Until), err
		},
	},
}
