package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// benchCustomers is the size of the store every benchmark starts from.
const benchCustomers = 100_000

var benchBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// benchFixture is built once and copied into a fresh store per benchmark.
var benchFixture = sync.OnceValue(func() []customer.Customer {
	cs := make([]customer.Customer, benchCustomers)
	for i := range cs {
		cs[i] = benchCustomer(i)
	}
	return cs
})

// benchCustomer returns the i-th customer of the fixture: distinct IDs and
// emails, creation times one millisecond apart, a few tags.
func benchCustomer(i int) customer.Customer {
	c, err := customer.NewRegistered(uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "bench-%d", i)), customer.Params{
		Email:     fmt.Sprintf("bench-%d@example.com", i),
		FirstName: "Bench",
		LastName:  fmt.Sprintf("Customer %d", i),
		Tags:      []string{"bench", fmt.Sprintf("cohort-%d", i%10)},
		Metadata:  map[string]string{"i": fmt.Sprint(i)},
	}, benchBase.Add(time.Duration(i)*time.Millisecond))
	if err != nil {
		panic(err)
	}
	return c
}

// filledStore returns a store holding the fixture's customers.
func filledStore(b *testing.B) (*memory.Store, []customer.Customer) {
	b.Helper()
	cs := benchFixture()
	s := memory.New()
	err := s.Atomic(context.Background(), func(ctx context.Context, tx storage.Tx) error {
		for _, c := range cs {
			if _, err := tx.Customers().Create(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC() // do not bill the fill's garbage to the benchmark
	return s, cs
}

func BenchmarkCreateCustomer(b *testing.B) {
	s, _ := filledStore(b)
	ctx := context.Background()
	news := make([]customer.Customer, b.N)
	for i := range news {
		news[i] = benchCustomer(benchCustomers + i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Customers().Create(ctx, news[i]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetByID(b *testing.B) {
	s, cs := filledStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 1))
		for pb.Next() {
			if _, err := s.Customers().Get(ctx, cs[r.IntN(len(cs))].ID); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetByEmail(b *testing.B) {
	s, cs := filledStore(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			if _, err := s.Customers().GetByEmail(ctx, cs[r.IntN(len(cs))].Email.Address, true); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkListPage reads pages of 50 customers: the first page, a page in
// the middle (from a cursor), and a filtered page (one cohort in ten).
func BenchmarkListPage(b *testing.B) {
	s, _ := filledStore(b)
	ctx := context.Background()
	mid := storage.Cursor{List: storage.ListCustomers, Time: benchBase.Add(benchCustomers / 2 * time.Millisecond), Key: uuid.Nil.String()}.String()
	cases := []struct {
		name string
		f    storage.CustomerFilter
		p    storage.PageRequest
	}{
		{"First", storage.CustomerFilter{}, storage.PageRequest{Limit: 50}},
		{"Middle", storage.CustomerFilter{}, storage.PageRequest{Limit: 50, Cursor: mid}},
		{"Filtered", storage.CustomerFilter{Tags: []string{"cohort-3"}}, storage.PageRequest{Limit: 50, Cursor: mid}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					page, err := s.Customers().List(ctx, tc.f, tc.p)
					if err != nil || len(page.Items) != 50 {
						b.Errorf("List: %d items, %v", len(page.Items), err)
						return
					}
				}
			})
		})
	}
}

func BenchmarkAddMember(b *testing.B) {
	s, cs := filledStore(b)
	ctx := context.Background()
	var groups []uuid.UUID
	for i := range b.N/len(cs) + 1 {
		g, err := group.New(uuid.New(), group.Params{Name: fmt.Sprintf("Bench %d", i)}, benchBase)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Groups().Create(ctx, g); err != nil {
			b.Fatal(err)
		}
		groups = append(groups, g.ID)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		added, err := s.Groups().AddMember(ctx, groups[i/len(cs)], cs[i%len(cs)].ID)
		if err != nil || !added {
			b.Fatal(added, err)
		}
	}
}

func BenchmarkPost(b *testing.B) {
	s, cs := filledStore(b)
	ctx := context.Background()
	usd := balance.MustCurrency("USD")
	const accounts = 1000
	as := make([]balance.Account, accounts)
	for i := range as {
		a, err := s.Balances().CreateAccount(ctx, balance.NewAccount(uuid.New(), cs[i].ID, usd, benchBase))
		if err != nil {
			b.Fatal(err)
		}
		as[i] = a
	}
	amount := balance.FromMinorUnits(100, usd)
	ps := make([]balance.Posting, b.N)
	for i := range ps {
		p, err := balance.NewPosting(uuid.New(), as[i%accounts], balance.PostingParams{
			Kind: balance.KindGiftCard, Amount: amount, IdempotencyKey: fmt.Sprintf("key-%d", i),
		}, benchBase)
		if err != nil {
			b.Fatal(err)
		}
		ps[i] = p
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.Balances().Post(ctx, ps[i]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPostParallel posts from many goroutines to a few accounts, the
// contended case of the balance floor.
func BenchmarkPostParallel(b *testing.B) {
	s, cs := filledStore(b)
	ctx := context.Background()
	usd := balance.MustCurrency("USD")
	as := make([]balance.Account, 8)
	for i := range as {
		a, err := s.Balances().CreateAccount(ctx, balance.NewAccount(uuid.New(), cs[i].ID, usd, benchBase))
		if err != nil {
			b.Fatal(err)
		}
		as[i] = a
	}
	amount := balance.FromMinorUnits(1, usd)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			p, err := balance.NewPosting(uuid.New(), as[i%int64(len(as))], balance.PostingParams{Kind: balance.KindGiftCard, Amount: amount}, benchBase)
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := s.Balances().Post(ctx, p); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
