package memory

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/storage"
)

// ConsentRecords returns the consent repository: the store has the
// storage.Consents capability.
func (s *Store) ConsentRecords() storage.ConsentRecords {
	return consentRecords{repos{store: s}}
}

// ConsentRecords returns the consent repository (the storage.Consents
// capability).
func (r repos) ConsentRecords() storage.ConsentRecords { return consentRecords{r} }

var (
	_ storage.Consents = (*Store)(nil)
	_ storage.Consents = repos{}
)

// consentRef locates a record: its customer and Seq.
type consentRef struct {
	customerID uuid.UUID
	seq        int64
}

// consentTables hold each customer's history in Seq order, the indexes
// by record ID and by token hash (pending records), and the customers
// whose history Move closed.
type consentTables struct {
	history map[uuid.UUID][]consent.Record
	byID    map[uuid.UUID]consentRef
	byToken map[credential.TokenHash]consentRef
	closed  map[uuid.UUID]bool
}

func newConsentTables() consentTables {
	return consentTables{
		history: map[uuid.UUID][]consent.Record{},
		byID:    map[uuid.UUID]consentRef{},
		byToken: map[credential.TokenHash]consentRef{},
		closed:  map[uuid.UUID]bool{},
	}
}

type consentRecords struct{ repos }

func (r consentRecords) Append(ctx context.Context, customerID uuid.UUID, fn func(consent.State) ([]consent.Record, error)) (out []consent.Record, err error) {
	if customerID == uuid.Nil {
		return nil, fmt.Errorf("%w: no customer", storage.ErrInvalidRecord)
	}
	err = r.write(ctx, func(t *txn) error {
		c := &t.db.consents
		if c.closed[customerID] {
			return storage.ConsentHistoryClosed(customerID)
		}
		hist := c.history[customerID]
		recs, err := fn(consent.NewState(customerID, slices.Clone(hist)))
		if err != nil {
			return err
		}
		recs, err = storage.CheckConsentRecords(customerID, int64(len(hist)), recs)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			out = []consent.Record{}
			return nil
		}
		for _, rec := range recs {
			if _, ok := c.byID[rec.ID]; ok {
				return fmt.Errorf("consent record %s: %w", rec.ID, storage.Conflict(storage.ConstraintConsentID, nil))
			}
		}
		for _, rec := range recs {
			ref := consentRef{customerID, rec.Seq}
			put(t, c.byID, rec.ID, ref)
			if rec.Status == consent.Pending {
				put(t, c.byToken, rec.TokenHash, ref)
			}
		}
		put(t, c.history, customerID, append(hist[:len(hist):len(hist)], recs...))
		out = slices.Clone(recs)
		return nil
	})
	return out, err
}

// Move re-points from's records to to, numbered after to's, and closes
// from's history; the store's write lock serializes it with every Append.
func (r consentRecords) Move(ctx context.Context, from, to uuid.UUID) (n int, err error) {
	if err := storage.CheckConsentMove(from, to); err != nil {
		return 0, err
	}
	err = r.write(ctx, func(t *txn) error {
		n = 0
		c := &t.db.consents
		if c.closed[to] {
			return storage.ConsentHistoryClosed(to)
		}
		if c.closed[from] {
			return nil
		}
		moving, dest := c.history[from], c.history[to]
		if len(moving) > 0 {
			joined := slices.Grow(slices.Clone(dest), len(moving))
			for _, rec := range moving {
				rec.CustomerID, rec.Seq = to, int64(len(joined)+1)
				ref := consentRef{to, rec.Seq}
				put(t, c.byID, rec.ID, ref)
				if rec.Status == consent.Pending {
					put(t, c.byToken, rec.TokenHash, ref)
				}
				joined = append(joined, rec)
			}
			put(t, c.history, to, joined)
			del(t, c.history, from)
		}
		put(t, c.closed, from, true)
		n = len(moving)
		return nil
	})
	return n, err
}

func (r consentRecords) State(ctx context.Context, customerID uuid.UUID) (out consent.State, err error) {
	err = r.read(ctx, func(d *db) error {
		out = consent.NewState(customerID, d.consents.history[customerID])
		return nil
	})
	return out, err
}

func (r consentRecords) History(ctx context.Context, customerID uuid.UUID, p storage.PageRequest) (out storage.Page[consent.Record], err error) {
	after := int64(0)
	if p.Cursor != "" {
		c, err := storage.ParseCursor(storage.ListConsentHistory, p.Cursor)
		if err != nil {
			return out, err
		}
		if c.Seq < 1 || c.Key != "" {
			return out, fmt.Errorf("%w: not a history position", storage.ErrInvalidCursor)
		}
		after = c.Seq
	}
	err = r.read(ctx, func(d *db) error {
		hist := d.consents.history[customerID]
		rest := hist[min(int(after), len(hist)):] // Seq n is at index n-1
		size := p.Size()
		out = storage.Page[consent.Record]{Items: slices.Clone(rest[:min(size, len(rest))])}
		if out.Items == nil {
			out.Items = []consent.Record{}
		}
		if len(rest) > size {
			out.Next = storage.Cursor{List: storage.ListConsentHistory, Seq: out.Items[size-1].Seq}.String()
		}
		return nil
	})
	return out, err
}

func (r consentRecords) ByToken(ctx context.Context, h credential.TokenHash) (out consent.Record, err error) {
	err = r.read(ctx, func(d *db) error {
		ref, ok := d.consents.byToken[h]
		if !ok || h.IsZero() {
			return fmt.Errorf("consent token: %w", storage.ErrNotFound)
		}
		out = d.consents.history[ref.customerID][ref.seq-1]
		return nil
	})
	return out, err
}

func (r consentRecords) Anonymize(ctx context.Context, customerID uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		n = 0
		hist := slices.Clone(t.db.consents.history[customerID])
		for i, rec := range hist {
			if a := rec.Anonymized(); a != rec {
				hist[i] = a
				n++
			}
		}
		if n > 0 {
			put(t, t.db.consents.history, customerID, hist)
		}
		return nil
	})
	return n, err
}
