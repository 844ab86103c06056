// Package subscription holds references to a host's subscriptions: the
// host runs the billing; the library keeps, per customer, each
// subscription's ID (the host's, like an order's), plan, [Status], next
// charge time and the wallet's payment source it charges, so that a
// customer's subscriptions can be listed and a payment source a live
// subscription charges is never removed from under it.
//
// Statuses move along this table (a [TransitionError] otherwise; moving to
// the current status changes nothing):
//
//	active   -> paused, past_due, cancelled
//	paused   -> active, cancelled
//	past_due -> active, paused, cancelled
//	cancelled is final
//
// A subscription is live until it is cancelled. A customer has at most
// [MaxPerCustomer] live subscriptions.
//
// Recording is idempotent on the ID: the services replay a subscription
// recorded again with the same fields, refuse one recorded for another
// customer ([ErrSubscriptionOwned]) or with other fields
// ([ErrSubscriptionChanged]); see [Subscription.SameAs].
//
// The package is pure: it reads no clock; every change takes the time.
package subscription
