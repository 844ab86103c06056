package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

var tableNow = time.Date(2025, 3, 14, 15, 9, 26, 123456000, time.UTC)

// A record gives back exactly the customer it was made from: every field,
// nil and empty tags and metadata told apart, the display spelling.
func TestRecordRoundTrip(t *testing.T) {
	deleted := tableNow.Add(time.Hour)
	full := customer.Customer{
		ID:              uuid.New(),
		Email:           customer.Email{Address: "bob@xn--bcher-kva.de", Display: "Bob@Bücher.de"},
		HasAccount:      true,
		HasPassword:     true,
		Status:          customer.StatusRepeat,
		State:           customer.StateDisabled,
		Type:            customer.TypeBusiness,
		FirstName:       "Bob",
		LastName:        "Bücher",
		Phone:           "+49301234567",
		Company:         "Bücher GmbH",
		VATID:           "DE123456789",
		Note:            "line one\nline two",
		Tags:            []string{"a", "vip"},
		Metadata:        map[string]string{"k": "v", "empty": "", "long": string(make([]byte, 300))},
		Reference:       "C-1",
		ReferenceOrigin: "erp",
		OrderCount:      42,
		CreatedAt:       tableNow,
		UpdatedAt:       tableNow.Add(time.Minute),
		DeletedAt:       &deleted,
		Version:         7,
	}
	plain := customer.Customer{
		ID:        uuid.New(),
		Email:     customer.Email{Address: "ann@example.com", Display: "ann@example.com"},
		Status:    customer.StatusProspect,
		State:     customer.StateGuest,
		Type:      customer.TypePrivate,
		CreatedAt: tableNow,
		UpdatedAt: tableNow,
		Version:   1,
	}
	empty := plain
	empty.Tags, empty.Metadata = []string{}, map[string]string{}
	noDisplay := plain
	noDisplay.Email.Display = ""
	old := plain
	old.CreatedAt = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]customer.Customer{"full": full, "plain": plain, "empty": empty, "noDisplay": noDisplay, "old": old} {
		t.Run(name, func(t *testing.T) {
			r, err := encodeCustomer(&c)
			require.NoError(t, err)
			got := r.customer()
			assert.Equal(t, c, got)
			over := full // decode overwrites every field of what dst held
			over.ID, over.Tags, over.Metadata = uuid.New(), []string{"x"}, map[string]string{"x": "y"}
			r.decode(&over)
			assert.Equal(t, c, over)
			assert.Equal(t, c.Tags == nil, got.Tags == nil)
			assert.Equal(t, c.Metadata == nil, got.Metadata == nil)
			for _, tag := range c.Tags {
				assert.True(t, r.hasTag(tag))
			}
			assert.False(t, r.hasTag("absent"))
		})
	}
}

// A customer the record cannot hold is an error, not a corrupt record.
func TestRecordOutOfRange(t *testing.T) {
	c := customer.Customer{ID: uuid.New(), CreatedAt: time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC)}
	_, err := encodeCustomer(&c)
	require.ErrorIs(t, err, storage.ErrTooLarge)
	c = customer.Customer{ID: uuid.New(), Note: string(make([]byte, 1<<16))}
	_, err = encodeCustomer(&c)
	require.ErrorIs(t, err, storage.ErrTooLarge)
}

