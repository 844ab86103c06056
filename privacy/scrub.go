package privacy

import (
	"bytes"
	"encoding/json"

	"github.com/clientele-go/clientele/event"
)

// scrubbed are the fields ScrubPayload clears besides those event.Personal
// names: free text that may name the person (a verification's or a
// return's reason, who set a risk flag), tags and external references.
var scrubbed = map[string]bool{
	"reason": true, "set_by": true, "tags": true, "reference": true, "reference_origin": true,
	"ip": true, "user_agent": true, // a consent record's evidence
}

// Scrubbed reports whether ScrubPayload clears the values of a field of
// this JSON name: event.Personal's fields, every metadata entry, reasons,
// who set a risk flag, tags and external references.
func Scrubbed(field string) bool { return event.Personal(field) || scrubbed[field] }

// ScrubPayload returns an event payload without personal values, and
// whether it changed anything: at any depth, a scrubbed field's string
// becomes "", its list [], its metadata {} (an object such as a billing
// address is scrubbed field by field); in a list of changes ({"field":
// ..., "before": ..., "after": ...}) the before and after values of a
// scrubbed field are removed. Everything else (IDs, amounts, statuses,
// times) stays, so the event still says what happened. A payload that is
// not a JSON object is returned unchanged.
func ScrubPayload(payload json.RawMessage) (json.RawMessage, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return payload, false
	}
	if _, ok := v.(map[string]any); !ok {
		return payload, false
	}
	v, changed := scrub(v)
	if !changed {
		return payload, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return payload, false
	}
	return out, true
}

func scrub(v any) (any, bool) {
	switch v := v.(type) {
	case map[string]any:
		changed := false
		if f, ok := v["field"].(string); ok && Scrubbed(f) {
			for _, k := range []string{"before", "after"} {
				if _, has := v[k]; has {
					delete(v, k)
					changed = true
				}
			}
		}
		for k, x := range v {
			if k == "metadata" {
				if m, ok := x.(map[string]any); ok && len(m) > 0 {
					v[k] = map[string]any{}
					changed = true
				}
				continue
			}
			if Scrubbed(k) {
				switch y := x.(type) {
				case string:
					if y != "" {
						v[k] = ""
						changed = true
					}
					continue
				case []any:
					if len(y) > 0 {
						v[k] = []any{}
						changed = true
					}
					continue
				case json.Number, bool:
					v[k] = nil
					changed = true
					continue
				}
			}
			if y, c := scrub(x); c {
				v[k] = y
				changed = true
			}
		}
		return v, changed
	case []any:
		changed := false
		for i, x := range v {
			if y, c := scrub(x); c {
				v[i] = y
				changed = true
			}
		}
		return v, changed
	}
	return v, false
}
