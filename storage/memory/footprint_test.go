package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// The footprint and the indexed reads at 10,000 and at 1,000,000 customers
// (issue 15). The 1M sub-benchmarks run only with CLIENTELE_BENCH_1M=1:
//
//	CLIENTELE_BENCH_1M=1 go test -run '^$' -bench 'Footprint|Get|ListPageAt' -benchtime 2s ./storage/memory/

// maxBytesPerCustomer is the budget TestFootprint enforces for a typical
// customer.
const maxBytesPerCustomer = 800

// footprintCustomer returns the i-th customer of a footprint fixture, its
// strings freshly allocated (as a decoded request's would be), so that
// only what the store keeps counts. A typical customer is registered, with
// an email, a first and a last name and, every other one, a phone. A tagged
// one has two tags and two metadata keys besides. A referenced one has a
// reference from "erp".
func footprintCustomer(i int, tagged, referenced bool) customer.Customer {
	p := customer.Params{
		Email:     fmt.Sprintf("customer.%07d@example.com", i),
		FirstName: fmt.Sprintf("First%d", i%1000),
		LastName:  fmt.Sprintf("Lastname %d", i),
	}
	if i%2 == 0 {
		p.Phone = fmt.Sprintf("+4930%07d", i)
	}
	if tagged {
		p.Tags = []string{"newsletter", fmt.Sprintf("cohort-%d", i%10)}
		p.Metadata = map[string]string{"source": "import", "crm_id": fmt.Sprintf("crm-%07d", i)}
	}
	if referenced {
		p.Reference, p.ReferenceOrigin = fmt.Sprintf("C%07d", i), "erp"
	}
	id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "footprint-%d", i))
	c, err := customer.NewRegistered(id, p, benchBase.Add(time.Duration(i)*time.Millisecond))
	if err != nil {
		panic(err)
	}
	return c
}

// heapAlloc returns the bytes of live heap objects after a full collection.
func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// storeFootprint inserts n customers through the public API into a new
// store and returns the store's live heap growth per customer.
func storeFootprint(tb testing.TB, n int, tagged bool) float64 {
	tb.Helper()
	ctx := context.Background()
	before := heapAlloc()
	s := memory.New()
	for i := range n {
		if _, err := s.Customers().Create(ctx, footprintCustomer(i, tagged, false)); err != nil {
			tb.Fatal(err)
		}
	}
	after := heapAlloc()
	runtime.KeepAlive(s)
	return float64(int64(after)-int64(before)) / float64(n)
}

// TestFootprint holds the store to maxBytesPerCustomer bytes of heap per
// typical customer, measured over 100,000 customers (a byte count, not a
// timing: GC'd heap before and after, deterministic to a few bytes).
func TestFootprint(t *testing.T) {
	if testing.Short() {
		t.Skip("inserts 100,000 customers")
	}
	const n = 100_000
	typical := storeFootprint(t, n, false)
	t.Logf("typical customer: %.0f bytes", typical)
	if typical > maxBytesPerCustomer {
		t.Errorf("a typical customer takes %.0f bytes of heap, want at most %d", typical, maxBytesPerCustomer)
	}
	tagged := storeFootprint(t, n, true)
	t.Logf("customer with 2 tags and 2 metadata keys: %.0f bytes", tagged)
	if tagged > 2*maxBytesPerCustomer {
		t.Errorf("a tagged customer takes %.0f bytes of heap, want at most %d", tagged, 2*maxBytesPerCustomer)
	}
}

// benchSizes are the store sizes of the footprint and read benchmarks.
var benchSizes = []struct {
	name string
	n    int
}{{"10k", 10_000}, {"1M", 1_000_000}}

// skipLarge skips the 1M sub-benchmarks unless CLIENTELE_BENCH_1M=1.
func skipLarge(b *testing.B, n int) {
	if n > 100_000 && os.Getenv("CLIENTELE_BENCH_1M") != "1" {
		b.Skip("set CLIENTELE_BENCH_1M=1 to run at 1M customers")
	}
}

