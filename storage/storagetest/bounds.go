package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// The Bounds cases hold every adapter to the bounds of storage.Repositories:
// an argument beyond MaxKeyBytes, MaxFilterTags or MaxIDs fails with a
// *storage.LimitError before the database sees it (a list filtered by
// 10,000 tags once exhausted PostgreSQL's stack and kept MariaDB preparing
// for minutes), and an argument at the bound works.
func boundsCases() []testCase {
	return []testCase{
		{"FilterTags", boundsFilterTags},
		{"FilterStrings", boundsFilterStrings},
		{"MemberOfIDs", boundsMemberOfIDs},
		{"LookupKeys", boundsLookupKeys},
		{"InsideTransaction", boundsInsideTransaction},
	}
}

// requireTooLarge fails unless err is a *storage.LimitError for arg that
// unwraps to storage.ErrTooLarge.
func requireTooLarge(t *testing.T, err error, arg string, msgAndArgs ...any) {
	t.Helper()
	require.ErrorIs(t, err, storage.ErrTooLarge, msgAndArgs...)
	var le *storage.LimitError
	require.ErrorAs(t, err, &le, msgAndArgs...)
	assert.Equal(t, arg, le.Arg, msgAndArgs...)
	assert.Greater(t, le.Size, le.Max, msgAndArgs...)
	assert.Less(t, len(err.Error()), 256, "the error text of a bound stays short")
}

// manyTags returns n distinct normalized tags.
func manyTags(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("tag-%05d", i)
	}
	return tags
}

// boundsFilterTags: 10,000 tags fail with ErrTooLarge, at once; a filter of
// MaxFilterTags tags works and finds the customer who carries them all.
func boundsFilterTags(t *testing.T, e *env) {
	tags := manyTags(storage.MaxFilterTags)
	c := e.newCustomer(withTags(tags...))
	e.newCustomer(withTags(tags[:3]...))

	for _, n := range []int{10_000, storage.MaxFilterTags + 1} {
		_, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{Tags: manyTags(n)}, storage.PageRequest{})
		requireTooLarge(t, err, "CustomerFilter.Tags", "a filter of %d tags", n)
	}
	assert.Equal(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{Tags: tags}),
		"a filter of MaxFilterTags tags works")
}

// boundsFilterStrings: CustomerFilter.Email, Name and a tag longer than
// MaxKeyBytes fail; at MaxKeyBytes they simply match nothing.
func boundsFilterStrings(t *testing.T, e *env) {
	e.newCustomer()
	long, atBound := strings.Repeat("a", storage.MaxKeyBytes+1), strings.Repeat("a", storage.MaxKeyBytes)
	for _, tc := range []struct {
		arg string
		f   func(s string) storage.CustomerFilter
	}{
		{"CustomerFilter.Email", func(s string) storage.CustomerFilter { return storage.CustomerFilter{Email: s} }},
		{"CustomerFilter.Name", func(s string) storage.CustomerFilter { return storage.CustomerFilter{Name: s} }},
		{"CustomerFilter.Tags", func(s string) storage.CustomerFilter { return storage.CustomerFilter{Tags: []string{"vip", s}} }},
	} {
		_, err := e.store.Customers().List(e.ctx, tc.f(long), storage.PageRequest{})
		requireTooLarge(t, err, tc.arg, "List with a %s of %d bytes", tc.arg, len(long))
		page, err := e.store.Customers().List(e.ctx, tc.f(atBound), storage.PageRequest{})
		require.NoError(t, err, "List with a %s of MaxKeyBytes", tc.arg)
		assert.Empty(t, page.Items)
	}
}

// boundsMemberOfIDs: MemberOf with more than MaxIDs IDs (a million once
// allocated half a gigabyte) fails; with MaxIDs it answers.
func boundsMemberOfIDs(t *testing.T, e *env) {
	c := e.newCustomer()
	g := e.createGroup("Bounded")
	e.addMember(g.ID, c.ID)

	for _, n := range []int{1_000_000, storage.MaxIDs + 1} {
		_, err := e.store.Groups().MemberOf(e.ctx, c.ID, make([]uuid.UUID, n))
		requireTooLarge(t, err, "groupIDs", "MemberOf with %d IDs", n)
	}
	ids := make([]uuid.UUID, storage.MaxIDs)
	for i := range ids {
		ids[i] = e.id()
	}
	ids[len(ids)/2] = g.ID
	got, err := e.store.Groups().MemberOf(e.ctx, c.ID, ids)
	require.NoError(t, err, "MemberOf with MaxIDs IDs")
	assert.Equal(t, []uuid.UUID{g.ID}, got)
}

