package company

import (
	"fmt"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/internal/validation"
)

// Outcome is what Decide says of an order.
type Outcome int

// The outcomes.
const (
	// Allowed: the order is within the member's limits.
	Allowed Outcome = iota + 1
	// NeedsApproval: the order is over a limit; an approver or an admin
	// may approve it.
	NeedsApproval
	// Denied: the order may not be placed at all.
	Denied
)

var outcomeNames = [...]string{Allowed: "allowed", NeedsApproval: "needs_approval", Denied: "denied"}

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool { return o >= Allowed && o <= Denied }

// String returns the outcome's name ("needs_approval"), or "Outcome(n)".
func (o Outcome) String() string {
	if o.Valid() {
		return outcomeNames[o]
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// MarshalText implements encoding.TextMarshaler; an invalid outcome is an
// error.
func (o Outcome) MarshalText() ([]byte, error) {
	if !o.Valid() {
		return nil, invalid("outcome", "is not a decision outcome: %s", o)
	}
	return []byte(o.String()), nil
}

// Decision is Decide's answer: an outcome and, unless Allowed, why.
type Decision struct {
	Outcome Outcome `json:"outcome"`
	// Reason is a short English reason, empty when Allowed.
	Reason string `json:"reason,omitempty"`
}

// Decide decides an order of amount by member, who has spent
// spentInPeriod in the current period of their period limit (ignored
// without one). credit, when given, is the company's credit available: an
// order over it is Denied. See the package doc for the rule. Decide is
// pure and total: invalid input (a negative amount or spend, a currency
// other than the limits') is Denied, never a panic.
func Decide(member Member, spentInPeriod, amount balance.Money, credit ...balance.Money) Decision {
	deny := func(format string, args ...any) Decision {
		return Decision{Outcome: Denied, Reason: fmt.Sprintf(format, args...)}
	}
	if amount.Currency().IsZero() || amount.IsNegative() {
		return deny("the amount is missing or negative")
	}
	if !member.Role.Valid() {
		return deny("the member has no valid role")
	}
	cur := amount.Currency()
	if err := member.Limits.Validate(cur); err != nil {
		return deny("the amount is not in the limits' currency")
	}
	for _, c := range credit {
		if c.Currency() != cur {
			return deny("the credit is not in the amount's currency")
		}
		if amount.MinorUnits() > c.MinorUnits() {
			return deny("the amount exceeds the company's available credit %s", c)
		}
	}
	if l := member.Limits.PerOrder; l != nil && amount.MinorUnits() > l.MinorUnits() {
		return Decision{Outcome: NeedsApproval, Reason: fmt.Sprintf("the amount is over the per-order limit %s", *l)}
	}
	if l := member.Limits.Period; l != nil {
		if spentInPeriod.Currency() != cur || spentInPeriod.IsNegative() {
			return deny("the period's spend is not a non-negative amount in %s", cur)
		}
		total, err := spentInPeriod.Add(amount)
		if err != nil || total.MinorUnits() > l.Amount.MinorUnits() {
			return Decision{Outcome: NeedsApproval, Reason: fmt.Sprintf("the amount takes the %s's spend over the limit %s", l.Period, l.Amount)}
		}
	}
	return Decision{Outcome: Allowed}
}

// ParseOutcome returns the Outcome named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "outcome".
func ParseOutcome(s string) (Outcome, error) {
	v, err := validation.Enum(ErrInvalid, "outcome", s, outcomeNames[:])
	return Outcome(v), err
}

// Outcomes returns every valid Outcome.
func Outcomes() []Outcome { return []Outcome{Allowed, NeedsApproval, Denied} }

// UnmarshalText implements encoding.TextUnmarshaler with ParseOutcome; on
// error o is unchanged.
func (o *Outcome) UnmarshalText(b []byte) error {
	v, err := ParseOutcome(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}
