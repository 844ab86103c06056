package order

import (
	"fmt"
	"strconv"

	"github.com/clientele-go/clientele/internal/validation"
)

// enumName returns names[v], or "Type(n)" for an invalid value.
func enumName(names []string, typ string, v int) string {
	if v <= 0 || v >= len(names) {
		return typ + "(" + strconv.Itoa(v) + ")"
	}
	return names[v]
}

// RequestStatus is where a return or an exchange stands. The zero value is
// invalid.
//
//	requested  the customer asked for it (the default when recorded)
//	received   the goods came back to the merchant
//	completed  settled: the replacement shipped, the money refunded (final)
//	cancelled  called off (final)
//
// requested may move to received, completed or cancelled; received to
// completed or cancelled.
type RequestStatus int

// The statuses of returns and exchanges.
const (
	RequestRequested RequestStatus = iota + 1
	RequestReceived
	RequestCompleted
	RequestCancelled
)

var requestStatusNames = []string{"", "requested", "received", "completed", "cancelled"}

// RequestStatuses returns every valid RequestStatus, in declaration order.
func RequestStatuses() []RequestStatus {
	return []RequestStatus{RequestRequested, RequestReceived, RequestCompleted, RequestCancelled}
}

// Valid reports whether s is a declared status.
func (s RequestStatus) Valid() bool { return s >= RequestRequested && s <= RequestCancelled }

// String returns the lower-case name ("requested").
func (s RequestStatus) String() string {
	return enumName(requestStatusNames, "RequestStatus", int(s))
}

// IsFinal reports whether no transition leaves s (completed, cancelled).
func (s RequestStatus) IsFinal() bool { return s == RequestCompleted || s == RequestCancelled }

// CanTransition reports whether s may move to to (see RequestStatus); it
// is false for s == to.
func (s RequestStatus) CanTransition(to RequestStatus) bool {
	switch s {
	case RequestRequested:
		return to == RequestReceived || to == RequestCompleted || to == RequestCancelled
	case RequestReceived:
		return to == RequestCompleted || to == RequestCancelled
	}
	return false
}

