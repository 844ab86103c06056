// Package order keeps each customer's order history. The host application
// owns its orders (lines, payments, fulfilment); this package records, per
// customer, the facts the customer record needs: the host's order ID, the
// human order number, a coarse status, the total with its currency, the
// market and sales channel, and when the order was placed.
//
// Recording is idempotent: the host may send the same order again (a retried
// webhook, a re-run import), and [Order.SameAs] tells a replay (same ID,
// customer, number and total) from a conflict. The same order ID recorded
// for a different customer is [ErrOrderOwned], unless it is a claim, where
// the service moves a guest's orders to the registered customer with
// [Order.Reassign].
//
// # Statuses
//
// The statuses are deliberately few; they summarize the host's own state
// machine rather than replace it:
//
//	placed     the customer placed the order (every recorded order starts here by default)
//	approved   accepted for fulfilment: payment authorized or, for B2B, approved by an approver
//	fulfilled  shipped or handed over
//	completed  closed by the host; nothing more is expected to happen
//	cancelled  called off before fulfilment (terminal)
//	returned   the goods came back after fulfilment (terminal)
//
// Status only moves forward ([Status.CanTransition]): placed → approved →
// fulfilled → completed, skipping steps is allowed; placed and approved may
// become cancelled; fulfilled and completed may become returned; cancelled
// and returned are final. Setting the current status again is a no-op, so
// status updates are idempotent too; any other move is refused with a
// *[TransitionError] that unwraps to [ErrInvalidTransition].
//
// A Status's text form (and so its JSON) is its lower-case name;
// [ParseStatus], and so decoding, trims white space and folds case, as every
// enum of the domain packages does.
//
// An Order and its Params marshal to JSON with snake_case names, the ones
// [ValidationError] reports, the total as a balance.Money object
// ({"amount":"49.90","currency":"EUR"}) and times in UTC; a decoded order's
// times are in UTC, as [Order.Validate] requires.
//
// The package is pure: no I/O, no clock, no ID generation. Validation errors
// are *[ValidationError] values naming the field and unwrapping to
// [ErrInvalid].
package order
