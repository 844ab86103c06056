package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
)

// TestWriteError maps errors of every kind through the one function: the
// status of the category, the type and code, and no internal text for the
// failures a client cannot act on.
func TestWriteError(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
		hidden string // text of err the detail must not show
	}{
		{fmt.Errorf("lookup: %w", customer.ErrNotFound), 404, "not_found", ""},
		{fmt.Errorf("register: %w", customer.ErrEmailTaken), 409, "conflict", ""},
		{errors.New("pq: connection reset by peer at 10.0.0.7"), 500, "unknown", "10.0.0.7"},
		{fmt.Errorf("dial 10.0.0.7: %w", errcode.Unavailable), 503, "unavailable", "10.0.0.7"},
		{fmt.Errorf("commit on 10.0.0.7: %w", errcode.CommitUnknown), 503, "commit_unknown", "10.0.0.7"},
		{&errcode.ValidationError{Reason: "the input as a whole"}, 422, "invalid", ""},
		{badRequest("bad JSON"), 400, "bad_request", ""},
	} {
		rec := httptest.NewRecorder()
		writeError(rec, httptest.NewRequest("GET", "/x", nil), tc.err)
		require.Equal(t, tc.status, rec.Code, "%v", tc.err)
		require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
		var p problem
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
		require.Equal(t, tc.status, p.Status)
		require.Equal(t, tc.code, p.Code)
		require.Equal(t, problemType+tc.code, p.Type)
		require.NotEmpty(t, p.Title)
		require.NotEmpty(t, p.Detail)
		require.Empty(t, p.Errors, "a validation error without a field names none")
		if tc.hidden != "" {
			require.NotContains(t, p.Detail, tc.hidden)
		}
	}
}
