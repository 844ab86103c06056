package clientele

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// WithCancelledOrdersCount sets whether a cancelled order still counts
// toward the customer's status (prospect, acquired, repeat), its
// OrderCount and its order statistics (order.Stats).
//
// By default (true) every recorded order counts, cancelled or not: the
// customer placed it, and Status never moves back. With false, an order
// recorded as cancelled is not counted, and cancelling a counted order
// (Orders.SetStatus) takes it back in the same transaction: OrderCount
// goes down, Status follows it back (customer.Customer.UncountOrder, the
// one exception to "never moves back", with a customer.status_changed
// event), and the order's total and refunds leave the statistics. Choose
// once per store: switching later leaves the counts of orders cancelled
// before as they were.
func WithCancelledOrdersCount(count bool) Option {
	return func(e *env) { e.uncountCancelled = !count }
}

// OrderDetails is an order's returns, exchanges and refunds, each ordered
// by when they were recorded.
type OrderDetails struct {
	Returns   []order.Return   `json:"returns"`
	Exchanges []order.Exchange `json:"exchanges"`
	Refunds   []order.Refund   `json:"refunds"`
}

// historyOf returns the store's (or transaction's) order details
// repository, or ErrUnsupported when it lacks the storage.OrderHistory
// capability.
func historyOf(r any) (storage.OrderDetails, error) {
	h, ok := r.(storage.OrderHistory)
	if !ok {
		return nil, fmt.Errorf("%w: order returns, exchanges, refunds and statistics need the storage.OrderHistory capability (%T)", ErrUnsupported, r)
	}
	return h.OrderDetails(), nil
}

// counts reports whether o counts toward its customer's status and
// statistics (see WithCancelledOrdersCount).
func (e *env) counts(o order.Order) bool {
	return !(e.uncountCancelled && o.Status == order.StatusCancelled)
}

// countStats adds o (with its succeeded refunds when withRefunds) to its
// customer's statistics, when the store keeps them and o counts.
func (e *env) countStats(ctx context.Context, tx storage.Tx, o order.Order, withRefunds bool) error {
	dd, err := historyOf(tx)
	if err != nil || !e.counts(o) {
		return nil
	}
	refunded := balance.Zero(o.Total.Currency())
	if withRefunds {
		if refunded, err = refundedOf(ctx, dd, o); err != nil {
			return err
		}
	}
	_, err = dd.UpdateStats(ctx, o.CustomerID, o.Total.Currency(), func(s *order.Stats) error {
		if err := s.AddOrder(o.Total, o.PlacedAt); err != nil {
			return err
		}
		return s.AddRefund(refunded)
	})
	return err
}

// uncountStats takes o, as it was counted (its former customer, its
// total), and its succeeded refunds out of that customer's statistics.
// Call it after the change that uncounts o is stored: the span of the
// remaining orders is read from the customer's history.
func (e *env) uncountStats(ctx context.Context, tx storage.Tx, o order.Order) error {
	dd, err := historyOf(tx)
	if err != nil || !e.counts(o) {
		return nil
	}
	refunded, err := refundedOf(ctx, dd, o)
	if err != nil {
		return err
	}
	_, err = dd.UpdateStats(ctx, o.CustomerID, o.Total.Currency(), func(s *order.Stats) error {
		stale, err := s.RemoveOrder(o.Total, o.PlacedAt)
		if err != nil {
			return err
		}
		if err := s.AddRefund(refunded.Neg()); err != nil {
			return err
		}
		if !stale {
			return nil
		}
		first, last, err := e.span(ctx, tx, o.CustomerID, o.Total.Currency())
		s.SetSpan(first, last)
		return err
	})
	return err
}

// span returns the earliest and latest PlacedAt of the customer's counted
// orders in currency c, read under a shared lock.
func (e *env) span(ctx context.Context, tx storage.Tx, customerID uuid.UUID, c balance.Currency) (first, last time.Time, err error) {
	dd, err := historyOf(tx)
	if err != nil {
		return first, last, err
	}
	// A shared-lock read (storage.OrderDetails.Span): a plain read of the
	// history may return a snapshot that misses an order committed since
	// the transaction began (TiDB), and the span would drift.
	return dd.Span(ctx, customerID, c, !e.uncountCancelled)
}

