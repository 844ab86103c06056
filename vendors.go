package clientele

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// Vendors manages marketplace roles: one registered customer may at once
// be a buyer, a member of one or more merchants (vendors) with a
// merchant.Role, and operator staff with an operator.Role.
//
// Every vendor-side call takes the ACTING customer's ID and checks, in the
// call's transaction, that they may act for the merchant:
//
//   - a member with a sufficient role: staff read the merchant's members,
//     customers and groups and relate customers to it; admins also manage
//     members (not owners) and the merchant's groups; owners also appoint
//     and remove owners and admins. A member with a weaker role gets
//     merchant.ErrForbidden;
//   - operator staff act on every merchant (support reads, admin also
//     writes);
//   - uuid.Nil as the acting customer is the operator's back office: the
//     context's actor must then be staff or system (ErrActorRequired);
//   - anyone else (not a member, a deleted customer) gets
//     merchant.ErrNotFound, exactly as for a merchant that does not
//     exist, so that a vendor's existence and data never leak.
//
// A vendor's own customers (RelateCustomer) and groups (CreateGroup) are
// visible only through that vendor: another vendor's member gets
// merchant.ErrNotFound for the merchant, customer.ErrNotFound or
// group.ErrNotFound for a customer or group it does not own.
//
// A merchant that has an owner keeps one: removing or demoting its last
// owner answers merchant.ErrLastOwner, checked by the store under the
// merchant's lock, so two concurrent removals of the last two owners leave
// one.
//
// It needs a store with the storage.MerchantRoles capability (every
// adapter of this module has it); on another store every call returns
// ErrUnsupported.
type Vendors struct{ *env }

// marketplaceOf returns the marketplace repository of r, or ErrUnsupported.
func marketplaceOf(r any) (storage.Marketplace, error) {
	m, ok := r.(storage.MerchantRoles)
	if !ok {
		return nil, fmt.Errorf("%w: marketplace roles need the storage.MerchantRoles capability (%T)", ErrUnsupported, r)
	}
	return m.Marketplace(), nil
}

// mapVendorErr maps storage errors of a vendor call to the sentinels of
// packages merchant and customer.
func mapVendorErr(err error) error {
	err = conflict(err, storage.ConstraintMerchantMember, merchant.ErrMemberTaken)
	return customerGone(err)
}

// merchantGone maps a store's ErrNotFound of a write naming a merchant and
// a customer: a customer deleted meanwhile (storage.ErrCustomerNotLive) is
// customer.ErrNotFound, anything else merchant.ErrNotFound.
func merchantGone(err error) error {
	if errors.Is(err, storage.ErrCustomerNotLive) {
		return customerGone(err)
	}
	return notFound(err, merchant.ErrNotFound)
}

// grant is what the acting customer may do for one merchant.
type grant struct {
	role     merchant.Role // the member's role; Owner for operator admins and the back office
	operator bool          // acting as operator staff (or the back office)
}

// backOffice reports whether ctx's actor is staff or system, with an ID.
func backOffice(ctx context.Context) bool {
	who, ok := actor.Lookup(ctx)
	return ok && (who.Kind == actor.KindStaff || who.Kind == actor.KindSystem) && who.ID != ""
}

// authorize checks that acting may act for merchantID with at least role
// need (write says whether the call changes anything: operator support
// staff only read). See Vendors for the rules.
func (s *Vendors) authorize(ctx context.Context, r storage.Repositories, m storage.Marketplace, acting, merchantID uuid.UUID, need merchant.Role, write bool) (grant, error) {
	var g grant
	switch {
	case acting == uuid.Nil:
		if !backOffice(ctx) {
			return g, ErrActorRequired
		}
		g = grant{role: merchant.Owner, operator: true}
	default:
		c, err := r.Customers().Get(ctx, acting)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && c.IsDeleted()) {
			return g, fmt.Errorf("%w: %v", merchant.ErrNotFound, merchantID)
		} else if err != nil {
			return g, err
		}
		if op, err := m.Operator(ctx, acting); err == nil && (op.Role.AtLeast(operator.Admin) || !write) {
			g = grant{role: merchant.Owner, operator: true}
			break
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return g, err
		}
		mm, err := m.Member(ctx, merchantID, acting)
		if errors.Is(err, storage.ErrNotFound) {
			return g, fmt.Errorf("%w: %v", merchant.ErrNotFound, merchantID)
		} else if err != nil {
			return g, err
		}
		if !mm.Role.AtLeast(need) {
			return g, fmt.Errorf("%w: %s may not do this", merchant.ErrForbidden, mm.Role)
		}
		return grant{role: mm.Role}, nil
	}
	// Operators and the back office: the merchant must exist.
	if _, err := r.Merchants().Get(ctx, merchantID); err != nil {
		return g, notFound(err, merchant.ErrNotFound)
	}
	return g, nil
}

