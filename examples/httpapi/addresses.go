package main

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
)

// bookIDs parses the customer's ID and, when the path has it, the entry's.
func bookIDs(r *http.Request) (customerID, entryID uuid.UUID, err error) {
	if customerID, err = pathID(r, "id"); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if r.PathValue("address_id") != "" {
		entryID, err = pathID(r, "address_id")
	}
	return customerID, entryID, err
}

func (a *api) addressBook(w http.ResponseWriter, r *http.Request) error {
	id, _, err := bookIDs(r)
	if err != nil {
		return err
	}
	book, err := a.svc.Addresses.Book(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, book)
}

func (a *api) addAddress(w http.ResponseWriter, r *http.Request) error {
	id, _, err := bookIDs(r)
	if err != nil {
		return err
	}
	var addr address.Address
	if err := decode(w, r, &addr); err != nil {
		return err
	}
	e, _, err := a.svc.Addresses.Add(r.Context(), id, addr, createOptions(r)...)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/customers/"+id.String()+"/addresses/"+e.ID.String())
	return writeJSON(w, http.StatusCreated, e)
}

func (a *api) updateAddress(w http.ResponseWriter, r *http.Request) error {
	id, entryID, err := bookIDs(r)
	if err != nil {
		return err
	}
	// A field left out stays as it is; "" clears an optional one.
	var p address.Patch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	e, _, err := a.svc.Addresses.Update(r.Context(), id, entryID, p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

// removeAddress removes an address and answers with the book: when the
// address was a default, the oldest remaining one took its place.
func (a *api) removeAddress(w http.ResponseWriter, r *http.Request) error {
	id, entryID, err := bookIDs(r)
	if err != nil {
		return err
	}
	book, err := a.svc.Addresses.Remove(r.Context(), id, entryID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, book)
}

// setDefaultAddress makes the address in the body the default of the kind
// in the path (shipping or billing) and answers with the book.
func (a *api) setDefaultAddress(w http.ResponseWriter, r *http.Request) error {
	id, _, err := bookIDs(r)
	if err != nil {
		return err
	}
	kind, err := address.ParseKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	var req struct {
		AddressID string `json:"address_id"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	entryID, err := parseID("address_id", req.AddressID)
	if err != nil {
		return err
	}
	book, err := a.svc.Addresses.SetDefault(r.Context(), id, entryID, kind)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, book)
}
