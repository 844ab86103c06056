// Package validation holds the field checks every domain package shares.
// Their errors are *errcode.ValidationError values (re-exported by each
// domain package as its own ValidationError, a type alias) that wrap the
// package's own ErrInvalid sentinel, so callers write
// errors.Is(err, customer.ErrInvalid) or errors.As(err, &ve) with
// ve *customer.ValidationError (or *errcode.ValidationError).
package validation