// read runs fn in a transaction after authorizing a read (staff or more).
func (s *Vendors) read(ctx context.Context, acting, merchantID uuid.UUID, fn func(ctx context.Context, tx storage.Tx, m storage.Marketplace) error) error {
	if _, err := marketplaceOf(s.store); err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		m, err := marketplaceOf(tx)
		if err != nil {
			return err
		}
		if _, err := s.authorize(ctx, tx, m, acting, merchantID, merchant.Staff, false); err != nil {
			return err
		}
		return fn(ctx, tx, m)
	})
}

// write runs fn in a transaction after authorizing a change that needs
// role need.
func (s *Vendors) write(ctx context.Context, acting, merchantID uuid.UUID, need merchant.Role, fn func(ctx context.Context, tx storage.Tx, m storage.Marketplace, g grant) error) error {
	if _, err := marketplaceOf(s.store); err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		m, err := marketplaceOf(tx)
		if err != nil {
			return err
		}
		g, err := s.authorize(ctx, tx, m, acting, merchantID, need, true)
		if err != nil {
			return err
		}
		return mapVendorErr(fn(ctx, tx, m, g))
	})
}

// mayAssign reports whether a grant may give or take away role: owners
// (and operators) any role, admins staff and admin.
func (g grant) mayAssign(role merchant.Role) error {
	if role == merchant.Owner && g.role != merchant.Owner {
		return fmt.Errorf("%w: only an owner appoints or removes an owner", merchant.ErrForbidden)
	}
	return nil
}

func (e *env) emitMerchantMember(ctx context.Context, r storage.Repositories, t event.Type, before *merchant.Member, m merchant.Member) error {
	p := event.MerchantMemberPayload{Member: m}
	if before != nil {
		p.Changes = diff(*before, m)
	}
	return e.emitOne(ctx, r, t, event.AggregateMerchantMembers, m.MerchantID.String(), m.CustomerID, 0, p)
}

// AddMember makes the live customer a member of the merchant with role.
// The acting customer must be an admin (an owner to add an owner).
// Errors: merchant.ErrNotFound, merchant.ErrForbidden,
// merchant.ErrMemberTaken, customer.ErrNotFound, *merchant.ValidationError
// (an invalid role), ErrActorRequired, ErrUnsupported.
func (s *Vendors) AddMember(ctx context.Context, acting, merchantID, customerID uuid.UUID, role merchant.Role) (merchant.Member, error) {
	m, err := merchant.NewMember(merchantID, customerID, role, s.clock())
	if err != nil {
		return merchant.Member{}, err
	}
	var out merchant.Member
	err = s.write(ctx, acting, merchantID, merchant.Admin, func(ctx context.Context, tx storage.Tx, r storage.Marketplace, g grant) error {
		if err := g.mayAssign(role); err != nil {
			return err
		}
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		if out, err = r.AddMember(ctx, m); err != nil {
			return merchantGone(err)
		}
		return s.emitMerchantMember(ctx, tx, event.MerchantMemberAdded, nil, out)
	})
	return out, err
}

