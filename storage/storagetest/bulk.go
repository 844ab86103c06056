package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// The storage.BulkLoader capability: many new customers, with their tags
// and address books, in a few statements, all or nothing.

func bulkCases() []testCase {
	return []testCase{
		{"CreateRoundTrip", needsBulk(bulkRoundTrip)},
		{"ManyChunks", needsBulk(bulkManyChunks)},
		{"ExistReportsLiveKeys", needsBulk(bulkExist)},
		{"ConflictWithExistingWritesNothing", needsBulk(bulkConflictExisting)},
		{"ConflictInsideBatchWritesNothing", needsBulk(bulkConflictInside)},
		{"InvalidWritesNothing", needsBulk(bulkInvalid)},
		{"RacingBatchesOneOfEachEmail", needsBulk(bulkRacing)},
		{"CanceledContextWritesNothing", needsBulk(bulkCanceled)},
	}
}

// needsBulk skips a case on a store whose Tx lacks the capability; run
// gets the loader of each transaction through load.
func needsBulk(run func(t *testing.T, e *env)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		var ok bool
		err := e.store.Atomic(e.ctx, func(_ context.Context, tx storage.Tx) error {
			_, ok = tx.(storage.BulkLoader)
			return nil
		})
		require.NoError(t, err)
		if !ok {
			t.Skipf("the store's Tx (%T) lacks the storage.BulkLoader capability", e.store)
		}
		run(t, e)
	}
}

// bulkCreate runs CreateCustomers in a transaction of its own.
func (e *env) bulkCreate(ctx context.Context, cs []storage.BulkCustomer) ([]storage.BulkCustomer, error) {
	var out []storage.BulkCustomer
	err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		out, err = tx.(storage.BulkLoader).CreateCustomers(ctx, cs)
		return err
	})
	return out, err
}

// bulkExist runs CustomersExist in a transaction of its own.
func (e *env) bulkExists(cs []customer.Customer) []bool {
	e.t.Helper()
	var out []bool
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		out, err = tx.(storage.BulkLoader).CustomersExist(ctx, cs)
		return err
	})
	require.NoError(e.t, err)
	return out
}

// bulkCustomer builds a guest with a tag, a reference and a book of n
// entries, the first the default shipping address.
func (e *env) bulkCustomer(n int, opts ...customerOption) storage.BulkCustomer {
	e.t.Helper()
	k := e.next()
	opts = append([]customerOption{withTags("bulk", fmt.Sprintf("t%d", k%3)), withReference("bulk", fmt.Sprintf("R%d", k))}, opts...)
	c := e.guest(opts...)
	b := address.Book{CustomerID: c.ID}
	for i := range n {
		en, err := b.Add(e.id(), validAddress(fmt.Sprintf("%d Bulk Street", i+1)), e.now())
		require.NoError(e.t, err)
		if i == 0 {
			require.NoError(e.t, b.SetDefault(en.ID, address.Shipping, e.now()))
		}
	}
	return storage.BulkCustomer{Customer: c, Book: b}
}

// requireAbsent fails unless none of cs was stored.
func (e *env) requireAbsent(cs []storage.BulkCustomer) {
	e.t.Helper()
	for _, bc := range cs {
		_, err := e.store.Customers().Get(e.ctx, bc.Customer.ID)
		require.ErrorIs(e.t, err, storage.ErrNotFound, "customer %s", bc.Customer.Email.Address)
		_, err = e.store.Addresses().Book(e.ctx, bc.Customer.ID)
		require.ErrorIs(e.t, err, storage.ErrNotFound, "book of %s", bc.Customer.Email.Address)
	}
}

