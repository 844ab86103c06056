package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// Orders keeps each customer's order history. The host owns its orders; it
// tells Clientele when one is placed, and the customer's status follows:
// prospect before the first order, acquired after it, repeat from the
// second on. On a store with the storage.OrderHistory capability it also
// keeps each order's returns, exchanges and refunds (RecordReturn,
// RecordExchange, RecordRefund, Details) and each customer's order
// statistics per currency (Stats, CustomersBySpend), updated in the
// transaction of every change that moves them.
type Orders struct{ *env }

// RecordPlaced records that the customer placed an order and advances the
// customer's status (customer.Customer.RecordOrder), in one transaction.
//
// It is idempotent: recording an order whose ID is stored already for the
// same customer, with the same number and total (order.Order.SameAs),
// returns the stored order and counts it once. The same ID for another
// customer returns order.ErrOrderOwned; the same ID and customer with
// another number or total returns order.ErrOrderChanged (which also matches
// storage.ErrConflict), since the host's order IDs must be stable.
// Errors: customer.ErrNotFound (also for a deleted customer),
// *order.ValidationError (order.ErrInvalid).
//
// It honours IdempotencyKey, though the order ID makes it idempotent
// already: the key then also refuses another request under it
// (ErrIdempotencyKeyReused).
func (s *Orders) RecordPlaced(ctx context.Context, p order.Params, opts ...CallOption) (order.Order, error) {
	o, err := order.New(p, s.clock())
	if err != nil {
		return order.Order{}, err
	}
	var out order.Order
	request := o.Clone()
	request.CreatedAt, request.UpdatedAt = time.Time{}, time.Time{}
	if p.PlacedAt.IsZero() {
		request.PlacedAt = time.Time{} // "now" is not part of the request
	}
	err = s.onceOwn(ctx, "order.record", collect(opts), request,
		func(ctx context.Context, _ storage.Tx) (string, error) {
			var err error
			out, err = s.recordPlaced(ctx, o)
			return out.ID, err
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			var err error
			out, err = tx.Orders().Get(ctx, result)
			return notFound(err, order.ErrNotFound)
		})
	if err != nil {
		return order.Order{}, err
	}
	return out, nil
}

// recordPlaced stores o and counts it toward its customer's status, or
// replays the order stored with o's ID.
func (s *Orders) recordPlaced(ctx context.Context, o order.Order) (order.Order, error) {
	var (
		out order.Order
		err error
	)
	// The first run does not look for an order with o's ID: the order's
	// INSERT tells (raced), and the next run reads it and replays.
	lookFirst := false
	for range maxCreateAttempts {
		raced := false
		err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			var err error
			out, raced, err = s.recordPlacedTx(ctx, tx, o, lookFirst)
			return err
		})
		if !raced {
			break
		}
		lookFirst = true
	}
	if err != nil {
		return order.Order{}, err
	}
	return out, nil
}

// recordPlacedTx stores o in tx and counts it toward its customer's
// status and statistics, with its events, or, with lookFirst, replays the
// order stored with o's ID. raced reports an order stored with o's ID (by
// an earlier or a concurrent call): a new transaction, looking first,
// reads it back and replays.
func (e *env) recordPlacedTx(ctx context.Context, tx storage.Tx, o order.Order, lookFirst bool) (out order.Order, raced bool, err error) {
	if lookFirst {
		prev, err := tx.Orders().Get(ctx, o.ID)
		if err == nil {
			return prev, false, replayedOrder(prev, o)
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return order.Order{}, false, err
		}
	}
	var before customer.Customer
	owner, err := tx.Customers().Update(ctx, o.CustomerID, func(c *customer.Customer) error {
		if c.IsDeleted() {
			return deletedErr(c.ID)
		}
		before = c.Clone()
		if e.counts(o) {
			c.RecordOrder(e.clock())
		}
		return nil
	})
	if err != nil {
		return order.Order{}, false, mapCustomerErr(err)
	}
	out, err = tx.Orders().Create(ctx, o)
	if err != nil {
		return order.Order{}, storage.IsConflict(err, storage.ConstraintOrderID), mapCustomerErr(err)
	}
	if err := e.countStats(ctx, tx, out, false); err != nil {
		return order.Order{}, false, err
	}
	// The order's event and the customer's (when the order moved their
	// status) in one append.
	evs := make([]event.Event, 0, 2)
	ev, err := newEvent(event.OrderRecorded, event.AggregateOrder, out.ID, out.CustomerID, 0, event.OrderPayload{Order: out})
	if err != nil {
		return order.Order{}, false, err
	}
	evs = append(evs, ev)
	if before.Status != owner.Status {
		ev, err := statusChangeEvent(before, owner)
		if err != nil {
			return order.Order{}, false, err
		}
		evs = append(evs, ev)
	}
	return out, false, e.emit(ctx, tx, evs...)
}

