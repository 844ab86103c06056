package main

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/storage/memory"
)

// openAPIDoc is what the test reads of the OpenAPI document.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Parameters map[string]parameter `json:"parameters"`
	} `json:"components"`
}

type parameter struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

var wildcard = regexp.MustCompile(`\{([a-z_]+)\}`)

// TestOpenAPIMatchesRoutes holds the document to the mux: every route
// registered appears in the document with the same method and path, every
// operation of the document is routed to its own pattern, and each
// operation declares exactly its path's wildcards as path parameters.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var spec openAPIDoc
	require.NoError(t, json.Unmarshal(openAPI, &spec))
	require.Equal(t, "3.1.0", spec.OpenAPI)

	var documented []string
	ids := map[string]bool{}
	for path, item := range spec.Paths {
		for method, raw := range item {
			if !slices.Contains([]string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}, method) {
				continue
			}
			documented = append(documented, strings.ToUpper(method)+" "+path)
			var op struct {
				OperationID string      `json:"operationId"`
				Parameters  []parameter `json:"parameters"`
			}
			require.NoError(t, json.Unmarshal(raw, &op))
			require.NotEmpty(t, op.OperationID, "%s %s", method, path)
			require.False(t, ids[op.OperationID], "operationId %s twice", op.OperationID)
			ids[op.OperationID] = true

			var declared, want []string
			for _, p := range op.Parameters {
				if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
					var found bool
					p, found = spec.Components.Parameters[name]
					require.True(t, found, "%s %s: no parameter %s", method, path, name)
				}
				if p.In == "path" {
					declared = append(declared, p.Name)
				}
			}
			for _, m := range wildcard.FindAllStringSubmatch(path, -1) {
				want = append(want, m[1])
			}
			slices.Sort(declared)
			slices.Sort(want)
			require.Equal(t, want, declared, "path parameters of %s %s", method, path)
		}
	}

	var registered []string
	for _, rt := range (&api{}).routes() {
		registered = append(registered, rt.method+" "+rt.path)
	}
	slices.Sort(documented)
	slices.Sort(registered)
	require.Equal(t, registered, documented, "routes (left) and the OpenAPI document (right) differ")

	// The mux routes each documented operation to its own pattern.
	mux := newMux(clientele.New(memory.New()))
	for _, opn := range documented {
		method, path, _ := strings.Cut(opn, " ")
		req := httptest.NewRequest(method, wildcard.ReplaceAllString(path, "x"), nil)
		_, pattern := mux.Handler(req)
		require.Equal(t, opn, pattern)
	}
}
