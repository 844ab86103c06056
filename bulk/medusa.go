package bulk

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clientele-go/clientele/address"
)

// MedusaOrigin is the ReferenceOrigin of a Medusa customer's ID.
const MedusaOrigin = "medusa"

// medusaJSON is a customer of Medusa v2's customer module, as its admin
// API returns it (GET /admin/customers), with the password hash that
// Medusa keeps in its auth module (provider_identities[].provider_metadata
// .password, scrypt-kdf) as password_hash when the exporter adds it.
type medusaJSON struct {
	ID           string                     `json:"id,omitempty"`
	Email        string                     `json:"email"`
	FirstName    *string                    `json:"first_name"`
	LastName     *string                    `json:"last_name"`
	CompanyName  *string                    `json:"company_name"`
	Phone        *string                    `json:"phone"`
	HasAccount   bool                       `json:"has_account"`
	Metadata     map[string]json.RawMessage `json:"metadata"`
	CreatedAt    string                     `json:"created_at,omitempty"`
	Addresses    []medusaAddress            `json:"addresses"`
	Groups       []medusaGroup              `json:"groups,omitempty"`
	PasswordHash string                     `json:"password_hash,omitempty"`
}

type medusaAddress struct {
	FirstName         *string `json:"first_name"`
	LastName          *string `json:"last_name"`
	Company           *string `json:"company"`
	Address1          *string `json:"address_1"`
	Address2          *string `json:"address_2"`
	City              *string `json:"city"`
	CountryCode       *string `json:"country_code"`
	Province          *string `json:"province"`
	PostalCode        *string `json:"postal_code"`
	Phone             *string `json:"phone"`
	IsDefaultShipping bool    `json:"is_default_shipping"`
	IsDefaultBilling  bool    `json:"is_default_billing"`
}

type medusaGroup struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// medusaColumns are the CSV columns of the Medusa mapping: the customer's
// fields, then its default (else first) address, then the groups' names
// (comma-separated) and the password hash.
var medusaColumns = []string{"id", "email", "first_name", "last_name", "company_name", "phone", "has_account",
	"metadata", "created_at", "address_first_name", "address_last_name", "address_company", "address_1",
	"address_2", "city", "country_code", "province", "postal_code", "address_phone", "is_default_shipping",
	"is_default_billing", "groups", "password_hash"}

var medusaAddressFields = map[string]string{"first_name": "first_name", "last_name": "last_name",
	"company": "company", "line1": "address_1", "line2": "address_2", "city": "city", "country": "country_code",
	"province": "province", "postal_code": "postal_code", "phone": "phone"}

var medusaCSVAddressFields = map[string]string{"first_name": "address_first_name",
	"last_name": "address_last_name", "company": "address_company", "line1": "address_1", "line2": "address_2",
	"city": "city", "country": "country_code", "province": "province", "postal_code": "postal_code",
	"phone": "address_phone"}

type medusaCodec struct{}

func (medusaCodec) columns() []string { return medusaColumns }
func (medusaCodec) known(string) bool { return true }

