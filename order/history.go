package order

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrDetailNotFound is returned when an order has no return, exchange or
// refund with the given ID.
var ErrDetailNotFound = errcode.New(errcode.NotFound, "order: return, exchange or refund not found")

// ErrDetailChanged is returned when a return, exchange or refund is
// recorded again under its ID with other content (amount, reason, type,
// destination, linked return): the host's IDs must be stable, so this is a
// conflict, not a replay.
var ErrDetailChanged = errcode.New(errcode.Conflict, "order: return, exchange or refund already recorded with other content")

// ErrRefundExceedsTotal is returned when a refund would bring the order's
// refunds (pending and succeeded) above the order's total.
var ErrRefundExceedsTotal = errcode.New(errcode.FailedPrecondition, "order: refunds would exceed the order total")

// MaxReasonLength bounds the reason of a return, exchange or refund, in
// bytes.
const MaxReasonLength = 500

// Return is a return of (part of) an order, as the host reports it.
type Return struct {
	// ID is the host's return ID, unique within the order (same rules as
	// an order ID).
	ID      string        `json:"id"`
	OrderID string        `json:"order_id"`
	Status  RequestStatus `json:"status"`
	// Amount is the value of the goods returned, in the order's currency,
	// between zero and the order total.
	Amount balance.Money `json:"amount"`
	Reason string        `json:"reason,omitempty"`
	// RequestedAt is when the customer asked for the return.
	RequestedAt time.Time `json:"requested_at"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Exchange is a claim: the customer gets another item (TypeExchange) or
// the same one again (TypeReplacement) for goods of the order.
type Exchange struct {
	ID          string        `json:"id"`
	OrderID     string        `json:"order_id"`
	Type        ExchangeType  `json:"type"`
	Status      RequestStatus `json:"status"`
	Amount      balance.Money `json:"amount"`
	Reason      string        `json:"reason,omitempty"`
	RequestedAt time.Time     `json:"requested_at"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// Refund is money given back for an order. The refunds of an order
// (pending and succeeded) never exceed its total.
type Refund struct {
	ID      string       `json:"id"`
	OrderID string       `json:"order_id"`
	Status  RefundStatus `json:"status"`
	// Amount is positive, in the order's currency.
	Amount      balance.Money `json:"amount"`
	Destination Destination   `json:"destination"`
	Reason      string        `json:"reason,omitempty"`
	// ReturnID is the return this refund settles, optional.
	ReturnID string `json:"return_id,omitempty"`
	// PostingID is the store-credit posting of a succeeded refund to
	// DestinationStoreCredit, set by the service; uuid.Nil otherwise.
	PostingID uuid.UUID `json:"posting_id,omitzero"`
	// RefundedAt is when the host made (or started) the refund.
	RefundedAt time.Time `json:"refunded_at"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// ReturnParams describes a return to record. Its JSON names are those of
// Return.
type ReturnParams struct {
	ID      string        `json:"id"`
	OrderID string        `json:"order_id"`
	Status  RequestStatus `json:"status,omitempty"` // zero: RequestRequested
	Amount  balance.Money `json:"amount"`
	Reason  string        `json:"reason,omitempty"`
	// RequestedAt defaults to now.
	RequestedAt time.Time `json:"requested_at,omitzero"`
}

// ExchangeParams describes an exchange to record. Its JSON names are
// those of Exchange.
type ExchangeParams struct {
	ID          string        `json:"id"`
	OrderID     string        `json:"order_id"`
	Type        ExchangeType  `json:"type"`
	Status      RequestStatus `json:"status,omitempty"` // zero: RequestRequested
	Amount      balance.Money `json:"amount"`
	Reason      string        `json:"reason,omitempty"`
	RequestedAt time.Time     `json:"requested_at,omitzero"` // zero: now
}

// RefundParams describes a refund to record. Its JSON names are those of
// Refund.
type RefundParams struct {
	ID          string        `json:"id"`
	OrderID     string        `json:"order_id"`
	Status      RefundStatus  `json:"status,omitempty"` // zero: RefundSucceeded
	Amount      balance.Money `json:"amount"`
	Destination Destination   `json:"destination"`
	Reason      string        `json:"reason,omitempty"`
	ReturnID    string        `json:"return_id,omitempty"`
	RefundedAt  time.Time     `json:"refunded_at,omitzero"` // zero: now
}

// NewReturn returns the return p describes for order o, recorded at now.
// The amount must be in o's currency and at most its total. Errors are
// *ValidationError.
func NewReturn(p ReturnParams, o Order, now time.Time) (Return, error) {
	now = now.UTC()
	r := Return{ID: p.ID, OrderID: p.OrderID, Status: p.Status, Amount: p.Amount, Reason: p.Reason,
		RequestedAt: orNow(p.RequestedAt, now), CreatedAt: now, UpdatedAt: now}
	if r.Status == 0 {
		r.Status = RequestRequested
	}
	if err := r.Validate(); err != nil {
		return Return{}, err
	}
	return r, fitsOrder(o, r.OrderID, r.Amount)
}

// NewExchange returns the exchange p describes for order o, recorded at
// now. Errors are *ValidationError.
func NewExchange(p ExchangeParams, o Order, now time.Time) (Exchange, error) {
	now = now.UTC()
	x := Exchange{ID: p.ID, OrderID: p.OrderID, Type: p.Type, Status: p.Status, Amount: p.Amount,
		Reason: p.Reason, RequestedAt: orNow(p.RequestedAt, now), CreatedAt: now, UpdatedAt: now}
	if x.Status == 0 {
		x.Status = RequestRequested
	}
	if err := x.Validate(); err != nil {
		return Exchange{}, err
	}
	return x, fitsOrder(o, x.OrderID, x.Amount)
}

// NewRefund returns the refund p describes for order o, recorded at now.
// The amount must be positive, in o's currency and at most its total
// (what other refunds leave is the service's check:
// ErrRefundExceedsTotal). Errors are *ValidationError.
func NewRefund(p RefundParams, o Order, now time.Time) (Refund, error) {
	now = now.UTC()
	r := Refund{ID: p.ID, OrderID: p.OrderID, Status: p.Status, Amount: p.Amount, Destination: p.Destination,
		Reason: p.Reason, ReturnID: p.ReturnID, RefundedAt: orNow(p.RefundedAt, now), CreatedAt: now, UpdatedAt: now}
	if r.Status == 0 {
		r.Status = RefundSucceeded
	}
	if err := r.Validate(); err != nil {
		return Refund{}, err
	}
	return r, fitsOrder(o, r.OrderID, r.Amount)
}

// Validate checks every field of r. Errors are *ValidationError.
func (r Return) Validate() error {
	if !r.Status.Valid() {
		return invalid("status", "is not a return status")
	}
	return validateDetail(r.ID, r.OrderID, r.Amount, r.Reason, false,
		stamp{"requested_at", r.RequestedAt}, stamp{"created_at", r.CreatedAt}, stamp{"updated_at", r.UpdatedAt})
}

// Validate checks every field of x. Errors are *ValidationError.
func (x Exchange) Validate() error {
	if !x.Type.Valid() {
		return invalid("type", "is not an exchange type")
	}
	if !x.Status.Valid() {
		return invalid("status", "is not an exchange status")
	}
	return validateDetail(x.ID, x.OrderID, x.Amount, x.Reason, false,
		stamp{"requested_at", x.RequestedAt}, stamp{"created_at", x.CreatedAt}, stamp{"updated_at", x.UpdatedAt})
}

// Validate checks every field of r. Errors are *ValidationError.
func (r Refund) Validate() error {
	if !r.Status.Valid() {
		return invalid("status", "is not a refund status")
	}
	if !r.Destination.Valid() {
		return invalid("destination", "is not a refund destination")
	}
	if r.ReturnID != "" {
		if err := validateKey("return_id", r.ReturnID); err != nil {
			return err
		}
	}
	if r.PostingID != uuid.Nil && (r.Destination != DestinationStoreCredit || r.Status != RefundSucceeded) {
		return invalid("posting_id", "is only set on a succeeded refund to store credit")
	}
	return validateDetail(r.ID, r.OrderID, r.Amount, r.Reason, true,
		stamp{"refunded_at", r.RefundedAt}, stamp{"created_at", r.CreatedAt}, stamp{"updated_at", r.UpdatedAt})
}

// SameAs reports whether r records the same return as p: same ID, order,
// amount and reason. Status and times are not compared: recording a return
// again with another status moves it there (SetStatus).
func (r Return) SameAs(p Return) bool {
	return r.ID == p.ID && r.OrderID == p.OrderID && r.Amount.Equal(p.Amount) && r.Reason == p.Reason
}

// SameAs reports whether x records the same exchange as p: same ID, order,
// type, amount and reason.
func (x Exchange) SameAs(p Exchange) bool {
	return x.ID == p.ID && x.OrderID == p.OrderID && x.Type == p.Type && x.Amount.Equal(p.Amount) &&
		x.Reason == p.Reason
}

// SameAs reports whether r records the same refund as p: same ID, order,
// amount, destination, reason and return.
func (r Refund) SameAs(p Refund) bool {
	return r.ID == p.ID && r.OrderID == p.OrderID && r.Amount.Equal(p.Amount) &&
		r.Destination == p.Destination && r.Reason == p.Reason && r.ReturnID == p.ReturnID
}

// SetStatus moves r to status to at now; the current status again is a
// no-op. Errors: *DetailTransitionError, *ValidationError.
func (r *Return) SetStatus(to RequestStatus, now time.Time) error {
	if err := moveRequest("return", r.Status, to); err != nil || r.Status == to {
		return err
	}
	r.Status, r.UpdatedAt = to, now.UTC()
	return nil
}

// SetStatus moves x to status to at now; the current status again is a
// no-op. Errors: *DetailTransitionError, *ValidationError.
func (x *Exchange) SetStatus(to RequestStatus, now time.Time) error {
	if err := moveRequest("exchange", x.Status, to); err != nil || x.Status == to {
		return err
	}
	x.Status, x.UpdatedAt = to, now.UTC()
	return nil
}

// SetStatus moves r to status to at now; the current status again is a
// no-op. Errors: *DetailTransitionError, *ValidationError.
func (r *Refund) SetStatus(to RefundStatus, now time.Time) error {
	if !to.Valid() {
		return invalid("status", "is not a refund status")
	}
	if r.Status == to {
		return nil
	}
	if !r.Status.CanTransition(to) {
		return &DetailTransitionError{Kind: "refund", From: r.Status.String(), To: to.String()}
	}
	r.Status, r.UpdatedAt = to, now.UTC()
	return nil
}

// Reserves reports whether r counts against the order total (pending or
// succeeded).
func (r Refund) Reserves() bool { return r.Status == RefundPending || r.Status == RefundSucceeded }

func moveRequest(kind string, from, to RequestStatus) error {
	if !to.Valid() {
		return invalid("status", "is not a %s status", kind)
	}
	if from != to && !from.CanTransition(to) {
		return &DetailTransitionError{Kind: kind, From: from.String(), To: to.String()}
	}
	return nil
}

type stamp struct {
	name string
	t    time.Time
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

func validateKey(field, s string) error {
	if err := validation.Required(ErrInvalid, field, s, MaxIDLength); err != nil {
		return err
	}
	if strings.TrimSpace(s) != s {
		return invalid(field, "must not have leading or trailing spaces")
	}
	return nil
}

func validateDetail(id, orderID string, amount balance.Money, reason string, positive bool, times ...stamp) error {
	if err := validateKey("id", id); err != nil {
		return err
	}
	if err := validateKey("order_id", orderID); err != nil {
		return err
	}
	switch {
	case amount.Currency().IsZero():
		return invalid("amount", "has no currency")
	case amount.IsNegative():
		return invalid("amount", "must not be negative")
	case positive && amount.IsZero():
		return invalid("amount", "must be positive")
	}
	if err := validation.Text(ErrInvalid, "reason", reason, MaxReasonLength, false); err != nil {
		return err
	}
	for _, f := range times {
		if f.t.IsZero() {
			return invalid(f.name, "is required")
		}
		if f.t.Location() != time.UTC {
			return invalid(f.name, "must be in UTC")
		}
	}
	return nil
}

// fitsOrder checks that a detail of amount belongs to o and fits its
// total.
func fitsOrder(o Order, orderID string, amount balance.Money) error {
	if orderID != o.ID {
		return invalid("order_id", "is not the order's ID")
	}
	if amount.Currency() != o.Total.Currency() {
		return invalid("amount", "must be in the order's currency %s", o.Total.Currency().Code())
	}
	if amount.MinorUnits() > o.Total.MinorUnits() {
		return invalid("amount", "must not exceed the order total %s", o.Total)
	}
	return nil
}
