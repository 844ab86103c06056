package clientele_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// TestOrdersRecordPlaced_Status is the must-show status case.
func TestOrdersRecordPlaced_Status(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	require.Equal(t, customer.StatusProspect, c.Status)

	record := func(id string, customerID uuid.UUID) (order.Order, error) {
		return e.Orders.RecordPlaced(e.ctx, order.Params{ID: id, CustomerID: customerID, Number: "#" + id, Total: money(t, "10.00"), Channel: "web"})
	}
	status := func() customer.Customer {
		got, err := e.Customers.Get(e.ctx, c.ID)
		require.NoError(t, err)
		return got
	}

	first, err := record("1001", c.ID)
	require.NoError(t, err)
	assert.Equal(t, order.StatusPlaced, first.Status)
	assert.Equal(t, customer.StatusAcquired, status().Status, "the first placed order makes a prospect acquired")
	assert.Equal(t, 1, status().OrderCount)

	_, err = record("1002", c.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StatusRepeat, status().Status, "the second makes it repeat")

	before := status()
	again, err := record("1001", c.ID)
	require.NoError(t, err)
	assert.Equal(t, first, again, "recording the same order again returns it")
	assert.Equal(t, before, status(), "and changes nothing")

	other := e.register(t, "bob@example.com")
	_, err = record("1001", other.ID)
	require.ErrorIs(t, err, order.ErrOrderOwned, "the same order ID for another customer")
	otherNow, err := e.Customers.Get(e.ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StatusProspect, otherNow.Status)

	_, err = e.Orders.RecordPlaced(e.ctx, order.Params{ID: "1001", CustomerID: c.ID, Number: "#1001", Total: money(t, "99.00")})
	require.ErrorIs(t, err, order.ErrOrderChanged, "same ID, same customer, another total")
	require.ErrorIs(t, err, storage.ErrConflict)
	assert.True(t, storage.IsConflict(err, storage.ConstraintOrderID))
	assert.Equal(t, before, status())

	for i := 3; i <= 5; i++ {
		_, err = record(fmt.Sprint(1000+i), c.ID)
		require.NoError(t, err)
	}
	assert.Equal(t, customer.StatusRepeat, status().Status, "repeat stays repeat")
	assert.Equal(t, 5, status().OrderCount)
}

func TestOrdersRecordPlaced_Concurrent(t *testing.T) {
	e := newEnv(t, WithRandomIDs())
	c := e.register(t, "ada@example.com")
	var wg sync.WaitGroup
	errs := make([]error, 32)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = e.Orders.RecordPlaced(e.ctx, order.Params{ID: "o-1", CustomerID: c.ID, Total: money(t, "1.00")})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	got, err := e.Customers.Get(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, got.OrderCount, "counted once")
	assert.Equal(t, customer.StatusAcquired, got.Status)
}

func TestOrdersRecordPlaced_Errors(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	deleted := e.register(t, "gone@example.com")
	require.NoError(t, e.Customers.Delete(e.ctx, deleted.ID))
	tests := []struct {
		name string
		p    order.Params
		want error
	}{
		{"missing ID", order.Params{CustomerID: c.ID, Total: money(t, "1")}, order.ErrInvalid},
		{"missing customer", order.Params{ID: "x", Total: money(t, "1")}, order.ErrInvalid},
		{"negative total", order.Params{ID: "x", CustomerID: c.ID, Total: money(t, "-1")}, order.ErrInvalid},
		{"no currency", order.Params{ID: "x", CustomerID: c.ID}, order.ErrInvalid},
		{"unknown customer", order.Params{ID: "x", CustomerID: uuid.New(), Total: money(t, "1")}, customer.ErrNotFound},
		{"deleted customer", order.Params{ID: "x", CustomerID: deleted.ID, Total: money(t, "1")}, customer.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Orders.RecordPlaced(e.ctx, tt.p)
			require.ErrorIs(t, err, tt.want)
			_, err = e.Orders.Get(e.ctx, "x")
			require.ErrorIs(t, err, order.ErrNotFound, "nothing recorded")
		})
	}
}

func TestOrdersGetSetStatusHistory(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	placed := epoch.Add(-time.Hour)
	for i, id := range []string{"b", "a", "c"} {
		_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: id, CustomerID: c.ID, Total: money(t, "5"), PlacedAt: placed.Add(time.Duration(i) * time.Minute)})
		require.NoError(t, err)
	}
	o, err := e.Orders.Get(e.ctx, "a")
	require.NoError(t, err)
	assert.Equal(t, c.ID, o.CustomerID)
	_, err = e.Orders.Get(e.ctx, "nope")
	require.ErrorIs(t, err, order.ErrNotFound)

	o, err = e.Orders.SetStatus(e.ctx, "a", order.StatusCompleted)
	require.NoError(t, err)
	assert.Equal(t, order.StatusCompleted, o.Status)
	_, err = e.Orders.SetStatus(e.ctx, "a", order.StatusCancelled)
	require.ErrorIs(t, err, order.ErrInvalidTransition)
	_, err = e.Orders.SetStatus(e.ctx, "a", order.Status(42))
	require.ErrorIs(t, err, order.ErrInvalid)
	_, err = e.Orders.SetStatus(e.ctx, "nope", order.StatusCompleted)
	require.ErrorIs(t, err, order.ErrNotFound)
	got, err := e.Customers.Get(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StatusRepeat, got.Status, "status changes do not move the customer's status")

	var seen []string
	p := page.Request{Limit: 2}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "pagination does not end")
		pg, err := e.Orders.History(e.ctx, c.ID, p)
		require.NoError(t, err)
		for _, o := range pg.Items {
			seen = append(seen, o.ID)
		}
		if pg.Next == "" {
			break
		}
		p.Cursor = pg.Next
	}
	assert.Equal(t, []string{"b", "a", "c"}, seen, "ordered by PlacedAt")

	_, err = e.Orders.History(e.ctx, uuid.New(), page.Request{})
	require.ErrorIs(t, err, customer.ErrNotFound)
}

