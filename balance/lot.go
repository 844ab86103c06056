package balance

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/internal/validation"
)

// Lot is what is left of one credit: expiring store credit is kept as lots
// so that a debit knows which credit it spends and an expiry run knows what
// is left of a credit when it expires.
//
// Every credit posting makes a lot of its amount, except the part that
// repays a negative balance (debt under a credit limit), which makes none.
// A debit takes from the account's live lots, soonest expiry first and
// never-expiring lots last, ties by Sequence (see Consume); what the lots
// cannot cover takes the balance below zero, down to the floor as always.
// When a lot expires, an expiry run posts a KindExpiry debit of its
// Remaining (see Book.Expire).
//
// The invariant of an account and its lots (see Book.Check): Balance ==
// sum(Remaining) - Debt, where Debt = max(0, -Balance), and Debt > 0 only
// when every lot is empty.
//
// Its JSON form uses the json tags below; amounts are Money objects.
type Lot struct {
	// ID is the ID of the credit posting that made the lot. (A lot carried
	// over by the migration that introduced lots, for the positive balance
	// an account already had, has the account's ID.)
	ID        uuid.UUID `json:"id"`
	AccountID uuid.UUID `json:"account_id"`
	// Amount is the lot's original amount: the credit minus the debt it
	// repaid. It is positive.
	Amount Money `json:"amount"`
	// Remaining is what debits and expiry have left of Amount: 0 <=
	// Remaining <= Amount.
	Remaining Money `json:"remaining"`
	// ExpiresAt is when the lot expires; the zero time means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	// Sequence is the credit posting's Sequence (0 for a carried-over lot).
	Sequence int64 `json:"sequence"`
}

// Expires reports whether the lot has an expiry time.
func (l Lot) Expires() bool { return !l.ExpiresAt.IsZero() }

// Live reports whether the lot may still be spent at now: it never
// expires, or it expires after now.
func (l Lot) Live(now time.Time) bool { return !l.Expires() || l.ExpiresAt.After(now) }

// Due reports whether an expiry run at now must expire the lot: it has
// something left and its expiry time is at or before now.
func (l Lot) Due(now time.Time) bool { return l.Remaining.units > 0 && !l.Live(now) }

// Validate checks the lot as stored: IDs set, Amount positive, Remaining
// between zero and Amount in the same currency, Sequence not negative. The
// error is a *ValidationError unwrapping to ErrInvalid.
func (l Lot) Validate() error {
	switch {
	case l.ID == uuid.Nil:
		return invalid("id", "is required")
	case l.AccountID == uuid.Nil:
		return invalid("account_id", "is required")
	case l.Amount.cur.IsZero():
		return validation.New(errInvalidMismatch, "amount", "has no currency")
	case l.Remaining.cur != l.Amount.cur:
		return validation.New(errInvalidMismatch, "remaining", "is not in %s", l.Amount.cur)
	case l.Amount.units <= 0:
		return invalid("amount", "must be positive")
	case l.Remaining.units < 0 || l.Remaining.units > l.Amount.units:
		return invalid("remaining", "must be between zero and the amount")
	case l.Sequence < 0:
		return invalid("sequence", "must not be negative")
	}
	return nil
}

// Clone returns a copy of l. Lot holds no references, so this is a plain
// copy; it exists for symmetry with the other entities.
func (l Lot) Clone() Lot { return l }

// CompareLots orders lots the way debits consume them: soonest expiry
// first, never-expiring lots last, then by Sequence and ID.
func CompareLots(a, b Lot) int {
	switch {
	case a.Expires() && !b.Expires():
		return -1
	case !a.Expires() && b.Expires():
		return 1
	}
	if c := a.ExpiresAt.Compare(b.ExpiresAt); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Sequence, b.Sequence); c != 0 {
		return c
	}
	return cmp.Compare(a.ID.String(), b.ID.String())
}

// Take is one part of a debit: Amount (positive) taken from lot LotID.
type Take struct {
	LotID  uuid.UUID `json:"lot_id"`
	Amount Money     `json:"amount"`
}

