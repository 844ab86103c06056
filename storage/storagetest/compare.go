package storagetest

import (
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

// requireNotFound fails unless errors.Is(err, storage.ErrNotFound).
func requireNotFound(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.ErrorIs(t, err, storage.ErrNotFound, msgAndArgs...)
}

// requireNotLive fails unless err reports a write for a customer that does
// not exist or is deleted: storage.ErrCustomerNotLive, and so ErrNotFound.
func requireNotLive(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	require.ErrorIs(t, err, storage.ErrCustomerNotLive, msgAndArgs...)
	require.ErrorIs(t, err, storage.ErrNotFound, msgAndArgs...)
}

// requireConflict fails unless err is a conflict on constraint c.
func requireConflict(t *testing.T, err error, c storage.Constraint, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.ErrorIs(t, err, storage.ErrConflict, msgAndArgs...)
	if !storage.IsConflict(err, c) {
		var ce *storage.ConflictError
		got := "no *storage.ConflictError"
		if errors.As(err, &ce) {
			got = fmt.Sprintf("constraint %q", ce.Constraint)
		}
		require.Fail(t, fmt.Sprintf("want a *storage.ConflictError on %q, got %s (%v)", c, got, err), msgAndArgs...)
	}
}

// sentinel is an error fn returns to check that it comes back unchanged.
type sentinel struct{ name string }

func (s *sentinel) Error() string { return "storagetest: " + s.name }

// requireSame fails unless got is exactly the error value want, not merely
// one that wraps it: the contract returns fn's error "as is".
func requireSame(t *testing.T, want, got error) {
	t.Helper()
	require.Error(t, got, "want fn's error back, got nil")
	if got != want { // identity, not errors.Is: fn's error comes back as is
		require.Failf(t, "error changed", "want fn's error %T(%v) returned unchanged, got %T(%v)", want, want, got, got)
	}
}

// message formats testify's msgAndArgs: a format string and its arguments,
// or a single value.
func message(msgAndArgs ...any) string {
	switch len(msgAndArgs) {
	case 0:
		return ""
	case 1:
		return fmt.Sprint(msgAndArgs[0])
	}
	if format, ok := msgAndArgs[0].(string); ok {
		return fmt.Sprintf(format, msgAndArgs[1:]...)
	}
	return fmt.Sprint(msgAndArgs...)
}

// assertIDs compares two ID lists, treating nil and empty alike.
func assertIDs(t *testing.T, want, got []uuid.UUID, msgAndArgs ...any) bool {
	t.Helper()
	if len(want) == 0 {
		return assert.Empty(t, got, msgAndArgs...)
	}
	return assert.Equal(t, want, got, msgAndArgs...)
}

// assertUTC checks that got is in UTC and the same instant as want.
func assertUTC(t *testing.T, field string, want, got time.Time) bool {
	t.Helper()
	ok := assert.Truef(t, got.Location() == time.UTC, "%s: want a time in UTC, got location %q (%s)", field, got.Location(), got)
	return assert.Truef(t, want.Equal(got), "%s: want %s, got %s", field, want.Format(time.RFC3339Nano), got.Format(time.RFC3339Nano)) && ok
}

func assertUTCPtr(t *testing.T, field string, want, got *time.Time) bool {
	t.Helper()
	switch {
	case want == nil && got == nil:
		return true
	case want == nil:
		return assert.Failf(t, "unexpected time", "%s: want nil, got %s", field, *got)
	case got == nil:
		return assert.Failf(t, "missing time", "%s: want %s, got nil", field, *want)
	}
	return assertUTC(t, field, *want, *got)
}

// assertMoney compares amounts with Equal.
func assertMoney(t *testing.T, field string, want, got balance.Money) bool {
	t.Helper()
	return assert.Truef(t, want.Equal(got), "%s: want %s, got %s", field, want, got)
}

// emptyMap makes nil and empty maps compare equal.
func emptyMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return maps.Clone(m)
}

