package address_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
)

var (
	customerID = uuid.MustParse("00000000-0000-0000-0000-0000000000c1")
	t0         = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func id(n int) uuid.UUID { return uuid.MustParse(fmt.Sprintf("00000000-0000-0000-0000-%012d", n)) }

func addr(line string) address.Address {
	return address.Address{Line1: line, City: "Berlin", Country: "DE"}
}

// newBook returns a book with entries id(1)..id(n) added one minute apart.
func newBook(t *testing.T, n int) *address.Book {
	t.Helper()
	b := &address.Book{CustomerID: customerID}
	for i := 1; i <= n; i++ {
		_, err := b.Add(id(i), addr(fmt.Sprintf("Street %d", i)), t0.Add(time.Duration(i)*time.Minute))
		require.NoError(t, err)
	}
	require.NoError(t, b.Validate())
	return b
}

func defaults(t *testing.T, b *address.Book) (shipping, billing uuid.UUID) {
	t.Helper()
	if e, ok := b.Default(address.Shipping); ok {
		shipping = e.ID
	}
	if e, ok := b.Default(address.Billing); ok {
		billing = e.ID
	}
	require.NoError(t, b.Validate())
	return shipping, billing
}

func ids(b *address.Book) []uuid.UUID {
	var out []uuid.UUID
	for _, e := range b.Entries {
		out = append(out, e.ID)
	}
	return out
}

func TestBookAdd(t *testing.T) {
	t.Run("first entry becomes both defaults", func(t *testing.T) {
		b := &address.Book{CustomerID: customerID}
		local := t0.In(time.FixedZone("CEST", 2*3600))
		e, err := b.Add(id(1), address.Address{Line1: " Street 1 ", City: "Berlin", Country: "de"}, local)
		require.NoError(t, err)
		assert.True(t, e.DefaultShipping)
		assert.True(t, e.DefaultBilling)
		assert.Equal(t, customerID, e.CustomerID)
		assert.Equal(t, "Street 1", e.Line1, "address is normalized")
		assert.Equal(t, "DE", e.Country)
		assert.Equal(t, time.UTC, e.CreatedAt.Location(), "times are stored as UTC")
		assert.True(t, e.CreatedAt.Equal(t0))
		assert.Equal(t, e.CreatedAt, e.UpdatedAt)
		got, ok := b.Get(id(1))
		require.True(t, ok)
		assert.Equal(t, e, got)
	})
	t.Run("later entries are not defaults", func(t *testing.T) {
		b := newBook(t, 3)
		for _, n := range []int{2, 3} {
			e, ok := b.Get(id(n))
			require.True(t, ok)
			assert.False(t, e.DefaultShipping)
			assert.False(t, e.DefaultBilling)
		}
		s, bl := defaults(t, b)
		assert.Equal(t, id(1), s)
		assert.Equal(t, id(1), bl)
	})
	t.Run("entries are ordered by created at then id", func(t *testing.T) {
		b := &address.Book{CustomerID: customerID}
		for _, step := range []struct {
			id  int
			min int
		}{{5, 2}, {3, 1}, {9, 2}, {1, 2}, {7, 0}} {
			_, err := b.Add(id(step.id), addr("x"), t0.Add(time.Duration(step.min)*time.Minute))
			require.NoError(t, err)
		}
		assert.Equal(t, []uuid.UUID{id(7), id(3), id(1), id(5), id(9)}, ids(b))
		require.NoError(t, b.Validate())
	})
	t.Run("book full", func(t *testing.T) {
		b := newBook(t, address.MaxEntries)
		before := b.Clone()
		_, err := b.Add(id(1000), addr("one too many"), t0.Add(time.Hour))
		require.ErrorIs(t, err, address.ErrBookFull)
		assert.Equal(t, before, *b, "unchanged on error")
	})
	t.Run("invalid address", func(t *testing.T) {
		b := newBook(t, 1)
		before := b.Clone()
		_, err := b.Add(id(2), address.Address{Line1: "x", City: "y", Country: "EU"}, t0)
		requireField(t, err, "country")
		assert.Equal(t, before, *b)
	})
	t.Run("invalid ids", func(t *testing.T) {
		b := newBook(t, 1)
		before := b.Clone()
		_, err := b.Add(uuid.Nil, addr("x"), t0)
		requireField(t, err, "id")
		_, err = b.Add(id(1), addr("x"), t0)
		requireField(t, err, "id")
		assert.Equal(t, before, *b)

		var noCustomer address.Book
		_, err = noCustomer.Add(id(1), addr("x"), t0)
		requireField(t, err, "customer_id")
		assert.Empty(t, noCustomer.Entries)
	})
	t.Run("does not write to a shared backing array", func(t *testing.T) {
		b := &address.Book{CustomerID: customerID, Entries: make([]address.Entry, 0, 10)}
		_, err := b.Add(id(1), addr("a"), t0)
		require.NoError(t, err)
		snapshot := *b // shares the slice
		_, err = b.Add(id(2), addr("b"), t0.Add(-time.Minute))
		require.NoError(t, err)
		assert.Equal(t, []uuid.UUID{id(1)}, ids(&snapshot))
		assert.Equal(t, []uuid.UUID{id(2), id(1)}, ids(b))
	})
}

func TestBookUpdate(t *testing.T) {
	t.Run("patch keeps unset fields", func(t *testing.T) {
		b := newBook(t, 2)
		before, _ := b.Get(id(2))
		later := t0.Add(time.Hour)
		e, err := b.Update(id(2), address.Patch{City: ptr(" Hamburg "), Phone: ptr("+49 30 123456")}, later)
		require.NoError(t, err)
		assert.Equal(t, "Hamburg", e.City)
		assert.Equal(t, "+4930123456", e.Phone)
		assert.Equal(t, before.Line1, e.Line1)
		assert.Equal(t, before.Country, e.Country)
		assert.Equal(t, before.CreatedAt, e.CreatedAt)
		assert.True(t, e.UpdatedAt.Equal(later))
		got, _ := b.Get(id(2))
		assert.Equal(t, e, got)
		s, bl := defaults(t, b)
		assert.Equal(t, id(1), s, "defaults unchanged")
		assert.Equal(t, id(1), bl)
	})
	t.Run("zero patch changes nothing", func(t *testing.T) {
		b := newBook(t, 1)
		before := b.Clone()
		e, err := b.Update(id(1), address.Patch{}, t0.Add(time.Hour))
		require.NoError(t, err)
		assert.Equal(t, before.Entries[0], e)
		assert.Equal(t, before, *b)
	})
	t.Run("result is revalidated", func(t *testing.T) {
		b := newBook(t, 1)
		before := b.Clone()
		_, err := b.Update(id(1), address.Patch{City: ptr("")}, t0)
		requireField(t, err, "city")
		_, err = b.Update(id(1), address.Patch{Country: ptr("DEU")}, t0)
		requireField(t, err, "country")
		assert.Equal(t, before, *b)
	})
	t.Run("unknown id", func(t *testing.T) {
		b := newBook(t, 1)
		before := b.Clone()
		_, err := b.Update(id(99), address.Patch{City: ptr("Bonn")}, t0)
		require.ErrorIs(t, err, address.ErrNotFound)
		assert.Equal(t, before, *b)
	})
}

func TestBookSetDefault(t *testing.T) {
	t.Run("moves one kind and clears the previous", func(t *testing.T) {
		b := newBook(t, 3)
		later := t0.Add(time.Hour)
		require.NoError(t, b.SetDefault(id(3), address.Shipping, later))
		s, bl := defaults(t, b)
		assert.Equal(t, id(3), s)
		assert.Equal(t, id(1), bl, "billing default untouched")
		e1, _ := b.Get(id(1))
		e3, _ := b.Get(id(3))
		assert.False(t, e1.DefaultShipping)
		assert.True(t, e1.DefaultBilling)
		assert.True(t, e1.UpdatedAt.Equal(later))
		assert.True(t, e3.UpdatedAt.Equal(later))
		e2, _ := b.Get(id(2))
		assert.False(t, e2.UpdatedAt.Equal(later), "unaffected entries keep UpdatedAt")

		require.NoError(t, b.SetDefault(id(2), address.Billing, later))
		s, bl = defaults(t, b)
		assert.Equal(t, id(3), s)
		assert.Equal(t, id(2), bl)
	})
	t.Run("setting the current default changes nothing", func(t *testing.T) {
		b := newBook(t, 2)
		before := b.Clone()
		require.NoError(t, b.SetDefault(id(1), address.Billing, t0.Add(time.Hour)))
		assert.Equal(t, before, *b)
	})
	t.Run("unknown id", func(t *testing.T) {
		b := newBook(t, 2)
		before := b.Clone()
		require.ErrorIs(t, b.SetDefault(id(99), address.Shipping, t0), address.ErrNotFound)
		assert.Equal(t, before, *b)
	})
	t.Run("invalid kind", func(t *testing.T) {
		b := newBook(t, 2)
		before := b.Clone()
		requireField(t, b.SetDefault(id(2), address.Kind(0), t0), "kind")
		assert.Equal(t, before, *b)
	})
}

func TestBookRemove(t *testing.T) {
	t.Run("removing a non-default keeps the defaults", func(t *testing.T) {
		b := newBook(t, 3)
		require.NoError(t, b.Remove(id(2)))
		assert.Equal(t, []uuid.UUID{id(1), id(3)}, ids(b))
		s, bl := defaults(t, b)
		assert.Equal(t, id(1), s)
		assert.Equal(t, id(1), bl)
	})
	t.Run("removing a default promotes the oldest remaining entry", func(t *testing.T) {
		b := newBook(t, 4)
		require.NoError(t, b.SetDefault(id(3), address.Shipping, t0.Add(time.Hour)))
		require.NoError(t, b.Remove(id(3)))
		s, bl := defaults(t, b)
		assert.Equal(t, id(1), s, "oldest remaining entry becomes default shipping")
		assert.Equal(t, id(1), bl)

		require.NoError(t, b.Remove(id(1)))
		s, bl = defaults(t, b)
		assert.Equal(t, id(2), s)
		assert.Equal(t, id(2), bl)
	})
	t.Run("only the removed kind moves", func(t *testing.T) {
		b := newBook(t, 3)
		require.NoError(t, b.SetDefault(id(3), address.Billing, t0.Add(time.Hour)))
		require.NoError(t, b.Remove(id(3)))
		s, bl := defaults(t, b)
		assert.Equal(t, id(1), s)
		assert.Equal(t, id(1), bl)
	})
	t.Run("ties on created at are broken by id bytes", func(t *testing.T) {
		b := &address.Book{CustomerID: customerID}
		_, err := b.Add(id(1), addr("first"), t0)
		require.NoError(t, err)
		_, err = b.Add(id(9), addr("same time, larger id"), t0.Add(time.Minute))
		require.NoError(t, err)
		_, err = b.Add(id(5), addr("same time, smaller id"), t0.Add(time.Minute))
		require.NoError(t, err)
		require.NoError(t, b.Remove(id(1)))
		s, bl := defaults(t, b)
		assert.Equal(t, id(5), s)
		assert.Equal(t, id(5), bl)
	})
	t.Run("removing the last entry leaves no default", func(t *testing.T) {
		b := newBook(t, 1)
		require.NoError(t, b.Remove(id(1)))
		assert.Empty(t, b.Entries)
		_, ok := b.Default(address.Shipping)
		assert.False(t, ok)
		_, ok = b.Default(address.Billing)
		assert.False(t, ok)
		require.NoError(t, b.Validate())

		e, err := b.Add(id(2), addr("again"), t0.Add(time.Hour))
		require.NoError(t, err)
		assert.True(t, e.DefaultShipping && e.DefaultBilling, "the next entry is the first again")
	})
	t.Run("unknown id", func(t *testing.T) {
		b := newBook(t, 2)
		before := b.Clone()
		require.ErrorIs(t, b.Remove(id(99)), address.ErrNotFound)
		assert.Equal(t, before, *b)
	})
	t.Run("does not write to a shared backing array", func(t *testing.T) {
		b := newBook(t, 3)
		snapshot := *b
		require.NoError(t, b.Remove(id(1)))
		assert.Equal(t, []uuid.UUID{id(1), id(2), id(3)}, ids(&snapshot))
		assert.True(t, snapshot.Entries[0].DefaultShipping)
		assert.False(t, snapshot.Entries[1].DefaultShipping)
	})
}

func TestBookGetDefaultClone(t *testing.T) {
	b := newBook(t, 2)
	_, ok := b.Get(id(42))
	assert.False(t, ok)
	_, ok = b.Default(address.Kind(7))
	assert.False(t, ok)
	assert.Equal(t, 2, b.Len())

	c := b.Clone()
	c.Entries[0].City = "Changed"
	e, _ := b.Get(id(1))
	assert.Equal(t, "Berlin", e.City, "clone shares no entries")
}

func TestBookValidate(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*address.Book)
		field string
	}{
		{"no customer", func(b *address.Book) { b.CustomerID = uuid.Nil }, "customer_id"},
		{"foreign entry", func(b *address.Book) { b.Entries[1].CustomerID = id(77) }, "customer_id"},
		{"nil entry id", func(b *address.Book) { b.Entries[1].ID = uuid.Nil }, "id"},
		{"duplicate id", func(b *address.Book) { b.Entries[1].ID = id(1) }, "id"},
		{"out of order", func(b *address.Book) { b.Entries[0], b.Entries[1] = b.Entries[1], b.Entries[0] }, "entries"},
		{"two default shipping", func(b *address.Book) { b.Entries[1].DefaultShipping = true }, "entries"},
		{"no default billing", func(b *address.Book) { b.Entries[0].DefaultBilling = false }, "entries"},
		{"invalid address", func(b *address.Book) { b.Entries[1].Country = "ZZ" }, "country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBook(t, 3)
			tt.edit(b)
			requireField(t, b.Validate(), tt.field)
		})
	}
}

