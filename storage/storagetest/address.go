package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/storage"
)

func addressCases() []testCase {
	return []testCase{
		{"BookOfMissingCustomer", addressBookOfMissingCustomer},
		{"EmptyBook", addressEmptyBook},
		{"RoundTripEveryField", addressRoundTrip},
		{"BookOrderedByCreatedAtID", addressBookOrdered},
		{"UpdateBookStoresDifference", addressUpdateBookStoresDifference},
		{"UpdateBookFnErrorWritesNothing", addressUpdateBookFnError},
		{"UpdateBookTwoDefaultShippingConflicts", addressTwoDefaultShipping},
		{"UpdateBookTwoDefaultBillingConflicts", addressTwoDefaultBilling},
		{"UpdateBookMissingCustomer", addressUpdateBookMissingCustomer},
		{"BooksArePerCustomer", addressBooksArePerCustomer},
		{"EntryIDsUniqueAcrossBooks", addressEntryIDsUniqueAcrossBooks},
	}
}

// addEntries adds addresses to the customer's book through UpdateBook and
// returns the stored book.
func (e *env) addEntries(customerID uuid.UUID, lines ...string) address.Book {
	e.t.Helper()
	book, err := e.store.Addresses().UpdateBook(e.ctx, customerID, func(b *address.Book) error {
		for _, l := range lines {
			if _, err := b.Add(e.id(), validAddress(l), e.now()); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(e.t, err, "adding addresses")
	return book
}

func (e *env) book(customerID uuid.UUID) address.Book {
	e.t.Helper()
	b, err := e.store.Addresses().Book(e.ctx, customerID)
	require.NoError(e.t, err, "reading the address book")
	return b
}

func addressBookOfMissingCustomer(t *testing.T, e *env) {
	_, err := e.store.Addresses().Book(e.ctx, e.id())
	requireNotFound(t, err)
}

func addressEmptyBook(t *testing.T, e *env) {
	c := e.newCustomer()
	b := e.book(c.ID)
	assert.Equal(t, c.ID, b.CustomerID, "an empty book still names its customer")
	assert.Empty(t, b.Entries)

	// UpdateBook hands fn the same empty book, ready for Add.
	out, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		assert.Equal(t, c.ID, b.CustomerID)
		assert.Empty(t, b.Entries)
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, out.Entries)
}

func addressRoundTrip(t *testing.T, e *env) {
	c := e.newCustomer()
	var want address.Book
	out, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for _, a := range []address.Address{
			validAddress("Unter den Linden 1"),
			{
				FirstName: "Zoë", LastName: "Ångström", Company: "Ørsted & Co.",
				Line1: "Rue de l'Église 12", Line2: "Bâtiment C, 3ᵉ étage", City: "Genève",
				PostalCode: "1204", Province: "GE", Country: "CH", Phone: "+41 22 123 45 67",
			},
			{Line1: "1 Infinite Loop", City: "Cupertino", Country: "US"},
		} {
			if _, err := b.Add(e.id(), a, e.now()); err != nil {
				return err
			}
		}
		// Move the billing default to the second entry.
		require.NoError(t, b.SetDefault(b.Entries[1].ID, address.Billing, e.now()))
		want = b.Clone()
		return nil
	})
	require.NoError(t, err)
	require.Len(t, want.Entries, 3)
	assertBook(t, want, out, "UpdateBook's result")
	assertBook(t, want, e.book(c.ID), "Book")

	ship, ok := out.Default(address.Shipping)
	require.True(t, ok)
	assert.Equal(t, want.Entries[0].ID, ship.ID)
	bill, ok := out.Default(address.Billing)
	require.True(t, ok)
	assert.Equal(t, want.Entries[1].ID, bill.ID)
}

func addressBookOrdered(t *testing.T, e *env) {
	c := e.newCustomer()
	t0 := e.now()
	mk := func(at time.Time, line string, ship, bill bool) address.Entry {
		a, err := address.Parse(validAddress(line))
		require.NoError(t, err)
		return address.Entry{ID: e.id(), CustomerID: c.ID, Address: a, DefaultShipping: ship, DefaultBilling: bill, CreatedAt: at, UpdatedAt: at}
	}
	entries := []address.Entry{
		mk(t0.Add(2*time.Second), "Third", false, false),
		mk(t0, "First A", true, false),
		mk(t0.Add(time.Second), "Second", false, true),
		mk(t0, "First B", false, false),
	}
	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		b.Entries = entries // deliberately out of order
		return nil
	})
	require.NoError(t, err)

	want := slices.Clone(entries)
	sortByTimeID(want, func(x address.Entry) (time.Time, uuid.UUID) { return x.CreatedAt, x.ID })
	got := e.book(c.ID)
	assertBook(t, address.Book{CustomerID: c.ID, Entries: want}, got, "Book is ordered by (CreatedAt, ID)")
}

