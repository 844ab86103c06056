// Package verification keeps the identity verification (KYC for
// customers, KYB for merchants) of a [Subject]: its current [Status], the
// append-only history of its [Review]s, and a small set of risk flags that
// the host names.
//
// A subject that was never submitted is [Unverified]. Statuses move along
// this table ([TransitionError] otherwise):
//
//	unverified -> pending              (submitted)
//	pending    -> verified, rejected   (decided by a reviewer)
//	rejected   -> pending              (resubmitted)
//	verified   -> pending              (re-review, e.g. documents expired)
//	verified   -> rejected             (revoked)
//
// [Verification.Decide] is a reviewer's move: pending to verified or
// rejected only, so that of reviewers racing on one submission exactly one
// decides (the others see the decision and are refused, even though the
// table lets a verified subject be rejected: a revocation is an explicit
// [Verification.Transition]).
//
// Nothing moves back to unverified: it is the state of a subject that never
// asked, and the history of one that did is kept (an erasure anonymizes it
// rather than resetting it). Moving to the current status is a transition
// like any other and is refused too (pending -> pending), so that of two
// reviewers deciding one pending subject at once exactly one wins: the
// other sees verified or rejected and gets [ErrInvalidTransition].
//
// A rejection needs a reason (the customer is told why); a review records
// its reviewer, the actor who made it ("staff:u-7"). Risk flags are
// lower-case slugs ("pep", "sanctions-hit", "high_risk_country") of at
// most [MaxFlagBytes] bytes, at most [MaxFlags] per subject, each with who
// set it and when.
//
// The package is pure: it reads no clock; every change takes the time.
package verification
