package event

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
)

// Type is an event's stable dotted name: "aggregate.what_happened".
type Type string

// The event types the services emit. Each lists its aggregate and payload.
const (
	// CustomerCreated: a guest customer was created (CustomerPayload).
	CustomerCreated Type = "customer.created"
	// CustomerRegistered: a customer with an account was registered
	// (CustomerPayload).
	CustomerRegistered Type = "customer.registered"
	// CustomerInvited: a customer was invited to open an account
	// (CustomerPayload).
	CustomerInvited Type = "customer.invited"
	// CustomerActivated: an invited customer accepted (CustomerPayload).
	CustomerActivated Type = "customer.activated"
	// CustomerUpdated: profile fields changed (CustomerPayload with
	// Changes).
	CustomerUpdated Type = "customer.updated"
	// CustomerDisabled: the customer's account was disabled
	// (CustomerPayload).
	CustomerDisabled Type = "customer.disabled"
	// CustomerEnabled: a disabled account was enabled again
	// (CustomerPayload).
	CustomerEnabled Type = "customer.enabled"
	// CustomerDeleted: the customer was deleted (CustomerPayload, the
	// customer as deleted).
	CustomerDeleted Type = "customer.deleted"
	// CustomerErased: the customer's personal data was erased
	// (CustomerPayload, the erased record, with the erasure's Reason;
	// the event's actor is who erased it). It carries no personal data,
	// and the erasure scrubbed the payloads of the customer's earlier
	// events (privacy.ScrubPayload); the erasure's record is kept apart
	// (clientele.Privacy.Erasures) and outlives event pruning.
	CustomerErased Type = "customer.erased"
	// CustomerStatusChanged: the customer's lifecycle status (prospect,
	// acquired, repeat...) changed (CustomerPayload with Changes).
	CustomerStatusChanged Type = "customer.status_changed"
	// CustomerGuestOrdersClaimed: a registered customer claimed a guest's
	// orders (ClaimPayload).
	CustomerGuestOrdersClaimed Type = "customer.guest_orders_claimed"
	// CustomerMerged: the customer was merged into another one and is now
	// a tombstone (MergePayload; the event's aggregate is the merged
	// customer, and the survivor's own events, customer.updated and
	// customer.status_changed, follow in the same transaction).
	CustomerMerged Type = "customer.merged"

	// AddressAdded: an address was added to a book (AddressPayload).
	AddressAdded Type = "address.added"
	// AddressUpdated: an address changed (AddressPayload with Changes).
	AddressUpdated Type = "address.updated"
	// AddressRemoved: an address was removed (AddressPayload, the entry as
	// it was).
	AddressRemoved Type = "address.removed"
	// AddressDefaultChanged: another entry became a default address
	// (AddressPayload with Kind).
	AddressDefaultChanged Type = "address.default_changed"

	// GroupCreated: a group was created (GroupPayload).
	GroupCreated Type = "group.created"
	// GroupRenamed: a group's name changed (GroupPayload with Changes).
	GroupRenamed Type = "group.renamed"
	// GroupUpdated: a group's other fields changed (GroupPayload with
	// Changes).
	GroupUpdated Type = "group.updated"
	// GroupDeleted: a group was deleted (GroupPayload, the group as it
	// was).
	GroupDeleted Type = "group.deleted"
	// GroupMemberAdded: a customer joined a group (MemberPayload). A batch
	// emits one per customer it added.
	GroupMemberAdded Type = "group.member_added"
	// GroupMemberRemoved: a customer left a group (MemberPayload).
	GroupMemberRemoved Type = "group.member_removed"
	// GroupMemberValidityChanged: the window of a customer's membership
	// changed (MemberPayload with Validity, the new window, and Before).
	GroupMemberValidityChanged Type = "group.member_validity_changed"

	// SegmentCreated, SegmentUpdated (with Changes), SegmentDeleted (the
	// segment as it was): SegmentPayload.
	SegmentCreated Type = "segment.created"
	SegmentUpdated Type = "segment.updated"
	SegmentDeleted Type = "segment.deleted"
	// SegmentFrozen: a segment's members at one moment were copied into a
	// new group (SegmentPayload with GroupID and Members); the group's own
	// group.created and group.member_added events precede it.
	SegmentFrozen Type = "segment.frozen"
	// GroupRefsChanged and SegmentRefsChanged: the host references
	// (price list, promotion, content audience) of a group or a segment
	// changed (RefsPayload).
	GroupRefsChanged   Type = "group.refs_changed"
	SegmentRefsChanged Type = "segment.refs_changed"

	// MerchantCreated, MerchantUpdated (with Changes), MerchantDeleted:
	// MerchantPayload.
	MerchantCreated Type = "merchant.created"
	MerchantUpdated Type = "merchant.updated"
	MerchantDeleted Type = "merchant.deleted"

	// MarketCreated, MarketUpdated (with Changes), MarketDeleted:
	// MarketPayload.
	MarketCreated Type = "market.created"
	MarketUpdated Type = "market.updated"
	MarketDeleted Type = "market.deleted"

	// BalanceAccountOpened: a customer's store-credit account in a currency
	// was opened (AccountPayload).
	BalanceAccountOpened Type = "balance.account_opened"
	// BalanceCreditLimitSet: an account's credit limit changed
	// (AccountPayload with Changes).
	BalanceCreditLimitSet Type = "balance.credit_limit_set"
	// BalanceCredited: a credit posting (PostingPayload).
	BalanceCredited Type = "balance.credited"
	// BalanceDebited: a debit posting (PostingPayload).
	BalanceDebited Type = "balance.debited"
	// BalanceOrderPaid: store credit applied to an order (PostingPayload).
	BalanceOrderPaid Type = "balance.order_paid"

	// OrderRecorded: an order was recorded in a customer's history
	// (OrderPayload).
	OrderRecorded Type = "order.recorded"
	// OrderStatusChanged: an order's status changed (OrderPayload with
	// Changes).
	OrderStatusChanged Type = "order.status_changed"

	// OrderReassigned: staff moved an order to another customer
	// (OrderPayload with Changes: customer_id before and after).
	OrderReassigned Type = "order.reassigned"

	// The order history's details (aggregate "order", whose ID is the
	// host's order ID; OrderDetailPayload). Refunds to store credit also
	// emit balance.credited, in the same transaction.

	// OrderReturnRecorded: a return was recorded.
	OrderReturnRecorded Type = "order.return_recorded"
	// OrderReturnUpdated: a return's status changed (with Changes).
	OrderReturnUpdated Type = "order.return_updated"
	// OrderExchangeRecorded: an exchange or replacement was recorded.
	OrderExchangeRecorded Type = "order.exchange_recorded"
	// OrderExchangeUpdated: an exchange's status changed (with Changes).
	OrderExchangeUpdated Type = "order.exchange_updated"
	// OrderRefundRecorded: a refund was recorded.
	OrderRefundRecorded Type = "order.refund_recorded"
	// OrderRefundUpdated: a refund's status changed (with Changes).
	OrderRefundUpdated Type = "order.refund_updated"

	// CustomerEmailChanged: the customer confirmed a new address through
	// a token sent there (CustomerPayload with Changes: the old address is
	// in Before, for a notice to it).
	CustomerEmailChanged Type = "customer.email_changed"

	// The credentials events (aggregate "credentials", whose ID is the
	// customer's). None carries a password, a hash or a token's secret.

	// AccountPasswordSet: a password was set by registration, by staff,
	// by an import of a hash, or by an activation (PasswordPayload).
	AccountPasswordSet Type = "account.password_set"
	// AccountPasswordChanged: the customer changed their password,
	// proving the current one (PasswordPayload).
	AccountPasswordChanged Type = "account.password_changed"
	// AccountPasswordReset: the customer set a new password with a reset
	// token; every outstanding token was revoked (PasswordPayload).
	AccountPasswordReset Type = "account.password_reset"
	// AccountLoginSucceeded: the customer signed in (LoginPayload).
	AccountLoginSucceeded Type = "account.login_succeeded"
	// AccountLoginFailed: a sign-in to an existing account failed (wrong
	// password, or refused during the backoff) (LoginPayload).
	AccountLoginFailed Type = "account.login_failed"
	// AccountTokenIssued: a one-time token was issued (TokenPayload: its
	// ID, purpose, recipient and expiry, never its secret).
	AccountTokenIssued Type = "account.token_issued"
	// AccountEmailVerified: the customer proved they own their address
	// (VerificationPayload).
	AccountEmailVerified Type = "account.email_verified"
	// AccountIdentityLinked: an external identity was linked
	// (IdentityPayload).
	AccountIdentityLinked Type = "account.identity_linked"
	// AccountIdentityUnlinked: an external identity was unlinked
	// (IdentityPayload).
	AccountIdentityUnlinked Type = "account.identity_unlinked"
)

