// Package operator holds the marketplace operator's own staff: registered
// customers who work for the operator (not for a merchant) with a [Role].
//
// It is a package of its own, beside merchant, because operator staff
// belong to no merchant: a [Staff] grant is one per customer, and an
// operator admin may act on every merchant's data, which a merchant role
// never allows. Storage keeps the grants (the storage.MerchantRoles
// capability); the services grant and revoke them for staff or system
// actors only.
//
// A Role marshals to its lower-case name ("admin", "support"); Staff to
// JSON with snake_case names and times in UTC.
package operator