// lookup is one repository method that finds a record by a caller's key.
type lookup struct {
	name, arg string
	call      func(e *env, key string) error
}

// lookups returns every keyed lookup of the contract, run against the
// fixtures of lookupFixtures.
func lookups(accountID uuid.UUID) []lookup {
	return []lookup{
		{"Customers.GetByEmail", "canonicalEmail", func(e *env, k string) error {
			_, err := e.store.Customers().GetByEmail(e.ctx, k, true)
			return err
		}},
		{"Customers.GetByReference(origin)", "origin", func(e *env, k string) error {
			_, err := e.store.Customers().GetByReference(e.ctx, k, "ref")
			return err
		}},
		{"Customers.GetByReference(reference)", "reference", func(e *env, k string) error {
			_, err := e.store.Customers().GetByReference(e.ctx, "shop", k)
			return err
		}},
		{"Groups.GetByName", "name", func(e *env, k string) error {
			_, err := e.store.Groups().GetByName(e.ctx, k)
			return err
		}},
		{"Markets.GetByCode", "code", func(e *env, k string) error {
			_, err := e.store.Markets().GetByCode(e.ctx, k)
			return err
		}},
		{"Balances.PostingByKey", "idempotencyKey", func(e *env, k string) error {
			_, err := e.store.Balances().PostingByKey(e.ctx, accountID, k)
			return err
		}},
		{"Orders.Get", "id", func(e *env, k string) error {
			_, err := e.store.Orders().Get(e.ctx, k)
			return err
		}},
		{"Orders.Update", "id", func(e *env, k string) error {
			_, err := e.store.Orders().Update(e.ctx, k, func(*order.Order) error {
				return errors.New("storagetest: Update called fn for an order that does not exist")
			})
			return err
		}},
	}
}

// lookupFixtures stores a customer with a reference, an account, a group
// and an order, so that the lookups run against a store that has data.
func (e *env) lookupFixtures() uuid.UUID {
	e.t.Helper()
	c := e.newCustomer(withReference("shop", "ref"))
	a := e.createAccount(c.ID, "USD")
	e.createGroup("Looked up")
	e.createOrder(c.ID, "order-1")
	return a.ID
}

// boundsLookupKeys: every keyed lookup refuses a key longer than
// MaxKeyBytes (and a megabyte) with a *LimitError naming the argument, and
// answers ErrNotFound for a key of MaxKeyBytes that no record has.
func boundsLookupKeys(t *testing.T, e *env) {
	accountID := e.lookupFixtures()
	for _, l := range lookups(accountID) {
		for _, n := range []int{1 << 20, storage.MaxKeyBytes + 1} {
			requireTooLarge(t, l.call(e, strings.Repeat("k", n)), l.arg, "%s with a key of %d bytes", l.name, n)
		}
		requireNotFound(t, l.call(e, strings.Repeat("k", storage.MaxKeyBytes)), "%s with a key of MaxKeyBytes", l.name)
	}
}

// boundsInsideTransaction: inside Atomic, a call refused by a bound leaves
// the transaction usable (it never reached the database, so PostgreSQL did
// not abort it), and the transaction's writes commit.
func boundsInsideTransaction(t *testing.T, e *env) {
	c := e.registered()
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Customers().List(ctx, storage.CustomerFilter{Tags: manyTags(10_000)}, storage.PageRequest{})
		requireTooLarge(t, err, "CustomerFilter.Tags")
		_, err = tx.Groups().MemberOf(ctx, c.ID, make([]uuid.UUID, storage.MaxIDs+1))
		requireTooLarge(t, err, "groupIDs")
		_, err = tx.Customers().GetByEmail(ctx, strings.Repeat("e", storage.MaxKeyBytes+1), true)
		requireTooLarge(t, err, "canonicalEmail")
		_, err = tx.Customers().Create(ctx, c)
		return err
	})
	require.NoError(t, err)
	e.getCustomer(c.ID)
}

