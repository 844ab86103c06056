package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
)

// client drives the API through a real HTTP client, and checks on every
// response that each amount is a string with its currency.
type client struct {
	t     *testing.T
	base  string
	money *moneySeen
}

// moneySeen records which money fields the responses carried, so that the
// test can tell that every kind of amount was checked.
type moneySeen struct {
	mu   sync.Mutex
	keys map[string]bool
}

// moneyFields are the JSON names under which the API gives amounts.
var moneyFields = []string{"amount", "ending_balance", "balance", "credit_limit", "available", "total", "applied", "remaining", "requested"}

// newServer serves the API over a store of kind (memory or sqlite) and
// returns a client of it.
func newServer(t *testing.T, kind string) *client {
	t.Helper()
	store, _, closeStore, err := open(context.Background(), kind, filepath.Join(t.TempDir(), "api.db"), "")
	require.NoError(t, err)
	srv := httptest.NewServer(NewHandler(clientele.New(store)))
	t.Cleanup(func() {
		srv.Close()
		closeStore()
	})
	return &client{t: t, base: srv.URL, money: &moneySeen{keys: map[string]bool{}}}
}

// with returns the client for the subtest t.
func (c *client) with(t *testing.T) *client {
	cc := *c
	cc.t = t
	return &cc
}

// response is an answer of the API.
type response struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// do sends a request with body (nil for none, a string or []byte as it is,
// anything else as JSON) and headers given as name, value pairs.
func (c *client) do(method, path string, body any, headers ...string) *response {
	c.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		require.NoError(c.t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	require.NoError(c.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(c.t, err)
	r := &response{t: c.t, status: res.StatusCode, header: res.Header, body: b}
	if len(b) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") && path != "/openapi.json" {
		var v any
		require.NoError(c.t, json.Unmarshal(b, &v), "%s %s: %s", method, path, b)
		c.checkMoney(v, "")
	}
	return r
}

var (
	amountRE   = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// checkMoney walks a JSON value and checks that every value under a money
// field's name is an amount: {"amount": "12.34", "currency": "EUR"}, never
// null, {} or a number.
func (c *client) checkMoney(v any, key string) {
	c.t.Helper()
	if slices.Contains(moneyFields, key) {
		m, ok := v.(map[string]any)
		require.True(c.t, ok, "%s is %v, not an object", key, v)
		amount, _ := m["amount"].(string)
		currency, _ := m["currency"].(string)
		require.Regexp(c.t, amountRE, amount, "%s: %v", key, v)
		require.Regexp(c.t, currencyRE, currency, "%s: %v", key, v)
		require.Len(c.t, m, 2, "%s: %v", key, v)
		c.money.mu.Lock()
		c.money.keys[key] = true
		c.money.mu.Unlock()
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			c.checkMoney(x, k)
		}
	case []any:
		for _, x := range v {
			c.checkMoney(x, key)
		}
	}
}

// ok requires status and decodes the body into v (unless nil), which it
// zeroes first: decoding into a map that a previous response filled would
// keep the keys this one leaves out.
func (r *response) ok(status int, v any) *response {
	r.t.Helper()
	require.Equal(r.t, status, r.status, "body: %s", r.body)
	if v != nil {
		reflect.ValueOf(v).Elem().SetZero()
		require.Equal(r.t, "application/json", r.header.Get("Content-Type"))
		require.NoError(r.t, json.Unmarshal(r.body, v), "%s", r.body)
	}
	return r
}

// problemDoc is what a client reads of a problem document.
type problemDoc struct {
	Type, Title, Detail, Code string
	Status                    int
	Errors                    []struct{ Field, Reason string }
	Available, Requested      *money
}

// problem requires a problem document with status and code, and returns it.
func (r *response) problem(status int, code string) problemDoc {
	r.t.Helper()
	require.Equal(r.t, status, r.status, "body: %s", r.body)
	require.Equal(r.t, "application/problem+json", r.header.Get("Content-Type"))
	var p problemDoc
	require.NoError(r.t, json.Unmarshal(r.body, &p), "%s", r.body)
	require.Equal(r.t, status, p.Status)
	require.Equal(r.t, code, p.Code)
	require.Equal(r.t, problemType+code, p.Type)
	require.NotEmpty(r.t, p.Title)
	return p
}

// invalid requires a validation problem naming field.
func (r *response) invalid(field string) problemDoc {
	r.t.Helper()
	p := r.problem(http.StatusUnprocessableEntity, "invalid")
	require.Len(r.t, p.Errors, 1, "%s", r.body)
	require.Equal(r.t, field, p.Errors[0].Field, "%s", r.body)
	require.NotEmpty(r.t, p.Errors[0].Reason)
	return p
}
