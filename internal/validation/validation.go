package validation

import (
	"errors"
	"fmt"
	"github.com/clientele-go/clientele/errcode"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is the field error every domain package returns; see
// errcode.ValidationError, its public name.
type Error = errcode.ValidationError

// New returns a field error that unwraps to sentinel.
func New(sentinel error, field, format string, args ...any) *Error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

// Prefix returns err with its field name prefixed by parent ("billing_address.")
// when err is a *Error; other errors are returned unchanged.
func Prefix(parent string, err error) error {
	var ve *Error
	if errors.As(err, &ve) {
		cp := *ve
		if cp.Field == "" {
			cp.Field = parent
		} else {
			cp.Field = parent + "." + cp.Field
		}
		return &cp
	}
	return err
}

// Text checks a free-text field: valid UTF-8, at most maxBytes bytes, and no
// control characters (newlines and tabs are allowed only when multiline is
// true). It returns nil for an empty string; required fields check emptiness
// themselves.
func Text(sentinel error, field, s string, maxBytes int, multiline bool) error {
	if !utf8.ValidString(s) {
		return New(sentinel, field, "is not valid UTF-8")
	}
	if len(s) > maxBytes {
		return New(sentinel, field, "is longer than %d bytes", maxBytes)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) {
			return New(sentinel, field, "contains a control character")
		}
	}
	return nil
}

// Required checks that s is not blank and then applies Text.
func Required(sentinel error, field, s string, maxBytes int) error {
	if strings.TrimSpace(s) == "" {
		return New(sentinel, field, "is required")
	}
	return Text(sentinel, field, s, maxBytes, false)
}

// Metadata limits shared by every entity that carries metadata.
const (
	MaxMetadataKeys        = 50
	MaxMetadataKeyLength   = 40  // characters (runes)
	MaxMetadataValueLength = 500 // characters (runes)
)

// Metadata checks a metadata map against the limits above: at most 50 keys,
// non-blank keys of at most 40 characters, values of at most 500 characters,
// all valid UTF-8 without control characters. Keys and values are single
// line: newline, carriage return and tab are control characters too (a host
// that needs structured values stores JSON text, whose escapes keep them out).
// An invalid value's error names the field "<field>.<key>".
func Metadata(sentinel error, field string, m map[string]string) error {
	if len(m) > MaxMetadataKeys {
		return New(sentinel, field, "has more than %d keys", MaxMetadataKeys)
	}
	for k, v := range m {
		if strings.TrimSpace(k) == "" {
			return New(sentinel, field, "has a blank key")
		}
		if err := Text(sentinel, field, k, 4*MaxMetadataKeyLength, false); err != nil {
			return New(sentinel, field, "key %s is invalid: %s", Quote(k), err.(*Error).Reason)
		}
		if utf8.RuneCountInString(k) > MaxMetadataKeyLength {
			return New(sentinel, field, "key %s is longer than %d characters", Quote(k), MaxMetadataKeyLength)
		}
		if err := Text(sentinel, field, v, 4*MaxMetadataValueLength, false); err != nil {
			return New(sentinel, field+"."+k, "%s", err.(*Error).Reason)
		}
		if utf8.RuneCountInString(v) > MaxMetadataValueLength {
			return New(sentinel, field+"."+k, "is longer than %d characters", MaxMetadataValueLength)
		}
	}
	return nil
}

// CloneMetadata returns a copy of m (nil for an empty map), so that entities
// never share a map with their caller.
func CloneMetadata(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// PatchMetadata returns m with the changes of patch applied, as a fresh map
// (nil when empty): a key mapped to nil is deleted, any other key is set. A
// nil patch returns a copy of m. It is the metadata half of every domain
// package's patch semantics; callers validate the result.
func PatchMetadata(m map[string]string, patch map[string]*string) map[string]string {
	out := make(map[string]string, len(m)+len(patch))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	return CloneMetadata(out)
}