// Consume says which lots a debit of amount (positive) takes from at now:
// live lots with something left, in CompareLots order, each until it is
// empty. Expired lots are never taken from. Rest is what the lots do not
// cover, which takes the balance below zero (debt). lots is not modified.
// Errors: ErrInvalid for an amount that is not positive;
// ErrCurrencyMismatch (with ErrInvalid) for a lot in another currency.
func Consume(lots []Lot, amount Money, now time.Time) (takes []Take, rest Money, err error) {
	if amount.cur.IsZero() || amount.units <= 0 {
		return nil, Money{}, invalid("amount", "must be positive")
	}
	order := make([]Lot, 0, len(lots))
	for _, l := range lots {
		if l.Remaining.units <= 0 || !l.Live(now) {
			continue
		}
		if l.Remaining.cur != amount.cur {
			return nil, Money{}, validation.New(errInvalidMismatch, "lots", "lot %s is not in %s", l.ID, amount.cur)
		}
		order = append(order, l)
	}
	slices.SortFunc(order, CompareLots)
	left := amount.units
	for _, l := range order {
		if left == 0 {
			break
		}
		n := min(left, l.Remaining.units)
		takes = append(takes, Take{LotID: l.ID, Amount: Money{units: n, cur: amount.cur}})
		left -= n
	}
	return takes, Money{units: left, cur: amount.cur}, nil
}

// ExpiryKey is the idempotency key of the expiry posting of lot id:
// "expiry:<lot id>". An account has at most one posting with it, so a lot
// expires once however many expiry runs race.
func ExpiryKey(lotID uuid.UUID) string { return "expiry:" + lotID.String() }

// expiryNamespace derives expiry posting IDs from lot IDs.
var expiryNamespace = uuid.MustParse("6f1c3a52-8f0e-4d55-9d0b-0b7c2f3e6a11")

// ExpiryPostingID is the ID of the expiry posting of lot id: a name-based
// (SHA-1) UUID of the lot's ID, so that whoever expires the lot (a storage
// adapter inside Post, or an expiry run) makes the same posting.
func ExpiryPostingID(lotID uuid.UUID) uuid.UUID { return uuid.NewSHA1(expiryNamespace, lotID[:]) }

// ExpiryActor is the Actor of the expiry postings a Book makes.
const ExpiryActor = "system:expiry"

// Book is an account together with its lots: the unit a storage adapter
// loads under the account's lock to apply a posting and keep the lots.
// Lots holds at least every lot with something left (empty lots may be
// present; they are ignored).
type Book struct {
	Account Account
	Lots    []Lot
}

// Debt returns max(0, -Balance): what the account owes under its credit
// limit.
func (b Book) Debt() Money {
	if b.Account.Balance.units >= 0 {
		return Zero(b.Account.Currency)
	}
	return Money{units: -b.Account.Balance.units, cur: b.Account.Currency}
}

// Check verifies the invariant of an account and its lots: every lot is
// valid, of the account and in its currency; Balance == sum(Remaining) -
// Debt; and Debt > 0 only when every lot is empty. The error unwraps to
// ErrInvalid and names the field "lots".
func (b Book) Check() error {
	var sum int64
	for _, l := range b.Lots {
		if err := l.Validate(); err != nil {
			return validation.Prefix("lots", err)
		}
		if l.AccountID != b.Account.ID || l.Amount.cur != b.Account.Currency {
			return invalid("lots", "lot %s is not of account %s in %s", l.ID, b.Account.ID, b.Account.Currency)
		}
		var ok bool
		if sum, ok = addUnits(sum, l.Remaining.units); !ok {
			return invalid("lots", "sum overflows")
		}
	}
	debt := b.Debt().units
	switch {
	case debt > 0 && sum != 0:
		return invalid("lots", "hold %d minor units while the account owes %d", sum, debt)
	case sum-debt != b.Account.Balance.units:
		return invalid("lots", "hold %d minor units, minus debt %d, but the balance is %s", sum, debt, b.Account.Balance)
	}
	return nil
}

