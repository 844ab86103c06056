package clientele

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/storage"
)

// IdempotencyKey makes a creating call safe to retry: the first call with
// the key creates the record and remembers it under the key, in the same
// transaction; a later call with the same key and the same request creates
// nothing and returns that record (as it is now); the same key with another
// request returns ErrIdempotencyKeyReused. Keys are scoped per operation
// (a key used to register a customer and to create a group names two
// requests). It is what to send after an error whose errcode.Of is
// CommitUnknown or Unavailable: the retry either finds the first result or
// creates it once.
//
// Register, Invite, CreateGuest, Addresses.Add, Groups.Create,
// Merchants.Create, Markets.Create, Segments.Create and
// Orders.RecordPlaced honour it
// (postings take their key in the request). CreateGuest and RecordPlaced
// are idempotent without one (by the guest's email, by the host's order
// ID); with one they also refuse another request under the key. The key follows the rules of
// balance.ValidateIdempotencyKey (at most 255 bytes, not blank). It needs a
// store with the storage.Idempotency capability (every adapter of this
// module has it); on another store a call with a key returns
// ErrUnsupported, and calls without one work as before.
func IdempotencyKey(key string) CallOption {
	return func(o *callOptions) { o.key, o.keySet = key, true }
}

// ErrIdempotencyKeyReused reports an idempotency key sent again with a
// request other than the one it first came with. It unwraps to
// errcode.Conflict.
var ErrIdempotencyKeyReused = errcode.New(errcode.Conflict, "clientele: idempotency key reused for another request")

// ErrUnsupported reports a call that needs a capability the store lacks
// (see storage's Capabilities). It unwraps to errcode.Unsupported.
var ErrUnsupported = errcode.New(errcode.Unsupported, "clientele: the store does not support this")

// errRaced reruns once's transaction: a concurrent request with the same
// key committed first, and the rerun replays it.
var errRaced = errors.New("raced")

// onceOwn is once for a create that opens its own transaction (it does
// not use the Tx it is given; without a key it is given nil): without a
// key, create runs alone, not inside a transaction of once's, whose
// nesting would cost a savepoint and its release.
func (e *env) onceOwn(ctx context.Context, scope string, o callOptions, request any,
	create func(ctx context.Context, tx storage.Tx) (string, error),
	replay func(ctx context.Context, tx storage.Tx, result string) error) error {
	if o.keySet && o.key != "" {
		return e.once(ctx, scope, o, request, create, replay)
	}
	if err := balance.ValidateIdempotencyKey(o.key); err != nil {
		return err
	}
	for range maxCreateAttempts {
		if _, err := create(ctx, nil); !errors.Is(err, errRaced) {
			return err
		}
	}
	return fmt.Errorf("clientele: create raced %d times: %w", maxCreateAttempts, storage.ErrConflict)
}

// once runs a creating request under o's idempotency key, if any: create
// makes the record and returns its ID; replay loads the record of an
// earlier request with that ID. Both run in one transaction with the
// record of the key. Without a key, create runs in a transaction of its
// own. create may return errRaced to run the transaction again (a
// concurrent create won, and the transaction's snapshot may hide it).
func (e *env) once(ctx context.Context, scope string, o callOptions, request any,
	create func(ctx context.Context, tx storage.Tx) (string, error),
	replay func(ctx context.Context, tx storage.Tx, result string) error) error {
	if !o.keySet {
		// Without a key, create still runs in a transaction of its own
		// (or the caller's), so that its events commit with it.
		for range maxCreateAttempts {
			err := e.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
				_, err := create(ctx, tx)
				return err
			})
			if !errors.Is(err, errRaced) {
				return err
			}
		}
		return fmt.Errorf("clientele: create raced %d times: %w", maxCreateAttempts, storage.ErrConflict)
	}
	if err := balance.ValidateIdempotencyKey(o.key); err != nil {
		return err
	}
	if o.key == "" {
		return e.once(ctx, scope, callOptions{}, request, create, replay)
	}
	fp, err := fingerprint(scope, request)
	if err != nil {
		return err
	}
	var lastErr error
	rechecked := false
	for range maxCreateAttempts {
		lastErr = e.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			keeper, ok := tx.(storage.Idempotency)
			if !ok {
				return fmt.Errorf("%w: idempotency keys need the storage.Idempotency capability (%T)", ErrUnsupported, tx)
			}
			records := keeper.IdempotencyRecords()
			rec, err := records.Get(ctx, scope, o.key)
			switch {
			case err == nil:
				if rec.Fingerprint != fp {
					return fmt.Errorf("%w (%s)", ErrIdempotencyKeyReused, scope)
				}
				return replay(ctx, tx, rec.Result)
			case !errors.Is(err, storage.ErrNotFound):
				return err
			}
			result, err := create(ctx, tx)
			if errcode.Of(err) == errcode.Conflict && !rechecked {
				// A concurrent retry of this very request may have
				// committed after this transaction's snapshot was taken
				// (InnoDB's REPEATABLE READ): look for its record once
				// more, in a new transaction, before reporting the
				// conflict.
				rechecked = true
				return errRaced
			}
			if err != nil {
				return err
			}
			_, err = records.Put(ctx, storage.IdempotencyRecord{Scope: scope, Key: o.key, Fingerprint: fp,
				Result: result, CreatedAt: e.clock()})
			if storage.IsConflict(err, storage.ConstraintIdempotencyRecord) {
				return errRaced
			}
			return err
		})
		if !errors.Is(lastErr, errRaced) {
			return lastErr
		}
	}
	return fmt.Errorf("clientele: idempotency key raced %d times: %w", maxCreateAttempts, storage.ErrConflict)
}

// parseResult reads the ID an idempotency record holds.
func parseResult(result string) (uuid.UUID, error) {
	id, err := uuid.Parse(result)
	if err != nil {
		return uuid.Nil, fmt.Errorf("clientele: an idempotency record holds %q, not an ID: %w", result, storage.ErrInvalidRecord)
	}
	return id, nil
}

// fingerprint is the hex SHA-256 of the request's JSON form within its
// scope. Callers pass the normalized entity the request makes, without what
// the service generates (ID, times), so that spellings the domain treats as
// the same value count as the same request.
func fingerprint(scope string, request any) (string, error) {
	b, err := json.Marshal(struct {
		Scope   string `json:"scope"`
		Request any    `json:"request"`
	}{scope, request})
	if err != nil {
		return "", fmt.Errorf("clientele: fingerprint of the %s request: %w", scope, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
