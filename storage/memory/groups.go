package memory

import (
	"bytes"
	"context"
	"fmt"
	"slices"

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
				return true
			})
			del(t, d.members, id)
		}
		if owned := d.roles.ownedGroups[g.OwnerMerchantID]; owned != nil {
			remove(t, owned, timeKey{g.CreatedAt, id})
		}
		del(t, d.groups, id)
		del(t, d.groupByName, g.Key())
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
		out, err = pageAfter(index, lessTimeKey, storage.ListGroups, p, timeFrom, timeCursor, func(k timeKey) (group.Group, bool) {
			return d.groups[k.id].Clone(), true
		})
		return err
	})
	return out, err
}

func (r groups) AddMember(ctx context.Context, groupID, customerID uuid.UUID) (added bool, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		g, ok := d.groups[groupID]
		if !ok {
			return notFound("group", groupID)
		}
		if err := d.liveCustomer(customerID); err != nil {
			return err
		}
		c := d.customers[customerID]
		members := treeFor(t, d.members, groupID, lessTimeKey)
		ck := timeKey{c.CreatedAt, customerID}
		if members.Has(ck) {
			return nil
		}
		insert(t, members, ck)
		insert(t, treeFor(t, d.memberOf, customerID, lessTimeKey), timeKey{g.CreatedAt, groupID})
		added = true
		return nil
	})
	return added, err
}

func (r groups) RemoveMember(ctx context.Context, groupID, customerID uuid.UUID) (removed bool, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		g, ok := d.groups[groupID]
		if !ok {
			return notFound("group", groupID)
		}
		c, ok := d.customers[customerID]
		members := d.members[groupID]
		if !ok || members == nil || !members.Has(timeKey{c.CreatedAt, customerID}) {
			return nil
		}
		remove(t, members, timeKey{c.CreatedAt, customerID})
		remove(t, d.memberOf[customerID], timeKey{g.CreatedAt, groupID})
		removed = true
		return nil
	})
	return removed, err
}

func (r groups) MemberOf(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID) (out []uuid.UUID, err error) {
	if err := storage.CheckIDs("groupIDs", groupIDs); err != nil {
		return nil, err
	}
	err = r.read(ctx, func(d *db) error {
		c, ok := d.customers[customerID]
		if !ok {
			return nil
		}
		for _, gid := range groupIDs {
			members := d.members[gid]
			if members != nil && members.Has(timeKey{c.CreatedAt, customerID}) && !slices.Contains(out, gid) {
				out = append(out, gid)
			}
		}
		return nil
	})
	slices.SortFunc(out, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
	return out, err
}
