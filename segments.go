package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
)

// Segments manages saved, rule-based audiences (package segment): a
// segment's members are the live customers its rule matches at the moment
// they are asked for, evaluated by the store — in SQL, with the rule
// translated to a WHERE clause over the customers' (created_at, id) index,
// never by loading customers; in memory, with segment.Matches.
//
// Definitions need the storage.Segments capability (every adapter of this
// module has it); on another store every call returns ErrUnsupported.
// Members, Count and Freeze need storage.SegmentEvaluation as well; without
// it they return ErrUnsupported, and InSegment evaluates segment.Matches on
// the one customer's facts, read through the store's repositories.
type Segments struct{ *env }

// SegmentParams describes a new segment.
type SegmentParams = segment.Params

func segmentsOf(r any) (storage.SegmentRecords, error) {
	s, ok := r.(storage.Segments)
	if !ok {
		return nil, fmt.Errorf("%w: segments need the storage.Segments capability (%T)", ErrUnsupported, r)
	}
	return s.SegmentRecords(), nil
}

func evaluatorOf(r any) (storage.SegmentEvaluator, error) {
	s, ok := r.(storage.SegmentEvaluation)
	if !ok {
		return nil, fmt.Errorf("%w: segment members need the storage.SegmentEvaluation capability (%T)", ErrUnsupported, r)
	}
	return s.SegmentEvaluator(), nil
}

func mapSegmentErr(err error) error { return notFound(err, segment.ErrNotFound) }

func (e *env) emitSegment(ctx context.Context, r storage.Repositories, t event.Type, p event.SegmentPayload) error {
	return e.emitOne(ctx, r, t, event.AggregateSegment, p.Segment.ID.String(), uuid.Nil, p.Segment.Version, p)
}

// Create validates and stores a new segment (Version 1) and emits
// segment.created. It honours IdempotencyKey: a retry with the key returns
// the segment the first call created (as it is now). Errors:
// *segment.ValidationError, ErrIdempotencyKeyReused, ErrUnsupported.
func (s *Segments) Create(ctx context.Context, p SegmentParams, opts ...CallOption) (segment.Segment, error) {
	if _, err := segmentsOf(s.store); err != nil {
		return segment.Segment{}, err
	}
	sg, err := segment.New(s.newID(), p, s.clock())
	if err != nil {
		return segment.Segment{}, err
	}
	request := segment.Params{Name: sg.Name, Description: sg.Description, Rule: sg.Rule}
	var out segment.Segment
	err = s.once(ctx, "segment.create", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			repo, err := segmentsOf(tx)
			if err != nil {
				return "", err
			}
			out, err = repo.Create(ctx, sg)
			if err != nil {
				return "", err
			}
			return out.ID.String(), s.emitSegment(ctx, tx, event.SegmentCreated, event.SegmentPayload{Segment: out})
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			repo, err := segmentsOf(tx)
			if err != nil {
				return err
			}
			id, err := parseResult(result)
			if err == nil {
				out, err = repo.Get(ctx, id)
			}
			return mapSegmentErr(err)
		})
	if err != nil {
		return segment.Segment{}, err
	}
	return out, nil
}

// Get returns the segment. Errors: segment.ErrNotFound, ErrUnsupported.
func (s *Segments) Get(ctx context.Context, id uuid.UUID) (segment.Segment, error) {
	repo, err := segmentsOf(s.store)
	if err != nil {
		return segment.Segment{}, err
	}
	sg, err := repo.Get(ctx, id)
	return sg, mapSegmentErr(err)
}

// Update replaces the segment's name, description and rule (validated and
// normalized), bumps its Version and emits segment.updated with the
// changes. Errors: segment.ErrNotFound, *segment.ValidationError,
// ErrUnsupported.
func (s *Segments) Update(ctx context.Context, id uuid.UUID, p SegmentParams) (segment.Segment, error) {
	if _, err := segmentsOf(s.store); err != nil {
		return segment.Segment{}, err
	}
	now := s.clock()
	var out segment.Segment
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := segmentsOf(tx)
		if err != nil {
			return err
		}
		var before segment.Segment
		out, err = repo.Update(ctx, id, func(sg *segment.Segment) error {
			before = sg.Clone()
			if err := sg.SetRule(p.Rule, now); err != nil {
				return err
			}
			return sg.Rename(p.Name, p.Description, now)
		})
		if err != nil {
			return mapSegmentErr(err)
		}
		return s.emitSegment(ctx, tx, event.SegmentUpdated, event.SegmentPayload{Segment: out, Changes: diff(before, out)})
	})
	return out, err
}

// Delete removes the segment and emits segment.deleted. Groups frozen from
// it stay. Errors: segment.ErrNotFound, ErrUnsupported.
func (s *Segments) Delete(ctx context.Context, id uuid.UUID) error {
	if _, err := segmentsOf(s.store); err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := segmentsOf(tx)
		if err != nil {
			return err
		}
		sg, err := repo.Get(ctx, id)
		if err != nil {
			return mapSegmentErr(err)
		}
		if err := repo.Delete(ctx, id); err != nil {
			return mapSegmentErr(err)
		}
		return s.emitSegment(ctx, tx, event.SegmentDeleted, event.SegmentPayload{Segment: sg})
	})
}

// List returns a page of segments ordered by (CreatedAt, ID).
func (s *Segments) List(ctx context.Context, p page.Request) (page.Page[segment.Segment], error) {
	repo, err := segmentsOf(s.store)
	if err != nil {
		return page.Page[segment.Segment]{}, err
	}
	return repo.List(ctx, p)
}

