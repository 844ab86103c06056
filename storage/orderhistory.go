package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
)

// OrderHistory is the capability of keeping the fuller order history (on a
// Store and on a Tx, found with a type assertion): each order's returns,
// exchanges and refunds, and each customer's order statistics per
// currency. A store without it still works; the services then answer the
// calls that need it (Orders.RecordReturn, RecordRefund, Stats ...) with
// ErrUnsupported, and keep no statistics.
type OrderHistory interface {
	OrderDetails() OrderDetails
}

// DetailKind says which of an order's details an OrderDetail is.
type DetailKind string

// The kinds of order details.
const (
	DetailReturn   DetailKind = "return"
	DetailExchange DetailKind = "exchange"
	DetailRefund   DetailKind = "refund"
)

// Valid reports whether k is a declared kind.
func (k DetailKind) Valid() bool {
	return k == DetailReturn || k == DetailExchange || k == DetailRefund
}

// OrderDetail is a return, an exchange or a refund of an order in the one
// flat shape adapters store (one table, one map): Kind says which, and
// the fields that kind lacks are zero. Convert with DetailOf* and the
// As* methods. The key is (OrderID, Kind, ID).
type OrderDetail struct {
	OrderID string
	Kind    DetailKind
	ID      string
	// Status is the status's text form (order.RequestStatus or
	// order.RefundStatus).
	Status string
	// Type is an exchange's order.ExchangeType text form, "" otherwise.
	Type   string
	Amount balance.Money
	// Destination is a refund's order.Destination text form, "" otherwise.
	Destination string
	Reason      string
	ReturnID    string    // refunds only
	PostingID   uuid.UUID // refunds only
	// At is RequestedAt (returns, exchanges) or RefundedAt (refunds).
	At        time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DetailOfReturn returns r as an OrderDetail.
func DetailOfReturn(r order.Return) OrderDetail {
	return OrderDetail{OrderID: r.OrderID, Kind: DetailReturn, ID: r.ID, Status: r.Status.String(), Amount: r.Amount,
		Reason: r.Reason, At: r.RequestedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// DetailOfExchange returns x as an OrderDetail.
func DetailOfExchange(x order.Exchange) OrderDetail {
	return OrderDetail{OrderID: x.OrderID, Kind: DetailExchange, ID: x.ID, Status: x.Status.String(),
		Type: x.Type.String(), Amount: x.Amount, Reason: x.Reason, At: x.RequestedAt, CreatedAt: x.CreatedAt,
		UpdatedAt: x.UpdatedAt}
}

// DetailOfRefund returns r as an OrderDetail.
func DetailOfRefund(r order.Refund) OrderDetail {
	return OrderDetail{OrderID: r.OrderID, Kind: DetailRefund, ID: r.ID, Status: r.Status.String(), Amount: r.Amount,
		Destination: r.Destination.String(), Reason: r.Reason, ReturnID: r.ReturnID, PostingID: r.PostingID,
		At: r.RefundedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// AsReturn returns d as an order.Return, validated.
func (d OrderDetail) AsReturn() (order.Return, error) {
	st, err := order.ParseRequestStatus(d.Status)
	if err != nil {
		return order.Return{}, err
	}
	r := order.Return{ID: d.ID, OrderID: d.OrderID, Status: st, Amount: d.Amount, Reason: d.Reason,
		RequestedAt: d.At, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	return r, r.Validate()
}

// AsExchange returns d as an order.Exchange, validated.
func (d OrderDetail) AsExchange() (order.Exchange, error) {
	st, err := order.ParseRequestStatus(d.Status)
	if err != nil {
		return order.Exchange{}, err
	}
	typ, err := order.ParseExchangeType(d.Type)
	if err != nil {
		return order.Exchange{}, err
	}
	x := order.Exchange{ID: d.ID, OrderID: d.OrderID, Type: typ, Status: st, Amount: d.Amount, Reason: d.Reason,
		RequestedAt: d.At, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	return x, x.Validate()
}

// AsRefund returns d as an order.Refund, validated.
func (d OrderDetail) AsRefund() (order.Refund, error) {
	st, err := order.ParseRefundStatus(d.Status)
	if err != nil {
		return order.Refund{}, err
	}
	dest, err := order.ParseDestination(d.Destination)
	if err != nil {
		return order.Refund{}, err
	}
	r := order.Refund{ID: d.ID, OrderID: d.OrderID, Status: st, Amount: d.Amount, Destination: dest,
		Reason: d.Reason, ReturnID: d.ReturnID, PostingID: d.PostingID, RefundedAt: d.At, CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt}
	return r, r.Validate()
}

// Validate checks d by converting it to its kind's type.
func (d OrderDetail) Validate() error {
	var err error
	switch d.Kind {
	case DetailReturn:
		_, err = d.AsReturn()
	case DetailExchange:
		_, err = d.AsExchange()
	case DetailRefund:
		_, err = d.AsRefund()
	default:
		err = &order.ValidationError{Field: "kind", Reason: "is not an order detail kind", Err: order.ErrInvalid}
	}
	return err
}

// StoredDetail prepares d for OrderDetails.CreateDetail and PutDetail:
// times in UTC at microsecond precision, then validated.
func StoredDetail(d OrderDetail) (OrderDetail, error) {
	d.At, d.CreatedAt, d.UpdatedAt = Micro(d.At), Micro(d.CreatedAt), Micro(d.UpdatedAt)
	return d, d.Validate()
}

// StoredStats prepares s for OrderDetails.UpdateStats: times in UTC at
// microsecond precision, then validated.
func StoredStats(s order.Stats) (order.Stats, error) {
	if !s.FirstOrderAt.IsZero() {
		s.FirstOrderAt, s.LastOrderAt = Micro(s.FirstOrderAt), Micro(s.LastOrderAt)
	}
	return s, s.Validate()
}

// ListSpend names the cursors of OrderDetails.ListBySpend.
const ListSpend = "spend"

// OrderDetails stores orders' returns, exchanges and refunds and
// customers' order statistics.
//
// The order's record is the lock of its details: the services lock it
// (Orders.Update) before they read details to decide a write, and read
// them here, inside a transaction, with locking reads that see the latest
// committed state.
type OrderDetails interface {
	// CreateDetail inserts d, checked with OrderDetail.Validate. Errors:
	// *ConflictError with ConstraintOrderDetail when the order has a
	// detail of d's kind with d's ID; ErrNotFound when the order does not
	// exist. Nothing is written on error.
	CreateDetail(ctx context.Context, d OrderDetail) error

	// PutDetail replaces the stored detail with d's key. Only Status,
	// PostingID and UpdatedAt may differ from the stored one (an error
	// wrapping ErrConflict otherwise). Errors: ErrNotFound.
	PutDetail(ctx context.Context, d OrderDetail) error

	// Detail returns the order's detail of the kind with the ID, or
	// ErrNotFound. Errors: *LimitError for an ID or order ID longer than
	// MaxKeyBytes.
	Detail(ctx context.Context, orderID string, kind DetailKind, id string) (OrderDetail, error)

	// Details returns the order's details of the kind ordered by
	// (CreatedAt, ID) ascending; none is an empty slice, also for an
	// unknown order.
	Details(ctx context.Context, orderID string, kind DetailKind) ([]OrderDetail, error)

	// Span returns the earliest and the latest PlacedAt of the customer's
	// orders in currency c (cancelled ones only when withCancelled), or
	// zero times when there are none: what a customer's statistics span
	// after an order left them. In a transaction it reads with a shared
	// lock, which sees the latest committed orders where a plain read may
	// return the transaction's snapshot (TiDB).
	Span(ctx context.Context, customerID uuid.UUID, c balance.Currency, withCancelled bool) (first, last time.Time, err error)

	// Stats returns the customer's statistics, one per currency it has
	// figures in, ordered by currency code.
	Stats(ctx context.Context, customerID uuid.UUID) ([]order.Stats, error)

	// UpdateStats locks the customer's statistics in currency c (the
	// empty order.NewStats when none are stored), calls fn on a copy and
	// stores the result (checked with order.Stats.Validate); CustomerID
	// and Currency are kept. Concurrent calls serialize. fn's error is
	// returned as is, and nothing is written. Errors: an error wrapping
	// ErrCustomerNotLive when the customer does not exist.
	UpdateStats(ctx context.Context, customerID uuid.UUID, c balance.Currency, fn func(*order.Stats) error) (order.Stats, error)

	// ListBySpend returns the statistics that match f (order.StatsFilter),
	// ordered by Spent descending, then customer ID ascending, one page at
	// a time (keyset: an index on (currency, spent, customer)). Errors:
	// *order.ValidationError for an invalid filter; ErrInvalidCursor.
	ListBySpend(ctx context.Context, f order.StatsFilter, p PageRequest) (Page[order.Stats], error)
}

// CheckDetailChange returns an error wrapping ErrConflict when next
// changes more of old than PutDetail allows (Status, PostingID,
// UpdatedAt).
func CheckDetailChange(old, next OrderDetail) error {
	next.Status, next.PostingID, next.UpdatedAt = old.Status, old.PostingID, old.UpdatedAt
	if next.Kind != old.Kind || next.ID != old.ID || next.OrderID != old.OrderID || next.Type != old.Type ||
		!next.Amount.Equal(old.Amount) || next.Destination != old.Destination || next.Reason != old.Reason ||
		next.ReturnID != old.ReturnID || !next.At.Equal(old.At) || !next.CreatedAt.Equal(old.CreatedAt) {
		return fmt.Errorf("%w: only a detail's status, posting and update time may change", ErrConflict)
	}
	return nil
}