// refundedOf sums the succeeded refunds of o.
func refundedOf(ctx context.Context, dd storage.OrderDetails, o order.Order) (balance.Money, error) {
	sum := balance.Zero(o.Total.Currency())
	ds, err := dd.Details(ctx, o.ID, storage.DetailRefund)
	if err != nil {
		return sum, err
	}
	for _, d := range ds {
		r, err := d.AsRefund()
		if err != nil {
			return sum, err
		}
		if r.Status == order.RefundSucceeded {
			if sum, err = sum.Add(r.Amount); err != nil {
				return sum, err
			}
		}
	}
	return sum, nil
}

// lockOrder reads the order under its lock (a write that changes
// nothing): the order's record is the lock of its details.
func lockOrder(ctx context.Context, tx storage.Tx, id string) (order.Order, error) {
	o, err := tx.Orders().Update(ctx, id, func(*order.Order) error { return nil })
	return o, notFound(err, order.ErrNotFound)
}

// detailKind describes one kind of order detail to the generic record
// and update flows.
type detailKind[T any] struct {
	kind              storage.DetailKind
	to                func(T) storage.OrderDetail
	from              func(storage.OrderDetail) (T, error)
	same              func(a, b T) bool
	recorded, updated event.Type
	payload           func(T) event.OrderDetailPayload
	// effects runs the side effects of storing next (before is nil for a
	// new detail) and returns what to store.
	effects func(ctx context.Context, tx storage.Tx, o order.Order, before *T, next T) (T, error)
}

var returnKind = detailKind[order.Return]{
	kind: storage.DetailReturn, to: storage.DetailOfReturn, from: storage.OrderDetail.AsReturn,
	same: order.Return.SameAs, recorded: event.OrderReturnRecorded, updated: event.OrderReturnUpdated,
	payload: func(r order.Return) event.OrderDetailPayload { return event.OrderDetailPayload{Return: &r} },
}

var exchangeKind = detailKind[order.Exchange]{
	kind: storage.DetailExchange, to: storage.DetailOfExchange, from: storage.OrderDetail.AsExchange,
	same: order.Exchange.SameAs, recorded: event.OrderExchangeRecorded, updated: event.OrderExchangeUpdated,
	payload: func(x order.Exchange) event.OrderDetailPayload { return event.OrderDetailPayload{Exchange: &x} },
}

func (s *Orders) refundKind() detailKind[order.Refund] {
	return detailKind[order.Refund]{
		kind: storage.DetailRefund, to: storage.DetailOfRefund, from: storage.OrderDetail.AsRefund,
		same: order.Refund.SameAs, recorded: event.OrderRefundRecorded, updated: event.OrderRefundUpdated,
		payload: func(r order.Refund) event.OrderDetailPayload { return event.OrderDetailPayload{Refund: &r} },
		effects: s.refundEffects,
	}
}

// recordDetail stores the detail build makes from the (locked) order, or
// replays the stored one, moving its status to the requested one when
// they differ, in one transaction.
func recordDetail[T any](ctx context.Context, s *Orders, k detailKind[T], orderID string,
	build func(order.Order) (T, error), move func(stored *T, requested T) error) (T, error) {
	var out T
	if _, err := historyOf(s.store); err != nil {
		return out, err
	}
	var err error
	for range maxCreateAttempts {
		err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			dd, err := historyOf(tx)
			if err != nil {
				return err
			}
			o, err := lockOrder(ctx, tx, orderID)
			if err != nil {
				return err
			}
			n, err := build(o)
			if err != nil {
				return err
			}
			d := k.to(n)
			prev, err := dd.Detail(ctx, orderID, k.kind, d.ID)
			if err == nil {
				stored, err := k.from(prev)
				if err != nil {
					return err
				}
				if !k.same(stored, n) {
					return fmt.Errorf("%w: %s %s of order %s", order.ErrDetailChanged, k.kind, storage.Quote(d.ID),
						storage.Quote(orderID))
				}
				out, err = updateDetail(ctx, s, tx, dd, k, o, stored, func(t *T) error { return move(t, n) })
				return err
			}
			if !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			if k.effects != nil {
				if n, err = k.effects(ctx, tx, o, nil, n); err != nil {
					return err
				}
			}
			if err := dd.CreateDetail(ctx, k.to(n)); err != nil {
				return err
			}
			out = n
			return s.emitOne(ctx, tx, k.recorded, event.AggregateOrder, o.ID, o.CustomerID, 0, k.payload(n))
		})
		if !storage.IsConflict(err, storage.ConstraintOrderDetail) && !storage.IsConflict(err, storage.ConstraintIdempotencyKey) {
			break
		}
	}
	return out, err
}

