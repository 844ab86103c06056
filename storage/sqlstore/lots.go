package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// The SQL adapter keeps credit lots (table balance_lots, migration 0010):
// it has the storage.CreditLots capability.
var _ storage.CreditLots = balances{}

// neverExpires is the stored expires_at of a lot that never expires: the
// largest BIGINT, so that lots sort by expiry with never-expiring ones last
// on every engine (NULLs sort first on some and last on others).
const neverExpires = math.MaxInt64

// lotColumns are the stored columns of a lot; its currency is the
// account's, so reads join balance_accounts for it.
const lotColumns = `id, account_id, amount, remaining, expires_at, created_at, sequence`

// zeroNullMicros stores the zero time as NULL.
func zeroNullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

// lotExpiry is the stored expires_at of l.
func lotExpiry(l balance.Lot) int64 {
	if !l.Expires() {
		return neverExpires
	}
	return micros(l.ExpiresAt)
}

// lotDue is the stored due_at of l: its expiry while it expires and has
// something left, else NULL (out of the expiry run's index).
func lotDue(l balance.Lot) sql.NullInt64 {
	if !l.Expires() || !l.Remaining.IsPositive() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(l.ExpiresAt), Valid: true}
}

// scanLot reads the account's currency followed by lotColumns.
func scanLot(r scanner) (balance.Lot, error) {
	var (
		l                 balance.Lot
		cur               string
		amount, remaining int64
		expires, created  int64
	)
	if err := r.Scan(&cur, scanUUID{&l.ID}, scanUUID{&l.AccountID}, &amount, &remaining, &expires, &created,
		&l.Sequence); err != nil {
		return balance.Lot{}, err
	}
	c, err := currencyOf(cur)
	if err != nil {
		return balance.Lot{}, err
	}
	if err := setStoredLot(&l, c, amount, remaining, expires, created); err != nil {
		return balance.Lot{}, err
	}
	return l, nil
}

// setStoredLot sets l's amounts (minor units of c) and times from their
// stored columns (expires_at holds neverExpires for a lot that never
// expires).
func setStoredLot(l *balance.Lot, c balance.Currency, amount, remaining, expires, created int64) error {
	var err error
	if l.Amount, err = moneyOf(amount, c); err != nil {
		return err
	}
	if l.Remaining, err = moneyOf(remaining, c); err != nil {
		return err
	}
	if expires != neverExpires {
		l.ExpiresAt = fromMicros(expires)
	}
	l.CreatedAt = fromMicros(created)
	return nil
}

var (
	selectLots = `SELECT a.currency, ` + qualify(lotColumns, "l") + `
		FROM {{prefix}}balance_lots l JOIN {{prefix}}balance_accounts a ON a.id = l.account_id
		WHERE l.account_id = ?`
	// selectOpenLots finds the open lots by open_expires_at (migration
	// 0020), whose index leaves out the emptied lots and orders the open
	// ones as debits take from them.
	selectOpenLots = `SELECT a.currency, ` + qualify(lotColumns, "l") + `
		FROM {{prefix}}balance_lots l JOIN {{prefix}}balance_accounts a ON a.id = l.account_id
		WHERE l.account_id = ? AND l.open_expires_at IS NOT NULL`
	selectDueLotsOf = selectLots + ` AND l.remaining > 0 AND l.due_at <= ?`
	selectDueLots   = `SELECT a.currency, ` + qualify(lotColumns, "l") + `
		FROM {{prefix}}balance_lots l JOIN {{prefix}}balance_accounts a ON a.id = l.account_id
		WHERE l.due_at <= ?`
	insertLot = `INSERT INTO {{prefix}}balance_lots (` + lotColumns + `, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	updateLot = `UPDATE {{prefix}}balance_lots SET remaining = ?, due_at = ? WHERE id = ?`
)

// openLots returns the lots of account a with something left, in
// consumption order. Called with a's row locked, it reads with a lock too
// (the dialect's ForUpdate): lots are written only under their account's
// lock, and a locking read sees the latest committed rows where a plain
// read would show the transaction's snapshot (InnoDB's REPEATABLE READ
// after an earlier read, TiDB's start timestamp).
func (c conn) openLots(ctx context.Context, a balance.Account) ([]balance.Lot, error) {
	rows, err := c.query(ctx, selectOpenLots+c.s.dialect.ForUpdate(), a.ID.String())
	if err != nil {
		return nil, err
	}
	lots, err := collect(rows, 0, scanLot)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(lots, balance.CompareLots)
	return lots, nil
}

// selectAccountForExpiry is selectAccountForUpdate that also tells
// whether lots are due (args: the time, then the account's ID).
var selectAccountForExpiry = `SELECT ` + qualify(accountColumns, "a") + `, CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END,
	CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_lots l WHERE l.account_id = a.id AND l.remaining > 0 AND l.due_at <= ?) THEN 1 ELSE 0 END
	FROM {{prefix}}balance_accounts a JOIN {{prefix}}customers c ON c.id = a.customer_id WHERE a.id = ?`

// coverLots is how many lots a debit reads first (lotsToCover).
const coverLots = 8

// selectFirstOpenLots reads an account's open lots in the order debits
// take from them (balance.CompareLots: expires_at holds neverExpires for
// a lot that never expires, and sequences are unique per account), the
// order of the index on (account_id, open_expires_at, sequence).
var selectFirstOpenLots = selectOpenLots + ` ORDER BY l.open_expires_at, l.sequence LIMIT ` + strconv.Itoa(coverLots)

// lotsToCover returns, locked, the open lots of a (locked) that a debit of
// amount takes from: the first ones in the order of balance.CompareLots
// whose Remaining covers amount, or every open lot when those do not. A
// Book of them posts the debit as a Book of all the open lots would, as
// long as none is due (the due ones come first in that order, and the
// caller reads them all when some are): an account that gathered many
// small credits costs a debit one short read, not all of them.
func (c conn) lotsToCover(ctx context.Context, a balance.Account, amount balance.Money, at time.Time) ([]balance.Lot, error) {
	rows, err := c.query(ctx, selectFirstOpenLots+c.s.dialect.ForUpdate(), a.ID.String())
	if err != nil {
		return nil, err
	}
	lots, err := collect(rows, 0, scanLot)
	if err != nil {
		return nil, err
	}
	var sum int64 // at most the balance: no overflow
	for _, l := range lots {
		if !l.Due(at) { // a due lot (were the caller's flag late) expires before the debit
			sum += l.Remaining.MinorUnits()
		}
	}
	if len(lots) == coverLots && sum < amount.MinorUnits() {
		return c.openLots(ctx, a)
	}
	slices.SortFunc(lots, balance.CompareLots)
	return lots, nil
}

// writeBook stores the expiry postings of a Book and the lots that changed
// from before to after (see balance.LotChanges).
func (c conn) writeBook(ctx context.Context, expired []balance.Posting, before, after []balance.Lot) error {
	for _, e := range expired {
		if _, err := c.exec(ctx, insertPosting, postingArgs(e)...); err != nil {
			return c.uniqueConflict(err, postingConstraints, nil)
		}
	}
	added, changed := balance.LotChanges(before, after)
	for _, l := range added {
		if _, err := c.exec(ctx, insertLot, l.ID.String(), l.AccountID.String(), l.Amount.MinorUnits(),
			l.Remaining.MinorUnits(), lotExpiry(l), micros(l.CreatedAt), l.Sequence, lotDue(l)); err != nil {
			return c.uniqueConflict(err, map[string]storage.Constraint{"balance_lots_pkey": storage.ConstraintPrimaryKey}, nil)
		}
	}
	for _, l := range changed {
		if _, err := c.exec(ctx, updateLot, l.Remaining.MinorUnits(), lotDue(l), l.ID.String()); err != nil {
			return err
		}
	}
	return nil
}

func (r balances) Lots(ctx context.Context, accountID uuid.UUID) ([]balance.Lot, error) {
	return read(ctx, r.conn(ctx), func() ([]balance.Lot, error) {
		cn := r.conn(ctx)
		rows, err := cn.query(ctx, selectLots, accountID.String())
		if err != nil {
			return nil, err
		}
		lots, err := collect(rows, 0, scanLot)
		if err != nil {
			return nil, err
		}
		if len(lots) == 0 {
			var one int
			err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}balance_accounts WHERE id = ?`, accountID.String()).Scan(&one)
			if err != nil {
				return nil, noRows(err, "balance account", accountID)
			}
		}
		slices.SortFunc(lots, balance.CompareLots)
		return lots, nil
	})
}

