package main

import (
	"encoding/json"
	"net/http"

	"github.com/clientele-go/clientele"
)

// route is one operation: a net/http pattern's method and path, and its
// handler. The routes are the one list the mux is built from, so that a test
// can hold them against the OpenAPI document.
type route struct {
	method, path string
	handle       func(w http.ResponseWriter, r *http.Request) error
}

// api holds the service the handlers call.
type api struct{ svc *clientele.Service }

// routes lists every operation of the API.
func (a *api) routes() []route {
	return []route{
		{"GET", "/openapi.json", serveOpenAPI},

		{"POST", "/customers", a.registerCustomer},
		{"GET", "/customers", a.listCustomers},
		{"POST", "/guests", a.createGuest},
		{"GET", "/customers/{id}", a.getCustomer},
		{"PATCH", "/customers/{id}", a.patchCustomer},

		{"GET", "/customers/{id}/addresses", a.addressBook},
		{"POST", "/customers/{id}/addresses", a.addAddress},
		{"PATCH", "/customers/{id}/addresses/{address_id}", a.updateAddress},
		{"DELETE", "/customers/{id}/addresses/{address_id}", a.removeAddress},
		{"PUT", "/customers/{id}/default-addresses/{kind}", a.setDefaultAddress},

		{"POST", "/groups", a.createGroup},
		{"GET", "/groups", a.listGroups},
		{"GET", "/groups/{id}", a.getGroup},
		{"GET", "/groups/{id}/members", a.listMembers},
		{"POST", "/groups/{id}/members", a.addMembers},
		{"POST", "/groups/{id}/members/remove", a.removeMembers},

		{"POST", "/merchants", a.createMerchant},
		{"GET", "/merchants", a.listMerchants},
		{"GET", "/merchants/{id}", a.getMerchant},
		{"POST", "/markets", a.createMarket},
		{"GET", "/markets", a.listMarkets},
		{"GET", "/markets/{id}", a.getMarket},
		{"GET", "/markets/{id}/access", a.checkAccess},

		{"POST", "/customers/{id}/credits", a.credit},
		{"POST", "/customers/{id}/debits", a.debit},
		{"POST", "/customers/{id}/order-payments", a.applyToOrder},
		{"GET", "/customers/{id}/balances", a.accounts},
		{"GET", "/customers/{id}/balances/{currency}", a.account},
		{"GET", "/customers/{id}/balances/{currency}/postings", a.history},

		{"POST", "/orders", a.recordOrder},
		{"GET", "/orders/{id}", a.getOrder},
		{"PUT", "/orders/{id}/status", a.setOrderStatus},
		{"GET", "/customers/{id}/orders", a.orderHistory},
		{"POST", "/customers/{id}/claims", a.claimOrders},
	}
}

// NewHandler returns the JSON API over svc, ready to serve or to mount
// under a prefix with http.StripPrefix. Errors are RFC 9457 problem
// documents; /openapi.json describes every operation.
func NewHandler(svc *clientele.Service) http.Handler {
	mux := newMux(svc)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern == "" {
			unmatched(mux, w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// newMux registers every route on a new ServeMux.
func newMux(svc *clientele.Service) *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range (&api{svc}).routes() {
		mux.Handle(rt.method+" "+rt.path, handler(rt.handle))
	}
	return mux
}

// handler adapts a handler that returns its error to http.Handler, writing
// the error as a problem document.
func handler(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, err)
		}
	})
}

// unmatched answers a request no route matches as ServeMux would (404, or
// 405 with the Allow header when another method matches the path), but with
// a problem document. Anything else the mux does for it (a redirect to the
// clean path) it does as usual.
func unmatched(mux *http.ServeMux, w http.ResponseWriter, r *http.Request) {
	h, _ := mux.Handler(r)
	rec := &statusRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusNotFound:
		writeProblem(w, problem{Status: rec.status, Code: "not_found", Detail: "no operation has this path; see /openapi.json"})
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeProblem(w, problem{Status: rec.status, Code: "method_not_allowed", Detail: "the path does not take this method; see the Allow header"})
	default:
		h.ServeHTTP(w, r)
	}
}

// statusRecorder keeps the status and headers a handler writes and drops
// the body.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header { return s.header }
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
}
func (s *statusRecorder) Write(b []byte) (int, error) {
	s.WriteHeader(http.StatusOK)
	return len(b), nil
}

// writeJSON answers with status and v as JSON. It encodes v before it
// writes anything, so that a value that cannot be encoded is still an error
// the caller can answer with a problem.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// items is the JSON form of a list that is not paginated.
type items[T any] struct {
	Items []T `json:"items"`
}
