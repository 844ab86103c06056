package segment_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/segment"
)

func TestNormalize(t *testing.T) {
	r, err := segment.All(
		segment.Cond(segment.FieldTag, segment.OpHas, "  VIP "),
		segment.Cond(segment.FieldCountry, segment.OpEq, "de"),
		segment.Cond(segment.FieldSpent, segment.OpGte, "500 EUR"),
		segment.Cond(segment.FieldCreatedAt, segment.OpLt, "2025-01-01T01:00:00.1234567+01:00"),
		segment.Cond(segment.FieldType, segment.OpEq, "Business"),
	).Normalize()
	require.NoError(t, err)
	assert.Equal(t, "vip", r.All[0].Condition.Value)
	assert.Equal(t, "DE", r.All[1].Condition.Value)
	assert.Equal(t, "500.00 EUR", r.All[2].Condition.Value)
	assert.Equal(t, "2025-01-01T00:00:00.123456Z", r.All[3].Condition.Value)
	assert.Equal(t, "business", r.All[4].Condition.Value)
}

func TestValidateRefuses(t *testing.T) {
	deep := segment.Cond(segment.FieldTag, segment.OpHas, "a")
	for range segment.MaxDepth {
		deep = segment.Not(deep)
	}
	many := make([]segment.Rule, segment.MaxNodes)
	for i := range many {
		many[i] = segment.Cond(segment.FieldTag, segment.OpHas, "a")
	}
	for name, r := range map[string]segment.Rule{
		"zero":          {},
		"two kinds":     {All: []segment.Rule{}, Not: &segment.Rule{}},
		"unknown field": segment.Cond(segment.Field(99), segment.OpEq, "x"),
		"zero field":    segment.Cond(0, segment.OpEq, "x"),
		"wrong op":      segment.Cond(segment.FieldTag, segment.OpLt, "x"),
		"zero op":       segment.Cond(segment.FieldTag, 0, "x"),
		"bad tag":       segment.Cond(segment.FieldTag, segment.OpHas, strings.Repeat("x", 600)),
		"bad country":   segment.Cond(segment.FieldCountry, segment.OpEq, "ZZ"),
		"bad time":      segment.Cond(segment.FieldCreatedAt, segment.OpLt, "yesterday"),
		"bad amount":    segment.Cond(segment.FieldSpent, segment.OpLt, "12 euros"),
		"negative":      segment.Cond(segment.FieldOrderCount, segment.OpLt, "-1"),
		"bad group":     segment.Cond(segment.FieldGroup, segment.OpHas, "x"),
		"bad utf8":      segment.Meta("k", "\xff"),
		"key on tag":    {Condition: &segment.Condition{Field: segment.FieldTag, Op: segment.OpHas, Key: "k", Value: "a"}},
		"too deep":      deep,
		"too many":      segment.Any(many...),
		"nested bad":    segment.All(segment.Any(segment.Not(segment.Cond(segment.FieldState, segment.OpEq, "sleepy")))),
	} {
		t.Run(name, func(t *testing.T) {
			err := r.Validate()
			require.Error(t, err)
			assert.ErrorIs(t, err, segment.ErrInvalid)
			var ve *segment.ValidationError
			assert.True(t, errors.As(err, &ve), "%T", err)
			segment.Matches(r, segment.Facts{}) // never panics
		})
	}
}