func addressUpdateBookStoresDifference(t *testing.T, e *env) {
	c := e.newCustomer()
	b := e.addEntries(c.ID, "One", "Two", "Three")
	one, two, three := b.Entries[0], b.Entries[1], b.Entries[2]
	require.True(t, one.DefaultShipping && one.DefaultBilling)

	var want address.Book
	out, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		if err := b.Remove(one.ID); err != nil {
			return err
		}
		if _, err := b.Update(three.ID, address.Patch{Line2: ptr("Changed")}, e.now()); err != nil {
			return err
		}
		if _, err := b.Add(e.id(), validAddress("Four"), e.now()); err != nil {
			return err
		}
		want = b.Clone()
		return nil
	})
	require.NoError(t, err)
	require.Len(t, out.Entries, 3)
	assertBook(t, want, out)
	got := e.book(c.ID)
	assertBook(t, want, got)
	_, ok := got.Get(one.ID)
	assert.False(t, ok, "the removed entry is gone")
	e2, ok := got.Get(two.ID)
	require.True(t, ok)
	assert.True(t, e2.DefaultShipping && e2.DefaultBilling, "the defaults moved to the oldest remaining entry")
	e3, ok := got.Get(three.ID)
	require.True(t, ok)
	assert.Equal(t, "Changed", e3.Line2)

	// Removing everything leaves an empty book.
	_, err = e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for len(b.Entries) > 0 {
			if err := b.Remove(b.Entries[0].ID); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, e.book(c.ID).Entries)
}

func addressUpdateBookFnError(t *testing.T, e *env) {
	c := e.newCustomer()
	before := e.addEntries(c.ID, "One", "Two")
	want := &sentinel{"book update refused"}
	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		b.Entries[0].Line1 = "Mutated in place"
		if err := b.Remove(b.Entries[1].ID); err != nil {
			return err
		}
		if _, err := b.Add(e.id(), validAddress("Three"), e.now()); err != nil {
			return err
		}
		return want
	})
	requireSame(t, want, err)
	assertBook(t, before, e.book(c.ID), "nothing is written when fn fails")
}

func addressTwoDefaultShipping(t *testing.T, e *env) {
	c := e.newCustomer()
	before := e.addEntries(c.ID, "One", "Two")
	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for i := range b.Entries {
			b.Entries[i].DefaultShipping = true
		}
		return nil
	})
	requireConflict(t, err, storage.ConstraintAddressDefault)
	assertBook(t, before, e.book(c.ID), "nothing is written on conflict")
}

func addressTwoDefaultBilling(t *testing.T, e *env) {
	c := e.newCustomer()
	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for _, l := range []string{"One", "Two"} {
			en, err := b.Add(e.id(), validAddress(l), e.now())
			if err != nil {
				return err
			}
			b.Entries[slices.IndexFunc(b.Entries, func(x address.Entry) bool { return x.ID == en.ID })].DefaultBilling = true
		}
		return nil
	})
	requireConflict(t, err, storage.ConstraintAddressDefault)
	assert.Empty(t, e.book(c.ID).Entries, "nothing is written on conflict")
}

func addressUpdateBookMissingCustomer(t *testing.T, e *env) {
	called := false
	_, err := e.store.Addresses().UpdateBook(e.ctx, e.id(), func(*address.Book) error {
		called = true
		return nil
	})
	requireNotLive(t, err)
	assert.False(t, called, "fn is not called for a missing customer")
}

func addressBooksArePerCustomer(t *testing.T, e *env) {
	a := e.newCustomer()
	b := e.newCustomer()
	ba := e.addEntries(a.ID, "A1", "A2")
	e.addEntries(b.ID, "B1")
	assertBook(t, ba, e.book(a.ID))
	got := e.book(b.ID)
	require.Len(t, got.Entries, 1)
	assert.Equal(t, "B1", got.Entries[0].Line1)
	assert.Equal(t, b.ID, got.Entries[0].CustomerID)
}

// addressEntryIDsUniqueAcrossBooks: an entry ID is a primary key: another
// customer's book cannot take it, nor can one book hold it twice. Once an
// entry is removed, its ID is free again.
func addressEntryIDsUniqueAcrossBooks(t *testing.T, e *env) {
	a, b := e.newCustomer(), e.newCustomer()
	aBook := e.addEntries(a.ID, "Kept Street 1")
	taken := aBook.Entries[0]
	_, err := e.store.Addresses().UpdateBook(e.ctx, b.ID, func(book *address.Book) error {
		x := taken
		x.CustomerID = b.ID
		book.Entries = append(book.Entries, x)
		return nil
	})
	requireConflict(t, err, storage.ConstraintPrimaryKey, "another customer's entry ID")
	assert.Empty(t, e.book(b.ID).Entries)
	_, err = e.store.Addresses().UpdateBook(e.ctx, a.ID, func(book *address.Book) error {
		dup := book.Entries[0]
		dup.DefaultShipping, dup.DefaultBilling = false, false
		book.Entries = append(book.Entries, dup)
		return nil
	})
	require.ErrorIs(t, err, address.ErrInvalid, "one entry ID twice in a book")
	assert.Equal(t, aBook, e.book(a.ID))

	// Freed by removal, the ID can be used by another book.
	_, err = e.store.Addresses().UpdateBook(e.ctx, a.ID, func(book *address.Book) error {
		book.Entries = nil
		return nil
	})
	require.NoError(t, err)
	_, err = e.store.Addresses().UpdateBook(e.ctx, b.ID, func(book *address.Book) error {
		x := taken
		x.CustomerID = b.ID
		book.Entries = append(book.Entries, x)
		return nil
	})
	require.NoError(t, err, "a removed entry's ID is free")
}
