package bulk_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/customer"
)

// readAll reads every row of r, returning the records and the row errors.
func readAll(t *testing.T, r io.Reader, f bulk.Format, m bulk.Mapping) ([]bulk.Record, []*bulk.RowError) {
	t.Helper()
	rd, err := bulk.NewReader(r, f, m)
	require.NoError(t, err)
	rd.Now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []bulk.Record
	var errs []*bulk.RowError
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return recs, errs
		}
		var re *bulk.RowError
		if errors.As(err, &re) {
			assert.Equal(t, re.Line, rd.Line())
			errs = append(errs, re)
			continue
		}
		require.NoError(t, err)
		recs = append(recs, rec)
	}
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParse(t *testing.T) {
	f, err := bulk.ParseFormat(" CSV ")
	require.NoError(t, err)
	assert.Equal(t, bulk.CSV, f)
	f, err = bulk.ParseFormat("ndjson")
	require.NoError(t, err)
	assert.Equal(t, bulk.JSONL, f)
	_, err = bulk.ParseFormat("xml")
	assert.ErrorIs(t, err, bulk.ErrInvalid)
	m, err := bulk.ParseMapping("Shopify")
	require.NoError(t, err)
	assert.Equal(t, bulk.Shopify, m)
	_, err = bulk.ParseMapping("")
	assert.ErrorIs(t, err, bulk.ErrInvalid)
	_, err = bulk.ParseMapping("magento")
	assert.ErrorIs(t, err, bulk.ErrInvalid)
}

func TestShopifySample(t *testing.T) {
	recs, errs := readAll(t, open(t, "shopify_customers.csv"), bulk.CSV, bulk.Shopify)
	require.Len(t, recs, 3)
	require.Len(t, errs, 2)
	assert.Equal(t, 4, errs[0].Line)
	assert.Equal(t, "Email", errs[0].Field)
	assert.Equal(t, 6, errs[1].Line)
	assert.Equal(t, "Default Address Country Code", errs[1].Field)

	r := recs[0]
	assert.Equal(t, "russel.winfield@example.com", r.Email)
	assert.False(t, r.HasAccount)
	assert.Equal(t, "shopify", r.ReferenceOrigin)
	assert.Equal(t, "7023829487716", r.Reference)
	assert.Equal(t, "+16135550135", r.Phone)
	assert.Equal(t, []string{"VIP", "wholesale"}, r.Tags)
	assert.Equal(t, map[string]string{"accepts_email_marketing": "no", "accepts_sms_marketing": "no",
		"total_spent": "0.00", "total_orders": "0", "tax_exempt": "no"}, r.Metadata)
	require.Len(t, r.Addresses, 1)
	assert.Equal(t, bulk.Address{Address: address.Address{FirstName: "Russell", LastName: "Winfield",
		Company: "Company Name", Line1: "105 Victoria St", City: "Toronto", Province: "ON", Country: "CA",
		PostalCode: "M5C1N7", Phone: "+16135550134"}, DefaultShipping: true, DefaultBilling: true}, r.Addresses[0])
	assert.Empty(t, recs[1].Addresses, "no address columns, no address")
	assert.Equal(t, "Prefers invoices, not cards", recs[2].Note)
	assert.Equal(t, []string{"b2b", "Berlin"}, recs[2].Tags)
	assert.Equal(t, "2. OG", recs[2].Addresses[0].Line2)
}

func TestMedusaSampleJSONL(t *testing.T) {
	recs, errs := readAll(t, open(t, "medusa_customers.jsonl"), bulk.JSONL, bulk.Medusa)
	require.Len(t, recs, 2)
	require.Len(t, errs, 2)
	assert.Equal(t, 3, errs[0].Line)
	assert.Equal(t, "email", errs[0].Field)
	assert.Equal(t, 4, errs[1].Line)
	assert.Equal(t, "addresses.postal_code", errs[1].Field, "a number where Medusa has a string")

	r := recs[0]
	assert.Equal(t, "medusa", r.ReferenceOrigin)
	assert.Equal(t, "cus_01JAQ3S6J2V2W7R6QX4V3YQ1N5", r.Reference)
	assert.True(t, r.HasAccount)
	assert.Equal(t, map[string]string{"loyalty": "gold", "points": "1200"}, r.Metadata)
	assert.Equal(t, []string{"VIP"}, r.Groups)
	assert.Equal(t, time.Date(2024, 10, 21, 9, 15, 2, 123e6, time.UTC), r.CreatedAt)
	require.Len(t, r.Addresses, 2)
	assert.Equal(t, "us", r.Addresses[0].Country, "normalized when stored")
	assert.True(t, r.Addresses[0].DefaultShipping)
	assert.True(t, r.Addresses[1].DefaultBilling)
	assert.Equal(t, "Lee Labs", r.Addresses[1].Company)
	assert.True(t, strings.HasPrefix(r.PasswordHash, "c2NyeXB0"))
	assert.Equal(t, "Acme Inc", recs[1].Company)
	assert.False(t, recs[1].HasAccount)
}