// The wallet events (aggregate "wallet", whose ID is the customer's). The
// payload carries the source with its token reference; the audit trail
// masks it and the billing address (see Personal).
const (
	// WalletSourceAdded: a payment source was saved (PaymentSourcePayload).
	WalletSourceAdded Type = "wallet.source_added"
	// WalletSourceUpdated: a payment source changed (PaymentSourcePayload
	// with Changes).
	WalletSourceUpdated Type = "wallet.source_updated"
	// WalletSourceRemoved: a payment source was removed
	// (PaymentSourcePayload, the source as it was).
	WalletSourceRemoved Type = "wallet.source_removed"
	// WalletDefaultChanged: another source became the default
	// (PaymentSourcePayload, the new default).
	WalletDefaultChanged Type = "wallet.default_changed"
)

// The subscription events (aggregate "subscription", whose ID is the
// host's subscription ID).
const (
	// SubscriptionRecorded: a subscription was recorded
	// (SubscriptionPayload).
	SubscriptionRecorded Type = "subscription.recorded"
	// SubscriptionUpdated: a subscription's payment source or next charge
	// changed (SubscriptionPayload with Changes).
	SubscriptionUpdated Type = "subscription.updated"
	// SubscriptionStatusChanged: a subscription's status changed
	// (SubscriptionPayload with Changes).
	SubscriptionStatusChanged Type = "subscription.status_changed"
)

