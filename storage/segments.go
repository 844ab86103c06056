package storage

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/segment"
)

// Segments is the capability of keeping saved segments (on a Store and on
// a Tx, found with a type assertion). A store without it still works; the
// services then answer every segment call with ErrUnsupported.
type Segments interface {
	SegmentRecords() SegmentRecords
}

// SegmentRecords stores segments (package segment): their definitions, not
// their members, which are evaluated when asked (see SegmentEvaluation).
type SegmentRecords interface {
	// Create inserts s (Version 1) and returns the stored copy. Errors:
	// *ConflictError with ConstraintPrimaryKey when the ID is taken;
	// *segment.ValidationError.
	Create(ctx context.Context, s segment.Segment) (segment.Segment, error)
	// Get returns the segment, or ErrNotFound.
	Get(ctx context.Context, id uuid.UUID) (segment.Segment, error)
	// Update locks the segment, calls fn on a copy and stores the result
	// with Version incremented, keeping ID and CreatedAt. If fn returns an
	// error nothing is written and it is returned as is. Errors:
	// ErrNotFound.
	Update(ctx context.Context, id uuid.UUID, fn func(*segment.Segment) error) (segment.Segment, error)
	// Delete removes the segment. Errors: ErrNotFound.
	Delete(ctx context.Context, id uuid.UUID) error
	// List returns the segments ordered by (CreatedAt, ID). Errors:
	// ErrInvalidCursor.
	List(ctx context.Context, p PageRequest) (Page[segment.Segment], error)
}

// SegmentEvaluation is the optional capability of evaluating a segment's
// rule in the store (on a Store and on a Tx): the SQL adapters translate
// the rule to a WHERE clause and walk the customers' (created_at, id)
// index; the memory adapter evaluates segment.Matches on its index. A
// store without it still keeps segments (Segments); the services then
// answer InSegment by loading the one customer's facts and evaluating
// segment.Matches, and Members and Count with ErrUnsupported.
type SegmentEvaluation interface {
	SegmentEvaluator() SegmentEvaluator
}

// SegmentEvaluator evaluates normalized rules (segment.Rule.Normalize)
// over the live customers; every adapter returns the members that
// segment.Matches selects from the customers' facts.
type SegmentEvaluator interface {
	// Members returns the live customers r matches, ordered by
	// (CreatedAt, ID) like Customers.List, with cursors of
	// ListSegmentMembers. Errors: ErrInvalidCursor.
	Members(ctx context.Context, r segment.Rule, p PageRequest) (Page[customer.Customer], error)
	// Count returns how many live customers r matches.
	Count(ctx context.Context, r segment.Rule) (int64, error)
	// Matches reports whether the customer is live and r matches it; false
	// for an unknown customer.
	Matches(ctx context.Context, r segment.Rule, customerID uuid.UUID) (bool, error)
}

// The cursors of the segment lists.
const (
	// ListSegments names the cursors of SegmentRecords.List.
	ListSegments = "segments"
	// ListSegmentMembers names the cursors of SegmentEvaluator.Members.
	ListSegmentMembers = "segment_members"
)

// NewSegment prepares s for SegmentRecords.Create: a copy with microsecond
// UTC times, a normalized rule and Version 1, validated.
func NewSegment(s segment.Segment) (segment.Segment, error) {
	s = s.Clone()
	s.CreatedAt, s.UpdatedAt, s.Version = Micro(s.CreatedAt), Micro(s.UpdatedAt), 1
	r, err := s.Rule.Normalize()
	if err != nil {
		return segment.Segment{}, err
	}
	s.Rule = r
	if err := s.Validate(); err != nil {
		return segment.Segment{}, err
	}
	return s, nil
}

// UpdateSegment is the updater prologue of SegmentRecords.Update: the
// result keeps old's ID and CreatedAt, has Version old.Version+1, a
// normalized rule and microsecond times, and is validated.
func UpdateSegment(old segment.Segment, fn func(*segment.Segment) error) (segment.Segment, error) {
	var ruleErr error
	out, err := update(old, fn, segment.Segment.Clone, func(old segment.Segment, s *segment.Segment) {
		s.ID, s.CreatedAt, s.Version = old.ID, old.CreatedAt, old.Version+1
		s.UpdatedAt = Micro(s.UpdatedAt)
		s.Rule, ruleErr = s.Rule.Normalize()
	}, segment.Segment.Validate)
	if ruleErr != nil {
		return segment.Segment{}, ruleErr
	}
	return out, err
}
