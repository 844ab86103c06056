package storage

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/pricing"
)

// Pricing is the optional capability of keeping host references on groups
// and segments and of reading a pricing context's groups and segments in
// a fixed number of statements (on a Store and on a Tx, found with a type
// assertion). A store without it still answers Pricing.Context: the
// services then list no references, read the customer's groups with
// Groups.GroupsOf-like reads and evaluate segments one by one (see the
// fallbacks in package clientele).
type Pricing interface {
	PricingRecords() PricingRecords
}

// PricingRecords reads and writes what the pricing context needs.
type PricingRecords interface {
	// SetGroupRefs sets the group's host references (normalized and
	// valid: pricing.Refs.Normalize, Validate) and returns those it had.
	// Errors: ErrNotFound.
	SetGroupRefs(ctx context.Context, groupID uuid.UUID, r pricing.Refs) (before pricing.Refs, err error)
	// SetSegmentRefs is SetGroupRefs for a segment (the Segments
	// capability). Errors: ErrNotFound.
	SetSegmentRefs(ctx context.Context, segmentID uuid.UUID, r pricing.Refs) (before pricing.Refs, err error)
	// GroupRefs and SegmentRefs return the references of a group or a
	// segment. Errors: ErrNotFound.
	GroupRefs(ctx context.Context, groupID uuid.UUID) (pricing.Refs, error)
	SegmentRefs(ctx context.Context, segmentID uuid.UUID) (pricing.Refs, error)
	// GroupsInForce returns, in one statement, the customer's groups whose
	// membership's window contains at (every membership without a
	// window), ordered by group ID, with their references and the
	// window's end: at most limit of them, and whether there were more.
	GroupsInForce(ctx context.Context, customerID uuid.UUID, at time.Time, limit int) (groups []pricing.Group, more bool, err error)
	// SegmentsOf evaluates the first limit segments, in (CreatedAt, ID)
	// order, for the customer, and returns those the live customer is in,
	// with their references, and whether there were more segments than
	// limit (not evaluated); group conditions count timed memberships at
	// at, as SegmentEvaluator does. The SQL adapters use two statements:
	// the segments, then every rule at once over the one customer row.
	SegmentsOf(ctx context.Context, customerID uuid.UUID, at time.Time, limit int) (segments []pricing.Segment, more bool, err error)
}

// PricingSnapshots is the optional capability of reading everything a
// pricing context is decided from at once (on a Store and on a Tx, found
// with a type assertion): the SQL adapters in one statement, the memory
// adapter under one read lock, so that the context is one consistent
// snapshot. A store
// without it still answers Pricing.Context, with the reads of Pricing (or
// of the core repositories) one after the other.
type PricingSnapshots interface {
	// PricingSnapshot reads the snapshot of the customer in the market
	// (pricing.Snapshot), memberships judged at at: the market, its
	// merchant's name, and for a customer (customerID not uuid.Nil; a
	// guest needs nothing more) the live customer, its groups in force
	// ordered by ID (at most maxGroups with their references and windows'
	// ends; every ID in force when there are more), whether its
	// verification is verified, its default addresses' countries and
	// order figures, and the first maxSegments segments in (CreatedAt,
	// ID) order with their rules and references. Errors: ErrNotFound
	// (wrapped) when the market, its merchant or the live customer does
	// not exist (the caller reads again to tell which); ErrNoSnapshot
	// when the adapter cannot read this snapshot at once.
	PricingSnapshot(ctx context.Context, customerID, marketID uuid.UUID, at time.Time, maxGroups, maxSegments int) (pricing.Snapshot, error)
}

// ErrNoSnapshot is what PricingSnapshot returns (wrapped) when it cannot
// read a snapshot at once: a sqlstore dialect without JSON functions, or
// an aggregate beyond an engine's limit (MariaDB cuts JSON_ARRAYAGG at
// group_concat_max_len). The services then read the context as on a
// store without the capability. It unwraps to errcode.Unsupported.
var ErrNoSnapshot = errcode.New(errcode.Unsupported, "storage: the pricing snapshot cannot be read at once")
