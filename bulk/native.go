package bulk

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
)

// nativeJSON is a Record in the Native layout.
type nativeJSON struct {
	Email           string            `json:"email"`
	Type            string            `json:"type,omitempty"`
	HasAccount      bool              `json:"has_account,omitempty"`
	FirstName       string            `json:"first_name,omitempty"`
	LastName        string            `json:"last_name,omitempty"`
	Phone           string            `json:"phone,omitempty"`
	Company         string            `json:"company,omitempty"`
	VATID           string            `json:"vat_id,omitempty"`
	Note            string            `json:"note,omitempty"`
	Tags            []string          `json:"tags,omitempty"`
	Metadata        map[string]string `json:"metadata,omitempty"`
	ReferenceOrigin string            `json:"reference_origin,omitempty"`
	Reference       string            `json:"reference,omitempty"`
	Addresses       []addressJSON     `json:"addresses,omitempty"`
	Groups          []string          `json:"groups,omitempty"`
	Balances        []balance.Money   `json:"balances,omitempty"`
	PasswordHash    string            `json:"password_hash,omitempty"`
	CreatedAt       string            `json:"created_at,omitempty"`
}

// addressJSON is an Address in the Native layout.
type addressJSON struct {
	FirstName       string `json:"first_name,omitempty"`
	LastName        string `json:"last_name,omitempty"`
	Company         string `json:"company,omitempty"`
	Line1           string `json:"line1"`
	Line2           string `json:"line2,omitempty"`
	City            string `json:"city"`
	PostalCode      string `json:"postal_code,omitempty"`
	Province        string `json:"province,omitempty"`
	Country         string `json:"country"`
	Phone           string `json:"phone,omitempty"`
	DefaultShipping bool   `json:"default_shipping,omitempty"`
	DefaultBilling  bool   `json:"default_billing,omitempty"`
}

func toAddressJSON(a Address) addressJSON {
	return addressJSON{a.FirstName, a.LastName, a.Company, a.Line1, a.Line2, a.City, a.PostalCode, a.Province,
		a.Country, a.Phone, a.DefaultShipping, a.DefaultBilling}
}

func (a addressJSON) address() Address {
	return Address{Address: address.Address{FirstName: a.FirstName, LastName: a.LastName, Company: a.Company,
		Line1: a.Line1, Line2: a.Line2, City: a.City, PostalCode: a.PostalCode, Province: a.Province,
		Country: a.Country, Phone: a.Phone}, DefaultShipping: a.DefaultShipping, DefaultBilling: a.DefaultBilling}
}

func toNative(r Record) nativeJSON {
	n := nativeJSON{Email: r.Email, HasAccount: r.HasAccount, FirstName: r.FirstName, LastName: r.LastName,
		Phone: r.Phone, Company: r.Company, VATID: r.VATID, Note: r.Note, Tags: r.Tags, Metadata: r.Metadata,
		ReferenceOrigin: r.ReferenceOrigin, Reference: r.Reference, Groups: r.Groups, Balances: r.Balances,
		PasswordHash: r.PasswordHash}
	if r.Type.Valid() {
		n.Type = r.Type.String()
	}
	for _, a := range r.Addresses {
		n.Addresses = append(n.Addresses, toAddressJSON(a))
	}
	if !r.CreatedAt.IsZero() {
		n.CreatedAt = r.CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return n
}

func (n nativeJSON) record() (Record, error) {
	r := Record{Email: n.Email, HasAccount: n.HasAccount, FirstName: n.FirstName, LastName: n.LastName,
		Phone: n.Phone, Company: n.Company, VATID: n.VATID, Note: n.Note, Tags: n.Tags, Metadata: n.Metadata,
		ReferenceOrigin: n.ReferenceOrigin, Reference: n.Reference, Groups: n.Groups, Balances: n.Balances,
		PasswordHash: n.PasswordHash}
	if n.Type != "" {
		t, err := customer.ParseType(n.Type)
		if err != nil {
			return Record{}, &RowError{Field: "type", Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
		}
		r.Type = t
	}
	for _, a := range n.Addresses {
		r.Addresses = append(r.Addresses, a.address())
	}
	t, err := parseTime(n.CreatedAt)
	if err != nil {
		return Record{}, &RowError{Field: "created_at", Err: err}
	}
	r.CreatedAt = t
	return r, nil
}

// parseTime reads an RFC 3339 time ("" is the zero time) in UTC.
func parseTime(s string) (time.Time, error) {
	if s = strings.TrimSpace(s); s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: not an RFC 3339 time", ErrInvalid)
	}
	return t.UTC(), nil
}

// parseBool reads the booleans of CSV files: true/false, yes/no, 1/0, ""
// (false), case-insensitive.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "false", "no", "0", "n", "f":
		return false, nil
	case "true", "yes", "1", "y", "t":
		return true, nil
	}
	return false, fmt.Errorf("%w: not a boolean (true or false)", ErrInvalid)
}

