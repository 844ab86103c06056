package clientele

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// Verifications keeps the identity verification (KYC for customers, KYB
// for merchants) of live customers and existing merchants: a status that
// moves along the table of package verification, an append-only history
// of reviews, and risk flags that the host names.
//
// Who may do what, from the actor in ctx (actor.NewContext or WithActor):
// a customer submits for themselves, staff, apps and the system (named by
// an ID) for anyone; only staff, apps and the system decide (Approve,
// Reject, Revoke, Review) and set or clear risk flags. Anything else is
// ErrActorRequired. The actor is recorded as the review's reviewer (or
// the flag's author) and on the event.
//
// Each write runs in one transaction that reads the subject's record
// under its lock, appends the review and emits its event: of reviewers
// deciding one pending subject at once, exactly one decides and the
// others get verification.ErrInvalidTransition. The subject's existence
// is checked in that transaction with a plain read; a submission racing
// the customer's deletion may still be recorded (the erasure anonymizes
// it).
//
// A merge keeps the survivor's verification as it is: the duplicate's
// stays recorded under the duplicate's ID (not moved, not combined), since
// a verification vouches for the documents of the record that was
// reviewed. An erasure (Customers.Erase) anonymizes the customer's record
// and history: reasons, the customer's own name as a reviewer, and who set
// each risk flag go; statuses, versions and times stay.
//
// It needs a store with the storage.Verifications capability (every
// adapter of this module has it); on another store every call returns
// ErrUnsupported.
type Verifications struct{ *env }

// verificationsOf returns the verification repository of r, or
// ErrUnsupported.
func verificationsOf(r any) (storage.VerificationRecords, error) {
	v, ok := r.(storage.Verifications)
	if !ok {
		return nil, fmt.Errorf("%w: verifications need the storage.Verifications capability (%T)", ErrUnsupported, r)
	}
	return v.VerificationRecords(), nil
}

// subjectExists checks that the subject is a live customer
// (customer.ErrNotFound otherwise) or an existing merchant
// (merchant.ErrNotFound).
func subjectExists(ctx context.Context, r storage.Repositories, s verification.Subject) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if s.Kind == verification.Customer {
		_, err := liveCustomer(ctx, r, s.ID)
		return err
	}
	_, err := r.Merchants().Get(ctx, s.ID)
	return mapMerchantErr(err)
}

// reviewer returns who acts in ctx when a decision needs staff, an app or
// the system named by an ID; ErrActorRequired otherwise.
func reviewer(ctx context.Context) (string, error) {
	who, ok := actor.Lookup(ctx)
	if !ok || who.Kind == actor.KindCustomer || who.ID == "" {
		return "", ErrActorRequired
	}
	return who.String(), nil
}

// submitter returns who acts in ctx for a submission: a reviewer, or the
// customer subject itself; ErrActorRequired otherwise.
func submitter(ctx context.Context, s verification.Subject) (string, error) {
	if who, ok := actor.Lookup(ctx); ok && who.Kind == actor.KindCustomer {
		if s.Kind == verification.Customer && who.ID == s.ID.String() {
			return who.String(), nil
		}
		return "", ErrActorRequired
	}
	return reviewer(ctx)
}

// Get returns the subject's verification (verification.Unverified, Version
// 0, for a subject never submitted). Errors: customer.ErrNotFound,
// merchant.ErrNotFound, *verification.ValidationError, ErrUnsupported.
func (s *Verifications) Get(ctx context.Context, subj verification.Subject) (verification.Verification, error) {
	repo, err := verificationsOf(s.store)
	if err != nil {
		return verification.Verification{}, err
	}
	if err := subjectExists(ctx, s.store, subj); err != nil {
		return verification.Verification{}, err
	}
	return repo.Get(ctx, subj)
}

// History returns a page of the subject's reviews, oldest first. Errors:
// as Get; page.ErrInvalidCursor.
func (s *Verifications) History(ctx context.Context, subj verification.Subject, p page.Request) (page.Page[verification.Review], error) {
	repo, err := verificationsOf(s.store)
	if err != nil {
		return page.Page[verification.Review]{}, err
	}
	if err := subjectExists(ctx, s.store, subj); err != nil {
		return page.Page[verification.Review]{}, err
	}
	return repo.History(ctx, subj, p)
}

