package storage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientele-go/clientele/errcode"
)

// Idempotency is the capability of keeping idempotency records: what a
// creating request, identified by its caller's key, produced. It lets a
// client retry a create whose outcome it did not learn (a lost connection,
// an ambiguous commit) and get the first result instead of a duplicate.
type Idempotency interface {
	IdempotencyRecords() IdempotencyRecords
}

// Bounds of an IdempotencyRecord's fields, in bytes.
const (
	MaxIdempotencyScope       = 64
	MaxIdempotencyKey         = 255
	MaxIdempotencyFingerprint = 128
	MaxIdempotencyResult      = 255
)

// IdempotencyRecord remembers the outcome of one creating request.
type IdempotencyRecord struct {
	// Scope names the operation ("customer.register", "group.create"...);
	// a key is unique within its scope.
	Scope string
	// Key is the caller's idempotency key.
	Key string
	// Fingerprint identifies the request's content (the services use a
	// hex SHA-256 of it), so that the key reused for another request is
	// told apart from a retry.
	Fingerprint string
	// Result identifies what the request created (an ID).
	Result string
	// CreatedAt is when the request first succeeded (UTC, microseconds).
	CreatedAt time.Time
}

// IdempotencyRecords stores idempotency records. Records are written in the
// same transaction as what they describe, so a record exists exactly when
// its result was committed.
type IdempotencyRecords interface {
	// Get returns the record of (scope, key), or ErrNotFound.
	Get(ctx context.Context, scope, key string) (IdempotencyRecord, error)

	// Put inserts r and returns the stored copy. Errors: *ConflictError
	// with ConstraintIdempotencyRecord when (r.Scope, r.Key) has a record
	// already (nothing is written); ErrInvalidRecord when a field is empty
	// (Fingerprint and Result may not be), longer than its bound, not valid
	// UTF-8 or holds a NUL byte (see IdempotencyRecord.Validate).
	Put(ctx context.Context, r IdempotencyRecord) (IdempotencyRecord, error)
}

// ConstraintIdempotencyRecord: a record with this scope and key exists.
const ConstraintIdempotencyRecord Constraint = "idempotency_record"

// ErrInvalidRecord reports a record that an adapter refuses to store
// because a field is missing, too long or not valid UTF-8. It unwraps to
// errcode.Invalid.
var ErrInvalidRecord = errcode.New(errcode.Invalid, "storage: invalid record")

// Validate checks r against the bounds above; adapters call it before
// writing. Errors: *errcode.ValidationError naming the field, unwrapping to
// ErrInvalidRecord.
func (r IdempotencyRecord) Validate() error {
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"scope", r.Scope, MaxIdempotencyScope},
		{"key", r.Key, MaxIdempotencyKey},
		{"fingerprint", r.Fingerprint, MaxIdempotencyFingerprint},
		{"result", r.Result, MaxIdempotencyResult},
	} {
		switch {
		case f.value == "":
			return &errcode.ValidationError{Field: f.name, Reason: "is required", Err: ErrInvalidRecord}
		case len(f.value) > f.max:
			return &errcode.ValidationError{Field: f.name, Reason: fmt.Sprintf("is longer than %d bytes", f.max), Err: ErrInvalidRecord}
		case !utf8.ValidString(f.value):
			return &errcode.ValidationError{Field: f.name, Reason: "is not valid UTF-8", Err: ErrInvalidRecord}
		case strings.IndexByte(f.value, 0) >= 0:
			return &errcode.ValidationError{Field: f.name, Reason: "contains a NUL byte", Err: ErrInvalidRecord}
		}
	}
	return nil
}