// BenchmarkFootprint fills a store with typical (and with tagged)
// customers; bytes/customer is the live heap the store holds per customer.
func BenchmarkFootprint(b *testing.B) {
	for _, size := range benchSizes {
		for _, tagged := range []bool{false, true} {
			name := size.name + "/typical"
			if tagged {
				name = size.name + "/tagged"
			}
			b.Run(name, func(b *testing.B) {
				skipLarge(b, size.n)
				var per float64
				for b.Loop() {
					per = storeFootprint(b, size.n, tagged)
				}
				b.ReportMetric(per, "bytes/customer")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// readFixture is a store of n customers (every one with a reference) and,
// beside it, the bare maps of the baseline: the same customers in a
// map[uuid.UUID]customer.Customer, by email, by reference, and a slice in
// creation order.
type readFixture struct {
	store   *memory.Store
	cs      []customer.Customer // creation order
	keys    []int               // indexes into cs, shuffled
	byID    map[uuid.UUID]customer.Customer
	byEmail map[string]customer.Customer
	byRef   map[[2]string]customer.Customer
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[int]*readFixture{}
)

// fixture returns the read fixture of n customers, built once.
func fixture(b *testing.B, n int) *readFixture {
	b.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if f := fixtures[n]; f != nil {
		return f
	}
	for k := range fixtures { // keep one size in memory at a time
		delete(fixtures, k)
	}
	runtime.GC()
	f := &readFixture{
		store:   memory.New(),
		cs:      make([]customer.Customer, n),
		byID:    make(map[uuid.UUID]customer.Customer),
		byEmail: make(map[string]customer.Customer),
		byRef:   make(map[[2]string]customer.Customer),
	}
	ctx := context.Background()
	for i := range n {
		c, err := f.store.Customers().Create(ctx, footprintCustomer(i, false, true))
		if err != nil {
			b.Fatal(err)
		}
		f.cs[i] = c
		f.byID[c.ID] = c
		f.byEmail[c.Email.Address] = c
		f.byRef[[2]string{c.ReferenceOrigin, c.Reference}] = c
	}
	f.keys = rand.New(rand.NewPCG(1, 2)).Perm(n)
	fixtures[n] = f
	runtime.GC()
	return f
}

var (
	sink     customer.Customer
	pageSink []customer.Customer
)

// measureCPU locks the benchmark to its OS thread and returns the function
// that reports the thread's CPU time per operation as cpu-ns/op; call it
// after the loop.
func measureCPU(b *testing.B) func() {
	runtime.LockOSThread()
	start := threadCPU()
	return func() {
		if used := threadCPU() - start; used > 0 && b.N > 0 {
			b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
		runtime.UnlockOSThread()
	}
}

// BenchmarkGet reads one customer by ID, by email and by reference, from
// the store and from a bare map of the same customers (a lookup and a
// Clone, no lock), at 10k and 1M customers, in a random order.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			skipLarge(b, size.n)
			f := fixture(b, size.n)
			cs, keys := f.cs, f.keys
			cases := []struct {
				name string
				get  func(c *customer.Customer) (customer.Customer, error)
			}{
				{"ByID/store", func(c *customer.Customer) (customer.Customer, error) {
					return f.store.Customers().Get(ctx, c.ID)
				}},
				{"ByID/map", func(c *customer.Customer) (customer.Customer, error) {
					return f.byID[c.ID].Clone(), nil
				}},
				{"ByEmail/store", func(c *customer.Customer) (customer.Customer, error) {
					return f.store.Customers().GetByEmail(ctx, c.Email.Address, true)
				}},
				{"ByEmail/map", func(c *customer.Customer) (customer.Customer, error) {
					return f.byEmail[c.Email.Address].Clone(), nil
				}},
				{"ByReference/store", func(c *customer.Customer) (customer.Customer, error) {
					return f.store.Customers().GetByReference(ctx, c.ReferenceOrigin, c.Reference)
				}},
				{"ByReference/map", func(c *customer.Customer) (customer.Customer, error) {
					return f.byRef[[2]string{c.ReferenceOrigin, c.Reference}].Clone(), nil
				}},
			}
			for _, tc := range cases {
				b.Run(tc.name, func(b *testing.B) {
					b.ReportAllocs()
					report := measureCPU(b)
					defer report()
					i := 0
					for b.Loop() {
						c := &cs[keys[i]]
						got, err := tc.get(c)
						if err != nil || got.ID != c.ID {
							b.Fatal(got.ID, err)
						}
						sink = got
						if i++; i == len(keys) {
							i = 0
						}
					}
				})
			}
		})
	}
}

// BenchmarkListPageAt reads a page of 50 customers from a cursor at a
// random place, from the store and from a bare slice of the same customers
// in creation order (a binary search for the cursor, 50 Clones into a new
// page on the heap and the next cursor).
func BenchmarkListPageAt(b *testing.B) {
	ctx := context.Background()
	const size = 50
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			skipLarge(b, sz.n)
			f := fixture(b, sz.n)
			cs, keys := f.cs, f.keys
			cursors := make([]string, 1024)
			for i := range cursors {
				c := cs[keys[i]%(len(cs)-size-1)]
				cursors[i] = storage.Cursor{List: storage.ListCustomers, Time: c.CreatedAt, Key: c.ID.String()}.String()
			}
			storePage := func(b *testing.B, i int) {
				page, err := f.store.Customers().List(ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: size, Cursor: cursors[i%len(cursors)]})
				if err != nil || len(page.Items) != size {
					b.Fatal(len(page.Items), err)
				}
			}
			slicePage := func(b *testing.B, i int) {
				c, err := storage.ParseCursor(storage.ListCustomers, cursors[i%len(cursors)])
				if err != nil {
					b.Fatal(err)
				}
				id, err := uuid.Parse(c.Key)
				if err != nil {
					b.Fatal(err)
				}
				at := sort.Search(len(cs), func(j int) bool {
					return cs[j].CreatedAt.After(c.Time) || cs[j].CreatedAt.Equal(c.Time) && slices.Compare(cs[j].ID[:], id[:]) > 0
				})
				items := make([]customer.Customer, 0, size)
				for _, c := range cs[at : at+size] {
					items = append(items, c.Clone())
				}
				next := storage.Cursor{List: storage.ListCustomers, Time: items[size-1].CreatedAt, Key: items[size-1].ID.String()}.String()
				if len(items) != size || next == "" {
					b.Fatal(len(items))
				}
				pageSink = items // on the heap, as a returned page is
			}
			// Whichever side ran first after the fixture was built paid for
			// the heap's growth (page faults, system time: up to 20 µs a
			// page at 1M): both run untimed first, until the heap is grown.
			for i := range 20000 {
				storePage(b, i)
				slicePage(b, i)
			}
			for _, side := range []struct {
				name string
				page func(*testing.B, int)
			}{{"store", storePage}, {"slice", slicePage}} {
				b.Run(side.name, func(b *testing.B) {
					b.ReportAllocs()
					report := measureCPU(b)
					defer report()
					i := 0
					for b.Loop() {
						side.page(b, i)
						i++
					}
				})
			}
		})
	}
}
