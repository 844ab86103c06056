package customer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

var allStates = []customer.State{
	customer.StateGuest, customer.StateInvited, customer.StateActive, customer.StateDisabled, customer.StateErased,
}

// allowed is the transition table from the State documentation, written out
// independently of the implementation.
var allowed = map[[2]customer.State]bool{
	{customer.StateGuest, customer.StateErased}:     true,
	{customer.StateInvited, customer.StateActive}:   true,
	{customer.StateInvited, customer.StateDisabled}: true,
	{customer.StateInvited, customer.StateErased}:   true,
	{customer.StateActive, customer.StateDisabled}:  true,
	{customer.StateActive, customer.StateErased}:    true,
	{customer.StateDisabled, customer.StateActive}:  true,
	{customer.StateDisabled, customer.StateErased}:  true,
}

func TestStateCanTransitionEveryPair(t *testing.T) {
	invalid := []customer.State{0, 6, -1}
	for _, from := range append(allStates, invalid...) {
		for _, to := range append(allStates, invalid...) {
			want := allowed[[2]customer.State{from, to}]
			assert.Equal(t, want, from.CanTransition(to), "%s → %s", from, to)
		}
	}
	assert.Empty(t, customer.StateErased.Transitions())
	assert.Equal(t, []customer.State{customer.StateActive, customer.StateDisabled, customer.StateErased},
		customer.StateInvited.Transitions())
}

// customerInState returns a valid customer in state s.
func customerInState(t *testing.T, s customer.State) customer.Customer {
	t.Helper()
	var (
		c   customer.Customer
		err error
	)
	p := customer.Params{Email: "bob@example.com", FirstName: "Bob", Phone: "+4930 1234567", Tags: []string{"vip"}}
	switch s {
	case customer.StateGuest:
		c, err = customer.NewGuest(testID, p, t0)
	case customer.StateInvited:
		c, err = customer.NewInvited(testID, p, t0)
	case customer.StateActive:
		c, err = customer.NewRegistered(testID, p, t0)
	case customer.StateDisabled:
		c, err = customer.NewRegistered(testID, p, t0)
		require.NoError(t, err)
		err = c.Disable(t0)
	case customer.StateErased:
		c, err = customer.NewRegistered(testID, p, t0)
		require.NoError(t, err)
		err = c.Erase(t0)
	}
	require.NoError(t, err)
	require.Equal(t, s, c.State)
	require.NoError(t, c.Validate())
	return c
}

func TestCustomerTransitionEveryPair(t *testing.T) {
	for _, from := range allStates {
		for _, to := range allStates {
			t.Run(fmt.Sprintf("%s→%s", from, to), func(t *testing.T) {
				c := customerInState(t, from)
				before := c.Clone()
				err := c.Transition(to, t1)
				if allowed[[2]customer.State{from, to}] {
					require.NoError(t, err)
					assert.Equal(t, to, c.State)
					assert.Equal(t, t1, c.UpdatedAt)
					require.NoError(t, c.Validate())
					return
				}
				require.ErrorIs(t, err, customer.ErrInvalidTransition)
				var te *customer.TransitionError
				require.True(t, errors.As(err, &te))
				assert.Equal(t, from, te.From)
				assert.Equal(t, to, te.To)
				assert.Contains(t, err.Error(), from.String()+" to "+to.String())
				assert.Equal(t, before, c, "a refused transition changes nothing")
			})
		}
	}
}

func TestConvenienceTransitions(t *testing.T) {
	t.Run("activate only from invited", func(t *testing.T) {
		for _, s := range allStates {
			c := customerInState(t, s)
			err := c.Activate(t1)
			if s == customer.StateInvited {
				require.NoError(t, err)
				assert.Equal(t, customer.StateActive, c.State)
			} else {
				require.ErrorIs(t, err, customer.ErrInvalidTransition, "from %s", s)
				assert.Equal(t, s, c.State)
			}
		}
	})
	t.Run("enable only from disabled", func(t *testing.T) {
		for _, s := range allStates {
			c := customerInState(t, s)
			err := c.Enable(t1)
			if s == customer.StateDisabled {
				require.NoError(t, err)
				assert.Equal(t, customer.StateActive, c.State)
			} else {
				require.ErrorIs(t, err, customer.ErrInvalidTransition, "from %s", s)
				assert.Equal(t, s, c.State)
			}
		}
	})
	t.Run("disable from invited or active", func(t *testing.T) {
		for _, s := range allStates {
			c := customerInState(t, s)
			err := c.Disable(t1)
			if s == customer.StateInvited || s == customer.StateActive {
				require.NoError(t, err)
				assert.Equal(t, customer.StateDisabled, c.State)
			} else {
				require.ErrorIs(t, err, customer.ErrInvalidTransition, "from %s", s)
			}
		}
	})
	t.Run("zero state cannot move", func(t *testing.T) {
		var c customer.Customer
		require.ErrorIs(t, c.Transition(customer.StateActive, t1), customer.ErrInvalidTransition)
		require.ErrorIs(t, c.Erase(t1), customer.ErrInvalidTransition)
	})
}

