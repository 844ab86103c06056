package errcode

// ValidationError reports which field of an input is invalid and why. Every
// domain package returns it for bad input (each re-exports it as its own
// ValidationError, e.g. customer.ValidationError) and it unwraps to that
// package's ErrInvalid sentinel, which unwraps to Invalid:
//
//	var ve *errcode.ValidationError
//	if errors.As(err, &ve) {
//		// ve.Field == "billing_address.country", ve.Reason == "is not an ISO 3166-1 alpha-2 code"
//	}
type ValidationError struct {
	// Field is the offending field's name in snake_case, exactly as it
	// appears in the entity's JSON form; nested fields are joined with dots
	// ("email", "metadata.size", "billing_address.country"). It is empty
	// when the input as a whole is invalid.
	Field string
	// Reason is a short human-readable explanation ("is required"). It
	// quotes and truncates any caller value it repeats, so it is safe to
	// log and to show.
	Reason string
	// Err is the sentinel the error unwraps to, such as customer.ErrInvalid.
	Err error
}

// Error returns "field: reason", or the reason alone when Field is empty.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Unwrap returns the sentinel, so that errors.Is(err, customer.ErrInvalid)
// and errors.Is(err, errcode.Invalid) hold. A ValidationError without a
// sentinel unwraps to Invalid directly.
func (e *ValidationError) Unwrap() error {
	if e.Err == nil {
		return Invalid
	}
	return e.Err
}