func bulkRoundTrip(t *testing.T, e *env) {
	in := []storage.BulkCustomer{e.bulkCustomer(2), e.bulkCustomer(0), e.bulkCustomer(1)}
	out, err := e.bulkCreate(e.ctx, in)
	require.NoError(t, err)
	require.Len(t, out, len(in))
	for i, bc := range out {
		assert.Equal(t, in[i].Customer.ID, bc.Customer.ID)
		assert.Equal(t, int64(1), bc.Customer.Version)
		got := e.getCustomer(bc.Customer.ID)
		assert.Equal(t, bc.Customer, got, "the stored copy is what Get returns")
		book := e.book(bc.Customer.ID)
		require.Len(t, book.Entries, len(in[i].Book.Entries))
		assert.Equal(t, bc.Book.Entries, book.Entries, "the stored book is what Book returns")
		if len(book.Entries) > 0 {
			d, ok := book.Default(address.Shipping)
			require.True(t, ok)
			assert.Equal(t, in[i].Book.Entries[0].ID, d.ID)
		}
	}
	// The tags are indexed: the tag filter finds every customer.
	page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{Tags: []string{"bulk"}}, storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	assert.Len(t, page.Items, len(in))
	// Each is found by its keys.
	for _, bc := range in {
		got, err := e.store.Customers().GetByReference(e.ctx, "bulk", bc.Customer.Reference)
		require.NoError(t, err)
		assert.Equal(t, bc.Customer.ID, got.ID)
		got, err = e.store.Customers().GetByEmail(e.ctx, bc.Customer.Email.Address, false)
		require.NoError(t, err)
		assert.Equal(t, bc.Customer.ID, got.ID)
	}
	// Empty is fine.
	out, err = e.bulkCreate(e.ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, out)
}

func bulkManyChunks(t *testing.T, e *env) {
	// More rows than one statement takes (customers: 25 columns), so the
	// adapter chunks; every one must be in, and a too-long call refused.
	in := make([]storage.BulkCustomer, 0, 700)
	for range 700 {
		in = append(in, e.bulkCustomer(1))
	}
	_, err := e.bulkCreate(e.ctx, in)
	require.NoError(t, err)
	n := 0
	for p := (storage.PageRequest{Limit: 500}); ; {
		page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{Tags: []string{"bulk"}}, p)
		require.NoError(t, err)
		n += len(page.Items)
		if page.Next == "" {
			break
		}
		p.Cursor = page.Next
	}
	assert.Equal(t, len(in), n)
	assert.Len(t, e.book(in[699].Customer.ID).Entries, 1)

	tooMany := make([]storage.BulkCustomer, storage.MaxBulk+1)
	_, err = e.bulkCreate(e.ctx, tooMany)
	require.ErrorIs(t, err, storage.ErrTooLarge)
}

func bulkExist(t *testing.T, e *env) {
	e.createCustomer(e.guest(withReference("shop", "A1")))
	byEmail := e.createCustomer(e.guest())
	registered := e.createCustomer(e.registered())
	gone := e.createCustomer(e.guest(withReference("shop", "GONE")))
	e.deleteCustomer(gone.ID)
	probe := []customer.Customer{
		e.guest(withReference("shop", "A1")),                       // reference taken
		e.guest(withEmail(byEmail.Email.Address)),                  // email taken among guests
		e.guest(withEmail(registered.Email.Address)),               // a registered customer's email: not a guest's
		e.registered(withEmail(registered.Email.Address)),          // taken among registered
		e.guest(withReference("other", "A1")),                      // same reference, other origin
		e.guest(withReference("shop", "GONE"), withEmail("x@y.z")), // a deleted customer's keys are free
		e.guest(),
	}
	assert.Equal(t, []bool{true, true, false, true, false, false, false}, e.bulkExists(probe))
}

