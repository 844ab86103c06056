package order

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
)

// Stats are a customer's order figures in one currency, kept up to date by
// the services in the transaction of every change that moves them
// (recording, cancelling, reassigning and claiming orders, refunds).
//
// They count the customer's counted orders: every recorded order, or, when
// the service is configured not to count cancelled orders
// (clientele.WithCancelledOrdersCount(false)), every order not cancelled.
// Spent is gross: the sum of the counted orders' totals; Refunded is the
// sum of their succeeded refunds, kept apart; Net is Spent - Refunded.
type Stats struct {
	CustomerID uuid.UUID        `json:"customer_id"`
	Currency   balance.Currency `json:"currency"`
	OrderCount int64            `json:"order_count"`
	Spent      balance.Money    `json:"spent"`
	Refunded   balance.Money    `json:"refunded"`
	// FirstOrderAt and LastOrderAt are the earliest and latest PlacedAt of
	// the counted orders; zero when OrderCount is zero.
	FirstOrderAt time.Time `json:"first_order_at,omitzero"`
	LastOrderAt  time.Time `json:"last_order_at,omitzero"`
}

// NewStats returns the empty figures of the customer in currency c.
func NewStats(customerID uuid.UUID, c balance.Currency) Stats {
	return Stats{CustomerID: customerID, Currency: c, Spent: balance.Zero(c), Refunded: balance.Zero(c)}
}

// Net returns Spent - Refunded.
func (s Stats) Net() balance.Money {
	n, err := s.Spent.Sub(s.Refunded)
	if err != nil {
		return balance.Zero(s.Currency)
	}
	return n
}

// AverageOrderValue returns Spent / OrderCount rounded half away from zero
// to the currency's minor units, or zero when there are no orders.
func (s Stats) AverageOrderValue() balance.Money {
	if s.OrderCount <= 0 {
		return balance.Zero(s.Currency)
	}
	u, n := s.Spent.MinorUnits(), s.OrderCount
	q, r := u/n, u%n
	if r < 0 {
		r = -r
	}
	if r >= n-r {
		if u < 0 {
			q--
		} else {
			q++
		}
	}
	return balance.FromMinorUnits(q, s.Currency)
}

// AddOrder counts an order of total placed at placedAt.
func (s *Stats) AddOrder(total balance.Money, placedAt time.Time) error {
	spent, err := s.Spent.Add(total)
	if err != nil {
		return err
	}
	s.Spent = spent
	s.OrderCount++
	if s.FirstOrderAt.IsZero() || placedAt.Before(s.FirstOrderAt) {
		s.FirstOrderAt = placedAt.UTC()
	}
	if placedAt.After(s.LastOrderAt) {
		s.LastOrderAt = placedAt.UTC()
	}
	return nil
}

// RemoveOrder stops counting an order of total placed at placedAt. It
// reports whether FirstOrderAt or LastOrderAt may have been that order's,
// in which case the caller sets them again from the remaining orders (see
// SetSpan); with no order left they are zero.
func (s *Stats) RemoveOrder(total balance.Money, placedAt time.Time) (spanStale bool, err error) {
	spent, err := s.Spent.Sub(total)
	if err != nil {
		return false, err
	}
	s.Spent = spent
	s.OrderCount--
	if s.OrderCount <= 0 {
		s.OrderCount, s.FirstOrderAt, s.LastOrderAt = 0, time.Time{}, time.Time{}
		return false, nil
	}
	return placedAt.Equal(s.FirstOrderAt) || placedAt.Equal(s.LastOrderAt), nil
}

// SetSpan sets FirstOrderAt and LastOrderAt.
func (s *Stats) SetSpan(first, last time.Time) {
	s.FirstOrderAt, s.LastOrderAt = first.UTC(), last.UTC()
}

// AddRefund adds amount (negative to remove one) to Refunded.
func (s *Stats) AddRefund(amount balance.Money) error {
	r, err := s.Refunded.Add(amount)
	if err != nil {
		return err
	}
	s.Refunded = r
	return nil
}

