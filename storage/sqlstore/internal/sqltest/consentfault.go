package sqltest

import (
	"fmt"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/privacy"
)

// newsletter is the consent change of the fault operations.
var newsletter = clientele.ConsentChange{Channel: consent.Email, Purpose: consent.Newsletter,
	Evidence: consent.Evidence{Source: "signup", WordingVersion: "v1", IP: "192.0.2.1", Note: "said yes"}}

// consentDigest is a consent record's state, the same on every run.
func consentDigest(r consent.Record) string {
	return fmt.Sprintf("%s %s %s seq %d %s %s confirms %s", r.ID, r.Pair(), r.Status, r.Seq, r.At, r.Actor, r.Confirms)
}

// consentFaultOps are the writes of Consents: a customer's first record
// (the head's insert, the record, the event), a later one (the head's
// update), a double opt-in's request and confirmation, and an erasure
// that anonymizes the history.
var consentFaultOps = []faultOp{
	{
		name:  "Consents.Grant(first)",
		setup: func(f *faultFixture) { f.ids["ada"] = f.register("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Consents.Grant(f.staffCtx(), f.ids["ada"], newsletter)
			return consentDigest(r), err
		},
		replay: true, // granted already: nothing recorded
	},
	{
		name: "Consents.Withdraw",
		setup: func(f *faultFixture) {
			f.ids["ada"] = f.register("ada", "ada@example.com")
			_, err := f.svc.Consents.Grant(f.staffCtx(), f.ids["ada"], newsletter)
			f.must("grant", err)
		},
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Consents.Withdraw(f.staffCtx(), f.ids["ada"], newsletter)
			return consentDigest(r), err
		},
		replay: true,
	},
	{
		name: "Consents.Confirm",
		setup: func(f *faultFixture) {
			f.ids["ada"] = f.register("ada", "ada@example.com")
			tok, err := f.svc.Consents.Request(f.staffCtx(), f.ids["ada"], newsletter)
			f.must("request", err)
			f.secrets["consent"] = tok.Token
		},
		run: func(f *faultFixture) (string, error) {
			r, err := f.svc.Consents.Confirm(f.ctx, f.secrets["consent"])
			return consentDigest(r), err
		},
		replay: true, // replay-safe
	},
	{
		name: "Privacy.Erase(consents)",
		setup: func(f *faultFixture) {
			f.ids["ada"] = f.register("ada", "ada@example.com")
			_, err := f.svc.Consents.Grant(f.staffCtx(), f.ids["ada"], newsletter)
			f.must("grant", err)
			_, err = f.svc.Consents.Request(f.staffCtx(), f.ids["ada"], clientele.ConsentChange{Channel: consent.SMS,
				Purpose: consent.Marketing, Evidence: consent.Evidence{Source: "app", UserAgent: "app/1"}})
			f.must("request", err)
		},
		run: func(f *faultFixture) (string, error) {
			e, err := f.svc.Privacy.Erase(actor.NewContext(f.ctx, actor.Staff("dpo")), f.ids["ada"], privacy.Request{Reason: "DSR-2"})
			return fmt.Sprintf("%s %s %s %s", e.CustomerID, e.Actor, e.Reason, e.At), err
		},
		replay: true,
	},
}
