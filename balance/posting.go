package balance

import (
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/internal/validation"
)

// Limits on a posting's text fields, in bytes.
const (
	MaxReferenceLength      = 255
	MaxIdempotencyKeyLength = 255
	MaxActorLength          = 255
	MaxNoteLength           = 1000
)

// Posting is one immutable entry of an account's ledger: a signed amount
// (positive credit, negative debit) and why it happened.
//
// An amount is never zero, with one exception: an order payment that
// applied no credit (the customer had none available) and carries an
// idempotency key. It moves nothing, but it records that outcome against
// its key, so that a replay of the request answers as the first call did
// even if credit has arrived since (see clientele.Balances.ApplyToOrder).
//
// Its JSON form (see MarshalJSON) uses the json tags below, the names that
// ValidationError.Field reports; amounts are Money objects.
type Posting struct {
	ID         uuid.UUID `json:"id"`
	AccountID  uuid.UUID `json:"account_id"`
	CustomerID uuid.UUID `json:"customer_id"`
	// Sequence numbers an account's postings 1, 2, 3...; Account.Apply
	// assigns it. It is 0 for a posting not yet applied.
	Sequence int64 `json:"sequence"`
	Kind     Kind  `json:"kind"`
	// Amount is signed: > 0 credit, < 0 debit; its sign must suit Kind.
	// It is zero only for a KindOrderPayment with an IdempotencyKey (see
	// Posting).
	Amount Money `json:"amount"`
	// EndingBalance is the account balance right after this posting;
	// Account.Apply sets it. It is the zero Money (JSON null) before.
	EndingBalance Money `json:"ending_balance"`
	// Reference links the posting to something outside the ledger: an order
	// number, a gift card code, a refund ID (<= 255 bytes).
	Reference string `json:"reference,omitempty"`
	// IdempotencyKey, when set, is unique per account: a second request with
	// the same key is a replay (see SameRequest) and returns the first
	// posting instead of applying again (<= 255 bytes).
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Actor says who made the posting: a staff user, a job, "customer"
	// (<= 255 bytes).
	Actor string `json:"actor,omitempty"`
	// Note is a free-form, possibly multi-line comment (<= 1000 bytes).
	Note string `json:"note,omitempty"`
	// ExpiresAt, on a credit, is when the credit's lot expires (see Lot);
	// the zero time means never. Only credits may carry it, and it must be
	// after CreatedAt. It is kept in UTC microseconds.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// PostingParams is what a caller asks for when posting to an account. Its
// JSON names are those of Posting.
type PostingParams struct {
	Kind           Kind   `json:"kind"`
	Amount         Money  `json:"amount"`
	Reference      string `json:"reference,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	Actor          string `json:"actor,omitempty"`
	Note           string `json:"note,omitempty"`
	// ExpiresAt, on a credit, is when the credit expires; zero means never.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// NewPosting returns a posting of p on account a, created at now and not
// yet applied (Sequence 0, zero EndingBalance). It validates the posting:
// id and the account's IDs must be set, Kind valid, Amount non-zero (but see
// Posting for the zero order payment), in the
// account's currency and with the sign its kind allows, texts within their
// limits without control characters (Note may span lines). It does not check
// funds; Account.Apply does, under the adapter's lock.
//
// The error is a *ValidationError unwrapping to ErrInvalid (and also to
// ErrCurrencyMismatch when the amount is in another currency).
func NewPosting(id uuid.UUID, a Account, p PostingParams, now time.Time) (Posting, error) {
	switch {
	case id == uuid.Nil:
		return Posting{}, invalid("id", "is required")
	case a.ID == uuid.Nil:
		return Posting{}, invalid("account_id", "is required")
	case a.CustomerID == uuid.Nil:
		return Posting{}, invalid("customer_id", "is required")
	case a.Currency.IsZero():
		return Posting{}, invalid("currency", "is required")
	}
	if err := validateParams(p, a.Currency); err != nil {
		return Posting{}, err
	}
	now = now.UTC()
	if !p.ExpiresAt.IsZero() {
		p.ExpiresAt = p.ExpiresAt.UTC().Truncate(time.Microsecond)
		if !p.ExpiresAt.After(now) {
			return Posting{}, invalid("expires_at", "must be after the posting's time")
		}
	}
	return Posting{
		ID:             id,
		AccountID:      a.ID,
		CustomerID:     a.CustomerID,
		Kind:           p.Kind,
		Amount:         p.Amount,
		Reference:      p.Reference,
		IdempotencyKey: p.IdempotencyKey,
		Actor:          p.Actor,
		Note:           p.Note,
		ExpiresAt:      p.ExpiresAt,
		CreatedAt:      now,
	}, nil
}

// NewCustomerPosting is NewPosting for a posting to the account of
// customerID in p.Amount's currency whose ID is not known yet: the
// posting's AccountID is left zero, for a store that finds the account
// itself (storage.AccountPosts) to set.
func NewCustomerPosting(id, customerID uuid.UUID, p PostingParams, now time.Time) (Posting, error) {
	q, err := NewPosting(id, Account{ID: customerID, CustomerID: customerID, Currency: p.Amount.cur}, p, now)
	q.AccountID = uuid.Nil
	return q, err
}

// validateParams checks p for an account in currency c.
func validateParams(p PostingParams, c Currency) error {
	if !p.Kind.Valid() {
		return invalid("kind", "is not a posting kind")
	}
	switch {
	case p.Amount.cur.IsZero():
		return validation.New(errInvalidMismatch, "amount", "has no currency")
	case p.Amount.cur != c:
		return validation.New(errInvalidMismatch, "amount", "is in %s, the account is in %s", p.Amount.cur, c)
	case p.Amount.IsZero() && (p.Kind != KindOrderPayment || p.IdempotencyKey == ""):
		return invalid("amount", "must not be zero (except for an order payment with an idempotency key)")
	case p.Amount.IsPositive() && !p.Kind.AllowsCredit():
		return invalid("amount", "must be negative (a debit) for kind %s", p.Kind)
	case p.Amount.IsNegative() && !p.Kind.AllowsDebit():
		return invalid("amount", "must be positive (a credit) for kind %s", p.Kind)
	case !p.ExpiresAt.IsZero() && !p.Amount.IsPositive():
		return invalid("expires_at", "is only allowed on a credit")
	}
	if err := validation.Text(ErrInvalid, "reference", p.Reference, MaxReferenceLength, false); err != nil {
		return err
	}
	if err := ValidateIdempotencyKey(p.IdempotencyKey); err != nil {
		return err
	}
	if err := validation.Text(ErrInvalid, "actor", p.Actor, MaxActorLength, false); err != nil {
		return err
	}
	return validation.Text(ErrInvalid, "note", p.Note, MaxNoteLength, true)
}

// Validate checks a posting as stored: IDs set, the request fields as in
// NewPosting (in the amount's own currency), a non-negative Sequence and, for
// an applied posting (Sequence > 0), an EndingBalance in the same currency.
// The error is a *ValidationError unwrapping to ErrInvalid.
func (p Posting) Validate() error {
	switch {
	case p.ID == uuid.Nil:
		return invalid("id", "is required")
	case p.AccountID == uuid.Nil:
		return invalid("account_id", "is required")
	case p.CustomerID == uuid.Nil:
		return invalid("customer_id", "is required")
	case p.Sequence < 0:
		return invalid("sequence", "must not be negative")
	}
	if err := validateParams(p.Params(), p.Amount.cur); err != nil {
		return err
	}
	if p.Sequence > 0 && p.EndingBalance.cur != p.Amount.cur {
		return validation.New(errInvalidMismatch, "ending_balance", "is not in %s", p.Amount.cur)
	}
	if !p.ExpiresAt.IsZero() && !p.ExpiresAt.After(p.CreatedAt) {
		return invalid("expires_at", "must be after created_at")
	}
	return nil
}

// Params returns the request that produced p.
func (p Posting) Params() PostingParams {
	return PostingParams{
		Kind:           p.Kind,
		Amount:         p.Amount,
		Reference:      p.Reference,
		IdempotencyKey: p.IdempotencyKey,
		Actor:          p.Actor,
		Note:           p.Note,
		ExpiresAt:      p.ExpiresAt,
	}
}

// SameRequest reports whether q asks for the same posting as p: same kind,
// amount (currency and value), reference, actor, note and expiry (compared
// at microsecond precision, as stored). The idempotency
// key is not compared; the service calls SameRequest after finding p by q's
// key, and returns ErrIdempotencyKeyReused when it reports false.
func (p Posting) SameRequest(q PostingParams) bool {
	return p.Kind == q.Kind &&
		p.Amount.Equal(q.Amount) &&
		p.Reference == q.Reference &&
		p.Actor == q.Actor &&
		p.Note == q.Note &&
		p.ExpiresAt.Truncate(time.Microsecond).Equal(q.ExpiresAt.Truncate(time.Microsecond))
}

// IsCredit reports whether p adds money to the account (Amount > 0).
func (p Posting) IsCredit() bool { return p.Amount.IsPositive() }

// IsDebit reports whether p takes money from the account (Amount < 0).
func (p Posting) IsDebit() bool { return p.Amount.IsNegative() }

// Clone returns a copy of p. Posting holds no references, so this is a plain
// copy; it exists for symmetry with the other entities.
func (p Posting) Clone() Posting { return p }

// ValidateIdempotencyKey checks an idempotency key: "" means no key; any
// other key must be valid UTF-8 without control characters, at most
// MaxIdempotencyKeyLength bytes, and not blank (a key of spaces would be a
// real key that looks like none in every log). Errors: *ValidationError
// with Field "idempotency_key".
func ValidateIdempotencyKey(key string) error {
	if err := validation.Text(ErrInvalid, "idempotency_key", key, MaxIdempotencyKeyLength, false); err != nil {
		return err
	}
	if key != "" && strings.TrimSpace(key) == "" {
		return invalid("idempotency_key", "is blank (leave it empty for no key)")
	}
	return nil
}
