package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

type balances struct{ base }

const accountColumns = `id, customer_id, currency, balance, credit_limit, postings, created_at, updated_at, version`

var accountConstraints = map[string]storage.Constraint{
	"balance_accounts_pkey":              storage.ConstraintPrimaryKey,
	"balance_accounts_customer_currency": storage.ConstraintBalanceAccount,
}

// postingColumns are the stored columns of a posting; its currency is the
// account's, so reads join balance_accounts for it.
const postingColumns = `id, account_id, customer_id, sequence, kind, amount, ending_balance, reference,
	idempotency_key, actor, note, created_at, expires_at`

var postingConstraints = map[string]storage.Constraint{
	"balance_postings_pkey":            storage.ConstraintPrimaryKey,
	"balance_postings_idempotency_key": storage.ConstraintIdempotencyKey,
}

// accountArgs returns a's column values in accountColumns order.
func accountArgs(a balance.Account) []any {
	return []any{
		a.ID.String(), a.CustomerID.String(), a.Currency.Code(), a.Balance.MinorUnits(),
		a.CreditLimit.MinorUnits(), a.Postings, micros(a.CreatedAt), micros(a.UpdatedAt), a.Version,
	}
}

// currencyOf parses a stored ISO 4217 code.
func currencyOf(code string) (balance.Currency, error) {
	c, err := balance.ParseCurrency(code)
	if err != nil {
		return balance.Currency{}, fmt.Errorf("sqlstore: stored currency %q: %w", code, err)
	}
	return c, nil
}

// moneyOf reads back an amount stored as minor units of c.
func moneyOf(units int64, c balance.Currency) (balance.Money, error) {
	m, err := balance.NewMoneyFromMinorUnits(units, c)
	if err != nil {
		return balance.Money{}, fmt.Errorf("sqlstore: stored amount %d %s: %w", units, c, err)
	}
	return m, nil
}

func scanAccount(r scanner) (balance.Account, error) {
	var (
		a                balance.Account
		cur              string
		bal, limit       int64
		created, updated int64
	)
	err := r.Scan(scanUUID{&a.ID}, scanUUID{&a.CustomerID}, &cur, &bal, &limit, &a.Postings,
		&created, &updated, &a.Version)
	if err != nil {
		return balance.Account{}, err
	}
	if a.Currency, err = currencyOf(cur); err != nil {
		return balance.Account{}, err
	}
	if a.Balance, err = moneyOf(bal, a.Currency); err != nil {
		return balance.Account{}, err
	}
	if a.CreditLimit, err = moneyOf(limit, a.Currency); err != nil {
		return balance.Account{}, err
	}
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return a, nil
}

// scanPosting reads the account's currency followed by postingColumns
// (see postingRow).
func scanPosting(r scanner) (balance.Posting, error) {
	var row postingRow
	return row.scan(r)
}

const insertAccount = `INSERT INTO {{prefix}}balance_accounts (` + accountColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r balances) CreateAccount(ctx context.Context, a balance.Account) (balance.Account, error) {
	a = a.Clone()
	a.Version = 1
	a.CreatedAt, a.UpdatedAt = micro(a.CreatedAt), micro(a.UpdatedAt)
	if err := a.ValidateNew(); err != nil {
		return balance.Account{}, err
	}
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The live customer is locked so that it is not deleted before the
		// account is committed (and the insert never meets the foreign key,
		// whose failure would abort a PostgreSQL transaction).
		if err := cn.lockLiveCustomer(ctx, a.CustomerID, cn.s.dialect.ForUpdate()); err != nil {
			return err
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertAccount), accountArgs(a)...)
		if err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return fmt.Errorf("customer %v: %w", a.CustomerID, errors.Join(storage.ErrCustomerNotLive, err))
			}
			return cn.uniqueConflict(err, accountConstraints, func() (storage.Constraint, error) {
				return cn.diagnoseAccount(ctx, a)
			})
		}
		if n == 0 {
			con, err := cn.diagnoseAccount(ctx, a)
			if err != nil {
				return err
			}
			if con == "" {
				con = storage.ConstraintPrimaryKey
			}
			return storage.Conflict(con, nil)
		}
		return nil
	})
	if err != nil {
		return balance.Account{}, err
	}
	return a.Clone(), nil
}

