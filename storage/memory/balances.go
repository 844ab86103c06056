package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

type balances struct{ repos }

func (r balances) CreateAccount(ctx context.Context, a balance.Account) (balance.Account, error) {
	a.Version = 1
	a.CreatedAt, a.UpdatedAt = micro(a.CreatedAt), micro(a.UpdatedAt)
	if err := a.ValidateNew(); err != nil {
		return balance.Account{}, err
	}
	err := r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.accounts[a.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if err := d.liveCustomer(a.CustomerID); err != nil {
			return err
		}
		key := accountKey{a.CustomerID, a.Currency.Code()}
		if _, ok := d.accountByCustomer[key]; ok {
			return storage.Conflict(storage.ConstraintBalanceAccount, nil)
		}
		put(t, d.accounts, a.ID, a)
		put(t, d.accountByCustomer, key, a.ID)
		put(t, innerFor(t, d.accountsOf, a.CustomerID), key.currency, a.ID)
		return nil
	})
	if err != nil {
		return balance.Account{}, err
	}
	return a, nil
}

func (r balances) GetAccount(ctx context.Context, id uuid.UUID) (out balance.Account, err error) {
	err = r.read(ctx, func(d *db) error {
		a, ok := d.accounts[id]
		if !ok {
			return notFound("balance account", id)
		}
		out = a
		return nil
	})
	return out, err
}

func (r balances) AccountFor(ctx context.Context, customerID uuid.UUID, c balance.Currency) (out balance.Account, err error) {
	err = r.read(ctx, func(d *db) error {
		id, ok := d.accountByCustomer[accountKey{customerID, c.Code()}]
		if !ok {
			return fmt.Errorf("%s balance account of customer %s: %w", c.Code(), customerID, storage.ErrNotFound)
		}
		out = d.accounts[id]
		return nil
	})
	return out, err
}

func (r balances) Accounts(ctx context.Context, customerID uuid.UUID) (out []balance.Account, err error) {
	err = r.read(ctx, func(d *db) error {
		for _, id := range d.accountsOf[customerID] {
			out = append(out, d.accounts[id])
		}
		return nil
	})
	slices.SortFunc(out, func(a, b balance.Account) int { return strings.Compare(a.Currency.Code(), b.Currency.Code()) })
	return out, err
}

func (r balances) UpdateAccount(ctx context.Context, id uuid.UUID, fn func(*balance.Account) error) (out balance.Account, err error) {
	err = r.write(ctx, func(t *txn) error {
		old, ok := t.db.accounts[id]
		if !ok {
			return notFound("balance account", id)
		}
		if err := t.db.liveCustomer(old.CustomerID); err != nil {
			return err
		}
		a := old
		if err := fn(&a); err != nil {
			return err
		}
		// Balances move only through Post.
		if a.ChangedBesidesLimit(old) {
			return fmt.Errorf("balance account %s: only the credit limit may be updated: %w", id, storage.ErrConflict)
		}
		// The floor is storage's to keep: a limit that would leave the
		// balance below it, a negative one or one in another currency is
		// refused here too.
		if err := a.Validate(); err != nil {
			return err
		}
		a.Version = old.Version + 1
		a.UpdatedAt = micro(a.UpdatedAt)
		put(t, t.db.accounts, id, a)
		out = a
		return nil
	})
	return out, err
}

