package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

type customers struct{ repos }

func (r customers) Create(ctx context.Context, c customer.Customer) (out customer.Customer, err error) {
	c, err = storage.NewCustomer(c)
	if err != nil {
		return customer.Customer{}, err
	}
	err = r.write(ctx, func(t *txn) error {
		i, err := t.db.addCustomer(t, &c)
		if err != nil {
			return err
		}
		out = t.db.customers.at(i).customer()
		return nil
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// addCustomer stores the new customer c (prepared by storage.NewCustomer)
// and indexes it.
func (d *db) addCustomer(t *txn, c *customer.Customer) (uint32, error) {
	if d.customers.has(c.ID) {
		return 0, storage.Conflict(storage.ConstraintPrimaryKey, nil)
	}
	if err := d.customerKeysFree(c); err != nil {
		return 0, err
	}
	rec, err := encodeCustomer(c)
	if err != nil {
		return 0, err
	}
	i := d.customers.add(t, rec)
	insert(t, d.customerOrder, rec.key(i))
	d.indexCustomer(t, i, true)
	return i, nil
}

// customerKeysFree checks the unique keys of live customer c against every
// other live customer.
func (d *db) customerKeysFree(c *customer.Customer) error {
	if c.DeletedAt != nil {
		return nil
	}
	if i, ok := d.customerByEmail[b2i(c.HasAccount)][c.Email.Address]; ok && d.customers.at(i).id != c.ID {
		return storage.Conflict(storage.ConstraintCustomerEmail, nil)
	}
	if c.Reference != "" {
		if i, ok := d.customerByRef[refKey{c.ReferenceOrigin, c.Reference}]; ok && d.customers.at(i).id != c.ID {
			return storage.Conflict(storage.ConstraintCustomerReference, nil)
		}
	}
	return nil
}

// indexCustomer adds the customer at position i, if live, to the indexes
// of live customers; the look-alike index too when skeleton is set. The
// keys share the record's strings.
func (d *db) indexCustomer(t *txn, i uint32, skeleton bool) {
	r := d.customers.at(i)
	if !r.live() {
		return
	}
	h := b2i(r.hasAccount())
	put(t, d.customerByEmail[h], r.field(fAddress), i)
	if ref := r.field(fReference); ref != "" {
		put(t, d.customerByRef, refKey{r.field(fOrigin), ref}, i)
	}
	if !skeleton {
		return
	}
	k, one, many := skeletonOf(r), d.skeletonOne[h], d.skeletonMany[h]
	if tree := many[k]; tree != nil {
		insert(t, tree, r.key(i))
		return
	}
	other, ok := one[k]
	if !ok {
		put(t, one, k, i)
		return
	}
	// A second customer with this skeleton: from now on a tree holds them.
	tree := newCustIndex()
	tree.ReplaceOrInsert(d.customers.at(other).key(other))
	tree.ReplaceOrInsert(r.key(i))
	del(t, one, k)
	put(t, many, k, tree)
}

// unindexCustomer takes the customer at position i, if live, out of the
// indexes of live customers; out of the look-alike index too when
// skeleton is set.
func (d *db) unindexCustomer(t *txn, i uint32, skeleton bool) {
	r := d.customers.at(i)
	if !r.live() {
		return
	}
	h := b2i(r.hasAccount())
	del(t, d.customerByEmail[h], r.field(fAddress))
	if ref := r.field(fReference); ref != "" {
		del(t, d.customerByRef, refKey{r.field(fOrigin), ref})
	}
	if !skeleton {
		return
	}
	k, one, many := skeletonOf(r), d.skeletonOne[h], d.skeletonMany[h]
	if tree := many[k]; tree != nil {
		remove(t, tree, r.key(i))
		if tree.Len() == 0 {
			del(t, many, k)
		}
		return
	}
	if j, ok := one[k]; ok && j == i {
		del(t, one, k)
	}
}

// skeletonOf returns the key of r in the look-alike index.
func skeletonOf(r *crec) skelKey {
	k, _ := parseSkeleton(customer.EmailSkeleton(r.field(fAddress)))
	return k
}

func (r customers) Get(ctx context.Context, id uuid.UUID) (out customer.Customer, err error) {
	err = r.read(ctx, func(d *db) error {
		c, ok := d.customers.rec(id)
		if !ok {
			return notFound("customer", id)
		}
		out = c.customer()
		return nil
	})
	return out, err
}

func (r customers) GetByEmail(ctx context.Context, canonicalEmail string, hasAccount bool) (out customer.Customer, err error) {
	if err := storage.CheckKey("canonicalEmail", canonicalEmail); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		i, ok := d.customerByEmail[b2i(hasAccount)][canonicalEmail]
		if !ok {
			return fmt.Errorf("customer with email %s: %w", storage.Quote(canonicalEmail), storage.ErrNotFound)
		}
		out = d.customers.at(i).customer()
		return nil
	})
	return out, err
}

func (r customers) GetByReference(ctx context.Context, origin, reference string) (out customer.Customer, err error) {
	if err := checkReference(origin, reference); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		i, ok := d.customerByRef[refKey{origin, reference}]
		if !ok || reference == "" {
			return fmt.Errorf("customer with reference %s/%s: %w", storage.Quote(origin), storage.Quote(reference), storage.ErrNotFound)
		}
		out = d.customers.at(i).customer()
		return nil
	})
	return out, err
}