// custFrom's pivot splits stored keys (microsecond times, non-nil IDs) as
// the cursor's own time and ID would, also for times finer than a
// microsecond and out of range.
func TestCustFromSplitsAsTheCursor(t *testing.T) {
	ids := []uuid.UUID{{1}, {0x80}, uuid.Max}
	var keys []custKey
	for _, d := range []time.Duration{-time.Microsecond, 0, time.Microsecond, 2 * time.Microsecond} {
		for _, id := range ids {
			m, _ := toMicro(tableNow.Add(d))
			keys = append(keys, custKey{at: m, id: id})
		}
	}
	for _, c := range []storage.Cursor{
		{Time: tableNow, Key: ids[1].String()},
		{Time: tableNow, Key: uuid.Nil.String()},
		{Time: tableNow.Add(500 * time.Nanosecond), Key: ids[2].String()},
		{Time: tableNow.Add(-1), Key: ids[0].String()},
		{Time: tableNow.In(time.FixedZone("X", 3600)), Key: ids[0].String()},
		{Time: time.Date(-300000, 1, 1, 0, 0, 0, 0, time.UTC), Key: ids[0].String()},
		{Time: time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC), Key: ids[0].String()},
	} {
		pivot, err := custFrom(c)
		require.NoError(t, err)
		tk, err := timeFrom(c)
		require.NoError(t, err)
		for _, k := range keys {
			want := lessTimeKey(tk, timeKey{fromMicro(k.at), k.id})
			assert.Equal(t, want, lessCustKey(pivot, k), "cursor %v, key %v", c, k)
		}
	}
}

// The look-alike index moves a skeleton from one customer to a tree of
// them and back, and a rolled-back write leaves it as it was.
func TestSkeletonIndex(t *testing.T) {
	ctx := context.Background()
	s := New()
	mk := func(email string) customer.Customer {
		c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: email}, tableNow)
		require.NoError(t, err)
		return c
	}
	a, b := mk("paypal@example.com"), mk("paypa1@example.com")
	skeleton := customer.EmailSkeleton(a.Email.Address)
	require.Equal(t, skeleton, customer.EmailSkeleton(b.Email.Address))
	list := func() []uuid.UUID {
		page, err := customers{repos{store: s}}.ListByEmailSkeleton(ctx, skeleton, true, storage.PageRequest{})
		require.NoError(t, err)
		var ids []uuid.UUID
		for _, c := range page.Items {
			ids = append(ids, c.ID)
		}
		return ids
	}
	shape := func() (one, many int) { return len(s.db.skeletonOne[1]), len(s.db.skeletonMany[1]) }

	_, err := s.Customers().Create(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{a.ID}, list())

	errBoom := errors.New("boom")
	err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, b); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	one, many := shape()
	assert.Equal(t, [2]int{1, 0}, [2]int{one, many}, "rolled back to one customer")
	assert.Equal(t, []uuid.UUID{a.ID}, list())
	assert.Equal(t, 1, s.db.customers.len())

	_, err = s.Customers().Create(ctx, b)
	require.NoError(t, err)
	one, many = shape()
	assert.Equal(t, [2]int{0, 1}, [2]int{one, many})
	assert.ElementsMatch(t, []uuid.UUID{a.ID, b.ID}, list())

	// a leaves the skeleton, then b is deleted: the tree empties and goes.
	_, err = s.Customers().Update(ctx, a.ID, func(c *customer.Customer) error {
		email := "someone@example.com"
		return c.Apply(customer.Patch{Email: &email}, tableNow)
	})
	require.NoError(t, err)
	assert.Equal(t, []uuid.UUID{b.ID}, list())
	_, err = s.Customers().Update(ctx, b.ID, func(c *customer.Customer) error {
		c.MarkDeleted(tableNow)
		return nil
	})
	require.NoError(t, err)
	assert.Empty(t, list())
	one, many = shape()
	assert.Equal(t, [2]int{1, 0}, [2]int{one, many}, "only a's new skeleton")

	// An update that keeps the email keeps the index, and the email key
	// follows the new record's string.
	_, err = s.Customers().Update(ctx, a.ID, func(c *customer.Customer) error {
		name := "Ann"
		return c.Apply(customer.Patch{FirstName: &name}, tableNow)
	})
	require.NoError(t, err)
	got, err := s.Customers().GetByEmail(ctx, "someone@example.com", true)
	require.NoError(t, err)
	assert.Equal(t, "Ann", got.FirstName)
}
