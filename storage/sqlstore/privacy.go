package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
)

// Privacy (storage.Privacy, schema version 15): ScrubEvents reads a
// customer's events by the events_customer index with a locking read and
// rewrites each changed payload by its pos; the erasure records live in
// erasures, one row per customer (its primary key), inserted with
// InsertOrNothing so that a second record is a conflict learnt from the
// row count, never a failing statement.

type privacyRecords struct{ base }

// PrivacyRecords returns the privacy repository: the store has the
// storage.Privacy capability (schema version 15).
func (s *Store) PrivacyRecords() storage.PrivacyRecords { return privacyRecords{base{s: s}} }

// PrivacyRecords returns the transaction's privacy repository.
func (r repos) PrivacyRecords() storage.PrivacyRecords { return privacyRecords{base{fixed: &r.c}} }

var (
	_ storage.Privacy = (*Store)(nil)
	_ storage.Privacy = repos{}
)

const (
	erasureColumns = `customer_id, erased_at, actor_kind, actor_id, reason, merged`
	insertErasure  = `INSERT INTO {{prefix}}erasures (` + erasureColumns + `) VALUES (?, ?, ?, ?, ?, ?)`
)

func (r privacyRecords) ScrubEvents(ctx context.Context, customerIDs []uuid.UUID, scrub func(json.RawMessage) (json.RawMessage, bool)) (int, error) {
	n := 0
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		n = 0
		for _, id := range customerIDs {
			rows, err := cn.query(ctx, `SELECT pos, payload FROM {{prefix}}events WHERE customer_id = ? ORDER BY pos`+
				cn.s.dialect.ForUpdate(), id.String())
			if err != nil {
				return err
			}
			type stored struct {
				pos     int64
				payload []byte
			}
			evs, err := collect(rows, 0, func(r scanner) (stored, error) {
				var s stored
				err := r.Scan(&s.pos, &s.payload)
				return s, err
			})
			if err != nil {
				return err
			}
			for _, e := range evs {
				out, changed := scrub(slices.Clone(e.payload))
				if !changed {
					continue
				}
				if _, err := cn.exec(ctx, `UPDATE {{prefix}}events SET payload = ? WHERE pos = ?`, string(out), e.pos); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

func (r privacyRecords) MergedInto(ctx context.Context, survivorID uuid.UUID) ([]uuid.UUID, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() ([]uuid.UUID, error) {
		rows, err := cn.query(ctx, `SELECT merged_id FROM {{prefix}}customer_tombstones WHERE survivor_id = ?`, survivorID.String())
		if err != nil {
			return nil, err
		}
		ids, err := collect(rows, 0, func(r scanner) (uuid.UUID, error) {
			var id uuid.UUID
			err := r.Scan(scanUUID{&id})
			return id, err
		})
		if err != nil {
			return nil, err
		}
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		return ids, nil
	})
}

func (r privacyRecords) RecordErasure(ctx context.Context, e privacy.Erasure) error {
	e, err := storage.StoredErasure(e)
	if err != nil {
		return err
	}
	merged, err := jsonText(orEmpty(e.Merged))
	if err != nil {
		return err
	}
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertErasure), e.CustomerID.String(), micros(e.At),
			string(e.Actor.Kind), e.Actor.ID, e.Reason, merged)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("erasure of customer %s: %w", e.CustomerID, storage.Conflict(storage.ConstraintErasure, nil))
		}
		return nil
	})
}

func orEmpty(ids []uuid.UUID) []uuid.UUID {
	if ids == nil {
		return []uuid.UUID{}
	}
	return ids
}

func (r privacyRecords) Erasure(ctx context.Context, customerID uuid.UUID) (privacy.Erasure, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (privacy.Erasure, error) {
		var (
			e            privacy.Erasure
			at           int64
			kind, merged string
		)
		err := cn.queryRow(ctx, `SELECT `+erasureColumns+` FROM {{prefix}}erasures WHERE customer_id = ?`+cn.lock(),
			customerID.String()).Scan(scanUUID{&e.CustomerID}, &at, &kind, &e.Actor.ID, &e.Reason, &merged)
		if errors.Is(err, sql.ErrNoRows) {
			return e, fmt.Errorf("erasure of customer %s: %w", customerID, storage.ErrNotFound)
		}
		if err != nil {
			return e, err
		}
		e.At, e.Actor.Kind = fromMicros(at), actor.Kind(kind)
		if err := json.Unmarshal([]byte(merged), &e.Merged); err != nil {
			return e, fmt.Errorf("sqlstore: erasure of customer %s: merged: %w", customerID, err)
		}
		if len(e.Merged) == 0 {
			e.Merged = nil
		}
		return e, nil
	})
}
