package storagetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
)

// The storage.Idempotency capability.

func idempotencyCases() []testCase {
	return []testCase{
		{"PutThenGet", needs(idempotencyPutGet)},
		{"KeyIsUniquePerScope", needs(idempotencyUniquePerScope)},
		{"UnknownIsNotFound", needs(idempotencyNotFound)},
		{"RolledBackWithItsTransaction", needs(idempotencyRollback)},
		{"TxHasTheCapability", needs(idempotencyTx)},
		{"InvalidRecordsAreRefused", needs(idempotencyInvalid)},
		{"ConcurrentPutsOneWins", needs(idempotencyConcurrent)},
	}
}

// needs skips a capability's case on a store that lacks it.
func needs(run func(t *testing.T, e *env, r storage.IdempotencyRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		c, ok := e.store.(storage.Idempotency)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Idempotency capability", e.store)
		}
		run(t, e, c.IdempotencyRecords())
	}
}

func (e *env) record(scope, key string) storage.IdempotencyRecord {
	return storage.IdempotencyRecord{Scope: scope, Key: key, Fingerprint: "fp-" + key,
		Result: e.id().String(), CreatedAt: e.now()}
}

func idempotencyPutGet(t *testing.T, e *env, r storage.IdempotencyRecords) {
	rec := e.record("customer.register", "Key-1 \u00e9\u4e2d")
	rec.CreatedAt = rec.CreatedAt.Add(123) // nanoseconds: cut to microseconds
	stored, err := r.Put(e.ctx, rec)
	require.NoError(t, err)
	assert.Equal(t, rec.CreatedAt.UTC().Truncate(1000), stored.CreatedAt, "UTC microseconds")
	got, err := r.Get(e.ctx, rec.Scope, rec.Key)
	require.NoError(t, err)
	assert.Equal(t, stored, got)
	_, err = r.Get(e.ctx, rec.Scope, strings.ToLower(rec.Key))
	require.ErrorIs(t, err, storage.ErrNotFound, "keys are compared byte by byte")
	_, err = r.Get(e.ctx, rec.Scope, rec.Key+" ")
	require.ErrorIs(t, err, storage.ErrNotFound, "trailing spaces count")
}

func idempotencyUniquePerScope(t *testing.T, e *env, r storage.IdempotencyRecords) {
	rec := e.record("group.create", "k")
	_, err := r.Put(e.ctx, rec)
	require.NoError(t, err)
	again := e.record("group.create", "k")
	_, err = r.Put(e.ctx, again)
	require.True(t, storage.IsConflict(err, storage.ConstraintIdempotencyRecord), "got %v", err)
	got, err := r.Get(e.ctx, "group.create", "k")
	require.NoError(t, err)
	assert.Equal(t, rec.Result, got.Result, "the first record stays")
	_, err = r.Put(e.ctx, e.record("merchant.create", "k"))
	require.NoError(t, err, "the same key in another scope")
}

func idempotencyNotFound(t *testing.T, e *env, r storage.IdempotencyRecords) {
	for _, k := range []string{"missing", "", "\x00", "\xff\xfe", strings.Repeat("k", 10_000), "'; DROP TABLE idempotency_records; --"} {
		_, err := r.Get(e.ctx, "s", k)
		require.ErrorIs(t, err, storage.ErrNotFound, "%q", k)
		if len(k) > 3 {
			assert.NotContains(t, err.Error(), k[:min(len(k), 40)], "the caller's key is not echoed")
		}
	}
}

func idempotencyRollback(t *testing.T, e *env, r storage.IdempotencyRecords) {
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := r.Put(ctx, e.record("s", "rolled-back")); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = r.Get(e.ctx, "s", "rolled-back")
	require.ErrorIs(t, err, storage.ErrNotFound, "a record commits with its transaction or not at all")
}

func idempotencyTx(t *testing.T, e *env, r storage.IdempotencyRecords) {
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		c, ok := tx.(storage.Idempotency)
		require.True(t, ok, "a store with the capability gives it to its transactions (%T)", tx)
		if _, err := c.IdempotencyRecords().Put(ctx, e.record("s", "in-tx")); err != nil {
			return err
		}
		_, err := c.IdempotencyRecords().Get(ctx, "s", "in-tx")
		return err
	})
	require.NoError(t, err)
	_, err = r.Get(e.ctx, "s", "in-tx")
	require.NoError(t, err)
}

func idempotencyInvalid(t *testing.T, e *env, r storage.IdempotencyRecords) {
	valid := e.record("s", "k")
	for name, mut := range map[string]func(*storage.IdempotencyRecord){
		"empty scope":       func(r *storage.IdempotencyRecord) { r.Scope = "" },
		"empty key":         func(r *storage.IdempotencyRecord) { r.Key = "" },
		"empty fingerprint": func(r *storage.IdempotencyRecord) { r.Fingerprint = "" },
		"empty result":      func(r *storage.IdempotencyRecord) { r.Result = "" },
		"long key":          func(r *storage.IdempotencyRecord) { r.Key = strings.Repeat("k", storage.MaxIdempotencyKey+1) },
		"long scope":        func(r *storage.IdempotencyRecord) { r.Scope = strings.Repeat("s", storage.MaxIdempotencyScope+1) },
		"invalid UTF-8 key": func(r *storage.IdempotencyRecord) { r.Key = "\xff" },
		"NUL in key":        func(r *storage.IdempotencyRecord) { r.Key = "a\x00b" },
		"NUL in result":     func(r *storage.IdempotencyRecord) { r.Result = "\x00" },
		"long fingerprint": func(r *storage.IdempotencyRecord) {
			r.Fingerprint = strings.Repeat("f", storage.MaxIdempotencyFingerprint+1)
		},
		"long result":         func(r *storage.IdempotencyRecord) { r.Result = strings.Repeat("r", storage.MaxIdempotencyResult+1) },
		"invalid UTF-8 scope": func(r *storage.IdempotencyRecord) { r.Scope = "\xc3" },
	} {
		rec := valid
		mut(&rec)
		_, err := r.Put(e.ctx, rec)
		require.ErrorIs(t, err, storage.ErrInvalidRecord, name)
	}
	_, err := r.Get(e.ctx, "s", "k")
	require.ErrorIs(t, err, storage.ErrNotFound, "nothing was written")
	long := valid
	long.Key = strings.Repeat("k", storage.MaxIdempotencyKey)
	long.Scope = strings.Repeat("s", storage.MaxIdempotencyScope)
	_, err = r.Put(e.ctx, long)
	require.NoError(t, err, "the bounds themselves are allowed")
}

func idempotencyConcurrent(t *testing.T, e *env, r storage.IdempotencyRecords) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
				_, err := tx.(storage.Idempotency).IdempotencyRecords().Put(ctx, e.record("race", "same"))
				return err
			})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else {
			require.True(t, storage.IsConflict(err, storage.ConstraintIdempotencyRecord), "got %v", err)
		}
	}
	assert.Equal(t, 1, wins)
}
