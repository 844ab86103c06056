package clientele

import (
	"fmt"

	"github.com/clientele-go/clientele/errcode"
)

// CallOption adjusts one call of a service method, such as an expected
// version for optimistic concurrency. Methods document which options they
// honour; they ignore the others.
type CallOption func(*callOptions)

type callOptions struct {
	version int64
	key     string
	keySet  bool
}

func collect(opts []CallOption) callOptions {
	var o callOptions
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// IfVersion makes an update apply only if the record's Version still equals
// v, as a host's If-Match header asks: the check runs under the same lock
// as the write, so two clients that read version 3 cannot both update it.
// A differing version returns a *VersionMismatchError
// (errors.Is(err, ErrVersionMismatch), errcode.Stale) and writes nothing.
// v <= 0 means no check.
func IfVersion(v int64) CallOption {
	return func(o *callOptions) { o.version = v }
}

// ErrVersionMismatch reports that a record changed since the caller read
// it: its version differs from the one IfVersion expected. Read it again
// and retry. It unwraps to errcode.Stale.
var ErrVersionMismatch = errcode.New(errcode.Stale, "clientele: version mismatch")

// VersionMismatchError is the ErrVersionMismatch of one record: the
// version the caller expected and the one the record has.
type VersionMismatchError struct {
	Expected, Actual int64
}

// Error implements the error interface.
func (e *VersionMismatchError) Error() string {
	return fmt.Sprintf("%v: expected version %d, the record is at %d", ErrVersionMismatch, e.Expected, e.Actual)
}

// Unwrap returns ErrVersionMismatch.
func (e *VersionMismatchError) Unwrap() error { return ErrVersionMismatch }

// checkVersion returns a *VersionMismatchError when o expects a version
// other than actual.
func (o callOptions) checkVersion(actual int64) error {
	if o.version > 0 && o.version != actual {
		return &VersionMismatchError{Expected: o.version, Actual: actual}
	}
	return nil
}
