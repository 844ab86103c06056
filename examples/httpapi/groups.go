package main

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/errcode"
)

func (a *api) createGroup(w http.ResponseWriter, r *http.Request) error {
	var p clientele.GroupParams
	if err := decode(w, r, &p); err != nil {
		return err
	}
	g, err := a.svc.Groups.Create(r.Context(), p, createOptions(r)...)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/groups/"+g.ID.String())
	return writeJSON(w, http.StatusCreated, g)
}

func (a *api) listGroups(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Groups.List(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (a *api) getGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := a.svc.Groups.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, g)
}

func (a *api) listMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := newQuery(r)
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Groups.Members(r.Context(), id, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

// memberResult is one customer's outcome in a batch; Error is set when
// Outcome is "failed", in the form of a problem document's essentials.
type memberResult struct {
	CustomerID uuid.UUID    `json:"customer_id"`
	Outcome    string       `json:"outcome"`
	Error      *memberError `json:"error,omitempty"`
}

type memberError struct {
	Code   string `json:"code"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func (a *api) addMembers(w http.ResponseWriter, r *http.Request) error {
	return a.changeMembers(w, r, a.svc.Groups.AddMembers)
}

func (a *api) removeMembers(w http.ResponseWriter, r *http.Request) error {
	return a.changeMembers(w, r, a.svc.Groups.RemoveMembers)
}

// changeMembers applies a batch of customer IDs with change and answers
// with one result per customer, in order. The batch is one transaction:
// an unknown customer fails its item, not the batch.
func (a *api) changeMembers(w http.ResponseWriter, r *http.Request, change func(ctx context.Context, groupID uuid.UUID, ids []uuid.UUID) ([]clientele.MemberResult, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		CustomerIDs []string `json:"customer_ids"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if len(req.CustomerIDs) == 0 {
		return invalid("customer_ids", "is required")
	}
	if len(req.CustomerIDs) > clientele.MaxBatch {
		return invalid("customer_ids", fmt.Sprintf("holds more than %d IDs", clientele.MaxBatch))
	}
	ids := make([]uuid.UUID, len(req.CustomerIDs))
	for i, s := range req.CustomerIDs {
		if ids[i], err = parseID(fmt.Sprintf("customer_ids.%d", i), s); err != nil {
			return err
		}
	}
	results, err := change(r.Context(), id, ids)
	if err != nil {
		return err
	}
	out := make([]memberResult, len(results))
	for i, res := range results {
		out[i] = memberResult{CustomerID: res.CustomerID, Outcome: res.Outcome.String()}
		if res.Err != nil {
			code := errcode.Of(res.Err)
			out[i].Error = &memberError{Code: code.String(), Status: code.HTTPStatus(), Detail: res.Err.Error()}
		}
	}
	return writeJSON(w, http.StatusOK, items[memberResult]{out})
}
