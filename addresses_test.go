package clientele_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
)

func addr(line1 string) address.Address {
	return address.Address{FirstName: "Ada", LastName: "Lovelace", Line1: line1, City: "London", PostalCode: "W1", Country: "gb"}
}

func defaults(t *testing.T, b address.Book) (shipping, billing uuid.UUID) {
	t.Helper()
	if e, ok := b.Default(address.Shipping); ok {
		shipping = e.ID
	}
	if e, ok := b.Default(address.Billing); ok {
		billing = e.ID
	}
	return shipping, billing
}

// TestAddresses_Book is the must-show address book case.
func TestAddresses_Book(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")

	book, err := e.Addresses.Book(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, book.Entries)

	first, _, err := e.Addresses.Add(e.ctx, c.ID, addr(" 1 First St "))
	require.NoError(t, err)
	assert.Equal(t, "1 First St", first.Line1, "normalized")
	assert.Equal(t, "GB", first.Country)
	assert.Equal(t, c.ID, first.CustomerID)
	assert.True(t, first.DefaultShipping, "the first address becomes default shipping")
	assert.True(t, first.DefaultBilling, "and default billing")

	second, _, err := e.Addresses.Add(e.ctx, c.ID, addr("2 Second St"))
	require.NoError(t, err)
	assert.False(t, second.DefaultShipping)
	assert.False(t, second.DefaultBilling)
	third, book3, err := e.Addresses.Add(e.ctx, c.ID, addr("3 Third St"))
	require.NoError(t, err)
	require.Len(t, book3.Entries, 3, "Add returns the book after the change")
	assert.Equal(t, third, book3.Entries[2], "and the entry as stored")
	stored, err := e.Addresses.Book(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, stored, book3)

	t.Run("set default", func(t *testing.T) {
		book, err := e.Addresses.SetDefault(e.ctx, c.ID, third.ID, address.Shipping)
		require.NoError(t, err)
		s, b := defaults(t, book)
		assert.Equal(t, third.ID, s)
		assert.Equal(t, first.ID, b, "billing untouched")
		book, err = e.Addresses.SetDefault(e.ctx, c.ID, second.ID, address.Billing)
		require.NoError(t, err)
		s, b = defaults(t, book)
		assert.Equal(t, third.ID, s)
		assert.Equal(t, second.ID, b)
		_, err = e.Addresses.SetDefault(e.ctx, c.ID, uuid.New(), address.Billing)
		require.ErrorIs(t, err, address.ErrNotFound)
		_, err = e.Addresses.SetDefault(e.ctx, c.ID, first.ID, address.Kind(0))
		require.ErrorIs(t, err, address.ErrInvalid)
	})

	t.Run("patch semantics via Update", func(t *testing.T) {
		got, _, err := e.Addresses.Update(e.ctx, c.ID, second.ID, address.Patch{Line2: ptr("Flat 4"), Phone: ptr("+44 20 7946 0958")})
		require.NoError(t, err)
		assert.Equal(t, "2 Second St", got.Line1, "nil fields stay")
		assert.Equal(t, "Flat 4", got.Line2)
		assert.Equal(t, "+442079460958", got.Phone, "normalized to E.164")
		assert.True(t, got.DefaultBilling, "defaults stay")
		got, _, err = e.Addresses.Update(e.ctx, c.ID, second.ID, address.Patch{Line2: ptr("")})
		require.NoError(t, err)
		assert.Empty(t, got.Line2, `"" clears an optional field`)
		assert.Equal(t, "+442079460958", got.Phone)

		_, _, err = e.Addresses.Update(e.ctx, c.ID, second.ID, address.Patch{City: ptr(""), Line2: ptr("x")})
		require.ErrorIs(t, err, address.ErrInvalid, "clearing a required field")
		_, _, err = e.Addresses.Update(e.ctx, c.ID, second.ID, address.Patch{Country: ptr("ZZ")})
		require.ErrorIs(t, err, address.ErrInvalid)
		book, err := e.Addresses.Book(e.ctx, c.ID)
		require.NoError(t, err)
		stored, _ := book.Get(second.ID)
		assert.Empty(t, stored.Line2, "a failed update writes nothing")
		_, _, err = e.Addresses.Update(e.ctx, c.ID, uuid.New(), address.Patch{Line2: ptr("x")})
		require.ErrorIs(t, err, address.ErrNotFound)
	})

	t.Run("removing a default makes the oldest remaining entry that default", func(t *testing.T) {
		// Now: shipping = third, billing = second.
		_, err = e.Addresses.Remove(e.ctx, c.ID, third.ID)
		require.NoError(t, err)
		book, err := e.Addresses.Book(e.ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, book.Entries, 2)
		s, b := defaults(t, book)
		assert.Equal(t, first.ID, s, "oldest remaining takes over shipping")
		assert.Equal(t, second.ID, b, "billing untouched")

		_, err = e.Addresses.Remove(e.ctx, c.ID, second.ID)
		require.NoError(t, err)
		book, err = e.Addresses.Book(e.ctx, c.ID)
		require.NoError(t, err)
		s, b = defaults(t, book)
		assert.Equal(t, first.ID, s)
		assert.Equal(t, first.ID, b)

		_, err = e.Addresses.Remove(e.ctx, c.ID, second.ID)
		require.ErrorIs(t, err, address.ErrNotFound)
		_, err = e.Addresses.Remove(e.ctx, c.ID, first.ID)
		require.NoError(t, err)
		book, err = e.Addresses.Book(e.ctx, c.ID)
		require.NoError(t, err)
		assert.Empty(t, book.Entries, "the last entry leaves an empty book")
		again, _, err := e.Addresses.Add(e.ctx, c.ID, addr("4 Fourth St"))
		require.NoError(t, err)
		assert.True(t, again.DefaultShipping && again.DefaultBilling)
	})

	t.Run("invalid address", func(t *testing.T) {
		for _, a := range []address.Address{{}, {Line1: "x", City: "y", Country: "XX"}, {Line1: "x", City: "y", Country: "DE", Phone: "abc"}} {
			_, _, err := e.Addresses.Add(e.ctx, c.ID, a)
			require.ErrorIs(t, err, address.ErrInvalid, "%+v", a)
		}
	})

	t.Run("deleted and unknown customers", func(t *testing.T) {
		d := e.register(t, "gone@example.com")
		entry, _, err := e.Addresses.Add(e.ctx, d.ID, addr("1 Gone St"))
		require.NoError(t, err)
		require.NoError(t, e.Customers.Delete(e.ctx, d.ID))
		for _, id := range []uuid.UUID{d.ID, uuid.New()} {
			_, err := e.Addresses.Book(e.ctx, id)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, _, err = e.Addresses.Add(e.ctx, id, addr("x"))
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, _, err = e.Addresses.Update(e.ctx, id, entry.ID, address.Patch{Line2: ptr("x")})
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, err = e.Addresses.SetDefault(e.ctx, id, entry.ID, address.Billing)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			_, err = e.Addresses.Remove(e.ctx, id, entry.ID)
			assert.ErrorIs(t, err, customer.ErrNotFound)
		}
	})
}

func TestAddresses_BookFull(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	for i := range address.MaxEntries {
		_, _, err := e.Addresses.Add(e.ctx, c.ID, addr(fmt.Sprint(i, " Main St")))
		require.NoError(t, err)
	}
	_, _, err := e.Addresses.Add(e.ctx, c.ID, addr("one too many"))
	require.ErrorIs(t, err, address.ErrBookFull)
}
