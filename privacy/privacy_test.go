package privacy_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/privacy"
)

func TestScrubPayload(t *testing.T) {
	in := `{"customer":{"id":"c1","email":"ada@example.com","first_name":"Ada","tags":["vip"],"metadata":{"k":"v"},
		"order_count":3,"reference":"R-1"},
		"changes":[{"field":"last_name","before":"Lovelace","after":"King"},{"field":"status","before":"a","after":"b"},
		{"field":"metadata.k","after":"v"}],
		"source":{"token_ref":"pm_1","billing_address":{"line1":"1 Street","city":"London","country":"GB"},"last4":"4242"},
		"review":{"reason":"blurred photo of Ada","reviewer":"staff:ana"},"reason":"why"}`
	out, changed := privacy.ScrubPayload(json.RawMessage(in))
	require.True(t, changed)
	for _, v := range []string{"ada@example.com", "Ada", "Lovelace", "King", "vip", `"v"`, "R-1", "pm_1", "1 Street", "London", "blurred", "why"} {
		assert.NotContains(t, string(out), v)
	}
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	c := got["customer"].(map[string]any)
	assert.Equal(t, "c1", c["id"], "IDs stay")
	assert.EqualValues(t, 3, c["order_count"], "counts stay")
	assert.Equal(t, map[string]any{}, c["metadata"])
	assert.Equal(t, []any{}, c["tags"])
	changes := got["changes"].([]any)
	assert.Equal(t, map[string]any{"field": "last_name"}, changes[0])
	assert.Equal(t, map[string]any{"field": "status", "before": "a", "after": "b"}, changes[1], "other fields keep their values")
	assert.Equal(t, map[string]any{"field": "metadata.k"}, changes[2])
	src := got["source"].(map[string]any)
	assert.Equal(t, "GB", src["billing_address"].(map[string]any)["country"])
	assert.Equal(t, "4242", src["last4"])
	assert.Equal(t, "staff:ana", got["review"].(map[string]any)["reviewer"])

	again, changed := privacy.ScrubPayload(out)
	assert.False(t, changed, "scrubbing twice changes nothing")
	assert.Equal(t, string(out), string(again))

	for _, p := range []string{`{"n":1}`, `not json`, `[1,2]`, `"str"`} {
		got, changed := privacy.ScrubPayload(json.RawMessage(p))
		assert.False(t, changed, p)
		assert.Equal(t, p, string(got))
	}
}

// Every field the audit trail masks is scrubbed.
func TestScrubbedCoversPersonal(t *testing.T) {
	for _, f := range []string{"email", "first_name", "last_name", "phone", "company", "vat_id", "note", "line1",
		"line2", "city", "postal_code", "subject", "token_ref", "billing_address", "metadata.x"} {
		assert.True(t, event.Personal(f), f)
		assert.True(t, privacy.Scrubbed(f), f)
	}
	assert.False(t, privacy.Scrubbed("id"))
	assert.False(t, privacy.Scrubbed("status"))
}

func TestRequestValidate(t *testing.T) {
	assert.NoError(t, privacy.Request{}.Validate())
	assert.NoError(t, privacy.Request{Reason: "ticket 42\nsee thread"}.Validate())
	for _, bad := range []string{strings.Repeat("x", privacy.MaxReason+1), "a\x00b", "\xff", "del\x7f"} {
		err := privacy.Request{Reason: bad}.Validate()
		assert.ErrorIs(t, err, privacy.ErrInvalid)
		assert.ErrorIs(t, err, errcode.Invalid)
		var ve *errcode.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "reason", ve.Field)
		assert.NotContains(t, err.Error(), bad, "the error does not echo the input")
	}
}

func TestErasureValidateAndJSON(t *testing.T) {
	e := privacy.Erasure{CustomerID: uuid.New(), At: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC),
		Actor: actor.Staff("dpo"), Reason: "DSR-1", Merged: []uuid.UUID{uuid.New()}}
	require.NoError(t, e.Validate())
	raw, err := json.Marshal(e)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"customer_id"`)
	var back privacy.Erasure
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, e, back)

	local := e
	local.At = e.At.In(time.FixedZone("X", 3600))
	assert.ErrorIs(t, local.Validate(), privacy.ErrInvalid)
	noID := e
	noID.CustomerID = uuid.Nil
	assert.ErrorIs(t, noID.Validate(), privacy.ErrInvalid)
}

func TestDocumentJSONNames(t *testing.T) {
	c, err := customer.NewGuest(uuid.New(), customer.Params{Email: "ada@example.com"}, time.Now())
	require.NoError(t, err)
	raw, err := json.Marshal(privacy.Document{Version: privacy.Version, Profile: c})
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &m))
	for _, k := range []string{"version", "exported_at", "profile", "addresses", "groups", "orders", "balances"} {
		assert.Contains(t, m, k)
	}
	for _, k := range []string{"identities", "marketplace", "verification", "payment_sources", "audit", "erasures"} {
		assert.NotContains(t, m, k, "a section without its capability is absent")
	}
}