func TestBookStored(t *testing.T) {
	owner := uuid.New()
	at := time.Date(2025, 1, 2, 3, 4, 5, 6789, time.FixedZone("X", 3600))
	a := address.Entry{ID: uuid.MustParse("00000000-0000-4000-8000-000000000002"), CustomerID: uuid.New(),
		Address: valid(), DefaultShipping: true, DefaultBilling: true, CreatedAt: at, UpdatedAt: at}
	b := a
	b.ID = uuid.MustParse("00000000-0000-4000-8000-000000000001")
	b.DefaultShipping, b.DefaultBilling = false, false
	book := address.Book{Entries: []address.Entry{a, b}}

	got, err := book.Stored(owner)
	require.NoError(t, err)
	assert.Equal(t, owner, got.CustomerID)
	require.Len(t, got.Entries, 2)
	assert.Equal(t, b.ID, got.Entries[0].ID, "ordered by (CreatedAt, ID)")
	for _, e := range got.Entries {
		assert.Equal(t, owner, e.CustomerID)
		assert.Equal(t, at.UTC().Truncate(time.Microsecond), e.CreatedAt)
		assert.Equal(t, time.UTC, e.CreatedAt.Location())
	}
	got.Entries[0].City = "changed"
	assert.NotEqual(t, "changed", book.Entries[1].City, "a copy")

	two := book
	two.Entries = []address.Entry{a, a}
	two.Entries[1].ID = uuid.New()
	_, err = two.Stored(owner)
	assert.ErrorIs(t, err, address.ErrSeveralDefaults)

	bad := book
	bad.Entries = []address.Entry{a}
	bad.Entries[0].Country = "XX"
	_, err = bad.Stored(owner)
	assert.ErrorIs(t, err, address.ErrInvalid)
}
