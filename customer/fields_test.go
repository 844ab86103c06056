package customer_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

func TestNormalizeTags(t *testing.T) {
	fifty := make([]string, 50)
	for i := range fifty {
		fifty[i] = fmt.Sprintf("tag%02d", i)
	}
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"nil", nil, nil},
		{"empty", []string{}, nil},
		{"trim lower sort dedupe", []string{" VIP ", "b2b", "vip", "B2B", "Newsletter"}, []string{"b2b", "newsletter", "vip"}},
		{"NFC", []string{"cafe\u0301", "café"}, []string{"café"}},
		{"inner spaces kept", []string{"Black Friday"}, []string{"black friday"}},
		{"unicode lower-case", []string{"ÜBER", "Straße"}, []string{"straße", "über"}},
		{"64 bytes", []string{strings.Repeat("t", 64)}, []string{strings.Repeat("t", 64)}},
		{"50 tags", fifty, fifty},
		{"duplicates do not count towards the limit", append(append([]string{}, fifty...), "TAG00", " tag49"), fifty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := customer.NormalizeTags(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := customer.NormalizeTags(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "idempotent")
		})
	}
}

func TestNormalizeTagsRejects(t *testing.T) {
	fiftyOne := make([]string, 51)
	for i := range fiftyOne {
		fiftyOne[i] = fmt.Sprintf("tag%02d", i)
	}
	tests := []struct {
		name string
		in   []string
	}{
		{"blank", []string{"ok", "  "}},
		{"empty", []string{""}},
		{"65 bytes", []string{strings.Repeat("t", 65)}},
		{"comma", []string{"a,b"}},
		{"newline", []string{"a\nb"}},
		{"tab", []string{"a\tb"}},
		{"NUL", []string{"a\x00"}},
		{"invalid UTF-8", []string{"\xff"}},
		{"51 tags", fiftyOne},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := customer.NormalizeTags(tt.in)
			requireFieldError(t, err, "tags")
			assert.Nil(t, got)
		})
	}
}

func TestNormalizeTagsDoesNotModifyInput(t *testing.T) {
	in := []string{"B", "A"}
	_, err := customer.NormalizeTags(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"B", "A"}, in)
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", ""},
		{"   ", ""},
		{"+4930 1234567", "+49301234567"},
		{"+49 30 1234567", "+49301234567"},
		{" +49 (30) 123-4567 ", "+49301234567"},
		{"+49301234567", "+49301234567"},
		{"+1 650-253-0000", "+16502530000"},
		{"+1 (202) 555-0123", "+12025550123"},
		{"+44 20 7946 0958", "+442079460958"},
		{"+41 44 668 18 00", "+41446681800"},
		{"+33 1 23 45 67 89", "+33123456789"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := customer.NormalizePhone(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := customer.NormalizePhone(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "idempotent")
		})
	}
}

func TestNormalizePhoneRejects(t *testing.T) {
	tests := []string{
		"030 1234567",            // national, no region to interpret it with
		"004930 1234567",         // international prefix instead of +
		"4930 1234567",           // no leading +
		"+",                      // nothing
		"+49",                    // country code only
		"+49 30",                 // too short
		"+1 555 555 0123",        // not a valid US number
		"+999 1234567",           // unknown country code
		"+49 30 1234567 ext. 12", // extension
		"+49 30 1234567\x00",     // control char
		"+49\n30 1234567",        // control char
		"+49 30 12\xff34567",     // invalid UTF-8
		"+hello",
		"+" + strings.Repeat("1", 100),
		"bob@example.com",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			got, err := customer.NormalizePhone(in)
			requireFieldError(t, err, "phone")
			assert.Empty(t, got)
		})
	}
}
