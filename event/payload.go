package event

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
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
}

// ClaimPayload is the payload of customer.guest_orders_claimed: the
// registered customer who claimed (the event's aggregate), the guest whose
// orders moved, and how many.
type ClaimPayload struct {
	CustomerID uuid.UUID `json:"customer_id"`
	GuestID    uuid.UUID `json:"guest_id"`
	Orders     int       `json:"orders"`
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

// MemberPayload is the payload of group.member_added and
// group.member_removed (whose aggregate is the group).
type MemberPayload struct {
	GroupID    uuid.UUID `json:"group_id"`
	CustomerID uuid.UUID `json:"customer_id"`
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