// ParseRequestStatus returns the status named s (trimmed, case folded).
// The error is a *ValidationError{Field: "status"}.
func ParseRequestStatus(s string) (RequestStatus, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, requestStatusNames)
	return RequestStatus(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid status is an
// error.
func (s RequestStatus) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("status", "is not a return or exchange status")
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseRequestStatus; on error s is unchanged.
func (s *RequestStatus) UnmarshalText(text []byte) error {
	v, err := ParseRequestStatus(string(text))
	if err == nil {
		*s = v
	}
	return err
}

// ExchangeType says what an exchange (a claim) gives the customer instead
// of the goods: another item (exchange) or the same one again
// (replacement, for a damaged or lost item).
type ExchangeType int

// The exchange types.
const (
	TypeExchange ExchangeType = iota + 1
	TypeReplacement
)

var exchangeTypeNames = []string{"", "exchange", "replacement"}

// ExchangeTypes returns every valid ExchangeType.
func ExchangeTypes() []ExchangeType { return []ExchangeType{TypeExchange, TypeReplacement} }

// Valid reports whether t is a declared type.
func (t ExchangeType) Valid() bool { return t == TypeExchange || t == TypeReplacement }

// String returns the lower-case name ("exchange").
func (t ExchangeType) String() string { return enumName(exchangeTypeNames, "ExchangeType", int(t)) }

// ParseExchangeType returns the type named s (trimmed, case folded). The
// error is a *ValidationError{Field: "type"}.
func ParseExchangeType(s string) (ExchangeType, error) {
	v, err := validation.Enum(ErrInvalid, "type", s, exchangeTypeNames)
	return ExchangeType(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid type is an
// error.
func (t ExchangeType) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, invalid("type", "is not an exchange type")
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseExchangeType; on error t is unchanged.
func (t *ExchangeType) UnmarshalText(text []byte) error {
	v, err := ParseExchangeType(string(text))
	if err == nil {
		*t = v
	}
	return err
}

// RefundStatus is where a refund stands.
//
//	pending    the host started it; its amount is reserved against the order total
//	succeeded  the money went back (the default when recorded; final)
//	failed     it did not happen (final); its amount is free again
//
// pending may move to succeeded or failed.
type RefundStatus int

// The refund statuses.
const (
	RefundPending RefundStatus = iota + 1
	RefundSucceeded
	RefundFailed
)

var refundStatusNames = []string{"", "pending", "succeeded", "failed"}

// RefundStatuses returns every valid RefundStatus.
func RefundStatuses() []RefundStatus {
	return []RefundStatus{RefundPending, RefundSucceeded, RefundFailed}
}

// Valid reports whether s is a declared status.
func (s RefundStatus) Valid() bool { return s >= RefundPending && s <= RefundFailed }

// String returns the lower-case name ("succeeded").
func (s RefundStatus) String() string { return enumName(refundStatusNames, "RefundStatus", int(s)) }

// CanTransition reports whether s may move to to: only pending moves, to
// succeeded or failed.
func (s RefundStatus) CanTransition(to RefundStatus) bool {
	return s == RefundPending && (to == RefundSucceeded || to == RefundFailed)
}

// ParseRefundStatus returns the status named s (trimmed, case folded). The
// error is a *ValidationError{Field: "status"}.
func ParseRefundStatus(s string) (RefundStatus, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, refundStatusNames)
	return RefundStatus(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid status is an
// error.
func (s RefundStatus) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, invalid("status", "is not a refund status")
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseRefundStatus; on error s is unchanged.
func (s *RefundStatus) UnmarshalText(text []byte) error {
	v, err := ParseRefundStatus(string(text))
	if err == nil {
		*s = v
	}
	return err
}

// Destination is where a refund's money goes.
//
//	original_payment  back to the payment the customer used
//	store_credit      to the customer's store credit (balance), posted by Clientele
//	other             anything else (cash, bank transfer), recorded only
type Destination int

// The refund destinations.
const (
	DestinationOriginalPayment Destination = iota + 1
	DestinationStoreCredit
	DestinationOther
)

var destinationNames = []string{"", "original_payment", "store_credit", "other"}

// Destinations returns every valid Destination.
func Destinations() []Destination {
	return []Destination{DestinationOriginalPayment, DestinationStoreCredit, DestinationOther}
}

// Valid reports whether d is a declared destination.
func (d Destination) Valid() bool { return d >= DestinationOriginalPayment && d <= DestinationOther }

// String returns the snake_case name ("store_credit").
func (d Destination) String() string { return enumName(destinationNames, "Destination", int(d)) }

// ParseDestination returns the destination named s (trimmed, case
// folded). The error is a *ValidationError{Field: "destination"}.
func ParseDestination(s string) (Destination, error) {
	v, err := validation.Enum(ErrInvalid, "destination", s, destinationNames)
	return Destination(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid destination
// is an error.
func (d Destination) MarshalText() ([]byte, error) {
	if !d.Valid() {
		return nil, invalid("destination", "is not a refund destination")
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with
// ParseDestination; on error d is unchanged.
func (d *Destination) UnmarshalText(text []byte) error {
	v, err := ParseDestination(string(text))
	if err == nil {
		*d = v
	}
	return err
}

// DetailTransitionError reports a status change of a return, exchange or
// refund that its status type does not allow. errors.Is(err,
// ErrInvalidTransition) holds for it.
type DetailTransitionError struct {
	// Kind is "return", "exchange" or "refund".
	Kind     string
	From, To string
}

// Error implements the error interface.
func (e *DetailTransitionError) Error() string {
	return fmt.Sprintf("%s: %s from %s to %s", ErrInvalidTransition, e.Kind, e.From, e.To)
}

// Unwrap returns ErrInvalidTransition.
func (e *DetailTransitionError) Unwrap() error { return ErrInvalidTransition }