// Members returns a page of the segment's members: the live customers its
// rule matches now, ordered by (CreatedAt, ID) like Customers.List, one
// keyset page at a time. Errors: segment.ErrNotFound, page.ErrInvalidCursor,
// ErrUnsupported.
func (s *Segments) Members(ctx context.Context, id uuid.UUID, p page.Request) (page.Page[customer.Customer], error) {
	sg, err := s.Get(ctx, id)
	if err != nil {
		return page.Page[customer.Customer]{}, err
	}
	ev, err := evaluatorOf(s.store)
	if err != nil {
		return page.Page[customer.Customer]{}, err
	}
	return ev.Members(ctx, sg.Rule, s.clock(), p)
}

// Count returns how many live customers the segment's rule matches now.
// Errors: segment.ErrNotFound, ErrUnsupported.
func (s *Segments) Count(ctx context.Context, id uuid.UUID) (int64, error) {
	sg, err := s.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	ev, err := evaluatorOf(s.store)
	if err != nil {
		return 0, err
	}
	return ev.Count(ctx, sg.Rule, s.clock())
}

// InSegment reports whether the customer is live and in the segment now
// (false for a deleted or unknown customer). On a store without
// storage.SegmentEvaluation it reads the customer's facts and evaluates
// segment.Matches. Errors: segment.ErrNotFound, ErrUnsupported.
func (s *Segments) InSegment(ctx context.Context, segmentID, customerID uuid.UUID) (bool, error) {
	sg, err := s.Get(ctx, segmentID)
	if err != nil {
		return false, err
	}
	if ev, err := evaluatorOf(s.store); err == nil {
		return ev.Matches(ctx, sg.Rule, customerID, s.clock())
	}
	f, ok, err := factsOf(ctx, s.store, sg.Rule, customerID, s.clock())
	if err != nil || !ok {
		return false, err
	}
	return segment.Matches(sg.Rule, f), nil
}

// factsOf reads what r may test about the customer through the store's
// repositories (of the groups, only those r names, whose membership counts
// at now); ok is false for an unknown customer.
func factsOf(ctx context.Context, st storage.Store, r segment.Rule, id uuid.UUID, now time.Time) (segment.Facts, bool, error) {
	c, err := st.Customers().Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return segment.Facts{}, false, nil
	} else if err != nil {
		return segment.Facts{}, false, err
	}
	f := segment.Facts{Customer: c}
	var groups []uuid.UUID
	r.Walk(func(n segment.Rule) {
		if n.Condition != nil && n.Condition.Field == segment.FieldGroup {
			if g, err := uuid.Parse(n.Condition.Value); err == nil {
				groups = append(groups, g)
			}
		}
	})
	if len(groups) > 0 {
		if f.Groups, err = memberOfNow(ctx, st, now, id, groups); err != nil {
			return f, false, err
		}
	}
	book, err := st.Addresses().Book(ctx, id)
	if err != nil {
		return f, false, err
	}
	if d, ok := book.Default(address.Shipping); ok {
		f.ShippingCountry = d.Country
	}
	if d, ok := book.Default(address.Billing); ok {
		f.BillingCountry = d.Country
	}
	if oh, ok := st.(storage.OrderHistory); ok {
		if f.Stats, err = oh.OrderDetails().Stats(ctx, id); err != nil {
			return f, false, err
		}
	}
	return f, true, nil
}

// Freeze copies the segment's members at this moment into a new group
// named groupName, in one transaction: the group is created
// (group.created), the members are read page by page from the
// transaction's evaluator and added (group.member_added each), and
// segment.frozen records the group and the count. Later changes of the
// segment do not change the group. Errors: segment.ErrNotFound,
// group.ErrNameTaken, *group.ValidationError, ErrUnsupported.
func (s *Segments) Freeze(ctx context.Context, segmentID uuid.UUID, groupName string) (group.Group, error) {
	if _, err := evaluatorOf(s.store); err != nil {
		return group.Group{}, err
	}
	at := s.clock()
	g, err := group.New(s.newID(), group.Params{Name: groupName}, at)
	if err != nil {
		return group.Group{}, err
	}
	var out group.Group
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := segmentsOf(tx)
		if err != nil {
			return err
		}
		ev, err := evaluatorOf(tx)
		if err != nil {
			return err
		}
		sg, err := repo.Get(ctx, segmentID)
		if err != nil {
			return mapSegmentErr(err)
		}
		if g.Description == "" {
			g.Description = "Frozen from segment " + sg.Name
			if len(g.Description) > group.MaxDescriptionLength {
				g.Description = ""
			}
		}
		out, err = tx.Groups().Create(ctx, g)
		if err != nil {
			return mapGroupErr(err)
		}
		if err := s.emitGroup(ctx, tx, event.GroupCreated, nil, out); err != nil {
			return err
		}
		var n int64
		for p := (page.Request{Limit: MaxBatch}); ; {
			members, err := ev.Members(ctx, sg.Rule, at, p)
			if err != nil {
				return err
			}
			evs := make([]event.Event, 0, len(members.Items))
			for _, c := range members.Items {
				added, err := tx.Groups().AddMember(ctx, out.ID, c.ID)
				if err != nil {
					return mapGroupErr(err)
				}
				if !added {
					continue
				}
				n++
				e, err := newEvent(event.GroupMemberAdded, event.AggregateGroup, out.ID.String(), c.ID, out.Version,
					event.MemberPayload{GroupID: out.ID, CustomerID: c.ID})
				if err != nil {
					return err
				}
				evs = append(evs, e)
			}
			if err := s.emit(ctx, tx, evs...); err != nil {
				return err
			}
			if members.Next == "" {
				break
			}
			p.Cursor = members.Next
		}
		return s.emitSegment(ctx, tx, event.SegmentFrozen, event.SegmentPayload{Segment: sg, GroupID: out.ID, Members: n})
	})
	if err != nil {
		return group.Group{}, err
	}
	return out, nil
}
