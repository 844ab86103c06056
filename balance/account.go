package balance

import (
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/internal/validation"
)

// Account is a customer's store credit in one currency: the head of an
// append-only ledger of Postings. A customer has at most one account per
// currency (storage enforces it).
//
// Invariants (checked by Validate and kept by Apply and SetCreditLimit):
// Balance and CreditLimit are in Currency; CreditLimit >= 0; Balance >= Floor
// (= -CreditLimit); Balance + CreditLimit (the available amount) fits in
// Money's range; Balance is the sum of the Postings applied so far, and
// Postings counts them.
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports; amounts are Money objects.
type Account struct {
	ID         uuid.UUID `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	Currency   Currency  `json:"currency"`
	// Balance always equals the sum of the account's postings.
	Balance Money `json:"balance"`
	// CreditLimit (>= 0) lets the balance go down to -CreditLimit, for
	// business customers buying on credit. It is zero for most accounts.
	CreditLimit Money `json:"credit_limit"`
	// Postings is the number of postings applied; Apply gives the next
	// posting Sequence Postings+1.
	Postings  int64     `json:"postings"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version is for optimistic concurrency; adapters bump it on every write,
	// starting at 1 on create. Domain methods never change it.
	Version int64 `json:"version"`
}

// NewAccount returns an empty account of customerID in currency c, with a
// zero balance and no credit limit. Use Validate to check the arguments (a
// nil ID or the zero Currency make an invalid account that Apply rejects).
func NewAccount(id, customerID uuid.UUID, c Currency, now time.Time) Account {
	now = now.UTC()
	return Account{
		ID:          id,
		CustomerID:  customerID,
		Currency:    c,
		Balance:     Zero(c),
		CreditLimit: Zero(c),
		CreatedAt:   now,
		UpdatedAt:   now,
	}
}

// Validate checks the account's fields and invariants. The error is a
// *ValidationError unwrapping to ErrInvalid.
func (a Account) Validate() error {
	switch {
	case a.ID == uuid.Nil:
		return invalid("id", "is required")
	case a.CustomerID == uuid.Nil:
		return invalid("customer_id", "is required")
	case a.Currency.IsZero():
		return invalid("currency", "is required")
	case a.Balance.cur != a.Currency:
		return validation.New(errInvalidMismatch, "balance", "is not in %s", a.Currency)
	case a.CreditLimit.cur != a.Currency:
		return validation.New(errInvalidMismatch, "credit_limit", "is not in %s", a.Currency)
	case a.CreditLimit.IsNegative():
		return invalid("credit_limit", "must not be negative")
	case a.Balance.units < -a.CreditLimit.units:
		return invalid("balance", "is below the floor %s", a.CreditLimit.Neg())
	case a.Postings < 0:
		return invalid("postings", "must not be negative")
	case a.Version < 0:
		return invalid("version", "must not be negative")
	}
	if _, ok := addUnits(a.Balance.units, a.CreditLimit.units); !ok {
		return validation.New(errInvalidOverflow, "balance", "plus the credit limit overflows")
	}
	return nil
}

// ChangedBesidesLimit reports whether a differs from old in anything but
// CreditLimit and UpdatedAt. Outside a posting only those two may change:
// storage adapters refuse other changes in UpdateAccount.
func (a Account) ChangedBesidesLimit(old Account) bool {
	return a.ID != old.ID || a.CustomerID != old.CustomerID || a.Currency != old.Currency ||
		!a.Balance.Equal(old.Balance) || a.Postings != old.Postings || a.Version != old.Version ||
		!a.CreatedAt.Equal(old.CreatedAt)
}

// ValidateNew checks an account about to be created: Validate, and an empty
// ledger (a zero balance and no postings), since the balance must always
// equal the sum of the postings and a new account has none. Storage
// adapters call it in CreateAccount.
func (a Account) ValidateNew() error {
	if err := a.Validate(); err != nil {
		return err
	}
	switch {
	case !a.Balance.IsZero():
		return invalid("balance", "must be zero for a new account (credit or debit it with a posting)")
	case a.Postings != 0:
		return invalid("postings", "must be 0 for a new account")
	}
	return nil
}

// Clone returns a copy of a. Account holds no references, so this is a plain
// copy; it exists for symmetry with the other entities.
func (a Account) Clone() Account { return a }

// Floor returns the lowest balance the account may reach: zero, or minus the
// credit limit.
func (a Account) Floor() Money {
	if a.CreditLimit.cur.IsZero() {
		return Zero(a.Currency)
	}
	return a.CreditLimit.Neg()
}

// Available returns how much the account can still be debited: Balance -
// Floor, i.e. Balance + CreditLimit. It is never negative for a valid
// account. (For an account that fails Validate it is computed on a best-effort
// basis and saturates instead of overflowing.)
func (a Account) Available() Money {
	bal := a.Balance.units
	if a.Balance.cur.IsZero() {
		bal = 0
	}
	limit := a.CreditLimit.units
	if a.CreditLimit.cur.IsZero() {
		limit = 0
	}
	sum, ok := addUnits(bal, limit)
	if !ok {
		if bal > 0 {
			sum = math.MaxInt64
		} else {
			sum = -math.MaxInt64
		}
	}
	return Money{units: sum, cur: a.Currency}
}

