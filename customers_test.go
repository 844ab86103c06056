package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

func TestCustomersRegister(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(e env)
		params  customer.Params
		wantErr error
	}{
		{name: "valid", params: customer.Params{Email: " Ada@Example.com ", FirstName: "Ada", Tags: []string{"VIP"}}},
		{name: "business with VAT ID", params: customer.Params{Email: "b2b@example.com", Type: customer.TypeBusiness, VATID: "de 123456789"}},
		{name: "invalid email", params: customer.Params{Email: "Ada <ada@example.com>"}, wantErr: customer.ErrInvalid},
		{name: "empty email", params: customer.Params{}, wantErr: customer.ErrInvalid},
		{name: "invalid phone", params: customer.Params{Email: "ada@example.com", Phone: "12"}, wantErr: customer.ErrInvalid},
		{
			name:    "email taken by a registered customer",
			setup:   func(e env) { e.register(t, "ada@example.com") },
			params:  customer.Params{Email: "ADA@example.COM"},
			wantErr: customer.ErrEmailTaken,
		},
		{
			name:   "a guest with the email does not block",
			setup:  func(e env) { e.guest(t, "ada@example.com") },
			params: customer.Params{Email: "ada@example.com"},
		},
		{
			name: "reference taken",
			setup: func(e env) {
				e.register(t, "first@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "42", "erp" })
			},
			params:  customer.Params{Email: "second@example.com", Reference: "42", ReferenceOrigin: "erp"},
			wantErr: customer.ErrReferenceTaken,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.setup != nil {
				tt.setup(e)
			}
			c, err := e.Customers.Register(e.ctx, tt.params)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.True(t, c.HasAccount)
			assert.Equal(t, customer.StateActive, c.State)
			assert.Equal(t, customer.StatusProspect, c.Status)
			assert.Equal(t, int64(1), c.Version)
			assert.NotEqual(t, uuid.Nil, c.ID)
			got, err := e.Customers.Get(e.ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, c, got)
		})
	}
}

// TestCustomersRegister_ConcurrentEmailSpellings is the must-show email
// uniqueness case: 64 goroutines register one address in different letter
// cases and with invisible characters; exactly one wins.
func TestCustomersRegister_ConcurrentEmailSpellings(t *testing.T) {
	e := newEnv(t)
	spellings := []string{
		"Ada@Example.com",
		"ADA@EXAMPLE.COM",
		"ada@example.com",
		"a\u200bda@example.com", // zero-width space
		"\ufeffAda@example.com", // byte order mark
		"ad\u200da@EXAMPLE.com", // zero-width joiner
		"  aDa@exAMple.Com  ",   // surrounding spaces
		"ada@ex\u00adample.com", // soft hyphen
	}
	const n = 64
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		results = make([]error, n)
		winners = make([]customer.Customer, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			winners[i], results[i] = e.Customers.Register(e.ctx, customer.Params{Email: spellings[i%len(spellings)]})
		}()
	}
	close(start)
	wg.Wait()

	var ok, taken int
	var winner customer.Customer
	for i, err := range results {
		switch {
		case err == nil:
			ok++
			winner = winners[i]
		case errors.Is(err, customer.ErrEmailTaken):
			taken++
		default:
			t.Errorf("goroutine %d: unexpected error %v", i, err)
		}
	}
	require.Equal(t, 1, ok, "exactly one registration succeeds")
	require.Equal(t, n-1, taken, "every other one reports customer.ErrEmailTaken")
	assert.Equal(t, "ada@example.com", winner.Email.Address)

	// A guest with the same email coexists with the registered customer.
	guest, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "ADA@example.com"})
	require.NoError(t, err)
	assert.False(t, guest.HasAccount)
	assert.NotEqual(t, winner.ID, guest.ID)

	// Concurrent CreateGuest calls with the same email all return that guest.
	guestIDs := make([]uuid.UUID, n)
	guestErrs := make([]error, n)
	start = make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			g, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: spellings[i%len(spellings)]})
			guestIDs[i], guestErrs[i] = g.ID, err
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, guestErrs[i], "goroutine %d", i)
		assert.Equal(t, guest.ID, guestIDs[i], "goroutine %d", i)
	}

	// Once the registered customer is deleted, the email registers again.
	require.NoError(t, e.Customers.Delete(e.ctx, winner.ID))
	again, err := e.Customers.Register(e.ctx, customer.Params{Email: "a\u200bDA@example.com"})
	require.NoError(t, err)
	assert.NotEqual(t, winner.ID, again.ID)
	got, err := e.Customers.GetByEmail(e.ctx, "ada@example.com")
	require.NoError(t, err)
	assert.Equal(t, again.ID, got.ID)
}

