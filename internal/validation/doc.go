// Package validation holds the field error type that every domain package
// returns for bad input. Each domain package re-exports it as its own
// ValidationError (a type alias) and wraps its own ErrInvalid sentinel, so
// callers write errors.Is(err, customer.ErrInvalid) or
// errors.As(err, &ve) with ve *customer.ValidationError.
package validation
