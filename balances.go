package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// Balances moves store credit. Each customer has one account per currency,
// opened by its first posting; the ledger is append-only and the balance
// always equals the sum of the postings.
//
// Every posting may carry an idempotency key, unique per account: repeating
// a request with the same key and the same content returns the first result
// without posting again; the same key with different content returns
// balance.ErrIdempotencyKeyReused and changes nothing.
type Balances struct{ *env }

// PostingRequest asks for one credit or debit. Its JSON names are those of
// balance.Posting ("customer_id", "amount", "idempotency_key"...).
type PostingRequest struct {
	CustomerID uuid.UUID `json:"customer_id"`
	// Amount is the (positive) amount to credit or debit.
	Amount balance.Money `json:"amount"`
	// Kind classifies the posting; zero means balance.KindAdjustment.
	Kind           balance.Kind `json:"kind,omitempty"`
	Reference      string       `json:"reference,omitempty"`
	IdempotencyKey string       `json:"idempotency_key,omitempty"`
	Actor          string       `json:"actor,omitempty"`
	Note           string       `json:"note,omitempty"`
	// ExpiresAt, for a credit, is when the credit expires (see
	// balance.Lot); zero means never. It must be after the service's
	// clock, and needs a store with the storage.CreditLots capability.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// Credit adds r.Amount to the customer's balance. Kinds: adjustment, gift
// card, refund, order payment reversal, transfer. A credit with ExpiresAt
// expires then: debits take the soonest-expiring credit first, and
// ExpireCredit (or the next posting to the account) posts an expiry debit
// of what is left of it. Errors: customer.ErrNotFound,
// *balance.ValidationError (balance.ErrInvalid),
// balance.ErrIdempotencyKeyReused; ErrUnsupported for an expiry on a store
// without the storage.CreditLots capability.
func (s *Balances) Credit(ctx context.Context, r PostingRequest) (balance.Posting, error) {
	return s.post(ctx, r, false)
}

// Debit takes r.Amount from the customer's balance, never below its floor
// (zero, or minus the credit limit), and from the soonest-expiring credit
// first; credit that has expired is expired first and is not available.
// Kinds: adjustment, order payment, expiry, transfer. Errors: those of
// Credit, and balance.ErrInsufficientFunds.
func (s *Balances) Debit(ctx context.Context, r PostingRequest) (balance.Posting, error) {
	return s.post(ctx, r, true)
}

func (s *Balances) post(ctx context.Context, r PostingRequest, debit bool) (balance.Posting, error) {
	if r.Kind == 0 {
		r.Kind = balance.KindAdjustment
	}
	if err := balance.ValidateIdempotencyKey(r.IdempotencyKey); err != nil {
		return balance.Posting{}, err
	}
	if !r.Amount.IsPositive() {
		return balance.Posting{}, &balance.ValidationError{Field: "amount", Reason: "must be positive", Err: balance.ErrInvalid}
	}
	params := balance.PostingParams{Kind: r.Kind, Amount: r.Amount, Reference: r.Reference,
		IdempotencyKey: r.IdempotencyKey, Actor: postingActor(ctx, r.Actor), Note: r.Note, ExpiresAt: r.ExpiresAt}
	if debit {
		params.Amount = r.Amount.Neg()
	}
	if !r.ExpiresAt.IsZero() {
		if _, err := lotsOf(s.store.Balances()); err != nil {
			return balance.Posting{}, err
		}
	}
	var out balance.Posting
	err := s.retryRace(ctx, func(ctx context.Context, tx storage.Tx) error {
		if posts, ok := tx.Balances().(storage.AccountPosts); ok {
			// The common case in the round trips of one posting: the
			// account is found and locked by the posting's own first
			// statement, which also checks the customer and the key.
			// A customer without an account in the currency, and a
			// replayed key, take the path below.
			now := s.clock()
			p, err := balance.NewCustomerPosting(s.newID(), r.CustomerID, params, now)
			if err != nil {
				return err
			}
			done, err := posts.PostToCustomer(ctx, p)
			switch {
			case err == nil:
				out = done.Posting
				return s.emitPosted(ctx, tx, done)
			case errors.Is(err, storage.ErrCustomerNotLive):
				return customerGone(err)
			case !errors.Is(err, storage.ErrNotFound) && !storage.IsConflict(err, storage.ConstraintIdempotencyKey):
				return err
			}
		}
		acct, err := s.account(ctx, tx, r.CustomerID, r.Amount.Currency())
		if err != nil {
			return err
		}
		if prev, found, err := replay(ctx, tx, acct, r.IdempotencyKey); err != nil || found {
			if found && !prev.SameRequest(params) {
				return fmt.Errorf("%w: key %s", balance.ErrIdempotencyKeyReused, storage.Quote(r.IdempotencyKey))
			}
			out = prev
			return err
		}
		now := s.clock()
		if acct, err = s.expireDue(ctx, tx, acct, now); err != nil {
			return err
		}
		p, err := balance.NewPosting(s.newID(), acct, params, now)
		if err != nil {
			return err
		}
		out, err = tx.Balances().Post(ctx, p)
		if err != nil {
			return customerGone(err)
		}
		return s.emitPosting(ctx, tx, acct, out)
	})
	return out, err
}

// emitPosted emits the events of what AccountPosts.PostToCustomer did:
// the expiry postings, then the posting, each one version further.
func (e *env) emitPosted(ctx context.Context, r storage.Repositories, done storage.Posted) error {
	acct := done.Account
	for _, p := range append(done.Expired, done.Posting) {
		if err := e.emitPosting(ctx, r, acct, p); err != nil {
			return err
		}
		acct.Version++
	}
	return nil
}

// postingActor is the actor a posting records: the request's, or else the
// one ctx carries (see WithActor), or else none.
func postingActor(ctx context.Context, requested string) string {
	if requested != "" {
		return requested
	}
	if a, ok := actor.Lookup(ctx); ok {
		return a.String()
	}
	return ""
}

// emitPosting emits the event of posting p to acct, read (and locked) in
// the same transaction: the account's version after the posting is one
// more than acct's, since adapters bump it once per write.
func (e *env) emitPosting(ctx context.Context, r storage.Repositories, acct balance.Account, p balance.Posting) error {
	t := event.BalanceCredited
	switch {
	case p.Kind == balance.KindOrderPayment:
		t = event.BalanceOrderPaid
	case p.Amount.IsNegative():
		t = event.BalanceDebited
	}
	return e.emitOne(ctx, r, t, event.AggregateBalanceAccount, acct.ID.String(), acct.CustomerID, acct.Version+1,
		event.PostingPayload{Posting: p})
}

// emitAccount emits an account event with a as it is now and, when before
// is given, the fields that changed.
func (e *env) emitAccount(ctx context.Context, r storage.Repositories, t event.Type, before *balance.Account, a balance.Account) error {
	p := event.AccountPayload{Account: a}
	if before != nil {
		p.Changes = diff(*before, a)
	}
	return e.emitOne(ctx, r, t, event.AggregateBalanceAccount, a.ID.String(), a.CustomerID, a.Version, p)
}

// retryRace runs fn in a transaction and runs it again when it lost a race
// that a second run resolves: a concurrent request with the same idempotency
// key (the second run replays its result) or opening the same account.
func (s *Balances) retryRace(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	var err error
	for range maxCreateAttempts {
		err = s.atomic(ctx, fn)
		if !storage.IsConflict(err, storage.ConstraintIdempotencyKey) &&
			!storage.IsConflict(err, storage.ConstraintBalanceAccount) {
			return err
		}
	}
	return err
}

// account returns the customer's account in currency c, locked until the
// transaction ends (see storage.Balances.AccountFor), opening it when the
// customer has none. Errors: customer.ErrNotFound.
func (s *Balances) account(ctx context.Context, tx storage.Tx, customerID uuid.UUID, c balance.Currency) (balance.Account, error) {
	if _, err := liveCustomer(ctx, tx, customerID); err != nil {
		return balance.Account{}, err
	}
	acct, err := tx.Balances().AccountFor(ctx, customerID, c)
	if errors.Is(err, storage.ErrNotFound) {
		acct, err = tx.Balances().CreateAccount(ctx, balance.NewAccount(s.newID(), customerID, c, s.clock()))
		if err == nil {
			err = s.emitAccount(ctx, tx, event.BalanceAccountOpened, nil, acct)
		}
	}
	return acct, customerGone(err)
}

// replay returns the posting already made with key on acct, if any. A key
// longer than a posting may carry has no posting (storage is not asked):
// the new posting's validation reports it.
func replay(ctx context.Context, tx storage.Tx, acct balance.Account, key string) (balance.Posting, bool, error) {
	if key == "" || len(key) > balance.MaxIdempotencyKeyLength {
		return balance.Posting{}, false, nil
	}
	p, err := tx.Balances().PostingByKey(ctx, acct.ID, key)
	switch {
	case err == nil:
		return p, true, nil
	case errors.Is(err, storage.ErrNotFound):
		return balance.Posting{}, false, nil
	default:
		return balance.Posting{}, false, err
	}
}

// OrderPaymentRequest asks to pay part of an order with store credit. Its
// JSON names are "customer_id", "total", "reference", "idempotency_key" and
// "actor".
type OrderPaymentRequest struct {
	CustomerID uuid.UUID `json:"customer_id"`
	// Total is what the order still owes.
	Total balance.Money `json:"total"`
	// Reference identifies the order (its number or ID).
	Reference      string `json:"reference,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	Actor          string `json:"actor,omitempty"`
}

// OrderPayment is the result of ApplyToOrder. In JSON it is {"applied":
// ..., "remaining": ..., "posting": ...}, without "posting" when nothing
// was applied.
type OrderPayment struct {
	// Applied is the store credit used, between zero and the total.
	Applied balance.Money `json:"applied"`
	// Remaining is what the order still owes after the credit.
	Remaining balance.Money `json:"remaining"`
	// Posting is the order-payment posting: a debit of Applied, or, when
	// nothing was applied to a request with an idempotency key, a posting
	// of zero that records that outcome against the key. It is nil when
	// nothing was applied and the request had no key.
	Posting *balance.Posting `json:"posting,omitempty"`
}

// ApplyToOrder pays as much of r.Total as the customer's available credit
// allows: it debits min(available, total) as an order payment and returns
// what was applied and what remains due. It never fails for lack of
// credit: the available amount is read under the account's lock (see
// storage.Balances.AccountFor), so concurrent calls each apply what the
// ones before them left.
//
// Every outcome is recorded against r.IdempotencyKey, when one is given,
// zero included: when nothing is available the call posts an order payment
// of zero (opening the customer's account in that currency if it has
// none), so that a replay answers "nothing applied" even if credit has
// arrived since. Without a key, a zero outcome posts nothing. A replay with
// the same key returns the first payment, recomputing Remaining against
// r.Total; a key reused for another order (reference), by another actor or
// for a total below what was applied returns
// balance.ErrIdempotencyKeyReused. Errors: customer.ErrNotFound,
// balance.ErrInvalid for a negative total or one without a currency.
func (s *Balances) ApplyToOrder(ctx context.Context, r OrderPaymentRequest) (OrderPayment, error) {
	total := r.Total
	if err := balance.ValidateIdempotencyKey(r.IdempotencyKey); err != nil {
		return OrderPayment{}, err
	}
	if total.Currency().IsZero() || total.IsNegative() {
		return OrderPayment{}, &balance.ValidationError{Field: "total", Reason: "must be a non-negative amount with a currency", Err: balance.ErrInvalid}
	}
	var out OrderPayment
	err := s.retryRace(ctx, func(ctx context.Context, tx storage.Tx) error {
		// In the transaction, AccountFor locks the account: what it says
		// is available stays available until the posting below. The
		// customer's liveness is checked under the locks of the writes
		// (ExpireDue, Post), and by a read where nothing is written.
		acct, err := tx.Balances().AccountFor(ctx, r.CustomerID, total.Currency())
		if errors.Is(err, storage.ErrNotFound) {
			if r.IdempotencyKey == "" {
				out = OrderPayment{Applied: balance.Zero(total.Currency()), Remaining: total}
				_, err := liveCustomer(ctx, tx, r.CustomerID)
				return err
			}
			// The zero outcome is recorded on an account: open it.
			acct, err = s.account(ctx, tx, r.CustomerID, total.Currency())
		}
		if err != nil {
			return customerGone(err)
		}
		if prev, found, err := replay(ctx, tx, acct, r.IdempotencyKey); err != nil || found {
			if err != nil {
				return err
			}
			if _, err := liveCustomer(ctx, tx, r.CustomerID); err != nil {
				return err
			}
			r.Actor = postingActor(ctx, r.Actor)
			return paymentFromReplay(prev, r, &out)
		}
		now := s.clock()
		if acct, err = s.expireDue(ctx, tx, acct, now); err != nil {
			return err
		}
		app, err := acct.ApplyToOrder(total)
		if err != nil {
			return err
		}
		out = OrderPayment{Applied: app.Applied, Remaining: app.Remaining}
		if app.Applied.IsZero() && r.IdempotencyKey == "" {
			_, err := liveCustomer(ctx, tx, r.CustomerID)
			return err
		}
		p, err := balance.NewPosting(s.newID(), acct, balance.PostingParams{
			Kind: balance.KindOrderPayment, Amount: app.Applied.Neg(), Reference: r.Reference,
			IdempotencyKey: r.IdempotencyKey, Actor: postingActor(ctx, r.Actor),
		}, now)
		if err != nil {
			return err
		}
		posted, err := tx.Balances().Post(ctx, p)
		if err != nil {
			return customerGone(err)
		}
		out.Posting = &posted
		return s.emitPosting(ctx, tx, acct, posted)
	})
	return out, err
}

// paymentFromReplay rebuilds the result of an earlier ApplyToOrder from its
// posting. The key was reused for something else when the posting is not an
// order payment for the same reference and actor, or applied more than
// r.Total.
func paymentFromReplay(prev balance.Posting, r OrderPaymentRequest, out *OrderPayment) error {
	applied := prev.Amount.Neg()
	remaining, err := r.Total.Sub(applied)
	if err != nil || prev.Kind != balance.KindOrderPayment || prev.Reference != r.Reference ||
		prev.Actor != r.Actor || remaining.IsNegative() {
		return fmt.Errorf("%w: key %s was used for another payment", balance.ErrIdempotencyKeyReused, storage.Quote(r.IdempotencyKey))
	}
	*out = OrderPayment{Applied: applied, Remaining: remaining, Posting: &prev}
	return nil
}

// Account returns the customer's account in currency c. Errors:
// customer.ErrNotFound, balance.ErrAccountNotFound when the customer never
// had a posting in that currency.
func (s *Balances) Account(ctx context.Context, customerID uuid.UUID, c balance.Currency) (balance.Account, error) {
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return balance.Account{}, err
	}
	a, err := s.store.Balances().AccountFor(ctx, customerID, c)
	return a, notFound(err, balance.ErrAccountNotFound)
}

// Available returns what the customer can spend in currency c: the balance
// plus any credit limit, zero when there is no account. Errors:
// customer.ErrNotFound.
func (s *Balances) Available(ctx context.Context, customerID uuid.UUID, c balance.Currency) (balance.Money, error) {
	a, err := s.Account(ctx, customerID, c)
	if errors.Is(err, balance.ErrAccountNotFound) {
		return balance.Zero(c), nil
	}
	if err != nil {
		return balance.Money{}, err
	}
	return a.Available(), nil
}

// Accounts returns all of the customer's accounts, ordered by currency code.
// Errors: customer.ErrNotFound.
func (s *Balances) Accounts(ctx context.Context, customerID uuid.UUID) ([]balance.Account, error) {
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return nil, err
	}
	return s.store.Balances().Accounts(ctx, customerID)
}

// History returns a page of the customer's ledger in currency c, oldest
// first. Errors: customer.ErrNotFound, balance.ErrAccountNotFound.
func (s *Balances) History(ctx context.Context, customerID uuid.UUID, c balance.Currency, p page.Request) (page.Page[balance.Posting], error) {
	a, err := s.Account(ctx, customerID, c)
	if err != nil {
		return page.Page[balance.Posting]{}, err
	}
	return s.store.Balances().Postings(ctx, a.ID, p)
}

// SetCreditLimit lets the customer's balance in limit's currency go down to
// -limit (B2B credit), opening the account if the customer has none in that
// currency. Lowering the limit below what is already owed is refused with
// balance.ErrInsufficientFunds. Errors: customer.ErrNotFound,
// balance.ErrInvalid (a negative limit, or one without a currency).
func (s *Balances) SetCreditLimit(ctx context.Context, customerID uuid.UUID, limit balance.Money) (balance.Account, error) {
	if limit.Currency().IsZero() || limit.IsNegative() {
		return balance.Account{}, &balance.ValidationError{Field: "credit_limit", Reason: "must be a non-negative amount with a currency", Err: balance.ErrInvalid}
	}
	var out balance.Account
	err := s.retryRace(ctx, func(ctx context.Context, tx storage.Tx) error {
		acct, err := s.account(ctx, tx, customerID, limit.Currency())
		if err != nil {
			return err
		}
		var before balance.Account
		out, err = tx.Balances().UpdateAccount(ctx, acct.ID, func(a *balance.Account) error {
			before = *a
			return a.SetCreditLimit(limit, s.clock())
		})
		if err != nil {
			return customerGone(err)
		}
		return s.emitAccount(ctx, tx, event.BalanceCreditLimitSet, &before, out)
	})
	return out, err
}