// TestCustomersCreateGuest_Concurrent: 64 goroutines create the same new
// guest; they all get one customer and none sees a conflict.
func TestCustomersCreateGuest_Concurrent(t *testing.T) {
	e := newEnv(t)
	const n = 64
	ids := make([]uuid.UUID, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			email := "Guest@Example.com"
			if i%2 == 1 {
				email = "guest\u200b@EXAMPLE.com"
			}
			c, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: email})
			ids[i], errs[i] = c.ID, err
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.Equal(t, ids[0], ids[i])
	}
	pg, err := e.Customers.List(e.ctx, customer.Filter{Email: "guest@example.com"}, page.Request{})
	require.NoError(t, err)
	assert.Len(t, pg.Items, 1)
}

func TestCustomersCreateGuest(t *testing.T) {
	e := newEnv(t)
	g, created, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "Guest@Example.com"})
	require.NoError(t, err)
	assert.True(t, created)
	assert.False(t, g.HasAccount)
	assert.Equal(t, customer.StateGuest, g.State)
	assert.Equal(t, "Guest@Example.com", g.Email.Display)
	assert.Equal(t, "guest@example.com", g.Email.Address)

	t.Run("existing guest is returned as is", func(t *testing.T) {
		again, created, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "guest@example.com", FirstName: "Other"})
		require.NoError(t, err)
		assert.Equal(t, g, again)
		assert.False(t, created, "found, not created")
	})
	t.Run("invalid params are refused even when the guest exists", func(t *testing.T) {
		_, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "guest@example.com", Phone: "nope"})
		require.ErrorIs(t, err, customer.ErrInvalid)
		var ve *customer.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, "phone", ve.Field)
	})
	t.Run("invalid email", func(t *testing.T) {
		_, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "not-an-email"})
		require.ErrorIs(t, err, customer.ErrInvalid)
	})
	t.Run("reference taken", func(t *testing.T) {
		e.register(t, "ref@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "7", "erp" })
		_, _, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "new@example.com", Reference: "7", ReferenceOrigin: "erp"})
		require.ErrorIs(t, err, customer.ErrReferenceTaken)
	})
	t.Run("a deleted guest is replaced by a new one", func(t *testing.T) {
		require.NoError(t, e.Customers.Delete(e.ctx, g.ID))
		fresh, created, err := e.Customers.CreateGuest(e.ctx, customer.Params{Email: "guest@example.com"})
		require.NoError(t, err)
		assert.NotEqual(t, g.ID, fresh.ID)
		assert.True(t, created)
	})
}

func TestCustomersInviteAndActivate(t *testing.T) {
	e := newEnv(t)
	c, err := e.Customers.Invite(e.ctx, customer.Params{Email: "invited@example.com"})
	require.NoError(t, err)
	assert.True(t, c.HasAccount)
	assert.Equal(t, customer.StateInvited, c.State)

	_, err = e.Customers.Invite(e.ctx, customer.Params{Email: "INVITED@example.com"})
	require.ErrorIs(t, err, customer.ErrEmailTaken)
	_, err = e.Customers.Invite(e.ctx, customer.Params{Email: "@"})
	require.ErrorIs(t, err, customer.ErrInvalid)

	c, err = e.Customers.Activate(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StateActive, c.State)
	assert.Equal(t, int64(2), c.Version)
}

