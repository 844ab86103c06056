package event

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

// Change is one field's value before and after a change, as JSON. Field is
// the entity's JSON name ("first_name"), or "metadata.<key>" for one
// metadata entry. Before is absent (nil) for a field that was not set,
// After for one that was cleared.
type Change struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
}

// CustomerPayload is the payload of the customer.* events but
// customer.guest_orders_claimed: the customer after the change and, for
// customer.updated and customer.status_changed, the fields that changed.
type CustomerPayload struct {
	Customer customer.Customer `json:"customer"`
	Changes  []Change          `json:"changes,omitempty"`
	// Reason is, for customer.erased, the erasure's reason (see
	// privacy.Request); the event's actor is who asked for it.
	Reason string `json:"reason,omitempty"`
}

// ClaimPayload is the payload of customer.guest_orders_claimed: the
// registered customer who claimed (the event's aggregate), the guest whose
// orders moved, and how many.
type ClaimPayload struct {
	CustomerID uuid.UUID `json:"customer_id"`
	GuestID    uuid.UUID `json:"guest_id"`
	Orders     int       `json:"orders"`
	// Proof is how the claim was allowed: "token" (the customer redeemed
	// a claim token sent to the guest's address; TokenID names it) or
	// "staff" (the event's actor moved the orders).
	Proof   string    `json:"proof"`
	TokenID uuid.UUID `json:"token_id,omitzero"`
}

// MergePayload is the payload of customer.merged: the tombstone (which
// names both customers) and what moved to the survivor.
type MergePayload struct {
	Tombstone customer.Tombstone `json:"tombstone"`
	// Orders, Addresses, Groups and Identities count what moved;
	// DroppedAddresses the entries dropped as duplicates of the
	// survivor's.
	Orders           int `json:"orders"`
	Addresses        int `json:"addresses"`
	DroppedAddresses int `json:"dropped_addresses"`
	Groups           int `json:"groups"`
	Identities       int `json:"identities"`
	PaymentSources   int `json:"payment_sources"`
	Subscriptions    int `json:"subscriptions"`
	// Roles counts the marketplace roles that moved (memberships, vendor
	// relations, the operator grant).
	Roles int `json:"roles,omitempty"`
	// Companies counts the company memberships that moved.
	Companies int `json:"companies,omitempty"`
	// Consents counts the consent records that moved (re-pointed, so the
	// survivor's history holds both).
	Consents int `json:"consents,omitempty"`
	// Transfers are the survivor's side of the balance transfers, one per
	// currency, or per live credit lot where credit expires (the merged
	// side's postings have events of their own).
	Transfers []balance.Posting `json:"transfers,omitempty"`
}

// AddressPayload is the payload of the address.* events: the entry after
// the change (as it was, for address.removed), the fields that changed (for
// address.updated), and the kind of default that moved to it (for
// address.default_changed: "shipping" or "billing").
type AddressPayload struct {
	Entry   address.Entry `json:"entry"`
	Changes []Change      `json:"changes,omitempty"`
	Kind    string        `json:"kind,omitempty"`
}

// GroupPayload is the payload of group.created, renamed, updated and
// deleted: the group after the change (as it was, for group.deleted) and
// the fields that changed.
type GroupPayload struct {
	Group   group.Group `json:"group"`
	Changes []Change    `json:"changes,omitempty"`
}

// SegmentPayload is the payload of the segment.* events.
type SegmentPayload struct {
	Segment segment.Segment `json:"segment"`
	Changes []Change        `json:"changes,omitempty"`
	// GroupID and Members are set on segment.frozen: the new group and how
	// many members it received.
	GroupID uuid.UUID `json:"group_id,omitzero"`
	Members int64     `json:"members,omitempty"`
}

// RefsPayload is the payload of group.refs_changed and
// segment.refs_changed (whose aggregate is the group or the segment): the
// references now and before.
type RefsPayload struct {
	ID     uuid.UUID    `json:"id"`
	Refs   pricing.Refs `json:"refs"`
	Before pricing.Refs `json:"before"`
}

// MemberPayload is the payload of group.member_added,
// group.member_removed and group.member_validity_changed (whose aggregate
// is the group).
type MemberPayload struct {
	GroupID    uuid.UUID `json:"group_id"`
	CustomerID uuid.UUID `json:"customer_id"`
	// Validity is the membership's window on group.member_added and
	// group.member_validity_changed (left out when it has none).
	Validity group.Validity `json:"validity,omitzero"`
	// Before is the window a group.member_validity_changed replaced.
	Before *group.Validity `json:"before,omitempty"`
}

// MerchantPayload is the payload of the merchant.* events.
type MerchantPayload struct {
	Merchant merchant.Merchant `json:"merchant"`
	Changes  []Change          `json:"changes,omitempty"`
}

// MarketPayload is the payload of the market.* events.
type MarketPayload struct {
	Market  market.Market `json:"market"`
	Changes []Change      `json:"changes,omitempty"`
}

// AccountPayload is the payload of balance.account_opened and
// balance.credit_limit_set: the account after the change.
type AccountPayload struct {
	Account balance.Account `json:"account"`
	Changes []Change        `json:"changes,omitempty"`
}

// PostingPayload is the payload of balance.credited, balance.debited and
// balance.order_paid: the posting, with the account's ending balance.
type PostingPayload struct {
	Posting balance.Posting `json:"posting"`
}