func TestRuleJSON(t *testing.T) {
	r, err := segment.All(segment.Any(), segment.Not(segment.Meta(`a"b`, "x'y")),
		segment.Cond(segment.FieldLastOrderAt, segment.OpGte, "2025-01-01T00:00:00Z")).Normalize()
	require.NoError(t, err)
	b, err := segment.MarshalRule(r)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"schema":1`)
	back, err := segment.ParseRule(b)
	require.NoError(t, err)
	assert.Equal(t, r, back)
	_, err = segment.ParseRule([]byte(`{"schema":2,"rule":{"all":[]}}`))
	assert.ErrorIs(t, err, segment.ErrInvalid, "a later schema is refused")
	_, err = segment.ParseRule([]byte(`{"schema":1,"rule":{"all":[],"any":[]}}`))
	assert.ErrorIs(t, err, segment.ErrInvalid)
	_, err = segment.ParseRule([]byte(`{"schema":1,"rule":{"everything":true}}`))
	assert.ErrorIs(t, err, segment.ErrInvalid)

	s, err := segment.New(uuid.New(), segment.Params{Name: "VIPs", Rule: r}, time.Now())
	require.NoError(t, err)
	js, err := json.Marshal(s)
	require.NoError(t, err)
	var s2 segment.Segment
	require.NoError(t, json.Unmarshal(js, &s2))
	assert.Equal(t, s, s2)
}

// storedRule is a rule with every field and operator as MarshalRule wrote
// it before Field and Op became int enums: the stored form must not change.
const storedRule = `{"schema":1,"rule":{"all":[{"condition":{"field":"tag","op":"has","value":"vip"}},{"condition":{"field":"type","op":"eq","value":"business"}},{"condition":{"field":"status","op":"eq","value":"repeat"}},{"condition":{"field":"state","op":"eq","value":"active"}},{"condition":{"field":"group","op":"has","value":"0195a1b2-0000-7000-8000-000000000001"}},{"condition":{"field":"metadata","op":"eq","key":"tier","value":"gold"}},{"condition":{"field":"country","op":"eq","key":"billing","value":"DE"}},{"any":[{"condition":{"field":"created_at","op":"lt","value":"2025-01-01T00:00:00Z"}},{"condition":{"field":"order_count","op":"lte","value":"3"}},{"condition":{"field":"spent","op":"gt","value":"500.00 EUR"}}]},{"not":{"condition":{"field":"last_order_at","op":"gte","value":"2025-02-01T00:00:00Z"}}},{"any":[]}]}}`

func TestStoredRuleForm(t *testing.T) {
	want, err := segment.All(
		segment.Cond(segment.FieldTag, segment.OpHas, "vip"),
		segment.Cond(segment.FieldType, segment.OpEq, "business"),
		segment.Cond(segment.FieldStatus, segment.OpEq, "repeat"),
		segment.Cond(segment.FieldState, segment.OpEq, "active"),
		segment.Cond(segment.FieldGroup, segment.OpHas, "0195a1b2-0000-7000-8000-000000000001"),
		segment.Meta("tier", "gold"),
		segment.Rule{Condition: &segment.Condition{Field: segment.FieldCountry, Op: segment.OpEq, Key: "billing", Value: "DE"}},
		segment.Any(segment.Cond(segment.FieldCreatedAt, segment.OpLt, "2025-01-01T00:00:00Z"),
			segment.Cond(segment.FieldOrderCount, segment.OpLte, "3"),
			segment.Cond(segment.FieldSpent, segment.OpGt, "500.00 EUR")),
		segment.Not(segment.Cond(segment.FieldLastOrderAt, segment.OpGte, "2025-02-01T00:00:00Z")),
		segment.Any(),
	).Normalize()
	require.NoError(t, err)
	b, err := segment.MarshalRule(want)
	require.NoError(t, err)
	assert.Equal(t, storedRule, string(b), "byte-identical stored form")

	got, err := segment.ParseRule([]byte(storedRule))
	require.NoError(t, err, "a stored rule still parses")
	assert.Equal(t, want, got)
	again, err := segment.MarshalRule(got)
	require.NoError(t, err)
	assert.Equal(t, storedRule, string(again), "round trip")

	// Every field and operator is in the stored rule, by its text form.
	for _, f := range segment.Fields() {
		assert.Contains(t, storedRule, `"field":"`+f.String()+`"`)
	}
	for _, op := range segment.Ops() {
		assert.Contains(t, storedRule, `"op":"`+op.String()+`"`)
	}

	_, err = segment.MarshalRule(segment.Cond(0, segment.OpEq, "x"))
	assert.ErrorIs(t, err, segment.ErrInvalid, "an invalid field does not marshal")
	_, err = segment.MarshalRule(segment.Cond(segment.FieldTag, 99, "x"))
	assert.ErrorIs(t, err, segment.ErrInvalid, "an invalid operator does not marshal")
}

// TestRuleErrorPaths: an invalid condition is a *ValidationError naming
// the node, whether it comes from JSON or from Go.
func TestRuleErrorPaths(t *testing.T) {
	for _, c := range []struct {
		name, json, field, msg string
	}{
		{"unknown field", `{"all":[{"all":[]},{"any":[]},{"condition":{"field":"email","op":"eq","value":"x"}}]}`,
			"rule.all[2].field", `rule.all[2].field: is not a known field ("email")`},
		{"missing field", `{"not":{"condition":{"op":"eq","value":"x"}}}`, "rule.not.field", `rule.not.field: is not a known field ("")`},
		{"long field", `{"condition":{"field":"` + strings.Repeat("x", 100) + `","op":"eq","value":"x"}}`, "rule.field", ""},
		{"unknown op", `{"not":{"condition":{"field":"tag","op":"zz","value":"x"}}}`, "rule.not.op", `rule.not.op: "zz" is not an operator of tag`},
		{"wrong op", `{"not":{"condition":{"field":"tag","op":"lt","value":"x"}}}`, "rule.not.op", `rule.not.op: "lt" is not an operator of tag`},
		{"bad value", `{"any":[{"all":[{"condition":{"field":"state","op":"eq","value":"sleepy"}}]}]}`, "rule.any[0].all[0].value", ""},
		{"two kinds", `{"any":[{"all":[],"any":[]}]}`, "rule.any[0]", "rule.any[0]: must have exactly one of all, any, not and condition"},
		{"no kind", `{"not":{}}`, "rule.not", ""},
		{"a number", `{"any":[{"condition":{"field":1,"op":"has","value":"x"}}]}`, "rule", ""},
		{"unknown member", `{"any":[{"condition":{"field":"tag","op":"has","value":"x","zz":1}}]}`, "rule", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := segment.ParseRule([]byte(`{"schema":1,"rule":` + c.json + `}`))
			var ve *segment.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.ErrorIs(t, err, segment.ErrInvalid)
			assert.Equal(t, c.field, ve.Field)
			if c.msg != "" {
				assert.EqualError(t, err, c.msg)
			}
			assert.LessOrEqual(t, len(err.Error()), 300)
		})
	}

	// The names are read as Parse reads them: trimmed, case folded.
	r, err := segment.ParseRule([]byte(`{"schema":1,"rule":{"condition":{"field":" TAG ","op":"Has","value":"VIP"}}}`))
	require.NoError(t, err)
	assert.Equal(t, segment.Condition{Field: segment.FieldTag, Op: segment.OpHas, Value: "vip"}, *r.Condition)

	// The same paths from Go.
	for _, c := range []struct {
		rule  segment.Rule
		field string
		msg   string
	}{
		{segment.All(segment.Any(), segment.Cond(0, segment.OpEq, "x")), "rule.all[1].field", `rule.all[1].field: is not a known field ("Field(0)")`},
		{segment.Not(segment.Cond(segment.FieldTag, 0, "x")), "rule.not.op", `rule.not.op: "Op(0)" is not an operator of tag`},
		{segment.Not(segment.Cond(segment.FieldTag, segment.OpLt, "x")), "rule.not.op", `rule.not.op: "lt" is not an operator of tag`},
	} {
		_, err := c.rule.Normalize()
		var ve *segment.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, c.field, ve.Field)
		assert.EqualError(t, err, c.msg)
	}
}

func TestFieldOps(t *testing.T) {
	for _, f := range segment.Fields() {
		require.NotEmpty(t, f.Ops(), "%s", f)
		for _, op := range f.Ops() {
			assert.True(t, op.Valid(), "%s %s", f, op)
		}
	}
	assert.Empty(t, segment.Field(0).Ops())
	assert.Equal(t, []segment.Op{segment.OpHas}, segment.FieldTag.Ops())
}

func TestMatches(t *testing.T) {
	eur, _ := balance.ParseCurrency("EUR")
	c := customer.Customer{ID: uuid.New(), Tags: []string{"vip"}, Metadata: map[string]string{"tier": "gold"},
		OrderCount: 2, CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	st := order.NewStats(c.ID, eur)
	require.NoError(t, st.AddOrder(balance.FromMinorUnits(50000, eur), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)))
	f := segment.Facts{Customer: c, ShippingCountry: "DE", Stats: []order.Stats{st}}
	for rule, want := range map[*segment.Rule]bool{
		ptr(segment.Cond(segment.FieldTag, segment.OpHas, "vip")):   true,
		ptr(segment.Meta("tier", "gold")):                           true,
		ptr(segment.Meta("tier", "Gold")):                           false,
		ptr(segment.Cond(segment.FieldCountry, segment.OpEq, "DE")): true,
		ptr(segment.Rule{Condition: &segment.Condition{Field: segment.FieldCountry, Op: segment.OpEq, Key: "billing", Value: "DE"}}): false,
		ptr(segment.Cond(segment.FieldSpent, segment.OpGte, "500.00 EUR")):                                                           true,
		ptr(segment.Cond(segment.FieldSpent, segment.OpLt, "1.00 USD")):                                                              true,
		ptr(segment.Cond(segment.FieldOrderCount, segment.OpEq, "2")):                                                                true,
		ptr(segment.Cond(segment.FieldLastOrderAt, segment.OpGt, "2025-01-31T00:00:00Z")):                                            true,
		ptr(segment.Cond(segment.FieldCreatedAt, segment.OpGte, "2025-01-01T00:00:00Z")):                                             true,
		ptr(segment.Cond(segment.FieldCreatedAt, segment.OpGt, "2025-01-01T00:00:00Z")):                                              false,
		ptr(segment.All()): true,
		ptr(segment.Any()): false,
		ptr(segment.Not(segment.Cond(segment.FieldType, segment.OpEq, "business"))): true,
	} {
		n, err := rule.Normalize()
		require.NoError(t, err)
		js, _ := json.Marshal(n)
		assert.Equal(t, want, segment.Matches(n, f), "%s", js)
	}
	deleted := f
	now := time.Now()
	deleted.Customer.DeletedAt = &now
	assert.False(t, segment.Matches(segment.All(), deleted))
}

func ptr[T any](v T) *T { return &v }

func FuzzParseRule(f *testing.F) {
	f.Add([]byte(`{"schema":1,"rule":{"all":[{"condition":{"field":"tag","op":"has","value":"vip"}}]}}`))
	f.Add([]byte(`{"schema":1,"rule":{"not":{"not":{"any":[]}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := segment.ParseRule(b)
		if err != nil {
			return
		}
		out, err := segment.MarshalRule(r)
		require.NoError(t, err)
		again, err := segment.ParseRule(out)
		require.NoError(t, err)
		assert.Equal(t, r, again)
		segment.Matches(r, segment.Facts{})
	})
}
