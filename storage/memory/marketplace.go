package memory

import (
	"bytes"
	"context"
	"slices"
	"time"

	"github.com/google/btree"
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/storage"
)

// Marketplace returns the marketplace roles repository: the store has the
// storage.MerchantRoles capability.
func (s *Store) Marketplace() storage.Marketplace { return marketplace{repos{store: s}} }

// Marketplace returns the marketplace roles repository (the
// storage.MerchantRoles capability).
func (r repos) Marketplace() storage.Marketplace { return marketplace{r} }

var (
	_ storage.MerchantRoles = (*Store)(nil)
	_ storage.MerchantRoles = repos{}
)

// roles holds the marketplace's tables: a write admits one writer at a
// time, so the last-owner rule is checked and kept in one step.
type roles struct {
	members       map[uuid.UUID]map[uuid.UUID]merchant.Member // merchant -> customer -> member
	memberOrder   map[uuid.UUID]*btree.BTreeG[timeKey]        // merchant -> (CreatedAt, customer)
	membershipsOf map[uuid.UUID]map[uuid.UUID]bool            // customer -> merchants
	operators     map[uuid.UUID]operator.Staff
	operatorOrder *btree.BTreeG[timeKey]                                // (Since, customer)
	relations     map[uuid.UUID]map[uuid.UUID]merchant.CustomerRelation // merchant -> customer -> relation
	relOrder      map[uuid.UUID]*btree.BTreeG[timeKey]                  // merchant -> (Since, customer)
	relationsOf   map[uuid.UUID]map[uuid.UUID]bool                      // customer -> merchants
	ownedGroups   map[uuid.UUID]*btree.BTreeG[timeKey]                  // merchant -> (CreatedAt, group)
}

func newRoles() roles {
	return roles{
		members:       map[uuid.UUID]map[uuid.UUID]merchant.Member{},
		memberOrder:   map[uuid.UUID]*btree.BTreeG[timeKey]{},
		membershipsOf: map[uuid.UUID]map[uuid.UUID]bool{},
		operators:     map[uuid.UUID]operator.Staff{},
		operatorOrder: newTimeIndex(),
		relations:     map[uuid.UUID]map[uuid.UUID]merchant.CustomerRelation{},
		relOrder:      map[uuid.UUID]*btree.BTreeG[timeKey]{},
		relationsOf:   map[uuid.UUID]map[uuid.UUID]bool{},
		ownedGroups:   map[uuid.UUID]*btree.BTreeG[timeKey]{},
	}
}

type marketplace struct{ repos }

func (d *db) owners(merchantID uuid.UUID) int {
	n := 0
	for _, m := range d.roles.members[merchantID] {
		if m.Role == merchant.Owner {
			n++
		}
	}
	return n
}

func (d *db) putMember(t *txn, m merchant.Member) {
	put(t, innerFor(t, d.roles.members, m.MerchantID), m.CustomerID, m)
	insert(t, treeFor(t, d.roles.memberOrder, m.MerchantID, lessTimeKey), timeKey{m.CreatedAt, m.CustomerID})
	put(t, innerFor(t, d.roles.membershipsOf, m.CustomerID), m.MerchantID, true)
}

func (d *db) delMember(t *txn, m merchant.Member) {
	del(t, d.roles.members[m.MerchantID], m.CustomerID)
	remove(t, d.roles.memberOrder[m.MerchantID], timeKey{m.CreatedAt, m.CustomerID})
	del(t, d.roles.membershipsOf[m.CustomerID], m.MerchantID)
}

func (d *db) putRelation(t *txn, r merchant.CustomerRelation) {
	put(t, innerFor(t, d.roles.relations, r.MerchantID), r.CustomerID, r)
	insert(t, treeFor(t, d.roles.relOrder, r.MerchantID, lessTimeKey), timeKey{r.Since, r.CustomerID})
	put(t, innerFor(t, d.roles.relationsOf, r.CustomerID), r.MerchantID, true)
}

func (d *db) delRelation(t *txn, r merchant.CustomerRelation) {
	del(t, d.roles.relations[r.MerchantID], r.CustomerID)
	remove(t, d.roles.relOrder[r.MerchantID], timeKey{r.Since, r.CustomerID})
	del(t, d.roles.relationsOf[r.CustomerID], r.MerchantID)
}

func (d *db) putOperator(t *txn, s operator.Staff) {
	if old, ok := d.roles.operators[s.CustomerID]; ok {
		remove(t, d.roles.operatorOrder, timeKey{old.Since, old.CustomerID})
	}
	put(t, d.roles.operators, s.CustomerID, s)
	insert(t, d.roles.operatorOrder, timeKey{s.Since, s.CustomerID})
}

func (d *db) delOperator(t *txn, s operator.Staff) {
	del(t, d.roles.operators, s.CustomerID)
	remove(t, d.roles.operatorOrder, timeKey{s.Since, s.CustomerID})
}