func bulkConflictExisting(t *testing.T, e *env) {
	taken := e.createCustomer(e.guest())
	byRef := e.createCustomer(e.guest(withReference("bulk", "TAKEN")))
	for name, clash := range map[string]storage.BulkCustomer{
		"email":     e.bulkCustomer(1, withEmail(taken.Email.Address)),
		"reference": e.bulkCustomer(1, withReference("bulk", "TAKEN")),
	} {
		in := []storage.BulkCustomer{e.bulkCustomer(1), clash, e.bulkCustomer(2)}
		var inner error
		err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			inner = e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
				_, err := tx.(storage.BulkLoader).CreateCustomers(ctx, in)
				return err
			})
			return nil // the enclosing transaction carries on, and commits
		})
		require.NoError(t, err, name)
		require.ErrorIs(t, inner, storage.ErrConflict, name)
		want := storage.ConstraintCustomerEmail
		if name == "reference" {
			want = storage.ConstraintCustomerReference
		}
		assert.True(t, storage.IsConflict(inner, want), "%s: %v", name, inner)
		e.requireAbsent(in)
	}
	assert.Equal(t, taken.ID, e.getCustomer(taken.ID).ID)
	assert.Equal(t, byRef.ID, e.getCustomer(byRef.ID).ID)
}

func bulkConflictInside(t *testing.T, e *env) {
	a := e.bulkCustomer(1)
	b := e.bulkCustomer(1, withEmail(a.Customer.Email.Address))
	c := e.bulkCustomer(1)
	d := e.bulkCustomer(0, withReference("bulk", a.Customer.Reference))
	for _, in := range [][]storage.BulkCustomer{{a, c, b}, {c, d, a}, {a, c, a}} {
		_, err := e.bulkCreate(e.ctx, in)
		require.ErrorIs(t, err, storage.ErrConflict)
		e.requireAbsent(in)
	}
}

func bulkInvalid(t *testing.T, e *env) {
	ok := e.bulkCustomer(1)
	bad := e.bulkCustomer(1)
	bad.Customer.FirstName = string([]byte{0xff})
	_, err := e.bulkCreate(e.ctx, []storage.BulkCustomer{ok, bad})
	require.ErrorIs(t, err, customer.ErrInvalid)
	badBook := e.bulkCustomer(1)
	badBook.Book.Entries[0].Country = "XX"
	_, err = e.bulkCreate(e.ctx, []storage.BulkCustomer{ok, badBook})
	require.ErrorIs(t, err, address.ErrInvalid)
	e.requireAbsent([]storage.BulkCustomer{ok, bad, badBook})
}

func bulkRacing(t *testing.T, e *env) {
	// Two batches share five emails; each writer, on a conflict, falls
	// back to creating its customers one by one and skipping taken keys,
	// as the import does. In the end every email is held exactly once.
	const n = 10
	emails := make([]string, n+5)
	for i := range emails {
		emails[i] = fmt.Sprintf("race-%d@example.com", i)
	}
	batch := func(from int) []storage.BulkCustomer {
		out := make([]storage.BulkCustomer, n)
		for i := range out {
			out[i] = e.bulkCustomer(1, withEmail(emails[from+i]))
		}
		return out
	}
	batches := [][]storage.BulkCustomer{batch(0), batch(5)}
	var wg sync.WaitGroup
	errs := make([]error, len(batches))
	for w, in := range batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
				l := tx.(storage.BulkLoader)
				err := e.store.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
					_, err := l.CreateCustomers(ctx, in)
					return err
				})
				if !errors.Is(err, storage.ErrConflict) {
					return err
				}
				for _, bc := range in {
					_, err := tx.Customers().Create(ctx, bc.Customer)
					if err != nil && !storage.IsConflict(err, storage.ConstraintCustomerEmail) {
						return err
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	for _, email := range emails {
		page, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{Email: email}, storage.PageRequest{Limit: 10})
		require.NoError(t, err)
		assert.Len(t, page.Items, 1, email)
	}
}

func bulkCanceled(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	in := []storage.BulkCustomer{e.bulkCustomer(1)}
	_, err := e.bulkCreate(ctx, in)
	require.ErrorIs(t, err, context.Canceled)
	e.requireAbsent(in)
	err = e.store.Atomic(e.ctx, func(_ context.Context, tx storage.Tx) error {
		_, err := tx.(storage.BulkLoader).CustomersExist(ctx, []customer.Customer{in[0].Customer})
		return err
	})
	require.ErrorIs(t, err, context.Canceled)
}
