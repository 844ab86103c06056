package sqlstore

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/google/uuid"
)

// The tables keep string lists (tags), string maps (metadata), UUID lists
// (a market's access groups) and a merchant's billing address
// (storedAddress) as JSON text written by encoding/json. Lists read them
// on every row, so their columns are decoded here without encoding/json
// when the text is what encoding/json writes for such values (an array
// or object of strings without escapes, UUIDs in their canonical form, an
// object with storedAddress's field names): the decoders allocate only
// the slice or map and, where the driver hands over bytes it owns, the
// strings. Any other text (escapes, null, numbers, other spellings of a
// key or a UUID, invalid UTF-8, errors) goes to encoding/json, so the
// result is always encoding/json's (the Fuzz tests of
// jsoncols_internal_test.go check it).

// text is what a driver hands a sql.Scanner for a text column: a string it
// gave up, or bytes it owns until the next Scan.
type text interface{ ~string | ~[]byte }

// decodeStrings decodes a JSON array of strings as fromJSON would (an
// empty array is nil). A string source's elements share its memory.
func decodeStrings[T text](s T) ([]string, error) {
	if v, ok := plainStrings(s); ok {
		return v, nil
	}
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("sqlstore: decode: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// decodeStringMap decodes a JSON object of strings as fromJSON would (an
// empty object is nil).
func decodeStringMap[T text](s T) (map[string]string, error) {
	if v, ok := plainStringMap(s); ok {
		return v, nil
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("sqlstore: decode: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// plainStrings decodes s when it is an array of plain strings (see
// plainString); ok is false otherwise.
func plainStrings[T text](s T) (v []string, ok bool) {
	n := 0
	if !walkArray(s, func(_, _ int, _ bool) bool { n++; return true }) {
		return nil, false
	}
	if n == 0 {
		return nil, true
	}
	v = make([]string, 0, n)
	ok = walkArray(s, func(start, end int, high bool) bool {
		e := string(s[start:end])
		if high && !utf8.ValidString(e) {
			return false // encoding/json replaces invalid UTF-8
		}
		v = append(v, e)
		return true
	})
	return v, ok
}

// plainStringMap decodes s when it is an object of plain strings (see
// plainString); ok is false otherwise. A key given twice keeps its last
// value, as with encoding/json.
func plainStringMap[T text](s T) (v map[string]string, ok bool) {
	n := 0
	if !walkObject(s, func(_, _ int, _ bool, _, _ int, _ bool) bool { n++; return true }) {
		return nil, false
	}
	if n == 0 {
		return nil, true
	}
	v = make(map[string]string, n)
	ok = walkObject(s, func(ks, ke int, kh bool, vs, ve int, vh bool) bool {
		k, e := string(s[ks:ke]), string(s[vs:ve])
		if (kh && !utf8.ValidString(k)) || (vh && !utf8.ValidString(e)) {
			return false
		}
		v[k] = e
		return true
	})
	return v, ok
}

// decodeUUIDs decodes a JSON array of UUIDs as fromJSON would (an empty
// array is nil).
func decodeUUIDs[T text](s T) ([]uuid.UUID, error) {
	if v, ok := plainUUIDs(s); ok {
		return v, nil
	}
	var v []uuid.UUID
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("sqlstore: decode: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// plainUUIDs decodes s when it is an array of UUIDs in the canonical form
// (see canonicalUUID); ok is false otherwise.
func plainUUIDs[T text](s T) (v []uuid.UUID, ok bool) {
	n := 0
	if !walkArray(s, func(_, _ int, _ bool) bool { n++; return true }) {
		return nil, false
	}
	if n == 0 {
		return nil, true
	}
	v = make([]uuid.UUID, 0, n)
	ok = walkArray(s, func(start, end int, _ bool) bool {
		u, ok := canonicalUUID(s[start:end])
		v = append(v, u)
		return ok
	})
	return v, ok
}

// uuidHex are the offsets of the 16 hexadecimal pairs of a UUID's
// canonical form, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
var uuidHex = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// canonicalUUID parses s when it is a UUID in the canonical form (either
// case), as uuid.Parse does; ok is false for anything else, including the
// other forms uuid.Parse accepts.
func canonicalUUID[T text](s T) (u uuid.UUID, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return uuid.UUID{}, false
	}
	for i, x := range uuidHex {
		hi, ok1 := unhex(s[x])
		lo, ok2 := unhex(s[x+1])
		if !ok1 || !ok2 {
			return uuid.UUID{}, false
		}
		u[i] = hi<<4 | lo
	}
	return u, true
}

// unhex is the value of the hexadecimal digit c.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeStoredAddress decodes a billing_address column as fromJSON would.
func decodeStoredAddress[T text](s T) (storedAddress, error) {
	if a, ok := plainStoredAddress(s); ok {
		return a, nil
	}
	var a storedAddress
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return storedAddress{}, fmt.Errorf("sqlstore: decode: %w", err)
	}
	return a, nil
}

// plainStoredAddress decodes s when it is an object of plain strings (see
// plainString) whose keys are storedAddress's field names, spelled
// exactly; ok is false otherwise (encoding/json also matches other cases
// of a name, and ignores unknown keys).
func plainStoredAddress[T text](s T) (a storedAddress, ok bool) {
	ok = walkObject(s, func(ks, ke int, _ bool, vs, ve int, vh bool) bool {
		f := storedAddressField(&a, s[ks:ke])
		if f == nil {
			return false
		}
		v := string(s[vs:ve])
		if vh && !utf8.ValidString(v) {
			return false
		}
		*f = v
		return true
	})
	return a, ok
}

// storedAddressField returns the field of a named key, or nil.
func storedAddressField[T text](a *storedAddress, key T) *string {
	switch string(key) {
	case "FirstName":
		return &a.FirstName
	case "LastName":
		return &a.LastName
	case "Company":
		return &a.Company
	case "Line1":
		return &a.Line1
	case "Line2":
		return &a.Line2
	case "City":
		return &a.City
	case "PostalCode":
		return &a.PostalCode
	case "Province":
		return &a.Province
	case "Country":
		return &a.Country
	case "Phone":
		return &a.Phone
	}
	return nil
}

// walkArray walks the JSON array of plain strings s, calling each with the
// bounds of every element's content and whether it has a byte >= 0x80; it
// stops when each returns false. It reports whether s is such an array
// and each never returned false.
func walkArray[T text](s T, each func(start, end int, high bool) bool) bool {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '[' {
		return false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		return skipSpace(s, i+1) == len(s)
	}
	for {
		start, end, high, ok := plainString(s, i)
		if !ok || !each(start, end, high) {
			return false
		}
		i = skipSpace(s, end+1)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case ']':
			return skipSpace(s, i+1) == len(s)
		default:
			return false
		}
	}
}

// walkObject is walkArray for a JSON object of plain strings: each gets
// the bounds of a member's key and value.
func walkObject[T text](s T, each func(ks, ke int, kh bool, vs, ve int, vh bool) bool) bool {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipSpace(s, i+1) == len(s)
	}
	for {
		ks, ke, kh, ok := plainString(s, i)
		if !ok {
			return false
		}
		i = skipSpace(s, ke+1)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		vs, ve, vh, ok := plainString(s, skipSpace(s, i+1))
		if !ok || !each(ks, ke, kh, vs, ve, vh) {
			return false
		}
		i = skipSpace(s, ve+1)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipSpace(s, i+1)
		case '}':
			return skipSpace(s, i+1) == len(s)
		default:
			return false
		}
	}
}

// plainString finds the JSON string that starts at s[i] when it holds no
// escape and no control character, so that its content is its bytes:
// start and end bound the content (end is the closing quote's index), and
// high reports a byte >= 0x80, whose UTF-8 the caller checks. ok is false
// for anything else.
func plainString[T text](s T, i int) (start, end int, high, ok bool) {
	if i >= len(s) || s[i] != '"' {
		return 0, 0, false, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return i + 1, j, high, true
		case c == '\\' || c < 0x20:
			return 0, 0, false, false
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	return 0, 0, false, false
}

// skipSpace returns the index of the first byte of s at or after i that is
// not JSON white space.
func skipSpace[T text](s T, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// jsonStrings is a sql.Scanner of a JSON array of strings (decodeStrings).
type jsonStrings struct{ v *[]string }

// Scan implements sql.Scanner.
func (j jsonStrings) Scan(src any) (err error) {
	switch s := src.(type) {
	case string:
		*j.v, err = decodeStrings(s)
	case []byte:
		*j.v, err = decodeStrings(s)
	default:
		err = fmt.Errorf("sqlstore: decode: a JSON column holds %T", src)
	}
	return err
}

// jsonStringMap is a sql.Scanner of a JSON object of strings
// (decodeStringMap).
type jsonStringMap struct{ v *map[string]string }

// Scan implements sql.Scanner.
func (j jsonStringMap) Scan(src any) (err error) {
	switch s := src.(type) {
	case string:
		*j.v, err = decodeStringMap(s)
	case []byte:
		*j.v, err = decodeStringMap(s)
	default:
		err = fmt.Errorf("sqlstore: decode: a JSON column holds %T", src)
	}
	return err
}

// jsonUUIDs is a sql.Scanner of a JSON array of UUIDs (decodeUUIDs).
type jsonUUIDs struct{ v *[]uuid.UUID }

// Scan implements sql.Scanner.
func (j jsonUUIDs) Scan(src any) (err error) {
	switch s := src.(type) {
	case string:
		*j.v, err = decodeUUIDs(s)
	case []byte:
		*j.v, err = decodeUUIDs(s)
	default:
		err = fmt.Errorf("sqlstore: decode: a JSON column holds %T", src)
	}
	return err
}

// jsonStoredAddress is a sql.Scanner of a billing_address column
// (decodeStoredAddress). Bytes are copied into one string whose memory the
// fields share: an address has up to ten of them, which would otherwise
// be a copy each.
type jsonStoredAddress struct{ v *storedAddress }

// Scan implements sql.Scanner.
func (j jsonStoredAddress) Scan(src any) (err error) {
	switch s := src.(type) {
	case string:
		*j.v, err = decodeStoredAddress(s)
	case []byte:
		*j.v, err = decodeStoredAddress(string(s))
	default:
		err = fmt.Errorf("sqlstore: decode: a JSON column holds %T", src)
	}
	return err
}

// discard is a sql.Scanner that drops a column the adapter selects but
// does not read, without copying it.
type discard struct{}

// Scan implements sql.Scanner.
func (discard) Scan(any) error { return nil }
