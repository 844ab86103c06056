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
// # Returns, exchanges, refunds and statistics
//
// An order may carry the host's returns ([Return]), exchanges or
// replacements ([Exchange], a claim on the order's goods) and refunds
// ([Refund]), each with the host's ID (unique within the order), an amount
// in the order's currency (at most its total), a reason and a status.
// Returns and exchanges move requested → received → completed, or to
// cancelled ([RequestStatus]); refunds are pending, succeeded (the default
// when recorded) or failed ([RefundStatus]). The pending and succeeded
// refunds of an order never exceed its total ([ErrRefundExceedsTotal], a
// rule the services check under the order's lock); a refund's
// [Destination] says where the money went, and a succeeded refund to
// store credit is credited to the customer's balance by the services,
// which keep the posting's ID on the refund. Recording a detail again is
// a replay when SameAs holds ([ErrDetailChanged] otherwise), and moves its
// status when the replay carries another one.
//
// [Stats] are a customer's figures in one currency: counted orders, Spent
// (gross), Refunded (succeeded refunds of counted orders, kept apart),
// Net, the first and last order time and AverageOrderValue (rounded half
// away from zero to the currency's minor units). [StatsFilter] selects
// customers by them ("spent more than 500 EUR").
//
// The package is pure: no I/O, no clock, no ID generation. Validation errors
// are *[ValidationError] values naming the field and unwrapping to
// [ErrInvalid].
package order