// nativeColumns are the CSV columns of the Native layout, in the order a
// Writer writes them. Lists and maps are JSON values in their cell.
var nativeColumns = []string{"email", "type", "has_account", "first_name", "last_name", "phone", "company",
	"vat_id", "note", "tags", "metadata", "reference_origin", "reference", "addresses", "groups", "balances",
	"password_hash", "created_at"}

type nativeCodec struct{}

func (nativeCodec) columns() []string                    { return nativeColumns }
func (nativeCodec) known(string) bool                    { return false }
func (nativeCodec) field(native string, _ Format) string { return native }

func (nativeCodec) decodeJSON(b []byte) (Record, error) {
	var n nativeJSON
	if err := decodeStrict(b, &n); err != nil {
		return Record{}, err
	}
	return n.record()
}

func (nativeCodec) encodeJSON(r Record) any { return toNative(r) }

func (nativeCodec) decodeCSV(row map[string]string) (Record, error) {
	n := nativeJSON{Email: row["email"], Type: row["type"], FirstName: row["first_name"], LastName: row["last_name"],
		Phone: row["phone"], Company: row["company"], VATID: row["vat_id"], Note: row["note"],
		ReferenceOrigin: row["reference_origin"], Reference: row["reference"], PasswordHash: row["password_hash"],
		CreatedAt: row["created_at"]}
	var err error
	if n.HasAccount, err = parseBool(row["has_account"]); err != nil {
		return Record{}, &RowError{Field: "has_account", Err: err}
	}
	for _, c := range []struct {
		name string
		dst  any
	}{{"tags", &n.Tags}, {"metadata", &n.Metadata}, {"addresses", &n.Addresses}, {"groups", &n.Groups},
		{"balances", &n.Balances}} {
		if err := cellJSON(row[c.name], c.name, c.dst); err != nil {
			return Record{}, err
		}
	}
	return n.record()
}

func (nativeCodec) encodeCSV(r Record) ([]string, error) {
	n := toNative(r)
	cells := []string{n.Email, n.Type, strconv.FormatBool(n.HasAccount), n.FirstName, n.LastName, n.Phone,
		n.Company, n.VATID, n.Note}
	tags, err := jsonCell(len(n.Tags) > 0, n.Tags)
	if err != nil {
		return nil, err
	}
	meta, err := jsonCell(len(n.Metadata) > 0, n.Metadata)
	if err != nil {
		return nil, err
	}
	addrs, err := jsonCell(len(n.Addresses) > 0, n.Addresses)
	if err != nil {
		return nil, err
	}
	groups, err := jsonCell(len(n.Groups) > 0, n.Groups)
	if err != nil {
		return nil, err
	}
	bals, err := jsonCell(len(n.Balances) > 0, n.Balances)
	if err != nil {
		return nil, err
	}
	cells = append(cells, tags, meta, n.ReferenceOrigin, n.Reference, addrs, groups, bals, r.PasswordHash, n.CreatedAt)
	return cells, nil
}

// jsonCell returns v as JSON text, or "" unless set.
func jsonCell(set bool, v any) (string, error) {
	if !set {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// cellJSON decodes the JSON value of a CSV cell into dst ("" leaves it).
// A "tags" or "groups" cell that does not start with "[" is a
// comma-separated list.
func cellJSON(cell, field string, dst any) error {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil
	}
	if list, ok := dst.(*[]string); ok && !strings.HasPrefix(cell, "[") {
		*list = splitList(cell)
		return nil
	}
	if err := decodeStrict([]byte(cell), dst); err != nil {
		if re, ok := err.(*RowError); ok {
			re.Field = joinField(field, re.Field)
			return re
		}
		return err
	}
	return nil
}

// splitList splits a comma-separated list, trimming each item and dropping
// empty ones.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func joinField(parent, child string) string {
	switch {
	case child == "":
		return parent
	case strings.HasPrefix(child, "["):
		return parent + child
	}
	return parent + "." + child
}
