// Package company holds B2B company accounts: a [Company] (a business
// customer's organisation, with its billing and shipping addresses,
// payment terms, credit limit, price list, time zone and the email domains
// whose verified owners may join it on their own), its [Member]s (registered
// customers with a [Role] and optional spending [Limits]), and the
// [Approval]s of orders a buyer placed over a limit.
//
// # Deciding an order
//
// [Decide] is pure: given a member, what the member has spent in the
// current period and the order's amount, it returns a [Decision]:
//
//   - the order is Denied for invalid input (a negative amount, a currency
//     other than the company's) and when it exceeds the company's credit
//     available, if known ([Decide]'s optional argument);
//   - otherwise it NeedsApproval when the amount is over the member's
//     PerOrder limit, or when spent + amount is over the member's period
//     limit; the limits apply to every role (an admin with limits needs
//     another admin's or an approver's approval like a buyer);
//   - otherwise, and always for a member without limits, it is Allowed.
//
// Spending is counted in periods (day, week, month, year) that start at
// midnight in the company's time zone ([PeriodWindow]; ISO weeks start on
// Monday), so that a limit per day means the company's day, across
// daylight-saving changes.
//
// # Approvals
//
// An [Approval] moves only from pending to approved or rejected. An
// approver may approve an order only within their own PerOrder limit (an
// approver or admin without a PerOrder limit may approve any amount), and
// nobody approves their own order ([CanApprove]).
//
// # Credit on account
//
// The credit limit is not kept here as a running total: the company's
// ledger is the store-credit account (package balance) of a business
// "billing customer" that the service creates with the company, whose
// CreditLimit is the company's. Paying on account debits that account, and
// the ledger's floor (Balance >= -CreditLimit) is the limit. The company
// stores the billing customer's ID (BillingCustomerID).
package company
