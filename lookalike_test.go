package clientele_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
)

func TestCustomersRegister_RefusesLookalikeEmails(t *testing.T) {
	e := newEnv(t)
	ada := e.register(t, "ada@example.com")

	for _, lookalike := range []string{
		"\u0430da@example.com", // Cyrillic а
		"ada@ex\u0430mple.com", // Cyrillic а in the domain
		"\u0251da@example.com", // Latin alpha
		"\u0430d\u0430@EXAMPLE.com",
	} {
		_, err := e.Customers.Register(e.ctx, customer.Params{Email: lookalike})
		require.ErrorIs(t, err, customer.ErrEmailConfusable, "Register(%q)", lookalike)
		assert.NotErrorIs(t, err, customer.ErrEmailTaken)
		assert.NotContains(t, err.Error(), ada.ID.String(), "the error does not name the other customer")
		_, err = e.Customers.Invite(e.ctx, customer.Params{Email: lookalike})
		require.ErrorIs(t, err, customer.ErrEmailConfusable, "Invite(%q)", lookalike)
	}
	// Width and compatibility forms are the same address, not a look-alike.
	for _, same := range []string{"ａｄａ@example.com", "𝐚𝐝𝐚@example.com", "ADA@example.com"} {
		_, err := e.Customers.Register(e.ctx, customer.Params{Email: same})
		require.ErrorIs(t, err, customer.ErrEmailTaken, "Register(%q)", same)
		got, err := e.Customers.GetByEmail(e.ctx, same)
		require.NoError(t, err)
		assert.Equal(t, ada.ID, got.ID)
	}
	_, err := e.Customers.Register(e.ctx, customer.Params{Email: "bob@example.com"})
	require.NoError(t, err, "an address that looks like no other")
}

func TestCustomersRegister_LookalikesOfGuestsAndDeleted(t *testing.T) {
	e := newEnv(t)
	// Guests keep their address as given, look-alike or not.
	g1 := e.guest(t, "ada@example.com")
	g2 := e.guest(t, "\u0430da@example.com")
	assert.NotEqual(t, g1.ID, g2.ID)
	assert.Equal(t, "\u0430da@example.com", g2.Email.Address)

	// A guest's look-alike does not block registering.
	c := e.register(t, "\u0430da@example.com")
	// A registered customer's does, until it is deleted.
	_, err := e.Customers.Register(e.ctx, customer.Params{Email: "ada@example.com"})
	require.ErrorIs(t, err, customer.ErrEmailConfusable)
	_, _, err = e.Customers.CreateGuest(e.ctx, customer.Params{Email: "ada@ex\u0430mple.com"})
	require.NoError(t, err, "guests are never refused")
	require.NoError(t, e.Customers.Delete(e.ctx, c.ID))
	e.register(t, "ada@example.com")
}

func TestWithConfusableEmails(t *testing.T) {
	e := newEnv(t, clientele.WithConfusableEmails(true))
	a := e.register(t, "ada@example.com")
	b := e.register(t, "\u0430da@example.com")
	assert.NotEqual(t, a.ID, b.ID)
	_, err := e.Customers.Register(e.ctx, customer.Params{Email: "ａｄａ@example.com"})
	require.ErrorIs(t, err, customer.ErrEmailTaken, "the very same address is still taken")

	strict := newEnv(t, clientele.WithConfusableEmails(false))
	strict.register(t, "jim@example.com")
	_, err = strict.Customers.Register(strict.ctx, customer.Params{Email: "jirn@example.com"})
	require.ErrorIs(t, err, customer.ErrEmailConfusable)
}
