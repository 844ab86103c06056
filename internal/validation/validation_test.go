package validation

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errTest = errors.New("test: invalid input")

func TestErrorUnwrapsToSentinel(t *testing.T) {
	err := New(errTest, "email", "is %s", "required")
	assert.Equal(t, "email: is required", err.Error())
	assert.ErrorIs(t, err, errTest)
	var ve *Error
	require.True(t, errors.As(fmt.Errorf("wrapped: %w", err), &ve))
	assert.Equal(t, "email", ve.Field)
	assert.Equal(t, "is required", (&Error{Reason: "is required"}).Error())
}

func TestPrefix(t *testing.T) {
	err := Prefix("billing_address", New(errTest, "country", "is unknown"))
	assert.Equal(t, "billing_address.country: is unknown", err.Error())
	assert.ErrorIs(t, err, errTest)
	assert.Equal(t, "billing_address: x", Prefix("billing_address", New(errTest, "", "x")).Error())
	other := errors.New("other")
	assert.Same(t, other, Prefix("p", other))
}

func TestText(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        string
		max       int
		multiline bool
		reason    string
	}{
		{"empty is fine", "", 10, false, ""},
		{"plain", "Ada", 10, false, ""},
		{"unicode", "Zoë 😀", 10, false, ""},
		{"exactly max bytes", "abcde", 5, false, ""},
		{"too long", "abcdef", 5, false, "is longer than 5 bytes"},
		{"invalid utf-8", "a\xffb", 10, false, "is not valid UTF-8"},
		{"nul", "a\x00b", 10, false, "contains a control character"},
		{"newline single-line", "a\nb", 10, false, "contains a control character"},
		{"newline multiline", "a\r\n\tb", 10, true, ""},
		{"bell multiline", "a\ab", 10, true, "contains a control character"},
		{"C1 control", "a\u0085b", 10, true, "contains a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Text(errTest, "f", tc.in, tc.max, tc.multiline)
			if tc.reason == "" {
				assert.NoError(t, err)
				return
			}
			var ve *Error
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tc.reason, ve.Reason)
			assert.Equal(t, "f", ve.Field)
		})
	}
	assert.EqualError(t, Required(errTest, "city", " \t", 10), "city: is required")
	assert.NoError(t, Required(errTest, "city", "Berlin", 10))
}

func TestMetadata(t *testing.T) {
	many := map[string]string{}
	for i := range MaxMetadataKeys + 1 {
		many[fmt.Sprint("k", i)] = "v"
	}
	for _, tc := range []struct {
		name string
		in   map[string]string
		bad  bool
	}{
		{"nil", nil, false},
		{"fine", map[string]string{"crm_id": "42", "json": `{"a":"line 1\nline 2"}`}, false},
		{"value with newline", map[string]string{"note": "line 1\nline 2"}, true},
		{"value with carriage return", map[string]string{"k": "a\rb"}, true},
		{"value with tab", map[string]string{"k": "a\tb"}, true},
		{"key with tab", map[string]string{"a\tb": "v"}, true},
		{"key of 40 runes", map[string]string{strings.Repeat("é", 40): "v"}, false},
		{"key of 41 runes", map[string]string{strings.Repeat("k", 41): "v"}, true},
		{"value of 500 runes", map[string]string{"k": strings.Repeat("ü", 500)}, false},
		{"value of 501 runes", map[string]string{"k": strings.Repeat("v", 501)}, true},
		{"blank key", map[string]string{" ": "v"}, true},
		{"key with newline", map[string]string{"a\nb": "v"}, true},
		{"value with NUL", map[string]string{"k": "a\x00"}, true},
		{"invalid utf-8 value", map[string]string{"k": "\xff"}, true},
		{"51 keys", many, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Metadata(errTest, "metadata", tc.in)
			if tc.bad {
				assert.ErrorIs(t, err, errTest)
			} else {
				assert.NoError(t, err)
			}
		})
	}
}

func TestCloneMetadata(t *testing.T) {
	assert.Nil(t, CloneMetadata(nil))
	assert.Nil(t, CloneMetadata(map[string]string{}))
	in := map[string]string{"a": "1"}
	out := CloneMetadata(in)
	out["a"] = "2"
	assert.Equal(t, "1", in["a"])
}

func TestPatchMetadata(t *testing.T) {
	v := func(s string) *string { return &s }
	m := map[string]string{"a": "1", "b": "2"}
	got := PatchMetadata(m, map[string]*string{"a": nil, "c": v("3"), "b": v("20")})
	assert.Equal(t, map[string]string{"b": "20", "c": "3"}, got)
	assert.Equal(t, map[string]string{"a": "1", "b": "2"}, m, "m is not changed")
	assert.Nil(t, PatchMetadata(m, map[string]*string{"a": nil, "b": nil}), "empty is nil")
	cp := PatchMetadata(m, nil)
	assert.Equal(t, m, cp)
	cp["x"] = "y"
	assert.NotContains(t, m, "x", "a copy")
	assert.Nil(t, PatchMetadata(nil, nil))
}
