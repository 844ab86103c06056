package apicheck

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/bulk"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/internal/validation"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

// textEnum is what every enum of the domain packages is.
type textEnum interface {
	comparable
	fmt.Stringer
	encoding.TextMarshaler
	Valid() bool
}

// checkEnum holds one enum to the convention of the domain packages: its
// text form (and so its JSON) is the canonical lower-case String; Parse and
// UnmarshalText trim surrounding white space and fold case; anything else is
// a *validation.Error for field unwrapping to the package's sentinel and
// leaves the value unchanged; the invalid zero value does not marshal.
func checkEnum[T textEnum, PT interface {
	*T
	encoding.TextUnmarshaler
}](t *testing.T, values []T, parse func(string) (T, error), field string, sentinel error) {
	t.Helper()
	require.NotEmpty(t, values)
	for _, v := range values {
		name := v.String()
		assert.Equal(t, strings.ToLower(name), name, "canonical form is lower case")
		b, err := v.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, name, string(b))

		for _, in := range []string{name, strings.ToUpper(name), " " + name + "\t", "\n" + strings.ToUpper(name[:1]) + name[1:] + " "} {
			got, err := parse(in)
			require.NoError(t, err, "parse %q", in)
			assert.Equal(t, v, got, "parse %q", in)
			var u T
			require.NoError(t, PT(&u).UnmarshalText([]byte(in)), "UnmarshalText %q", in)
			assert.Equal(t, v, u)
		}

		js, err := json.Marshal(map[string]T{"v": v})
		require.NoError(t, err)
		assert.JSONEq(t, `{"v":"`+name+`"}`, string(js))
		var back struct{ V T }
		require.NoError(t, json.Unmarshal(js, &back))
		assert.Equal(t, v, back.V)
	}

	var zero T
	assert.False(t, zero.Valid(), "the zero value is invalid")
	_, err := zero.MarshalText()
	assert.ErrorIs(t, err, sentinel, "the invalid zero value does not marshal")
	_, err = json.Marshal(struct{ V T }{zero})
	assert.ErrorIs(t, err, sentinel)

	for _, bad := range []string{"", " ", "nope", "0", values[0].String() + "x", strings.Repeat("z", 100)} {
		_, err := parse(bad)
		var ve *validation.Error
		require.True(t, errors.As(err, &ve), "parse %q: %v", bad, err)
		assert.Equal(t, field, ve.Field)
		assert.ErrorIs(t, err, sentinel)
		assert.LessOrEqual(t, len(err.Error()), 200, "the message does not echo unbounded input")

		v := values[len(values)-1]
		assert.ErrorIs(t, PT(&v).UnmarshalText([]byte(bad)), sentinel)
		assert.Equal(t, values[len(values)-1], v, "unchanged on error")
	}
	var into struct{ V T }
	assert.Error(t, json.Unmarshal([]byte(`{"V":1}`), &into), "a number is not an enum")
	assert.Error(t, json.Unmarshal([]byte(`{"V":"nope"}`), &into))
}

