package sqlstore

import (
	"reflect"
	"testing"

	"github.com/google/uuid"
)

// jsonSeeds are texts around what encoding/json writes for tags and
// metadata, and around the decoders' fast path's edges.
var jsonSeeds = []string{
	``, `[]`, `{}`, `null`, ` [ ] `, "\t{\n}\r", `["a"]`, `["a","b"]`, `[ "a" , "b" ]`, `["a",]`, `["a" "b"]`,
	`["a"`, `[`, `["`, `["a"] x`, `["a"]]`, `[1]`, `["a",null]`, `[null]`, `["\u003c"]`, `["a\"b"]`, `["é"]`,
	"[\"\xff\"]", "[\"a\x01\"]", "[\"\x7f\"]", `["` + "\u2028" + `"]`, `{"k":"v"}`, `{ "k" : "v" , "l":"w" }`,
	`{"k":"v","k":"w"}`, `{"k":1}`, `{"k":null}`, `{"k"}`, `{"k":}`, `{"k":"v",}`, `{:"v"}`, `{"k":"v"} {}`,
	`{"":""}`, "{\"\xc3\":\"v\"}", "{\"k\":\"\xed\xa0\x80\"}", `{"a\u0000":"b"}`, `{"é":"ü"}`, `"s"`, `[[]]`,
}

// FuzzDecodeStrings checks decodeStrings against encoding/json (through
// fromJSON, which the adapter used before): the same list, or an error on
// the same texts, from a string and from bytes.
func FuzzDecodeStrings(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []string
		wantErr := fromJSON(s, &want)
		for _, got := range []func() ([]string, error){
			func() ([]string, error) { return decodeStrings(s) },
			func() ([]string, error) { return decodeStrings([]byte(s)) },
		} {
			v, err := got()
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%q: error %v, encoding/json's %v", s, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(v, want) {
				t.Fatalf("%q: %#v, encoding/json's %#v", s, v, want)
			}
		}
	})
}

// FuzzDecodeStringMap is FuzzDecodeStrings for decodeStringMap.
func FuzzDecodeStringMap(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want map[string]string
		wantErr := fromJSON(s, &want)
		for _, got := range []func() (map[string]string, error){
			func() (map[string]string, error) { return decodeStringMap(s) },
			func() (map[string]string, error) { return decodeStringMap([]byte(s)) },
		} {
			v, err := got()
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%q: error %v, encoding/json's %v", s, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(v, want) {
				t.Fatalf("%q: %#v, encoding/json's %#v", s, v, want)
			}
		}
	})
}

// uuidSeeds are texts around what encoding/json writes for a list of
// UUIDs and around canonicalUUID's edges (the other forms uuid.Parse
// accepts, bad dashes and digits).
var uuidSeeds = []string{
	`["6ba7b810-9dad-11d1-80b4-00c04fd430c8"]`, `["6BA7B810-9DAD-11D1-80B4-00C04FD430C8","00000000-0000-0000-0000-000000000000"]`,
	`[ "6ba7b810-9dad-11d1-80b4-00c04fd430c8" , "6ba7b811-9dad-11d1-80b4-00c04fd430c8" ]`,
	`["{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"]`, `["urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8"]`,
	`["6ba7b8109dad11d180b400c04fd430c8"]`, `["6ba7b810x9dad-11d1-80b4-00c04fd430c8"]`, `["6ba7b810-9dad-11d1-80b4-00c04fd430cg"]`,
	`["6ba7b810-9dad-11d1-80b4-00c04fd430c"]`, `["6ba7b810-9dad-11d1-80b4-00c04fd430c8",]`, `["6ba7b810-9dad-11d1-80b4-00c04fd430c8",null]`,
	`["\u0036ba7b810-9dad-11d1-80b4-00c04fd430c8"]`, "[\"6ba7b810-9dad-11d1-80b4-00c04fd430\xc3\xa9\"]", `[""]`, `[1]`,
}

// FuzzDecodeUUIDs is FuzzDecodeStrings for decodeUUIDs.
func FuzzDecodeUUIDs(f *testing.F) {
	for _, s := range append(jsonSeeds, uuidSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []uuid.UUID
		wantErr := fromJSON(s, &want)
		for _, got := range []func() ([]uuid.UUID, error){
			func() ([]uuid.UUID, error) { return decodeUUIDs(s) },
			func() ([]uuid.UUID, error) { return decodeUUIDs([]byte(s)) },
		} {
			v, err := got()
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%q: error %v, encoding/json's %v", s, err, wantErr)
			}
			if err == nil && !reflect.DeepEqual(v, want) {
				t.Fatalf("%q: %#v, encoding/json's %#v", s, v, want)
			}
		}
	})
}

