package main

import (
	"net/http"
	"time"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/order"
)

// orderRequest tells that a customer placed an order of the host.
type orderRequest struct {
	ID         string       `json:"id"`
	CustomerID string       `json:"customer_id"`
	Number     string       `json:"number"`
	Status     order.Status `json:"status"`
	Total      money        `json:"total"`
	MarketID   string       `json:"market_id"`
	Channel    string       `json:"channel"`
	// PlacedAt is an RFC 3339 time; now when left out.
	PlacedAt string `json:"placed_at"`
}

func (o orderRequest) params() (order.Params, error) {
	customerID, err := parseID("customer_id", o.CustomerID)
	if err != nil {
		return order.Params{}, err
	}
	marketID, err := optionalID("market_id", o.MarketID)
	if err != nil {
		return order.Params{}, err
	}
	total, err := o.Total.parse("total")
	if err != nil {
		return order.Params{}, err
	}
	var placed time.Time
	if o.PlacedAt != "" {
		if placed, err = time.Parse(time.RFC3339Nano, o.PlacedAt); err != nil {
			return order.Params{}, invalid("placed_at", "must be an RFC 3339 time such as 2025-01-31T12:00:00Z")
		}
	}
	return order.Params{
		ID: o.ID, CustomerID: customerID, Number: o.Number, Status: o.Status, Total: total,
		MarketID: marketID, Channel: o.Channel, PlacedAt: placed,
	}, nil
}

// recordOrder records a placed order and advances the customer's status.
// Recording the same order again is a replay that answers with the stored
// order; the same ID with another customer, number or total is a 409.
func (a *api) recordOrder(w http.ResponseWriter, r *http.Request) error {
	var req orderRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := req.params()
	if err != nil {
		return err
	}
	o, err := a.svc.Orders.RecordPlaced(r.Context(), p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/orders/"+o.ID)
	return writeJSON(w, http.StatusCreated, o)
}

func (a *api) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := a.svc.Orders.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

// setOrderStatus moves the order to the status of the body; setting the
// current status again changes nothing.
func (a *api) setOrderStatus(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Status order.Status `json:"status"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	o, err := a.svc.Orders.SetStatus(r.Context(), r.PathValue("id"), req.Status)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, o)
}

func (a *api) orderHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newQuery(r)
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Orders.History(r.Context(), id, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

// claimOrders moves the orders of the guest in the body to the registered
// customer of the path (same email), as when a guest who ordered before
// creates an account. Claiming again moves nothing.
func (a *api) claimOrders(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		GuestID string `json:"guest_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	guestID, err := parseID("guest_id", req.GuestID)
	if err != nil {
		return err
	}
	// This API is a back office the host trusts (it has no sign-in of
	// its own), so claims are made on its authority, as an app; a
	// storefront would let the customer claim with a token
	// (Orders.RequestClaim, Orders.AcceptClaim).
	ctx := actor.NewContext(r.Context(), actor.App("httpapi"))
	c, moved, err := a.svc.Orders.Claim(ctx, guestID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, struct {
		Moved    int `json:"moved"`
		Customer any `json:"customer"`
	}{moved, c})
}