func TestOrdersClaim(t *testing.T) {
	e := newEnv(t)
	guest := e.guest(t, "Ada@Example.com")
	for _, id := range []string{"g1", "g2"} {
		_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: id, CustomerID: guest.ID, Total: money(t, "3.00")})
		require.NoError(t, err)
	}
	ada := e.register(t, "ada@example.com")
	_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: "r1", CustomerID: ada.ID, Total: money(t, "3.00")})
	require.NoError(t, err)

	got, moved, err := e.Orders.Claim(staff(e.ctx), guest.ID, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, 2, moved)
	assert.Equal(t, 3, got.OrderCount)
	assert.Equal(t, customer.StatusRepeat, got.Status)
	history, err := e.Orders.History(e.ctx, ada.ID, page.Request{})
	require.NoError(t, err)
	assert.Len(t, history.Items, 3)
	history, err = e.Orders.History(e.ctx, guest.ID, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, history.Items)
	o, err := e.Orders.Get(e.ctx, "g1")
	require.NoError(t, err)
	assert.Equal(t, ada.ID, o.CustomerID)
	g, err := e.Customers.Get(e.ctx, guest.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StatusRepeat, g.Status, "the guest's status never moves back")

	t.Run("claiming again moves nothing", func(t *testing.T) {
		again, moved, err := e.Orders.Claim(staff(e.ctx), guest.ID, ada.ID)
		require.NoError(t, err)
		assert.Zero(t, moved)
		assert.Equal(t, 3, again.OrderCount)
	})
	t.Run("a recorded order replays for its new owner", func(t *testing.T) {
		_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: "g1", CustomerID: guest.ID, Total: money(t, "3.00")})
		require.ErrorIs(t, err, order.ErrOrderOwned)
	})
	t.Run("errors", func(t *testing.T) {
		bob := e.register(t, "bob@example.com")
		other := e.guest(t, "other@example.com")
		tests := []struct {
			name          string
			guest, target uuid.UUID
			want          error
			field         string
		}{
			{"emails differ", other.ID, bob.ID, customer.ErrInvalid, "email"},
			{"source is registered", bob.ID, ada.ID, customer.ErrInvalid, "guest_id"},
			{"target is a guest", other.ID, other.ID, customer.ErrInvalid, "customer_id"},
			{"unknown guest", uuid.New(), ada.ID, customer.ErrNotFound, ""},
			{"unknown customer", guest.ID, uuid.New(), customer.ErrNotFound, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := e.Orders.Claim(staff(e.ctx), tt.guest, tt.target)
				require.ErrorIs(t, err, tt.want)
				if tt.field != "" {
					var ve *customer.ValidationError
					require.ErrorAs(t, err, &ve)
					assert.Equal(t, tt.field, ve.Field)
				}
			})
		}
	})
}

func TestOrdersReassign(t *testing.T) {
	e := newEnv(t)
	ada := e.register(t, "ada@example.com")
	bob := e.register(t, "bob@example.com")
	_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: "o-1", CustomerID: ada.ID, Total: money(t, "3.00")})
	require.NoError(t, err)

	_, err = e.Orders.Reassign(e.ctx, "o-1", bob.ID)
	require.ErrorIs(t, err, clientele.ErrActorRequired)
	o, err := e.Orders.Reassign(staff(e.ctx), "o-1", bob.ID)
	require.NoError(t, err)
	assert.Equal(t, bob.ID, o.CustomerID)
	got, err := e.Customers.Get(e.ctx, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, got.OrderCount)
	assert.Equal(t, customer.StatusAcquired, got.Status)
	got, err = e.Customers.Get(e.ctx, ada.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StatusAcquired, got.Status, "the former owner's status never moves back")
	history, err := e.Orders.History(e.ctx, ada.ID, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, history.Items)

	again, err := e.Orders.Reassign(staff(e.ctx), "o-1", bob.ID)
	require.NoError(t, err)
	assert.Equal(t, o, again, "to the owner: nothing changes")

	_, err = e.Orders.Reassign(staff(e.ctx), "nope", bob.ID)
	require.ErrorIs(t, err, order.ErrNotFound)
	_, err = e.Orders.Reassign(staff(e.ctx), "o-1", uuid.New())
	require.ErrorIs(t, err, customer.ErrNotFound)
	assert.NotErrorIs(t, err, order.ErrNotFound)
	require.NoError(t, e.Customers.Delete(e.ctx, ada.ID))
	_, err = e.Orders.Reassign(staff(e.ctx), "o-1", ada.ID)
	require.ErrorIs(t, err, customer.ErrNotFound, "not to a deleted customer")
}
