package sqltest

import (
	"context"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/verification"
)

// staffCtx is the context of the verification fault operations: a staff
// reviewer.
func (f *faultFixture) staffCtx() context.Context {
	return actor.NewContext(f.ctx, actor.Staff("fault-reviewer"))
}

// submitVerification submits the customer name for review.
func (f *faultFixture) submitVerification(name string) {
	f.t.Helper()
	_, err := f.svc.Verifications.Submit(f.staffCtx(), verification.CustomerSubject(f.ids[name]))
	f.must("submit verification of "+name, err)
}

// verificationDigest is a verification's state, the same on every run.
func verificationDigest(v verification.Verification) string {
	return fmt.Sprintf("%s %s v%d %q flags %s", v.Subject, v.Status, v.Version, v.Reason, strings.Join(v.FlagNames(), ","))
}

// verificationFaultOps are the writes of Verifications: a first record
// (an insert), a decision (an update and a review), risk flags.
var verificationFaultOps = []faultOp{
	{
		name:  "Verifications.Submit(first)",
		setup: func(f *faultFixture) { f.ids["ada"] = f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			v, err := f.svc.Verifications.Submit(f.staffCtx(), verification.CustomerSubject(f.ids["ada"]))
			return verificationDigest(v), err
		},
	},
	{
		name: "Verifications.Reject",
		setup: func(f *faultFixture) {
			f.ids["ada"] = f.register("ada", "ada@example.com")
			f.submitVerification("ada")
		},
		run: func(f *faultFixture) (string, error) {
			v, err := f.svc.Verifications.Reject(f.staffCtx(), verification.CustomerSubject(f.ids["ada"]), "blurred")
			return verificationDigest(v), err
		},
	},
	{
		name: "Verifications.SetRiskFlags",
		setup: func(f *faultFixture) {
			f.ids["ada"] = f.register("ada", "ada@example.com")
			f.submitVerification("ada")
		},
		run: func(f *faultFixture) (string, error) {
			v, err := f.svc.Verifications.SetRiskFlags(f.staffCtx(), verification.CustomerSubject(f.ids["ada"]), "pep", "sanctions-hit")
			return verificationDigest(v), err
		},
	},
}