func TestEnumStringsAndParse(t *testing.T) {
	tests := []struct {
		v    interface{ String() string }
		text string
	}{
		{customer.StatusProspect, "prospect"},
		{customer.StatusAcquired, "acquired"},
		{customer.StatusRepeat, "repeat"},
		{customer.StateGuest, "guest"},
		{customer.StateInvited, "invited"},
		{customer.StateActive, "active"},
		{customer.StateDisabled, "disabled"},
		{customer.StateErased, "erased"},
		{customer.TypePrivate, "private"},
		{customer.TypeBusiness, "business"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.text, tt.v.String())
	}
	for _, s := range []customer.Status{customer.StatusProspect, customer.StatusAcquired, customer.StatusRepeat} {
		got, err := customer.ParseStatus(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	for _, s := range allStates {
		got, err := customer.ParseState(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	for _, s := range []customer.Type{customer.TypePrivate, customer.TypeBusiness} {
		got, err := customer.ParseType(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}

	got, err := customer.ParseState(" Active ")
	require.NoError(t, err)
	assert.Equal(t, customer.StateActive, got)

	for _, bad := range []string{"", "unknown", "Status(0)", "0", "1"} {
		_, err := customer.ParseStatus(bad)
		requireFieldError(t, err, "status")
		_, err = customer.ParseState(bad)
		requireFieldError(t, err, "state")
		_, err = customer.ParseType(bad)
		requireFieldError(t, err, "type")
	}

	assert.Equal(t, "Status(0)", customer.Status(0).String())
	assert.Equal(t, "State(9)", customer.State(9).String())
	assert.Equal(t, "Type(-1)", customer.Type(-1).String())
	assert.False(t, customer.Status(0).Valid())
	assert.False(t, customer.State(0).Valid())
	assert.False(t, customer.Type(0).Valid())
}

func TestEnumJSON(t *testing.T) {
	type doc struct {
		Status customer.Status `json:"status"`
		State  customer.State  `json:"state"`
		Type   customer.Type   `json:"type"`
	}
	in := doc{customer.StatusRepeat, customer.StateDisabled, customer.TypeBusiness}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"status":"repeat","state":"disabled","type":"business"}`, string(b))

	var out doc
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	_, err = json.Marshal(doc{})
	require.ErrorIs(t, err, customer.ErrInvalid, "zero values do not marshal")

	err = json.Unmarshal([]byte(`{"status":"vip"}`), &out)
	require.ErrorIs(t, err, customer.ErrInvalid)
	err = json.Unmarshal([]byte(`{"state":"gone"}`), &out)
	require.ErrorIs(t, err, customer.ErrInvalid)
	err = json.Unmarshal([]byte(`{"type":"corp"}`), &out)
	require.ErrorIs(t, err, customer.ErrInvalid)
}

func TestStatusForOrders(t *testing.T) {
	assert.Equal(t, customer.StatusProspect, customer.StatusForOrders(-1))
	assert.Equal(t, customer.StatusProspect, customer.StatusForOrders(0))
	assert.Equal(t, customer.StatusAcquired, customer.StatusForOrders(1))
	assert.Equal(t, customer.StatusRepeat, customer.StatusForOrders(2))
	assert.Equal(t, customer.StatusRepeat, customer.StatusForOrders(1000))
}

func TestTypeAndStateHelpers(t *testing.T) {
	assert.True(t, customer.TypeBusiness.PricesExcludeVAT())
	assert.False(t, customer.TypePrivate.PricesExcludeVAT())
	assert.False(t, customer.StateGuest.HasAccount())
	assert.True(t, customer.StateInvited.HasAccount())
	assert.True(t, customer.StateActive.HasAccount())
	assert.True(t, customer.StateDisabled.HasAccount())
	assert.False(t, customer.StateErased.HasAccount())
}
