// Package credential holds the ways a customer signs in, as an aggregate of
// its own beside the customer record: a password hash, the throttle of
// failed logins, the external identities (SSO, social login, magic-link
// providers) linked to the customer, the address whose ownership the
// customer proved, and a session version that moves whenever the sessions
// a host issued should end. The customer record shows only whether a
// password is set (customer.Customer.HasPassword); nothing here is ever a
// field of it.
//
// It also holds one-time tokens: password reset, account activation,
// email verification, email change and guest-order claim. A token's secret
// is 32 random bytes, shown once in base64url ([NewSecret]) and stored only
// as its SHA-256 hash ([TokenHash]); a token is bound to a purpose and a
// customer, expires, and is redeemed at most once ([Token.Redeem]).
//
// The package is pure: it hashes nothing with a password (package password
// does), reads no clock and no random source of its own; every change
// takes the time, and NewSecret takes the random source.
package credential
