package storage

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
)

// BulkLoader is the optional capability of creating many new customers with
// a few multi-row statements (on a Tx, found with a type assertion), which
// clientele.Bulk.Import uses for the rows that carry no groups, balances
// or password hash. A store without it still imports, one row at a time
// through the repositories.
type BulkLoader interface {
	// CustomersExist reports, for each customer of cs, whether a live
	// customer holds its reference (ReferenceOrigin, Reference), when
	// Reference is set, or its (Email.Address, HasAccount), in one or a few
	// queries. Its reads are plain reads: a customer committed meanwhile by
	// another transaction may be missed, and CreateCustomers then reports
	// the conflict. Errors: *LimitError when a key is longer than
	// MaxKeyBytes or cs is longer than MaxBulk.
	CustomersExist(ctx context.Context, cs []customer.Customer) ([]bool, error)

	// CreateCustomers inserts each customer of cs as Customers.Create
	// would (Version 1, its tags) with the entries of its address book
	// (Book.Stored of the customer's ID), with multi-row statements, and
	// returns the stored copies in order.
	//
	// It checks every record first and returns the first validation error
	// without writing anything. It returns a *ConflictError
	// (ConstraintPrimaryKey, ConstraintCustomerEmail or
	// ConstraintCustomerReference) when a key of one of cs is taken, by a
	// live customer or by another customer of cs; it may then have written
	// some rows and, like any write that fails halfway, loses the
	// transaction (see Store.Atomic): call it in a nested Atomic, whose
	// savepoint undoes it, to carry on without it. Errors also: *LimitError
	// when cs is longer than MaxBulk.
	CreateCustomers(ctx context.Context, cs []BulkCustomer) ([]BulkCustomer, error)
}

// MaxBulk is the most customers one BulkLoader call takes.
const MaxBulk = MaxIDs

// CheckBulk is the prologue of both BulkLoader methods: a *LimitError when
// there are more than MaxBulk customers, or a key (email, reference origin,
// reference) longer than MaxKeyBytes.
func CheckBulk(cs []customer.Customer) error {
	if len(cs) > MaxBulk {
		return &LimitError{Arg: "customers", Size: len(cs), Max: MaxBulk, Unit: "items"}
	}
	for _, c := range cs {
		if err := CheckKey("email", c.Email.Address); err != nil {
			return err
		}
		if err := CheckKey("reference_origin", c.ReferenceOrigin); err != nil {
			return err
		}
		if err := CheckKey("reference", c.Reference); err != nil {
			return err
		}
	}
	return nil
}

// BulkCustomer is a new customer and its address book, for
// BulkLoader.CreateCustomers.
type BulkCustomer struct {
	Customer customer.Customer
	// Book is the customer's address book; its entries' CustomerID is set
	// to Customer.ID when stored. It may have no entries.
	Book address.Book
}

// NewBulkCustomers is the prologue of BulkLoader.CreateCustomers: cs as
// stored (each customer as NewCustomer makes it, each book as
// address.Book.Stored makes it for the customer's ID), checked against the
// bounds and validated. A customer or entry ID that appears twice is a
// *ConflictError with ConstraintPrimaryKey.
func NewBulkCustomers(cs []BulkCustomer) ([]BulkCustomer, error) {
	if len(cs) > MaxBulk {
		return nil, &LimitError{Arg: "customers", Size: len(cs), Max: MaxBulk, Unit: "items"}
	}
	out := make([]BulkCustomer, len(cs))
	seen := make(map[uuid.UUID]bool, 2*len(cs))
	for i, bc := range cs {
		c, err := NewCustomer(bc.Customer)
		if err != nil {
			return nil, err
		}
		b, err := bc.Book.Stored(c.ID)
		if errors.Is(err, address.ErrSeveralDefaults) {
			return nil, Conflict(ConstraintAddressDefault, err)
		} else if err != nil {
			return nil, err
		}
		if seen[c.ID] {
			return nil, Conflict(ConstraintPrimaryKey, nil)
		}
		seen[c.ID] = true
		for _, e := range b.Entries {
			if seen[e.ID] {
				return nil, Conflict(ConstraintPrimaryKey, nil)
			}
			seen[e.ID] = true
		}
		out[i] = BulkCustomer{Customer: c, Book: b}
	}
	return out, nil
}
