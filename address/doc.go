// Package address holds postal addresses and the address book each customer
// keeps.
//
// An [Address] is a plain value. [Parse] normalizes one (trims spaces, applies
// Unicode NFC, upper-cases the country code and formats the phone number as
// E.164) and validates it; [Address.Validate] checks a value that is already
// normalized, returning a *[ValidationError] that names the offending field
// ("country", "line1", "phone") and unwraps to [ErrInvalid].
//
// Countries are ISO 3166-1 alpha-2 codes checked with golang.org/x/text/language:
// the code must be two letters that the language package knows as a country
// (so macro-regions such as "EU" or "419", unknown and private-use codes such
// as "ZZ" or "XX", alpha-3 codes and numeric codes are rejected). Codes that
// ISO 3166-1 only reserves (the exceptionally reserved "UK", "AC", "CP", "DG",
// "EA", "IC", "TA", "UN", "EZ" and withdrawn ones such as "AN", "CS", "SU",
// "YU", "DD") are rejected as well. "XK" (Kosovo) is accepted: it is a
// user-assigned code, but the one CLDR, carriers and payment providers use.
//
// A [Patch] changes some fields of an address: a nil field leaves the value
// unchanged (it is never cleared by omission) and a pointer to "" clears an
// optional field.
//
// A [Book] is a customer's address book. It keeps its entries ordered by
// (CreatedAt, ID) and holds at most [MaxEntries] of them. A non-empty book
// always has exactly one default shipping and exactly one default billing
// address (they may be the same entry):
//
//   - the first entry added becomes both defaults;
//   - [Book.SetDefault] moves a default to another entry, clearing it on the
//     previous one;
//   - when [Book.Remove] removes a default entry, the oldest remaining entry,
//     by CreatedAt and then by the bytes of its ID, becomes that default;
//     removing the last entry leaves a book without defaults.
//
// Every Book method leaves the book unchanged when it returns an error, and
// never writes to the backing array of the previous Entries slice, so a copy
// of a Book taken before a call is not affected by it.
//
// In JSON, an Address, an Entry (with the address's fields inline) and a
// Book use snake_case names, the ones [ValidationError] reports ("line1",
// "postal_code", "country"), with times in UTC; decoding an Address neither
// normalizes nor validates it ([Parse] does). A [Kind] is "shipping" or
// "billing"; [ParseKind] trims and folds case, as every enum does.
package address
