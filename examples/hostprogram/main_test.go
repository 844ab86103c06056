package main

import (
	"context"
	"encoding/json"
	"go/parser"
	"go/token"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/clientele-go/clientele"

// TestImports holds the host program to the surface a host application
// needs: the standard library, the root package, the domain packages, the
// page and errcode leaf packages, github.com/google/uuid (the IDs' type) and
// one adapter; never the storage contract.
func TestImports(t *testing.T) {
	allowed := map[string]bool{"github.com/google/uuid": true}
	for _, p := range []string{"", "/customer", "/address", "/group", "/merchant", "/market", "/balance", "/order", "/page", "/errcode"} {
		allowed[module+p] = true
	}
	adapters := map[string]bool{}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			switch {
			case !strings.Contains(strings.Split(path, "/")[0], "."): // the standard library
			case allowed[path]:
			case path == module+"/storage/memory":
				adapters["memory"] = true
			case path == module+"/storage/sqlstore" || strings.HasPrefix(path, module+"/storage/sqlstore/"):
				adapters["sqlstore"] = true
			default:
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
	require.Len(t, adapters, 1, "one adapter: %v", adapters)
}

// TestHostProgram drives the five handlers over SQLite.
func TestHostProgram(t *testing.T) {
	svc, err := open(context.Background(), filepath.Join(t.TempDir(), "host.db"))
	require.NoError(t, err)
	srv := httptest.NewServer(routes(svc))
	defer srv.Close()
	call := func(method, path, body string, want int) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Idempotency-Key", "k-1")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		require.Equal(t, want, res.StatusCode, "%s %s: %s", method, path, b)
		var v map[string]any
		require.NoError(t, json.Unmarshal(b, &v), "%s", b)
		return v
	}

	ada := call("POST", "/customers", `{"email":"Ada@Example.com","first_name":"Ada"}`, http.StatusCreated)
	id, _ := ada["id"].(string)
	require.NotEmpty(t, id)
	require.Equal(t, "Ada", call("GET", "/customers/"+id, "", http.StatusOK)["first_name"])
	require.Equal(t, "conflict", call("POST", "/customers", `{"email":"ada@example.com"}`, http.StatusConflict)["code"])
	require.Equal(t, "not_found", call("GET", "/customers/0190f8a2-5c1e-7d3a-9b4f-2a6c8e0d1f34", "", http.StatusNotFound)["code"])
	require.Equal(t, "invalid", call("GET", "/customers/42", "", http.StatusUnprocessableEntity)["code"])

	entry := call("POST", "/customers/"+id+"/addresses", `{"line1":"Torstraße 1","city":"Berlin","country":"de"}`, http.StatusCreated)
	require.Equal(t, "DE", entry["country"])
	require.Equal(t, "invalid", call("POST", "/customers/"+id+"/addresses", `{"line1":"x","city":"y","country":"EU"}`, http.StatusUnprocessableEntity)["code"])

	posting := call("POST", "/customers/"+id+"/credits", `{"amount":{"amount":"30.00","currency":"EUR"},"kind":"gift_card"}`, http.StatusCreated)
	replay := call("POST", "/customers/"+id+"/credits", `{"amount":{"amount":"30.00","currency":"EUR"},"kind":"gift_card"}`, http.StatusCreated)
	require.Equal(t, posting["id"], replay["id"])
	require.Equal(t, "invalid", call("POST", "/customers/"+id+"/credits", `{"amount":{"amount":"1.005","currency":"EUR"}}`, http.StatusUnprocessableEntity)["code"])

	list := call("GET", "/customers", "", http.StatusOK)
	require.Len(t, list["items"], 1)

	// The JSON carries every amount as a string with its currency.
	for _, name := range []string{"amount", "ending_balance"} {
		require.Equal(t, map[string]any{"amount": "30.00", "currency": "EUR"}, posting[name], "%s in %v", name, posting)
	}
}