// assertCustomer checks every field of got against want: times as UTC
// instants, everything else exactly. Nil and empty Tags and Metadata are the
// same.
func assertCustomer(t *testing.T, want, got customer.Customer, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	ok = assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt) && ok
	ok = assertUTCPtr(t, "DeletedAt", want.DeletedAt, got.DeletedAt) && ok
	w, g := want.Clone(), got.Clone()
	for _, c := range []*customer.Customer{&w, &g} {
		c.CreatedAt, c.UpdatedAt, c.DeletedAt = time.Time{}, time.Time{}, nil
		c.Metadata = emptyMap(c.Metadata)
		if len(c.Tags) == 0 {
			c.Tags = nil
		}
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

// assertGroup checks every field of got against want.
func assertGroup(t *testing.T, want, got group.Group, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	ok = assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt) && ok
	w, g := want.Clone(), got.Clone()
	for _, x := range []*group.Group{&w, &g} {
		x.CreatedAt, x.UpdatedAt = time.Time{}, time.Time{}
		x.Metadata = emptyMap(x.Metadata)
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

// assertBook checks every entry of got against want, in order.
func assertBook(t *testing.T, want, got address.Book, msgAndArgs ...any) bool {
	t.Helper()
	ok := assert.Equal(t, want.CustomerID, got.CustomerID, "book CustomerID")
	if !assert.Len(t, got.Entries, len(want.Entries), msgAndArgs...) {
		return false
	}
	for i := range want.Entries {
		w, g := want.Entries[i], got.Entries[i]
		ok = assertUTC(t, fmt.Sprintf("Entries[%d].CreatedAt", i), w.CreatedAt, g.CreatedAt) && ok
		ok = assertUTC(t, fmt.Sprintf("Entries[%d].UpdatedAt", i), w.UpdatedAt, g.UpdatedAt) && ok
		w.CreatedAt, w.UpdatedAt, g.CreatedAt, g.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		ok = assert.Equal(t, w, g, fmt.Sprintf("Entries[%d] %s", i, message(msgAndArgs...))) && ok
	}
	return ok
}

// assertAccount checks every field of got against want; amounts with Equal.
func assertAccount(t *testing.T, want, got balance.Account, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	ok = assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt) && ok
	ok = assertMoney(t, "Balance", want.Balance, got.Balance) && ok
	ok = assertMoney(t, "CreditLimit", want.CreditLimit, got.CreditLimit) && ok
	ok = assert.Equal(t, want.Currency.Code(), got.Currency.Code(), "Currency") && ok
	w, g := want, got
	for _, x := range []*balance.Account{&w, &g} {
		x.CreatedAt, x.UpdatedAt = time.Time{}, time.Time{}
		x.Balance, x.CreditLimit = balance.Money{}, balance.Money{}
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

// assertPosting checks every field of got against want; amounts with Equal.
func assertPosting(t *testing.T, want, got balance.Posting, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt)
	ok = assertMoney(t, "Amount", want.Amount, got.Amount) && ok
	ok = assertMoney(t, "EndingBalance", want.EndingBalance, got.EndingBalance) && ok
	w, g := want, got
	for _, x := range []*balance.Posting{&w, &g} {
		x.CreatedAt = time.Time{}
		x.Amount, x.EndingBalance = balance.Money{}, balance.Money{}
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}

// assertOrder checks every field of got against want; the total with Equal.
func assertOrder(t *testing.T, want, got order.Order, msgAndArgs ...any) bool {
	t.Helper()
	ok := assertUTC(t, "PlacedAt", want.PlacedAt, got.PlacedAt)
	ok = assertUTC(t, "CreatedAt", want.CreatedAt, got.CreatedAt) && ok
	ok = assertUTC(t, "UpdatedAt", want.UpdatedAt, got.UpdatedAt) && ok
	ok = assertMoney(t, "Total", want.Total, got.Total) && ok
	w, g := want, got
	for _, x := range []*order.Order{&w, &g} {
		x.PlacedAt, x.CreatedAt, x.UpdatedAt = time.Time{}, time.Time{}, time.Time{}
		x.Total = balance.Money{}
	}
	return assert.Equal(t, w, g, msgAndArgs...) && ok
}
