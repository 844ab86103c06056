package clienteletest

import (
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/privacy"
)

// MustErase erases the customer (Privacy.Erase) with the reason, on the
// back office's authority, and returns the erasure record.
func (e *Env) MustErase(customerID uuid.UUID, reason string) privacy.Erasure {
	e.TB.Helper()
	rec, err := e.Service.Privacy.Erase(BackOffice(), customerID, privacy.Request{Reason: reason})
	e.must(err, "erase customer")
	return rec
}
