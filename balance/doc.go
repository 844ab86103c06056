// Package balance holds money and store credit: exact amounts in ISO 4217
// currencies, and per-customer credit accounts kept as append-only ledgers.
//
// # Money
//
// A Currency is an ISO 4217 code with its number of minor-unit digits, taken
// from github.com/bojanz/currency, which tracks current CLDR and ISO 4217
// data: USD 2, JPY 0, BHD 3, IQD 3, CLF 4, and recent codes such as VES, MRU,
// SLE, VED and ZWG. (golang.org/x/text/currency carries CLDR tables too old
// to know those codes, even in its newest release, so it was not used.)
// ParseCurrency rejects unknown and retired codes (DEM, HRK) and the ISO
// units that are not money: XXX, XTS, the precious metals (XAU, XAG, XPT,
// XPD), the bond-market units (XBA..XBD), XDR, XSU and XUA.
//
// A Money is a count of minor units in an int64 plus its Currency. Because
// SQL adapters store amounts as BIGINT minor units, every constructor
// (NewMoney, ParseMoney, NewMoneyFromMinorUnits) guarantees the count fits in
// [-math.MaxInt64, math.MaxInt64] and reports ErrOverflow otherwise; Add and
// Sub report ErrOverflow instead of wrapping around. An amount with more
// fraction digits than its currency has (1.505 USD, 1.5 JPY) is rejected,
// never rounded. Arithmetic is integer arithmetic with explicit overflow
// checks: the package never reads or changes the decimal package's global
// settings (decimal.DivisionPrecision and friends). Compare amounts with
// Equal or Cmp.
//
// Allocate splits an amount into parts proportional to integer weights that
// always sum exactly to it (largest remainder on minor units, ties to the
// lower index).
//
// # Accounts and postings
//
// An Account is a customer's store credit in one currency. Its balance
// changes only through Postings, each with a Kind (adjustment, gift_card,
// refund, order_payment, order_payment_reversal, expiry, transfer) that fixes the
// amount's sign, an optional idempotency key, and the ending balance. The
// balance may not go below the floor: zero, or minus a credit limit for
// business customers buying on account.
//
// A posting's amount is never zero but in one case: an order payment with an
// idempotency key records that an order got no store credit (the customer
// had none available), so that a replay of that request gets the same
// answer after credit arrives. It moves nothing and takes its sequence
// number like any posting.
//
// The package is pure: it performs no I/O and never reads the clock or
// generates IDs. A service creates a posting with NewPosting, and a storage
// adapter, holding its lock on the account, calls Account.Apply, which
// enforces the floor, numbers the posting and records its ending balance.
// ApplyToOrder computes how much credit covers an order total.
//
// # Lots: expiring credit
//
// A credit may carry an expiry (ExpiresAt). Every credit makes a Lot of
// what it adds beyond repaying debt; a debit takes from the live lots,
// soonest expiry first and never-expiring lots last (Consume); an expiry
// posts a KindExpiry debit of what is left of a lot, keyed
// "expiry:<lot id>" (Book.Expire). A storage adapter that keeps lots loads
// the account with its lots as a Book under the account's lock and calls
// Book.Post, which expires due lots before it applies the posting, so a
// debit never takes from an expired lot. Book.Check states the invariant:
// Balance == sum(Remaining) - Debt, and Debt > 0 only when every lot is
// empty.
//
// # JSON
//
// Money is {"amount":"12.34","currency":"EUR"}: the amount a string with
// exactly the currency's minor-unit digits (a string, so no digit is lost to
// a float), the currency its ISO 4217 code; the zero Money is null. Decoding
// validates like ParseMoney and returns a *ValidationError for an unknown or
// empty currency, a JSON number, too many fraction digits or an overflow. A
// Currency is its code as text, a Kind its name ("gift_card"); Account,
// Posting, PostingParams and Application use snake_case names, the ones
// ValidationError.Field reports, with times in UTC (RFC 3339).
//
// Errors unwrap to this package's sentinels (ErrInvalid,
// ErrCurrencyMismatch, ErrOverflow, ErrInsufficientFunds ...); validation
// errors are *ValidationError values naming the offending field.
package balance
