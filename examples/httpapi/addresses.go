package main

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
)

// addressRequest is a postal address in a request body.
type addressRequest struct {
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Company    string `json:"company"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	Province   string `json:"province"`
	Country    string `json:"country"`
	Phone      string `json:"phone"`
}

func (a addressRequest) address() address.Address {
	return address.Address{
		FirstName: a.FirstName, LastName: a.LastName, Company: a.Company, Line1: a.Line1, Line2: a.Line2,
		City: a.City, PostalCode: a.PostalCode, Province: a.Province, Country: a.Country, Phone: a.Phone,
	}
}

// addressPatch changes the fields it names; "" clears an optional one.
type addressPatch struct {
	FirstName  *string `json:"first_name"`
	LastName   *string `json:"last_name"`
	Company    *string `json:"company"`
	Line1      *string `json:"line1"`
	Line2      *string `json:"line2"`
	City       *string `json:"city"`
	PostalCode *string `json:"postal_code"`
	Province   *string `json:"province"`
	Country    *string `json:"country"`
	Phone      *string `json:"phone"`
}

func (p addressPatch) patch() address.Patch {
	return address.Patch{
		FirstName: p.FirstName, LastName: p.LastName, Company: p.Company, Line1: p.Line1, Line2: p.Line2,
		City: p.City, PostalCode: p.PostalCode, Province: p.Province, Country: p.Country, Phone: p.Phone,
	}
}

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
	var req addressRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, _, err := a.svc.Addresses.Add(r.Context(), id, req.address(), createOptions(r)...)
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
	var req addressPatch
	if err := decode(w, r, &req); err != nil {
		return err
	}
	e, _, err := a.svc.Addresses.Update(r.Context(), id, entryID, req.patch())
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