func TestEnumConvention(t *testing.T) {
	t.Run("customer.Status", func(t *testing.T) {
		checkEnum(t, customer.Statuses(), customer.ParseStatus, "status", customer.ErrInvalid)
	})
	t.Run("credential.Purpose", func(t *testing.T) {
		checkEnum(t, credential.Purposes(), credential.ParsePurpose, "purpose", credential.ErrInvalid)
	})
	t.Run("customer.State", func(t *testing.T) {
		checkEnum(t, customer.States(), customer.ParseState, "state", customer.ErrInvalid)
	})
	t.Run("customer.Type", func(t *testing.T) {
		checkEnum(t, customer.Types(), customer.ParseType, "type", customer.ErrInvalid)
	})
	t.Run("wallet.Type", func(t *testing.T) {
		checkEnum(t, wallet.Types(), wallet.ParseType, "type", wallet.ErrInvalid)
	})
	t.Run("subscription.Status", func(t *testing.T) {
		checkEnum(t, subscription.Statuses(), subscription.ParseStatus, "status", subscription.ErrInvalid)
	})
	t.Run("company.Role", func(t *testing.T) {
		checkEnum(t, company.Roles(), company.ParseRole, "role", company.ErrInvalid)
	})
	t.Run("company.Period", func(t *testing.T) {
		checkEnum(t, company.Periods(), company.ParsePeriod, "period", company.ErrInvalid)
	})
	t.Run("company.Outcome", func(t *testing.T) {
		checkEnum(t, company.Outcomes(), company.ParseOutcome, "outcome", company.ErrInvalid)
	})
	t.Run("company.ApprovalStatus", func(t *testing.T) {
		checkEnum(t, company.ApprovalStatuses(), company.ParseApprovalStatus, "status", company.ErrInvalid)
	})
	t.Run("address.Kind", func(t *testing.T) {
		checkEnum(t, address.Kinds(), address.ParseKind, "kind", address.ErrInvalid)
	})
	t.Run("balance.Kind", func(t *testing.T) {
		checkEnum(t, balance.Kinds(), balance.ParseKind, "kind", balance.ErrInvalid)
	})
	t.Run("market.BusinessModel", func(t *testing.T) {
		checkEnum(t, market.BusinessModels(), market.ParseBusinessModel, "business_model", market.ErrInvalid)
	})
	t.Run("market.TaxDisplay", func(t *testing.T) {
		checkEnum(t, market.TaxDisplays(), market.ParseTaxDisplay, "tax_display", market.ErrInvalid)
	})
	t.Run("order.Status", func(t *testing.T) {
		checkEnum(t, order.Statuses(), order.ParseStatus, "status", order.ErrInvalid)
	})
	// The order history's details.
	t.Run("order.RequestStatus", func(t *testing.T) {
		checkEnum(t, order.RequestStatuses(), order.ParseRequestStatus, "status", order.ErrInvalid)
	})
	t.Run("order.RefundStatus", func(t *testing.T) {
		checkEnum(t, order.RefundStatuses(), order.ParseRefundStatus, "status", order.ErrInvalid)
	})
	t.Run("verification.Status", func(t *testing.T) {
		checkEnum(t, verification.Statuses(), verification.ParseStatus, "status", verification.ErrInvalid)
	})
	t.Run("consent.Channel", func(t *testing.T) {
		checkEnum(t, consent.Channels(), consent.ParseChannel, "channel", consent.ErrInvalid)
	})
	t.Run("consent.Purpose", func(t *testing.T) {
		checkEnum(t, consent.Purposes(), consent.ParsePurpose, "purpose", consent.ErrInvalid)
	})
	t.Run("consent.Status", func(t *testing.T) {
		checkEnum(t, consent.Statuses(), consent.ParseStatus, "status", consent.ErrInvalid)
	})
	t.Run("verification.Kind", func(t *testing.T) {
		checkEnum(t, verification.Kinds(), verification.ParseKind, "kind", verification.ErrInvalid)
	})
	t.Run("order.ExchangeType", func(t *testing.T) {
		checkEnum(t, order.ExchangeTypes(), order.ParseExchangeType, "type", order.ErrInvalid)
	})
	t.Run("order.Destination", func(t *testing.T) {
		checkEnum(t, order.Destinations(), order.ParseDestination, "destination", order.ErrInvalid)
	})
	// Marketplace roles.
	t.Run("merchant.Role", func(t *testing.T) {
		checkEnum(t, merchant.Roles(), merchant.ParseRole, "role", merchant.ErrInvalid)
	})
	t.Run("merchant.Source", func(t *testing.T) {
		checkEnum(t, merchant.Sources(), merchant.ParseSource, "source", merchant.ErrInvalid)
	})
	t.Run("operator.Role", func(t *testing.T) {
		checkEnum(t, operator.Roles(), operator.ParseRole, "role", operator.ErrInvalid)
	})
	t.Run("bulk.Format", func(t *testing.T) {
		checkEnum(t, bulk.Formats(), bulk.ParseFormat, "format", bulk.ErrInvalid)
	})
	t.Run("bulk.Mapping", func(t *testing.T) {
		checkEnum(t, bulk.Mappings(), bulk.ParseMapping, "mapping", bulk.ErrInvalid)
	})
	t.Run("pricing.TaxDisplay", func(t *testing.T) {
		checkEnum(t, pricing.TaxDisplays(), pricing.ParseTaxDisplay, "tax_display", pricing.ErrInvalid)
	})
	t.Run("pricing.Reason", func(t *testing.T) {
		checkEnum(t, pricing.Reasons(), pricing.ParseReason, "reason", pricing.ErrInvalid)
	})
	// The conditions of a segment's rule.
	t.Run("segment.Field", func(t *testing.T) {
		checkEnum(t, segment.Fields(), segment.ParseField, "field", segment.ErrInvalid)
	})
	t.Run("segment.Op", func(t *testing.T) {
		checkEnum(t, segment.Ops(), segment.ParseOp, "op", segment.ErrInvalid)
	})
}