func TestMedusaSampleCSV(t *testing.T) {
	recs, errs := readAll(t, open(t, "medusa_customers.csv"), bulk.CSV, bulk.Medusa)
	require.Len(t, recs, 2)
	require.Len(t, errs, 1)
	assert.Equal(t, 4, errs[0].Line)
	assert.Equal(t, "has_account", errs[0].Field)
	assert.Equal(t, []string{"VIP", "Newsletter"}, recs[0].Groups)
	assert.Equal(t, map[string]string{"loyalty": "gold"}, recs[0].Metadata)
	require.Len(t, recs[0].Addresses, 1)
	assert.Equal(t, "500 Howard St", recs[0].Addresses[0].Line1)
	assert.Empty(t, recs[1].Addresses)
}

func sampleRecord() bulk.Record {
	return bulk.Record{Email: "Ada.Lovelace@Example.com", Type: customer.TypeBusiness, HasAccount: true,
		FirstName: "Ada", LastName: "Lovelace", Phone: "+442071234567", Company: "Analytical, Ltd", VATID: "GB123456789",
		Note: "line one\nline \"two\"", Tags: []string{"b2b", "vip"}, Metadata: map[string]string{"k": "v, w"},
		ReferenceOrigin: "erp", Reference: "C-1",
		Addresses: []bulk.Address{
			{Address: address.Address{Line1: "1 Main St", City: "London", Country: "GB"}, DefaultShipping: true},
			{Address: address.Address{Line1: "2 Side St", City: "Paris", Country: "FR", Company: "SARL"}, DefaultBilling: true},
		},
		Groups:       []string{"Wholesale", "Beta, testers"},
		Balances:     []balance.Money{mustMoney("12.50", "EUR"), mustMoney("3", "JPY")},
		PasswordHash: "$2a$04$2SSCmVYv2hHmO8GzwW1r/.6HRG/ONZJqy8ipL.LB1KrXWpj1KRCJa",
		CreatedAt:    time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)}
}

func mustMoney(a, c string) balance.Money {
	m, err := balance.ParseMoney(a, c)
	if err != nil {
		panic(err)
	}
	return m
}

func TestNativeRoundTrip(t *testing.T) {
	require.NoError(t, sampleRecord().Validate(time.Now()))
	for _, f := range bulk.Formats() {
		t.Run(string(f), func(t *testing.T) {
			want := sampleRecord()
			var buf bytes.Buffer
			w, err := bulk.NewWriter(&buf, f, bulk.Native)
			require.NoError(t, err)
			require.NoError(t, w.Write(want))
			require.NoError(t, w.Write(bulk.Record{Email: "guest@example.com"}))
			require.NoError(t, w.Flush())
			recs, errs := readAll(t, &buf, f, bulk.Native)
			require.Empty(t, errs)
			require.Len(t, recs, 2)
			assert.Equal(t, want.Balances[0].String(), recs[0].Balances[0].String())
			want.Balances, recs[0].Balances = nil, nil
			assert.Equal(t, want, recs[0])
			assert.Equal(t, bulk.Record{Email: "guest@example.com"}, recs[1])
		})
	}
}

func TestMappingsRoundTrip(t *testing.T) {
	in := bulk.Record{Email: "sam@example.com", FirstName: "Sam", LastName: "Lee", Phone: "+14155550100",
		Note: "n", Tags: []string{"a", "b"}, ReferenceOrigin: "shopify", Reference: "42",
		Metadata: map[string]string{"accepts_email_marketing": "yes", "accepts_sms_marketing": "no",
			"total_spent": "1.00", "total_orders": "1", "tax_exempt": "no"},
		Addresses: []bulk.Address{{Address: address.Address{FirstName: "Sam", LastName: "Lee", Line1: "1 Market St",
			City: "SF", Province: "CA", Country: "US", PostalCode: "94105"}, DefaultShipping: true, DefaultBilling: true}}}
	for _, f := range bulk.Formats() {
		var buf bytes.Buffer
		w, err := bulk.NewWriter(&buf, f, bulk.Shopify)
		require.NoError(t, err)
		require.NoError(t, w.Write(in))
		require.NoError(t, w.Flush())
		recs, errs := readAll(t, &buf, f, bulk.Shopify)
		require.Empty(t, errs)
		require.Len(t, recs, 1)
		assert.Equal(t, in, recs[0], "shopify %s", f)
	}
	med := in
	med.ReferenceOrigin, med.Reference, med.HasAccount, med.Groups = "medusa", "cus_1", true, []string{"VIP"}
	med.Tags, med.Note = nil, "" // Medusa has neither
	med.CreatedAt = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range bulk.Formats() {
		var buf bytes.Buffer
		w, err := bulk.NewWriter(&buf, f, bulk.Medusa)
		require.NoError(t, err)
		require.NoError(t, w.Write(med))
		require.NoError(t, w.Flush())
		recs, errs := readAll(t, &buf, f, bulk.Medusa)
		require.Empty(t, errs)
		require.Len(t, recs, 1)
		got := recs[0]
		assert.Equal(t, "us", got.Addresses[0].Country)
		got.Addresses[0].Country = "US"
		assert.Equal(t, med, got, "medusa %s", f)
	}
}

