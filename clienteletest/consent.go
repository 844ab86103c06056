package clienteletest

import (
	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/consent"
)

// ConsentOption changes the change a consent builder records.
type ConsentOption func(*clientele.ConsentChange)

// ConsentEvidence sets the evidence of the change (by default the source
// "clienteletest", wording version "v1", nothing personal).
func ConsentEvidence(ev consent.Evidence) ConsentOption {
	return func(c *clientele.ConsentChange) { c.Evidence = ev }
}

func consentChange(ch consent.Channel, p consent.Purpose, opts []ConsentOption) clientele.ConsentChange {
	c := clientele.ConsentChange{Channel: ch, Purpose: p,
		Evidence: consent.Evidence{Source: "clienteletest", WordingVersion: "v1"}}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// MustGrantConsent records the customer's consent to the channel and
// purpose (as Reviewer, a staff actor) and returns the record.
func (e *Env) MustGrantConsent(customerID uuid.UUID, ch consent.Channel, p consent.Purpose, opts ...ConsentOption) consent.Record {
	e.TB.Helper()
	r, err := e.Service.Consents.Grant(reviewing(), customerID, consentChange(ch, p, opts))
	e.must(err, "grant consent")
	return r
}

// MustWithdrawConsent records the customer's withdrawal (as Reviewer).
func (e *Env) MustWithdrawConsent(customerID uuid.UUID, ch consent.Channel, p consent.Purpose, opts ...ConsentOption) consent.Record {
	e.TB.Helper()
	r, err := e.Service.Consents.Withdraw(reviewing(), customerID, consentChange(ch, p, opts))
	e.must(err, "withdraw consent")
	return r
}

// MustDoubleOptIn requests a double opt-in (as Reviewer) and confirms it
// with its token: it returns the pending record and the confirming grant.
func (e *Env) MustDoubleOptIn(customerID uuid.UUID, ch consent.Channel, p consent.Purpose, opts ...ConsentOption) (pending, granted consent.Record) {
	e.TB.Helper()
	tok, err := e.Service.Consents.Request(reviewing(), customerID, consentChange(ch, p, opts))
	e.must(err, "request consent")
	granted, err = e.Service.Consents.Confirm(reviewing(), tok.Token)
	e.must(err, "confirm consent")
	return tok.Record, granted
}
