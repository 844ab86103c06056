package event

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
)

// AuditEntry is one line of a customer's audit trail: who changed what,
// when, field by field. It is a view of one Event (Event.Audit), not a
// second record.
type AuditEntry struct {
	EventID     uuid.UUID   `json:"event_id"`
	Type        Type        `json:"type"`
	Aggregate   string      `json:"aggregate"`
	AggregateID string      `json:"aggregate_id"`
	At          time.Time   `json:"at"`
	Actor       actor.Actor `json:"actor"`
	// Changes are the fields the change set or altered: for a creation
	// every field set (After only), for an update the fields that
	// differ, for other events those the payload names. Personal values
	// are masked unless the entry was made with unmasked true.
	Changes []Change `json:"changes,omitempty"`
}

// personal are the fields whose values the audit trail masks by default:
// what identifies or locates a person (customer.Customer's and
// address.Address's JSON names), and every metadata value, which may hold
// anything.
var personal = map[string]bool{
	"email": true, "first_name": true, "last_name": true, "phone": true,
	"company": true, "vat_id": true, "note": true,
	"line1": true, "line2": true, "city": true, "postal_code": true,
	"subject": true, // an external identity's subject names a person at the provider
	// A saved payment source's token reference charges the customer; its
	// billing address locates them.
	"token_ref": true, "billing_address": true,
}

// Personal reports whether the audit trail masks the values of field (a
// Change.Field): names, email, phone, company, VAT ID, note, street
// address, city, postal code, an external identity's subject, a payment
// source's token reference and billing address, and every metadata entry.
func Personal(field string) bool {
	return personal[field] || strings.HasPrefix(field, "metadata.") || strings.HasPrefix(field, "billing_address.")
}

// Audit returns e as an audit entry. With unmasked false, the values of
// personal fields (see Personal) are masked: a string keeps its first
// character ("J•••"; an email its first character and domain,
// "j•••@example.com"), any other value becomes "•••". Masking shows that a
// value changed, and roughly to what, without disclosing it.
func (e Event) Audit(unmasked bool) AuditEntry {
	out := AuditEntry{EventID: e.ID, Type: e.Type, Aggregate: e.Aggregate, AggregateID: e.AggregateID,
		At: e.OccurredAt, Actor: e.Actor, Changes: e.changes()}
	if !unmasked {
		for i, c := range out.Changes {
			if Personal(c.Field) {
				out.Changes[i].Before = mask(c.Field, c.Before)
				out.Changes[i].After = mask(c.Field, c.After)
			}
		}
	}
	return out
}

// changes reads the changes an event's payload records: its "changes"
// when it has them, or else every field of the entity it carries (for a
// creation or a deletion), or else the payload's own fields.
func (e Event) changes() []Change {
	var p struct {
		Changes []Change `json:"changes"`
	}
	if json.Unmarshal(e.Payload, &p) == nil && len(p.Changes) > 0 {
		return p.Changes
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(e.Payload, &obj) != nil {
		return nil
	}
	removed := strings.HasSuffix(string(e.Type), ".deleted") || strings.HasSuffix(string(e.Type), ".removed")
	for _, k := range []string{"customer", "entry", "group", "merchant", "market", "account", "posting", "order", "token", "identity", "source", "subscription"} {
		if raw, ok := obj[k]; ok {
			var entity map[string]json.RawMessage
			if json.Unmarshal(raw, &entity) != nil {
				return nil
			}
			var cs []Change
			var err error
			if removed {
				cs, err = Diff(entity, nil)
			} else {
				cs, err = Diff(nil, entity)
			}
			if err != nil {
				return nil
			}
			if kind, ok := obj["kind"]; ok {
				cs = append(cs, Change{Field: "kind", After: kind})
			}
			return cs
		}
	}
	cs, _ := Diff(nil, obj)
	return cs
}

// mask hides a personal value (see Audit).
func mask(field string, raw json.RawMessage) json.RawMessage {
	if raw == nil {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil || s == "" {
		b, _ := json.Marshal("•••")
		return b
	}
	r := []rune(s)
	out := string(r[0]) + "•••"
	if field == "email" {
		if at := strings.LastIndexByte(s, '@'); at > 0 {
			out = string(r[0]) + "•••" + s[at:]
		}
	}
	b, _ := json.Marshal(out)
	return b
}
