package sqlstore

import (
	"context"
	"fmt"

	"github.com/clientele-go/clientele/storage"
)

type idempotency struct{ base }

// IdempotencyRecords returns the idempotency record repository: the store
// has the storage.Idempotency capability (schema version 3).
func (s *Store) IdempotencyRecords() storage.IdempotencyRecords { return idempotency{base{s: s}} }

// IdempotencyRecords returns the transaction's idempotency record repository.
func (r repos) IdempotencyRecords() storage.IdempotencyRecords { return idempotency{base{fixed: &r.c}} }

var (
	_ storage.Idempotency = (*Store)(nil)
	_ storage.Idempotency = repos{}
)

func (r idempotency) Get(ctx context.Context, scope, key string) (storage.IdempotencyRecord, error) {
	if !storable(scope) || !storable(key) {
		return storage.IdempotencyRecord{}, fmt.Errorf("idempotency record: %w", storage.ErrNotFound)
	}
	return read(ctx, r.conn(ctx), func() (storage.IdempotencyRecord, error) {
		rec := storage.IdempotencyRecord{Scope: scope, Key: key}
		var created int64
		err := r.conn(ctx).queryRow(ctx, `SELECT fingerprint, result, created_at FROM {{prefix}}idempotency_records
			WHERE scope = ? AND request_key = ?`, scope, key).Scan(&rec.Fingerprint, &rec.Result, &created)
		if err != nil {
			// The key is not repeated in the error: it is the caller's.
			return storage.IdempotencyRecord{}, noRows(err, "idempotency record in scope", scope)
		}
		rec.CreatedAt = fromMicros(created)
		return rec, nil
	})
}

func (r idempotency) Put(ctx context.Context, rec storage.IdempotencyRecord) (storage.IdempotencyRecord, error) {
	if err := rec.Validate(); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	rec.CreatedAt = micro(rec.CreatedAt)
	err := r.conn(ctx).single(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(`INSERT INTO {{prefix}}idempotency_records
			(scope, request_key, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?)`),
			rec.Scope, rec.Key, rec.Fingerprint, rec.Result, micros(rec.CreatedAt))
		if err != nil {
			return cn.uniqueConflict(err, idempotencyConstraints, nil)
		}
		if n == 0 { // (scope, request_key) is the only unique key
			return storage.Conflict(storage.ConstraintIdempotencyRecord, nil)
		}
		return nil
	})
	if err != nil {
		return storage.IdempotencyRecord{}, err
	}
	return rec, nil
}

var idempotencyConstraints = map[string]storage.Constraint{
	"idempotency_records_pkey": storage.ConstraintIdempotencyRecord,
}
