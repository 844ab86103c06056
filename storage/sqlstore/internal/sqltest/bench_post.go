package sqltest

import (
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
)

// postFixture is the balance account the posting benchmarks credit.
type postFixture struct {
	acct   balance.Account
	amount balance.Money
}

func newPostFixture(f *benchFixture) postFixture {
	eur, err := balance.ParseCurrency("EUR")
	if err != nil {
		f.b.Fatal(err)
	}
	acct, err := f.store.Balances().CreateAccount(f.ctx, balance.NewAccount(uuid.New(), f.ids[0], eur, f.base))
	if err != nil {
		f.b.Fatal(err)
	}
	amount, err := balance.ParseMoney("1.00", "EUR")
	if err != nil {
		f.b.Fatal(err)
	}
	return postFixture{acct: acct, amount: amount}
}

// newPosting returns a credit of the account with a fresh idempotency key,
// as the services post it.
func (f *benchFixture) newPosting() balance.Posting {
	n := f.seq.Add(1)
	p, err := balance.NewPosting(uuid.New(), f.post.acct, balance.PostingParams{Kind: balance.KindGiftCard,
		Amount: f.post.amount, Reference: "GC-" + strconv.FormatInt(n, 10), IdempotencyKey: "bench-" + strconv.FormatInt(n, 10),
		Actor: "bench"}, f.base.Add(time.Duration(n)*time.Microsecond))
	if err != nil {
		f.b.Fatal(err)
	}
	return p
}

// postingArgs returns the posting's column values in PostingColumns order.
func postingArgs(p balance.Posting) []any {
	var key sql.NullString
	if p.IdempotencyKey != "" {
		key = sql.NullString{String: p.IdempotencyKey, Valid: true}
	}
	return []any{p.ID.String(), p.AccountID.String(), p.CustomerID.String(), p.Sequence, p.Kind.String(),
		p.Amount.MinorUnits(), p.EndingBalance.MinorUnits(), p.Reference, key, p.Actor, p.Note, p.CreatedAt.UnixMicro(),
		sql.NullInt64{}}
}

// scanAccount reads AccountColumns, as a hand-written repository would.
func scanAccount(r interface{ Scan(...any) error }) (balance.Account, error) {
	var (
		a                balance.Account
		cur              string
		bal, limit       int64
		created, updated int64
	)
	if err := r.Scan(&a.ID, &a.CustomerID, &cur, &bal, &limit, &a.Postings, &created, &updated, &a.Version); err != nil {
		return a, err
	}
	var err error
	if a.Currency, err = balance.ParseCurrency(cur); err != nil {
		return a, err
	}
	if a.Balance, err = balance.NewMoneyFromMinorUnits(bal, a.Currency); err != nil {
		return a, err
	}
	if a.CreditLimit, err = balance.NewMoneyFromMinorUnits(limit, a.Currency); err != nil {
		return a, err
	}
	a.CreatedAt, a.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return a, nil
}

func (f *benchFixture) postAdapter(b *testing.B) func() func() error {
	return func() func() error {
		p := f.newPosting()
		return func() error {
			_, err := f.store.Balances().Post(f.ctx, p)
			return err
		}
	}
}

// debitAdapter debits 0.01 at a time, through Post, from an account of
// its own (of a customer no other benchmark posts for) funded by lots
// credits of 1,000.00 each: the first lot covers every debit, so the
// variants with 1 and 1,000 open lots differ only in how the debit finds
// it (their paired ratio is what many lots cost a debit).
func (f *benchFixture) debitAdapter(lots int) variant {
	return func(b *testing.B) func() func() error {
		n := f.debitAccounts.Add(1)
		acct, err := f.store.Balances().CreateAccount(f.ctx, balance.NewAccount(uuid.New(), f.ids[len(f.ids)-int(n)], f.post.acct.Currency, f.base))
		if err != nil {
			b.Fatal(err)
		}
		at := f.base
		post := func(minor int64, kind balance.Kind) balance.Posting {
			at = at.Add(time.Microsecond)
			p, err := balance.NewPosting(uuid.New(), acct, balance.PostingParams{Kind: kind,
				Amount: balance.FromMinorUnits(minor, acct.Currency), Actor: "bench"}, at)
			if err != nil {
				b.Fatal(err)
			}
			return p
		}
		for range lots {
			if _, err := f.store.Balances().Post(f.ctx, post(100000, balance.KindGiftCard)); err != nil {
				b.Fatal(err)
			}
		}
		return func() func() error {
			p := post(-1, balance.KindOrderPayment)
			return func() error {
				_, err := f.store.Balances().Post(f.ctx, p)
				return err
			}
		}
	}
}

