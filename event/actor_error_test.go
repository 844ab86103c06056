package event_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
)

// An invalid actor makes the event invalid: the error unwraps to
// event.ErrInvalid (what adapters promise for Append) and still to
// actor.ErrInvalid, and names the actor's field.
func TestValidateActorErrorIsAnEventError(t *testing.T) {
	e := event.Event{ID: uuid.New(), Type: event.CustomerUpdated, Aggregate: event.AggregateCustomer, AggregateID: "c",
		OccurredAt: time.Now().UTC(), Schema: 1, Payload: json.RawMessage(`{}`)}
	require.NoError(t, e.Validate())
	for _, a := range []actor.Actor{actor.Staff(""), actor.Staff("a\x1bb"), {Kind: "robot", ID: "r"}} {
		e.Actor = a
		err := e.Validate()
		require.ErrorIs(t, err, event.ErrInvalid, "%+v", a)
		require.ErrorIs(t, err, actor.ErrInvalid)
		var ve *errcode.ValidationError
		require.True(t, errors.As(err, &ve))
		assert.Contains(t, ve.Field, "actor.")
		assert.Equal(t, errcode.Invalid, errcode.Of(err))
	}
}