// Expire posts a KindExpiry debit of the Remaining of every lot due at now
// (Lot.Due), soonest first, and empties those lots. Each expiry posting
// has ExpiryPostingID(lot) as ID, ExpiryKey(lot) as idempotency key, the
// lot's ID as Reference and ExpiryActor as Actor, and is applied to the
// account (numbered, with its ending balance). It returns the postings in
// the order applied, none when nothing is due. On error b is unchanged.
func (b *Book) Expire(now time.Time) ([]Posting, error) {
	now = now.UTC()
	acct := b.Account
	lots := slices.Clone(b.Lots)
	idx := make([]int, 0)
	for i, l := range lots {
		if l.Due(now) {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(i, j int) int { return CompareLots(lots[i], lots[j]) })
	var out []Posting
	for _, i := range idx {
		l := lots[i]
		p := Posting{
			ID: ExpiryPostingID(l.ID), AccountID: acct.ID, CustomerID: acct.CustomerID,
			Kind: KindExpiry, Amount: l.Remaining.Neg(), Reference: l.ID.String(),
			IdempotencyKey: ExpiryKey(l.ID), Actor: ExpiryActor, CreatedAt: now,
		}
		if err := acct.Apply(&p, now); err != nil {
			return nil, fmt.Errorf("expiring lot %s: %w", l.ID, err)
		}
		lots[i].Remaining = Zero(acct.Currency)
		out = append(out, p)
	}
	b.Account, b.Lots = acct, lots
	return out, nil
}

// Post applies posting p at now, keeping the lots: it first expires the
// lots due at now (Expire; their postings are returned), so that a debit
// never takes from an expired lot, then applies p with Account.Apply (the
// floor and the other rules) and then
//   - for a credit, makes a lot of the part that does not repay debt, with
//     ID p.ID and p's ExpiresAt;
//   - for a debit, takes it from the lots as Consume says.
//
// On error b and p are unchanged.
func (b *Book) Post(p *Posting, now time.Time) (expired []Posting, err error) {
	if p == nil {
		return nil, invalid("posting", "is required")
	}
	work := Book{Account: b.Account, Lots: slices.Clone(b.Lots)}
	expired, err = work.Expire(now)
	if err != nil {
		return nil, err
	}
	debt := work.Debt().units
	q := *p
	if err := work.Account.Apply(&q, now); err != nil {
		return nil, err
	}
	switch {
	case q.Amount.units > 0:
		if n := q.Amount.units - min(q.Amount.units, debt); n > 0 {
			work.Lots = append(work.Lots, Lot{
				ID: q.ID, AccountID: q.AccountID, Amount: Money{units: n, cur: q.Amount.cur},
				Remaining: Money{units: n, cur: q.Amount.cur}, ExpiresAt: q.ExpiresAt,
				CreatedAt: q.CreatedAt, Sequence: q.Sequence,
			})
		}
	case q.Amount.units < 0:
		takes, _, err := Consume(work.Lots, q.Amount.Neg(), now)
		if err != nil {
			return nil, err
		}
		for _, t := range takes {
			for i := range work.Lots {
				if work.Lots[i].ID == t.LotID {
					work.Lots[i].Remaining.units -= t.Amount.units
					break
				}
			}
		}
	}
	*b, *p = work, q
	return expired, nil
}

// LotChanges compares an account's lots before and after Book.Post or
// Book.Expire: added holds the lots that are new (by ID), changed those
// whose Remaining moved. Storage adapters write exactly these.
func LotChanges(before, after []Lot) (added, changed []Lot) {
	old := make(map[uuid.UUID]Money, len(before))
	for _, l := range before {
		old[l.ID] = l.Remaining
	}
	for _, l := range after {
		r, ok := old[l.ID]
		switch {
		case !ok:
			added = append(added, l)
		case !r.Equal(l.Remaining):
			changed = append(changed, l)
		}
	}
	return added, changed
}