// TestCustomersStateTransitions is the must-show table of invalid account
// moves: every one returns an error for which errors.Is(err,
// customer.ErrInvalidTransition) holds, and nothing changes.
func TestCustomersStateTransitions(t *testing.T) {
	type move func(e env, id uuid.UUID) (customer.Customer, error)
	activate := func(e env, id uuid.UUID) (customer.Customer, error) { return e.Customers.Activate(e.ctx, id) }
	disable := func(e env, id uuid.UUID) (customer.Customer, error) { return e.Customers.Disable(e.ctx, id) }
	enable := func(e env, id uuid.UUID) (customer.Customer, error) { return e.Customers.Enable(e.ctx, id) }
	erase := func(e env, id uuid.UUID) (customer.Customer, error) { return e.Customers.Erase(e.ctx, id) }

	// Each start state is built through the service.
	starts := map[customer.State]func(e env) uuid.UUID{
		customer.StateGuest: func(e env) uuid.UUID { return e.guest(t, "c@example.com").ID },
		customer.StateInvited: func(e env) uuid.UUID {
			c, err := e.Customers.Invite(e.ctx, customer.Params{Email: "c@example.com"})
			require.NoError(t, err)
			return c.ID
		},
		customer.StateActive: func(e env) uuid.UUID { return e.register(t, "c@example.com").ID },
		customer.StateDisabled: func(e env) uuid.UUID {
			c := e.register(t, "c@example.com")
			_, err := e.Customers.Disable(e.ctx, c.ID)
			require.NoError(t, err)
			return c.ID
		},
		customer.StateErased: func(e env) uuid.UUID {
			c := e.register(t, "c@example.com")
			_, err := e.Customers.Erase(e.ctx, c.ID)
			require.NoError(t, err)
			return c.ID
		},
	}
	tests := []struct {
		name string
		from customer.State
		move move
		want customer.State // zero: the move is invalid
	}{
		{"guest activate", customer.StateGuest, activate, 0},
		{"guest disable", customer.StateGuest, disable, 0},
		{"guest enable", customer.StateGuest, enable, 0},
		{"guest erase", customer.StateGuest, erase, customer.StateErased},
		{"invited activate", customer.StateInvited, activate, customer.StateActive},
		{"invited disable", customer.StateInvited, disable, customer.StateDisabled},
		{"invited enable", customer.StateInvited, enable, 0},
		{"active activate", customer.StateActive, activate, 0},
		{"active enable", customer.StateActive, enable, 0},
		{"active disable", customer.StateActive, disable, customer.StateDisabled},
		{"disabled disable", customer.StateDisabled, disable, 0},
		{"disabled activate (an old invitation cannot undo a Disable)", customer.StateDisabled, activate, 0},
		{"disabled enable", customer.StateDisabled, enable, customer.StateActive},
		{"disabled erase", customer.StateDisabled, erase, customer.StateErased},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			id := starts[tt.from](e)
			before, err := e.store.Customers().Get(e.ctx, id)
			require.NoError(t, err)
			c, err := tt.move(e, id)
			after, gerr := e.store.Customers().Get(e.ctx, id)
			require.NoError(t, gerr)
			if tt.want == 0 {
				require.ErrorIs(t, err, customer.ErrInvalidTransition)
				var te *customer.TransitionError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, tt.from, te.From)
				assert.Equal(t, before, after, "a refused move changes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.State)
			assert.Equal(t, tt.want, after.State)
			assert.Equal(t, before.Version+1, after.Version)
		})
	}
	t.Run("unknown, deleted or erased customer: not found, as everywhere", func(t *testing.T) {
		e := newEnv(t)
		deleted := e.register(t, "gone@example.com")
		require.NoError(t, e.Customers.Delete(e.ctx, deleted.ID))
		erased := e.register(t, "erased@example.com")
		_, err := e.Customers.Erase(e.ctx, erased.ID)
		require.NoError(t, err)
		for _, id := range []uuid.UUID{uuid.New(), deleted.ID, erased.ID} {
			for name, m := range map[string]move{"activate": activate, "disable": disable, "enable": enable} {
				_, err := m(e, id)
				assert.ErrorIs(t, err, customer.ErrNotFound, name)
			}
		}
		_, err = e.Customers.Erase(e.ctx, uuid.New())
		assert.ErrorIs(t, err, customer.ErrNotFound)
	})
}