// replayedOrder decides whether recording o again, with prev stored, is a
// replay (nil) or an error.
func replayedOrder(prev, o order.Order) error {
	switch {
	case prev.CustomerID != o.CustomerID:
		return fmt.Errorf("%w: order %s", order.ErrOrderOwned, storage.Quote(o.ID))
	case !prev.SameAs(o):
		return fmt.Errorf("%w: order %s: %w", order.ErrOrderChanged, storage.Quote(o.ID), storage.Conflict(storage.ConstraintOrderID, nil))
	}
	return nil
}

// ErrActorRequired reports a call that acts on someone else's authority
// without saying whose: Orders.Claim needs a staff, app or system actor in
// its ctx (actor.NewContext or WithActor). It unwraps to errcode.Denied.
var ErrActorRequired = errcode.New(errcode.Denied, "clientele: this call needs a staff, app or system actor in its context")

// Claim is the staff path of a guest-order claim: it moves a guest's order
// history to the registered customer with the same email, on the
// authority of the actor in ctx, which must be a staff member, an app or
// the system, named by an ID (ErrActorRequired otherwise, also for an
// anonymous system actor and for a customer actor: a
// customer claims with RequestClaim and AcceptClaim, which prove they own
// the guest's address). The actor is recorded on the event. It returns the
// registered customer with its order count and status updated and the
// number of orders moved. It runs in one transaction and is idempotent:
// claiming again moves nothing. The guest keeps its own status (statuses
// never move back) and stays a guest record.
//
// The guest must be a guest (live or deleted, not erased) and the customer a
// live registered customer whose canonical email equals the guest's: a
// claim never moves orders between different people on an actor's word
// alone. Errors: ErrActorRequired; customer.ErrNotFound; a
// *customer.ValidationError (customer.ErrInvalid) with Field "guest_id"
// when the guest is not a guest, or "email" when the emails differ.
func (s *Orders) Claim(ctx context.Context, guestID, customerID uuid.UUID) (customer.Customer, int, error) {
	who, ok := actor.Lookup(ctx)
	if !ok || who.Kind == actor.KindCustomer || who.ID == "" {
		return customer.Customer{}, 0, ErrActorRequired
	}
	var (
		out   customer.Customer
		moved int
	)
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		out, moved, err = s.claim(ctx, tx, guestID, customerID, true, event.ClaimPayload{Proof: "staff"})
		return err
	})
	if err != nil {
		return customer.Customer{}, 0, err
	}
	return out, moved, nil
}

