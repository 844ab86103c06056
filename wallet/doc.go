// Package wallet holds a customer's saved payment sources: references to
// tokens a payment service provider keeps (a Stripe payment method, a SEPA
// mandate, a PayPal billing agreement...), never card numbers or CVCs.
//
// A [Source] names its provider, the provider's token reference, a [Type],
// and what a customer needs to recognise it: the brand, the last four
// digits, the expiry month and year, a billing address. [Params] are what a
// host sends to add one; [Patch] changes the fields that may change (the
// expiry a card updater moves, the billing address, the metadata). The
// provider and the token reference never change: a new token is a new
// source.
//
// # No card numbers
//
// Validation refuses anything that looks like a full card number (a PAN):
// [LooksLikeCardNumber] reports a run of 12 to 19 digits, optionally
// grouped by single spaces or dashes, that passes the Luhn check. The
// provider, the brand, the last four digits, every metadata value and every
// free-text field of the billing address (not its phone number, whose
// digits may pass the check by chance) containing such a run
// ([ContainsCardNumber]) is refused with a *[ValidationError] naming the
// field; so is a token reference that is a card number or holds 12 to 19
// adjacent digits passing the check (its dash-separated groups are not
// joined: a UUID's may pass by chance). The error never repeats the value.
//
// # The default source
//
// A [Wallet] holds at most [MaxSources] sources ordered by (CreatedAt, ID)
// and, when not empty, exactly one default:
//
//   - the first source added becomes the default;
//   - [Wallet.SetDefault] moves the default to another source;
//   - when [Wallet.Remove] removes the default, the most recently added
//     source that has not expired at the time of the removal becomes the
//     default; when every remaining source has expired, the most recently
//     added one does. Removing the last source leaves no default.
//
// Every Wallet method leaves the wallet unchanged when it returns an error,
// and never writes to the backing array of the previous Sources slice.
//
// # Expiry
//
// A source with an expiry (every card has one) expires after the last day
// of its expiry month, in UTC: a card marked 03/2027 is valid through
// 2027-03-31T23:59:59.999999Z ([Source.Expired]). Expired sources stay in
// the wallet until removed; [Wallet.Expired] lists them.
//
// In JSON, sources and wallets use snake_case names equal to the fields
// [ValidationError] reports ("token_ref", "last4", "exp_month",
// "billing_address.line1"); a [Type] is "card", "sepa_debit", "paypal",
// "bank_account" or "other".
//
// The package is pure: it reads no clock; every change takes the time.
package wallet