func TestCustomersGet(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	got, err := e.Customers.Get(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)

	_, err = e.Customers.Get(e.ctx, uuid.New())
	require.ErrorIs(t, err, customer.ErrNotFound)
	require.ErrorIs(t, err, storage.ErrNotFound, "the storage cause stays reachable")

	require.NoError(t, e.Customers.Delete(e.ctx, c.ID))
	_, err = e.Customers.Get(e.ctx, c.ID)
	require.ErrorIs(t, err, customer.ErrNotFound)
}

func TestCustomersGetByEmail(t *testing.T) {
	e := newEnv(t)
	guest := e.guest(t, "both@example.com")
	reg := e.register(t, "both@example.com")
	onlyGuest := e.guest(t, "guest@example.com")

	tests := []struct {
		email   string
		want    uuid.UUID
		wantErr error
	}{
		{email: "BOTH@example.com", want: reg.ID},
		{email: "bo\u200bth@EXAMPLE.COM", want: reg.ID},
		{email: "Guest@Example.com", want: onlyGuest.ID},
		{email: "nobody@example.com", wantErr: customer.ErrNotFound},
		{email: "not an email", wantErr: customer.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			c, err := e.Customers.GetByEmail(e.ctx, tt.email)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.ID)
		})
	}
	t.Run("the guest once the registered customer is deleted", func(t *testing.T) {
		require.NoError(t, e.Customers.Delete(e.ctx, reg.ID))
		c, err := e.Customers.GetByEmail(e.ctx, "both@example.com")
		require.NoError(t, err)
		assert.Equal(t, guest.ID, c.ID)
	})
}

func TestCustomersGetByReference(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ref@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "C-1", "erp" })
	got, err := e.Customers.GetByReference(e.ctx, " erp ", "C-1 ")
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)

	for _, tt := range []struct{ origin, ref string }{{"erp", "C-2"}, {"shop", "C-1"}, {"", ""}, {"erp", ""}} {
		_, err := e.Customers.GetByReference(e.ctx, tt.origin, tt.ref)
		assert.ErrorIs(t, err, customer.ErrNotFound, "%q/%q", tt.origin, tt.ref)
	}
	require.NoError(t, e.Customers.Delete(e.ctx, c.ID))
	_, err = e.Customers.GetByReference(e.ctx, "erp", "C-1")
	assert.ErrorIs(t, err, customer.ErrNotFound)
}