// UpdateMember sets the member's role; the same role changes nothing and
// emits nothing. The acting customer must be an admin, and an owner when
// the member is or becomes an owner. Errors: as AddMember, and
// merchant.ErrMemberNotFound, merchant.ErrLastOwner.
func (s *Vendors) UpdateMember(ctx context.Context, acting, merchantID, customerID uuid.UUID, role merchant.Role) (merchant.Member, error) {
	if !role.Valid() {
		return merchant.Member{}, merchant.Member{Role: role, MerchantID: merchantID, CustomerID: customerID}.Validate()
	}
	var out merchant.Member
	err := s.write(ctx, acting, merchantID, merchant.Admin, func(ctx context.Context, tx storage.Tx, r storage.Marketplace, g grant) error {
		cur, err := r.Member(ctx, merchantID, customerID)
		if err != nil {
			return notFound(err, merchant.ErrMemberNotFound)
		}
		if err := g.mayAssign(max(cur.Role, role)); err != nil {
			return err
		}
		before, after, err := r.UpdateMember(ctx, merchantID, customerID, role, s.clock())
		if err != nil {
			return notFound(err, merchant.ErrMemberNotFound)
		}
		// Again with the role as it was under the lock: a concurrent
		// promotion between the read above and the lock rolls this back.
		if err := g.mayAssign(max(before.Role, role)); err != nil {
			return err
		}
		out = after
		if before.Role == after.Role {
			return nil
		}
		return s.emitMerchantMember(ctx, tx, event.MerchantMemberUpdated, &before, after)
	})
	return out, err
}

// RemoveMember ends the customer's membership and returns it as it was.
// The acting customer must be an admin (an owner to remove an owner), or
// the member themselves (anyone may leave). Errors: as UpdateMember.
func (s *Vendors) RemoveMember(ctx context.Context, acting, merchantID, customerID uuid.UUID) (merchant.Member, error) {
	need := merchant.Admin
	if acting == customerID && acting != uuid.Nil {
		need = merchant.Staff
	}
	var out merchant.Member
	err := s.write(ctx, acting, merchantID, need, func(ctx context.Context, tx storage.Tx, r storage.Marketplace, g grant) error {
		cur, err := r.Member(ctx, merchantID, customerID)
		if err != nil {
			return notFound(err, merchant.ErrMemberNotFound)
		}
		if acting != customerID {
			if err := g.mayAssign(cur.Role); err != nil {
				return err
			}
		}
		if out, err = r.RemoveMember(ctx, merchantID, customerID); err != nil {
			return notFound(err, merchant.ErrMemberNotFound)
		}
		if acting != customerID {
			if err := g.mayAssign(out.Role); err != nil { // as removed, under the lock
				return err
			}
		}
		return s.emitMerchantMember(ctx, tx, event.MerchantMemberRemoved, nil, out)
	})
	return out, err
}

// Members returns a page of the merchant's members ordered by (CreatedAt,
// CustomerID). The acting customer must be staff or more. Errors:
// merchant.ErrNotFound, ErrActorRequired, ErrUnsupported,
// page.ErrInvalidCursor.
func (s *Vendors) Members(ctx context.Context, acting, merchantID uuid.UUID, p page.Request) (page.Page[merchant.Member], error) {
	var out page.Page[merchant.Member]
	err := s.read(ctx, acting, merchantID, func(ctx context.Context, _ storage.Tx, r storage.Marketplace) error {
		var err error
		out, err = r.Members(ctx, merchantID, p)
		return err
	})
	return out, err
}

// MerchantsOf returns the customer's memberships (which merchants, with
// which role), ordered by (CreatedAt, MerchantID): what the host shows the
// signed-in customer. Errors: ErrUnsupported.
func (s *Vendors) MerchantsOf(ctx context.Context, customerID uuid.UUID) ([]merchant.Member, error) {
	r, err := marketplaceOf(s.store)
	if err != nil {
		return nil, err
	}
	return r.MembershipsOf(ctx, customerID)
}

// Roles is everything one identity may be in the marketplace.
type Roles struct {
	CustomerID uuid.UUID `json:"customer_id"`
	// Buyer reports whether the customer may buy as a registered
	// customer: live and active.
	Buyer bool `json:"buyer"`
	// Memberships are the customer's merchant memberships, as
	// MerchantsOf returns them.
	Memberships []merchant.Member `json:"memberships,omitempty"`
	// Operator is the customer's operator role, or zero (omitted) for a
	// customer who is not operator staff.
	Operator operator.Role `json:"operator,omitzero"`
}