// OrderPayload is the payload of order.recorded and order.status_changed.
type OrderPayload struct {
	Order   order.Order `json:"order"`
	Changes []Change    `json:"changes,omitempty"`
}

// OrderDetailPayload is the payload of the order.return_*,
// order.exchange_* and order.refund_* events: the detail as it is now (one
// of Return, Exchange and Refund is set) and, for an update, the fields
// that changed.
type OrderDetailPayload struct {
	Return   *order.Return   `json:"return,omitempty"`
	Exchange *order.Exchange `json:"exchange,omitempty"`
	Refund   *order.Refund   `json:"refund,omitempty"`
	Changes  []Change        `json:"changes,omitempty"`
}

// PasswordPayload is the payload of account.password_set,
// account.password_changed and account.password_reset. Method says how a
// password was set ("register", "staff", "import", "activation", "change",
// "reset"); SessionVersion is the credentials' session version after the
// change (a host ends sessions that carry an older one); TokensRevoked
// counts the tokens a reset revoked.
type PasswordPayload struct {
	CustomerID     uuid.UUID `json:"customer_id"`
	Method         string    `json:"method"`
	SessionVersion int64     `json:"session_version"`
	TokensRevoked  int       `json:"tokens_revoked,omitempty"`
}

// LoginPayload is the payload of account.login_succeeded and
// account.login_failed. Method is "password" or "identity" (then Provider
// names the provider); Rehashed reports that a successful sign-in replaced
// the stored hash by one with the current parameters; FailedLogins and
// LockedUntil are the counter and backoff after a failure.
type LoginPayload struct {
	CustomerID   uuid.UUID  `json:"customer_id"`
	Method       string     `json:"method"`
	Provider     string     `json:"provider,omitempty"`
	Rehashed     bool       `json:"rehashed,omitempty"`
	FailedLogins int        `json:"failed_logins,omitempty"`
	LockedUntil  *time.Time `json:"locked_until,omitempty"`
}

// TokenPayload is the payload of account.token_issued: the token without
// its hash or secret (its ID, purpose, customer, recipient address,
// guest for a claim, and expiry).
type TokenPayload struct {
	Token credential.Token `json:"token"`
}

// VerificationPayload is the payload of account.email_verified.
type VerificationPayload struct {
	CustomerID uuid.UUID `json:"customer_id"`
	Email      string    `json:"email"`
}

// IdentityPayload is the payload of account.identity_linked and
// account.identity_unlinked.
type IdentityPayload struct {
	Identity credential.Identity `json:"identity"`
}

// PaymentSourcePayload is the payload of the wallet.* events: the source
// after the change (as it was, for wallet.source_removed; the new default,
// for wallet.default_changed) and, for wallet.source_updated, the fields
// that changed.
type PaymentSourcePayload struct {
	Source  wallet.Source `json:"source"`
	Changes []Change      `json:"changes,omitempty"`
}

// SubscriptionPayload is the payload of the subscription.* events.
type SubscriptionPayload struct {
	Subscription subscription.Subscription `json:"subscription"`
	Changes      []Change                  `json:"changes,omitempty"`
}

// CompanyPayload is the payload of company.created and company.updated.
type CompanyPayload struct {
	Company company.Company `json:"company"`
	Changes []Change        `json:"changes,omitempty"`
}

// CompanyMemberPayload is the payload of the company.member_* events.
type CompanyMemberPayload struct {
	Member  company.Member `json:"member"`
	Changes []Change       `json:"changes,omitempty"`
}

// CompanyOrderPayload is the payload of company.order_decided: the order,
// the amount reserved of the member's period spend and the decision.
type CompanyOrderPayload struct {
	CompanyID uuid.UUID        `json:"company_id"`
	OrderID   string           `json:"order_id"`
	BuyerID   uuid.UUID        `json:"buyer_id"`
	Amount    balance.Money    `json:"amount"`
	Decision  company.Decision `json:"decision"`
}

// CompanyApprovalPayload is the payload of the company.approval_* events.
type CompanyApprovalPayload struct {
	Approval company.Approval `json:"approval"`
}

// CompanyReservationPayload is the payload of
// company.reservation_released.
type CompanyReservationPayload struct {
	Reservation company.Reservation `json:"reservation"`
}

// KYCPayload is the payload of verification.submitted, .approved and
// .rejected: the subject's verification after the change and the review
// appended to its history.
type KYCPayload struct {
	Verification verification.Verification `json:"verification"`
	Review       verification.Review       `json:"review"`
}

// RiskFlagsPayload is the payload of verification.risk_flags_changed: the
// verification after the change and the flags set and cleared.
type RiskFlagsPayload struct {
	Verification verification.Verification `json:"verification"`
	Set          []string                  `json:"set,omitempty"`
	Cleared      []string                  `json:"cleared,omitempty"`
}

// MerchantMemberPayload is the payload of the merchant.member_* events:
// the membership after the change (as it was, for
// merchant.member_removed) and, for merchant.member_updated, the fields
// that changed.
type MerchantMemberPayload struct {
	Member  merchant.Member `json:"member"`
	Changes []Change        `json:"changes,omitempty"`
}

// OperatorPayload is the payload of operator.granted and operator.revoked.
type OperatorPayload struct {
	Staff   operator.Staff `json:"staff"`
	Changes []Change       `json:"changes,omitempty"`
}

// VendorCustomerPayload is the payload of vendor.customer_related.
type VendorCustomerPayload struct {
	Relation merchant.CustomerRelation `json:"relation"`
}