// diagnoseAccount returns the constraint that stops a from being stored, or
// "" when neither its ID nor its (customer, currency) key is taken. Like
// every diagnosis it uses shared locking reads (Dialect.ForShare), which
// see the latest committed rows where plain reads keep the transaction's
// snapshot (MySQL's REPEATABLE READ): the row that blocked the write may
// be newer.
func (c conn) diagnoseAccount(ctx context.Context, a balance.Account) (storage.Constraint, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}balance_accounts WHERE id = ?`+c.s.dialect.ForShare(), a.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintPrimaryKey, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	err = c.queryRow(ctx, `SELECT 1 FROM {{prefix}}balance_accounts WHERE customer_id = ? AND currency = ?`+c.s.dialect.ForShare(),
		a.CustomerID.String(), a.Currency.Code()).Scan(&one)
	if err == nil {
		return storage.ConstraintBalanceAccount, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return "", nil
}

// accountLock is the locking clause of GetAccount and AccountFor: in a
// transaction they lock the account (see storage.Balances.GetAccount), so
// that a posting computed from what they return still fits when applied.
func (c conn) accountLock() string {
	if c.tx != nil {
		return c.s.dialect.ForUpdate()
	}
	return ""
}

func (r balances) GetAccount(ctx context.Context, id uuid.UUID) (balance.Account, error) {
	return read(ctx, r.conn(ctx), func() (balance.Account, error) {
		cn := r.conn(ctx)
		a, err := scanAccount(cn.queryRow(ctx,
			`SELECT `+accountColumns+` FROM {{prefix}}balance_accounts WHERE id = ?`+cn.accountLock(), id.String()))
		return a, noRows(err, "balance account", id)
	})
}

func (r balances) AccountFor(ctx context.Context, customerID uuid.UUID, c balance.Currency) (balance.Account, error) {
	return read(ctx, r.conn(ctx), func() (balance.Account, error) {
		cn := r.conn(ctx)
		a, err := scanAccount(cn.queryRow(ctx, `SELECT `+accountColumns+` FROM {{prefix}}balance_accounts
			WHERE customer_id = ? AND currency = ?`+cn.accountLock(), customerID.String(), c.Code()))
		return a, noRows(err, "balance account of customer "+customerID.String()+" in", c.Code())
	})
}

func (r balances) Accounts(ctx context.Context, customerID uuid.UUID) ([]balance.Account, error) {
	return read(ctx, r.conn(ctx), func() ([]balance.Account, error) {
		rows, err := r.conn(ctx).query(ctx, `SELECT `+accountColumns+` FROM {{prefix}}balance_accounts
			WHERE customer_id = ? ORDER BY currency`, customerID.String())
		if err != nil {
			return nil, err
		}
		return collect(rows, 0, scanAccount)
	})
}

// selectAccountForUpdate reads the account and whether its customer is
// deleted (1 or 0), to lock both rows with the dialect's ForUpdate.
var selectAccountForUpdate = `SELECT ` + qualify(accountColumns, "a") + `, CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END
	FROM {{prefix}}balance_accounts a JOIN {{prefix}}customers c ON c.id = a.customer_id WHERE a.id = ?`

// lockAccountForPost reads the account to lock it (with the dialect's
// ForUpdate), whether a posting already has the ID (args: posting ID) or
// the account's idempotency key (args: account ID, key), and whether the
// account's customer is deleted, locking the customer's row too, and
// whether the account has lots due (args: account ID, time); the last arg
// is the account ID.
var lockAccountForPost = lockPostColumns + ` WHERE a.id = ?`

// lockCustomerAccountForPost is lockAccountForPost finding the account by
// customer and currency (PostToCustomer).
var lockCustomerAccountForPost = lockPostColumns + ` WHERE a.customer_id = ? AND a.currency = ?`

// lockPostColumns reads, for a posting (its ID, key and time are the
// arguments), the account, whether the ID or the key is taken, whether the
// customer is deleted and whether lots are due.
var lockPostColumns = lockPostSelect + lockPostFrom

// lockPostSelect and lockPostFrom are the two halves of lockPostColumns.
var lockPostSelect = `SELECT ` + qualify(accountColumns, "a") + `,
	CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings WHERE id = ?) THEN 1 ELSE 0 END,
	CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings k WHERE k.account_id = a.id AND k.idempotency_key = ?) THEN 1 ELSE 0 END,
	CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END,
	CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_lots l WHERE l.account_id = a.id AND l.remaining > 0 AND l.due_at <= ?) THEN 1 ELSE 0 END`

const lockPostFrom = `
	FROM {{prefix}}balance_accounts a JOIN {{prefix}}customers c ON c.id = a.customer_id`

// lockDebitColumns is lockPostColumns for a debit, where the dialect
// implements ForUpdateOf: it also reads the account's postings count as
// the statement's snapshot shows it, and the first open lot in the order
// debits take from them (balance.CompareLots; NULLs when there is none),
// found in that snapshot too. Locked with ForUpdateOf("a", "c"): the lot is
// outer-joined, and lots are written only under their account's lock.
//
// The snapshot may be older than the lock: a posting committed while the
// statement waited for the account (PostgreSQL at READ COMMITTED), or
// since an earlier read of the transaction (InnoDB's REPEATABLE READ,
// TiDB), changed lots that the snapshot shows as they were. Every write of
// a lot moves the account's postings count, under that lock, so the lot
// is the latest only when the snapshot's count equals the locked row's:
// the adapter takes from it only then, and reads the lots with a lock
// otherwise (firstLot).
var lockDebitColumns = lockPostSelect + `,
	(SELECT s.postings FROM {{prefix}}balance_accounts s WHERE s.id = a.id),
	f.id, f.amount, f.remaining, f.expires_at, f.created_at, f.sequence` + lockPostFrom + `
	LEFT JOIN {{prefix}}balance_lots f ON f.id = (SELECT o.id FROM {{prefix}}balance_lots o
		WHERE o.account_id = a.id AND o.open_expires_at IS NOT NULL ORDER BY o.open_expires_at, o.sequence LIMIT 1)`

// lockAccountForDebit and lockCustomerAccountForDebit are
// lockAccountForPost and lockCustomerAccountForPost with lockDebitColumns.
var (
	lockAccountForDebit         = lockDebitColumns + ` WHERE a.id = ?`
	lockCustomerAccountForDebit = lockDebitColumns + ` WHERE a.customer_id = ? AND a.currency = ?`
)

// extra is a scanner that scans columns after those its caller asks for.
type extra struct {
	r    scanner
	more []any
}

func (e extra) Scan(dest ...any) error { return e.r.Scan(append(dest, e.more...)...) }

const updateAccountLimit = `UPDATE {{prefix}}balance_accounts SET credit_limit = ?, updated_at = ?, version = ?
	WHERE id = ?`

func (r balances) UpdateAccount(ctx context.Context, id uuid.UUID, fn func(*balance.Account) error) (balance.Account, error) {
	var out balance.Account
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		var deleted int
		old, err := scanAccount(extra{cn.queryRow(ctx, selectAccountForUpdate+cn.s.dialect.ForUpdate(), id.String()),
			[]any{&deleted}})
		if err != nil {
			return noRows(err, "balance account", id)
		}
		if deleted != 0 {
			return customerNotLive(old.CustomerID)
		}
		a := old.Clone()
		if err := fn(&a); err != nil {
			return err
		}
		a = a.Clone()
		// Balances move only through Post: of the account's own fields,
		// only the credit limit and UpdatedAt may change here.
		if a.ChangedBesidesLimit(old) {
			return fmt.Errorf("balance account %v: only the credit limit may be updated: %w", id, storage.ErrConflict)
		}
		// The floor is storage's to keep, even if fn bypassed
		// SetCreditLimit: a negative limit, one in another currency or one
		// that leaves the balance below the floor is refused.
		if err := a.Validate(); err != nil {
			return err
		}
		a.Version = old.Version + 1
		a.UpdatedAt = micro(a.UpdatedAt)
		if _, err := cn.exec(ctx, updateAccountLimit, a.CreditLimit.MinorUnits(), micros(a.UpdatedAt), a.Version,
			id.String()); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return balance.Account{}, err
	}
	return out.Clone(), nil
}

// applyPosting moves the balance by the posting's amount unless that would
// break the floor: the conditional write that keeps the floor even if the
// domain check above it were stale.
const applyPosting = `UPDATE {{prefix}}balance_accounts
	SET balance = balance + ?, postings = postings + ?, version = version + ?, updated_at = ?
	WHERE id = ? AND balance + ? >= -credit_limit`

// restoreAccount puts back the ledger fields of an account read under lock.
const restoreAccount = `UPDATE {{prefix}}balance_accounts SET balance = ?, postings = ?, version = ?, updated_at = ?
	WHERE id = ?`

const insertPosting = `INSERT INTO {{prefix}}balance_postings (` + postingColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// postingArgs returns q's column values in postingColumns order.
func postingArgs(q balance.Posting) []any {
	return []any{q.ID.String(), q.AccountID.String(), q.CustomerID.String(), q.Sequence, q.Kind.String(),
		q.Amount.MinorUnits(), q.EndingBalance.MinorUnits(), q.Reference, nullString(q.IdempotencyKey),
		q.Actor, q.Note, micros(q.CreatedAt), zeroNullMicros(q.ExpiresAt)}
}

func (r balances) Post(ctx context.Context, p balance.Posting) (balance.Posting, error) {
	if p.AccountID == uuid.Nil {
		return balance.Posting{}, p.Validate() // the missing account (or what Validate finds before it)
	}
	done, err := r.PostToCustomer(ctx, p)
	return done.Posting, err
}

var _ storage.AccountPosts = balances{}

// PostToCustomer implements storage.AccountPosts: Post with the account
// found, and locked, by customer and currency in the statement that locks
// it.
func (r balances) PostToCustomer(ctx context.Context, p balance.Posting) (storage.Posted, error) {
	p = p.Clone()
	p.CreatedAt, p.ExpiresAt = micro(p.CreatedAt), micro(p.ExpiresAt)
	check := p
	if p.AccountID == uuid.Nil {
		check.AccountID = p.CustomerID // any ID: the account's is not known yet
	}
	if err := check.Validate(); err != nil {
		return storage.Posted{}, err
	}
	var out storage.Posted
	err := r.conn(ctx).atomic(ctx, func(cn conn) (err error) {
		out, err = cn.post(ctx, p)
		return err
	})
	if err != nil {
		return storage.Posted{}, err
	}
	out.Posting = out.Posting.Clone()
	return out, nil
}

// post applies p, in cn's transaction, to its account: the one with p's
// AccountID, or when that is nil the customer's account in p's currency.
// p's AccountID is set from the account read.
func (cn conn) post(ctx context.Context, p balance.Posting) (storage.Posted, error) {
	// Lock the account first: postings to it are serialized from here
	// on, so the check below sees every committed posting of the
	// account and the domain's decision still holds at the write.
	// (Taking the lock in the first statement also keeps the snapshot
	// of REPEATABLE READ and SERIALIZABLE transactions as young as
	// possible, which makes serialization failures rarer.)
	//
	// The same statement tells whether the posting's ID or key is
	// taken, so that a replayed request is refused before anything is
	// written. Its subqueries may read a snapshot older than the lock
	// (PostgreSQL's statement snapshot at READ COMMITTED): a posting
	// committed while this waited for the lock then reaches the unique
	// indexes of the INSERT below, which decide.
	//
	// It also locks the customer's row and reads, under that lock,
	// whether the customer is deleted: no posting is made for a
	// customer deleted or erased since the caller looked.
	//
	// A debit reads in the same statement the first lot it would take
	// from, where the dialect can lock the account without it (see
	// lockDebitColumns).
	var (
		idTaken, keyTaken, deleted, due int
		first                           firstLot
	)
	lock, where := lockAccountForPost, []any{p.AccountID.String()}
	if p.AccountID == uuid.Nil {
		lock, where = lockCustomerAccountForPost, []any{p.CustomerID.String(), p.Amount.Currency().Code()}
	}
	lock += cn.s.dialect.ForUpdate()
	dest := []any{&idTaken, &keyTaken, &deleted, &due}
	if d, ok := cn.s.dialect.(ForUpdateOf); ok && p.Amount.IsNegative() {
		lock = lockAccountForDebit
		if p.AccountID == uuid.Nil {
			lock = lockCustomerAccountForDebit
		}
		lock += d.ForUpdateOf("a", "c")
		dest = append(dest, first.dest()...)
	}
	a, err := scanAccount(extra{cn.queryRow(ctx, lock,
		append([]any{p.ID.String(), nullString(p.IdempotencyKey), micros(p.CreatedAt)}, where...)...), dest})
	if err != nil {
		if p.AccountID == uuid.Nil {
			return storage.Posted{}, noRows(err, "balance account of customer", p.CustomerID)
		}
		return storage.Posted{}, noRows(err, "balance account", p.AccountID)
	}
	p.AccountID = a.ID
	switch {
	case a.CustomerID != p.CustomerID:
		return storage.Posted{}, &balance.ValidationError{Field: "customer_id", Reason: "is not the account's customer", Err: balance.ErrInvalid}
	case deleted != 0:
		return storage.Posted{}, customerNotLive(a.CustomerID)
	case idTaken != 0:
		return storage.Posted{}, storage.Conflict(storage.ConstraintPrimaryKey, nil)
	case keyTaken != 0:
		return storage.Posted{}, storage.Conflict(storage.ConstraintIdempotencyKey, nil)
	}
	// The domain decides (currency, floor, overflow, lots) on a copy,
	// and computes the posting's sequence and ending balance, after
	// the expiry postings of the lots due at its time: the account row
	// is locked (and with it its lots), so the UPDATE below moves it
	// from exactly the values read, and nothing needs reading back.
	// A credit with no lot due needs none of the lots (it adds one, of
	// what does not repay debt): they are loaded for a debit, or when
	// some must expire first.
	var before []balance.Lot
	switch {
	case due != 0:
		before, err = cn.openLots(ctx, a)
	case p.Amount.IsNegative():
		var ok bool
		if before, ok = first.covers(a, p.Amount.Neg(), p.CreatedAt); !ok {
			before, err = cn.lotsToCover(ctx, a, p.Amount.Neg(), p.CreatedAt)
		}
	}
	if err != nil {
		return storage.Posted{}, err
	}
	book, q := balance.Book{Account: a.Clone(), Lots: before}, p
	expired, err := book.Post(&q, p.CreatedAt)
	if err != nil {
		return storage.Posted{}, err
	}
	moved := book.Account.Balance.MinorUnits() - a.Balance.MinorUnits()
	count := book.Account.Postings - a.Postings
	n, err := cn.exec(ctx, applyPosting, moved, count, count, micros(p.CreatedAt), a.ID.String(), moved)
	if err != nil {
		if cn.s.dialect.Classify(err) == ErrCheck {
			return storage.Posted{}, fmt.Errorf("balance account %v: %w", a.ID, errors.Join(balance.ErrInsufficientFunds, err))
		}
		return storage.Posted{}, err
	}
	if n == 0 {
		return storage.Posted{}, &balance.InsufficientFundsError{Available: a.Available(), Requested: q.Amount.Abs()}
	}
	// A credit that only makes its lot (the usual one) writes the posting
	// and the lot in one statement where the dialect chains writes; the
	// count is then the lots inserted, which is the postings inserted.
	// A debit that only takes from lots, likewise, with the lots'
	// updates: the count is then the lots updated.
	var chained bool
	if lot, ok := creditLot(cn.s.dialect, q, expired, before, book.Lots); ok {
		chained = true
		n, err = cn.exec(ctx, insertPostingWithLot(cn.s.dialect), append(postingArgs(q), lot.Amount.MinorUnits(),
			lot.Remaining.MinorUnits(), lotExpiry(lot), lotDue(lot))...)
	} else if taken, ok := debitLots(cn.s.dialect, q, expired, before, book.Lots); ok {
		chained = true
		args := postingArgs(q)
		for _, l := range taken {
			args = append(args, l.ID.String(), l.Remaining.MinorUnits(), lotDue(l))
		}
		n, err = cn.exec(ctx, insertPostingTakingLots(cn.s.dialect, len(taken)), args...)
		if err == nil && n != 0 && n != int64(len(taken)) {
			err = fmt.Errorf("sqlstore: posting %v updated %d of its %d lots: %w", q.ID, n, len(taken), storage.ErrConflict)
		} else if n != 0 {
			n = 1 // the posting was inserted
		}
	} else {
		n, err = cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertPosting), postingArgs(q)...)
	}
	if err != nil {
		if cn.s.dialect.Classify(err) != ErrUnique {
			return storage.Posted{}, err
		}
		err = cn.uniqueConflict(err, postingConstraints, func() (storage.Constraint, error) {
			return cn.diagnosePosting(ctx, q, cn.s.dialect.ForShare())
		})
	} else if n == 0 {
		// Another transaction stored the ID or the key between the
		// check and the insert; a locking read sees its row even where
		// plain reads use an older snapshot (MySQL).
		con, derr := cn.diagnosePosting(ctx, q, cn.s.dialect.ForShare())
		switch {
		case derr != nil:
			return storage.Posted{}, derr
		case con == "":
			err = fmt.Errorf("sqlstore: posting %v: %w", q.ID, storage.ErrConflict)
		default:
			err = storage.Conflict(con, nil)
		}
	}
	if err != nil {
		// Nothing is written on error, even in a caller's transaction
		// that goes on: undo the balance move (the account is locked).
		if _, uerr := cn.exec(ctx, restoreAccount, a.Balance.MinorUnits(), a.Postings, a.Version,
			micros(a.UpdatedAt), a.ID.String()); uerr != nil {
			return storage.Posted{}, errors.Join(err, uerr)
		}
		return storage.Posted{}, restored(err)
	}
	// The expiry postings (their IDs and keys are the lots', which
	// expire once) and the lots that changed.
	if !chained {
		if err := cn.writeBook(ctx, expired, before, book.Lots); err != nil {
			return storage.Posted{}, err
		}
	}
	return storage.Posted{Account: a, Expired: expired, Posting: q}, nil
}

// firstLot is what lockDebitColumns reads after lockPostColumns: the
// account's postings count in the statement's snapshot, and the first open
// lot (its ID nil when the account has none).
type firstLot struct {
	postings                   sql.NullInt64 // never NULL when read: the account's own row
	id                         uuid.UUID
	amount, remaining, expires sql.NullInt64
	created, sequence          sql.NullInt64
}

// dest returns the scan destinations of f's columns.
func (f *firstLot) dest() []any {
	return []any{&f.postings, scanUUID{&f.id}, &f.amount, &f.remaining, &f.expires, &f.created, &f.sequence}
}

// covers returns the open lots of a (locked) that a debit of amount at
// the time at takes from, as lotsToCover would, and true, when f read
// them up to date and they need no other read: none when a has no open
// lot, else the first one when it covers amount and is not due. It
// returns false when f was not read, when its snapshot is older than a's
// lock (their postings counts differ), or when the lots must be read.
func (f firstLot) covers(a balance.Account, amount balance.Money, at time.Time) ([]balance.Lot, bool) {
	if !f.postings.Valid || f.postings.Int64 != a.Postings {
		return nil, false
	}
	if f.id == uuid.Nil {
		return nil, true
	}
	l := balance.Lot{ID: f.id, AccountID: a.ID, Sequence: f.sequence.Int64}
	if err := setStoredLot(&l, a.Currency, f.amount.Int64, f.remaining.Int64, f.expires.Int64, f.created.Int64); err != nil {
		return nil, false // lotsToCover reads it, and says what is wrong
	}
	if l.Due(at) || l.Remaining.MinorUnits() < amount.MinorUnits() {
		return nil, false
	}
	return []balance.Lot{l}, true
}

// creditLot returns the one lot that posting q made, and true, when the
// dialect chains writes and the book's change is that lot alone (no
// expiry, no other lot changed), with the posting's ID, account, time and
// sequence, which insertPostingWithLot takes from the posting's row.
func creditLot(d Dialect, q balance.Posting, expired []balance.Posting, before, after []balance.Lot) (balance.Lot, bool) {
	c, ok := d.(ChainedWrites)
	if !ok || !c.ChainedWrites() || len(expired) > 0 {
		return balance.Lot{}, false
	}
	added, changed := balance.LotChanges(before, after)
	if len(added) != 1 || len(changed) > 0 {
		return balance.Lot{}, false
	}
	l := added[0]
	if l.ID != q.ID || l.AccountID != q.AccountID || !l.CreatedAt.Equal(q.CreatedAt) || l.Sequence != q.Sequence {
		return balance.Lot{}, false
	}
	return l, true
}

// debitLots returns the lots that debit q changed, and true, when the
// dialect chains writes and the book's change is those lots alone (no
// expiry, no lot added), at most 8 of them.
func debitLots(d Dialect, q balance.Posting, expired []balance.Posting, before, after []balance.Lot) ([]balance.Lot, bool) {
	c, ok := d.(ChainedWrites)
	if !ok || !c.ChainedWrites() || len(expired) > 0 || !q.Amount.IsNegative() {
		return nil, false
	}
	added, changed := balance.LotChanges(before, after)
	if len(added) > 0 || len(changed) == 0 || len(changed) > 8 {
		return nil, false
	}
	return changed, true
}

// insertPostingTakingLots inserts a posting (postingArgs) and, only if it
// was inserted, updates n lots (args per lot: ID, remaining, due_at), in
// one statement whose count is the lots updated (see ChainedWrites).
func insertPostingTakingLots(d Dialect, n int) string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = `(CAST(? AS UUID), CAST(? AS BIGINT), CAST(? AS BIGINT))`
	}
	return `WITH p AS (` + d.InsertOrNothing(insertPosting) + ` RETURNING id)
	UPDATE {{prefix}}balance_lots SET remaining = v.remaining, due_at = v.due_at
	FROM (VALUES ` + strings.Join(rows, ", ") + `) AS v (id, remaining, due_at)
	WHERE {{prefix}}balance_lots.id = v.id AND EXISTS (SELECT 1 FROM p)`
}

// insertPostingWithLot inserts a posting (postingArgs) and, only if it
// was inserted, its lot (args: amount, remaining, expires_at, due_at; the
// rest is the posting's), in one statement whose count is the lots
// inserted (see ChainedWrites).
func insertPostingWithLot(d Dialect) string {
	return `WITH p AS (` + d.InsertOrNothing(insertPosting) + ` RETURNING id, account_id, created_at, sequence)
	INSERT INTO {{prefix}}balance_lots (` + lotColumns + `, due_at)
	SELECT p.id, p.account_id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), p.created_at, p.sequence, CAST(? AS BIGINT) FROM p`
}

// diagnosePosting returns the constraint that stops p from being stored, or
// "" when neither its ID nor its account's idempotency key is taken. lock is
// appended to the queries ("" or the dialect's ForUpdate).
func (c conn) diagnosePosting(ctx context.Context, p balance.Posting, lock string) (storage.Constraint, error) {
	rows, err := c.query(ctx, `SELECT id FROM {{prefix}}balance_postings
		WHERE id = ? OR (account_id = ? AND idempotency_key = ?)`+lock,
		p.ID.String(), p.AccountID.String(), nullString(p.IdempotencyKey))
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var con storage.Constraint
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(scanUUID{&id}); err != nil {
			return "", err
		}
		if id == p.ID {
			con = storage.ConstraintPrimaryKey
		} else if con == "" {
			con = storage.ConstraintIdempotencyKey
		}
	}
	return con, rows.Err()
}

// The ledger's reads, declared here so that their text (which drivers key
// prepared statements by, and sqltest's copies must equal) does not follow
// the indentation of the code around them.
var (
	selectPostingByKey = `SELECT a.currency, ` + qualify(postingColumns, "p") + `
		FROM {{prefix}}balance_postings p JOIN {{prefix}}balance_accounts a ON a.id = p.account_id
		WHERE p.account_id = ? AND p.idempotency_key = ?`
	selectPostingsAfter = `SELECT a.currency, ` + qualify(postingColumns, "p") + `
		FROM {{prefix}}balance_postings p JOIN {{prefix}}balance_accounts a ON a.id = p.account_id
		WHERE p.account_id = ? AND p.sequence > ? AND p.sequence <= ? ORDER BY p.sequence LIMIT `
)

func (r balances) PostingByKey(ctx context.Context, accountID uuid.UUID, idempotencyKey string) (balance.Posting, error) {
	if err := storage.CheckKey("idempotencyKey", idempotencyKey); err != nil {
		return balance.Posting{}, err
	}
	return read(ctx, r.conn(ctx), func() (balance.Posting, error) {
		if idempotencyKey == "" {
			return balance.Posting{}, notFound("posting with idempotency key", idempotencyKey)
		}
		p, err := scanPosting(r.conn(ctx).queryRow(ctx, selectPostingByKey, accountID.String(), idempotencyKey))
		return p, noRows(err, "posting with idempotency key", idempotencyKey)
	})
}

func (r balances) Postings(ctx context.Context, accountID uuid.UUID, p storage.PageRequest) (storage.Page[balance.Posting], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[balance.Posting], error) {
		var page storage.Page[balance.Posting]
		c, err := storage.ParseCursor(storage.ListPostings, p.Cursor)
		if err != nil {
			return page, err
		}
		if c.Seq < 0 || !c.Time.IsZero() || c.Key != "" {
			return page, fmt.Errorf("%w: not a ledger position", storage.ErrInvalidCursor)
		}
		cn := r.conn(ctx)
		size, limit := pageSize(p)
		// Sequences are dense (1, 2, 3 ... per account), so the page is
		// the range (Seq, Seq+limit]: bounding both ends reads one page
		// whatever plan the database picks (PostgreSQL's generic plan of
		// the open-ended range fetched the rest of the ledger and sorted it).
		upto := int64(math.MaxInt64)
		if c.Seq <= math.MaxInt64-int64(limit) {
			upto = c.Seq + int64(limit)
		}
		rows, err := cn.query(ctx, selectPostingsAfter+itoa(limit), accountID.String(), c.Seq, upto)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, 0, scanPosting)
		if err != nil {
			return page, err
		}
		if len(items) == 0 {
			// An empty page: tell an empty ledger from a missing account.
			var one int
			err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}balance_accounts WHERE id = ?`, accountID.String()).Scan(&one)
			if err != nil {
				return page, noRows(err, "balance account", accountID)
			}
		}
		return pageOf(items, size, func(p balance.Posting) storage.Cursor {
			return storage.Cursor{List: storage.ListPostings, Seq: p.Sequence}
		}), nil
	})
}