// claim moves the guest's history to the customer in tx and emits
// customer.guest_orders_claimed with proof (and customer.status_changed).
// sameEmail requires the two canonical emails to be equal (the staff
// path; a token proved the customer owns the guest's address).
func (s *Orders) claim(ctx context.Context, tx storage.Tx, guestID, customerID uuid.UUID, sameEmail bool, proof event.ClaimPayload) (customer.Customer, int, error) {
	guest, err := tx.Customers().Get(ctx, guestID)
	if err != nil {
		return customer.Customer{}, 0, mapCustomerErr(err)
	}
	owner, err := liveCustomer(ctx, tx, customerID)
	if err != nil {
		return customer.Customer{}, 0, err
	}
	switch {
	case guest.HasAccount || guest.State != customer.StateGuest:
		return customer.Customer{}, 0, &customer.ValidationError{Field: "guest_id", Reason: "is not a guest customer", Err: customer.ErrInvalid}
	case !owner.HasAccount:
		return customer.Customer{}, 0, &customer.ValidationError{Field: "customer_id", Reason: "is not a registered customer", Err: customer.ErrInvalid}
	case sameEmail && guest.Email.Address != owner.Email.Address:
		return customer.Customer{}, 0, &customer.ValidationError{Field: "email", Reason: "the guest's email differs from the customer's", Err: customer.ErrInvalid}
	}
	// Read the whole history first: moving orders changes the pages.
	var ids []string
	p := page.Request{Limit: page.MaxLimit}
	for {
		page, err := tx.Orders().List(ctx, guestID, p)
		if err != nil {
			return customer.Customer{}, 0, err
		}
		for _, o := range page.Items {
			ids = append(ids, o.ID)
		}
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	now := s.clock()
	counted := 0
	for _, id := range ids {
		// The adapter checks, under its lock, that the owner is still
		// live (storage.ErrCustomerNotLive otherwise).
		var before order.Order
		moved, err := tx.Orders().Update(ctx, id, func(o *order.Order) error {
			before = o.Clone()
			return o.Reassign(customerID, now)
		})
		if err != nil {
			return customer.Customer{}, 0, customerGone(err)
		}
		if err := s.moveStats(ctx, tx, before, moved); err != nil {
			return customer.Customer{}, 0, err
		}
		if s.counts(moved) {
			counted++
		}
	}
	if len(ids) == 0 && proof.Proof == "staff" {
		return owner, 0, nil
	}
	out := owner
	var before customer.Customer
	if len(ids) > 0 {
		out, err = tx.Customers().Update(ctx, customerID, func(c *customer.Customer) error {
			if c.IsDeleted() {
				return deletedErr(c.ID)
			}
			before = c.Clone()
			for range counted {
				c.RecordOrder(now)
			}
			return nil
		})
		if err != nil {
			return customer.Customer{}, 0, mapCustomerErr(err)
		}
	}
	proof.CustomerID, proof.GuestID, proof.Orders = customerID, guestID, len(ids)
	if err := s.emitOne(ctx, tx, event.CustomerGuestOrdersClaimed, event.AggregateCustomer, customerID.String(),
		customerID, out.Version, proof); err != nil {
		return customer.Customer{}, 0, err
	}
	if len(ids) == 0 {
		return out, 0, nil
	}
	return out, len(ids), s.emitStatusChange(ctx, tx, before, out)
}

// RequestClaim is the customer path of a guest-order claim, step one: the
// signed-in registered customer asks for the orders they placed as a
// guest with guestEmail (their own address or another one they used). It
// issues a claim token bound to the customer and to that guest, to be
// mailed to guestEmail (Issued.Email; valid 24 hours by default, revoking
// the customer's older claim tokens); AcceptClaim redeems it. Nothing moves
// until then, and never by email alone.
//
// The answer looks the same whether or not a live guest has the address
// (a decoy token that was never stored, as for RequestPasswordReset), so
// that nobody learns who checked out as a guest. Errors:
// customer.ErrNotFound when customerID is not a live registered customer;
// credential.ErrInvalidCredentials when its account is invited or
// disabled (it cannot sign in, and asks for nothing); a
// *customer.ValidationError for a malformed address.
func (s *Orders) RequestClaim(ctx context.Context, customerID uuid.UUID, guestEmail string) (Issued, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return Issued{}, err
	}
	addr, err := customer.ParseEmail(guestEmail)
	if err != nil {
		return Issued{}, err
	}
	if _, err := activeAccount(ctx, s.store, customerID); err != nil {
		return Issued{}, err
	}
	guest, err := s.store.Customers().GetByEmail(ctx, addr.Address, false)
	if errors.Is(err, storage.ErrNotFound) {
		s.acct.pads.wait(ctx, padClaimIssue)
		return s.decoy(credential.PurposeOrderClaim, addr.Display)
	} else if err != nil {
		return Issued{}, err
	}
	var out Issued
	err = s.acct.pads.timed(padClaimIssue, func() error {
		return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			if _, err := activeAccount(ctx, tx, customerID); err != nil {
				return err
			}
			var err error
			out, err = s.issue(ctx, tx, credential.TokenParams{Purpose: credential.PurposeOrderClaim,
				CustomerID: customerID, GuestID: guest.ID, Email: addr.Display})
			return err
		})
	})
	return out, err
}