func TestNativeRowErrors(t *testing.T) {
	lines := []string{
		`{"email":"a@example.com"}`,
		`{"email":"b@example.com","unknown":1}`,
		`{"email":"c@example.com","tags":"x"}`,
		`not json`,
		`{"email":"d@example.com","type":"alien"}`,
		`{"email":"e@example.com","balances":[{"amount":"-1","currency":"EUR"}]}`,
		`{"email":"f@example.com","balances":[{"amount":"1","currency":"EUR"},{"amount":"2","currency":"EUR"}]}`,
		`{"email":"g@example.com","password_hash":"$2a$04$x"}`,
		`{"email":"h@example.com","has_account":true,"password_hash":"plain"}`,
		`{"email":"i@example.com","created_at":"2999-01-01T00:00:00Z"}`,
		`{"email":"j@example.com","addresses":[{"line1":"a","city":"b","country":"DE","default_shipping":true},{"line1":"c","city":"d","country":"DE","default_shipping":true}]}`,
		`{"email":"k@example.com","groups":[""]}`,
		`{"email":"l@example.com","vat_id":"DE1"}`,
		`{"email":"m@example.com","balances":[{"amount":"1","currency":"XYZ"}]}`,
	}
	want := []struct {
		line  int
		field string
	}{{2, "unknown"}, {3, "tags"}, {4, ""}, {5, "type"}, {6, "balances[0]"}, {7, "balances[1]"},
		{8, "password_hash"}, {9, "password_hash"}, {10, "created_at"}, {11, "addresses"}, {12, "groups[0]"},
		{13, "vat_id"}, {14, "currency"}}
	recs, errs := readAll(t, strings.NewReader(strings.Join(lines, "\n")), bulk.JSONL, bulk.Native)
	require.Len(t, recs, 1)
	require.Len(t, errs, len(want))
	for i, w := range want {
		assert.Equal(t, w.line, errs[i].Line, "error %d: %v", i, errs[i])
		assert.Equal(t, w.field, errs[i].Field, "error %d: %v", i, errs[i])
		assert.ErrorIs(t, errs[i], bulk.ErrInvalid)
		assert.Contains(t, errs[i].Error(), "line ")
	}
}

func TestCSVHeader(t *testing.T) {
	_, err := bulk.NewReader(strings.NewReader(""), bulk.CSV, bulk.Native)
	assert.ErrorIs(t, err, bulk.ErrInvalid)
	_, err = bulk.NewReader(strings.NewReader("email,colour\n"), bulk.CSV, bulk.Native)
	assert.ErrorIs(t, err, bulk.ErrInvalid)
	_, err = bulk.NewReader(strings.NewReader("email,email\n"), bulk.CSV, bulk.Native)
	assert.ErrorIs(t, err, bulk.ErrInvalid)
	// Shopify's exports carry more columns than the mapping reads.
	recs, errs := readAll(t, strings.NewReader("\uFEFFEmail,Marketing Opt-in Level\nx@example.com,single\n"), bulk.CSV, bulk.Shopify)
	assert.Empty(t, errs)
	require.Len(t, recs, 1)
	recs, errs = readAll(t, strings.NewReader("email,first_name\nx@example.com\n\"unterminated\n"), bulk.CSV, bulk.Native)
	assert.Empty(t, recs)
	require.Len(t, errs, 2)
	assert.Equal(t, 2, errs[0].Line)
	assert.Equal(t, 3, errs[1].Line)
}

func TestLongLine(t *testing.T) {
	long := `{"email":"a@example.com","note":"` + strings.Repeat("x", bulk.MaxLineBytes) + `"}`
	recs, errs := readAll(t, strings.NewReader(long+"\n"+`{"email":"b@example.com"}`), bulk.JSONL, bulk.Native)
	require.Len(t, errs, 1)
	assert.Equal(t, 1, errs[0].Line)
	require.Len(t, recs, 1)
	assert.Equal(t, "b@example.com", recs[0].Email)
}

func TestRowErrorJSON(t *testing.T) {
	_, errs := readAll(t, strings.NewReader(`{"email":"x"}`), bulk.JSONL, bulk.Native)
	require.Len(t, errs, 1)
	b, err := json.Marshal(errs)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"line":1,"field":"email","error":"`+errs[0].Err.Error()+`"}]`, string(b))
	b, err = json.Marshal(bulk.Progress{Read: 2, Imported: 1, Failed: 1})
	require.NoError(t, err)
	assert.JSONEq(t, `{"read":2,"imported":1,"skipped":0,"failed":1}`, string(b))
}
