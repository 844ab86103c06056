package event

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// unaudited are the fields Diff leaves out: bookkeeping that every change
// moves.
var unaudited = map[string]bool{"version": true, "updated_at": true}

// Diff returns the fields whose JSON values differ between before and after
// (entities of one type), in field order: top-level JSON fields, and
// "metadata.<key>" for each entry of a "metadata" object. Pass nil as
// before for a creation (every field set appears with only After). Version
// and updated_at are left out.
func Diff(before, after any) ([]Change, error) {
	a, err := fields(before)
	if err != nil {
		return nil, err
	}
	b, err := fields(after)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(a)+len(b))
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var out []Change
	for _, k := range names {
		x, y := a[k], b[k]
		if bytes.Equal(x, y) {
			continue
		}
		out = append(out, Change{Field: k, Before: x, After: y})
	}
	return out, nil
}

// fields flattens v's JSON object to field -> compact JSON value, without
// nulls, empty strings, empty arrays or empty objects (a field that is not
// set), and with a metadata object spread to metadata.<key>.
func fields(v any) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	if v == nil {
		return out, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil {
		return nil, err
	}
	for k, raw := range obj {
		if unaudited[k] {
			continue
		}
		if k == "metadata" {
			var md map[string]json.RawMessage
			if json.Unmarshal(raw, &md) == nil {
				for mk, mv := range md {
					if !unset(mv) {
						out["metadata."+mk] = compact(mv)
					}
				}
				continue
			}
		}
		if !unset(raw) {
			out[k] = compact(raw)
		}
	}
	return out, nil
}

func unset(raw json.RawMessage) bool {
	switch strings.TrimSpace(string(raw)) {
	case "", "null", `""`, "[]", "{}":
		return true
	}
	return false
}

func compact(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return raw
	}
	return buf.Bytes()
}