// AcceptClaim is the customer path of a guest-order claim, step two: the
// customer who asked (customerID, the signed-in customer) redeems the
// claim token that reached the guest's address, and in one transaction
// the token is used (once), the guest's order history moves to the
// customer and the customer's order count and status are recomputed. It
// returns the customer and the number of orders moved. A token issued to
// another customer is refused (credential.ReasonCustomer) and stays
// usable for its owner. Errors: a *credential.TokenError
// (credential.ErrTokenInvalid); customer.ErrNotFound; a
// *customer.ValidationError when the guest is no longer a guest (erased).
func (s *Orders) AcceptClaim(ctx context.Context, customerID uuid.UUID, token string) (customer.Customer, int, error) {
	if err := s.precheck(ctx, token, credential.PurposeOrderClaim); err != nil {
		return customer.Customer{}, 0, err
	}
	var (
		out   customer.Customer
		moved int
	)
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		t, err := s.redeem(ctx, tx, token, credential.PurposeOrderClaim)
		if err != nil {
			return err
		}
		if t.CustomerID != customerID {
			return &credential.TokenError{Reason: credential.ReasonCustomer}
		}
		out, moved, err = s.claim(ctx, tx, t.GuestID, customerID, false, event.ClaimPayload{Proof: "token", TokenID: t.ID})
		return err
	})
	if err != nil {
		return customer.Customer{}, 0, err
	}
	return out, moved, nil
}

// Reassign moves one order to another customer, on the authority of the
// actor in ctx, which must be a named staff member, app or system
// (ErrActorRequired otherwise): the staff action for an order recorded
// under the wrong customer. It runs in one transaction: the order moves,
// the new owner's order count goes up by one and its status follows (an
// event customer.status_changed when it moves); the former owner keeps its
// count and status, which never move back (as a guest's after a claim).
// The order's total and succeeded refunds move from the former owner's
// statistics (order.Stats) to the new owner's.
// Reassigning an order to its owner changes nothing and emits nothing.
// The actor is recorded on the order.reassigned event, whose changes hold
// the former and the new customer.
//
// Errors: ErrActorRequired; order.ErrNotFound; customer.ErrNotFound when
// the new owner is not a live customer; storage.ErrTooLarge for an ID
// longer than storage.MaxKeyBytes.
func (s *Orders) Reassign(ctx context.Context, orderID string, to uuid.UUID) (order.Order, error) {
	who, ok := actor.Lookup(ctx)
	if !ok || who.Kind == actor.KindCustomer || who.ID == "" {
		return order.Order{}, ErrActorRequired
	}
	var out order.Order
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var before order.Order
		o, err := tx.Orders().Update(ctx, orderID, func(o *order.Order) error {
			before = o.Clone()
			return o.Reassign(to, s.clock())
		})
		if errors.Is(err, storage.ErrCustomerNotLive) {
			return customerGone(err)
		} else if err != nil {
			return notFound(err, order.ErrNotFound)
		}
		out = o
		if before.CustomerID == o.CustomerID {
			return nil
		}
		if err := s.moveStats(ctx, tx, before, o); err != nil {
			return err
		}
		var prev customer.Customer
		owner, err := tx.Customers().Update(ctx, to, func(c *customer.Customer) error {
			if c.IsDeleted() {
				return deletedErr(c.ID)
			}
			prev = c.Clone()
			if s.counts(o) {
				c.RecordOrder(s.clock())
			}
			return nil
		})
		if err != nil {
			return mapCustomerErr(err)
		}
		if err := s.emitOrder(ctx, tx, event.OrderReassigned, &before, o); err != nil {
			return err
		}
		return s.emitStatusChange(ctx, tx, prev, owner)
	})
	if err != nil {
		return order.Order{}, err
	}
	return out, nil
}

// Get returns an order of the history. Errors: order.ErrNotFound;
// storage.ErrTooLarge for an ID longer than storage.MaxKeyBytes.
func (s *Orders) Get(ctx context.Context, id string) (order.Order, error) {
	o, err := s.store.Orders().Get(ctx, id)
	return o, notFound(err, order.ErrNotFound)
}

