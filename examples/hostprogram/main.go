// Command hostprogram is the smallest host of Clientele: five JSON handlers
// on net/http over SQLite. It imports only the root package, domain
// packages, the page and errcode leaf packages and one adapter, never the
// storage contract (a test holds it to that).
package main

import (
	"context"
	"encoding/json"
	"log"
	"net/http"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/sqlite"
)

func main() {
	svc, err := open(context.Background(), "hostprogram.db")
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe("127.0.0.1:8081", routes(svc)))
}

// open returns the service over the SQLite file path, migrated.
func open(ctx context.Context, path string) (*clientele.Service, error) {
	db, err := sqlite.Open(path)
	if err == nil {
		err = sqlstore.Migrate(ctx, db, sqlite.Dialect)
	}
	if err != nil {
		return nil, err
	}
	store, err := sqlstore.New(db, sqlite.Dialect)
	return clientele.New(store), err
}

func routes(svc *clientele.Service) *http.ServeMux {
	mux := http.NewServeMux()
	handle(mux, "POST /customers", 201, func(r *http.Request, _ uuid.UUID, p customer.Params) (any, error) {
		return svc.Customers.Register(r.Context(), p)
	})
	handle(mux, "GET /customers/{id}", 200, func(r *http.Request, id uuid.UUID, _ struct{}) (any, error) {
		return svc.Customers.Get(r.Context(), id)
	})
	handle(mux, "GET /customers", 200, func(r *http.Request, _ uuid.UUID, _ struct{}) (any, error) {
		return svc.Customers.List(r.Context(), customer.Filter{}, page.Request{Cursor: r.URL.Query().Get("cursor")})
	})
	handle(mux, "POST /customers/{id}/addresses", 201, func(r *http.Request, id uuid.UUID, a address.Address) (any, error) {
		entry, _, err := svc.Addresses.Add(r.Context(), id, a)
		return entry, err
	})
	handle(mux, "POST /customers/{id}/credits", 201, func(r *http.Request, id uuid.UUID, p clientele.PostingRequest) (any, error) {
		p.CustomerID, p.IdempotencyKey = id, r.Header.Get("Idempotency-Key")
		return svc.Balances.Credit(r.Context(), p)
	})
	return mux
}

// handle registers fn on mux. It parses the path's {id} and decodes a POST's
// JSON body into In, then writes what fn returns as JSON with status ok, or
// the error with its category's status.
func handle[In any](mux *http.ServeMux, pattern string, ok int, fn func(r *http.Request, id uuid.UUID, in In) (any, error)) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var in In
		id, err := uuid.Parse(r.PathValue("id"))
		if r.PathValue("id") == "" {
			err = nil
		} else if err != nil {
			err = &errcode.ValidationError{Field: "id", Reason: "is not a UUID"}
		}
		if err == nil && r.Method == http.MethodPost && json.NewDecoder(r.Body).Decode(&in) != nil {
			err = &errcode.ValidationError{Reason: "the body is not the JSON object expected"}
		}
		status, v := ok, any(nil)
		if err == nil {
			v, err = fn(r, id, in)
		}
		if err != nil {
			status, v = errcode.Of(err).HTTPStatus(), map[string]string{"code": errcode.Of(err).String(), "error": err.Error()}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	})
}