func (r balances) Post(ctx context.Context, p balance.Posting) (out balance.Posting, err error) {
	p.CreatedAt, p.ExpiresAt = micro(p.CreatedAt), micro(p.ExpiresAt)
	if err := p.Validate(); err != nil {
		return balance.Posting{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		a, ok := d.accounts[p.AccountID]
		if !ok {
			return notFound("balance account", p.AccountID)
		}
		if err := d.liveCustomer(a.CustomerID); err != nil {
			return err
		}
		if _, ok := d.postingIDs[p.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		key := postingKey{p.AccountID, p.IdempotencyKey}
		if p.IdempotencyKey != "" {
			if _, ok := d.postingByKey[key]; ok {
				return storage.Conflict(storage.ConstraintIdempotencyKey, nil)
			}
		}
		// The domain decides (floor, currency, lots); holding the lock
		// makes the check and the write one step. Due lots expire first.
		before := d.bookLots(a.ID, p.Amount, p.CreatedAt)
		book := balance.Book{Account: a, Lots: before}
		expired, err := book.Post(&p, p.CreatedAt)
		if err != nil {
			return err
		}
		for _, e := range expired {
			if err := d.checkPostingFree(e); err != nil {
				return err
			}
		}
		d.writeBook(t, book, before, append(expired, p)...)
		out = p
		return nil
	})
	return out, err
}

// checkPostingFree returns a conflict when p's ID or key is taken.
func (d *db) checkPostingFree(p balance.Posting) error {
	if _, ok := d.postingIDs[p.ID]; ok {
		return storage.Conflict(storage.ConstraintPrimaryKey, nil)
	}
	if _, ok := d.postingByKey[postingKey{p.AccountID, p.IdempotencyKey}]; ok && p.IdempotencyKey != "" {
		return storage.Conflict(storage.ConstraintIdempotencyKey, nil)
	}
	return nil
}

// writeBook stores the account of book, the postings applied to it (in
// order) and the lots that changed from before.
func (d *db) writeBook(t *txn, book balance.Book, before []balance.Lot, posted ...balance.Posting) {
	a := book.Account
	a.Version += int64(len(posted))
	put(t, d.accounts, a.ID, a)
	ledger := d.ledgers[a.ID]
	for _, q := range posted {
		ledger = append(ledger, q)
		put(t, d.postingIDs, q.ID, struct{}{})
		if q.IdempotencyKey != "" {
			put(t, d.postingByKey, postingKey{q.AccountID, q.IdempotencyKey}, q.Sequence)
		}
	}
	put(t, d.ledgers, a.ID, ledger)
	added, changed := balance.LotChanges(before, book.Lots)
	for _, l := range added {
		put(t, d.lotsOf, a.ID, append(d.lotsOf[a.ID], l.ID))
		d.putLot(t, l)
	}
	for _, l := range changed {
		d.putLot(t, l)
	}
}

func (r balances) PostingByKey(ctx context.Context, accountID uuid.UUID, idempotencyKey string) (out balance.Posting, err error) {
	if err := storage.CheckKey("idempotencyKey", idempotencyKey); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		seq, ok := d.postingByKey[postingKey{accountID, idempotencyKey}]
		if !ok || idempotencyKey == "" {
			return fmt.Errorf("posting with idempotency key %s: %w", storage.Quote(idempotencyKey), storage.ErrNotFound)
		}
		out = d.ledgers[accountID][seq-1]
		return nil
	})
	return out, err
}

func (r balances) Postings(ctx context.Context, accountID uuid.UUID, p storage.PageRequest) (out storage.Page[balance.Posting], err error) {
	err = r.read(ctx, func(d *db) error {
		if _, ok := d.accounts[accountID]; !ok {
			return notFound("balance account", accountID)
		}
		c, err := storage.ParseCursor(storage.ListPostings, p.Cursor)
		if err != nil {
			return err
		}
		ledger := d.ledgers[accountID]
		if c.Seq < 0 || c.Seq > int64(len(ledger)) {
			return fmt.Errorf("%w: sequence %d out of range", storage.ErrInvalidCursor, c.Seq)
		}
		rest := ledger[c.Seq:] // Sequence n sits at index n-1: start after the cursor
		n := min(len(rest), p.Size())
		out.Items = append([]balance.Posting(nil), rest[:n]...)
		if n < len(rest) {
			out.Next = storage.Cursor{List: storage.ListPostings, Seq: out.Items[n-1].Sequence}.String()
		}
		return nil
	})
	return out, err
}
