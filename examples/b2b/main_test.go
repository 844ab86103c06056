package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage/memory"
)

// TestB2B runs the story on memory and on SQLite and checks what it tells.
func TestB2B(t *testing.T) {
	sqliteStore, cleanup, err := open(context.Background(), "sqlite")
	require.NoError(t, err)
	t.Cleanup(cleanup)
	for _, name := range []string{"memory", "sqlite"} {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			s := sqliteStore
			if name == "memory" {
				s = memory.New()
			}
			require.NoError(t, run(context.Background(), s, &out))
			for _, want := range []string{
				"1. Ada created Acme GmbH (tax ID DE123456789, 30 days to pay, credit limit 5000.00 EUR)",
				"4. Bob ordered PO-1 for 320.00 EUR: allowed",
				"5. Bob ordered PO-2 for 1250.00 EUR: needs_approval",
				"6. Grace sees 1 order(s) waiting for approval",
				"7. Bob may not approve his own order: true",
				"8. Grace approved PO-2 (for the trade fair); the order is recorded: PO-2, placed",
				"9. PO-2 paid on account: Acme owes 1250.00 EUR",
				"10. 4000.00 EUR more on account is refused (over the credit limit): true",
			} {
				require.Contains(t, out.String(), want)
			}
		})
	}
}