func TestCustomersUpdate(t *testing.T) {
	newCustomer := func(e env) customer.Customer {
		return e.register(t, "ada@example.com", func(p *customer.Params) {
			p.FirstName, p.LastName, p.Company = "Ada", "Lovelace", "Analytical Engines"
			p.Tags = []string{"vip", "newsletter"}
			p.Metadata = map[string]string{"source": "ads", "tier": "gold"}
		})
	}
	tests := []struct {
		name    string
		setup   func(e env)
		patch   customer.Patch
		check   func(t *testing.T, c customer.Customer)
		wantErr error
	}{
		{
			name:  "nil fields stay unchanged",
			patch: customer.Patch{FirstName: ptr("Augusta")},
			check: func(t *testing.T, c customer.Customer) {
				assert.Equal(t, "Augusta", c.FirstName)
				assert.Equal(t, "Lovelace", c.LastName)
				assert.Equal(t, "Analytical Engines", c.Company)
				assert.Equal(t, []string{"newsletter", "vip"}, c.Tags)
			},
		},
		{
			name:  "empty string clears, tags replace, nil metadata value deletes",
			patch: customer.Patch{Company: ptr(""), Tags: &[]string{"B2B"}, Metadata: map[string]*string{"source": nil, "tier": ptr("silver")}},
			check: func(t *testing.T, c customer.Customer) {
				assert.Empty(t, c.Company)
				assert.Equal(t, []string{"b2b"}, c.Tags)
				assert.Equal(t, map[string]string{"tier": "silver"}, c.Metadata)
			},
		},
		{
			name:  "email change is canonicalized and frees the old address",
			patch: customer.Patch{Email: ptr("Augusta@Example.com")},
			check: func(t *testing.T, c customer.Customer) {
				assert.Equal(t, "augusta@example.com", c.Email.Address)
			},
		},
		{
			name:    "email taken",
			setup:   func(e env) { e.register(t, "taken@example.com") },
			patch:   customer.Patch{Email: ptr("TAKEN@example.com"), FirstName: ptr("X")},
			wantErr: customer.ErrEmailTaken,
		},
		{
			name: "reference taken",
			setup: func(e env) {
				e.register(t, "other@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "9", "erp" })
			},
			patch:   customer.Patch{Reference: ptr("9"), ReferenceOrigin: ptr("erp")},
			wantErr: customer.ErrReferenceTaken,
		},
		{name: "invalid phone", patch: customer.Patch{Phone: ptr("123"), FirstName: ptr("X")}, wantErr: customer.ErrInvalid},
		{name: "VAT ID on a private customer", patch: customer.Patch{VATID: ptr("DE123")}, wantErr: customer.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := newCustomer(e)
			if tt.setup != nil {
				tt.setup(e)
			}
			got, err := e.Customers.Update(e.ctx, c.ID, tt.patch)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				after, err := e.Customers.Get(e.ctx, c.ID)
				require.NoError(t, err)
				assert.Equal(t, c, after, "nothing is written on error")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.Version+1, got.Version)
			assert.True(t, got.UpdatedAt.After(c.UpdatedAt))
			tt.check(t, got)
			stored, err := e.Customers.Get(e.ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, got, stored)
		})
	}
	t.Run("unknown and deleted customers", func(t *testing.T) {
		e := newEnv(t)
		c := newCustomer(e)
		_, err := e.Customers.Update(e.ctx, uuid.New(), customer.Patch{FirstName: ptr("X")})
		require.ErrorIs(t, err, customer.ErrNotFound)
		require.NoError(t, e.Customers.Delete(e.ctx, c.ID))
		_, err = e.Customers.Update(e.ctx, c.ID, customer.Patch{FirstName: ptr("X")})
		require.ErrorIs(t, err, customer.ErrNotFound)
	})
	t.Run("the old email is free after a change", func(t *testing.T) {
		e := newEnv(t)
		c := newCustomer(e)
		_, err := e.Customers.Update(e.ctx, c.ID, customer.Patch{Email: ptr("new@example.com")})
		require.NoError(t, err)
		e.register(t, "ada@example.com")
	})
}

func TestCustomersDelete(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "1", "erp" })
	require.NoError(t, e.Customers.Delete(e.ctx, c.ID))

	err := e.Customers.Delete(e.ctx, c.ID)
	require.ErrorIs(t, err, customer.ErrNotFound, "deleting twice")
	require.ErrorIs(t, e.Customers.Delete(e.ctx, uuid.New()), customer.ErrNotFound)

	_, err = e.Customers.GetByEmail(e.ctx, "ada@example.com")
	require.ErrorIs(t, err, customer.ErrNotFound)
	pg, err := e.Customers.List(e.ctx, customer.Filter{}, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, pg.Items)
	pg, err = e.Customers.List(e.ctx, customer.Filter{IncludeDeleted: true}, page.Request{})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	assert.NotNil(t, pg.Items[0].DeletedAt)

	// Email and reference are free again.
	e.register(t, "ada@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "1", "erp" })
}

func TestCustomersErase(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com", func(p *customer.Params) {
		p.FirstName, p.Phone, p.Tags = "Ada", "+49301234567", []string{"vip"}
		p.Reference, p.ReferenceOrigin = "1", "erp"
	})
	_, _, err := e.Addresses.Add(e.ctx, c.ID, address.Address{Line1: "1 Main St", City: "Berlin", Country: "DE", FirstName: "Ada"})
	require.NoError(t, err)
	_, err = e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "5.00")})
	require.NoError(t, err)

	erased, err := e.Customers.Erase(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StateErased, erased.State)
	assert.Equal(t, customer.ErasedEmail(c.ID), erased.Email)
	assert.Empty(t, erased.FirstName)
	assert.Empty(t, erased.Phone)
	assert.Empty(t, erased.Tags)
	assert.Empty(t, erased.Reference)
	assert.NotNil(t, erased.DeletedAt)

	book, err := e.store.Addresses().Book(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, book.Entries, "the address book is personal data too")
	postings, err := e.store.Balances().AccountFor(e.ctx, c.ID, eur)
	require.NoError(t, err)
	assert.Equal(t, int64(1), postings.Postings, "the ledger is kept")

	_, err = e.Customers.Get(e.ctx, c.ID)
	require.ErrorIs(t, err, customer.ErrNotFound)
	again, err := e.Customers.Erase(e.ctx, c.ID)
	require.NoError(t, err, "erasing again is a no-op")
	assert.Equal(t, erased, again, "and changes nothing")
	stored, err := e.Customers.GetAny(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, erased.Version, stored.Version, "not even the version")
	_, err = e.Customers.Erase(e.ctx, uuid.New())
	require.ErrorIs(t, err, customer.ErrNotFound)
	e.register(t, "ada@example.com", func(p *customer.Params) { p.Reference, p.ReferenceOrigin = "1", "erp" })

	t.Run("an already deleted customer can be erased", func(t *testing.T) {
		d := e.register(t, "deleted@example.com")
		require.NoError(t, e.Customers.Delete(e.ctx, d.ID))
		got, err := e.Customers.Erase(e.ctx, d.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.StateErased, got.State)
		assert.Empty(t, got.FirstName)
	})
}

