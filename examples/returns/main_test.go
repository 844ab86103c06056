package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage/memory"
)

// TestReturns runs the story on memory and on SQLite and checks what it
// tells: a return refunded to store credit, once.
func TestReturns(t *testing.T) {
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
				"1. Ada placed order #1001 for 149.90 EUR",
				"2. she asked to return goods worth 59.95 EUR (rma-7: requested)",
				"3. the warehouse received them",
				"4.3 the refund was reported: 59.95 EUR to store_credit",
				"5. a second refund of 100.00 EUR is refused (more than the order has left): true",
				"6. Ada's store credit: 59.95 EUR",
				"#1 refund 59.95 EUR for order order-1001",
				"7. order #1001: 1 return(s), 1 refund(s)",
				"8. Ada in EUR: 1 order(s), spent 149.90 EUR, refunded 59.95 EUR, net 89.95 EUR, average order 149.90 EUR",
			} {
				require.Contains(t, out.String(), want)
			}
			require.NotContains(t, out.String(), "#2 ", "credited once")
		})
	}
}
