package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

type customers struct{ repos }

func (r customers) Create(ctx context.Context, c customer.Customer) (customer.Customer, error) {
	c, err := storage.NewCustomer(c)
	if err != nil {
		return customer.Customer{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		if _, ok := d.customers[c.ID]; ok {
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		if err := d.customerKeysFree(c); err != nil {
			return err
		}
		put(t, d.customers, c.ID, c)
		insert(t, d.customerOrder, timeKey{c.CreatedAt, c.ID})
		d.indexCustomer(t, c)
		return nil
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return c.Clone(), nil
}

// customerKeysFree checks the unique keys of live customer c against every
// other live customer.
func (d *db) customerKeysFree(c customer.Customer) error {
	if c.DeletedAt != nil {
		return nil
	}
	if id, ok := d.customerByEmail[emailKey{c.Email.Address, c.HasAccount}]; ok && id != c.ID {
		return storage.Conflict(storage.ConstraintCustomerEmail, nil)
	}
	if c.Reference != "" {
		if id, ok := d.customerByRef[refKey{c.ReferenceOrigin, c.Reference}]; ok && id != c.ID {
			return storage.Conflict(storage.ConstraintCustomerReference, nil)
		}
	}
	return nil
}

func (d *db) indexCustomer(t *txn, c customer.Customer) {
	if c.DeletedAt != nil {
		return
	}
	put(t, d.customerByEmail, emailKey{c.Email.Address, c.HasAccount}, c.ID)
	insert(t, treeFor(t, d.customersBySkeleton, skeletonKey(c), lessTimeKey), timeKey{c.CreatedAt, c.ID})
	if c.Reference != "" {
		put(t, d.customerByRef, refKey{c.ReferenceOrigin, c.Reference}, c.ID)
	}
}

func (d *db) unindexCustomer(t *txn, c customer.Customer) {
	if c.DeletedAt != nil {
		return
	}
	del(t, d.customerByEmail, emailKey{c.Email.Address, c.HasAccount})
	if tree := d.customersBySkeleton[skeletonKey(c)]; tree != nil {
		remove(t, tree, timeKey{c.CreatedAt, c.ID})
	}
	if c.Reference != "" {
		del(t, d.customerByRef, refKey{c.ReferenceOrigin, c.Reference})
	}
}

func (r customers) Get(ctx context.Context, id uuid.UUID) (out customer.Customer, err error) {
	err = r.read(ctx, func(d *db) error {
		c, ok := d.customers[id]
		if !ok {
			return notFound("customer", id)
		}
		out = c.Clone()
		return nil
	})
	return out, err
}

func (r customers) GetByEmail(ctx context.Context, canonicalEmail string, hasAccount bool) (out customer.Customer, err error) {
	if err := storage.CheckKey("canonicalEmail", canonicalEmail); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		id, ok := d.customerByEmail[emailKey{canonicalEmail, hasAccount}]
		if !ok {
			return fmt.Errorf("customer with email %s: %w", storage.Quote(canonicalEmail), storage.ErrNotFound)
		}
		out = d.customers[id].Clone()
		return nil
	})
	return out, err
}

func (r customers) GetByReference(ctx context.Context, origin, reference string) (out customer.Customer, err error) {
	if err := checkReference(origin, reference); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		id, ok := d.customerByRef[refKey{origin, reference}]
		if !ok || reference == "" {
			return fmt.Errorf("customer with reference %s/%s: %w", storage.Quote(origin), storage.Quote(reference), storage.ErrNotFound)
		}
		out = d.customers[id].Clone()
		return nil
	})
	return out, err
}

// skeletonKey is c's key in customersBySkeleton.
func skeletonKey(c customer.Customer) emailKey {
	return emailKey{customer.EmailSkeleton(c.Email.Address), c.HasAccount}
}

func (r customers) ListByEmailSkeleton(ctx context.Context, skeleton string, hasAccount bool, p storage.PageRequest) (out storage.Page[customer.Customer], err error) {
	if err := storage.CheckKey("skeleton", skeleton); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		index := d.customersBySkeleton[emailKey{skeleton, hasAccount}]
		if index == nil {
			index = newTimeIndex()
		}
		out, err = pageAfter(index, lessTimeKey, storage.ListEmailSkeleton, p, timeFrom, timeCursor, func(k timeKey) (customer.Customer, bool) {
			return d.customers[k.id].Clone(), true
		})
		return err
	})
	return out, err
}

