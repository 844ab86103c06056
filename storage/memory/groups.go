package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

type groups struct{ repos }

func (r groups) Create(ctx context.Context, g group.Group) (group.Group, error) {
	g, err := storage.NewGroup(g)
	if err != nil {
		return group.Group{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.groups[g.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if _, ok := d.groupByName[g.Key()]; ok {
			return storage.Conflict(storage.ConstraintGroupName, nil)
		}
		if owner := g.OwnerMerchantID; owner != uuid.Nil {
			if _, ok := d.merchants[owner]; !ok {
				return notFound("merchant", owner)
			}
			insert(t, treeFor(t, d.roles.ownedGroups, owner, lessTimeKey), timeKey{g.CreatedAt, g.ID})
		}
		put(t, d.groups, g.ID, g)
		put(t, d.groupByName, g.Key(), g.ID)
		insert(t, d.groupOrder, timeKey{g.CreatedAt, g.ID})
		return nil
	})
	if err != nil {
		return group.Group{}, err
	}
	return g.Clone(), nil
}

func (r groups) Get(ctx context.Context, id uuid.UUID) (out group.Group, err error) {
	err = r.read(ctx, func(d *db) error {
		g, ok := d.groups[id]
		if !ok {
			return notFound("group", id)
		}
		out = g.Clone()
		return nil
	})
	return out, err
}

func (r groups) GetByName(ctx context.Context, name string) (out group.Group, err error) {
	if err := storage.CheckKey("name", name); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		id, ok := d.groupByName[group.NameKey(name)]
		if !ok {
			return fmt.Errorf("group named %s: %w", storage.Quote(name), storage.ErrNotFound)
		}
		out = d.groups[id].Clone()
		return nil
	})
	return out, err
}

func (r groups) Update(ctx context.Context, id uuid.UUID, fn func(*group.Group) error) (out group.Group, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.groups[id]
		if !ok {
			return notFound("group", id)
		}
		g, err := storage.UpdateGroup(old, fn)
		if err != nil {
			return err
		}
		if other, ok := d.groupByName[g.Key()]; ok && other != id {
			return storage.Conflict(storage.ConstraintGroupName, nil)
		}
		del(t, d.groupByName, old.Key())
		put(t, d.groupByName, g.Key(), id)
		put(t, d.groups, id, g)
		out = g.Clone()
		return nil
	})
	return out, err
}

func (r groups) Delete(ctx context.Context, id uuid.UUID) error {
	return r.write(ctx, func(t *txn) error {
		d := t.db
		g, ok := d.groups[id]
		if !ok {
			return notFound("group", id)
		}
		if len(d.marketsByGroup[id]) > 0 {
			return storage.Conflict(storage.ConstraintMarketAccessGroup, nil)
		}
		if members := d.members[id]; members != nil {
			gk := timeKey{g.CreatedAt, id}
			members.Ascend(func(k timeKey) bool {
				remove(t, d.memberOf[k.id], gk)
				del(t, d.windows, groupMember{id, k.id})
				return true
			})
			del(t, d.members, id)
		}
		if owned := d.roles.ownedGroups[g.OwnerMerchantID]; owned != nil {
			remove(t, owned, timeKey{g.CreatedAt, id})
		}
		del(t, d.groups, id)
		del(t, d.groupByName, g.Key())
		del(t, d.groupRefs, id)
		remove(t, d.groupOrder, timeKey{g.CreatedAt, id})
		return nil
	})
}

func (r groups) List(ctx context.Context, f storage.GroupFilter, p storage.PageRequest) (out storage.Page[group.Group], err error) {
	err = r.read(ctx, func(d *db) error {
		index := d.groupOrder
		if f.MemberID != uuid.Nil {
			if index = d.memberOf[f.MemberID]; index == nil {
				index = newTimeIndex()
			}
		}
		out, err = pageAfter(index, lessTimeKey, storage.ListGroups, p, timeFrom, timeCursor, func(k timeKey, dst *group.Group) bool {
			if f.MemberID != uuid.Nil && !f.MemberAt.IsZero() && !d.windows[groupMember{k.id, f.MemberID}].Contains(f.MemberAt) {
				return false
			}
			if dst != nil {
				*dst = d.groups[k.id].Clone()
			}
			return true
		})
		return err
	})
	return out, err
}

func (r groups) AddMember(ctx context.Context, groupID, customerID uuid.UUID) (added bool, err error) {
	err = r.write(ctx, func(t *txn) error {
		added, err = addMembership(t, groupID, customerID)
		return err
	})
	return added, err
}

var _ storage.MemberVersions = groups{}

// AddMemberVersion implements storage.MemberVersions.
func (r groups) AddMemberVersion(ctx context.Context, groupID, customerID uuid.UUID) (added bool, version int64, err error) {
	err = r.write(ctx, func(t *txn) error {
		if g, ok := t.db.groups[groupID]; ok {
			version = g.Version
		}
		added, err = addMembership(t, groupID, customerID)
		return err
	})
	return added, version, err
}