// listFixture is a population for the List filter tests.
type listFixture struct {
	e                             env
	ada, bob, cleo, dan, eve, fay customer.Customer
	vip                           uuid.UUID
}

func newListFixture(t *testing.T) listFixture {
	e := newEnv(t)
	f := listFixture{e: e}
	f.ada = e.register(t, "ada@example.com", func(p *customer.Params) {
		p.FirstName, p.LastName, p.Tags = "Ada", "Lovelace", []string{"vip", "newsletter"}
	})
	f.bob = e.register(t, "bob@example.com", func(p *customer.Params) {
		p.FirstName, p.LastName, p.Type, p.Tags = "Bob", "Müller", customer.TypeBusiness, []string{"newsletter"}
	})
	f.cleo = e.guest(t, "cleo@example.com")
	f.dan = e.register(t, "dan@example.com", func(p *customer.Params) { p.FirstName, p.LastName = "Dan", "Ada-Smith" })
	f.eve = e.guest(t, "ada@example.com") // the guest twin of ada
	f.fay = e.register(t, "fay@example.com")

	g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
	require.NoError(t, err)
	f.vip = g.ID
	_, err = e.Groups.AddMembers(e.ctx, g.ID, []uuid.UUID{f.ada.ID, f.cleo.ID, f.fay.ID})
	require.NoError(t, err)

	_, err = e.Customers.Disable(e.ctx, f.dan.ID)
	require.NoError(t, err)
	for i, id := range []uuid.UUID{f.ada.ID, f.ada.ID, f.bob.ID} {
		_, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: fmt.Sprintf("o-%d", i), CustomerID: id, Total: money(t, "10.00")})
		require.NoError(t, err)
	}
	require.NoError(t, e.Customers.Delete(e.ctx, f.fay.ID))
	return f
}