// The identity verification events (aggregate "verification", whose ID is
// the subject's "customer:<id>" or "merchant:<id>"; CustomerID is the
// customer's for a customer subject, uuid.Nil for a merchant).
const (
	// VerificationSubmitted: a subject was submitted or resubmitted for
	// review, or sent back to review (KYCPayload: the verification after
	// the change and its review).
	VerificationSubmitted Type = "verification.submitted"
	// VerificationApproved: a reviewer verified a pending subject
	// (KYCPayload).
	VerificationApproved Type = "verification.approved"
	// VerificationRejected: a reviewer rejected a pending subject, or
	// revoked a verified one, with a reason (KYCPayload).
	VerificationRejected Type = "verification.rejected"
	// VerificationRiskFlagsChanged: risk flags were set or cleared
	// (RiskFlagsPayload).
	VerificationRiskFlagsChanged Type = "verification.risk_flags_changed"
)

// AggregateVerification is the aggregate of the verification events.
const AggregateVerification = "verification"

// The marketplace role events. Memberships keep no version: their
// aggregate ("merchant_members", the merchant's ID) has Version 0, as an
// address book has; CustomerID is the member's.
const (
	// MerchantMemberAdded: a customer became a member of a merchant
	// (MerchantMemberPayload).
	MerchantMemberAdded Type = "merchant.member_added"
	// MerchantMemberUpdated: a member's role changed (MerchantMemberPayload with
	// Changes).
	MerchantMemberUpdated Type = "merchant.member_updated"
	// MerchantMemberRemoved: a member left or was removed (MerchantMemberPayload,
	// the membership as it was).
	MerchantMemberRemoved Type = "merchant.member_removed"
	// OperatorGranted: a customer became operator staff or got another
	// role (OperatorPayload; Changes when the role changed). Aggregate
	// "operator_staff", the customer's ID.
	OperatorGranted Type = "operator.granted"
	// OperatorRevoked: a customer is no longer operator staff
	// (OperatorPayload, the grant as it was).
	OperatorRevoked Type = "operator.revoked"
	// VendorCustomerRelated: a customer became one of a vendor's own
	// customers (VendorCustomerPayload). Aggregate "vendor_customers",
	// the merchant's ID.
	VendorCustomerRelated Type = "vendor.customer_related"
)