func (medusaCodec) field(native string, f Format) string {
	switch native {
	case "company":
		return "company_name"
	case "reference", "reference_origin":
		return "id"
	}
	if rest, ok := strings.CutPrefix(native, "addresses["); ok {
		idx, name, _ := strings.Cut(rest, "].")
		if f == CSV {
			if c, ok := medusaCSVAddressFields[name]; ok {
				return c
			}
			return native
		}
		if c, ok := medusaAddressFields[name]; ok {
			return "addresses[" + idx + "]." + c
		}
	}
	if strings.HasPrefix(native, "groups[") && f == CSV {
		return "groups"
	}
	return native
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (medusaCodec) decodeJSON(b []byte) (Record, error) {
	var m medusaJSON
	if err := decodeJSON(b, &m, false); err != nil {
		return Record{}, err
	}
	return m.record()
}

func (m medusaJSON) record() (Record, error) {
	r := Record{Email: m.Email, FirstName: str(m.FirstName), LastName: str(m.LastName), Company: str(m.CompanyName),
		Phone: str(m.Phone), HasAccount: m.HasAccount, PasswordHash: m.PasswordHash}
	if m.ID != "" {
		r.ReferenceOrigin, r.Reference = MedusaOrigin, m.ID
	}
	for k, v := range m.Metadata {
		if r.Metadata == nil {
			r.Metadata = make(map[string]string, len(m.Metadata))
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = string(v) // Medusa's metadata holds any JSON: a non-string keeps its JSON text
		}
		r.Metadata[k] = s
	}
	for _, a := range m.Addresses {
		r.Addresses = append(r.Addresses, Address{Address: address.Address{FirstName: str(a.FirstName),
			LastName: str(a.LastName), Company: str(a.Company), Line1: str(a.Address1), Line2: str(a.Address2),
			City: str(a.City), Country: str(a.CountryCode), Province: str(a.Province),
			PostalCode: str(a.PostalCode), Phone: str(a.Phone)},
			DefaultShipping: a.IsDefaultShipping, DefaultBilling: a.IsDefaultBilling})
	}
	for _, g := range m.Groups {
		r.Groups = append(r.Groups, g.Name)
	}
	t, err := parseTime(m.CreatedAt)
	if err != nil {
		return Record{}, &RowError{Field: "created_at", Err: err}
	}
	r.CreatedAt = t
	return r, nil
}

func toMedusa(r Record) medusaJSON {
	m := medusaJSON{Email: r.Email, FirstName: ptr(r.FirstName), LastName: ptr(r.LastName),
		CompanyName: ptr(r.Company), Phone: ptr(r.Phone), HasAccount: r.HasAccount, PasswordHash: r.PasswordHash,
		Addresses: []medusaAddress{}, Metadata: map[string]json.RawMessage{}}
	if r.ReferenceOrigin == MedusaOrigin {
		m.ID = r.Reference
	}
	for k, v := range r.Metadata {
		b, _ := json.Marshal(v)
		m.Metadata[k] = b
	}
	for _, a := range r.Addresses {
		m.Addresses = append(m.Addresses, medusaAddress{FirstName: ptr(a.FirstName), LastName: ptr(a.LastName),
			Company: ptr(a.Company), Address1: ptr(a.Line1), Address2: ptr(a.Line2), City: ptr(a.City),
			CountryCode: ptr(strings.ToLower(a.Country)), Province: ptr(a.Province), PostalCode: ptr(a.PostalCode),
			Phone: ptr(a.Phone), IsDefaultShipping: a.DefaultShipping, IsDefaultBilling: a.DefaultBilling})
	}
	for _, g := range r.Groups {
		m.Groups = append(m.Groups, medusaGroup{Name: g})
	}
	if !r.CreatedAt.IsZero() {
		m.CreatedAt = r.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return m
}

func (medusaCodec) encodeJSON(r Record) any { return toMedusa(r) }

func (medusaCodec) decodeCSV(row map[string]string) (Record, error) {
	m := medusaJSON{ID: row["id"], Email: row["email"], FirstName: ptr(row["first_name"]),
		LastName: ptr(row["last_name"]), CompanyName: ptr(row["company_name"]), Phone: ptr(row["phone"]),
		CreatedAt: row["created_at"], PasswordHash: row["password_hash"]}
	var err error
	if m.HasAccount, err = parseBool(row["has_account"]); err != nil {
		return Record{}, &RowError{Field: "has_account", Err: err}
	}
	if err := cellJSON(row["metadata"], "metadata", &m.Metadata); err != nil {
		return Record{}, err
	}
	a := medusaAddress{FirstName: ptr(row["address_first_name"]), LastName: ptr(row["address_last_name"]),
		Company: ptr(row["address_company"]), Address1: ptr(row["address_1"]), Address2: ptr(row["address_2"]),
		City: ptr(row["city"]), CountryCode: ptr(row["country_code"]), Province: ptr(row["province"]),
		PostalCode: ptr(row["postal_code"]), Phone: ptr(row["address_phone"])}
	for _, f := range []struct {
		col string
		dst *bool
	}{{"is_default_shipping", &a.IsDefaultShipping}, {"is_default_billing", &a.IsDefaultBilling}} {
		if *f.dst, err = parseBool(row[f.col]); err != nil {
			return Record{}, &RowError{Field: f.col, Err: err}
		}
	}
	if a != (medusaAddress{IsDefaultShipping: a.IsDefaultShipping, IsDefaultBilling: a.IsDefaultBilling}) {
		m.Addresses = []medusaAddress{a}
	}
	for _, g := range splitList(row["groups"]) {
		m.Groups = append(m.Groups, medusaGroup{Name: g})
	}
	return m.record()
}

func (medusaCodec) encodeCSV(r Record) ([]string, error) {
	m := toMedusa(r)
	meta := ""
	if len(m.Metadata) > 0 {
		b, err := json.Marshal(m.Metadata)
		if err != nil {
			return nil, err
		}
		meta = string(b)
	}
	var a medusaAddress
	if i := defaultAddress(r.Addresses); i >= 0 {
		a = m.Addresses[i]
	}
	var groups []string
	for _, g := range r.Groups {
		if strings.Contains(g, ",") {
			return nil, fmt.Errorf("%w: group name %q has a comma, which the medusa CSV layout cannot hold", ErrInvalid, truncate(g))
		}
		groups = append(groups, g)
	}
	return []string{m.ID, m.Email, str(m.FirstName), str(m.LastName), str(m.CompanyName), str(m.Phone),
		strconv.FormatBool(m.HasAccount), meta, m.CreatedAt, str(a.FirstName), str(a.LastName), str(a.Company),
		str(a.Address1), str(a.Address2), str(a.City), str(a.CountryCode), str(a.Province), str(a.PostalCode),
		str(a.Phone), strconv.FormatBool(a.IsDefaultShipping), strconv.FormatBool(a.IsDefaultBilling),
		strings.Join(groups, ","), m.PasswordHash}, nil
}
