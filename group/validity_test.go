package group_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
)

func TestValidityContainsIsHalfOpen(t *testing.T) {
	from, until := t0, t0.Add(24*time.Hour)
	v := group.Validity{From: from, Until: until}
	assert.False(t, v.Contains(from.Add(-time.Microsecond)), "not yet valid")
	assert.True(t, v.Contains(from), "From is in the window")
	assert.True(t, v.Contains(until.Add(-time.Microsecond)), "valid a microsecond before Until")
	assert.False(t, v.Contains(until), "Until is not in the window")
	assert.True(t, group.Validity{}.Contains(time.Time{}), "no window: always")
	assert.True(t, group.Validity{Until: until}.Contains(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)), "zero From: since always")
	assert.True(t, group.Validity{From: from}.Contains(time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)), "zero Until: forever")
}

func TestValidityValidate(t *testing.T) {
	require.NoError(t, group.Validity{}.Validate())
	require.NoError(t, group.Validity{From: t0}.Validate())
	require.NoError(t, group.Validity{Until: t0}.Validate())
	require.NoError(t, group.Validity{From: t0, Until: t0.Add(time.Microsecond)}.Validate())
	requireField(t, group.Validity{From: t0, Until: t0}.Validate(), "valid_until")
	requireField(t, group.Validity{From: t0, Until: t0.Add(-time.Hour)}.Validate(), "valid_until")
	requireField(t, group.Validity{From: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}.Validate(), "valid_from")
	requireField(t, group.Validity{Until: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)}.Validate(), "valid_until")
}

func TestValidityNormalize(t *testing.T) {
	zone := time.FixedZone("X", 3600)
	v := group.Validity{From: t0.In(zone).Add(1500 * time.Nanosecond)}.Normalize()
	assert.Equal(t, time.UTC, v.From.Location())
	assert.True(t, v.From.Equal(t0.Add(time.Microsecond)), "truncated to the microsecond")
	assert.True(t, v.Until.IsZero(), "a zero time stays zero")
	assert.True(t, group.Validity{}.Normalize().IsZero())
	assert.True(t, v.Equal(group.Validity{From: t0.Add(time.Microsecond).In(zone)}))
}

func TestValidityJSON(t *testing.T) {
	b, err := json.Marshal(group.Validity{})
	require.NoError(t, err)
	assert.JSONEq(t, `{}`, string(b))
	v := group.Validity{From: t0, Until: t0.Add(time.Hour)}
	b, err = json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"valid_from":"2024-05-01T12:00:00Z","valid_until":"2024-05-01T13:00:00Z"}`, string(b))
	var back group.Validity
	require.NoError(t, json.Unmarshal([]byte(`{"valid_from":"2024-05-01T14:00:00+02:00"}`), &back))
	assert.Equal(t, time.UTC, back.From.Location())
	assert.True(t, back.From.Equal(t0))

	m := group.Membership{GroupID: gid, CustomerID: uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e02"), Validity: v}
	b, err = json.Marshal(m)
	require.NoError(t, err)
	assert.JSONEq(t, `{"group_id":"8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01","customer_id":"8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e02",
		"valid_from":"2024-05-01T12:00:00Z","valid_until":"2024-05-01T13:00:00Z"}`, string(b))
	var mb group.Membership
	require.NoError(t, json.Unmarshal(b, &mb))
	assert.Equal(t, m.GroupID, mb.GroupID)
	assert.Equal(t, m.CustomerID, mb.CustomerID)
	assert.True(t, mb.Validity.Equal(v))
}
