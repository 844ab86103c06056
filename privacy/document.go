package privacy

import (
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

// Version is the version of the Document's shape: a change that a reader
// of an older document would misread gets a new version.
const Version = 1

// Document is everything a store knows about one customer, as one JSON
// document (the answer to a data-subject access request). Sections of
// capabilities the store lacks are absent (omitted from the JSON); a
// section the store has but that holds nothing is an empty list. See
// docs/PRIVACY.md for the field table.
//
// It never holds a password hash, a token or its hash: Identities says
// whether a password is set and when.
type Document struct {
	// Version is the document's shape, Version (1).
	Version int `json:"version"`
	// ExportedAt is when the export read the store (UTC).
	ExportedAt time.Time `json:"exported_at"`
	// Profile is the customer record (customer.Customer's JSON form).
	Profile customer.Customer `json:"profile"`
	// Addresses is the address book, default entries marked.
	Addresses []address.Entry `json:"addresses"`
	// Groups are the groups the customer belongs to, by name.
	Groups []group.Group `json:"groups"`
	// Orders are the customer's orders, newest first, each with its
	// returns, exchanges and refunds.
	Orders []Order `json:"orders"`
	// Balances are the customer's store-credit accounts with every
	// posting, oldest first.
	Balances []Balance `json:"balances"`
	// PaymentSources are the saved payment-source references (wallet):
	// the provider's token reference, brand, last four digits, expiry and
	// billing address; never a card number.
	PaymentSources []wallet.Source `json:"payment_sources,omitempty"`
	// Subscriptions are the references to the host's subscriptions.
	Subscriptions []subscription.Subscription `json:"subscriptions,omitempty"`
	// Identities says how the customer signs in; nil when the store keeps
	// no credentials or the customer has none.
	Identities *Identities `json:"identities,omitempty"`
	// Companies are the customer's company memberships (role, limits).
	Companies []company.Member `json:"companies,omitempty"`
	// Marketplace is the customer's marketplace roles; nil without the
	// capability.
	Marketplace *Marketplace `json:"marketplace,omitempty"`
	// Verification is the customer's identity verification (KYC) and its
	// history; nil when none was ever recorded or without the capability.
	Verification *Verification `json:"verification,omitempty"`
	// Merges are the tombstones of the customers merged into this one
	// (each names the merged customer's former email and reference until
	// an erasure scrubs them).
	Merges []customer.Tombstone `json:"merges,omitempty"`
	// Audit is the customer's audit trail, newest first, with personal
	// values unmasked (it is the subject's own data).
	Audit []event.AuditEntry `json:"audit,omitempty"`
	// Erasures are the records of the customer's erasure (at most one).
	Erasures []Erasure `json:"erasures,omitempty"`
	// Consents is the customer's consent history, oldest first (after an
	// erasure, without IP addresses, user agents and notes); nil without
	// the capability.
	Consents []consent.Record `json:"consents,omitempty"`
}

// Order is one order of the customer with its details.
type Order struct {
	// Order is the order history's record (ID, number, status, total...).
	Order order.Order `json:"order"`
	// Returns, Exchanges and Refunds are the order's details, each
	// ordered by when it was recorded; absent without the capability.
	Returns   []order.Return   `json:"returns,omitempty"`
	Exchanges []order.Exchange `json:"exchanges,omitempty"`
	Refunds   []order.Refund   `json:"refunds,omitempty"`
}

// Balance is one store-credit account with its postings.
type Balance struct {
	// Account is the account (currency, balance, credit limit).
	Account balance.Account `json:"account"`
	// Postings is the account's ledger, oldest first.
	Postings []balance.Posting `json:"postings"`
}

// Identities is how the customer signs in, without any secret.
type Identities struct {
	// HasPassword reports whether a password hash is stored (never the
	// hash); PasswordSetAt when it was set.
	HasPassword   bool       `json:"has_password"`
	PasswordSetAt *time.Time `json:"password_set_at,omitempty"`
	// VerifiedEmail is the address the customer proved to own, and
	// EmailVerifiedAt when.
	VerifiedEmail   string     `json:"verified_email,omitempty"`
	EmailVerifiedAt *time.Time `json:"email_verified_at,omitempty"`
	// LastLoginAt is the last successful sign-in.
	LastLoginAt *time.Time `json:"last_login_at,omitempty"`
	// Linked are the external identities (provider and subject).
	Linked []credential.Identity `json:"linked"`
}

// Marketplace is the customer's marketplace roles.
type Marketplace struct {
	// Memberships are the merchants the customer is a member of, with
	// the role.
	Memberships []merchant.Member `json:"memberships"`
	// Relations are the vendors (merchants) the customer is a customer
	// of.
	Relations []merchant.CustomerRelation `json:"relations"`
	// Operator is the customer's operator grant, nil for none.
	Operator *operator.Staff `json:"operator,omitempty"`
}

// Verification is the customer's identity verification.
type Verification struct {
	// Current is the verification as it is now.
	Current verification.Verification `json:"current"`
	// History is every review, oldest first.
	History []verification.Review `json:"history"`
}

// Subject returns the ID of the customer the document describes.
func (d Document) Subject() uuid.UUID { return d.Profile.ID }