// SetCreditLimit sets the credit limit. The limit must be in the account's
// currency (else an error unwrapping to ErrCurrencyMismatch and ErrInvalid)
// and not negative (ErrInvalid). Lowering it below what the balance already
// uses returns an error wrapping ErrInsufficientFunds. On error a is
// unchanged.
func (a *Account) SetCreditLimit(limit Money, now time.Time) error {
	if a.Currency.IsZero() {
		return invalid("currency", "is required")
	}
	if limit.cur != a.Currency {
		return validation.New(errInvalidMismatch, "credit_limit", "must be in %s", a.Currency)
	}
	if limit.IsNegative() {
		return invalid("credit_limit", "must not be negative")
	}
	bal := a.Balance.units
	if a.Balance.cur != a.Currency {
		return validation.New(errInvalidMismatch, "balance", "is not in %s", a.Currency)
	}
	if bal < -limit.units {
		return fmt.Errorf("%w: balance %s is below the new floor %s", ErrInsufficientFunds, a.Balance, limit.Neg())
	}
	if _, ok := addUnits(bal, limit.units); !ok {
		return fmt.Errorf("%w: balance %s plus credit limit %s", ErrOverflow, a.Balance, limit)
	}
	a.CreditLimit = limit
	a.UpdatedAt = now.UTC()
	return nil
}

// Apply applies posting p to the account. It is the domain rule storage
// adapters run under their lock (or inside their conditional write), so that
// a balance can never go below its floor.
//
// It checks that a is valid, that p belongs to a (AccountID, CustomerID) and
// is in its currency, and that p itself is valid (kind, sign, texts). It then
// computes the new balance Balance + p.Amount, which must not be below
// Floor: otherwise it returns an *InsufficientFundsError (unwrapping to
// ErrInsufficientFunds). A result outside Money's range returns ErrOverflow.
//
// On success it sets a.Balance, increments a.Postings, sets a.UpdatedAt to
// now, and sets p.Sequence to the new a.Postings and p.EndingBalance to the
// new balance. It overwrites those two posting fields, so applying the same
// posting again to a freshly loaded account (a retried transaction) is safe.
// On error neither a nor p is modified. It never changes a.Version.
func (a *Account) Apply(p *Posting, now time.Time) error {
	if p == nil {
		return invalid("posting", "is required")
	}
	if err := a.Validate(); err != nil {
		return validation.Prefix("account", err)
	}
	if p.AccountID != a.ID {
		return invalid("account_id", "does not match the account")
	}
	if p.CustomerID != a.CustomerID {
		return invalid("customer_id", "does not match the account")
	}
	if err := validateParams(p.Params(), a.Currency); err != nil {
		return err
	}
	balance, ok := addUnits(a.Balance.units, p.Amount.units)
	if !ok {
		return fmt.Errorf("%w: balance %s + %s", ErrOverflow, a.Balance, p.Amount)
	}
	if balance < -a.CreditLimit.units {
		return &InsufficientFundsError{Available: a.Available(), Requested: p.Amount.Abs()}
	}
	if _, ok := addUnits(balance, a.CreditLimit.units); !ok {
		return fmt.Errorf("%w: balance %s + %s plus the credit limit", ErrOverflow, a.Balance, p.Amount)
	}
	if a.Postings == math.MaxInt64 {
		return fmt.Errorf("%w: posting count", ErrOverflow)
	}
	a.Balance = Money{units: balance, cur: a.Currency}
	a.Postings++
	a.UpdatedAt = now.UTC()
	p.Sequence = a.Postings
	p.EndingBalance = a.Balance
	return nil
}

// Application is the result of ApplyToOrder: how much store credit to take
// and what the customer still owes by other means.
type Application struct {
	// Applied is the credit to debit (never negative); zero when the
	// account has nothing available.
	Applied Money `json:"applied"`
	// Remaining is total - Applied, still due.
	Remaining Money `json:"remaining"`
}

// ApplyToOrder computes how much of an order total the account's credit
// covers: Applied = min(Available, total), never negative, and Remaining =
// total - Applied. It does not change the account: to take the credit,
// create a KindOrderPayment posting of Applied.Neg() (when Applied is
// positive) and Apply it. total must be in the account's currency (else an
// error unwrapping to ErrCurrencyMismatch and ErrInvalid) and not negative
// (ErrInvalid).
func (a Account) ApplyToOrder(total Money) (Application, error) {
	if a.Currency.IsZero() {
		return Application{}, invalid("currency", "is required")
	}
	if total.cur != a.Currency {
		return Application{}, validation.New(errInvalidMismatch, "total", "must be in %s", a.Currency)
	}
	if total.IsNegative() {
		return Application{}, invalid("total", "must not be negative")
	}
	applied := a.Available().units
	if applied < 0 {
		applied = 0
	}
	if applied > total.units {
		applied = total.units
	}
	return Application{
		Applied:   Money{units: applied, cur: a.Currency},
		Remaining: Money{units: total.units - applied, cur: a.Currency},
	}, nil
}