func (r customers) ListByEmailSkeleton(ctx context.Context, skeleton string, hasAccount bool, p storage.PageRequest) (out storage.Page[customer.Customer], err error) {
	if err := storage.CheckKey("skeleton", skeleton); err != nil {
		return out, err
	}
	err = r.read(ctx, func(d *db) error {
		h := b2i(hasAccount)
		k, ok := parseSkeleton(skeleton)
		index := d.skeletonMany[h][k]
		if !ok || index == nil {
			index = newCustIndex()
			if i, one := d.skeletonOne[h][k]; ok && one {
				index.ReplaceOrInsert(d.customers.at(i).key(i))
			}
		}
		out, err = pageAfter(index, lessCustKey, storage.ListEmailSkeleton, p, custFrom, custCursor, func(k custKey, dst *customer.Customer) bool {
			if dst != nil {
				d.customers.at(k.idx).decode(dst)
			}
			return true
		})
		return err
	})
	return out, err
}

func (r customers) Update(ctx context.Context, id uuid.UUID, fn func(*customer.Customer) error) (out customer.Customer, err error) {
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		i, ok := d.customers.find(id)
		if !ok {
			return notFound("customer", id)
		}
		c, err := storage.UpdateCustomer(d.customers.at(i).customer(), fn)
		if err != nil {
			return err
		}
		// Check before touching anything: inside a transaction the caller
		// may handle this error and go on, so a failed call must write nothing.
		if err := d.customerKeysFree(&c); err != nil {
			return err
		}
		rec, err := encodeCustomer(&c)
		if err != nil {
			return err
		}
		// The look-alike index changes only with the email, HasAccount or
		// liveness (CreatedAt and the ID never change).
		old := d.customers.at(i)
		skeleton := old.live() != rec.live() || old.hasAccount() != rec.hasAccount() || old.field(fAddress) != rec.field(fAddress)
		d.unindexCustomer(t, i, skeleton)
		d.customers.set(t, i, rec)
		d.indexCustomer(t, i, skeleton)
		out = d.customers.at(i).customer()
		return nil
	})
	return out, err
}

func (r customers) List(ctx context.Context, f storage.CustomerFilter, p storage.PageRequest) (out storage.Page[customer.Customer], err error) {
	if err := storage.CheckCustomerFilter(f); err != nil {
		return out, err
	}
	name := ""
	if f.Name != "" { // SearchKey("") is "", but allocates to find out
		name = storage.SearchKey(f.Name)
	}
	keep := func(d *db, r *crec, dst *customer.Customer) bool {
		if !matchCustomer(r, &f, name) {
			return false
		}
		if f.GroupID != uuid.Nil && !f.GroupAt.IsZero() && !d.windows[groupMember{f.GroupID, r.id}].Contains(f.GroupAt) {
			return false
		}
		if dst != nil {
			r.decode(dst)
		}
		return true
	}
	// byEmail returns the positions of the (at most two) live customers
	// with the filter's email.
	byEmail := func(d *db) []uint32 {
		var out []uint32
		for h := range d.customerByEmail {
			if i, ok := d.customerByEmail[h][f.Email]; ok {
				out = append(out, i)
			}
		}
		return out
	}
	err = r.read(ctx, func(d *db) error {
		if f.GroupID != uuid.Nil {
			index := d.members[f.GroupID]
			if index == nil {
				index = newTimeIndex()
			}
			if f.Email != "" && !f.IncludeDeleted {
				// Walk just the live customers with that email that are
				// members of the group.
				within := index
				index = newTimeIndex()
				for _, i := range byEmail(d) {
					r := d.customers.at(i)
					if k := (timeKey{r.createdAt(), r.id}); within.Has(k) {
						index.ReplaceOrInsert(k)
					}
				}
			}
			out, err = pageAfter(index, lessTimeKey, storage.ListCustomers, p, timeFrom, timeCursor, func(k timeKey, dst *customer.Customer) bool {
				r, ok := d.customers.rec(k.id)
				return ok && keep(d, r, dst)
			})
			return err
		}
		index := d.customerOrder
		if f.Email != "" && !f.IncludeDeleted {
			// Walk just the live customers with that email.
			index = newCustIndex()
			for _, i := range byEmail(d) {
				index.ReplaceOrInsert(d.customers.at(i).key(i))
			}
		}
		out, err = pageAfter(index, lessCustKey, storage.ListCustomers, p, custFrom, custCursor, func(k custKey, dst *customer.Customer) bool {
			return keep(d, d.customers.at(k.idx), dst)
		})
		return err
	})
	return out, err
}

// matchCustomer reports whether the customer r holds passes f (name is
// SearchKey(f.Name)), decoding only what f tests.
func matchCustomer(r *crec, f *storage.CustomerFilter, name string) bool {
	switch {
	case !r.live() && !f.IncludeDeleted,
		f.Email != "" && r.field(fAddress) != f.Email,
		f.Status != 0 && customer.Status(r.status) != f.Status,
		f.State != 0 && customer.State(r.state) != f.State,
		f.Type != 0 && customer.Type(r.typ) != f.Type,
		f.HasAccount != nil && r.hasAccount() != *f.HasAccount,
		!f.CreatedFrom.IsZero() && r.createdAt().Before(f.CreatedFrom),
		!f.CreatedTo.IsZero() && !r.createdAt().Before(f.CreatedTo):
		return false
	}
	for _, tag := range f.Tags {
		if !r.hasTag(tag) {
			return false
		}
	}
	if name != "" && !strings.Contains(storage.SearchKey(r.field(fFirstName)+" "+r.field(fLastName)), name) {
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
	if r, ok := d.customers.rec(id); !ok || !r.live() {
		return fmt.Errorf("customer %s: %w", id, storage.ErrCustomerNotLive)
	}
	return nil
}