// TestCustomersList_Filters is the must-show filter table of Customers.List.
func TestCustomersList_Filters(t *testing.T) {
	f := newListFixture(t)
	yes, no := true, false
	tests := []struct {
		name   string
		filter customer.Filter
		want   []customer.Customer
	}{
		{"no filter: live customers in creation order", customer.Filter{}, []customer.Customer{f.ada, f.bob, f.cleo, f.dan, f.eve}},
		{"email in another spelling", customer.Filter{Email: " ADA@Example.COM"}, []customer.Customer{f.ada, f.eve}},
		{"email with a zero-width space", customer.Filter{Email: "b\u200bob@example.com"}, []customer.Customer{f.bob}},
		{"email and has_account", customer.Filter{Email: "ada@example.com", HasAccount: &no}, []customer.Customer{f.eve}},
		{"unknown email", customer.Filter{Email: "nobody@example.com"}, nil},
		{"name, case-insensitive substring", customer.Filter{Name: "ADA"}, []customer.Customer{f.ada, f.dan}},
		{"name across first and last", customer.Filter{Name: "bob  MÜLLER"}, []customer.Customer{f.bob}},
		{"group", customer.Filter{GroupID: f.vip}, []customer.Customer{f.ada, f.cleo}},
		{"unknown group", customer.Filter{GroupID: uuid.New()}, nil},
		{"status repeat", customer.Filter{Status: customer.StatusRepeat}, []customer.Customer{f.ada}},
		{"status acquired", customer.Filter{Status: customer.StatusAcquired}, []customer.Customer{f.bob}},
		{"status prospect", customer.Filter{Status: customer.StatusProspect}, []customer.Customer{f.cleo, f.dan, f.eve}},
		{"state disabled", customer.Filter{State: customer.StateDisabled}, []customer.Customer{f.dan}},
		{"state guest", customer.Filter{State: customer.StateGuest}, []customer.Customer{f.cleo, f.eve}},
		{"type business", customer.Filter{Type: customer.TypeBusiness}, []customer.Customer{f.bob}},
		{"one tag, any case", customer.Filter{Tags: []string{" NewsLetter "}}, []customer.Customer{f.ada, f.bob}},
		{"every tag must match", customer.Filter{Tags: []string{"newsletter", "vip"}}, []customer.Customer{f.ada}},
		{"registered", customer.Filter{HasAccount: &yes}, []customer.Customer{f.ada, f.bob, f.dan}},
		{"guests", customer.Filter{HasAccount: &no}, []customer.Customer{f.cleo, f.eve}},
		{"created range is [from, to)", customer.Filter{CreatedFrom: f.bob.CreatedAt, CreatedTo: f.dan.CreatedAt}, []customer.Customer{f.bob, f.cleo}},
		{"created from", customer.Filter{CreatedFrom: f.dan.CreatedAt}, []customer.Customer{f.dan, f.eve}},
		{"created to", customer.Filter{CreatedTo: f.bob.CreatedAt}, []customer.Customer{f.ada}},
		{"include deleted", customer.Filter{IncludeDeleted: true, CreatedFrom: f.eve.CreatedAt}, []customer.Customer{f.eve, f.fay}},
		{"combined", customer.Filter{HasAccount: &yes, Tags: []string{"newsletter"}, Type: customer.TypePrivate}, []customer.Customer{f.ada}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg, err := f.e.Customers.List(f.e.ctx, tt.filter, page.Request{})
			require.NoError(t, err)
			assert.Empty(t, pg.Next)
			assert.Equal(t, ids(tt.want...), ids(pg.Items...))
		})
	}
	t.Run("invalid filter input", func(t *testing.T) {
		_, err := f.e.Customers.List(f.e.ctx, customer.Filter{Email: "a@b@c"}, page.Request{})
		require.ErrorIs(t, err, customer.ErrInvalid)
		_, err = f.e.Customers.List(f.e.ctx, customer.Filter{Tags: []string{"a,b"}}, page.Request{})
		require.ErrorIs(t, err, customer.ErrInvalid)
		_, err = f.e.Customers.List(f.e.ctx, customer.Filter{}, page.Request{Cursor: "garbage!"})
		require.ErrorIs(t, err, page.ErrInvalidCursor)
	})
}

// TestCustomersList_KeysetPagination walks every page of a filtered and an
// unfiltered list: each customer shows up once, in (CreatedAt, ID) order,
// and the last page has no cursor.
func TestCustomersList_KeysetPagination(t *testing.T) {
	e := newEnv(t)
	var all, tagged []customer.Customer
	for i := range 23 {
		var c customer.Customer
		if i%3 == 0 {
			c = e.register(t, fmt.Sprintf("c%02d@example.com", i), func(p *customer.Params) { p.Tags = []string{"odd-one"} })
			tagged = append(tagged, c)
		} else {
			c = e.guest(t, fmt.Sprintf("c%02d@example.com", i))
		}
		all = append(all, c)
	}
	for _, tt := range []struct {
		name   string
		filter customer.Filter
		limit  int
		want   []customer.Customer
	}{
		{"all, pages of 5", customer.Filter{}, 5, all},
		{"all, pages of 1", customer.Filter{}, 1, all},
		{"all, exact multiple", customer.Filter{}, 23, all},
		{"all, default limit", customer.Filter{}, 0, all},
		{"filtered, pages of 3", customer.Filter{Tags: []string{"odd-one"}}, 3, tagged},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []customer.Customer
			pages := 0
			p := page.Request{Limit: tt.limit}
			for {
				pg, err := e.Customers.List(e.ctx, tt.filter, p)
				require.NoError(t, err)
				pages++
				require.LessOrEqual(t, len(pg.Items), p.Size())
				got = append(got, pg.Items...)
				if pg.Next == "" {
					break
				}
				require.Len(t, pg.Items, p.Size(), "only the last page is short")
				p.Cursor = pg.Next
				require.Less(t, pages, 100, "pagination does not end")
			}
			assert.Equal(t, ids(tt.want...), ids(got...))
			size := page.Request{Limit: tt.limit}.Size()
			assert.Equal(t, (len(tt.want)+size-1)/size, pages)
		})
	}
	t.Run("a customer created after a page was read appears on a later page", func(t *testing.T) {
		pg, err := e.Customers.List(e.ctx, customer.Filter{}, page.Request{Limit: 20})
		require.NoError(t, err)
		late := e.guest(t, "late@example.com")
		pg, err = e.Customers.List(e.ctx, customer.Filter{}, page.Request{Limit: 20, Cursor: pg.Next})
		require.NoError(t, err)
		assert.Equal(t, append(ids(all[20:]...), late.ID), ids(pg.Items...))
	})
}

