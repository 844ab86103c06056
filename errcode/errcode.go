package errcode

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// Code is the category of an error. Codes are errors themselves, so that a
// sentinel can unwrap to its category and errors.Is(err, NotFound) works.
type Code int

// The categories. The zero Code is OK, what [Of] returns for a nil error.
const (
	// OK: no error.
	OK Code = iota
	// Unknown: an error the library does not categorize, such as a driver
	// failure it could not classify. Treat it as an internal error.
	Unknown
	// NotFound: the record, or a record it refers to, does not exist (or
	// was deleted).
	NotFound
	// Conflict: the write would break a uniqueness rule (a taken email, a
	// taken name, an idempotency key reused for another request).
	Conflict
	// Invalid: the input is malformed or out of bounds; the error usually
	// is, or wraps, a *ValidationError naming the field.
	Invalid
	// FailedPrecondition: the input is well formed but the records are not
	// in a state that allows the operation (an invalid state transition,
	// insufficient funds, a group still in use).
	FailedPrecondition
	// Stale: an optimistic-concurrency check failed: the record's version
	// differs from the one the caller expected (a host's If-Match).
	Stale
	// Denied: the caller may not do this (access to a private market).
	Denied
	// Unavailable: the database could not be reached or gave up; the
	// operation did not take effect and may be retried.
	Unavailable
	// CommitUnknown: the connection or the deadline was lost while the
	// transaction committed, so it may or may not have taken effect. Retry
	// with the same idempotency key, or read back, to find out.
	CommitUnknown
	// Unsupported: the store lacks the capability the operation needs.
	Unsupported
	// Canceled: the caller's context was canceled.
	Canceled
	// DeadlineExceeded: the caller's context deadline passed.
	DeadlineExceeded
	// Unauthenticated: the caller did not prove who they are (a failed
	// sign-in: credential.ErrInvalidCredentials).
	Unauthenticated
)

var names = [...]string{
	OK: "ok", Unknown: "unknown", NotFound: "not_found", Conflict: "conflict", Invalid: "invalid",
	FailedPrecondition: "failed_precondition", Stale: "stale", Denied: "denied",
	Unavailable: "unavailable", CommitUnknown: "commit_unknown", Unsupported: "unsupported",
	Canceled: "canceled", DeadlineExceeded: "deadline_exceeded", Unauthenticated: "unauthenticated",
}

// String returns the code's snake_case name ("not_found"), suitable for a
// problem document's type or a log field.
func (c Code) String() string {
	if c < 0 || int(c) >= len(names) {
		return "Code(" + strconv.Itoa(int(c)) + ")"
	}
	return names[c]
}

// Error implements the error interface, so that a Code can sit at the end
// of a sentinel's chain.
func (c Code) Error() string { return c.String() }

// MarshalText implements encoding.TextMarshaler with String.
func (c Code) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// HTTPStatus returns the status a JSON API answers with for the category:
//
//	OK 200, NotFound 404, Conflict 409, FailedPrecondition 409,
//	Invalid 422, Stale 412, Unauthenticated 401, Denied 403, Unavailable 503,
//	CommitUnknown 503, Unsupported 501, Canceled 499 (the client closed
//	the request; nginx's convention), DeadlineExceeded 504, Unknown 500.
func (c Code) HTTPStatus() int {
	switch c {
	case OK:
		return http.StatusOK
	case NotFound:
		return http.StatusNotFound
	case Conflict, FailedPrecondition:
		return http.StatusConflict
	case Invalid:
		return http.StatusUnprocessableEntity
	case Stale:
		return http.StatusPreconditionFailed
	case Unauthenticated:
		return http.StatusUnauthorized
	case Denied:
		return http.StatusForbidden
	case Unavailable, CommitUnknown:
		return http.StatusServiceUnavailable
	case Unsupported:
		return http.StatusNotImplemented
	case Canceled:
		return 499
	case DeadlineExceeded:
		return http.StatusGatewayTimeout
	default:
		return http.StatusInternalServerError
	}
}

// Retryable reports whether repeating the same call may succeed without
// changing it: Unavailable, CommitUnknown (with the same idempotency key),
// Stale (after reading the new version) and DeadlineExceeded.
func (c Code) Retryable() bool {
	switch c {
	case Unavailable, CommitUnknown, Stale, DeadlineExceeded:
		return true
	}
	return false
}

// Of returns the category of err: OK for nil, the first Code on err's
// chain (the outermost wins, so an ambiguous commit that wraps a deadline
// is CommitUnknown), Canceled or DeadlineExceeded for the context errors,
// and Unknown otherwise.
func Of(err error) Code {
	if err == nil {
		return OK
	}
	var c Code
	if errors.As(err, &c) {
		return c
	}
	switch {
	case errors.Is(err, context.Canceled):
		return Canceled
	case errors.Is(err, context.DeadlineExceeded):
		return DeadlineExceeded
	}
	return Unknown
}

// New returns a sentinel error with the text msg that unwraps to c. Each
// call returns a distinct error, like errors.New.
func New(c Code, msg string) error { return &sentinel{code: c, msg: msg} }

type sentinel struct {
	code Code
	msg  string
}

func (s *sentinel) Error() string { return s.msg }
func (s *sentinel) Unwrap() error { return s.code }
