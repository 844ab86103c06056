package sqlstore

import (
	"reflect"
	"testing"
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

// TestJSONColumnsRoundTrip decodes what jsonText writes for lists and maps
// of awkward strings.
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
}

// TestJSONColumnsFastPathAllocations pins what the fast path allocates for
// the usual columns: nothing for empty ones, the slice alone for a list
// read from a string (its elements share the string's memory).
func TestJSONColumnsFastPathAllocations(t *testing.T) {
	tags := `["vip","wholesale"]`
	tagBytes := []byte(tags)
	for _, c := range []struct {
		name string
		max  float64
		fn   func() error
	}{
		{"empty list", 0, func() error { _, err := decodeStrings(`[]`); return err }},
		{"empty map", 0, func() error { _, err := decodeStringMap(`{}`); return err }},
		{"list from a string", 1, func() error { _, err := decodeStrings(tags); return err }},
		{"list from bytes", 3, func() error { _, err := decodeStrings(tagBytes); return err }},
	} {
		var err error
		got := testing.AllocsPerRun(100, func() { err = c.fn() })
		if err != nil || got > c.max {
			t.Errorf("%s: %v allocations (want at most %v), err %v", c.name, got, c.max, err)
		}
	}
}