func (r customers) Update(ctx context.Context, id uuid.UUID, fn func(*customer.Customer) error) (out customer.Customer, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		old, ok := d.customers[id]
		if !ok {
			return notFound("customer", id)
		}
		c, err := storage.UpdateCustomer(old, fn)
		if err != nil {
			return err
		}
		// Check before touching anything: inside a transaction the caller
		// may handle this error and go on, so a failed call must write nothing.
		if err := d.customerKeysFree(c); err != nil {
			return err
		}
		d.unindexCustomer(t, old)
		put(t, d.customers, id, c)
		d.indexCustomer(t, c)
		out = c.Clone()
		return nil
	})
	return out, err
}

func (r customers) List(ctx context.Context, f storage.CustomerFilter, p storage.PageRequest) (out storage.Page[customer.Customer], err error) {
	if err := storage.CheckCustomerFilter(f); err != nil {
		return out, err
	}
	name := storage.SearchKey(f.Name)
	keep := func(d *db) func(k timeKey) (customer.Customer, bool) {
		return func(k timeKey) (customer.Customer, bool) {
			c := d.customers[k.id]
			if !matchCustomer(c, f, name) {
				return customer.Customer{}, false
			}
			if f.GroupID != uuid.Nil && !f.GroupAt.IsZero() && !d.windows[groupMember{f.GroupID, k.id}].Contains(f.GroupAt) {
				return customer.Customer{}, false
			}
			return c.Clone(), true
		}
	}
	err = r.read(ctx, func(d *db) error {
		index := d.customerOrder
		if f.GroupID != uuid.Nil {
			index = d.members[f.GroupID]
			if index == nil {
				index = newTimeIndex()
			}
		}
		if f.Email != "" && !f.IncludeDeleted {
			// Walk just the (at most two) live customers with that email
			// that are in the index chosen so far (the group's members).
			within := index
			index = newTimeIndex()
			for _, has := range []bool{false, true} {
				if id, ok := d.customerByEmail[emailKey{f.Email, has}]; ok {
					k := timeKey{d.customers[id].CreatedAt, id}
					if within.Has(k) {
						index.ReplaceOrInsert(k)
					}
				}
			}
		}
		out, err = pageAfter(index, lessTimeKey, storage.ListCustomers, p, timeFrom, timeCursor, keep(d))
		return err
	})
	return out, err
}

func matchCustomer(c customer.Customer, f storage.CustomerFilter, name string) bool {
	switch {
	case c.DeletedAt != nil && !f.IncludeDeleted,
		f.Email != "" && c.Email.Address != f.Email,
		f.Status != 0 && c.Status != f.Status,
		f.State != 0 && c.State != f.State,
		f.Type != 0 && c.Type != f.Type,
		f.HasAccount != nil && c.HasAccount != *f.HasAccount,
		!f.CreatedFrom.IsZero() && c.CreatedAt.Before(f.CreatedFrom),
		!f.CreatedTo.IsZero() && !c.CreatedAt.Before(f.CreatedTo):
		return false
	}
	for _, tag := range f.Tags {
		if !slices.Contains(c.Tags, tag) {
			return false
		}
	}
	if name != "" && !strings.Contains(storage.SearchKey(c.FirstName+" "+c.LastName), name) {
		return false
	}
	return true
}

// checkReference checks the arguments of GetByReference against the bounds.
func checkReference(origin, reference string) error {
	if err := storage.CheckKey("origin", origin); err != nil {
		return err
	}
	return storage.CheckKey("reference", reference)
}

func notFound(what string, id uuid.UUID) error {
	return fmt.Errorf("%s %s: %w", what, id, storage.ErrNotFound)
}

// liveCustomer returns an error wrapping storage.ErrCustomerNotLive unless
// the customer exists and is not deleted. Writes to a customer's data call
// it under the store's lock, which every delete takes too.
func (d *db) liveCustomer(id uuid.UUID) error {
	if c, ok := d.customers[id]; !ok || c.DeletedAt != nil {
		return fmt.Errorf("customer %s: %w", id, storage.ErrCustomerNotLive)
	}
	return nil
}