// The aggregates of the marketplace role events.
const (
	AggregateMerchantMembers = "merchant_members" // its ID is the merchant's
	AggregateOperatorStaff   = "operator_staff"   // its ID is the customer's
	AggregateVendorCustomers = "vendor_customers" // its ID is the merchant's
)

// The aggregates of the wallet and subscription events.
const (
	AggregateWallet       = "wallet"       // its ID is the customer's
	AggregateSubscription = "subscription" // its ID is the host's subscription ID
)

// The aggregates events belong to.
const (
	AggregateCustomer       = "customer"
	AggregateAddressBook    = "address_book" // its ID is the customer's
	AggregateGroup          = "group"
	AggregateSegment        = "segment"
	AggregateMerchant       = "merchant"
	AggregateMarket         = "market"
	AggregateBalanceAccount = "balance_account"
	AggregateOrder          = "order"       // its ID is the host's order ID
	AggregateCredentials    = "credentials" // its ID is the customer's
)

// Bounds of an event's fields, in bytes.
const (
	MaxType        = 64
	MaxAggregate   = 32
	MaxAggregateID = 100
	MaxPayload     = 1 << 20
)

// ErrInvalid reports an event an adapter or a service refuses to write: a
// missing ID, type or aggregate, a field beyond its bound, a payload that is
// not a JSON object. It unwraps to errcode.Invalid.
var ErrInvalid = errcode.New(errcode.Invalid, "event: invalid event")

// Event is one change, as committed.
type Event struct {
	// ID identifies the event: a version 7 UUID, so IDs sort roughly by
	// time (not by commit: see Sequence).
	ID uuid.UUID `json:"id"`
	// Sequence is the event's position in the outbox's delivery order,
	// assigned after it commits (see storage.Events); 0 until then.
	Sequence int64 `json:"sequence,omitempty"`
	// Type is what happened.
	Type Type `json:"type"`
	// Aggregate and AggregateID name what changed: "customer" and the
	// customer's ID, "order" and the host's order ID...
	Aggregate   string `json:"aggregate"`
	AggregateID string `json:"aggregate_id"`
	// CustomerID is the customer the change concerns (the customer
	// itself, the owner of an address book, an account, an order, the
	// member who joined a group), or uuid.Nil for a change of a group,
	// merchant or market as such. The audit trail is listed by it.
	CustomerID uuid.UUID `json:"customer_id,omitzero"`
	// Version is the aggregate's version after the change, or 0 for
	// aggregates that keep none (address books, orders).
	Version int64 `json:"version"`
	// OccurredAt is when the change was made (UTC, microseconds).
	OccurredAt time.Time `json:"occurred_at"`
	// Actor is who made it (see package actor).
	Actor actor.Actor `json:"actor"`
	// Schema is the version of the payload's shape for this Type.
	Schema int `json:"schema"`
	// Payload is the type's payload, a JSON object.
	Payload json.RawMessage `json:"payload"`
}

// CurrentSchema is the payload schema version the services write.
const CurrentSchema = 1

// New returns an event of type t about aggregate id, with its payload
// marshalled from p. The caller (the services) sets ID, OccurredAt and
// Actor.
func New(t Type, aggregate, id string, customerID uuid.UUID, version int64, p any) (Event, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return Event{}, fmt.Errorf("event: %s payload: %w", t, err)
	}
	return Event{Type: t, Aggregate: aggregate, AggregateID: id, CustomerID: customerID,
		Version: version, Schema: CurrentSchema, Payload: b}, nil
}

