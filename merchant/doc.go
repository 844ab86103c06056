// Package merchant holds the merchant: the seller that owns markets and is
// billed at its billing address.
//
// [New] normalizes and validates its input; errors are *[ValidationError]
// values that unwrap to [ErrInvalid]. Errors about the billing address carry
// the field path "billing_address.<field>" ("billing_address.country") and
// unwrap to both [ErrInvalid] and address.ErrInvalid. A [Patch] changes only
// the fields it sets; its BillingAddress is an address.Patch, so updating the
// city leaves the rest of the address as it was.
//
// Storage refuses to delete a merchant that still owns markets with
// [ErrHasMarkets].
//
// Marketplace roles: a registered customer may be a [Member] of a merchant
// with a [Role] (owner, admin or staff), and one of a vendor's own
// customers ([CustomerRelation], with its [Source]). A merchant keeps at
// least one owner ([ErrLastOwner], enforced by storage under the
// merchant's lock). The operator's own staff are in package operator.
//
// A Merchant, its Params and Patch marshal to JSON with snake_case names, the
// ones [ValidationError] reports ("billing_address.country"), and times in
// UTC.
package merchant
