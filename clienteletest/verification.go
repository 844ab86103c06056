package clienteletest

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/verification"
)

// Reviewer is the staff actor the verification builders decide as.
var Reviewer = actor.Staff("clienteletest-reviewer")

// reviewing returns a context whose actor is Reviewer.
func reviewing() context.Context { return actor.NewContext(context.Background(), Reviewer) }

// MustSubmitVerification submits the customer for review (as Reviewer) and
// returns the pending verification.
func (e *Env) MustSubmitVerification(customerID uuid.UUID) verification.Verification {
	e.TB.Helper()
	v, err := e.Service.Verifications.Submit(reviewing(), verification.CustomerSubject(customerID))
	e.must(err, "submit verification")
	return v
}

// MustVerify submits the customer for review, when not pending already,
// and approves them (as Reviewer): the customer is verified.
func (e *Env) MustVerify(customerID uuid.UUID) verification.Verification {
	e.TB.Helper()
	s := verification.CustomerSubject(customerID)
	v, err := e.Service.Verifications.Get(context.Background(), s)
	e.must(err, "get verification")
	if v.Status != verification.Pending {
		e.MustSubmitVerification(customerID)
	}
	v, err = e.Service.Verifications.Approve(reviewing(), s)
	e.must(err, "approve verification")
	return v
}

// MustVerifyMerchant is MustVerify for a merchant (KYB).
func (e *Env) MustVerifyMerchant(merchantID uuid.UUID) verification.Verification {
	e.TB.Helper()
	s := verification.MerchantSubject(merchantID)
	_, err := e.Service.Verifications.Submit(reviewing(), s)
	e.must(err, "submit merchant verification")
	v, err := e.Service.Verifications.Approve(reviewing(), s)
	e.must(err, "approve merchant verification")
	return v
}

// MustRejectVerification submits the customer, when not pending already,
// and rejects them with reason (as Reviewer).
func (e *Env) MustRejectVerification(customerID uuid.UUID, reason string) verification.Verification {
	e.TB.Helper()
	s := verification.CustomerSubject(customerID)
	v, err := e.Service.Verifications.Get(context.Background(), s)
	e.must(err, "get verification")
	if v.Status != verification.Pending {
		e.MustSubmitVerification(customerID)
	}
	v, err = e.Service.Verifications.Reject(reviewing(), s, reason)
	e.must(err, "reject verification")
	return v
}
