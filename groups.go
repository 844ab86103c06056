package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// Groups manages customer groups (segments) and their members. A customer
// belongs to any number of groups; groups drive price lists, discounts and
// access to private markets.
type Groups struct{ *env }

// MaxBatch is the most customers one AddMembers or RemoveMembers call takes:
// storage.MaxIDs, the bound of every ID list a repository takes.
const MaxBatch = storage.MaxIDs

// ErrBatchTooLarge reports a batch of more than MaxBatch items.
var ErrBatchTooLarge = errcode.New(errcode.Invalid, fmt.Sprintf("clientele: a batch holds at most %d items", MaxBatch))

// GroupParams describes a new group; it is group.Params, the domain's
// constructor input (as customer.Params and market.Params are).
type GroupParams = group.Params

// Create creates a group. Errors: group.ErrNameTaken (names are unique
// case-insensitively), *group.ValidationError. It honours IdempotencyKey.
func (s *Groups) Create(ctx context.Context, p GroupParams, opts ...CallOption) (group.Group, error) {
	g, err := group.New(s.newID(), p, s.clock())
	if err != nil {
		return group.Group{}, err
	}
	var out group.Group
	request := g.Clone()
	request.ID, request.CreatedAt, request.UpdatedAt = uuid.Nil, time.Time{}, time.Time{}
	err = s.once(ctx, "group.create", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			out, err = tx.Groups().Create(ctx, g)
			if err != nil {
				return "", mapGroupErr(err)
			}
			return out.ID.String(), s.emitGroup(ctx, tx, event.GroupCreated, nil, out)
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err == nil {
				out, err = tx.Groups().Get(ctx, id)
			}
			return mapGroupErr(err)
		})
	if err != nil {
		return group.Group{}, err
	}
	return out, nil
}

func mapGroupErr(err error) error {
	if err == nil {
		return nil
	}
	err = conflict(err, storage.ConstraintGroupName, group.ErrNameTaken)
	err = conflict(err, storage.ConstraintMarketAccessGroup, group.ErrInUse)
	return notFound(err, group.ErrNotFound)
}

// Get returns the group. Errors: group.ErrNotFound.
func (s *Groups) Get(ctx context.Context, id uuid.UUID) (group.Group, error) {
	g, err := s.store.Groups().Get(ctx, id)
	return g, mapGroupErr(err)
}

// GetByName returns the group no merchant owns whose name equals name
// case-insensitively (vendors' groups have names of their own: see
// Vendors.VendorGroups).
// Errors: group.ErrNotFound; storage.ErrTooLarge (a *storage.LimitError)
// for a name longer than storage.MaxKeyBytes.
func (s *Groups) GetByName(ctx context.Context, name string) (group.Group, error) {
	g, err := s.store.Groups().GetByName(ctx, name)
	return g, mapGroupErr(err)
}

// Rename renames the group. Errors: group.ErrNotFound, group.ErrNameTaken,
// *group.ValidationError.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Groups) Rename(ctx context.Context, id uuid.UUID, name string, opts ...CallOption) (group.Group, error) {
	o := collect(opts)
	return s.update(ctx, id, event.GroupRenamed, func(g *group.Group) error {
		if err := o.checkVersion(g.Version); err != nil {
			return err
		}
		return g.Rename(name, s.clock())
	})
}

// SetDescription replaces the group's description. Errors:
// group.ErrNotFound, *group.ValidationError.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Groups) SetDescription(ctx context.Context, id uuid.UUID, description string, opts ...CallOption) (group.Group, error) {
	o := collect(opts)
	return s.update(ctx, id, event.GroupUpdated, func(g *group.Group) error {
		if err := o.checkVersion(g.Version); err != nil {
			return err
		}
		return g.SetDescription(description, s.clock())
	})
}

// Update applies p to the group with patch semantics (nil fields stay
// unchanged; in Metadata a nil value deletes the key). Errors:
// group.ErrNotFound, group.ErrNameTaken, *group.ValidationError.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Groups) Update(ctx context.Context, id uuid.UUID, p group.Patch, opts ...CallOption) (group.Group, error) {
	o := collect(opts)
	return s.update(ctx, id, event.GroupUpdated, func(g *group.Group) error {
		if err := o.checkVersion(g.Version); err != nil {
			return err
		}
		return g.Apply(p, s.clock())
	})
}