// Validate checks that the figures are consistent: a customer and a
// currency, amounts in it, no negative count, times in UTC, and times set
// exactly when there are orders.
func (s Stats) Validate() error {
	switch {
	case s.CustomerID == uuid.Nil:
		return invalid("customer_id", "is required")
	case s.Currency.IsZero():
		return invalid("currency", "is required")
	case s.Spent.Currency() != s.Currency:
		return invalid("spent", "must be in %s", s.Currency.Code())
	case s.Refunded.Currency() != s.Currency:
		return invalid("refunded", "must be in %s", s.Currency.Code())
	case s.OrderCount < 0:
		return invalid("order_count", "must not be negative")
	case (s.OrderCount == 0) != s.FirstOrderAt.IsZero() || (s.OrderCount == 0) != s.LastOrderAt.IsZero():
		return invalid("first_order_at", "must be set exactly when there are orders")
	case !s.FirstOrderAt.IsZero() && (s.FirstOrderAt.Location() != time.UTC || s.LastOrderAt.Location() != time.UTC):
		return invalid("first_order_at", "must be in UTC")
	}
	return nil
}

// StatsFilter selects customers by their figures in one currency, for
// lists such as "customers who spent more than 500 EUR".
type StatsFilter struct {
	// Currency is required.
	Currency balance.Currency `json:"currency"`
	// MinSpent and MaxSpent bound Spent (inclusive) when set (a zero
	// Money, without a currency, is unset).
	MinSpent balance.Money `json:"min_spent,omitzero"`
	MaxSpent balance.Money `json:"max_spent,omitzero"`
	// MinOrders is the least OrderCount, when positive.
	MinOrders int64 `json:"min_orders,omitempty"`
	// LastOrderBefore and LastOrderAfter bound LastOrderAt (exclusive)
	// when set; figures without orders then never match.
	LastOrderBefore time.Time `json:"last_order_before,omitzero"`
	LastOrderAfter  time.Time `json:"last_order_after,omitzero"`
}

// Validate checks that the filter has a currency and that its bounds are
// in it. Errors are *ValidationError.
func (f StatsFilter) Validate() error {
	if f.Currency.IsZero() {
		return invalid("currency", "is required")
	}
	for _, b := range []struct {
		name string
		m    balance.Money
	}{{"min_spent", f.MinSpent}, {"max_spent", f.MaxSpent}} {
		if !b.m.Currency().IsZero() && b.m.Currency() != f.Currency {
			return invalid(b.name, "must be in %s", f.Currency.Code())
		}
	}
	return nil
}

// Match reports whether s passes the filter (the memory adapter's test;
// SQL adapters express the same conditions in their WHERE clause).
func (f StatsFilter) Match(s Stats) bool {
	switch {
	case s.Currency != f.Currency:
		return false
	case !f.MinSpent.Currency().IsZero() && s.Spent.MinorUnits() < f.MinSpent.MinorUnits():
		return false
	case !f.MaxSpent.Currency().IsZero() && s.Spent.MinorUnits() > f.MaxSpent.MinorUnits():
		return false
	case f.MinOrders > 0 && s.OrderCount < f.MinOrders:
		return false
	case !f.LastOrderBefore.IsZero() && (s.LastOrderAt.IsZero() || !s.LastOrderAt.Before(f.LastOrderBefore)):
		return false
	case !f.LastOrderAfter.IsZero() && (s.LastOrderAt.IsZero() || !s.LastOrderAt.After(f.LastOrderAfter)):
		return false
	}
	return true
}

type statsJSON struct {
	statsAlias
	Net               balance.Money `json:"net"`
	AverageOrderValue balance.Money `json:"average_order_value"`
}

type statsAlias Stats

// MarshalJSON implements json.Marshaler: the fields' json tags plus the
// derived "net" and "average_order_value".
func (s Stats) MarshalJSON() ([]byte, error) {
	return json.Marshal(statsJSON{statsAlias(s), s.Net(), s.AverageOrderValue()})
}

// UnmarshalJSON implements json.Unmarshaler: the inverse of MarshalJSON
// (the derived members are ignored).
func (s *Stats) UnmarshalJSON(b []byte) error {
	var w statsAlias
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	w.FirstOrderAt, w.LastOrderAt = utcOrZero(w.FirstOrderAt), utcOrZero(w.LastOrderAt)
	*s = Stats(w)
	return nil
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}