// Roles answers in one call whether the customer is a buyer, which
// merchants they belong to with which role, and their operator role.
// Errors: customer.ErrNotFound, ErrUnsupported.
func (s *Vendors) Roles(ctx context.Context, customerID uuid.UUID) (Roles, error) {
	if _, err := marketplaceOf(s.store); err != nil {
		return Roles{}, err
	}
	var out Roles
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		r, err := marketplaceOf(tx)
		if err != nil {
			return err
		}
		c, err := liveCustomer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		out = Roles{CustomerID: customerID, Buyer: c.State == customer.StateActive}
		if out.Memberships, err = r.MembershipsOf(ctx, customerID); err != nil {
			return err
		}
		op, err := r.Operator(ctx, customerID)
		if err == nil {
			out.Operator = op.Role
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return nil
	})
	return out, err
}

// RelateCustomer makes the live customer one of the vendor's own
// customers, visible to its members only; it is idempotent: a relation
// that exists is returned unchanged, with created false and no event. The
// acting customer must be staff or more. Errors: merchant.ErrNotFound,
// customer.ErrNotFound, *merchant.ValidationError (an invalid source),
// ErrActorRequired, ErrUnsupported.
func (s *Vendors) RelateCustomer(ctx context.Context, acting, merchantID, customerID uuid.UUID, source merchant.Source) (rel merchant.CustomerRelation, created bool, err error) {
	in, err := merchant.NewCustomerRelation(merchantID, customerID, source, s.clock())
	if err != nil {
		return rel, false, err
	}
	err = s.write(ctx, acting, merchantID, merchant.Staff, func(ctx context.Context, tx storage.Tx, r storage.Marketplace, _ grant) error {
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		var err error
		if rel, created, err = r.RelateCustomer(ctx, in); err != nil || !created {
			return merchantGone(err)
		}
		return s.emitOne(ctx, tx, event.VendorCustomerRelated, event.AggregateVendorCustomers, merchantID.String(), customerID, 0,
			event.VendorCustomerPayload{Relation: rel})
	})
	return rel, created, err
}

// VendorCustomers returns a page of the vendor's own customers' relations,
// ordered by (Since, CustomerID), only that vendor's. The acting customer
// must be staff or more. Errors: as Members.
func (s *Vendors) VendorCustomers(ctx context.Context, acting, merchantID uuid.UUID, p page.Request) (page.Page[merchant.CustomerRelation], error) {
	var out page.Page[merchant.CustomerRelation]
	err := s.read(ctx, acting, merchantID, func(ctx context.Context, _ storage.Tx, r storage.Marketplace) error {
		var err error
		out, err = r.VendorCustomers(ctx, merchantID, p)
		return err
	})
	return out, err
}

// VendorCustomer is one of a vendor's own customers.
type VendorCustomer struct {
	Customer customer.Customer         `json:"customer"`
	Relation merchant.CustomerRelation `json:"relation"`
}

// VendorCustomer returns one of the vendor's own customers. A customer who
// is not related to the vendor is customer.ErrNotFound, whether or not
// they exist. Errors: as Members, and customer.ErrNotFound.
func (s *Vendors) VendorCustomer(ctx context.Context, acting, merchantID, customerID uuid.UUID) (VendorCustomer, error) {
	var out VendorCustomer
	err := s.read(ctx, acting, merchantID, func(ctx context.Context, tx storage.Tx, r storage.Marketplace) error {
		rel, err := r.CustomerRelation(ctx, merchantID, customerID)
		if err != nil {
			return notFound(err, customer.ErrNotFound)
		}
		c, err := liveCustomer(ctx, tx, customerID)
		if err != nil {
			return err
		}
		out = VendorCustomer{Customer: c, Relation: rel}
		return nil
	})
	return out, err
}

// CreateGroup creates a group owned by the merchant (group.Group's
// OwnerMerchantID), which only its members see through VendorGroups and
// VendorGroup. Group names are unique across the store, owned or not. The
// acting customer must be an admin. Errors: merchant.ErrNotFound,
// merchant.ErrForbidden, group.ErrNameTaken, *group.ValidationError,
// ErrActorRequired, ErrUnsupported.
func (s *Vendors) CreateGroup(ctx context.Context, acting, merchantID uuid.UUID, p GroupParams) (group.Group, error) {
	g, err := group.New(s.newID(), p, s.clock())
	if err != nil {
		return group.Group{}, err
	}
	g.OwnerMerchantID = merchantID
	var out group.Group
	err = s.write(ctx, acting, merchantID, merchant.Admin, func(ctx context.Context, tx storage.Tx, _ storage.Marketplace, _ grant) error {
		var err error
		if out, err = tx.Groups().Create(ctx, g); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return notFound(err, merchant.ErrNotFound)
			}
			return mapGroupErr(err)
		}
		return s.emitGroup(ctx, tx, event.GroupCreated, nil, out)
	})
	return out, err
}