func (r balances) DueLots(ctx context.Context, now time.Time, p storage.PageRequest) (storage.Page[balance.Lot], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[balance.Lot], error) {
		var page storage.Page[balance.Lot]
		at, key, after, err := timeCursor(storage.ListDueLots, p)
		if err != nil {
			return page, err
		}
		q, args := selectDueLots, []any{micros(now)}
		if after {
			q += ` AND ` + keysetAfter("l.due_at", "l.id")
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		q += ` ORDER BY l.due_at, l.id LIMIT ` + itoa(limit)
		rows, err := r.conn(ctx).query(ctx, q, args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, 0, scanLot)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(l balance.Lot) storage.Cursor {
			return timeCursorOf(storage.ListDueLots, l.ExpiresAt, l.ID)
		}), nil
	})
}

// updateAccountLedger moves an account by postings made under its lock
// (args: balance delta, posting count, version delta, updated_at, ID).
const updateAccountLedger = `UPDATE {{prefix}}balance_accounts
	SET balance = balance + ?, postings = postings + ?, version = version + ?, updated_at = ? WHERE id = ?`

func (r balances) ExpireDue(ctx context.Context, accountID uuid.UUID, now time.Time) ([]balance.Posting, error) {
	now = micro(now)
	var out []balance.Posting
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		var deleted, due int
		a, err := scanAccount(extra{cn.queryRow(ctx, selectAccountForExpiry+cn.s.dialect.ForUpdate(), micros(now), accountID.String()),
			[]any{&deleted, &due}})
		if err != nil {
			return noRows(err, "balance account", accountID)
		}
		if deleted != 0 {
			return customerNotLive(a.CustomerID)
		}
		if due == 0 { // the usual case: nothing to read, nothing to write
			return nil
		}
		// Only the due lots: Expire touches no other.
		rows, err := cn.query(ctx, selectDueLotsOf+cn.s.dialect.ForUpdate(), a.ID.String(), micros(now))
		if err != nil {
			return err
		}
		before, err := collect(rows, 0, scanLot)
		if err != nil {
			return err
		}
		book := balance.Book{Account: a.Clone(), Lots: before}
		expired, err := book.Expire(now)
		if err != nil || len(expired) == 0 {
			return err
		}
		count := book.Account.Postings - a.Postings
		if _, err := cn.exec(ctx, updateAccountLedger, book.Account.Balance.MinorUnits()-a.Balance.MinorUnits(),
			count, count, micros(now), a.ID.String()); err != nil {
			return err
		}
		if err := cn.writeBook(ctx, expired, before, book.Lots); err != nil {
			return fmt.Errorf("balance account %v: expiring lots: %w", a.ID, err)
		}
		out = expired
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
