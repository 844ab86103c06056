package storage

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
)

// Consents is the capability of keeping customers' communication consent
// (package consent), on a Store and on a Tx, found with a type assertion.
// A store without it still works; the services then answer every consent
// call with ErrUnsupported.
type Consents interface {
	ConsentRecords() ConsentRecords
}

// ConsentRecords stores each customer's append-only consent history. It
// does not check that the customer exists: the services do.
type ConsentRecords interface {
	// Append locks the customer's consent history (a lock of its own, per
	// customer, taken with a locking read that sees the latest committed
	// records), calls fn with the current state, and appends the records
	// fn returns, numbering them with the customer's next Seq values in
	// order; it returns them as stored. fn returning no records writes
	// nothing; an error from fn is returned as is and nothing is written.
	//
	// Concurrent Appends of one customer serialize: the second's fn sees
	// the first's records. fn may run again (a concurrent first Append of
	// the customer, or a retried transaction), so it must be safe to run
	// again. Every record must be of the customer, have no Seq (0), and be
	// valid (consent.Record.Validate: a *consent.ValidationError);
	// records are stored with microsecond UTC times. Errors:
	// ErrInvalidRecord for a record of another customer or with a Seq;
	// *ConflictError with ConstraintConsentID for an ID stored already;
	// an error wrapping ErrCustomerNotLive for a customer whose history
	// Move closed (fn is not called).
	Append(ctx context.Context, customerID uuid.UUID, fn func(consent.State) ([]consent.Record, error)) ([]consent.Record, error)

	// Move re-points every record of the customer from to the customer to
	// (a merge) and returns how many it moved. The records keep their IDs
	// and every field but CustomerID and Seq: they are numbered after to's
	// records, in from's Seq order (so to's History lists its own records,
	// then from's), and to's state is then the latest record of each pair
	// by (At, Seq) across both histories. Move locks both histories (the
	// locks Append takes, in ascending ID order, reading the latest
	// committed records), and closes from's: every later Append of from,
	// including one that waited for the lock, fails with an error wrapping
	// ErrCustomerNotLive, so no record is left behind on a merged
	// customer. Moving from a closed history moves nothing (0). Errors:
	// ErrInvalidRecord for a nil ID or from == to; an error wrapping
	// ErrCustomerNotLive when to's history is closed. Nothing is written
	// on error.
	Move(ctx context.Context, from, to uuid.UUID) (int, error)

	// State returns the customer's current state: the latest record of
	// each pair by (At, Seq) (consent.NewState), read in one query. A
	// customer with no records has an empty state. It is a plain read.
	State(ctx context.Context, customerID uuid.UUID) (consent.State, error)

	// History returns the customer's records ordered by Seq ascending
	// (oldest first), keyset-paged. Errors: ErrInvalidCursor.
	History(ctx context.Context, customerID uuid.UUID, p PageRequest) (Page[consent.Record], error)

	// ByToken returns the pending record whose token has the hash h (a
	// plain read). Errors: ErrNotFound.
	ByToken(ctx context.Context, h credential.TokenHash) (consent.Record, error)

	// Anonymize replaces each of the customer's records with its
	// consent.Record.Anonymized form (an erasure) and returns how many it
	// changed.
	Anonymize(ctx context.Context, customerID uuid.UUID) (int, error)
}

// ListConsentHistory is the cursor list of ConsentRecords.History.
const ListConsentHistory = "consent_history"

// ConstraintConsentID names the primary key of consent records.
const ConstraintConsentID = "consent_records_pkey"

// CheckConsentRecords is the prologue of ConsentRecords.Append after fn:
// the records as stored, numbered from last+1, validated. Errors wrap
// ErrInvalidRecord, or are a record's validation error.
func CheckConsentRecords(customerID uuid.UUID, last int64, recs []consent.Record) ([]consent.Record, error) {
	out := make([]consent.Record, 0, len(recs))
	seen := make(map[uuid.UUID]bool, len(recs))
	for i, r := range recs {
		if r.CustomerID != customerID {
			return nil, fmt.Errorf("%w: a consent record of another customer", ErrInvalidRecord)
		}
		if r.Seq != 0 {
			return nil, fmt.Errorf("%w: a consent record's Seq is the store's to assign", ErrInvalidRecord)
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("%w: consent record %s twice", ErrInvalidRecord, r.ID)
		}
		seen[r.ID] = true
		r = r.Stored()
		r.Seq = last + int64(i) + 1
		if err := r.Validate(); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CheckConsentMove is the prologue of ConsentRecords.Move: two IDs, not
// nil, not the same. Errors wrap ErrInvalidRecord.
func CheckConsentMove(from, to uuid.UUID) error {
	switch {
	case from == uuid.Nil || to == uuid.Nil:
		return fmt.Errorf("%w: a consent move needs two customers", ErrInvalidRecord)
	case from == to:
		return fmt.Errorf("%w: a consent move from customer %s to itself", ErrInvalidRecord, from)
	}
	return nil
}

// ConsentHistoryClosed returns the error of a write to a consent history
// that ConsentRecords.Move closed: it wraps ErrCustomerNotLive.
func ConsentHistoryClosed(customerID uuid.UUID) error {
	return fmt.Errorf("consent of customer %s: moved to another customer by a merge: %w", customerID, ErrCustomerNotLive)
}
