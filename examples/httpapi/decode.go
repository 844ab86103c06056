package main

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/page"
)

// maxBody bounds every request body; a batch of page.MaxLimit IDs fits well
// within it.
const maxBody = 1 << 20

// invalid returns a validation error for an input of the HTTP layer (a path
// segment, a query parameter, a header), in the form the library uses for
// its own fields, so that it becomes the same problem document.
func invalid(field, reason string) error {
	return &errcode.ValidationError{Field: field, Reason: reason}
}

// decode reads the JSON body into v: at most maxBody bytes, one JSON value
// and nothing after it, no field that v does not have. A body the service
// cannot read is a 400 (413 when too large, 415 when not JSON); a value of
// the wrong JSON type is a validation error naming the field.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &requestError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be JSON (Content-Type: application/json)"}
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return badRequest("the body holds more than one JSON value")
		}
		return nil
	}
	var (
		syntax   *json.SyntaxError
		typ      *json.UnmarshalTypeError
		tooLarge *http.MaxBytesError
	)
	switch {
	case errors.As(err, &tooLarge):
		return &requestError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("the body exceeds %d bytes", maxBody)}
	case errors.Is(err, io.EOF):
		return badRequest("the body is empty; it must be a JSON object")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the body is not well-formed JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("the body must be a JSON object")
		}
		return invalid(typ.Field, "must be a JSON "+jsonType(typ.Type))
	case errcode.Of(err) != errcode.Unknown:
		// A value's own UnmarshalText refused it (an unknown enum name):
		// its validation error names the field.
		return err
	default:
		// encoding/json reports an unknown field with an untyped error.
		return badRequest("the body does not match the operation's schema (an unknown field?); see /openapi.json")
	}
}

// jsonType names the JSON type that decodes into t.
func jsonType(t reflect.Type) string {
	if reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	default:
		return "number"
	}
}

// pathID parses the path wildcard name as a UUID.
func pathID(r *http.Request, name string) (uuid.UUID, error) {
	return parseID(name, r.PathValue(name))
}

// parseID parses the input field as a UUID. Request bodies carry IDs as
// strings and parse them here, so that a bad one is an error naming its
// field (a uuid.UUID field would fail inside the JSON decoder, which does
// not say where).
func parseID(field, s string) (uuid.UUID, error) {
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, invalid(field, "is not a UUID such as 0190f8a2-5c1e-7d3a-9b4f-2a6c8e0d1f34")
	}
	return id, nil
}

// optionalID is parseID for a field that may be left out ("" is uuid.Nil).
func optionalID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	return parseID(field, s)
}

// query reads query parameters, refusing any parameter the operation does
// not take, so that a misspelt filter is an error instead of being ignored.
type query struct {
	v   url.Values
	err error
}

// newQuery returns the request's query parameters, of which only allowed
// (and, always, limit and cursor) are accepted.
func newQuery(r *http.Request, allowed ...string) *query {
	q := &query{v: r.URL.Query()}
	for name := range q.v {
		if name != "limit" && name != "cursor" && !contains(allowed, name) {
			q.fail(invalid(name, "is not a query parameter of this operation"))
		}
	}
	return q
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (q *query) fail(err error) {
	if q.err == nil && err != nil {
		q.err = err
	}
}

// page returns the page request of limit and cursor.
func (q *query) page() page.Request {
	var p page.Request
	p.Cursor = q.v.Get("cursor")
	if s := q.v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > page.MaxLimit {
			q.fail(invalid("limit", fmt.Sprintf("must be a whole number from 1 to %d", page.MaxLimit)))
		}
		p.Limit = n
	}
	return p
}

func (q *query) string(name string) string { return q.v.Get(name) }

func (q *query) strings(name string) []string { return q.v[name] }

func (q *query) id(name string) uuid.UUID {
	s := q.v.Get(name)
	if s == "" {
		return uuid.Nil
	}
	id, err := parseID(name, s)
	q.fail(err)
	return id
}

func (q *query) bool(name string) *bool {
	s := q.v.Get(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(invalid(name, "must be true or false"))
	}
	return &b
}

func (q *query) time(name string) time.Time {
	s := q.v.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		q.fail(invalid(name, "must be an RFC 3339 time such as 2025-01-31T00:00:00Z"))
	}
	return t
}

// text decodes the parameter into v with its UnmarshalText (an enum), whose
// validation error names the field.
func (q *query) text(name string, v interface{ UnmarshalText([]byte) error }) {
	if s := q.v.Get(name); s != "" {
		if err := v.UnmarshalText([]byte(s)); err != nil {
			q.fail(err)
		}
	}
}

// etag is the entity tag of a record's version.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

// errNoMatch answers an If-Match whose entity tag can match no version.
var errNoMatch = fmt.Errorf("%w: the If-Match entity tag matches no version", errcode.Stale)

// ifMatch reads the If-Match header: the version of one strong entity tag
// ("3", as ETag gives it), or ok false when the header is absent or "*"
// (any version). A weak tag, or a tag that is no version, never matches
// (RFC 9110, 13.1.1: If-Match compares strongly): errcode.Stale, a 412.
// Anything else, lists of tags included (an update expects one version),
// is a 400.
func ifMatch(r *http.Request) (version int64, ok bool, err error) {
	vals := r.Header.Values("If-Match")
	if len(vals) == 0 {
		return 0, false, nil
	}
	s := strings.TrimSpace(strings.Join(vals, ","))
	if s == "*" {
		return 0, false, nil
	}
	weak := strings.HasPrefix(s, "W/")
	inner, found := strings.CutPrefix(strings.TrimPrefix(s, "W/"), `"`)
	inner, closed := strings.CutSuffix(inner, `"`)
	if !found || !closed || strings.ContainsAny(inner, "\",\x00\r\n") {
		return 0, false, badRequest(`If-Match must be one entity tag as ETag gives it (such as "3") or *`)
	}
	v, err := strconv.ParseInt(inner, 10, 64)
	if weak || err != nil || v < 1 || strconv.FormatInt(v, 10) != inner {
		return 0, false, errNoMatch
	}
	return v, true, nil
}