// dropMerchantRoles deletes the merchant's members and relations (a
// merchant's deletion); its groups keep their owner's ID, which scopes their
// names (group.Group.Key).
func (d *db) dropMerchantRoles(t *txn, merchantID uuid.UUID) {
	for _, m := range d.roles.members[merchantID] {
		d.delMember(t, m)
	}
	for _, r := range d.roles.relations[merchantID] {
		d.delRelation(t, r)
	}
}

func (r marketplace) AddMember(ctx context.Context, m merchant.Member) (out merchant.Member, err error) {
	if m, err = storage.NewMerchantMember(m); err != nil {
		return out, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.merchants[m.MerchantID]; !ok {
			return notFound("merchant", m.MerchantID)
		}
		if err := d.liveCustomer(m.CustomerID); err != nil {
			return err
		}
		if _, ok := d.roles.members[m.MerchantID][m.CustomerID]; ok {
			return storage.Conflict(storage.ConstraintMerchantMember, nil)
		}
		d.putMember(t, m)
		out = m
		return nil
	})
	return out, err
}

func (r marketplace) UpdateMember(ctx context.Context, merchantID, customerID uuid.UUID, role merchant.Role, now time.Time) (before, after merchant.Member, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.merchants[merchantID]; !ok {
			return notFound("merchant", merchantID)
		}
		old, ok := d.roles.members[merchantID][customerID]
		if !ok {
			return notFound("member", customerID)
		}
		next := old
		next.Role, next.UpdatedAt = role, storage.Micro(now)
		if err := next.Validate(); err != nil {
			return err
		}
		before, after = old, old
		if role == old.Role {
			return nil
		}
		if err := storage.CheckOwners(old, role, d.owners(merchantID)); err != nil {
			return err
		}
		put(t, d.roles.members[merchantID], customerID, next)
		after = next
		return nil
	})
	return before, after, err
}

func (r marketplace) RemoveMember(ctx context.Context, merchantID, customerID uuid.UUID) (out merchant.Member, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.merchants[merchantID]; !ok {
			return notFound("merchant", merchantID)
		}
		old, ok := d.roles.members[merchantID][customerID]
		if !ok {
			return notFound("member", customerID)
		}
		if err := storage.CheckOwners(old, 0, d.owners(merchantID)); err != nil {
			return err
		}
		d.delMember(t, old)
		out = old
		return nil
	})
	return out, err
}

func (r marketplace) Member(ctx context.Context, merchantID, customerID uuid.UUID) (out merchant.Member, err error) {
	err = r.read(ctx, func(d *db) error {
		m, ok := d.roles.members[merchantID][customerID]
		if !ok {
			return notFound("member", customerID)
		}
		out = m
		return nil
	})
	return out, err
}

func (r marketplace) Members(ctx context.Context, merchantID uuid.UUID, p storage.PageRequest) (out storage.Page[merchant.Member], err error) {
	err = r.read(ctx, func(d *db) error {
		index := d.roles.memberOrder[merchantID]
		if index == nil {
			index = newTimeIndex()
		}
		out, err = pageAfter(index, lessTimeKey, storage.ListMerchantMembers, p, timeFrom, timeCursor, every(func(k timeKey) merchant.Member {
			return d.roles.members[merchantID][k.id]
		}))
		return err
	})
	return out, err
}

func (r marketplace) MembershipsOf(ctx context.Context, customerID uuid.UUID) (out []merchant.Member, err error) {
	err = r.read(ctx, func(d *db) error {
		out = nil
		for mid := range d.roles.membershipsOf[customerID] {
			out = append(out, d.roles.members[mid][customerID])
		}
		return nil
	})
	slices.SortFunc(out, func(a, b merchant.Member) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.MerchantID[:], b.MerchantID[:])
	})
	if len(out) > storage.MaxMemberships {
		out = out[:storage.MaxMemberships]
	}
	return out, err
}

func (r marketplace) PutOperator(ctx context.Context, s operator.Staff) (prev operator.Staff, existed bool, err error) {
	if s, err = storage.NewOperator(s); err != nil {
		return prev, false, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if err := d.liveCustomer(s.CustomerID); err != nil {
			return err
		}
		prev, existed = d.roles.operators[s.CustomerID]
		d.putOperator(t, s)
		return nil
	})
	return prev, existed, err
}

func (r marketplace) RemoveOperator(ctx context.Context, customerID uuid.UUID) (out operator.Staff, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		s, ok := d.roles.operators[customerID]
		if !ok {
			return notFound("operator staff", customerID)
		}
		d.delOperator(t, s)
		out = s
		return nil
	})
	return out, err
}

