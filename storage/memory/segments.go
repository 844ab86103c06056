package memory

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

// SegmentRecords returns the segment repository: the store has the
// storage.Segments capability.
func (s *Store) SegmentRecords() storage.SegmentRecords { return segmentRecords{repos{store: s}} }

// SegmentRecords returns the segment repository (the storage.Segments
// capability).
func (r repos) SegmentRecords() storage.SegmentRecords { return segmentRecords{r} }

// SegmentEvaluator returns the segment evaluator: the store has the
// storage.SegmentEvaluation capability; it evaluates segment.Matches while
// walking the customers' (CreatedAt, ID) index.
func (s *Store) SegmentEvaluator() storage.SegmentEvaluator { return segmentEval{repos{store: s}} }

// SegmentEvaluator returns the transaction's segment evaluator (the
// storage.SegmentEvaluation capability).
func (r repos) SegmentEvaluator() storage.SegmentEvaluator { return segmentEval{r} }

var (
	_ storage.Segments          = (*Store)(nil)
	_ storage.Segments          = repos{}
	_ storage.SegmentEvaluation = (*Store)(nil)
	_ storage.SegmentEvaluation = repos{}
)

type segmentRecords struct{ repos }

func (r segmentRecords) Create(ctx context.Context, s segment.Segment) (segment.Segment, error) {
	s, err := storage.NewSegment(s)
	if err != nil {
		return segment.Segment{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.segments[s.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		put(t, d.segments, s.ID, s.Clone())
		insert(t, d.segmentOrder, timeKey{s.CreatedAt, s.ID})
		return nil
	})
	if err != nil {
		return segment.Segment{}, err
	}
	return s.Clone(), nil
}

func (r segmentRecords) Get(ctx context.Context, id uuid.UUID) (out segment.Segment, err error) {
	err = r.read(ctx, func(d *db) error {
		s, ok := d.segments[id]
		if !ok {
			return notFound("segment", id)
		}
		out = s.Clone()
		return nil
	})
	return out, err
}

func (r segmentRecords) Update(ctx context.Context, id uuid.UUID, fn func(*segment.Segment) error) (out segment.Segment, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.segments[id]
		if !ok {
			return notFound("segment", id)
		}
		s, err := storage.UpdateSegment(old, fn)
		if err != nil {
			return err
		}
		put(t, d.segments, id, s.Clone())
		out = s
		return nil
	})
	if err != nil {
		return segment.Segment{}, err
	}
	return out.Clone(), nil
}

func (r segmentRecords) Delete(ctx context.Context, id uuid.UUID) error {
	return r.write(ctx, func(t *txn) error {
		d := t.db
		s, ok := d.segments[id]
		if !ok {
			return notFound("segment", id)
		}
		del(t, d.segments, id)
		del(t, d.segmentRefs, id)
		remove(t, d.segmentOrder, timeKey{s.CreatedAt, id})
		return nil
	})
}

func (r segmentRecords) List(ctx context.Context, p storage.PageRequest) (out storage.Page[segment.Segment], err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = pageAfter(d.segmentOrder, lessTimeKey, storage.ListSegments, p, timeFrom, timeCursor,
			every(func(k timeKey) segment.Segment { return d.segments[k.id].Clone() }))
		return err
	})
	return out, err
}

type segmentEval struct{ repos }

// facts gathers what a rule may test about the customer c, its timed
// memberships judged at at (a zero at ignores their windows).
func (d *db) facts(c customer.Customer, at time.Time) segment.Facts {
	f := segment.Facts{Customer: c}
	if tree := d.memberOf[c.ID]; tree != nil {
		tree.Ascend(func(k timeKey) bool {
			if !at.IsZero() && !d.windows[groupMember{k.id, c.ID}].Contains(at) {
				return true
			}
			f.Groups = append(f.Groups, k.id)
			return true
		})
	}
	if b, ok := d.books[c.ID]; ok {
		if e, ok := b.Default(address.Shipping); ok {
			f.ShippingCountry = e.Country
		}
		if e, ok := b.Default(address.Billing); ok {
			f.BillingCountry = e.Country
		}
	}
	for code := range d.statsOf[c.ID] {
		if s, ok := d.stats[accountKey{c.ID, code}]; ok {
			f.Stats = append(f.Stats, s)
		}
	}
	return f
}

// matches reports whether the customer with key k is live and r matches it.
func (d *db) matches(r segment.Rule, id uuid.UUID, at time.Time) (customer.Customer, bool) {
	rec, ok := d.customers.rec(id)
	if !ok {
		return customer.Customer{}, false
	}
	return d.matchesRec(r, rec, at)
}

// matchesRec reports whether the customer rec holds is live and r matches
// it, and returns the customer.
func (d *db) matchesRec(r segment.Rule, rec *crec, at time.Time) (customer.Customer, bool) {
	if !rec.live() {
		return customer.Customer{}, false
	}
	c := rec.customer()
	return c, segment.Matches(r, d.facts(c, at))
}

func (r segmentEval) Members(ctx context.Context, rule segment.Rule, at time.Time, p storage.PageRequest) (out storage.Page[customer.Customer], err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = pageAfter(d.customerOrder, lessCustKey, storage.ListSegmentMembers, p, custFrom, custCursor,
			func(k custKey, dst *customer.Customer) bool {
				c, ok := d.matchesRec(rule, d.customers.at(k.idx), at)
				if ok && dst != nil {
					*dst = c
				}
				return ok
			})
		return err
	})
	return out, err
}

func (r segmentEval) Count(ctx context.Context, rule segment.Rule, at time.Time) (n int64, err error) {
	err = r.read(ctx, func(d *db) error {
		n = 0
		for i := range uint32(d.customers.len()) {
			if _, ok := d.matchesRec(rule, d.customers.at(i), at); ok {
				n++
			}
		}
		return nil
	})
	return n, err
}

func (r segmentEval) Matches(ctx context.Context, rule segment.Rule, customerID uuid.UUID, at time.Time) (ok bool, err error) {
	err = r.read(ctx, func(d *db) error {
		_, ok = d.matches(rule, customerID, at)
		return nil
	})
	return ok, err
}
