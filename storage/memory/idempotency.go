package memory

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/storage"
)

type idempotencyKey struct{ scope, key string }

type idempotency struct{ repos }

func (r idempotency) Get(ctx context.Context, scope, key string) (out storage.IdempotencyRecord, err error) {
	err = r.read(ctx, func(d *db) error {
		rec, ok := d.idempotency[idempotencyKey{scope, key}]
		if !ok {
			return fmt.Errorf("idempotency record: %w", storage.ErrNotFound) // the key is not repeated: it is the caller's
		}
		out = rec
		return nil
	})
	return out, err
}

func (r idempotency) Put(ctx context.Context, rec storage.IdempotencyRecord) (storage.IdempotencyRecord, error) {
	if err := rec.Validate(); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	rec.CreatedAt = micro(rec.CreatedAt)
	err := r.write(ctx, func(t *txn) error {
		k := idempotencyKey{rec.Scope, rec.Key}
		if _, ok := t.db.idempotency[k]; ok {
			return storage.Conflict(storage.ConstraintIdempotencyRecord, nil)
		}
		put(t, t.db.idempotency, k, rec)
		return nil
	})
	if err != nil {
		return storage.IdempotencyRecord{}, err
	}
	return rec, nil
}