// Delete deletes the group and its memberships. A group that a market
// restricts access to cannot be deleted (remove it from the market first).
// Errors: group.ErrNotFound, group.ErrInUse.
func (s *Groups) Delete(ctx context.Context, id uuid.UUID) error {
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		g, err := tx.Groups().Get(ctx, id)
		if err != nil {
			return mapGroupErr(err)
		}
		if err := tx.Groups().Delete(ctx, id); err != nil {
			return mapGroupErr(err)
		}
		return s.emitGroup(ctx, tx, event.GroupDeleted, nil, g)
	})
}

// update changes the group id with fn in a transaction that appends an
// event of type t about the change.
func (s *Groups) update(ctx context.Context, id uuid.UUID, t event.Type, fn func(*group.Group) error) (group.Group, error) {
	var out group.Group
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var before group.Group
		g, err := tx.Groups().Update(ctx, id, func(g *group.Group) error {
			before = g.Clone()
			return fn(g)
		})
		if err != nil {
			return mapGroupErr(err)
		}
		out = g
		return s.emitGroup(ctx, tx, t, &before, g)
	})
	if err != nil {
		return group.Group{}, err
	}
	return out, nil
}

// emitGroup emits a group event with g as it is now and, when before is
// given, the fields that changed.
func (e *env) emitGroup(ctx context.Context, r storage.Repositories, t event.Type, before *group.Group, g group.Group) error {
	p := event.GroupPayload{Group: g}
	if before != nil {
		p.Changes = diff(*before, g)
	}
	return e.emitOne(ctx, r, t, event.AggregateGroup, g.ID.String(), uuid.Nil, g.Version, p)
}

// List returns a page of groups ordered by (CreatedAt, ID).
func (s *Groups) List(ctx context.Context, p page.Request) (page.Page[group.Group], error) {
	return s.store.Groups().List(ctx, group.Filter{}, p)
}

// MemberOutcome says what a batch membership change did to one customer.
type MemberOutcome int

// The outcomes of AddMembers and RemoveMembers.
const (
	// MemberFailed: nothing changed; MemberResult.Err says why.
	MemberFailed MemberOutcome = iota
	// MemberAdded: the customer joined the group.
	MemberAdded
	// MemberAlreadyMember: the customer was a member already.
	MemberAlreadyMember
	// MemberRemoved: the customer left the group.
	MemberRemoved
	// MemberNotMember: the customer was not a member.
	MemberNotMember
	// MemberValidityChanged: the customer was a member already, and
	// AddMembersFor changed the membership's window.
	MemberValidityChanged
)

// String returns the outcome's name.
func (o MemberOutcome) String() string {
	switch o {
	case MemberAdded:
		return "added"
	case MemberAlreadyMember:
		return "already_member"
	case MemberRemoved:
		return "removed"
	case MemberNotMember:
		return "not_member"
	case MemberValidityChanged:
		return "validity_changed"
	default:
		return "failed"
	}
}

// MemberResult is the outcome of a batch membership change for one customer.
// Its JSON form is {"customer_id": ..., "outcome": "added"}, with "error"
// holding Err's message when Err is set (see MarshalJSON).
type MemberResult struct {
	CustomerID uuid.UUID
	Outcome    MemberOutcome
	// Err is set when Outcome is MemberFailed (customer.ErrNotFound for an
	// unknown or deleted customer).
	Err error
}

// AddMembers adds customers to the group, idempotently: a customer who is a
// member already is reported as MemberAlreadyMember, and a customer listed
// twice is added once. It returns one result per item of customerIDs, in
// the same order (results[i] is about customerIDs[i]), so a customer listed
// twice gets two results: MemberAdded, then MemberAlreadyMember. An
// unknown or deleted customer gets a MemberFailed result whose Err wraps
// customer.ErrNotFound, and the others are still applied. The batch runs in
// one transaction, so the results are consistent with each other and a
// storage failure changes nothing. Errors (for the whole call):
// group.ErrNotFound, ErrBatchTooLarge, or a storage failure.
func (s *Groups) AddMembers(ctx context.Context, groupID uuid.UUID, customerIDs []uuid.UUID) ([]MemberResult, error) {
	return s.batchWith(ctx, groupID, customerIDs, addMember(groupID), nil, false, true)
}