// updateDetail applies fn to stored and, when it changed, runs the side
// effects, stores it and emits the update event.
func updateDetail[T any](ctx context.Context, s *Orders, tx storage.Tx, dd storage.OrderDetails, k detailKind[T],
	o order.Order, stored T, fn func(*T) error) (T, error) {
	next := stored
	if err := fn(&next); err != nil {
		return stored, err
	}
	before := k.to(stored)
	if k.to(next) == before {
		return stored, nil
	}
	var err error
	if k.effects != nil {
		if next, err = k.effects(ctx, tx, o, &stored, next); err != nil {
			return stored, err
		}
	}
	if err := dd.PutDetail(ctx, k.to(next)); err != nil {
		return stored, err
	}
	p := k.payload(next)
	p.Changes = diff(stored, next)
	return next, s.emitOne(ctx, tx, k.updated, event.AggregateOrder, o.ID, o.CustomerID, 0, p)
}

// setDetail moves a stored detail's status with fn, under the order's
// lock.
func setDetail[T any](ctx context.Context, s *Orders, k detailKind[T], orderID, id string, fn func(*T) error) (T, error) {
	var out T
	if _, err := historyOf(s.store); err != nil {
		return out, err
	}
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		dd, err := historyOf(tx)
		if err != nil {
			return err
		}
		o, err := lockOrder(ctx, tx, orderID)
		if err != nil {
			return err
		}
		prev, err := dd.Detail(ctx, orderID, k.kind, id)
		if err != nil {
			return notFound(err, order.ErrDetailNotFound)
		}
		stored, err := k.from(prev)
		if err != nil {
			return err
		}
		out, err = updateDetail(ctx, s, tx, dd, k, o, stored, fn)
		return err
	})
	return out, err
}

// RecordReturn records a return of an order as the host reports it, in one
// transaction under the order's lock. It is idempotent on (order, return
// ID): recording the same return again (order.Return.SameAs) returns the
// stored one, and when the request carries a later status, moves it there
// (an order.return_updated event). A request with an earlier status (a
// webhook delivered late: "requested" after "received") is a replay too;
// any other move is a *order.DetailTransitionError. The same ID with other content is
// order.ErrDetailChanged. Events: order.return_recorded. Errors:
// order.ErrNotFound, *order.ValidationError (the amount must be in the
// order's currency and at most its total), ErrUnsupported when the store
// lacks storage.OrderHistory.
func (s *Orders) RecordReturn(ctx context.Context, p order.ReturnParams) (order.Return, error) {
	return recordDetail(ctx, s, returnKind, p.OrderID,
		func(o order.Order) (order.Return, error) { return order.NewReturn(p, o, s.clock()) },
		func(r *order.Return, req order.Return) error {
			if req.Status.CanTransition(r.Status) {
				return nil // a late report of an earlier status
			}
			return r.SetStatus(req.Status, s.clock())
		})
}

// SetReturnStatus moves a return to status to (see order.RequestStatus);
// the current status again changes nothing. Errors: order.ErrNotFound,
// order.ErrDetailNotFound, *order.DetailTransitionError.
func (s *Orders) SetReturnStatus(ctx context.Context, orderID, returnID string, to order.RequestStatus) (order.Return, error) {
	return setDetail(ctx, s, returnKind, orderID, returnID,
		func(r *order.Return) error { return r.SetStatus(to, s.clock()) })
}

// RecordExchange records an exchange or a replacement (a claim on the
// order's goods) as RecordReturn records a return. Events:
// order.exchange_recorded, order.exchange_updated.
func (s *Orders) RecordExchange(ctx context.Context, p order.ExchangeParams) (order.Exchange, error) {
	return recordDetail(ctx, s, exchangeKind, p.OrderID,
		func(o order.Order) (order.Exchange, error) { return order.NewExchange(p, o, s.clock()) },
		func(x *order.Exchange, req order.Exchange) error {
			if req.Status.CanTransition(x.Status) {
				return nil // a late report of an earlier status
			}
			return x.SetStatus(req.Status, s.clock())
		})
}

// SetExchangeStatus moves an exchange to status to, as SetReturnStatus.
func (s *Orders) SetExchangeStatus(ctx context.Context, orderID, exchangeID string, to order.RequestStatus) (order.Exchange, error) {
	return setDetail(ctx, s, exchangeKind, orderID, exchangeID,
		func(x *order.Exchange) error { return x.SetStatus(to, s.clock()) })
}