// VendorGroups returns a page of the groups the merchant owns, ordered by
// (CreatedAt, ID). The acting customer must be staff or more. Errors: as
// Members.
func (s *Vendors) VendorGroups(ctx context.Context, acting, merchantID uuid.UUID, p page.Request) (page.Page[group.Group], error) {
	var out page.Page[group.Group]
	err := s.read(ctx, acting, merchantID, func(ctx context.Context, _ storage.Tx, r storage.Marketplace) error {
		var err error
		out, err = r.OwnedGroups(ctx, merchantID, p)
		return err
	})
	return out, err
}

// VendorGroup returns a group the merchant owns; any other group is
// group.ErrNotFound. Errors: as Members, and group.ErrNotFound.
func (s *Vendors) VendorGroup(ctx context.Context, acting, merchantID, groupID uuid.UUID) (group.Group, error) {
	var out group.Group
	err := s.read(ctx, acting, merchantID, func(ctx context.Context, tx storage.Tx, _ storage.Marketplace) error {
		var err error
		out, err = ownedGroup(ctx, tx, merchantID, groupID)
		return err
	})
	return out, err
}

// ownedGroup returns the group when the merchant owns it, and
// group.ErrNotFound for any other group.
func ownedGroup(ctx context.Context, tx storage.Tx, merchantID, groupID uuid.UUID) (group.Group, error) {
	g, err := tx.Groups().Get(ctx, groupID)
	if err != nil {
		return group.Group{}, mapGroupErr(err)
	}
	if g.OwnerMerchantID != merchantID {
		return group.Group{}, fmt.Errorf("%w: %v", group.ErrNotFound, groupID)
	}
	return g, nil
}

// AddGroupMembers adds customers to a group the merchant owns, as
// Groups.AddMembers does (one result per customer, one transaction, the
// group.member_added events), but only the vendor's own customers: any
// other customer gets a MemberFailed result wrapping customer.ErrNotFound,
// as an unknown one does. The acting customer must be an admin. Errors:
// those of CreateGroup, group.ErrNotFound for a group the merchant does
// not own, ErrBatchTooLarge.
func (s *Vendors) AddGroupMembers(ctx context.Context, acting, merchantID, groupID uuid.UUID, customerIDs []uuid.UUID) ([]MemberResult, error) {
	var out []MemberResult
	err := s.write(ctx, acting, merchantID, merchant.Admin, func(ctx context.Context, tx storage.Tx, _ storage.Marketplace, _ grant) error {
		if _, err := ownedGroup(ctx, tx, merchantID, groupID); err != nil {
			return err
		}
		add := addMember(groupID)
		var err error
		out, err = (&Groups{s.env}).batch(ctx, groupID, customerIDs, func(ctx context.Context, tx storage.Tx, c customer.Customer) (MemberOutcome, error) {
			r, err := marketplaceOf(tx)
			if err != nil {
				return MemberNotMember, err // aborts the batch
			}
			if _, err := r.CustomerRelation(ctx, merchantID, c.ID); errors.Is(err, storage.ErrNotFound) {
				return MemberFailed, unknownCustomer(c.ID)
			} else if err != nil {
				return MemberNotMember, err // aborts the batch
			}
			return add(ctx, tx, c)
		})
		return err
	})
	return out, err
}