// addMember is the change of AddMembers. It is given the customer's ID
// only (the batch does not read the customer): the adapter's write checks,
// under the lock it writes with, that the customer exists and is live, and
// only a refusal reads the customer, to tell an unknown customer from a
// deleted one.
func addMember(groupID uuid.UUID) memberChange {
	return func(ctx context.Context, tx storage.Tx, c customer.Customer) (MemberOutcome, error) {
		added, err := tx.Groups().AddMember(ctx, groupID, c.ID)
		return addOutcome(ctx, tx, c.ID, added, err)
	}
}

// addMemberVersion is addMember through storage.MemberVersions, setting
// *version to the group's version (a missing group aborts the batch).
func addMemberVersion(groupID uuid.UUID, mv storage.MemberVersions, version *int64) memberChange {
	return func(ctx context.Context, tx storage.Tx, c customer.Customer) (MemberOutcome, error) {
		added, v, err := mv.AddMemberVersion(ctx, groupID, c.ID)
		*version = v
		return addOutcome(ctx, tx, c.ID, added, err)
	}
}

// addOutcome is the outcome of an adapter's add of customer id: a refused
// customer is read (notLive); any other error aborts the batch.
func addOutcome(ctx context.Context, tx storage.Tx, id uuid.UUID, added bool, err error) (MemberOutcome, error) {
	switch {
	case errors.Is(err, storage.ErrCustomerNotLive):
		return notLive(ctx, tx, id, err)
	case added:
		return MemberAdded, err
	}
	return MemberAlreadyMember, err
}

// unknownCustomer is the per-item error of a customer that does not exist.
func unknownCustomer(id uuid.UUID) error {
	return fmt.Errorf("customer %s: %w", id, customer.ErrNotFound)
}

// notLive is the outcome of a membership write that the adapter refused
// with err, wrapping storage.ErrCustomerNotLive: MemberFailed with an
// error wrapping customer.ErrNotFound, for a customer that does not exist
// as for one deleted (or erased) since the request. A failed read of the
// customer aborts the batch (an outcome other than MemberFailed).
func notLive(ctx context.Context, tx storage.Tx, id uuid.UUID, err error) (MemberOutcome, error) {
	c, rerr := tx.Customers().Get(ctx, id)
	switch {
	case errors.Is(rerr, storage.ErrNotFound):
		return MemberFailed, unknownCustomer(id)
	case rerr != nil:
		return MemberNotMember, rerr
	case c.IsDeleted():
		return MemberFailed, deletedErr(id)
	}
	return MemberFailed, customerGone(err)
}

// RemoveMembers removes customers from the group, idempotently (a
// non-member is reported as MemberNotMember), with one result per item of
// customerIDs, in the same order (a customer listed twice: MemberRemoved,
// then MemberNotMember).
// A deleted customer can still be removed; an unknown one gets a
// MemberFailed result wrapping customer.ErrNotFound. Errors: those of
// AddMembers.
func (s *Groups) RemoveMembers(ctx context.Context, groupID uuid.UUID, customerIDs []uuid.UUID) ([]MemberResult, error) {
	return s.batchWith(ctx, groupID, customerIDs, removeMember(groupID), nil, false, false)
}

// removeMember is the change of RemoveMembers. It is given the customer's
// ID only: a membership that was there is removed whoever the customer is
// (deleted included), and only a customer without one is read, to tell
// an unknown customer (a failure) from a non-member.
func removeMember(groupID uuid.UUID) memberChange {
	return func(ctx context.Context, tx storage.Tx, c customer.Customer) (MemberOutcome, error) {
		removed, err := tx.Groups().RemoveMember(ctx, groupID, c.ID)
		switch {
		case err != nil:
			return MemberNotMember, err // aborts the batch
		case removed:
			return MemberRemoved, nil
		}
		_, err = tx.Customers().Get(ctx, c.ID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return MemberFailed, unknownCustomer(c.ID)
		case err != nil:
			return MemberNotMember, err
		}
		return MemberNotMember, nil
	}
}

