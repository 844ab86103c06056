package actor_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a     actor.Actor
		field string
	}{
		{"staff", actor.Staff("u_42"), ""},
		{"customer", actor.Customer(uuid.New()), ""},
		{"app", actor.App("key_1"), ""},
		{"system without a name", actor.System(""), ""},
		{"zero is the system", actor.Actor{}, ""},
		{"staff without an ID", actor.Staff(""), "actor.id"},
		{"unknown kind", actor.Actor{Kind: "robot", ID: "x"}, "actor.kind"},
		{"too long", actor.Staff(strings.Repeat("x", actor.MaxID+1)), "actor.id"},
		{"invalid UTF-8", actor.Staff("\xff"), "actor.id"},
		{"control character", actor.Staff("a\nb"), "actor.id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Validate()
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			var ve *errcode.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.ErrorIs(t, err, actor.ErrInvalid)
			assert.Equal(t, errcode.Invalid, errcode.Of(err))
		})
	}
}

func TestStringParse(t *testing.T) {
	for _, a := range []actor.Actor{actor.Staff("u:42"), actor.System(""), actor.System("nightly"), actor.App("k")} {
		got, err := actor.Parse(a.String())
		require.NoError(t, err)
		assert.Equal(t, a, got)
	}
	assert.Equal(t, "system", actor.Actor{}.String())
	_, err := actor.Parse("")
	assert.True(t, errors.Is(err, actor.ErrInvalid))
	_, err = actor.Parse("staff")
	assert.True(t, errors.Is(err, actor.ErrInvalid), "staff needs an ID")
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal(actor.Staff("u_42"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"kind":"staff","id":"u_42"}`, string(b))
	var a actor.Actor
	require.NoError(t, json.Unmarshal([]byte(`{"kind":"app","id":"k1"}`), &a))
	assert.Equal(t, actor.App("k1"), a)
	require.NoError(t, json.Unmarshal([]byte(`{}`), &a))
	assert.Equal(t, actor.System(""), a)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"kind":"staff"}`), &a), actor.ErrInvalid)
	assert.ErrorIs(t, json.Unmarshal([]byte(`"staff"`), &a), actor.ErrInvalid)
}

func TestContext(t *testing.T) {
	ctx := context.Background()
	assert.Equal(t, actor.System(""), actor.FromContext(ctx))
	ctx = actor.NewContext(ctx, actor.Staff("u_1"))
	assert.Equal(t, actor.Staff("u_1"), actor.FromContext(ctx))
	assert.Equal(t, actor.System(""), actor.FromContext(actor.NewContext(ctx, actor.Actor{})), "an inner zero actor replaces the outer")
}
