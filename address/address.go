package address

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/phone"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// ErrInvalid is the sentinel every validation error of this package unwraps to.
var ErrInvalid = errcode.New(errcode.Invalid, "address: invalid input")

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid) holds for it.
type ValidationError = validation.Error

// Length limits of the address fields, in bytes.
const (
	MaxNameLength       = 100 // FirstName, LastName and Company
	MaxLineLength       = 200 // Line1, Line2 and City
	MaxPostalCodeLength = 20
	MaxProvinceLength   = 100
	// MaxPhoneLength bounds the phone number as typed, before it is parsed;
	// an E.164 number itself has at most 16 bytes.
	MaxPhoneLength = 64
)

// Address is a postal address. The zero value is not a valid address: Line1,
// City and Country are required.
//
// Its JSON names are the json tags below, the names ValidationError.Field
// reports. Decoding does not normalize or validate: pass the result to
// Parse. (Address has no JSON methods of its own so that an Entry, which
// embeds it, carries its fields inline.)
type Address struct {
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
	Company   string `json:"company,omitempty"`
	Line1     string `json:"line1"`
	Line2     string `json:"line2,omitempty"`
	City      string `json:"city"`
	// PostalCode is kept as typed (after trimming); its format depends on
	// the country and is not checked beyond its length.
	PostalCode string `json:"postal_code,omitempty"`
	// Province is the state, province or region, as typed.
	Province string `json:"province,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code, upper case ("DE").
	Country string `json:"country"`
	// Phone is an E.164 number ("+4930123456") or "".
	Phone string `json:"phone,omitempty"`
}

// Normalize returns a with every field trimmed of surrounding white space and
// in Unicode NFC, Country upper-cased, and Phone formatted as E.164 when it is
// a valid international number starting with "+". Values it cannot make sense
// of are left for Validate to reject. Normalize is idempotent.
func (a Address) Normalize() Address {
	a.FirstName = textnorm.Clean(a.FirstName)
	a.LastName = textnorm.Clean(a.LastName)
	a.Company = textnorm.Clean(a.Company)
	a.Line1 = textnorm.Clean(a.Line1)
	a.Line2 = textnorm.Clean(a.Line2)
	a.City = textnorm.Clean(a.City)
	a.PostalCode = textnorm.Clean(a.PostalCode)
	a.Province = textnorm.Clean(a.Province)
	a.Country = strings.ToUpper(textnorm.Clean(a.Country))
	a.Phone = normalizePhone(textnorm.Clean(a.Phone))
	return a
}

// Validate checks a normalized address. Line1, City and Country are
// required; every field must be valid UTF-8 without control characters and
// within its length limit; Country must be an assigned ISO 3166-1 alpha-2 code
// in upper case; Phone, when set, must be a valid number in E.164 form. The
// error is a *ValidationError for the first invalid field.
func (a Address) Validate() error {
	checks := []struct {
		field    string
		value    string
		max      int
		required bool
	}{
		{"first_name", a.FirstName, MaxNameLength, false},
		{"last_name", a.LastName, MaxNameLength, false},
		{"company", a.Company, MaxNameLength, false},
		{"line1", a.Line1, MaxLineLength, true},
		{"line2", a.Line2, MaxLineLength, false},
		{"city", a.City, MaxLineLength, true},
		{"postal_code", a.PostalCode, MaxPostalCodeLength, false},
		{"province", a.Province, MaxProvinceLength, false},
	}
	for _, c := range checks {
		var err error
		if c.required {
			err = validation.Required(ErrInvalid, c.field, c.value, c.max)
		} else {
			err = validation.Text(ErrInvalid, c.field, c.value, c.max, false)
		}
		if err != nil {
			return err
		}
	}
	if err := ValidateCountry(a.Country); err != nil {
		return err
	}
	return validatePhone(a.Phone)
}

// Parse normalizes a and validates the result. It is what constructors and
// services use on input from outside.
func Parse(a Address) (Address, error) {
	a = a.Normalize()
	if err := a.Validate(); err != nil {
		return Address{}, err
	}
	return a, nil
}

// reservedCountries lists codes that golang.org/x/text/language treats as
// countries but that ISO 3166-1 only reserves: exceptionally reserved codes
// (AC, CP, DG, TA) and transitionally reserved codes of countries that no
// longer exist (AN, CS, FQ, NT, PC, SU, YU). Other reserved codes, such as UK,
// EA, IC, UN, EZ, DD or ZR, are caught by the ISO3 and Canonicalize checks.
var reservedCountries = map[string]bool{
	"AC": true, "CP": true, "DG": true, "TA": true,
	"AN": true, "CS": true, "FQ": true, "NT": true, "PC": true, "SU": true, "YU": true,
}

// ValidateCountry checks that code is an assigned ISO 3166-1 alpha-2 country
// code in upper case ("DE", not "de", "DEU", "276", "EU" or "ZZ"). The error
// is a *ValidationError for the field "country".
func ValidateCountry(code string) error {
	if code == "" {
		return validation.New(ErrInvalid, "country", "is required")
	}
	if len(code) == 2 && isLetter(code[0]) && isLetter(code[1]) && strings.ToUpper(code) != code {
		return validation.New(ErrInvalid, "country", "must be upper case")
	}
	if len(code) != 2 || !isUpperASCII(code[0]) || !isUpperASCII(code[1]) {
		return validation.New(ErrInvalid, "country", "%s is not an ISO 3166-1 alpha-2 country code", validation.Quote(code))
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() || r.String() != code ||
		r.ISO3() == "ZZZ" || r.Canonicalize() != r || reservedCountries[code] {
		return validation.New(ErrInvalid, "country", "%s is not an ISO 3166-1 alpha-2 country code", validation.Quote(code))
	}
	return nil
}

func isUpperASCII(b byte) bool { return 'A' <= b && b <= 'Z' }

func isLetter(b byte) bool { return isUpperASCII(b) || ('a' <= b && b <= 'z') }

// parsePhone returns s in E.164 when it is a valid international number
// without an extension.
func parsePhone(s string) (string, bool) {
	if len(s) > MaxPhoneLength {
		return "", false
	}
	return phone.E164(s)
}

func normalizePhone(s string) string {
	if e, ok := parsePhone(s); ok {
		return e
	}
	return s
}

func validatePhone(s string) error {
	if s == "" {
		return nil
	}
	if err := validation.Text(ErrInvalid, "phone", s, MaxPhoneLength, false); err != nil {
		return err
	}
	if !strings.HasPrefix(s, "+") {
		return validation.New(ErrInvalid, "phone", "must be in international format starting with +")
	}
	e, ok := parsePhone(s)
	if !ok {
		return validation.New(ErrInvalid, "phone", "is not a valid phone number")
	}
	if e != s {
		return validation.New(ErrInvalid, "phone", "must be in E.164 form")
	}
	return nil
}

// Patch changes some fields of an Address. A nil field leaves the value
// unchanged; a pointer to "" clears an optional field (clearing a required
// one makes the result fail validation). Its JSON names are those of
// Address; an absent member (or null) leaves the field unchanged.
type Patch struct {
	FirstName  *string `json:"first_name,omitempty"`
	LastName   *string `json:"last_name,omitempty"`
	Company    *string `json:"company,omitempty"`
	Line1      *string `json:"line1,omitempty"`
	Line2      *string `json:"line2,omitempty"`
	City       *string `json:"city,omitempty"`
	PostalCode *string `json:"postal_code,omitempty"`
	Province   *string `json:"province,omitempty"`
	Country    *string `json:"country,omitempty"`
	Phone      *string `json:"phone,omitempty"`
}

// Apply returns a with the set fields of p replaced, normalized and
// validated by Parse, as every domain package's Patch.Apply validates its
// result. Errors: *ValidationError naming the field.
func (p Patch) Apply(a Address) (Address, error) {
	return Parse(p.Overlay(a))
}

// Overlay returns a with the set fields of p replaced, as they are: it
// neither normalizes nor validates (Apply does both). Test fixtures use it
// to build an address that is invalid on purpose.
func (p Patch) Overlay(a Address) Address {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.FirstName, p.FirstName)
	set(&a.LastName, p.LastName)
	set(&a.Company, p.Company)
	set(&a.Line1, p.Line1)
	set(&a.Line2, p.Line2)
	set(&a.City, p.City)
	set(&a.PostalCode, p.PostalCode)
	set(&a.Province, p.Province)
	set(&a.Country, p.Country)
	set(&a.Phone, p.Phone)
	return a
}

// IsZero reports whether p changes nothing.
func (p Patch) IsZero() bool {
	return p == Patch{}
}

// Clone returns a deep copy of p, so that the caller's string pointers are
// not shared.
func (p Patch) Clone() Patch {
	cp := func(s *string) *string {
		if s == nil {
			return nil
		}
		v := *s
		return &v
	}
	return Patch{
		FirstName:  cp(p.FirstName),
		LastName:   cp(p.LastName),
		Company:    cp(p.Company),
		Line1:      cp(p.Line1),
		Line2:      cp(p.Line2),
		City:       cp(p.City),
		PostalCode: cp(p.PostalCode),
		Province:   cp(p.Province),
		Country:    cp(p.Country),
		Phone:      cp(p.Phone),
	}
}