// memberChange changes one membership inside the batch's transaction. A
// returned MemberFailed outcome with an error is a per-item failure; any
// other error aborts the batch.
type memberChange func(ctx context.Context, tx storage.Tx, c customer.Customer) (MemberOutcome, error)

func (s *Groups) batch(ctx context.Context, groupID uuid.UUID, ids []uuid.UUID, change memberChange) ([]MemberResult, error) {
	return s.batchWith(ctx, groupID, ids, change, nil, true, false)
}

// batchWith is batch with detail, unless nil, completing each event's
// payload (the membership's window). With read false the customers are not
// read first: change is given a customer.Customer with only the ID set,
// and reports an unknown or deleted customer itself. adds says change is
// addMember's: where the store has storage.MemberVersions, the batch then
// adds through it and takes the group's version from it, instead of
// reading the group first.
func (s *Groups) batchWith(ctx context.Context, groupID uuid.UUID, ids []uuid.UUID, change memberChange, detail func(*event.MemberPayload), read, adds bool) ([]MemberResult, error) {
	if len(ids) > MaxBatch {
		return nil, ErrBatchTooLarge
	}
	var results []MemberResult
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		// The events carry the group's version. A store with
		// MemberVersions returns it with each membership it adds, which
		// also tells a missing group; others read the group first.
		var g group.Group
		if mv, ok := tx.Groups().(storage.MemberVersions); ok && adds && !read && len(ids) > 0 {
			change = addMemberVersion(groupID, mv, &g.Version)
		} else {
			var err error
			if g, err = tx.Groups().Get(ctx, groupID); err != nil {
				return mapGroupErr(err)
			}
		}
		results = make([]MemberResult, len(ids)) // fresh on every (re)run
		var evs []event.Event
		for i, id := range ids {
			results[i].CustomerID = id
			c := customer.Customer{ID: id}
			if read {
				var err error
				c, err = tx.Customers().Get(ctx, id)
				if errors.Is(err, storage.ErrNotFound) {
					results[i].Err = unknownCustomer(id)
					continue
				}
				if err != nil {
					return err
				}
			}
			outcome, err := change(ctx, tx, c)
			switch {
			case err == nil:
				results[i].Outcome = outcome
				if t, ok := memberEvents[outcome]; ok {
					p := event.MemberPayload{GroupID: groupID, CustomerID: id}
					if detail != nil {
						detail(&p)
					}
					ev, err := newEvent(t, event.AggregateGroup, groupID.String(), id, g.Version, p)
					if err != nil {
						return err
					}
					evs = append(evs, ev)
				}
			case outcome == MemberFailed:
				results[i].Err = err
			default:
				// The group and the customer were read in this transaction;
				// a failure now is a storage failure or a concurrent delete
				// of the group.
				return mapGroupErr(err)
			}
		}
		return s.emit(ctx, tx, evs...)
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// memberEvents are the events of the membership outcomes that change
// something.
var memberEvents = map[MemberOutcome]event.Type{MemberAdded: event.GroupMemberAdded, MemberRemoved: event.GroupMemberRemoved,
	MemberValidityChanged: event.GroupMemberValidityChanged}

// Members returns a page of the group's live members ordered by
// (CreatedAt, ID): those whose membership's window contains the service
// clock's now (see AddMembersFor). Errors: group.ErrNotFound.
func (s *Groups) Members(ctx context.Context, groupID uuid.UUID, p page.Request) (page.Page[customer.Customer], error) {
	if _, err := s.Get(ctx, groupID); err != nil {
		return page.Page[customer.Customer]{}, err
	}
	return s.store.Customers().List(ctx, customer.Filter{GroupID: groupID, GroupAt: s.clock()}, p)
}

// GroupsOf returns a page of the groups the customer belongs to now (by
// the service clock: an expired or not yet valid membership is left out),
// ordered by the groups' (CreatedAt, ID). Errors: customer.ErrNotFound.
func (s *Groups) GroupsOf(ctx context.Context, customerID uuid.UUID, p page.Request) (page.Page[group.Group], error) {
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return page.Page[group.Group]{}, err
	}
	return s.store.Groups().List(ctx, group.Filter{MemberID: customerID, MemberAt: s.clock()}, p)
}
