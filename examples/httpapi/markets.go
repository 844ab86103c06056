package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
)

func (a *api) createMerchant(w http.ResponseWriter, r *http.Request) error {
	var p merchant.Params
	if err := decode(w, r, &p); err != nil {
		return err
	}
	m, err := a.svc.Merchants.Create(r.Context(), p, createOptions(r)...)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/merchants/"+m.ID.String())
	return writeJSON(w, http.StatusCreated, m)
}

func (a *api) listMerchants(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Merchants.List(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (a *api) getMerchant(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := a.svc.Merchants.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// marketRequest is the body of a create request: market.Params with its IDs
// as strings, parsed here so that a malformed one is an error naming its
// field (a uuid.UUID fails inside the JSON decoder, which does not say
// where). access_groups, when not empty, make the market private.
type marketRequest struct {
	MerchantID        string               `json:"merchant_id"`
	Code              string               `json:"code"`
	Name              string               `json:"name"`
	BusinessModel     market.BusinessModel `json:"business_model"`
	Currency          balance.Currency     `json:"currency"`
	PriceListRef      string               `json:"price_list_ref"`
	InventoryModelRef string               `json:"inventory_model_ref"`
	Disabled          bool                 `json:"disabled"`
	AccessGroups      []string             `json:"access_groups"`
	Metadata          map[string]string    `json:"metadata"`
}

func (m marketRequest) params() (market.Params, error) {
	merchantID, err := parseID("merchant_id", m.MerchantID)
	if err != nil {
		return market.Params{}, err
	}
	p := market.Params{
		MerchantID: merchantID, Code: m.Code, Name: m.Name, BusinessModel: m.BusinessModel, Currency: m.Currency,
		PriceListRef: m.PriceListRef, InventoryModelRef: m.InventoryModelRef, Disabled: m.Disabled, Metadata: m.Metadata,
	}
	for i, s := range m.AccessGroups {
		id, err := parseID(fmt.Sprintf("access_groups.%d", i), s)
		if err != nil {
			return market.Params{}, err
		}
		p.AccessGroups = append(p.AccessGroups, id)
	}
	return p, nil
}

func (a *api) createMarket(w http.ResponseWriter, r *http.Request) error {
	var req marketRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	p, err := req.params()
	if err != nil {
		return err
	}
	m, err := a.svc.Markets.Create(r.Context(), p, createOptions(r)...)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/markets/"+m.ID.String())
	return writeJSON(w, http.StatusCreated, m)
}

func (a *api) listMarkets(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "merchant_id", "group_id")
	f := market.Filter{MerchantID: q.id("merchant_id"), GroupID: q.id("group_id")}
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Markets.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (a *api) getMarket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := a.svc.Markets.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// accessDecision is the answer of an access check: a denial is an answer,
// not an error, so it comes with 200 and the reason.
type accessDecision struct {
	MarketID   uuid.UUID  `json:"market_id"`
	CustomerID *uuid.UUID `json:"customer_id"`
	Allowed    bool       `json:"allowed"`
	// Reason says why access is denied: "disabled", "private" or
	// "not_member".
	Reason string `json:"reason,omitempty"`
}

// checkAccess decides whether the customer of the customer_id parameter
// (an anonymous visitor without it) may buy in the market.
func (a *api) checkAccess(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newQuery(r, "customer_id")
	customerID := q.id("customer_id")
	if q.err != nil {
		return q.err
	}
	d := accessDecision{MarketID: id, Allowed: true}
	if customerID != uuid.Nil {
		d.CustomerID = &customerID
	}
	err = a.svc.Markets.Access(r.Context(), id, customerID)
	switch {
	case err == nil:
	case errors.Is(err, market.ErrDisabled):
		d.Allowed, d.Reason = false, "disabled"
	case errors.Is(err, market.ErrPrivate):
		d.Allowed, d.Reason = false, "private"
	case errors.Is(err, market.ErrNotMember):
		d.Allowed, d.Reason = false, "not_member"
	case errors.Is(err, market.ErrAccessDenied):
		d.Allowed, d.Reason = false, "denied"
	default:
		return err
	}
	return writeJSON(w, http.StatusOK, d)
}