// addressSeeds are texts around what encoding/json writes for a
// storedAddress and around plainStoredAddress's edges (other cases of a
// name, unknown keys, keys given twice, values that are not strings).
var addressSeeds = []string{
	`{"FirstName":"Ada","LastName":"Lovelace","Company":"","Line1":"12 St James's Square","Line2":"","City":"London",` +
		`"PostalCode":"SW1Y 4JH","Province":"","Country":"GB","Phone":"+442079460000"}`,
	`{"firstname":"a"}`, `{"FIRSTNAME":"a","FirstName":"b"}`, `{"FirstName":"b","firstName":"a"}`, `{"Other":"x"}`,
	`{"City":"a","City":"b"}`, `{"City":1}`, `{"City":null}`, `{"City":"Z\u00fcrich"}`, `{"City":"Zürich"}`, "{\"City\":\"\xff\"}",
	`{"Line1":"a",}`, `{"Line1":"a"`, `{"Line1" "a"}`, `{"Line\u0031":"a"}`, `{"ſtreet":"a"}`, `{"Cıty":"a"}`,
}

// FuzzDecodeStoredAddress is FuzzDecodeStrings for decodeStoredAddress.
func FuzzDecodeStoredAddress(f *testing.F) {
	for _, s := range append(jsonSeeds, addressSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want storedAddress
		wantErr := fromJSON(s, &want)
		for _, got := range []func() (storedAddress, error){
			func() (storedAddress, error) { return decodeStoredAddress(s) },
			func() (storedAddress, error) { return decodeStoredAddress([]byte(s)) },
		} {
			v, err := got()
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("%q: error %v, encoding/json's %v", s, err, wantErr)
			}
			if err == nil && v != want {
				t.Fatalf("%q: %#v, encoding/json's %#v", s, v, want)
			}
		}
	})
}

// TestJSONColumnsRoundTrip decodes what jsonText writes for lists and maps
// of awkward strings, a list of UUIDs and an address.
func TestJSONColumnsRoundTrip(t *testing.T) {
	strs := []string{"", "a", "<&>", `"quoted"`, `back\slash`, "tab\t", "é", "\u2028", "日本"}
	list, err := jsonText(strs)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeStrings(list); err != nil || !reflect.DeepEqual(got, strs) {
		t.Fatalf("decodeStrings(%s) = %q, %v", list, got, err)
	}
	m := map[string]string{}
	for _, s := range strs {
		m[s+"k"] = s
	}
	obj, err := jsonText(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeStringMap([]byte(obj)); err != nil || !reflect.DeepEqual(got, m) {
		t.Fatalf("decodeStringMap(%s) = %q, %v", obj, got, err)
	}
	ids := []uuid.UUID{uuid.New(), uuid.Nil, uuid.Max}
	arr, err := jsonText(ids)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeUUIDs([]byte(arr)); err != nil || !reflect.DeepEqual(got, ids) {
		t.Fatalf("decodeUUIDs(%s) = %v, %v", arr, got, err)
	}
	a := storedAddress{FirstName: strs[3], LastName: strs[4], Company: strs[2], Line1: strs[5], City: strs[6], Country: strs[8]}
	addr, err := jsonText(a)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := decodeStoredAddress(addr); err != nil || got != a {
		t.Fatalf("decodeStoredAddress(%s) = %+v, %v", addr, got, err)
	}
}

// TestJSONColumnsFastPathAllocations pins what the fast path allocates for
// the usual columns: nothing for empty ones, the slice alone for a list
// read from a string (its elements share the string's memory) and for
// UUIDs, nothing for an address read from a string, its non-empty strings
// when read from bytes, and one string when a column of bytes is scanned.
func TestJSONColumnsFastPathAllocations(t *testing.T) {
	tags := `["vip","wholesale"]`
	tagBytes := []byte(tags)
	uuidBytes := []byte(`["6ba7b810-9dad-11d1-80b4-00c04fd430c8","6ba7b811-9dad-11d1-80b4-00c04fd430c8"]`)
	addr := `{"FirstName":"","LastName":"","Company":"","Line1":"1 Main St","Line2":"","City":"Berlin","PostalCode":"10115",` +
		`"Province":"","Country":"DE","Phone":""}`
	addrBytes := []byte(addr)
	var scanned storedAddress
	var addrSrc any = addrBytes // as database/sql hands it over
	for _, c := range []struct {
		name string
		max  float64
		fn   func() error
	}{
		{"empty list", 0, func() error { _, err := decodeStrings(`[]`); return err }},
		{"empty map", 0, func() error { _, err := decodeStringMap(`{}`); return err }},
		{"list from a string", 1, func() error { _, err := decodeStrings(tags); return err }},
		{"list from bytes", 3, func() error { _, err := decodeStrings(tagBytes); return err }},
		{"UUIDs from bytes", 1, func() error { _, err := decodeUUIDs(uuidBytes); return err }},
		{"address from a string", 0, func() error { _, err := decodeStoredAddress(addr); return err }},
		{"address from bytes", 4, func() error { _, err := decodeStoredAddress(addrBytes); return err }},
		{"address column from bytes", 1, func() error { return jsonStoredAddress{&scanned}.Scan(addrSrc) }},
	} {
		var err error
		got := testing.AllocsPerRun(100, func() { err = c.fn() })
		if err != nil || got > c.max {
			t.Errorf("%s: %v allocations (want at most %v), err %v", c.name, got, c.max, err)
		}
	}
}