// SetStatus moves a recorded order to status to (see order.Status for the
// allowed moves); setting the current status again changes nothing. By
// default the customer's status is not affected: it counts placed orders,
// and a cancelled order was placed all the same. With
// WithCancelledOrdersCount(false), cancelling takes the order back from
// the customer's count, status and statistics in the same transaction
// (order.status_changed, then customer.status_changed when the status
// moves back). Errors: order.ErrNotFound,
// order.ErrInvalidTransition, *order.ValidationError; storage.ErrTooLarge
// for an ID longer than storage.MaxKeyBytes.
func (s *Orders) SetStatus(ctx context.Context, id string, to order.Status) (order.Order, error) {
	var out order.Order
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var before order.Order
		o, err := tx.Orders().Update(ctx, id, func(o *order.Order) error {
			before = o.Clone()
			return o.SetStatus(to, s.clock())
		})
		if err != nil {
			return notFound(err, order.ErrNotFound)
		}
		out = o
		if before.Status == o.Status {
			return nil
		}
		if o.Status == order.StatusCancelled {
			// A company order's spend goes back to the buyer's period.
			if err := s.release(ctx, tx, o.ID); err != nil {
				return err
			}
		}
		if s.counts(before) && !s.counts(o) {
			// Cancelled, and cancelled orders do not count
			// (WithCancelledOrdersCount(false)).
			if err := s.uncountStats(ctx, tx, before); err != nil {
				return err
			}
			if err := s.emitOrder(ctx, tx, event.OrderStatusChanged, &before, o); err != nil {
				return err
			}
			return s.uncountCustomer(ctx, tx, o.CustomerID)
		}
		return s.emitOrder(ctx, tx, event.OrderStatusChanged, &before, o)
	})
	if err != nil {
		return order.Order{}, err
	}
	return out, nil
}

// History returns a page of the customer's orders ordered by (PlacedAt, ID),
// oldest first. Errors: customer.ErrNotFound, page.ErrInvalidCursor.
func (s *Orders) History(ctx context.Context, customerID uuid.UUID, p page.Request) (page.Page[order.Order], error) {
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return page.Page[order.Order]{}, err
	}
	return s.store.Orders().List(ctx, customerID, p)
}

// emitOrder emits an order event with o as it is now and, when before is
// given, the fields that changed.
func (e *env) emitOrder(ctx context.Context, r storage.Repositories, t event.Type, before *order.Order, o order.Order) error {
	p := event.OrderPayload{Order: o}
	if before != nil {
		p.Changes = diff(*before, o)
	}
	return e.emitOne(ctx, r, t, event.AggregateOrder, o.ID, o.CustomerID, 0, p)
}

// emitStatusChange emits customer.status_changed when the customer's
// lifecycle status differs between before and after.
func (e *env) emitStatusChange(ctx context.Context, r storage.Repositories, before, after customer.Customer) error {
	if before.Status == after.Status {
		return nil
	}
	ev, err := statusChangeEvent(before, after)
	if err != nil {
		return err
	}
	return e.emit(ctx, r, ev)
}

// statusChangeEvent is the customer.status_changed event of a status that
// moved from before to after.
func statusChangeEvent(before, after customer.Customer) (event.Event, error) {
	return newEvent(event.CustomerStatusChanged, event.AggregateCustomer, after.ID.String(), after.ID, after.Version,
		event.CustomerPayload{Customer: after, Changes: []event.Change{statusChange(before, after)}})
}

// statusChange is the change of the customer's status alone (the other
// fields an order moves, such as order_count, are the order's news).
func statusChange(before, after customer.Customer) event.Change {
	for _, c := range diff(before, after) {
		if c.Field == "status" {
			return c
		}
	}
	return event.Change{Field: "status"}
}

// moveStats moves a reassigned order's figures (its total and succeeded
// refunds) from its former owner's statistics (before) to its new owner's
// (after).
func (e *env) moveStats(ctx context.Context, tx storage.Tx, before, after order.Order) error {
	if before.CustomerID == after.CustomerID {
		return nil
	}
	if err := e.uncountStats(ctx, tx, before); err != nil {
		return err
	}
	return e.countStats(ctx, tx, after, true)
}
