package memory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
)

// PrivacyRecords returns the privacy repository: the store has the
// storage.Privacy capability.
func (s *Store) PrivacyRecords() storage.PrivacyRecords { return privacyRecords{repos{store: s}} }

// PrivacyRecords returns the privacy repository (the storage.Privacy
// capability).
func (r repos) PrivacyRecords() storage.PrivacyRecords { return privacyRecords{r} }

var (
	_ storage.Privacy = (*Store)(nil)
	_ storage.Privacy = repos{}
)

type privacyRecords struct{ repos }

func (r privacyRecords) ScrubEvents(ctx context.Context, customerIDs []uuid.UUID, scrub func(json.RawMessage) (json.RawMessage, bool)) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		for _, id := range customerIDs {
			tree := d.eventsByCustomer[id]
			if tree == nil {
				continue
			}
			var changed []event.Event
			tree.Ascend(func(seq int64) bool {
				e, ok := d.events.Get(event.Event{Sequence: seq})
				if !ok {
					return true
				}
				if out, c := scrub(bytes.Clone(e.Payload)); c {
					e.Payload = bytes.Clone(out)
					changed = append(changed, e)
				}
				return true
			})
			for _, e := range changed {
				insert(t, d.events, e)
			}
			n += len(changed)
		}
		return nil
	})
	return n, err
}

func (r privacyRecords) MergedInto(ctx context.Context, survivorID uuid.UUID) (out []uuid.UUID, err error) {
	err = r.read(ctx, func(d *db) error {
		out = []uuid.UUID{}
		for id, t := range d.tombstones {
			if t.SurvivorID == survivorID {
				out = append(out, id)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out, err
}

func (r privacyRecords) RecordErasure(ctx context.Context, e privacy.Erasure) error {
	e, err := storage.StoredErasure(e)
	if err != nil {
		return err
	}
	return r.write(ctx, func(t *txn) error {
		if _, ok := t.db.erasures[e.CustomerID]; ok {
			return fmt.Errorf("erasure of customer %s: %w", e.CustomerID, storage.Conflict(storage.ConstraintErasure, nil))
		}
		put(t, t.db.erasures, e.CustomerID, e)
		return nil
	})
}

func (r privacyRecords) Erasure(ctx context.Context, customerID uuid.UUID) (out privacy.Erasure, err error) {
	err = r.read(ctx, func(d *db) error {
		e, ok := d.erasures[customerID]
		if !ok {
			return fmt.Errorf("erasure of customer %s: %w", customerID, storage.ErrNotFound)
		}
		out = e
		out.Merged = slices.Clone(e.Merged)
		return nil
	})
	return out, err
}