// The ErrorText cases hold every adapter to the same error text for hostile
// keys: every caller value quoted and cut (storage.Quote), so that a key of
// newlines cannot forge a log line and a long key cannot make a long error.
func errorTextCases() []testCase {
	return []testCase{
		{"NotFoundQuotesKeys", errorTextNotFoundQuotesKeys},
		{"ValidationQuotesValues", errorTextValidationQuotesValues},
	}
}

// maxErrorText bounds the text of an error that echoes caller values: two
// quoted values of at most 4*MaxQuotedBytes+32 bytes each, and some words.
const maxErrorText = 1024

// hostileErrorKeys are lookup keys that try to forge log lines or fill them.
var hostileErrorKeys = []string{
	"ref\nlevel=error msg=\"forged log line\"",
	"\r\n\r\n",
	strings.Repeat("\n", storage.MaxKeyBytes),
	strings.Repeat("\x1b[2J", storage.MaxKeyBytes/4),
	strings.Repeat("é", storage.MaxKeyBytes/2),
	"\u202egnp.exe",
	"\x00\n\xff",
	"\xe2\x82",
}

// requireSafeText fails unless s is bounded and holds no raw control
// character (newline, carriage return, escape...) or bidi override.
func requireSafeText(t *testing.T, s string, msgAndArgs ...any) {
	t.Helper()
	assert.LessOrEqual(t, len(s), maxErrorText, msgAndArgs...)
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == '\u202e' || r == '\u202d' || (r >= 0x80 && r < 0xa0) {
			assert.Failf(t, "error text holds a raw control character", "%U in %q: %s", r, s, fmt.Sprint(msgAndArgs...))
			return
		}
	}
}

// errorTextNotFoundQuotesKeys: a lookup by a hostile key reports not found
// (or, for an unstorable key, not found as well) with the key quoted and
// cut, on every adapter.
func errorTextNotFoundQuotesKeys(t *testing.T, e *env) {
	accountID := e.lookupFixtures()
	for _, l := range lookups(accountID) {
		for _, key := range hostileErrorKeys {
			err := l.call(e, key)
			requireNotFound(t, err, "%s(%q)", l.name, key)
			requireSafeText(t, err.Error(), l.name)
		}
	}
	for _, key := range hostileErrorKeys {
		_, err := e.store.Customers().List(e.ctx, storage.CustomerFilter{Tags: []string{key, key + "x"}}, storage.PageRequest{})
		if err != nil {
			requireSafeText(t, err.Error(), "List")
		}
	}
}

// errorTextValidationQuotesValues: a write of a record with hostile invalid
// fields fails with its validation error, whose text is bounded and holds
// no raw control character (a megabyte metadata key of control characters
// once made a 4 MB error).
func errorTextValidationQuotesValues(t *testing.T, e *env) {
	huge := strings.Repeat("\n\x1b", 1<<19)
	for name, mutate := range map[string]func(c *customer.Customer){
		"metadata key":  func(c *customer.Customer) { c.Metadata = map[string]string{huge: "v"} },
		"metadata key2": func(c *customer.Customer) { c.Metadata = map[string]string{"a\nb": "v"} },
		"tag":           func(c *customer.Customer) { c.Tags = []string{"x" + huge} },
		"tag newline":   func(c *customer.Customer) { c.Tags = []string{"a\nb"} },
		"email":         func(c *customer.Customer) { c.Email = customer.Email{Address: huge, Display: huge} },
		"reference":     func(c *customer.Customer) { c.Reference, c.ReferenceOrigin = huge, "shop" },
	} {
		c := e.registered()
		mutate(&c)
		_, err := e.store.Customers().Create(e.ctx, c)
		require.ErrorIs(t, err, customer.ErrInvalid, name)
		requireSafeText(t, err.Error(), name)

		ok := e.newCustomer()
		_, err = e.store.Customers().Update(e.ctx, ok.ID, func(c *customer.Customer) error {
			mutate(c)
			return nil
		})
		require.ErrorIs(t, err, customer.ErrInvalid, name)
		requireSafeText(t, err.Error(), name)
	}
}
