// Package customer is the customer entity of clientele: who buys, how to
// reach them, where their account stands and how far they have come as a
// buyer. It is pure domain code: no I/O, no clock and no ID generator (the
// caller passes the ID and the time), and it never panics on bad input.
//
// # The entity
//
// A Customer is created with NewGuest (checkout without an account),
// NewRegistered (an active account) or NewInvited (an account created for
// the customer, to be activated later). Every constructor and every change
// leaves the value valid, which Customer.Validate checks as a whole; storage
// adapters call it as a guard. Validation errors are *ValidationError with
// the snake_case field name and unwrap to ErrInvalid. A Patch applied with
// Customer.Apply changes several fields at once, all or nothing.
//
// Uniqueness (one live registered and one live guest customer per canonical
// email, one live customer per reference and origin) needs storage, so it is
// enforced there; this package only provides the keys and the sentinel
// errors ErrEmailTaken and ErrReferenceTaken.
//
// # Email
//
// ParseEmail turns what a customer typed into an Email with two spellings:
// Address, the canonical form used for uniqueness and lookups, and Display,
// the customer's own spelling. Canonicalization trims, applies NFC, removes
// invisible format characters (zero-width space and joiners, BOM, soft
// hyphen), lower-cases the local part, converts the domain to an IDNA
// A-label and lower-cases it:
//
//	"  Bob.Smith@Example.COM " → "bob.smith@example.com"
//	"b\u200bob@example.com"    → "bob@example.com"
//	"anna@Bücher.de"           → "anna@xn--bcher-kva.de"
//
// Only bare addresses are accepted: no display names, comments, quoted local
// parts, IP literals or single-label domains; the local part is at most 64
// bytes and the canonical address at most 254. Internationalized local parts
// (RFC 6531) are accepted when they consist of letters, digits and marks.
// Canonicalization is idempotent: the canonical form canonicalizes to itself.
// See ParseEmail for the complete rules.
//
// # Status and State: two different things
//
// A customer has both, and they never affect each other:
//
//	Status  the purchase lifecycle  prospect, acquired, repeat                derived from placed orders
//	State   the account             guest, invited, active, disabled, erased  changed by explicit actions
//
// # Status: the purchase lifecycle
//
// Status is derived from placed orders, recorded with Customer.RecordOrder,
// and only moves forward: prospect (no order) → acquired (one order) →
// repeat (two or more).
//
// # State: the account
//
// State moves only along this table (State.CanTransition, or
// CanTransition(from, to) for either machine):
//
//	guest    → erased
//	invited  → active, disabled, erased
//	active   → disabled, erased
//	disabled → active, erased
//	erased   → (final)
//
// Any other move returns a *TransitionError, for which
// errors.Is(err, ErrInvalidTransition) holds. A guest never becomes
// registered: registering creates a new record that can claim the guest's
// orders. Customer.Erase scrubs personal data (GDPR erasure) and replaces the
// email with the undeliverable placeholder ErasedEmail(id); see its doc for
// exactly what is kept.
//
// # Type
//
// A customer is TypePrivate or TypeBusiness. Business customers see prices
// excluding VAT (Customer.PricesExcludeVAT) and only they may have a VAT ID.
//
// # Enums
//
// The zero values of Status, State and Type are invalid, so a half-built
// Customer never passes Validate. Each enum's text form (and so its JSON)
// is its canonical lower-case String; ParseStatus, ParseState and ParseType,
// and therefore decoding, trim surrounding white space and fold case, as
// every enum of the domain packages does.
//
// # JSON
//
// Customer, Params and Patch use snake_case names, the ones
// ValidationError.Field reports ("email", "first_name", "vat_id"), with
// UUIDs as strings, times in UTC (RFC 3339) and metadata as an object. An
// Email is the string the customer typed; decoding it runs ParseEmail, so
// an invalid address is a *ValidationError{Field: "email"}. Decoding a
// Customer checks each value but not the whole: call Validate for that. In
// a Patch, an absent member leaves the field as it is and "" clears it.
package customer
