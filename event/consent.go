package event

import "github.com/clientele-go/clientele/consent"

// The consent events (aggregate "consent", whose ID is the customer's;
// Version is the record's Seq).
const (
	// ConsentGranted: a customer opted in to a channel and purpose,
	// directly or by confirming a double opt-in (ConsentPayload).
	ConsentGranted Type = "consent.granted"
	// ConsentWithdrawn: a customer opted out (ConsentPayload).
	ConsentWithdrawn Type = "consent.withdrawn"
	// ConsentRequested: a double opt-in was requested; the host sends the
	// token it was given (ConsentPayload, never the token).
	ConsentRequested Type = "consent.requested"
)

// AggregateConsent is the aggregate of the consent events.
const AggregateConsent = "consent"

// ConsentPayload is the payload of the consent events: the record
// appended to the history (its IP, user agent and note are personal: an
// erasure scrubs them).
type ConsentPayload struct {
	Record consent.Record `json:"record"`
}
