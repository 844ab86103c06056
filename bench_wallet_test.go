package clientele_test

import (
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/wallet"
)

// BenchmarkWalletAdd adds a card to a wallet; the wallet is emptied when
// full, so that every add costs the same (a wallet of at most
// wallet.MaxSources sources, read and diffed whole).
func BenchmarkWalletAdd(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	populate(b, e, benchPopulation)
	c, err := e.Customers.Register(e.ctx, customer.Params{Email: "wallet@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	var added []uuid.UUID
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if len(added) == wallet.MaxSources {
			b.StopTimer()
			for _, id := range added {
				if _, err := e.Wallet.Remove(e.ctx, c.ID, id); err != nil {
					b.Fatal(err)
				}
			}
			added = added[:0]
			b.StartTimer()
		}
		s, err := e.Wallet.Add(e.ctx, c.ID, clienteletest.Card(clienteletest.WithToken("pm_"+strconv.Itoa(i))))
		if err != nil {
			b.Fatal(err)
		}
		added = append(added, s.ID)
	}
}

// BenchmarkWalletList lists a wallet of 10 sources.
func BenchmarkWalletList(b *testing.B) {
	e := newEnv(b, WithRandomIDs())
	populate(b, e, benchPopulation)
	c, err := e.Customers.Register(e.ctx, customer.Params{Email: "wallet@example.com"})
	if err != nil {
		b.Fatal(err)
	}
	for i := range 10 {
		if _, err := e.Wallet.Add(e.ctx, c.ID, clienteletest.Card(clienteletest.WithToken("pm_"+strconv.Itoa(i)))); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Wallet.List(e.ctx, c.ID); err != nil {
			b.Fatal(err)
		}
	}
}