// List returns a page of the verifications of subjects of the kind with
// the status, ordered by (UpdatedAt, ID): the oldest change first.
// Subjects never submitted are not listed. Errors:
// *verification.ValidationError, page.ErrInvalidCursor, ErrUnsupported.
func (s *Verifications) List(ctx context.Context, kind verification.Kind, status verification.Status, p page.Request) (page.Page[verification.Verification], error) {
	repo, err := verificationsOf(s.store)
	if err != nil {
		return page.Page[verification.Verification]{}, err
	}
	return repo.List(ctx, kind, status, p)
}

// PendingQueue returns the review queue of the kind: a page of its
// pending subjects, the longest waiting first. Errors: as List.
func (s *Verifications) PendingQueue(ctx context.Context, kind verification.Kind, p page.Request) (page.Page[verification.Verification], error) {
	return s.List(ctx, kind, verification.Pending, p)
}

// change runs fn on the subject's verification under its lock, in one
// transaction that checks the subject exists and emits the event describe
// returns (none for no change).
func (s *Verifications) change(ctx context.Context, subj verification.Subject,
	fn func(v *verification.Verification) (*verification.Review, error),
	describe func(before, after verification.Verification, r *verification.Review) (event.Type, any)) (verification.Verification, error) {
	if _, err := verificationsOf(s.store); err != nil {
		return verification.Verification{}, err
	}
	if err := subj.Validate(); err != nil {
		return verification.Verification{}, err
	}
	var out verification.Verification
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := verificationsOf(tx)
		if err != nil {
			return err
		}
		if err := subjectExists(ctx, tx, subj); err != nil {
			return err
		}
		var (
			before verification.Verification
			review *verification.Review
		)
		v, err := repo.Update(ctx, subj, func(v *verification.Verification) (*verification.Review, error) {
			before = v.Clone()
			r, err := fn(v)
			review = r
			return r, err
		})
		if err != nil {
			return err
		}
		out = v
		if v.Version == before.Version {
			return nil
		}
		t, payload := describe(before, v, review)
		customerID := subj.ID
		if subj.Kind != verification.Customer {
			customerID = uuid.Nil
		}
		return s.emitOne(ctx, tx, t, event.AggregateVerification, subj.String(), customerID, v.Version, payload)
	})
	if err != nil {
		return verification.Verification{}, err
	}
	return out, nil
}

// reviewEvent describes a status change by its review.
func reviewEvent(_, after verification.Verification, r *verification.Review) (event.Type, any) {
	t := event.VerificationSubmitted
	switch r.To {
	case verification.Verified:
		t = event.VerificationApproved
	case verification.Rejected:
		t = event.VerificationRejected
	}
	return t, event.KYCPayload{Verification: after, Review: *r}
}

