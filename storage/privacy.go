package storage

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/privacy"
)

// Privacy is the capability of erasing personal data where the core
// repositories cannot reach it (on a Store and on a Tx, found with a type
// assertion): the payloads of the outbox's events, and the durable record
// of each erasure. A store without it still erases the customer's records;
// the services then leave event payloads as they are, keep no erasure
// record, and answer Privacy.Erasures with ErrUnsupported.
type Privacy interface {
	PrivacyRecords() PrivacyRecords
}

// PrivacyRecords rewrites event payloads and keeps erasure records.
type PrivacyRecords interface {
	// ScrubEvents calls scrub on the payload of every stored event whose
	// CustomerID is one of customerIDs (sequenced or not) and stores what
	// it returns in place of the payload when it reports a change; the
	// event's other fields stay. It returns how many events it changed.
	// In a transaction the events it reads are locked until it ends, so
	// an event appended concurrently is either scrubbed or appended after
	// the scrub commits. scrub must be a pure function of the payload: it
	// may run again when Atomic retries.
	ScrubEvents(ctx context.Context, customerIDs []uuid.UUID, scrub func(payload json.RawMessage) (json.RawMessage, bool)) (int, error)

	// MergedInto returns the IDs of the customers whose tombstones lead
	// to survivorID (the customers merged into it), in ascending byte
	// order: empty for none, and for a store without storage.Merging.
	MergedInto(ctx context.Context, survivorID uuid.UUID) ([]uuid.UUID, error)

	// RecordErasure stores e, checked with privacy.Erasure.Validate.
	// Erasure records are never pruned nor changed. Errors: an error
	// wrapping privacy.ErrInvalid; *ConflictError with ConstraintErasure
	// when e.CustomerID has a record already (nothing is written).
	RecordErasure(ctx context.Context, e privacy.Erasure) error

	// Erasure returns the customer's erasure record. In a transaction it
	// is a locking read. Errors: ErrNotFound.
	Erasure(ctx context.Context, customerID uuid.UUID) (privacy.Erasure, error)
}

// ConstraintErasure names the primary key of erasure records: one per
// customer.
const ConstraintErasure = "erasures_pkey"

// StoredErasure prepares e for PrivacyRecords.RecordErasure: its time in
// UTC at microsecond precision, its actor normalized, its merged IDs
// sorted, then validated.
func StoredErasure(e privacy.Erasure) (privacy.Erasure, error) {
	e.At = Micro(e.At)
	e.Actor = e.Actor.Normalize()
	if len(e.Merged) == 0 {
		e.Merged = nil
	} else {
		e.Merged = sortedIDs(e.Merged)
	}
	return e, e.Validate()
}

// sortedIDs returns a sorted copy of ids in ascending byte order.
func sortedIDs(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out
}
