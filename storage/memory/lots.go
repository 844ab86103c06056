package memory

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// The memory adapter keeps credit lots: it has the storage.CreditLots
// capability.
var _ storage.CreditLots = balances{}

// lotKey orders an account's open lots as debits consume them (see
// balance.CompareLots): by expiry, never-expiring lots last (at is then
// the largest time), then by sequence and ID.
type lotKey struct {
	at  time.Time
	seq int64
	id  uuid.UUID
}

// neverExpires is the lotKey time of a lot that never expires.
var neverExpires = time.Unix(1<<62, 0).UTC()

func lessLotKey(a, b lotKey) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	if a.seq != b.seq {
		return a.seq < b.seq
	}
	return a.id.String() < b.id.String()
}

func lotKeyOf(l balance.Lot) lotKey {
	at := l.ExpiresAt
	if !l.Expires() {
		at = neverExpires
	}
	return lotKey{at: at, seq: l.Sequence, id: l.ID}
}

// bookLots returns copies of the account's open lots that a posting of
// amount at now needs, in consumption order: every lot due at now (Post
// expires them first), then, for a debit, live lots until they cover it.
// Those are all Book.Post reads: the rest of the lots are left as they
// are, so a credit or a small debit costs O(log n) however many lots the
// account holds.
func (d *db) bookLots(accountID uuid.UUID, amount balance.Money, now time.Time) []balance.Lot {
	var out []balance.Lot
	need := int64(0)
	if amount.IsNegative() {
		need = -amount.MinorUnits()
	}
	if tree := d.openLots[accountID]; tree != nil {
		tree.Ascend(func(k lotKey) bool {
			l := d.lots[k.id]
			if l.Live(now) {
				if need <= 0 {
					return false
				}
				need -= l.Remaining.MinorUnits()
			}
			out = append(out, l)
			return true
		})
	}
	return out
}

// putLot stores l and keeps the open-lot and due indexes.
func (d *db) putLot(t *txn, l balance.Lot) {
	put(t, d.lots, l.ID, l)
	open := treeFor(t, d.openLots, l.AccountID, lessLotKey)
	due := timeKey{at: l.ExpiresAt, id: l.ID}
	if l.Remaining.IsPositive() {
		insert(t, open, lotKeyOf(l))
		if l.Expires() {
			insert(t, d.dueLots, due)
		}
		return
	}
	remove(t, open, lotKeyOf(l))
	if l.Expires() {
		remove(t, d.dueLots, due)
	}
}

func (r balances) Lots(ctx context.Context, accountID uuid.UUID) (out []balance.Lot, err error) {
	err = r.read(ctx, func(d *db) error {
		if _, ok := d.accounts[accountID]; !ok {
			return notFound("balance account", accountID)
		}
		out = make([]balance.Lot, 0, len(d.lotsOf[accountID]))
		for _, id := range d.lotsOf[accountID] {
			out = append(out, d.lots[id])
		}
		return nil
	})
	slices.SortFunc(out, balance.CompareLots)
	return out, err
}

func (r balances) DueLots(ctx context.Context, now time.Time, p storage.PageRequest) (out storage.Page[balance.Lot], err error) {
	now = micro(now)
	err = r.read(ctx, func(d *db) error {
		size := p.Size()
		out.Items = make([]balance.Lot, 0, min(size, 64))
		visit := func(k timeKey) bool {
			if k.at.After(now) {
				return false
			}
			if len(out.Items) == size {
				last := out.Items[size-1]
				out.Next = storage.Cursor{List: storage.ListDueLots, Time: last.ExpiresAt, Key: last.ID.String()}.String()
				return false
			}
			out.Items = append(out.Items, d.lots[k.id])
			return true
		}
		if p.Cursor == "" {
			d.dueLots.Ascend(visit)
			return nil
		}
		c, err := storage.ParseCursor(storage.ListDueLots, p.Cursor)
		if err != nil {
			return err
		}
		pivot, err := timeFrom(c)
		if err != nil {
			return err
		}
		d.dueLots.AscendGreaterOrEqual(pivot, func(k timeKey) bool {
			if !lessTimeKey(pivot, k) {
				return true
			}
			return visit(k)
		})
		return nil
	})
	return out, err
}

func (r balances) ExpireDue(ctx context.Context, accountID uuid.UUID, now time.Time) (out []balance.Posting, err error) {
	now = micro(now)
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		a, ok := d.accounts[accountID]
		if !ok {
			return notFound("balance account", accountID)
		}
		if err := d.liveCustomer(a.CustomerID); err != nil {
			return err
		}
		before := d.bookLots(a.ID, balance.Zero(a.Currency), now)
		book := balance.Book{Account: a, Lots: before}
		expired, err := book.Expire(now)
		if err != nil || len(expired) == 0 {
			return err
		}
		for _, e := range expired {
			if err := d.checkPostingFree(e); err != nil {
				return err
			}
		}
		d.writeBook(t, book, before, expired...)
		out = expired
		return nil
	})
	return out, err
}
