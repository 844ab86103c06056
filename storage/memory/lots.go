package memory

import (
	"context"
	"slices"
	"time"

	"github.com/google/btree"
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/storage"
)

// The memory adapter keeps credit lots: it has the storage.CreditLots
// capability.
var _ storage.CreditLots = balances{}

// openLotsOf returns copies of the account's lots with something left.
func (d *db) openLotsOf(accountID uuid.UUID) []balance.Lot {
	open := d.openLots[accountID]
	out := make([]balance.Lot, 0, len(open))
	for id := range open {
		out = append(out, d.lots[id])
	}
	slices.SortFunc(out, balance.CompareLots)
	return out
}

// putLot stores l and keeps the open-lot and due indexes.
func (d *db) putLot(t *txn, l balance.Lot) {
	put(t, d.lots, l.ID, l)
	open := innerFor(t, d.openLots, l.AccountID)
	key := timeKey{at: l.ExpiresAt, id: l.ID}
	if l.Remaining.IsPositive() {
		put(t, open, l.ID, struct{}{})
		if l.Expires() {
			insert(t, d.dueLots, key)
		}
		return
	}
	del(t, open, l.ID)
	if l.Expires() {
		remove(t, d.dueLots, key)
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

var _ btree.LessFunc[timeKey] = lessTimeKey

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
		before := d.openLotsOf(a.ID)
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
