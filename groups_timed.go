package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

// Timed memberships: a membership may count only in a window,
// group.Validity [From, Until), judged by the service clock (WithClock),
// never the database's. Outside its window a membership grants no market
// access and is neither listed (Groups.Members, Groups.GroupsOf,
// Customers.List by group) nor counted, yet it is kept, so nothing has to
// run when a season's VIPs expire. They need the storage.TimedMemberships
// capability of the store's Groups repository (both adapters of this
// module have it); on another store AddMembersFor, SetMemberValidity and
// Membership return ErrUnsupported, and every membership has no window.

// timedOf returns the timed-membership repository of r, or ErrUnsupported.
func timedOf(r storage.Repositories) (storage.TimedMemberships, error) {
	t, ok := r.Groups().(storage.TimedMemberships)
	if !ok {
		return nil, fmt.Errorf("%w: timed memberships need the storage.TimedMemberships capability (%T)", ErrUnsupported, r.Groups())
	}
	return t, nil
}

// memberOfNow returns the IDs among groupIDs whose membership counts for
// the customer at now: with the store's windows when it keeps them.
func memberOfNow(ctx context.Context, r storage.Repositories, now time.Time, customerID uuid.UUID, groupIDs []uuid.UUID) ([]uuid.UUID, error) {
	if t, ok := r.Groups().(storage.TimedMemberships); ok {
		return t.MemberOfAt(ctx, customerID, groupIDs, now)
	}
	return r.Groups().MemberOf(ctx, customerID, groupIDs)
}

// AddMembersFor adds customers to the group for the window v (half-open:
// [v.From, v.Until); a zero From is since always, a zero Until forever),
// as AddMembers does, with one result per item of customerIDs. A customer
// who is a member already gets the window v: MemberValidityChanged when it
// differs from the membership's window (a group.member_validity_changed
// event), MemberAlreadyMember when it is the same. A new member is
// MemberAdded (group.member_added, whose payload carries the window).
// The window's times are stored in UTC at microsecond precision.
// AddMembers, by contrast, leaves an existing member's window as it is.
// Errors: *group.ValidationError (field valid_from or valid_until) for an
// invalid window (Until not after From); ErrUnsupported without
// storage.TimedMemberships; those of AddMembers.
func (s *Groups) AddMembersFor(ctx context.Context, groupID uuid.UUID, customerIDs []uuid.UUID, v group.Validity) ([]MemberResult, error) {
	if err := v.Validate(); err != nil {
		return nil, err
	}
	v = v.Normalize()
	if _, err := timedOf(s.store); err != nil {
		return nil, err
	}
	// The windows the changed memberships had, for their events; an entry
	// is written or deleted on every (re)run of the batch.
	before := map[uuid.UUID]group.Validity{}
	change := func(ctx context.Context, tx storage.Tx, c customer.Customer) (MemberOutcome, error) {
		delete(before, c.ID)
		if c.IsDeleted() {
			return MemberFailed, deletedErr(c.ID)
		}
		repo, err := timedOf(tx)
		if err != nil {
			return MemberNotMember, err // aborts the batch
		}
		added, old, err := repo.AddMemberFor(ctx, groupID, c.ID, v)
		switch {
		case errors.Is(err, storage.ErrCustomerNotLive):
			return MemberFailed, customerGone(err)
		case err != nil:
			return MemberAlreadyMember, err
		case added:
			return MemberAdded, nil
		case old.Equal(v):
			return MemberAlreadyMember, nil
		}
		before[c.ID] = old
		return MemberValidityChanged, nil
	}
	return s.batchWith(ctx, groupID, customerIDs, change, func(p *event.MemberPayload) {
		p.Validity = v
		if old, ok := before[p.CustomerID]; ok {
			p.Before = &old
		}
	}, true, false)
}

// SetMemberValidity changes the window of the customer's membership of the
// group to v and returns the membership; a change emits
// group.member_validity_changed (setting the same window changes nothing
// and emits nothing). The zero Validity makes the membership count
// always. Errors: group.ErrNotFound; group.ErrNotMember when the customer
// is not a member (an expired membership is one until it is removed);
// *group.ValidationError for an invalid window; ErrUnsupported without
// storage.TimedMemberships.
func (s *Groups) SetMemberValidity(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (group.Membership, error) {
	if err := v.Validate(); err != nil {
		return group.Membership{}, err
	}
	v = v.Normalize()
	out := group.Membership{GroupID: groupID, CustomerID: customerID, Validity: v}
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := timedOf(tx)
		if err != nil {
			return err
		}
		g, err := tx.Groups().Get(ctx, groupID)
		if err != nil {
			return mapGroupErr(err)
		}
		old, err := repo.SetMemberValidity(ctx, groupID, customerID, v)
		if err != nil {
			return mapMemberErr(err)
		}
		if old.Equal(v) {
			return nil
		}
		return s.emitOne(ctx, tx, event.GroupMemberValidityChanged, event.AggregateGroup, groupID.String(), customerID, g.Version,
			event.MemberPayload{GroupID: groupID, CustomerID: customerID, Validity: v, Before: &old})
	})
	if err != nil {
		return group.Membership{}, err
	}
	return out, nil
}

// Membership returns the customer's membership of the group with its
// window, whether or not the window contains now (use
// group.Validity.Contains with the time that matters). Errors:
// group.ErrNotMember; ErrUnsupported without storage.TimedMemberships.
func (s *Groups) Membership(ctx context.Context, groupID, customerID uuid.UUID) (group.Membership, error) {
	repo, err := timedOf(s.store)
	if err != nil {
		return group.Membership{}, err
	}
	v, err := repo.Membership(ctx, groupID, customerID)
	if err != nil {
		return group.Membership{}, mapMemberErr(err)
	}
	return group.Membership{GroupID: groupID, CustomerID: customerID, Validity: v}, nil
}

// mapMemberErr maps a missing membership to group.ErrNotMember.
func mapMemberErr(err error) error {
	return notFound(err, group.ErrNotMember)
}
