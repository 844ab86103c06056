package order

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "order: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// ErrNotFound is returned when no order with the given ID is recorded.
var ErrNotFound = errcode.New(errcode.NotFound, "order: not found")

// ErrOrderOwned is returned when an order ID is already recorded for another
// customer.
var ErrOrderOwned = errcode.New(errcode.Conflict, "order: order already recorded for another customer")

// ErrOrderChanged is returned when an order ID is recorded again for the
// same customer but with another number or total: host order IDs must be
// stable, so this is a conflict, not a replay.
var ErrOrderChanged = errcode.New(errcode.Conflict, "order: order already recorded with another number or total")

// ErrInvalidTransition is returned by SetStatus, as a *TransitionError, when
// the order's status may not move to the requested one (see
// Status.CanTransition).
var ErrInvalidTransition = errcode.New(errcode.FailedPrecondition, "order: invalid status transition")

// Field limits, in bytes.
const (
	MaxIDLength      = 100
	MaxNumberLength  = 100
	MaxChannelLength = 50
)

// Order is one entry of a customer's order history: what the host told us
// about one of its orders.
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports; the total is a balance.Money object and
// "market_id" is absent when MarketID is uuid.Nil.
type Order struct {
	// ID is the host's order ID (1..100 bytes, no control characters, no
	// surrounding spaces); it identifies the order across the store.
	ID         string    `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	// Number is the human-facing order number ("#1001"), optional.
	Number string `json:"number,omitempty"`
	Status Status `json:"status"`
	// Total is the order total, never negative, in the order's currency.
	Total balance.Money `json:"total"`
	// MarketID is the market the order was placed in, or uuid.Nil.
	MarketID uuid.UUID `json:"market_id,omitzero"`
	// Channel is the sales channel ("web", "pos", "b2b-portal"), optional.
	Channel   string    `json:"channel,omitempty"`
	PlacedAt  time.Time `json:"placed_at"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Params describes an order to record. Its JSON names are those of Order.
type Params struct {
	ID         string    `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Number     string    `json:"number,omitempty"`
	// Status defaults to StatusPlaced when zero.
	Status   Status        `json:"status,omitempty"`
	Total    balance.Money `json:"total"`
	MarketID uuid.UUID     `json:"market_id,omitzero"`
	Channel  string        `json:"channel,omitempty"`
	// PlacedAt defaults to now when zero.
	PlacedAt time.Time `json:"placed_at,omitzero"`
}

// New returns the order described by p, recorded at now. A zero Status
// becomes StatusPlaced and a zero PlacedAt becomes now; all times are
// converted to UTC. The error is a *ValidationError unwrapping to ErrInvalid.
func New(p Params, now time.Time) (Order, error) {
	if p.Status == 0 {
		p.Status = StatusPlaced
	}
	if p.PlacedAt.IsZero() {
		p.PlacedAt = now
	}
	now = now.UTC()
	o := Order{
		ID:         p.ID,
		CustomerID: p.CustomerID,
		Number:     p.Number,
		Status:     p.Status,
		Total:      p.Total,
		MarketID:   p.MarketID,
		Channel:    p.Channel,
		PlacedAt:   p.PlacedAt.UTC(),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if err := o.Validate(); err != nil {
		return Order{}, err
	}
	return o, nil
}

// Validate checks every field: ID required (at most 100 bytes, valid UTF-8,
// no control characters, no leading or trailing spaces), CustomerID set,
// Number (<= 100 bytes) and Channel (<= 50 bytes) single-line text, Status
// valid, Total with a currency and not negative, and PlacedAt, CreatedAt and
// UpdatedAt set and in UTC. The error is a *ValidationError unwrapping to
// ErrInvalid.
func (o Order) Validate() error {
	if err := validation.Required(ErrInvalid, "id", o.ID, MaxIDLength); err != nil {
		return err
	}
	if strings.TrimSpace(o.ID) != o.ID {
		return invalid("id", "must not have leading or trailing spaces")
	}
	if o.CustomerID == uuid.Nil {
		return invalid("customer_id", "is required")
	}
	if err := validation.Text(ErrInvalid, "number", o.Number, MaxNumberLength, false); err != nil {
		return err
	}
	if !o.Status.Valid() {
		return invalid("status", "is not an order status")
	}
	if o.Total.Currency().IsZero() {
		return invalid("total", "has no currency")
	}
	if o.Total.IsNegative() {
		return invalid("total", "must not be negative")
	}
	if err := validation.Text(ErrInvalid, "channel", o.Channel, MaxChannelLength, false); err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		t    time.Time
	}{{"placed_at", o.PlacedAt}, {"created_at", o.CreatedAt}, {"updated_at", o.UpdatedAt}} {
		if f.t.IsZero() {
			return invalid(f.name, "is required")
		}
		if f.t.Location() != time.UTC {
			return invalid(f.name, "must be in UTC")
		}
	}
	return nil
}

// SameAs reports whether o and p record the same order: same ID, customer,
// number and total (currency and value). Recording an order whose ID is
// already stored is a replay, and succeeds without a change, when SameAs
// holds. Status, market, channel and times are not compared: status moves
// through SetStatus, and a replay may carry a later status. The same ID under
// another customer is ErrOrderOwned.
func (o Order) SameAs(p Order) bool {
	return o.ID == p.ID &&
		o.CustomerID == p.CustomerID &&
		o.Number == p.Number &&
		o.Total.Equal(p.Total)
}

// SetStatus moves the order to status to at now. Setting the current status
// again is a no-op (UpdatedAt is kept), so status updates are idempotent. A
// move that Status.CanTransition forbids returns a *TransitionError
// (errors.Is(err, ErrInvalidTransition)); an invalid status returns a
// *ValidationError. On error o is unchanged.
func (o *Order) SetStatus(to Status, now time.Time) error {
	if !to.Valid() {
		return invalid("status", "is not an order status")
	}
	if o.Status == to {
		return nil
	}
	if !o.Status.CanTransition(to) {
		return &TransitionError{From: o.Status, To: to}
	}
	o.Status = to
	o.UpdatedAt = now.UTC()
	return nil
}

// Reassign moves the order to customerID at now, as when a guest's orders
// are claimed by the customer who registered with the same email. A nil
// customerID returns a *ValidationError; on error o is unchanged.
// Reassigning to the current customer is a no-op.
func (o *Order) Reassign(customerID uuid.UUID, now time.Time) error {
	if customerID == uuid.Nil {
		return invalid("customer_id", "is required")
	}
	if o.CustomerID == customerID {
		return nil
	}
	o.CustomerID = customerID
	o.UpdatedAt = now.UTC()
	return nil
}

// Clone returns a copy of o. Order holds no references, so this is a plain
// copy; it exists for symmetry with the other entities.
func (o Order) Clone() Order { return o }

func invalid(field, format string, args ...any) error {
	return validation.New(ErrInvalid, field, format, args...)
}
