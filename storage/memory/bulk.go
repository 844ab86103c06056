package memory

import (
	"context"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

var _ storage.BulkLoader = repos{}

// CustomersExist reports which of cs a live customer holds a key of. See
// storage.BulkLoader.
func (r repos) CustomersExist(ctx context.Context, cs []customer.Customer) ([]bool, error) {
	if err := storage.CheckBulk(cs); err != nil {
		return nil, err
	}
	out := make([]bool, len(cs))
	err := r.read(ctx, func(d *db) error {
		for i, c := range cs {
			if c.Reference != "" {
				if _, ok := d.customerByRef[refKey{c.ReferenceOrigin, c.Reference}]; ok {
					out[i] = true
					continue
				}
			}
			_, out[i] = d.customerByEmail[b2i(c.HasAccount)][c.Email.Address]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CreateCustomers inserts cs with their address books, all or nothing. See
// storage.BulkLoader.
func (r repos) CreateCustomers(ctx context.Context, cs []storage.BulkCustomer) ([]storage.BulkCustomer, error) {
	out, err := storage.NewBulkCustomers(cs)
	if err != nil {
		return nil, err
	}
	err = r.write(ctx, func(t *txn) error {
		d := t.db
		for _, bc := range out {
			c := bc.Customer
			if d.customers.has(c.ID) {
				return storage.Conflict(storage.ConstraintPrimaryKey, nil)
			}
			if err := d.customerKeysFree(&c); err != nil {
				return err
			}
			for _, e := range bc.Book.Entries {
				if _, ok := d.addressOwner[e.ID]; ok {
					return storage.Conflict(storage.ConstraintPrimaryKey, nil)
				}
			}
			if _, err := d.addCustomer(t, &c); err != nil {
				return err
			}
			for _, e := range bc.Book.Entries {
				put(t, d.addressOwner, e.ID, c.ID)
			}
			if len(bc.Book.Entries) > 0 {
				put(t, d.books, c.ID, bc.Book)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i] = storage.BulkCustomer{Customer: out[i].Customer.Clone(), Book: out[i].Book.Clone()}
	}
	return out, nil
}
