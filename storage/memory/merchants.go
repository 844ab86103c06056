package memory

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/storage"
)

type merchants struct{ repos }

func (r merchants) Create(ctx context.Context, m merchant.Merchant) (merchant.Merchant, error) {
	m, err := storage.NewMerchant(m)
	if err != nil {
		return merchant.Merchant{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.merchants[m.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		put(t, d.merchants, m.ID, m)
		insert(t, d.merchantOrder, timeKey{m.CreatedAt, m.ID})
		return nil
	})
	if err != nil {
		return merchant.Merchant{}, err
	}
	return m.Clone(), nil
}

func (r merchants) Get(ctx context.Context, id uuid.UUID) (out merchant.Merchant, err error) {
	err = r.read(ctx, func(d *db) error {
		m, ok := d.merchants[id]
		if !ok {
			return notFound("merchant", id)
		}
		out = m.Clone()
		return nil
	})
	return out, err
}

func (r merchants) Update(ctx context.Context, id uuid.UUID, fn func(*merchant.Merchant) error) (out merchant.Merchant, err error) {
	err = r.write(ctx, func(t *txn) error {
		old, ok := t.db.merchants[id]
		if !ok {
			return notFound("merchant", id)
		}
		m, err := storage.UpdateMerchant(old, fn)
		if err != nil {
			return err
		}
		put(t, t.db.merchants, id, m)
		out = m.Clone()
		return nil
	})
	return out, err
}

func (r merchants) Delete(ctx context.Context, id uuid.UUID) error {
	return r.write(ctx, func(t *txn) error {
		d := t.db
		m, ok := d.merchants[id]
		if !ok {
			return notFound("merchant", id)
		}
		if len(d.marketsByMerchant[id]) > 0 {
			return storage.Conflict(storage.ConstraintMerchantMarkets, nil)
		}
		d.dropMerchantRoles(t, id)
		del(t, d.merchants, id)
		del(t, d.marketsByMerchant, id)
		remove(t, d.merchantOrder, timeKey{m.CreatedAt, id})
		return nil
	})
}

func (r merchants) List(ctx context.Context, p storage.PageRequest) (out storage.Page[merchant.Merchant], err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = pageAfter(d.merchantOrder, lessTimeKey, storage.ListMerchants, p, timeFrom, timeCursor, every(func(k timeKey) merchant.Merchant {
			return d.merchants[k.id].Clone()
		}))
		return err
	})
	return out, err
}
