package balance

import (
	"fmt"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "balance: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrCurrencyMismatch is returned when two amounts, or an amount and an
// account, are in different currencies. It is also returned when either
// operand has no currency (the zero Money).
var ErrCurrencyMismatch = errcode.New(errcode.Invalid, "balance: currency mismatch")

// ErrOverflow is returned when a result's minor units do not fit in an int64
// (the BIGINT that SQL adapters store). Constructors that reject an input for
// this reason return a *ValidationError for which both errors.Is(err,
// ErrOverflow) and errors.Is(err, ErrInvalid) hold.
var ErrOverflow = errcode.New(errcode.Invalid, "balance: amount overflows int64 minor units")

// ErrInsufficientFunds is returned when a debit would take an account below
// its floor (zero, or minus the credit limit). Account.Apply returns it as an
// *InsufficientFundsError.
var ErrInsufficientFunds = errcode.New(errcode.FailedPrecondition, "balance: insufficient funds")

// ErrIdempotencyKeyReused is returned when a posting's idempotency key was
// already used on the account for a different request (see
// Posting.SameRequest).
var ErrIdempotencyKeyReused = errcode.New(errcode.Conflict, "balance: idempotency key reused with different parameters")

// ErrAccountNotFound is returned when no account exists for a customer and
// currency.
var ErrAccountNotFound = errcode.New(errcode.NotFound, "balance: account not found")

// ErrPostingNotFound is returned when a posting does not exist.
var ErrPostingNotFound = errcode.New(errcode.NotFound, "balance: posting not found")

// InsufficientFundsError carries the amounts behind an ErrInsufficientFunds:
// what the account could give and what was asked for. It unwraps to
// ErrInsufficientFunds.
type InsufficientFundsError struct {
	// Available is the account's available amount (balance minus floor)
	// before the rejected posting.
	Available Money
	// Requested is the magnitude of the rejected debit (a positive amount).
	Requested Money
}

// Error implements the error interface.
func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("%s: requested %s, available %s", ErrInsufficientFunds, e.Requested, e.Available)
}

// Unwrap returns ErrInsufficientFunds.
func (e *InsufficientFundsError) Unwrap() error { return ErrInsufficientFunds }

// errInvalidOverflow is the sentinel of validation errors that reject an
// input because its minor units overflow int64.
var errInvalidOverflow = &multiError{msg: ErrOverflow.Error(), errs: []error{ErrInvalid, ErrOverflow}}

// errInvalidMismatch is the sentinel of validation errors that reject an
// input because of its currency.
var errInvalidMismatch = &multiError{msg: ErrCurrencyMismatch.Error(), errs: []error{ErrInvalid, ErrCurrencyMismatch}}

func invalid(field, format string, args ...any) error {
	return validation.New(ErrInvalid, field, format, args...)
}
