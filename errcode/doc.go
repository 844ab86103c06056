// Package errcode sorts every error the library returns into a few
// categories a host can act on, in the manner of the Go CDK's gcerrors: a
// host maps errors to HTTP statuses (or gRPC codes, or retry decisions) with
// one switch on [Of], and never needs to know the sentinel of each package.
//
//	switch errcode.Of(err) {
//	case errcode.NotFound:
//		http.Error(w, "not found", http.StatusNotFound)
//	case errcode.Invalid:
//		var ve *errcode.ValidationError
//		errors.As(err, &ve) // ve.Field names the offending input, in snake_case
//	...
//	}
//
// Every sentinel of the library (customer.ErrNotFound,
// balance.ErrInsufficientFunds, storage.ErrConflict ...) is made with [New]
// and unwraps to its [Code], so errors.Is(err, errcode.NotFound) holds for
// it and for every error that wraps it. [Code.HTTPStatus] gives the status
// a JSON API should answer with.
//
// The package is a leaf: it imports only the standard library, so domain
// packages, adapters and hosts can all depend on it.
package errcode
