package customer

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clientele-go/clientele/internal/phone"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// Field limits, in bytes unless noted.
const (
	MaxNameLength      = 100  // FirstName, LastName
	MaxCompanyLength   = 200  // Company
	MaxVATIDLength     = 50   // VATID
	MaxNoteLength      = 5000 // Note (multi-line)
	MaxReferenceLength = 255  // Reference, ReferenceOrigin
	MaxTagLength       = 64   // one tag
	MaxTags            = 50   // tags per customer
	maxPhoneInput      = 64   // raw phone input, before parsing
)

func newError(field, format string, args ...any) error {
	return validation.New(ErrInvalid, field, format, args...)
}

// NormalizeTags returns tags as a normalized set: each tag trimmed, NFC and
// lower-cased; duplicates removed; sorted. Each tag must be 1..64 bytes of
// valid UTF-8 without commas or control characters, and there may be at
// most 50 distinct tags. It returns nil for no tags. Errors are
// *ValidationError with Field "tags".
func NormalizeTags(tags []string) ([]string, error) {
	if len(tags) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !utf8.ValidString(t) {
			return nil, newError("tags", "contains a tag that is not valid UTF-8")
		}
		n := foldText(strings.TrimSpace(t))
		if n != foldText(n) {
			return nil, newError("tags", "contains a tag that does not normalize stably: %s", validation.Quote(t))
		}
		if err := checkTag(n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxTags {
		return nil, newError("tags", "has more than %d tags", MaxTags)
	}
	return slices.Clip(out), nil
}

// foldText lower-cases s and normalizes it to NFC.
func foldText(s string) string { return textnorm.NFC(strings.ToLower(s)) }

func checkTag(t string) error {
	switch {
	case t == "":
		return newError("tags", "contains a blank tag")
	case len(t) > MaxTagLength:
		return newError("tags", "contains a tag longer than %d bytes: %s", MaxTagLength, validation.Quote(t))
	case strings.ContainsRune(t, ','):
		return newError("tags", "contains a tag with a comma: %s", validation.Quote(t))
	case strings.IndexFunc(t, unicode.IsControl) >= 0:
		return newError("tags", "contains a tag with a control character: %s", validation.Quote(t))
	}
	return nil
}

// validateTags checks that tags is already a normalized set.
func validateTags(tags []string) error {
	n, err := NormalizeTags(tags)
	if err != nil {
		return err
	}
	if !slices.Equal(n, tags) {
		return newError("tags", "is not normalized (trimmed, lower-case, sorted, unique)")
	}
	return nil
}

// NormalizePhone parses a phone number in international format and returns
// it in E.164 ("+4930 1234567" → "+49301234567"). The number must start
// with "+" and a country code, because a customer has no default region to
// interpret national numbers with; it must be a valid number for that
// country according to the libphonenumber metadata, and must not carry an
// extension. An empty (or blank) string returns "" and no error, since the
// phone is optional. Errors are *ValidationError with Field "phone".
func NormalizePhone(s string) (string, error) {
	return normalizePhone("phone", s)
}

func normalizePhone(field, s string) (e164 string, err error) {
	if !utf8.ValidString(s) {
		return "", newError(field, "is not valid UTF-8")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if len(s) > maxPhoneInput {
		return "", newError(field, "is longer than %d bytes", maxPhoneInput)
	}
	if s[0] != '+' {
		return "", newError(field, "must be in international format, starting with + and the country code")
	}
	if strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return "", newError(field, "contains a control character")
	}
	e164, ok := phone.E164(s)
	if !ok {
		return "", newError(field, "is not a valid phone number (without an extension)")
	}
	return e164, nil
}

// normalizeVATID trims, removes inner white space and upper-cases a VAT ID.
func normalizeVATID(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// validateVATID checks a normalized VAT ID: at most 50 bytes of A-Z, 0-9
// and the separators "-", "." and "/".
func validateVATID(s string) error {
	if len(s) > MaxVATIDLength {
		return newError("vat_id", "is longer than %d bytes", MaxVATIDLength)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '/') {
			return newError("vat_id", "may only contain letters A-Z, digits and - . /")
		}
	}
	return nil
}

// validateText wraps validation.Text with this package's sentinel.
func validateText(field, s string, maxBytes int, multiline bool) error {
	return validation.Text(ErrInvalid, field, s, maxBytes, multiline)
}

// validateReference checks the reference pair: each at most 255 bytes of
// single-line text, not blank-padded, and both set or both empty.
func validateReference(ref, origin string) error {
	if err := validateText("reference", ref, MaxReferenceLength, false); err != nil {
		return err
	}
	if err := validateText("reference_origin", origin, MaxReferenceLength, false); err != nil {
		return err
	}
	if strings.TrimSpace(ref) != ref {
		return newError("reference", "must not start or end with white space")
	}
	if strings.TrimSpace(origin) != origin {
		return newError("reference_origin", "must not start or end with white space")
	}
	switch {
	case ref != "" && origin == "":
		return newError("reference_origin", "is required when reference is set")
	case ref == "" && origin != "":
		return newError("reference", "is required when reference_origin is set")
	}
	return nil
}