// addMembership makes the live customer a member of the group, unless it
// is one already, and reports whether it added the membership. Errors:
// ErrNotFound (group); an error wrapping storage.ErrCustomerNotLive.
func addMembership(t *txn, groupID, customerID uuid.UUID) (bool, error) {
	d := t.db
	g, ok := d.groups[groupID]
	if !ok {
		return false, notFound("group", groupID)
	}
	if err := d.liveCustomer(customerID); err != nil {
		return false, err
	}
	created, _ := d.customers.createdAt(customerID)
	members := treeFor(t, d.members, groupID, lessTimeKey)
	ck := timeKey{created, customerID}
	if members.Has(ck) {
		return false, nil
	}
	insert(t, members, ck)
	insert(t, treeFor(t, d.memberOf, customerID, lessTimeKey), timeKey{g.CreatedAt, groupID})
	return true, nil
}

func (r groups) RemoveMember(ctx context.Context, groupID, customerID uuid.UUID) (removed bool, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		g, ok := d.groups[groupID]
		if !ok {
			return notFound("group", groupID)
		}
		created, ok := d.customers.createdAt(customerID)
		members := d.members[groupID]
		if !ok || members == nil || !members.Has(timeKey{created, customerID}) {
			return nil
		}
		remove(t, members, timeKey{created, customerID})
		remove(t, d.memberOf[customerID], timeKey{g.CreatedAt, groupID})
		del(t, d.windows, groupMember{groupID, customerID})
		removed = true
		return nil
	})
	return removed, err
}

func (r groups) MemberOf(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID) (out []uuid.UUID, err error) {
	return r.MemberOfAt(ctx, customerID, groupIDs, time.Time{})
}

// MemberOfAt is MemberOf with the windows of the memberships checked at
// at, unless at is zero.
func (r groups) MemberOfAt(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID, at time.Time) (out []uuid.UUID, err error) {
	if err := storage.CheckIDs("groupIDs", groupIDs); err != nil {
		return nil, err
	}
	err = r.read(ctx, func(d *db) error {
		created, ok := d.customers.createdAt(customerID)
		if !ok {
			return nil
		}
		for _, gid := range groupIDs {
			members := d.members[gid]
			if members != nil && members.Has(timeKey{created, customerID}) && !slices.Contains(out, gid) &&
				(at.IsZero() || d.windows[groupMember{gid, customerID}].Contains(at)) {
				out = append(out, gid)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out, err
}

// groupMember names a group membership: (group ID, customer ID).
type groupMember struct{ group, customer uuid.UUID }

// AddMemberFor adds the membership with the window v, or sets an existing
// membership's window.
func (r groups) AddMemberFor(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (added bool, before group.Validity, err error) {
	if err := v.Validate(); err != nil {
		return false, before, err
	}
	v = v.Normalize()
	err = r.write(ctx, func(t *txn) error {
		var err error
		if added, err = addMembership(t, groupID, customerID); err != nil {
			return err
		}
		key := groupMember{groupID, customerID}
		if !added {
			before = t.db.windows[key]
		}
		setWindow(t, t.db, key, v)
		return nil
	})
	if err != nil {
		return false, group.Validity{}, err
	}
	return added, before, nil
}

// setWindow stores the membership's window; a zero one is not kept.
func setWindow(t *txn, d *db, key groupMember, v group.Validity) {
	if v.IsZero() {
		del(t, d.windows, key)
	} else {
		put(t, d.windows, key, v)
	}
}

// SetMemberValidity sets an existing membership's window.
func (r groups) SetMemberValidity(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (before group.Validity, err error) {
	if err := v.Validate(); err != nil {
		return before, err
	}
	v = v.Normalize()
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.groups[groupID]; !ok {
			return notFound("group", groupID)
		}
		if !d.isMember(groupID, customerID) {
			return notMember(groupID, customerID)
		}
		key := groupMember{groupID, customerID}
		before = d.windows[key]
		setWindow(t, d, key, v)
		return nil
	})
	if err != nil {
		return group.Validity{}, err
	}
	return before, nil
}

// Membership returns the membership's window.
func (r groups) Membership(ctx context.Context, groupID, customerID uuid.UUID) (out group.Validity, err error) {
	err = r.read(ctx, func(d *db) error {
		if !d.isMember(groupID, customerID) {
			return notMember(groupID, customerID)
		}
		out = d.windows[groupMember{groupID, customerID}]
		return nil
	})
	return out, err
}

// isMember reports whether the customer is a member of the group, whatever
// the window.
func (d *db) isMember(groupID, customerID uuid.UUID) bool {
	created, ok := d.customers.createdAt(customerID)
	members := d.members[groupID]
	return ok && members != nil && members.Has(timeKey{created, customerID})
}

func notMember(groupID, customerID uuid.UUID) error {
	return fmt.Errorf("membership of customer %v in group %v: %w", customerID, groupID, storage.ErrNotFound)
}

var _ storage.TimedMemberships = groups{}
