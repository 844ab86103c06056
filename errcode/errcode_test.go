package errcode_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/errcode"
)

func TestOf(t *testing.T) {
	notFound := errcode.New(errcode.NotFound, "thing: not found")
	commit := errcode.New(errcode.CommitUnknown, "commit outcome unknown")
	tests := []struct {
		name string
		err  error
		want errcode.Code
	}{
		{"nil", nil, errcode.OK},
		{"plain", errors.New("boom"), errcode.Unknown},
		{"sentinel", notFound, errcode.NotFound},
		{"wrapped sentinel", fmt.Errorf("customer %s: %w", "x", notFound), errcode.NotFound},
		{"joined, first wins", errors.Join(notFound, commit), errcode.NotFound},
		{"code itself", errcode.Stale, errcode.Stale},
		{"canceled", fmt.Errorf("query: %w", context.Canceled), errcode.Canceled},
		{"deadline", context.DeadlineExceeded, errcode.DeadlineExceeded},
		{"outer category beats the context", fmt.Errorf("%w: %w", commit, context.DeadlineExceeded), errcode.CommitUnknown},
		{"validation error", &errcode.ValidationError{Field: "email", Reason: "is required"}, errcode.Invalid},
		{"validation error with sentinel", &errcode.ValidationError{Field: "email", Err: errcode.New(errcode.Invalid, "x: invalid")}, errcode.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, errcode.Of(tt.err))
			if tt.want != errcode.OK && tt.want != errcode.Unknown && tt.want != errcode.Canceled && tt.want != errcode.DeadlineExceeded {
				assert.ErrorIs(t, tt.err, tt.want)
			}
		})
	}
}

func TestNewIsDistinct(t *testing.T) {
	a, b := errcode.New(errcode.NotFound, "same"), errcode.New(errcode.NotFound, "same")
	assert.NotErrorIs(t, a, b)
	assert.ErrorIs(t, a, errcode.NotFound)
	assert.NotErrorIs(t, a, errcode.Conflict)
	assert.Equal(t, "same", a.Error())
}

func TestCodeStrings(t *testing.T) {
	seen := map[string]bool{}
	for c := errcode.OK; c <= errcode.Unauthenticated; c++ {
		s := c.String()
		assert.NotContains(t, s, "Code(", "code %d has no name", int(c))
		assert.False(t, seen[s], "duplicate name %q", s)
		seen[s] = true
		b, err := c.MarshalText()
		assert.NoError(t, err)
		assert.Equal(t, s, string(b))
		assert.NotZero(t, c.HTTPStatus())
	}
	assert.Equal(t, "Code(99)", errcode.Code(99).String())
	assert.Equal(t, http.StatusInternalServerError, errcode.Code(99).HTTPStatus())
}

func TestHTTPStatus(t *testing.T) {
	for c, want := range map[errcode.Code]int{
		errcode.OK: 200, errcode.NotFound: 404, errcode.Conflict: 409, errcode.FailedPrecondition: 409,
		errcode.Invalid: 422, errcode.Stale: 412, errcode.Denied: 403, errcode.Unavailable: 503,
		errcode.CommitUnknown: 503, errcode.Unsupported: 501, errcode.Canceled: 499,
		errcode.DeadlineExceeded: 504, errcode.Unauthenticated: 401, errcode.Unknown: 500,
	} {
		assert.Equal(t, want, c.HTTPStatus(), c.String())
	}
	assert.True(t, errcode.CommitUnknown.Retryable())
	assert.False(t, errcode.Invalid.Retryable())
}

func TestValidationError(t *testing.T) {
	invalid := errcode.New(errcode.Invalid, "customer: invalid input")
	err := fmt.Errorf("register: %w", &errcode.ValidationError{Field: "email", Reason: "is required", Err: invalid})
	var ve *errcode.ValidationError
	if assert.ErrorAs(t, err, &ve) {
		assert.Equal(t, "email", ve.Field)
	}
	assert.ErrorIs(t, err, invalid)
	assert.ErrorIs(t, err, errcode.Invalid)
	assert.Equal(t, "register: email: is required", err.Error())
	assert.Equal(t, "bad", (&errcode.ValidationError{Reason: "bad"}).Error())
}

func ExampleOf() {
	notFound := errcode.New(errcode.NotFound, "customer: not found")
	err := fmt.Errorf("customer 42: %w", notFound)

	code := errcode.Of(err)
	fmt.Println(code, code.HTTPStatus())
	// Output: not_found 404
}