// transition is the updater of a status change to to by who; decide
// makes it a decision of a pending subject (verification.Verification.Decide).
func (s *Verifications) transition(to verification.Status, reason, who string, decide bool) func(*verification.Verification) (*verification.Review, error) {
	return func(v *verification.Verification) (*verification.Review, error) {
		var (
			r   verification.Review
			err error
		)
		if decide {
			r, err = v.Decide(to, reason, who, s.clock())
		} else {
			r, err = v.Transition(to, reason, who, s.clock())
		}
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
}

// Submit asks for the subject's review: unverified or rejected (a
// resubmission) to pending, or verified back to pending (a re-review).
// A customer submits for themselves; staff, an app or the system for
// anyone. Errors: ErrActorRequired; customer.ErrNotFound,
// merchant.ErrNotFound; verification.ErrInvalidTransition (already
// pending); ErrUnsupported.
func (s *Verifications) Submit(ctx context.Context, subj verification.Subject) (verification.Verification, error) {
	who, err := submitter(ctx, subj)
	if err != nil {
		return verification.Verification{}, err
	}
	return s.change(ctx, subj, s.transition(verification.Pending, "", who, false), reviewEvent)
}

// Approve verifies a pending subject on the authority of the staff, app
// or system actor in ctx, recorded as the reviewer. Errors:
// ErrActorRequired; customer.ErrNotFound, merchant.ErrNotFound;
// verification.ErrInvalidTransition when the subject is not pending (also
// for the loser of two reviewers deciding at once); ErrUnsupported.
func (s *Verifications) Approve(ctx context.Context, subj verification.Subject) (verification.Verification, error) {
	who, err := reviewer(ctx)
	if err != nil {
		return verification.Verification{}, err
	}
	return s.change(ctx, subj, s.transition(verification.Verified, "", who, true), reviewEvent)
}

// Reject refuses a pending subject with a reason (told to the subject) on
// the authority of the actor in ctx. Errors: as Approve; a
// *verification.ValidationError without a reason.
func (s *Verifications) Reject(ctx context.Context, subj verification.Subject, reason string) (verification.Verification, error) {
	who, err := reviewer(ctx)
	if err != nil {
		return verification.Verification{}, err
	}
	return s.change(ctx, subj, s.transition(verification.Rejected, reason, who, true), reviewEvent)
}

// Revoke rejects a verified subject with a reason (emitting
// verification.rejected). Errors: as Reject, with
// verification.ErrInvalidTransition when the subject is not verified.
func (s *Verifications) Revoke(ctx context.Context, subj verification.Subject, reason string) (verification.Verification, error) {
	who, err := reviewer(ctx)
	if err != nil {
		return verification.Verification{}, err
	}
	return s.change(ctx, subj, func(v *verification.Verification) (*verification.Review, error) {
		if v.Status != verification.Verified {
			return nil, &verification.TransitionError{From: v.Status, To: verification.Rejected}
		}
		return s.transition(verification.Rejected, reason, who, false)(v)
	}, reviewEvent)
}

// SetRiskFlags adds the risk flags (lower-case slugs, see package
// verification) on the authority of the actor in ctx, recorded as their
// author; flags set already keep theirs. It emits
// verification.risk_flags_changed when a flag was new. Errors:
// ErrActorRequired; customer.ErrNotFound, merchant.ErrNotFound;
// *verification.ValidationError; verification.ErrTooManyFlags;
// ErrUnsupported.
func (s *Verifications) SetRiskFlags(ctx context.Context, subj verification.Subject, names ...string) (verification.Verification, error) {
	who, err := reviewer(ctx)
	if err != nil {
		return verification.Verification{}, err
	}
	return s.change(ctx, subj, func(v *verification.Verification) (*verification.Review, error) {
		_, err := v.SetFlags(names, who, s.clock())
		return nil, err
	}, flagsEvent)
}

// ClearRiskFlag removes one risk flag; clearing a flag the subject does
// not carry changes nothing. Errors: as SetRiskFlags.
func (s *Verifications) ClearRiskFlag(ctx context.Context, subj verification.Subject, name string) (verification.Verification, error) {
	if _, err := reviewer(ctx); err != nil {
		return verification.Verification{}, err
	}
	return s.change(ctx, subj, func(v *verification.Verification) (*verification.Review, error) {
		_, err := v.ClearFlag(name, s.clock())
		return nil, err
	}, flagsEvent)
}

// flagsEvent describes a change of risk flags.
func flagsEvent(before, after verification.Verification, _ *verification.Review) (event.Type, any) {
	was, now := before.FlagNames(), after.FlagNames()
	p := event.RiskFlagsPayload{Verification: after}
	for _, n := range now {
		if !slices.Contains(was, n) {
			p.Set = append(p.Set, n)
		}
	}
	for _, n := range was {
		if !slices.Contains(now, n) {
			p.Cleared = append(p.Cleared, n)
		}
	}
	return event.VerificationRiskFlagsChanged, p
}

// verifiedCustomer reports whether the customer's verification is
// verified, reading it in r (false on a store without the capability).
func verifiedCustomer(ctx context.Context, r any, s verification.Subject) (bool, error) {
	repo, err := verificationsOf(r)
	if err != nil {
		return false, nil
	}
	v, err := repo.Get(ctx, s)
	if err != nil {
		return false, err
	}
	return v.Status == verification.Verified, nil
}
