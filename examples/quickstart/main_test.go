package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage/memory"
)

// TestQuickstart runs the story and checks what it tells: the README's
// example must keep working.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), memory.New(), &out))
	for _, want := range []string{
		"email stored as ada.lovelace@example.com",
		"the guest is now acquired",
		"email taken = true",
		"password set true",
		"a wrong password: credential: invalid email or password",
		"1 moved, she is acquired",
		`Can Ada buy in "vip-eu"? false`,
		"(added); can she now? true",
		"balance 30.00 EUR",
		"30.00 EUR paid with store credit, 15.50 EUR due by card; balance now 0.00 EUR",
		"#1 adjustment",
		"#2 order_payment",
		"Ada is repeat with 2 order(s)",
		"the subscriber heard 20 events",
		"customer.created",
		"customer.registered",
		"customer.guest_orders_claimed",
		"account.password_set",
		"account.login_succeeded",
		"account.login_failed",
		"account.token_issued",
		"group.member_added",
		"balance.credited",
		"by staff:support@acme.example",
		"balance.order_paid",
		"order.recorded",
	} {
		require.Contains(t, out.String(), want)
	}
}

// TestOpen checks the stores the flags select.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, kind := range []string{"memory", "sqlite"} {
		store, where, err := open(context.Background(), kind, filepath.Join(dir, "qs.db"))
		require.NoError(t, err)
		var out bytes.Buffer
		require.NoError(t, run(context.Background(), store, &out), where)
		require.Contains(t, out.String(), "Ada is repeat with 2 order(s)")
	}
	_, _, err := open(context.Background(), "oracle", "")
	require.Error(t, err)
	_, _, err = open(context.Background(), "postgres", "")
	require.Error(t, err)
}