func (r marketplace) Operator(ctx context.Context, customerID uuid.UUID) (out operator.Staff, err error) {
	err = r.read(ctx, func(d *db) error {
		s, ok := d.roles.operators[customerID]
		if !ok {
			return notFound("operator staff", customerID)
		}
		out = s
		return nil
	})
	return out, err
}

func (r marketplace) Operators(ctx context.Context, p storage.PageRequest) (out storage.Page[operator.Staff], err error) {
	err = r.read(ctx, func(d *db) error {
		out, err = pageAfter(d.roles.operatorOrder, lessTimeKey, storage.ListOperators, p, timeFrom, timeCursor, every(func(k timeKey) operator.Staff {
			return d.roles.operators[k.id]
		}))
		return err
	})
	return out, err
}

func (r marketplace) RelateCustomer(ctx context.Context, rel merchant.CustomerRelation) (out merchant.CustomerRelation, created bool, err error) {
	if rel, err = storage.NewRelation(rel); err != nil {
		return out, false, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		created = false
		if _, ok := d.merchants[rel.MerchantID]; !ok {
			return notFound("merchant", rel.MerchantID)
		}
		if err := d.liveCustomer(rel.CustomerID); err != nil {
			return err
		}
		if old, ok := d.roles.relations[rel.MerchantID][rel.CustomerID]; ok {
			out = old
			return nil
		}
		d.putRelation(t, rel)
		out, created = rel, true
		return nil
	})
	return out, created, err
}

func (r marketplace) CustomerRelation(ctx context.Context, merchantID, customerID uuid.UUID) (out merchant.CustomerRelation, err error) {
	err = r.read(ctx, func(d *db) error {
		rel, ok := d.roles.relations[merchantID][customerID]
		if !ok {
			return notFound("vendor customer", customerID)
		}
		out = rel
		return nil
	})
	return out, err
}

func (r marketplace) VendorCustomers(ctx context.Context, merchantID uuid.UUID, p storage.PageRequest) (out storage.Page[merchant.CustomerRelation], err error) {
	err = r.read(ctx, func(d *db) error {
		index := d.roles.relOrder[merchantID]
		if index == nil {
			index = newTimeIndex()
		}
		out, err = pageAfter(index, lessTimeKey, storage.ListVendorCustomers, p, timeFrom, timeCursor, every(func(k timeKey) merchant.CustomerRelation {
			return d.roles.relations[merchantID][k.id]
		}))
		return err
	})
	return out, err
}

func (r marketplace) OwnedGroups(ctx context.Context, merchantID uuid.UUID, p storage.PageRequest) (out storage.Page[group.Group], err error) {
	err = r.read(ctx, func(d *db) error {
		index := d.roles.ownedGroups[merchantID]
		if index == nil {
			index = newTimeIndex()
		}
		out, err = pageAfter(index, lessTimeKey, storage.ListOwnedGroups, p, timeFrom, timeCursor, every(func(k timeKey) group.Group {
			return d.groups[k.id].Clone()
		}))
		return err
	})
	return out, err
}

func (r marketplace) MoveRoles(ctx context.Context, from, to uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		if err := d.liveCustomer(to); err != nil {
			return err
		}
		for mid := range d.roles.membershipsOf[from] {
			m := d.roles.members[mid][from]
			d.delMember(t, m)
			if have, ok := d.roles.members[mid][to]; ok {
				if role := storage.StrongerRole(have.Role, m.Role); role != have.Role {
					have.Role, have.UpdatedAt = role, m.UpdatedAt
					put(t, d.roles.members[mid], to, have)
				}
			} else {
				m.CustomerID = to
				d.putMember(t, m)
			}
			n++
		}
		for mid := range d.roles.relationsOf[from] {
			rel := d.roles.relations[mid][from]
			d.delRelation(t, rel)
			have, ok := d.roles.relations[mid][to]
			if ok && !rel.Since.Before(have.Since) {
				n++
				continue
			}
			if ok {
				d.delRelation(t, have)
			}
			rel.CustomerID = to
			d.putRelation(t, rel)
			n++
		}
		if s, ok := d.roles.operators[from]; ok {
			d.delOperator(t, s)
			if have, ok := d.roles.operators[to]; !ok || have.Role < s.Role {
				s.CustomerID = to
				if ok {
					s.Since = have.Since
				}
				d.putOperator(t, s)
			}
			n++
		}
		return nil
	})
	return n, err
}

func (r marketplace) DeleteRoles(ctx context.Context, customerID uuid.UUID) (n int, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		n = 0
		for mid := range d.roles.membershipsOf[customerID] {
			d.delMember(t, d.roles.members[mid][customerID])
			n++
		}
		for mid := range d.roles.relationsOf[customerID] {
			d.delRelation(t, d.roles.relations[mid][customerID])
			n++
		}
		if s, ok := d.roles.operators[customerID]; ok {
			d.delOperator(t, s)
			n++
		}
		return nil
	})
	return n, err
}
