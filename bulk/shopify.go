package bulk

import (
	"strings"

	"github.com/clientele-go/clientele/address"
)

// Shopify's customer export has no password hashes and no account flag:
// its rows are imported as guests. The columns that have no Record field
// go to Metadata under the keys below, and come back from them on export.
const (
	ShopifyOrigin             = "shopify"
	MetaAcceptsEmailMarketing = "accepts_email_marketing"
	MetaAcceptsSMSMarketing   = "accepts_sms_marketing"
	MetaTotalSpent            = "total_spent"
	MetaTotalOrders           = "total_orders"
	MetaTaxExempt             = "tax_exempt"
)

// shopifyColumns are the columns of Shopify's customer CSV export, in its
// order; "Customer ID", when present (newer exports), is the reference.
var shopifyColumns = []string{"Customer ID", "First Name", "Last Name", "Email", "Accepts Email Marketing",
	"Default Address Company", "Default Address Address1", "Default Address Address2", "Default Address City",
	"Default Address Province Code", "Default Address Country Code", "Default Address Zip",
	"Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders", "Note",
	"Tax Exempt", "Tags"}

// shopifyMeta maps a column kept in Metadata to its key.
var shopifyMeta = [][2]string{{"Accepts Email Marketing", MetaAcceptsEmailMarketing},
	{"Accepts SMS Marketing", MetaAcceptsSMSMarketing}, {"Total Spent", MetaTotalSpent},
	{"Total Orders", MetaTotalOrders}, {"Tax Exempt", MetaTaxExempt}}

// shopifyFields maps Native field names to Shopify's columns.
var shopifyFields = map[string]string{
	"email": "Email", "first_name": "First Name", "last_name": "Last Name", "phone": "Phone", "note": "Note",
	"tags": "Tags", "reference": "Customer ID", "reference_origin": "Customer ID",
	"addresses[0].company": "Default Address Company", "addresses[0].line1": "Default Address Address1",
	"addresses[0].line2": "Default Address Address2", "addresses[0].city": "Default Address City",
	"addresses[0].province": "Default Address Province Code", "addresses[0].country": "Default Address Country Code",
	"addresses[0].postal_code": "Default Address Zip", "addresses[0].phone": "Default Address Phone",
}

type shopifyCodec struct{}

func (shopifyCodec) columns() []string { return shopifyColumns }

// known accepts the other columns of Shopify's exports, which are ignored.
func (shopifyCodec) known(string) bool { return true }

func (shopifyCodec) field(native string, _ Format) string {
	if c, ok := shopifyFields[native]; ok {
		return c
	}
	return native
}

func (c shopifyCodec) decodeJSON(b []byte) (Record, error) {
	var row map[string]string
	if err := decodeJSON(b, &row, false); err != nil {
		return Record{}, err
	}
	return c.decodeCSV(row)
}

func (c shopifyCodec) encodeJSON(r Record) any {
	cells, _ := c.encodeCSV(r)
	row := make(map[string]string, len(cells))
	for i, col := range shopifyColumns {
		row[col] = cells[i]
	}
	return row
}

func (shopifyCodec) decodeCSV(row map[string]string) (Record, error) {
	r := Record{Email: row["Email"], FirstName: row["First Name"], LastName: row["Last Name"],
		Phone: shopifyPhone(row["Phone"]), Note: row["Note"], Tags: splitList(row["Tags"])}
	if id := strings.TrimSpace(strings.TrimPrefix(row["Customer ID"], "'")); id != "" {
		r.ReferenceOrigin, r.Reference = ShopifyOrigin, id
	}
	for _, m := range shopifyMeta {
		if v := strings.TrimSpace(row[m[0]]); v != "" {
			if r.Metadata == nil {
				r.Metadata = make(map[string]string)
			}
			r.Metadata[m[1]] = v
		}
	}
	a := address.Address{Company: row["Default Address Company"], Line1: row["Default Address Address1"],
		Line2: row["Default Address Address2"], City: row["Default Address City"],
		Province: row["Default Address Province Code"], Country: row["Default Address Country Code"],
		PostalCode: strings.TrimPrefix(row["Default Address Zip"], "'"), Phone: shopifyPhone(row["Default Address Phone"])}
	if a != (address.Address{}) {
		a.FirstName, a.LastName = r.FirstName, r.LastName
		r.Addresses = []Address{{Address: a, DefaultShipping: true, DefaultBilling: true}}
	}
	return r, nil
}

// shopifyPhone drops the apostrophe Shopify puts before a phone number so
// that spreadsheets keep it as text.
func shopifyPhone(s string) string { return strings.TrimPrefix(strings.TrimSpace(s), "'") }

func (shopifyCodec) encodeCSV(r Record) ([]string, error) {
	var ref string
	if r.ReferenceOrigin == ShopifyOrigin {
		ref = r.Reference
	}
	var a address.Address
	if i := defaultAddress(r.Addresses); i >= 0 {
		a = r.Addresses[i].Address
	}
	meta := func(k string) string { return r.Metadata[k] }
	return []string{ref, r.FirstName, r.LastName, r.Email, yesNo(meta(MetaAcceptsEmailMarketing)), a.Company,
		a.Line1, a.Line2, a.City, a.Province, a.Country, a.PostalCode, a.Phone, r.Phone,
		yesNo(meta(MetaAcceptsSMSMarketing)), meta(MetaTotalSpent), meta(MetaTotalOrders), r.Note,
		yesNo(meta(MetaTaxExempt)), strings.Join(r.Tags, ", ")}, nil
}

// yesNo returns Shopify's "no" for an empty flag.
func yesNo(v string) string {
	if v == "" {
		return "no"
	}
	return v
}

// defaultAddress returns the index of the default shipping address, else
// of the default billing address, else 0; -1 for none.
func defaultAddress(as []Address) int {
	for i, a := range as {
		if a.DefaultShipping {
			return i
		}
	}
	for i, a := range as {
		if a.DefaultBilling {
			return i
		}
	}
	if len(as) > 0 {
		return 0
	}
	return -1
}
