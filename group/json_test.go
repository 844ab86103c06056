package group_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
)

func TestGroupJSON(t *testing.T) {
	g := newGroup(t)
	g.Version = 2
	b, err := json.Marshal(g)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01","name":"VIP","description":"best",
		"metadata":{"a":"1","b":"2"},"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","version":2}`, string(b))
	var back group.Group
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, g, back)
	require.NoError(t, back.Validate())

	bare, err := group.New(gid, group.Params{Name: "Plain"}, t0.In(time.FixedZone("CET", 3600)))
	require.NoError(t, err)
	bare.CreatedAt = bare.CreatedAt.In(time.FixedZone("CET", 3600))
	b, err = json.Marshal(bare)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01","name":"Plain",
		"created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z","version":0}`, string(b))
	back = group.Group{}
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, time.UTC, back.CreatedAt.Location())

	name, none := "Gold", (*string)(nil)
	p := group.Patch{Name: &name, Metadata: map[string]*string{"a": none, "c": &name}}
	b, err = json.Marshal(p)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"Gold","metadata":{"a":null,"c":"Gold"}}`, string(b))
	var pb group.Patch
	require.NoError(t, json.Unmarshal(b, &pb))
	assert.Equal(t, p, pb)

	for _, bad := range []string{`{"id":"nope"}`, `{"metadata":["a"]}`, `{"version":"1"}`, `{"created_at":1}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &back), bad)
	}
}