// Validate checks what an adapter stores: an ID, a type, an aggregate and
// its ID within their bounds and printable, a UTC occurred-at time, a valid
// actor, a positive schema and a payload that is a JSON object of at most
// MaxPayload bytes. Errors: *errcode.ValidationError naming the field,
// unwrapping to ErrInvalid.
func (e Event) Validate() error {
	bad := func(field, reason string) error {
		return &errcode.ValidationError{Field: field, Reason: reason, Err: ErrInvalid}
	}
	if e.ID == uuid.Nil {
		return bad("id", "is required")
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"type", string(e.Type), MaxType},
		{"aggregate", e.Aggregate, MaxAggregate},
		{"aggregate_id", e.AggregateID, MaxAggregateID},
	} {
		switch {
		case f.value == "":
			return bad(f.name, "is required")
		case len(f.value) > f.max:
			return bad(f.name, fmt.Sprintf("is longer than %d bytes", f.max))
		case !utf8.ValidString(f.value) || strings.ContainsFunc(f.value, func(r rune) bool { return r < 0x20 || r == 0x7f }):
			return bad(f.name, "is not printable UTF-8 text")
		}
	}
	if e.Version < 0 {
		return bad("version", "is negative")
	}
	if e.OccurredAt.IsZero() {
		return bad("occurred_at", "is required")
	}
	if e.Schema < 1 {
		return bad("schema", "must be at least 1")
	}
	if err := e.Actor.Validate(); err != nil {
		// The actor's error names the field; the event's sentinel is
		// added, so that errors.Is(err, ErrInvalid) holds as documented.
		var ve *errcode.ValidationError
		if errors.As(err, &ve) {
			return &errcode.ValidationError{Field: ve.Field, Reason: ve.Reason, Err: errors.Join(ErrInvalid, ve.Unwrap())}
		}
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(e.Payload) > MaxPayload {
		return bad("payload", fmt.Sprintf("is longer than %d bytes", MaxPayload))
	}
	// Valid JSON whose first token is '{' is one object: checked without
	// decoding it (a bulk import validates a thousand payloads a batch).
	if !json.Valid(e.Payload) || bytes.TrimLeft(e.Payload, " \t\r\n")[0] != '{' {
		return bad("payload", "is not a JSON object")
	}
	return nil
}

// Decode reads e's payload into a value of the type's payload type:
//
//	p, err := event.Decode[event.CustomerPayload](e)
func Decode[P any](e Event) (P, error) {
	var p P
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return p, fmt.Errorf("event: decode %s payload: %w", e.Type, err)
	}
	return p, nil
}

// The company events (aggregate "company", whose ID is the company's; the
// event's CustomerID is the member concerned, or the acting customer).
const (
	// CompanyCreated: a company was created (CompanyPayload).
	CompanyCreated Type = "company.created"
	// CompanyUpdated: a company changed (CompanyPayload with Changes).
	CompanyUpdated Type = "company.updated"
	// CompanyMemberAdded: a customer joined a company (CompanyMemberPayload).
	CompanyMemberAdded Type = "company.member_added"
	// CompanyMemberUpdated: a member's role or limits changed
	// (CompanyMemberPayload with Changes).
	CompanyMemberUpdated Type = "company.member_updated"
	// CompanyMemberRemoved: a member left (CompanyMemberPayload, the
	// member as it was).
	CompanyMemberRemoved Type = "company.member_removed"
	// CompanyOrderDecided: a member's order was allowed within the limits
	// and recorded (CompanyOrderPayload).
	CompanyOrderDecided Type = "company.order_decided"
	// CompanyApprovalRequested: a member's order over a limit waits for
	// approval (CompanyApprovalPayload).
	CompanyApprovalRequested Type = "company.approval_requested"
	// CompanyApprovalApproved: an approver approved an order, which was
	// recorded (CompanyApprovalPayload).
	CompanyApprovalApproved Type = "company.approval_approved"
	// CompanyApprovalRejected: an approver rejected an order
	// (CompanyApprovalPayload).
	CompanyApprovalRejected Type = "company.approval_rejected"
	// CompanyReservationReleased: the spend an order held was released,
	// the order cancelled or rejected (CompanyReservationPayload).
	CompanyReservationReleased Type = "company.reservation_released"
)

// AggregateCompany is the aggregate of the company events.
const AggregateCompany = "company"
