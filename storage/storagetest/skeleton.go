package storagetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
)

// skeletonIDs lists the IDs of every live customer with the look-alike key
// of address and the has_account flag, page by page.
func (e *env) skeletonIDs(address string, hasAccount bool, limit int) []uuid.UUID {
	e.t.Helper()
	var ids []uuid.UUID
	p := storage.PageRequest{Limit: limit}
	for range 100 {
		page, err := skeletons(e.t, e.store.Customers()).ListByEmailSkeleton(e.ctx, customer.EmailSkeleton(address), hasAccount, p)
		require.NoError(e.t, err)
		for _, c := range page.Items {
			ids = append(ids, c.ID)
		}
		if page.Next == "" {
			return ids
		}
		p.Cursor = page.Next
	}
	e.t.Fatal("ListByEmailSkeleton never ended")
	return nil
}

// customerListByEmailSkeleton: the customers whose addresses look alike are
// found by their look-alike key, live ones with the flag only, in
// (CreatedAt, ID) order, whatever else they hold.
func customerListByEmailSkeleton(t *testing.T, e *env) {
	latin := e.newCustomer(withEmail("ada@example.com"))
	cyrillic := e.newCustomer(withEmail("\u0430da@example.com"))
	inDomain := e.newCustomer(withEmail("ada@ex\u0430mple.com"))
	e.newCustomer(withEmail("bob@example.com"))
	guest := e.createCustomer(e.guest(withEmail("\u0430d\u0430@example.com")))
	gone := e.newCustomer(withEmail("\u0251da@example.com")) // Latin alpha
	e.deleteCustomer(gone.ID)

	assert.Equal(t, []uuid.UUID{latin.ID, cyrillic.ID, inDomain.ID}, e.skeletonIDs("ada@example.com", true, 0))
	assert.Equal(t, []uuid.UUID{guest.ID}, e.skeletonIDs("ada@example.com", false, 0))
	assert.Empty(t, e.skeletonIDs("carol@example.com", true, 0))

	page, err := skeletons(e.t, e.store.Customers()).ListByEmailSkeleton(e.ctx, customer.EmailSkeleton(cyrillic.Email.Address), true, storage.PageRequest{})
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	assertCustomer(t, cyrillic, page.Items[1], "a customer listed by its look-alike key")

	// Keys no customer has, hostile or not, list nothing.
	for _, k := range []string{"", "a\x00b", "\xff", strings.Repeat("0", 64), "ada@example.com"} {
		page, err := skeletons(e.t, e.store.Customers()).ListByEmailSkeleton(e.ctx, k, true, storage.PageRequest{})
		require.NoError(t, err, "%q", k)
		assert.Empty(t, page.Items, "%q", k)
	}
	_, err = skeletons(e.t, e.store.Customers()).ListByEmailSkeleton(e.ctx, "", true, storage.PageRequest{Cursor: "not a cursor"})
	require.ErrorIs(t, err, storage.ErrInvalidCursor)
	_, err = skeletons(e.t, e.store.Customers()).ListByEmailSkeleton(e.ctx, strings.Repeat("k", storage.MaxKeyBytes+1), true, storage.PageRequest{})
	requireTooLarge(t, err, "skeleton")
}

// customerListByEmailSkeletonFollowsWrites: the key index follows every
// write of a customer: a new email, deleting, undeleting, a rolled-back
// transaction.
func customerListByEmailSkeletonFollowsWrites(t *testing.T, e *env) {
	c := e.newCustomer(withEmail("ada@example.com"))
	update := func(fn func(*customer.Customer)) {
		t.Helper()
		_, err := e.store.Customers().Update(e.ctx, c.ID, func(c *customer.Customer) error {
			fn(c)
			return nil
		})
		require.NoError(t, err)
	}
	email := func(s string) customer.Email {
		t.Helper()
		em, err := customer.ParseEmail(s)
		require.NoError(t, err)
		return em
	}

	update(func(c *customer.Customer) { c.Email = email("b\u043eb@example.com") }) // Cyrillic о
	assert.Empty(t, e.skeletonIDs("ada@example.com", true, 0), "the old key after a new email")
	assert.Equal(t, []uuid.UUID{c.ID}, e.skeletonIDs("bob@example.com", true, 0), "the new key")

	now := e.now()
	update(func(c *customer.Customer) { c.MarkDeleted(now) })
	assert.Empty(t, e.skeletonIDs("bob@example.com", true, 0), "a deleted customer")
	update(func(c *customer.Customer) { c.DeletedAt = nil })
	assert.Equal(t, []uuid.UUID{c.ID}, e.skeletonIDs("bob@example.com", true, 0), "undeleted")

	rollback := errors.New("roll back")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, e.registered(withEmail("ada@example.com"))); err != nil {
			return err
		}
		if _, err := tx.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			c.Email = email("carol@example.com")
			return nil
		}); err != nil {
			return err
		}
		page, err := skeletons(t, tx.Customers()).ListByEmailSkeleton(ctx, customer.EmailSkeleton("ada@example.com"), true, storage.PageRequest{})
		if err != nil {
			return err
		}
		assert.Len(t, page.Items, 1, "a transaction sees its own writes")
		return rollback
	})
	require.ErrorIs(t, err, rollback)
	assert.Empty(t, e.skeletonIDs("ada@example.com", true, 0), "after a rollback")
	assert.Empty(t, e.skeletonIDs("carol@example.com", true, 0), "after a rollback")
	assert.Equal(t, []uuid.UUID{c.ID}, e.skeletonIDs("bob@example.com", true, 0), "after a rollback")
}

// customerListByEmailSkeletonPages: many look-alikes page in (CreatedAt,
// ID) order, every one exactly once.
func customerListByEmailSkeletonPages(t *testing.T, e *env) {
	// "l" and "1" look alike, and so do "o" and "ο" (Greek), "a" and "а"
	// (Cyrillic).
	spellings := []string{"lola", "1ola", "lo1a", "l\u03bfla", "1\u03bf1a", "lolа"}
	at := e.now()
	var want []customer.Customer
	for _, s := range spellings {
		c := e.customerAt(registered, at, withEmail(s+"@example.com")) // one time: ordered by ID
		want = append(want, e.createCustomer(c))
	}
	sortByTimeID(want, func(c customer.Customer) (time.Time, uuid.UUID) { return c.CreatedAt, c.ID })
	var ids []uuid.UUID
	for _, c := range want {
		ids = append(ids, c.ID)
	}
	for _, limit := range []int{1, 2, 3, 100} {
		assert.Equal(t, ids, e.skeletonIDs("lola@example.com", true, limit), "limit %d", limit)
	}
}

// skeletons returns the CustomerSkeletons capability of r, skipping the
// test on a repository that lacks it.
func skeletons(t testing.TB, r storage.Customers) storage.CustomerSkeletons {
	t.Helper()
	s, ok := r.(storage.CustomerSkeletons)
	if !ok {
		t.Skipf("the customers repository (%T) lacks the storage.CustomerSkeletons capability", r)
	}
	return s
}