// RecordRefund records a refund of an order as the host reports it (by
// default as succeeded), in one transaction under the order's lock, and
// idempotently on (order, refund ID), as RecordReturn: a replay with
// another status moves it (pending → succeeded or failed).
//
// The order's pending and succeeded refunds never exceed its total
// (order.ErrRefundExceedsTotal otherwise). A succeeded refund adds to the
// order's customer's statistics (Refunded). A succeeded refund to
// order.DestinationStoreCredit credits the customer's balance in the same
// transaction, exactly once however often and however concurrently it is
// reported: a posting of kind balance.KindRefund whose Reference is the
// order ID and whose idempotency key is derived from the order and refund
// IDs; Refund.PostingID keeps the posting's ID, and the posting emits
// balance.credited. A ReturnID must name a return of the order.
//
// Events: order.refund_recorded, order.refund_updated (and
// balance.account_opened, balance.credited). Errors: order.ErrNotFound,
// order.ErrDetailChanged, order.ErrRefundExceedsTotal,
// *order.ValidationError, customer.ErrNotFound when crediting a deleted
// customer, ErrUnsupported.
func (s *Orders) RecordRefund(ctx context.Context, p order.RefundParams) (order.Refund, error) {
	return recordDetail(ctx, s, s.refundKind(), p.OrderID,
		func(o order.Order) (order.Refund, error) { return order.NewRefund(p, o, s.clock()) },
		func(r *order.Refund, req order.Refund) error {
			if req.Status.CanTransition(r.Status) {
				return nil // a late report of an earlier status
			}
			return r.SetStatus(req.Status, s.clock())
		})
}

// SetRefundStatus moves a pending refund to succeeded or failed, with the
// effects RecordRefund describes. Errors: order.ErrNotFound,
// order.ErrDetailNotFound, *order.DetailTransitionError.
func (s *Orders) SetRefundStatus(ctx context.Context, orderID, refundID string, to order.RefundStatus) (order.Refund, error) {
	return setDetail(ctx, s, s.refundKind(), orderID, refundID,
		func(r *order.Refund) error { return r.SetStatus(to, s.clock()) })
}

// refundEffects checks a refund against the order and applies what it
// moves: the statistics and, for store credit, the posting.
func (s *Orders) refundEffects(ctx context.Context, tx storage.Tx, o order.Order, before *order.Refund, next order.Refund) (order.Refund, error) {
	dd, err := historyOf(tx)
	if err != nil {
		return next, err
	}
	if before == nil {
		if next.ReturnID != "" {
			if _, err := dd.Detail(ctx, o.ID, storage.DetailReturn, next.ReturnID); errors.Is(err, storage.ErrNotFound) {
				return next, &order.ValidationError{Field: "return_id", Reason: "is not a return of the order", Err: order.ErrInvalid}
			} else if err != nil {
				return next, err
			}
		}
		if next.Reserves() {
			if err := s.checkRefundFits(ctx, dd, o, next); err != nil {
				return next, err
			}
		}
	}
	if next.Status != order.RefundSucceeded || (before != nil && before.Status == order.RefundSucceeded) {
		return next, nil
	}
	if s.counts(o) {
		if _, err := dd.UpdateStats(ctx, o.CustomerID, o.Total.Currency(), func(st *order.Stats) error {
			return st.AddRefund(next.Amount)
		}); err != nil {
			return next, err
		}
	}
	if next.Destination == order.DestinationStoreCredit {
		id, err := s.creditRefund(ctx, tx, o, next)
		if err != nil {
			return next, err
		}
		next.PostingID = id
	}
	return next, nil
}

// checkRefundFits returns order.ErrRefundExceedsTotal when r and the
// order's other pending and succeeded refunds exceed its total.
func (s *Orders) checkRefundFits(ctx context.Context, dd storage.OrderDetails, o order.Order, r order.Refund) error {
	ds, err := dd.Details(ctx, o.ID, storage.DetailRefund)
	if err != nil {
		return err
	}
	sum := r.Amount
	for _, d := range ds {
		other, err := d.AsRefund()
		if err != nil {
			return err
		}
		if other.ID != r.ID && other.Reserves() {
			if sum, err = sum.Add(other.Amount); err != nil {
				return err
			}
		}
	}
	if sum.MinorUnits() > o.Total.MinorUnits() {
		return fmt.Errorf("%w: order %s: %s refunded of %s", order.ErrRefundExceedsTotal, storage.Quote(o.ID), sum, o.Total)
	}
	return nil
}

