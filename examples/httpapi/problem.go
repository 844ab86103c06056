package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
)

// problem is an RFC 9457 problem details document
// (application/problem+json).
type problem struct {
	// Type identifies the kind of problem; it ends with Code.
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Code is the error category (errcode.Code.String), or one of
	// "bad_request", "too_large", "unsupported_media_type" for a request the
	// service could not read, or "method_not_allowed".
	Code string `json:"code"`
	// Errors names the invalid fields of a validation problem.
	Errors []fieldError `json:"errors,omitempty"`
	// Available and Requested explain an insufficient_funds failure.
	Available *balance.Money `json:"available,omitempty"`
	Requested *balance.Money `json:"requested,omitempty"`
}

// fieldError names one invalid input field, as errcode.ValidationError does.
type fieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// problemType is the prefix of every problem's type: a tag URI (RFC 4151),
// which identifies without pretending to be a page to fetch.
const problemType = "tag:clientele-go.github.io,2025:problem:"

// titles are the problems' short summaries, by code.
var titles = map[string]string{
	errcode.Unknown.String():            "Internal error",
	errcode.NotFound.String():           "Not found",
	errcode.Conflict.String():           "Conflict",
	errcode.Invalid.String():            "Invalid input",
	errcode.FailedPrecondition.String(): "Not allowed in the current state",
	errcode.Stale.String():              "Precondition failed",
	errcode.Denied.String():             "Access denied",
	errcode.Unavailable.String():        "Service unavailable",
	errcode.CommitUnknown.String():      "Outcome unknown",
	errcode.Unsupported.String():        "Not supported",
	errcode.Canceled.String():           "Request canceled",
	errcode.DeadlineExceeded.String():   "Deadline exceeded",
	errcode.Unauthenticated.String():    "Not signed in",
	"bad_request":                       "Malformed request",
	"too_large":                         "Request body too large",
	"unsupported_media_type":            "Unsupported media type",
	"method_not_allowed":                "Method not allowed",
}

// requestError reports a request the service could not read (malformed
// JSON, a body too large, the wrong media type, a malformed header): the
// client's mistake before any input reached the library.
type requestError struct {
	status int
	code   string
	detail string
}

func (e *requestError) Error() string { return e.detail }

func badRequest(detail string) error {
	return &requestError{http.StatusBadRequest, "bad_request", detail}
}

// writeError answers with the problem document for err. It is the one place
// that maps errors to statuses: a requestError carries its own, and every
// other error gets its category's (errcode.Of(err).HTTPStatus()). Error text
// is never inspected, and the text of uncategorized errors (a driver's) is
// logged, not shown.
func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var p problem
	var re *requestError
	if errors.As(err, &re) {
		p = problem{Status: re.status, Code: re.code, Detail: re.detail}
	} else {
		code := errcode.Of(err)
		p = problem{Status: code.HTTPStatus(), Code: code.String(), Detail: err.Error()}
		switch code {
		case errcode.Unknown, errcode.Unavailable, errcode.CommitUnknown:
			slog.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "code", p.Code, "err", err)
			p.Detail = map[errcode.Code]string{
				errcode.Unknown:       "The request failed; it has been logged.",
				errcode.Unavailable:   "The database is unavailable; the request did not take effect. Try again later.",
				errcode.CommitUnknown: "The request may or may not have taken effect: retry with the same Idempotency-Key, or read the record back.",
			}[code]
		}
		var ve *errcode.ValidationError
		if errors.As(err, &ve) && ve.Field != "" {
			p.Errors = []fieldError{{Field: ve.Field, Reason: ve.Reason}}
		}
		var funds *balance.InsufficientFundsError
		if errors.As(err, &funds) {
			p.Available, p.Requested = &funds.Available, &funds.Requested
		}
	}
	writeProblem(w, p)
}

// writeProblem fills in the type and title of p and writes it.
func writeProblem(w http.ResponseWriter, p problem) {
	p.Type = problemType + p.Code
	p.Title = titles[p.Code]
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