// RemoveGroupMembers removes customers from a group the merchant owns, as
// Groups.RemoveMembers does. The acting customer must be an admin.
// Errors: those of AddGroupMembers.
func (s *Vendors) RemoveGroupMembers(ctx context.Context, acting, merchantID, groupID uuid.UUID, customerIDs []uuid.UUID) ([]MemberResult, error) {
	var out []MemberResult
	err := s.write(ctx, acting, merchantID, merchant.Admin, func(ctx context.Context, tx storage.Tx, _ storage.Marketplace, _ grant) error {
		if _, err := ownedGroup(ctx, tx, merchantID, groupID); err != nil {
			return err
		}
		var err error
		out, err = (&Groups{s.env}).batch(ctx, groupID, customerIDs, removeMember(groupID))
		return err
	})
	return out, err
}

// VendorGroupMembers returns a page of the live members of a group the
// merchant owns, ordered by (CreatedAt, ID). The acting customer must be
// staff or more. Errors: as VendorGroup.
func (s *Vendors) VendorGroupMembers(ctx context.Context, acting, merchantID, groupID uuid.UUID, p page.Request) (page.Page[customer.Customer], error) {
	var out page.Page[customer.Customer]
	err := s.read(ctx, acting, merchantID, func(ctx context.Context, tx storage.Tx, _ storage.Marketplace) error {
		if _, err := ownedGroup(ctx, tx, merchantID, groupID); err != nil {
			return err
		}
		var err error
		out, err = tx.Customers().List(ctx, customer.Filter{GroupID: groupID, GroupAt: s.clock()}, p)
		return err
	})
	return out, err
}

// GrantOperator makes the live customer operator staff with role, or
// changes their role. Only a staff or system actor in ctx may grant
// (ErrActorRequired otherwise). Granting the role the customer has
// changes nothing and emits nothing. Errors: customer.ErrNotFound,
// *operator.ValidationError, ErrActorRequired, ErrUnsupported.
func (s *Vendors) GrantOperator(ctx context.Context, customerID uuid.UUID, role operator.Role) (operator.Staff, error) {
	if !backOffice(ctx) {
		return operator.Staff{}, ErrActorRequired
	}
	st, err := operator.NewStaff(customerID, role, s.clock())
	if err != nil {
		return operator.Staff{}, err
	}
	if _, err := marketplaceOf(s.store); err != nil {
		return operator.Staff{}, err
	}
	var out operator.Staff
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		r, err := marketplaceOf(tx)
		if err != nil {
			return err
		}
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		cur, err := r.Operator(ctx, customerID)
		if err == nil && cur.Role == role {
			out = cur
			return nil
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		prev, existed, err := r.PutOperator(ctx, st)
		if err != nil {
			return customerGone(err)
		}
		out = st
		p := event.OperatorPayload{Staff: st}
		if existed {
			p.Changes = diff(prev, st)
		}
		return s.emitOne(ctx, tx, event.OperatorGranted, event.AggregateOperatorStaff, customerID.String(), customerID, 0, p)
	})
	return out, err
}

// RevokeOperator ends the customer's operator role and returns the grant
// as it was. Only a staff or system actor may revoke. Errors:
// operator.ErrNotFound, ErrActorRequired, ErrUnsupported.
func (s *Vendors) RevokeOperator(ctx context.Context, customerID uuid.UUID) (operator.Staff, error) {
	if !backOffice(ctx) {
		return operator.Staff{}, ErrActorRequired
	}
	if _, err := marketplaceOf(s.store); err != nil {
		return operator.Staff{}, err
	}
	var out operator.Staff
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		r, err := marketplaceOf(tx)
		if err != nil {
			return err
		}
		if out, err = r.RemoveOperator(ctx, customerID); err != nil {
			return notFound(err, operator.ErrNotFound)
		}
		return s.emitOne(ctx, tx, event.OperatorRevoked, event.AggregateOperatorStaff, customerID.String(), customerID, 0,
			event.OperatorPayload{Staff: out})
	})
	return out, err
}

// Operators returns a page of the operator's staff ordered by (Since,
// CustomerID). Only a staff or system actor may list them. Errors:
// ErrActorRequired, ErrUnsupported, page.ErrInvalidCursor.
func (s *Vendors) Operators(ctx context.Context, p page.Request) (page.Page[operator.Staff], error) {
	if !backOffice(ctx) {
		return page.Page[operator.Staff]{}, ErrActorRequired
	}
	r, err := marketplaceOf(s.store)
	if err != nil {
		return page.Page[operator.Staff]{}, err
	}
	return r.Operators(ctx, p)
}
