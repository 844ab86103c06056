package event_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
)

func valid(t *testing.T) event.Event {
	t.Helper()
	e, err := event.New(event.GroupCreated, event.AggregateGroup, uuid.NewString(), uuid.Nil, 1, map[string]any{"group": map[string]any{"name": "VIP"}})
	require.NoError(t, err)
	e.ID = uuid.New()
	e.OccurredAt = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	e.Actor = actor.Staff("u_1")
	return e
}

func TestValidate(t *testing.T) {
	require.NoError(t, valid(t).Validate())
	for _, tc := range []struct {
		name  string
		edit  func(*event.Event)
		field string
	}{
		{"no ID", func(e *event.Event) { e.ID = uuid.Nil }, "id"},
		{"no type", func(e *event.Event) { e.Type = "" }, "type"},
		{"long type", func(e *event.Event) { e.Type = event.Type(strings.Repeat("a", event.MaxType+1)) }, "type"},
		{"no aggregate", func(e *event.Event) { e.Aggregate = "" }, "aggregate"},
		{"control in aggregate ID", func(e *event.Event) { e.AggregateID = "a\x00b" }, "aggregate_id"},
		{"invalid UTF-8 aggregate ID", func(e *event.Event) { e.AggregateID = "\xff" }, "aggregate_id"},
		{"negative version", func(e *event.Event) { e.Version = -1 }, "version"},
		{"no time", func(e *event.Event) { e.OccurredAt = time.Time{} }, "occurred_at"},
		{"no schema", func(e *event.Event) { e.Schema = 0 }, "schema"},
		{"bad actor", func(e *event.Event) { e.Actor = actor.Staff("") }, "actor.id"},
		{"payload not an object", func(e *event.Event) { e.Payload = json.RawMessage(`[1]`) }, "payload"},
		{"payload null", func(e *event.Event) { e.Payload = json.RawMessage(`null`) }, "payload"},
		{"payload not JSON", func(e *event.Event) { e.Payload = json.RawMessage(`{`) }, "payload"},
		{"payload too large", func(e *event.Event) {
			e.Payload = json.RawMessage(`{"x":"` + strings.Repeat("a", event.MaxPayload) + `"}`)
		}, "payload"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := valid(t)
			tc.edit(&e)
			err := e.Validate()
			var ve *errcode.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	e := valid(t)
	e.Sequence = 7
	e.CustomerID = uuid.New()
	b, err := json.Marshal(e)
	require.NoError(t, err)
	var back event.Event
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, e, back)

	e.CustomerID = uuid.Nil
	b, err = json.Marshal(e)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "customer_id", "a change of no customer has no customer_id")
}

func TestDiff(t *testing.T) {
	type entity struct {
		Name     string            `json:"name,omitempty"`
		Phone    string            `json:"phone,omitempty"`
		Version  int64             `json:"version"`
		Metadata map[string]string `json:"metadata,omitempty"`
	}
	before := entity{Name: "Ann", Version: 1, Metadata: map[string]string{"a": "1", "b": "2"}}
	after := entity{Name: "Anne", Phone: "+33612345678", Version: 2, Metadata: map[string]string{"a": "1", "c": "3"}}
	cs, err := event.Diff(before, after)
	require.NoError(t, err)
	assert.Equal(t, []event.Change{
		{Field: "metadata.b", Before: json.RawMessage(`"2"`)},
		{Field: "metadata.c", After: json.RawMessage(`"3"`)},
		{Field: "name", Before: json.RawMessage(`"Ann"`), After: json.RawMessage(`"Anne"`)},
		{Field: "phone", After: json.RawMessage(`"+33612345678"`)},
	}, cs, "version is left out, metadata is diffed per key, fields in order")

	cs, err = event.Diff(nil, before)
	require.NoError(t, err)
	assert.Len(t, cs, 3, "a creation lists every field set")

	cs, err = event.Diff(before, before)
	require.NoError(t, err)
	assert.Empty(t, cs)
}

func TestAuditMasksPersonalValues(t *testing.T) {
	e, err := event.New(event.CustomerUpdated, event.AggregateCustomer, "c1", uuid.New(), 3, map[string]any{
		"customer": map[string]any{"email": "jane@example.com"},
		"changes": []event.Change{
			{Field: "email", Before: json.RawMessage(`"jane@example.com"`), After: json.RawMessage(`"jd@example.org"`)},
			{Field: "tags", Before: json.RawMessage(`["a"]`), After: json.RawMessage(`["b"]`)},
			{Field: "metadata.vip", After: json.RawMessage(`true`)},
		},
	})
	require.NoError(t, err)
	masked := e.Audit(false)
	require.Len(t, masked.Changes, 3)
	assert.JSONEq(t, `"j•••@example.com"`, string(masked.Changes[0].Before))
	assert.JSONEq(t, `"j•••@example.org"`, string(masked.Changes[0].After))
	assert.JSONEq(t, `["b"]`, string(masked.Changes[1].After), "tags are not personal")
	assert.JSONEq(t, `"•••"`, string(masked.Changes[2].After), "metadata values are masked")

	plain := e.Audit(true)
	assert.JSONEq(t, `"jane@example.com"`, string(plain.Changes[0].Before))
	b, err := json.Marshal(masked)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "jane")
}

func TestAuditOfACreation(t *testing.T) {
	e, err := event.New(event.GroupCreated, event.AggregateGroup, "g1", uuid.Nil, 1, map[string]any{
		"group": map[string]any{"name": "VIP", "version": 1},
	})
	require.NoError(t, err)
	a := e.Audit(false)
	assert.Equal(t, []event.Change{{Field: "name", After: json.RawMessage(`"VIP"`)}}, a.Changes)
}

func TestDecode(t *testing.T) {
	id := uuid.New()
	e, err := event.New(event.GroupMemberAdded, event.AggregateGroup, id.String(), id, 1, event.MemberPayload{GroupID: id, CustomerID: id})
	require.NoError(t, err)
	p, err := event.Decode[event.MemberPayload](e)
	require.NoError(t, err)
	assert.Equal(t, id, p.CustomerID)
	e.Payload = json.RawMessage(`{"group_id": 5}`)
	_, err = event.Decode[event.MemberPayload](e)
	assert.Error(t, err)
}
