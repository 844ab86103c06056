package main

import (
	"net/http"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
)

// writeCustomer answers with the customer and its version as ETag.
func writeCustomer(w http.ResponseWriter, status int, c customer.Customer) error {
	w.Header().Set("ETag", etag(c.Version))
	if status == http.StatusCreated {
		w.Header().Set("Location", "/customers/"+c.ID.String())
	}
	return writeJSON(w, status, c)
}

func (a *api) registerCustomer(w http.ResponseWriter, r *http.Request) error {
	var p customer.Params
	if err := decode(w, r, &p); err != nil {
		return err
	}
	c, err := a.svc.Customers.Register(r.Context(), p, createOptions(r)...)
	if err != nil {
		return err
	}
	return writeCustomer(w, http.StatusCreated, c)
}

// createGuest returns the live guest with the email, creating it when there
// is none: 201 when it created the guest, 200 when it found it.
func (a *api) createGuest(w http.ResponseWriter, r *http.Request) error {
	var p customer.Params
	if err := decode(w, r, &p); err != nil {
		return err
	}
	c, created, err := a.svc.Customers.CreateGuest(r.Context(), p)
	if err != nil {
		return err
	}
	if created {
		return writeCustomer(w, http.StatusCreated, c)
	}
	return writeCustomer(w, http.StatusOK, c)
}

func (a *api) getCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := a.svc.Customers.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return writeCustomer(w, http.StatusOK, c)
}

// patchCustomer applies a patch; with If-Match it applies it only to the
// version the client read (checked under the write's lock), and answers 412
// otherwise.
func (a *api) patchCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, check, err := ifMatch(r)
	if err != nil {
		return err
	}
	// A field left out stays as it is, "" clears an optional field, tags
	// replace the set, and a metadata key set to null is deleted.
	var p customer.Patch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	var opts []clientele.CallOption
	if check {
		opts = append(opts, clientele.IfVersion(version))
	}
	c, err := a.svc.Customers.Update(r.Context(), id, p, opts...)
	if err != nil {
		return err
	}
	return writeCustomer(w, http.StatusOK, c)
}

// listCustomers lists customers by filter, a page at a time.
func (a *api) listCustomers(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r, "email", "name", "group_id", "status", "state", "type", "tag", "has_account",
		"created_from", "created_to", "include_deleted")
	f := customer.Filter{
		Email: q.string("email"), Name: q.string("name"), GroupID: q.id("group_id"), Tags: q.strings("tag"),
		HasAccount: q.bool("has_account"), CreatedFrom: q.time("created_from"), CreatedTo: q.time("created_to"),
	}
	q.text("status", &f.Status)
	q.text("state", &f.State)
	q.text("type", &f.Type)
	if b := q.bool("include_deleted"); b != nil {
		f.IncludeDeleted = *b
	}
	p := q.page()
	if q.err != nil {
		return q.err
	}
	list, err := a.svc.Customers.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}