// postHandTx runs Post's statements by hand: lock and read the account,
// learning whether the ID or the key is taken, let the domain decide, move
// the balance, insert the posting.
func (f *benchFixture) postHandTx(b *testing.B) func() func() error {
	q := PostQueries(f.d)
	lock, apply, insert, insertLot := f.stmt(q.LockAccount), f.stmt(q.Apply), f.stmt(q.Insert), f.stmt(q.InsertLot)
	return func() func() error {
		p := f.newPosting()
		return func() error {
			return f.inTx(func(tx *sql.Tx) error {
				var idTaken, keyTaken, deleted, due int
				a, err := scanAccount(withMore{tx.StmtContext(f.ctx, lock).QueryRowContext(f.ctx,
					p.ID.String(), p.IdempotencyKey, p.CreatedAt.UnixMicro(), p.AccountID.String()),
					[]any{&idTaken, &keyTaken, &deleted, &due}})
				if err != nil {
					return err
				}
				if idTaken != 0 || keyTaken != 0 || deleted != 0 || due != 0 {
					return fmt.Errorf("posting ID or key taken, customer deleted, or a lot due")
				}
				if err := a.Apply(&p, p.CreatedAt); err != nil {
					return err
				}
				units := p.Amount.MinorUnits()
				if err := checkOne(tx.StmtContext(f.ctx, apply).ExecContext(f.ctx, units, 1, 1, p.CreatedAt.UnixMicro(), a.ID.String(), units)); err != nil {
					return err
				}
				if err := checkOne(tx.StmtContext(f.ctx, insert).ExecContext(f.ctx, postingArgs(p)...)); err != nil {
					return err
				}
				// The credit's lot (never expiring; the fixture's account
				// has no debt).
				return checkOne(tx.StmtContext(f.ctx, insertLot).ExecContext(f.ctx, p.ID.String(), p.AccountID.String(),
					units, units, int64(math.MaxInt64), p.CreatedAt.UnixMicro(), p.Sequence, sql.NullInt64{}))
			})
		}
	}
}

// readBackAndInsert reads the balance after the move into p and inserts p.
func (f *benchFixture) readBackAndInsert(tx *sql.Tx, readBack, insert *sql.Stmt, p *balance.Posting, c balance.Currency) error {
	var bal int64
	if err := tx.StmtContext(f.ctx, readBack).QueryRowContext(f.ctx, p.AccountID.String()).Scan(&bal, &p.Sequence); err != nil {
		return err
	}
	var err error
	if p.EndingBalance, err = balance.NewMoneyFromMinorUnits(bal, c); err != nil {
		return err
	}
	return checkOne(tx.StmtContext(f.ctx, insert).ExecContext(f.ctx, postingArgs(*p)...))
}

// postHand posts with the fewest statements that keep the ledger right:
// the conditional UPDATE (which alone guards the floor), the read back of
// the new balance and sequence, the INSERT (whose unique keys guard the ID
// and the idempotency key).
func (f *benchFixture) postHand(b *testing.B) func() func() error {
	q := PostQueries(f.d)
	apply, readBack, insert := f.stmt(q.Apply), f.stmt(q.ReadBack), f.stmt(q.Insert)
	return func() func() error {
		p := f.newPosting()
		return func() error {
			return f.inTx(func(tx *sql.Tx) error {
				units := p.Amount.MinorUnits()
				if err := checkOne(tx.StmtContext(f.ctx, apply).ExecContext(f.ctx, units, 1, 1, p.CreatedAt.UnixMicro(), p.AccountID.String(), units)); err != nil {
					return err
				}
				return f.readBackAndInsert(tx, readBack, insert, &p, p.Amount.Currency())
			})
		}
	}
}

// withMore is a row scanner that scans more columns after those its caller
// asks for.
type withMore struct {
	r    interface{ Scan(dest ...any) error }
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.r.Scan(append(dest, w.more...)...) }
