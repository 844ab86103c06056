package memory

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/storage"
)

type markets struct{ repos }

// checkMarket checks the merchant and access groups m refers to, and that
// its code is free.
func (d *db) checkMarket(m market.Market) error {
	if other, ok := d.marketByCode[m.Code]; ok && other != m.ID {
		return storage.Conflict(storage.ConstraintMarketCode, nil)
	}
	if _, ok := d.merchants[m.MerchantID]; !ok {
		return notFound("merchant", m.MerchantID)
	}
	for _, gid := range m.AccessGroups {
		if _, ok := d.groups[gid]; !ok {
			return notFound("group", gid)
		}
	}
	return nil
}

func (d *db) indexMarket(t *txn, m market.Market) {
	put(t, d.marketByCode, m.Code, m.ID)
	put(t, innerFor(t, d.marketsByMerchant, m.MerchantID), m.ID, struct{}{})
	for _, gid := range m.AccessGroups {
		put(t, innerFor(t, d.marketsByGroup, gid), m.ID, struct{}{})
	}
}

func (d *db) unindexMarket(t *txn, m market.Market) {
	del(t, d.marketByCode, m.Code)
	del(t, d.marketsByMerchant[m.MerchantID], m.ID)
	for _, gid := range m.AccessGroups {
		del(t, d.marketsByGroup[gid], m.ID)
	}
}

func (r markets) Create(ctx context.Context, m market.Market) (market.Market, error) {
	m, err := storage.NewMarket(m)
	if err != nil {
		return market.Market{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.markets[m.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if err := d.checkMarket(m); err != nil {
			return err
		}
		put(t, d.markets, m.ID, m)
		insert(t, d.marketOrder, timeKey{m.CreatedAt, m.ID})
		d.indexMarket(t, m)
		return nil
	})
	if err != nil {
		return market.Market{}, err
	}
	return m.Clone(), nil
}

func (r markets) Get(ctx context.Context, id uuid.UUID) (out market.Market, err error) {
	err = r.read(ctx, func(d *db) error {
		m, ok := d.markets[id]
		if !ok {
			return notFound("market", id)
		}
		out = m.Clone()
		return nil
	})
	return out, err
}

func (r markets) GetByCode(ctx context.Context, code string) (out market.Market, err error) {
	if err := storage.CheckKey("code", code); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		id, ok := d.marketByCode[market.NormalizeCode(code)]
		if !ok {
			return fmt.Errorf("market with code %s: %w", storage.Quote(code), storage.ErrNotFound)
		}
		out = d.markets[id].Clone()
		return nil
	})
	return out, err
}

func (r markets) Update(ctx context.Context, id uuid.UUID, fn func(*market.Market) error) (out market.Market, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.markets[id]
		if !ok {
			return notFound("market", id)
		}
		m, err := storage.UpdateMarket(old, fn)
		if err != nil {
			return err
		}
		if err := d.checkMarket(m); err != nil {
			return err
		}
		d.unindexMarket(t, old)
		d.indexMarket(t, m)
		put(t, d.markets, id, m)
		out = m.Clone()
		return nil
	})
	return out, err
}

func (r markets) Delete(ctx context.Context, id uuid.UUID) error {
	return r.write(ctx, func(t *txn) error {
		d := t.db
		m, ok := d.markets[id]
		if !ok {
			return notFound("market", id)
		}
		d.unindexMarket(t, m)
		del(t, d.markets, id)
		remove(t, d.marketOrder, timeKey{m.CreatedAt, id})
		return nil
	})
}

func (r markets) List(ctx context.Context, f storage.MarketFilter, p storage.PageRequest) (out storage.Page[market.Market], err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = pageAfter(d.marketOrder, lessTimeKey, storage.ListMarkets, p, timeFrom, timeCursor, func(k timeKey, dst *market.Market) bool {
			m := d.markets[k.id]
			if f.MerchantID != uuid.Nil && m.MerchantID != f.MerchantID {
				return false
			}
			if f.GroupID != uuid.Nil {
				if _, ok := d.marketsByGroup[f.GroupID][m.ID]; !ok {
					return false
				}
			}
			if dst != nil {
				*dst = m.Clone()
			}
			return true
		})
		return err
	})
	return out, err
}