// refundKey is the idempotency key of a refund's store-credit posting:
// the order and refund IDs, length-prefixed so that no two pairs share it.
func refundKey(orderID, refundID string) string {
	return "refund:" + strconv.Itoa(len(orderID)) + ":" + orderID + ":" + refundID
}

// creditRefund credits r to the order's customer's balance, once: a
// posting already made under the refund's key is returned.
func (s *Orders) creditRefund(ctx context.Context, tx storage.Tx, o order.Order, r order.Refund) (uuid.UUID, error) {
	b := &Balances{s.env}
	acct, err := b.account(ctx, tx, o.CustomerID, r.Amount.Currency())
	if err != nil {
		return uuid.Nil, err
	}
	key := refundKey(o.ID, r.ID)
	if prev, found, err := replay(ctx, tx, acct, key); err != nil || found {
		return prev.ID, err
	}
	params := balance.PostingParams{Kind: balance.KindRefund, Amount: r.Amount, Reference: o.ID,
		IdempotencyKey: key, Actor: postingActor(ctx, ""), Note: "refund " + r.ID}
	p, err := balance.NewPosting(s.newID(), acct, params, s.clock())
	if err != nil {
		return uuid.Nil, err
	}
	out, err := tx.Balances().Post(ctx, p)
	if err != nil {
		return uuid.Nil, customerGone(err)
	}
	return out.ID, s.emitPosting(ctx, tx, acct, out)
}

// Details returns the order's returns, exchanges and refunds. Errors:
// order.ErrNotFound, ErrUnsupported.
func (s *Orders) Details(ctx context.Context, orderID string) (OrderDetails, error) {
	dd, err := historyOf(s.store)
	if err != nil {
		return OrderDetails{}, err
	}
	if _, err := s.Get(ctx, orderID); err != nil {
		return OrderDetails{}, err
	}
	var out OrderDetails
	if out.Returns, err = listDetails(ctx, dd, orderID, returnKind); err != nil {
		return OrderDetails{}, err
	}
	if out.Exchanges, err = listDetails(ctx, dd, orderID, exchangeKind); err != nil {
		return OrderDetails{}, err
	}
	out.Refunds, err = listDetails(ctx, dd, orderID, s.refundKind())
	return out, err
}

func listDetails[T any](ctx context.Context, dd storage.OrderDetails, orderID string, k detailKind[T]) ([]T, error) {
	ds, err := dd.Details(ctx, orderID, k.kind)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(ds))
	for _, d := range ds {
		v, err := k.from(d)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Stats returns the customer's order statistics, one per currency it has
// orders in, ordered by currency code (see order.Stats and
// WithCancelledOrdersCount). Errors: customer.ErrNotFound, ErrUnsupported.
func (s *Orders) Stats(ctx context.Context, customerID uuid.UUID) ([]order.Stats, error) {
	dd, err := historyOf(s.store)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.Customers().Get(ctx, customerID); err != nil {
		return nil, mapCustomerErr(err)
	}
	return dd.Stats(ctx, customerID)
}

// CustomersBySpend returns a page of the statistics in f.Currency that
// match f ("customers who spent more than 500 EUR": MinSpent), ordered by
// Spent descending, then customer ID. Errors: *order.ValidationError,
// page.ErrInvalidCursor, ErrUnsupported.
func (s *Orders) CustomersBySpend(ctx context.Context, f order.StatsFilter, p page.Request) (page.Page[order.Stats], error) {
	dd, err := historyOf(s.store)
	if err != nil {
		return page.Page[order.Stats]{}, err
	}
	return dd.ListBySpend(ctx, f, p)
}

// uncountCustomer takes a counted order back from its customer (see
// WithCancelledOrdersCount) and emits customer.status_changed when the
// status moves back.
func (e *env) uncountCustomer(ctx context.Context, tx storage.Tx, id uuid.UUID) error {
	var before customer.Customer
	after, err := tx.Customers().Update(ctx, id, func(c *customer.Customer) error {
		before = c.Clone()
		c.UncountOrder(e.clock())
		return nil
	})
	if err != nil {
		return mapCustomerErr(err)
	}
	return e.emitStatusChange(ctx, tx, before, after)
}
