package storage

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/verification"
)

// Verifications is the capability of keeping the identity verification
// (KYC / KYB) of customers and merchants (package verification), on a
// Store and on a Tx, found with a type assertion. A store without it
// still works; the services then answer every verification call with
// ErrUnsupported.
type Verifications interface {
	VerificationRecords() VerificationRecords
}

// VerificationRecords stores each subject's current verification (one
// record, the lock of its changes) and its append-only history of reviews.
// It does not check that a subject exists: the services do.
type VerificationRecords interface {
	// Get returns the subject's current verification: verification.New(s)
	// (Unverified, Version 0, no flags) when none is stored. It is a plain
	// read: in a transaction that writes afterwards, use Update, whose
	// read is locking.
	Get(ctx context.Context, s verification.Subject) (verification.Verification, error)

	// Update locks the subject's record (a locking read, which sees the
	// latest committed record), calls fn on a copy, and stores the result
	// with the review fn returns appended to the history, in one write.
	// fn returns nil for a change that is no status change (risk flags).
	// A result whose Version equals the one read writes nothing; any
	// other must be Version+1 (see CheckVerification). If fn returns an
	// error nothing is written and the error is returned as is.
	//
	// Concurrent Updates of one subject serialize: the second reads the
	// first one's result, so of two transitions from the same status
	// exactly one applies and the other's fn sees the new status (and
	// returns verification.ErrInvalidTransition, or applies after it). For
	// a subject never stored, the record's insert is the conditional
	// write: fn may run again on the record a concurrent first Update
	// inserted, so it must be safe to run again. Errors: a
	// *verification.ValidationError or verification.ErrTooManyFlags for
	// an invalid result; ErrInvalidRecord for a result that breaks the
	// rules of CheckVerification.
	Update(ctx context.Context, s verification.Subject, fn func(v *verification.Verification) (*verification.Review, error)) (verification.Verification, error)

	// History returns the subject's reviews ordered by Version ascending
	// (oldest first). Errors: ErrInvalidCursor.
	History(ctx context.Context, s verification.Subject, p PageRequest) (Page[verification.Review], error)

	// List returns the stored verifications of subjects of the kind with
	// the status, ordered by (UpdatedAt, ID) ascending: the review queue
	// is List(kind, verification.Pending), oldest first. A subject never
	// stored is not listed (Unverified lists only subjects that have a
	// record, e.g. risk flags without a submission). Errors:
	// ErrInvalidCursor, *verification.ValidationError for an invalid kind
	// or status.
	List(ctx context.Context, kind verification.Kind, status verification.Status, p PageRequest) (Page[verification.Verification], error)

	// Anonymize removes what could be personal from the subject's record
	// and history (an erasure): reasons, who set each risk flag, and the
	// reviewer where it is the subject itself (see
	// verification.Review.Anonymized); statuses, versions and times stay.
	// It returns how many reviews it changed, and writes nothing for a
	// subject never stored.
	Anonymize(ctx context.Context, s verification.Subject) (int, error)
}

// The cursors of VerificationRecords.
const (
	ListVerificationHistory = "verification_history"
	ListVerifications       = "verifications"
)

// CheckVerification is the prologue of VerificationRecords.Update after
// fn: v (the result) as stored (verification.Verification.Stored),
// validated, and changed reports whether there is anything to write. The
// rules: the subject stays old's; an unchanged Version writes nothing
// (and must come with no review); otherwise Version is old.Version+1, and
// a status change comes with its review (From old's status, To v's, the
// same Version, reason and reviewer), a review without a status change is
// refused. Errors wrap ErrInvalidRecord, or are the result's validation
// error.
func CheckVerification(old, v verification.Verification, r *verification.Review) (out verification.Verification, review *verification.Review, changed bool, err error) {
	v = v.Stored()
	if v.Subject != old.Subject {
		return out, nil, false, fmt.Errorf("%w: the subject of a verification never changes", ErrInvalidRecord)
	}
	if v.Version == old.Version {
		if r != nil || v.Status != old.Status {
			return out, nil, false, fmt.Errorf("%w: a change without a new version", ErrInvalidRecord)
		}
		return old, nil, false, nil
	}
	if v.Version != old.Version+1 {
		return out, nil, false, fmt.Errorf("%w: version %d after %d", ErrInvalidRecord, v.Version, old.Version)
	}
	if err := v.Validate(); err != nil {
		return out, nil, false, err
	}
	if v.Status != old.Status && r == nil {
		return out, nil, false, fmt.Errorf("%w: a status change without its review", ErrInvalidRecord)
	}
	if r != nil {
		rv := *r
		rv.At = Micro(rv.At)
		if rv.Subject != v.Subject || rv.Version != v.Version || rv.From != old.Status || rv.To != v.Status ||
			rv.Reason != v.Reason || rv.Reviewer != v.Reviewer {
			return out, nil, false, fmt.Errorf("%w: the review does not describe the change", ErrInvalidRecord)
		}
		if err := rv.Validate(); err != nil {
			return out, nil, false, err
		}
		review = &rv
	}
	return v, review, true, nil
}

// CheckVerificationList validates the arguments of
// VerificationRecords.List.
func CheckVerificationList(kind verification.Kind, status verification.Status) error {
	if !kind.Valid() {
		_, err := verification.ParseKind(kind.String())
		return err
	}
	if !status.Valid() {
		_, err := verification.ParseStatus(status.String())
		return err
	}
	return nil
}
