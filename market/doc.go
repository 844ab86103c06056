// Package market holds markets: the storefronts of a merchant, each with a
// business model, a currency, references to the host's price list and
// inventory model, and optionally a list of customer groups it is restricted
// to.
//
// A market's Code is its unique, stable key (used in URLs and
// configuration): [NormalizeCode] trims it and lower-cases ASCII letters, and
// a valid code has 1 to 64 characters from a-z, 0-9, '-' and '_'. Non-ASCII
// input is rejected rather than mapped, so that look-alikes such as the
// KELVIN SIGN never normalize onto an existing code. The code cannot be
// changed after creation.
//
// # Access
//
// [Market.Access] decides who may buy in a market:
//
//   - a disabled market admits nobody ([ErrDisabled]);
//   - a public market (no access groups) admits everyone, including
//     anonymous visitors (a nil customer) and guests;
//   - a private market admits only a registered (HasAccount), active
//     (customer.StateActive), not deleted customer ([ErrPrivate] otherwise)
//     who belongs to at least one of its access groups ([ErrNotMember]
//     otherwise).
//
// Every denial satisfies errors.Is(err, [ErrAccessDenied]). Storage refuses
// to delete a group that a market restricts access to (group.ErrInUse).
//
// A Market, its Params and Patch marshal to JSON with snake_case names, the
// ones [ValidationError] reports, the currency as its ISO 4217 code and the
// business model as "b2c" or "b2b" ([ParseBusinessModel] trims and folds
// case, as every enum does), and times in UTC.
package market