// TestTransitionConvention holds every state machine of the domain packages
// to one convention: CanTransition(from, to) as a package function agrees
// with the method, staying put is not a transition, invalid values move
// nowhere, and a refused move is a typed error unwrapping to the package's
// ErrInvalidTransition.
func TestTransitionConvention(t *testing.T) {
	t.Run("customer.State", func(t *testing.T) {
		all := append(customer.States(), 0, 99)
		for _, from := range all {
			for _, to := range all {
				assert.Equal(t, from.CanTransition(to), customer.CanTransition(from, to), "%s → %s", from, to)
			}
			assert.False(t, customer.CanTransition(from, from), "%s → itself", from)
		}
		c, err := customer.NewGuest(uuidOf(1), customer.Params{Email: "ada@example.com"}, t0)
		require.NoError(t, err)
		err = c.Transition(customer.StateActive, t0)
		var te *customer.TransitionError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, customer.TransitionError{From: customer.StateGuest, To: customer.StateActive}, *te)
		assert.ErrorIs(t, err, customer.ErrInvalidTransition)
	})
	t.Run("customer.Status", func(t *testing.T) {
		all := append(customer.Statuses(), 0, 99)
		for _, from := range all {
			for _, to := range all {
				want := from.Valid() && to.Valid() && from < to
				assert.Equal(t, want, from.CanTransition(to), "%s → %s", from, to)
				assert.Equal(t, want, customer.CanTransition(from, to), "%s → %s", from, to)
			}
		}
		assert.Equal(t, []customer.Status{customer.StatusAcquired, customer.StatusRepeat}, customer.StatusProspect.Transitions())
		assert.Empty(t, customer.StatusRepeat.Transitions())
	})
	t.Run("order.Status", func(t *testing.T) {
		all := append(order.Statuses(), 0, 99)
		for _, from := range all {
			for _, to := range all {
				assert.Equal(t, from.CanTransition(to), order.CanTransition(from, to), "%s → %s", from, to)
			}
			assert.False(t, order.CanTransition(from, from), "%s → itself", from)
		}
		total, err := balance.ParseMoney("10.00", "EUR")
		require.NoError(t, err)
		o, err := order.New(order.Params{ID: "A-1", CustomerID: uuidOf(1), Total: total, Status: order.StatusCancelled}, t0)
		require.NoError(t, err)
		err = o.SetStatus(order.StatusPlaced, t0)
		var te *order.TransitionError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, order.TransitionError{From: order.StatusCancelled, To: order.StatusPlaced}, *te)
		assert.ErrorIs(t, err, order.ErrInvalidTransition)
	})
	// The order history's details: the method alone (order.CanTransition
	// is the order's), the same rules otherwise.
	t.Run("order.RequestStatus", func(t *testing.T) {
		for _, from := range append(order.RequestStatuses(), 0, 99) {
			assert.False(t, from.CanTransition(from), "%s → itself", from)
			assert.False(t, from.CanTransition(0) || from.CanTransition(99))
			if !from.Valid() || from.IsFinal() {
				for _, to := range order.RequestStatuses() {
					assert.False(t, from.CanTransition(to), "%s → %s", from, to)
				}
			}
		}
		total, err := balance.ParseMoney("10.00", "EUR")
		require.NoError(t, err)
		o, err := order.New(order.Params{ID: "A-1", CustomerID: uuidOf(1), Total: total}, t0)
		require.NoError(t, err)
		r, err := order.NewReturn(order.ReturnParams{ID: "R-1", OrderID: "A-1", Amount: total, Status: order.RequestCompleted}, o, t0)
		require.NoError(t, err)
		err = r.SetStatus(order.RequestReceived, t0)
		var te *order.DetailTransitionError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, order.DetailTransitionError{Kind: "return", From: "completed", To: "received"}, *te)
		assert.ErrorIs(t, err, order.ErrInvalidTransition)
	})
	t.Run("order.RefundStatus", func(t *testing.T) {
		for _, from := range append(order.RefundStatuses(), 0, 99) {
			for _, to := range append(order.RefundStatuses(), 0, 99) {
				want := from == order.RefundPending && (to == order.RefundSucceeded || to == order.RefundFailed)
				assert.Equal(t, want, from.CanTransition(to), "%s → %s", from, to)
			}
		}
	})
}

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// uuidOf returns a readable, deterministic UUID for n.
func uuidOf(n int) uuid.UUID {
	return uuid.MustParse(fmt.Sprintf("0195a1b2-0000-7000-8000-%012d", n))
}
