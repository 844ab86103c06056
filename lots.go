package clientele

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// lotsOf returns the credit lots of a Balances repository, or
// ErrUnsupported.
func lotsOf(r storage.Balances) (storage.CreditLots, error) {
	l, ok := r.(storage.CreditLots)
	if !ok {
		return nil, fmt.Errorf("%w: expiring credit needs the storage.CreditLots capability (%T)", ErrUnsupported, r)
	}
	return l, nil
}

// expireDue expires acct's lots due at now, in tx, with acct locked, and
// emits their postings; it returns the account as it is after them. On a
// store without lots it returns acct unchanged.
func (e *env) expireDue(ctx context.Context, tx storage.Tx, acct balance.Account, now time.Time) (balance.Account, error) {
	lots, err := lotsOf(tx.Balances())
	if err != nil {
		return acct, nil
	}
	expired, err := lots.ExpireDue(ctx, acct.ID, now)
	if err != nil || len(expired) == 0 {
		return acct, customerGone(err)
	}
	for _, p := range expired {
		if err := e.emitPosting(ctx, tx, acct, p); err != nil {
			return acct, err
		}
		acct.Version++
		acct.Balance = p.EndingBalance
		acct.Postings = p.Sequence
	}
	return acct, nil
}

// Lots returns the customer's credit lots in currency c, emptied ones
// included, in the order debits consume them (soonest expiry first,
// never-expiring lots last). Their Remaining sums to the balance (less any
// debt); lots that are due but not yet expired count until the next
// posting or expiry run expires them. Errors: customer.ErrNotFound,
// balance.ErrAccountNotFound, ErrUnsupported on a store without the
// storage.CreditLots capability.
func (s *Balances) Lots(ctx context.Context, customerID uuid.UUID, c balance.Currency) ([]balance.Lot, error) {
	lots, err := lotsOf(s.store.Balances())
	if err != nil {
		return nil, err
	}
	a, err := s.Account(ctx, customerID, c)
	if err != nil {
		return nil, err
	}
	out, err := lots.Lots(ctx, a.ID)
	return out, notFound(err, balance.ErrAccountNotFound)
}

// ExpiryRun reports what ExpireCredit did. In JSON it is {"lots": ...,
// "accounts": ..., "amounts": [...], "skipped": ...}.
type ExpiryRun struct {
	// Lots is the number of lots this run expired (lots another run or a
	// posting expired first are not counted).
	Lots int `json:"lots"`
	// Accounts is the number of accounts with a lot expired by this run.
	Accounts int `json:"accounts"`
	// Amounts is the credit expired per currency, ordered by currency
	// code.
	Amounts []balance.Money `json:"amounts"`
	// Skipped counts the accounts whose due lots were left because their
	// customer is deleted (their credit is gone with them).
	Skipped int `json:"skipped"`
}

// expiryBatch is how many due lots an expiry run reads at a time; each
// account is expired in its own transaction.
const expiryBatch = 200

// ExpireCredit posts an expiry debit (kind expiry, idempotency key
// "expiry:<lot id>", reference the lot's ID) for what is left of every
// lot due at now (the service clock when now is zero), and emits
// balance.debited for each. It walks the due lots in batches and expires
// one account per transaction, so a run over many accounts is never one
// big transaction, and an error leaves what was done before it done.
//
// It is idempotent and safe to run from several processes at once: each
// account is expired under its lock and a lot expires once, so concurrent
// runs post each expiry exactly once between them. (Postings expire an
// account's due lots too, before they apply, so a run only catches up on
// accounts nobody touched.) Errors: ErrUnsupported on a store without the
// storage.CreditLots capability; ctx's error.
func (s *Balances) ExpireCredit(ctx context.Context, now time.Time) (ExpiryRun, error) {
	var run ExpiryRun
	lots, err := lotsOf(s.store.Balances())
	if err != nil {
		return run, err
	}
	if now.IsZero() {
		now = s.clock()
	}
	now = now.UTC()
	amounts := map[string]balance.Money{}
	done := map[uuid.UUID]bool{}
	req := storage.PageRequest{Limit: expiryBatch}
	for {
		if err := ctx.Err(); err != nil {
			return run.finish(amounts), err
		}
		page, err := lots.DueLots(ctx, now, req)
		if err != nil {
			return run.finish(amounts), err
		}
		for _, l := range page.Items {
			if done[l.AccountID] {
				continue
			}
			done[l.AccountID] = true
			expired, err := s.expireAccount(ctx, l.AccountID, now)
			switch {
			case errors.Is(err, storage.ErrCustomerNotLive):
				run.Skipped++
				continue
			case err != nil:
				return run.finish(amounts), err
			}
			if len(expired) > 0 {
				run.Accounts++
			}
			for _, p := range expired {
				run.Lots++
				code := p.Amount.Currency().Code()
				sum, ok := amounts[code]
				if !ok {
					sum = balance.Zero(p.Amount.Currency())
				}
				if sum, err = sum.Sub(p.Amount); err != nil {
					return run.finish(amounts), err
				}
				amounts[code] = sum
			}
		}
		if page.Next == "" {
			return run.finish(amounts), nil
		}
		req.Cursor = page.Next
	}
}

// expireAccount expires the account's lots due at now in one transaction.
func (s *Balances) expireAccount(ctx context.Context, accountID uuid.UUID, now time.Time) ([]balance.Posting, error) {
	var out []balance.Posting
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		out = nil
		acct, err := tx.Balances().GetAccount(ctx, accountID) // locks it
		if err != nil {
			return err
		}
		lots, err := lotsOf(tx.Balances())
		if err != nil {
			return err
		}
		expired, err := lots.ExpireDue(ctx, acct.ID, now)
		if err != nil {
			return err
		}
		for _, p := range expired {
			if err := s.emitPosting(ctx, tx, acct, p); err != nil {
				return err
			}
			acct.Version++
		}
		out = expired
		return nil
	})
	return out, err
}

// finish sets Amounts from the per-currency sums.
func (r ExpiryRun) finish(amounts map[string]balance.Money) ExpiryRun {
	r.Amounts = make([]balance.Money, 0, len(amounts))
	for _, m := range amounts {
		r.Amounts = append(r.Amounts, m)
	}
	slices.SortFunc(r.Amounts, func(a, b balance.Money) int {
		return strings.Compare(a.Currency().Code(), b.Currency().Code())
	})
	return r
}