func ids(cs ...customer.Customer) []uuid.UUID {
	out := make([]uuid.UUID, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func TestNew_Defaults(t *testing.T) {
	svc := clientele.New(memory.New())
	before := time.Now().UTC().Truncate(time.Microsecond)
	c, err := svc.Customers.Register(context.Background(), customer.Params{Email: "ada@example.com"})
	require.NoError(t, err)
	after := time.Now().UTC()
	assert.Equal(t, uuid.Version(7), c.ID.Version(), "random version 7 IDs by default")
	assert.Equal(t, time.UTC, c.CreatedAt.Location())
	assert.False(t, c.CreatedAt.Before(before) || c.CreatedAt.After(after), "the wall clock by default")
	assert.Zero(t, c.CreatedAt.Nanosecond()%1000, "truncated to microseconds")

	t.Run("a clock in another zone is stored in UTC", func(t *testing.T) {
		tokyo := time.FixedZone("JST", 9*3600)
		svc := clientele.New(memory.New(), clientele.WithClock(fixedClock(time.Date(2025, 1, 1, 9, 0, 0, 123456789, tokyo))))
		c, err := svc.Customers.Register(context.Background(), customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		assert.Equal(t, time.Date(2025, 1, 1, 0, 0, 0, 123456000, time.UTC), c.CreatedAt)
	})
}

// TestCustomersReadDeleted: support staff read deleted and erased customers
// by ID (GetAny) and find them in lists, by the erased placeholder email too.
func TestCustomersReadDeleted(t *testing.T) {
	e := newEnv(t)
	live := e.register(t, "live@example.com")
	deleted := e.register(t, "deleted@example.com")
	require.NoError(t, e.Customers.Delete(e.ctx, deleted.ID))
	erased := e.register(t, "erased@example.com")
	erasedNow, err := e.Customers.Erase(e.ctx, erased.ID)
	require.NoError(t, err)

	for _, c := range []customer.Customer{live, deleted, erased} {
		got, err := e.Customers.GetAny(e.ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.ID)
	}
	got, err := e.Customers.GetAny(e.ctx, erased.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.StateErased, got.State)
	assert.NotNil(t, got.DeletedAt)
	_, err = e.Customers.GetAny(e.ctx, uuid.New())
	require.ErrorIs(t, err, customer.ErrNotFound)

	pg, err := e.Customers.List(e.ctx, customer.Filter{Email: erasedNow.Email.Address, IncludeDeleted: true}, page.Request{})
	require.NoError(t, err, "the placeholder email of an erased customer is a valid filter")
	require.Len(t, pg.Items, 1)
	assert.Equal(t, erased.ID, pg.Items[0].ID)
	pg, err = e.Customers.List(e.ctx, customer.Filter{Email: strings.ToUpper(erasedNow.Email.Address), IncludeDeleted: true}, page.Request{})
	require.NoError(t, err)
	assert.Len(t, pg.Items, 1, "in any case")
	pg, err = e.Customers.List(e.ctx, customer.Filter{Email: erasedNow.Email.Address}, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, pg.Items, "not listed without IncludeDeleted")
}
