package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
)

// eur is the currency of every posting.
var eur = balance.MustCurrency("EUR")

// cursor is one keyset position in the customer list: the library's cursor
// and the (created_at, id) it stands for, which the hand-written query
// takes.
type cursor struct {
	token     string
	createdAt int64 // microseconds since the Unix epoch
	id        uuid.UUID
}

// fixture is the seeded data of one engine.
type fixture struct {
	registered []customer.Customer // live registered customers
	guests     []customer.Customer // live guests (no registered customer shares their email)
	accounts   []uuid.UUID         // customers with a EUR account, funded
	cursors    []cursor            // positions inside the customer list
	// groups are the groups AddMembers adds to, per side: each side adds
	// every registered customer to its first group, then to the next.
	groups [2][]uuid.UUID
	// seq makes emails unique across sides, concurrencies and blocks.
	seq atomic.Int64
	// calls numbers each operation's calls per side, across the
	// concurrencies, so that keys and memberships are never reused.
	calls map[string]*[2]atomic.Int64
}

// next returns the sequence number of op's next call on side.
func (f *fixture) next(op string, side int) int64 {
	return f.calls[op][side].Add(1) - 1
}

// seedConfig says how much to seed.
type seedConfig struct {
	customers, guests, accounts, groups int
	workers                             int
}

// seed fills the engine through the services, with workers goroutines.
func seed(ctx context.Context, svc *clientele.Service, cfg seedConfig) (*fixture, error) {
	f := &fixture{
		registered: make([]customer.Customer, cfg.customers),
		guests:     make([]customer.Customer, cfg.guests),
		accounts:   make([]uuid.UUID, cfg.accounts),
		calls:      map[string]*[2]atomic.Int64{},
	}
	err := parallel(cfg.workers, cfg.customers+cfg.guests, func(i int) error {
		if i < cfg.customers {
			c, err := svc.Customers.Register(ctx, customer.Params{Email: fmt.Sprintf("c%06d@seed.example", i),
				FirstName: "Ada", LastName: fmt.Sprintf("Seed %d", i), Phone: "+41446681800"})
			f.registered[i] = c
			return err
		}
		i -= cfg.customers
		c, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: fmt.Sprintf("g%06d@seed.example", i),
			FirstName: "Grace", LastName: fmt.Sprintf("Guest %d", i)})
		f.guests[i] = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("seed customers: %w", err)
	}
	if cfg.accounts > cfg.customers {
		return nil, fmt.Errorf("seed: %d accounts need as many customers (have %d)", cfg.accounts, cfg.customers)
	}
	// Enough credit that the debits never run dry: 10,000,000.00 EUR each.
	err = parallel(cfg.workers, cfg.accounts, func(i int) error {
		f.accounts[i] = f.registered[i].ID
		_, err := svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: f.accounts[i],
			Amount: balance.FromMinorUnits(1_000_000_000, eur), IdempotencyKey: "seed"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("seed accounts: %w", err)
	}
	for side := range f.groups {
		for g := range cfg.groups {
			grp, err := svc.Groups.Create(ctx, clientele.GroupParams{Name: fmt.Sprintf("bench %d-%d", side, g)})
			if err != nil {
				return nil, fmt.Errorf("seed groups: %w", err)
			}
			f.groups[side] = append(f.groups[side], grp.ID)
		}
	}
	// Every page of 50 through the whole list; the cursors are where each
	// page ends.
	req := page.Request{Limit: 50}
	for {
		p, err := svc.Customers.List(ctx, customer.Filter{}, req)
		if err != nil {
			return nil, fmt.Errorf("seed cursors: %w", err)
		}
		if p.Next == "" || len(p.Items) == 0 {
			break
		}
		last := p.Items[len(p.Items)-1]
		f.cursors = append(f.cursors, cursor{token: p.Next, createdAt: last.CreatedAt.UnixMicro(), id: last.ID})
		req.Cursor = p.Next
	}
	if len(f.cursors) == 0 {
		return nil, fmt.Errorf("seed cursors: the list has a single page")
	}
	return f, nil
}

// parallel runs fn(0..n-1) on workers goroutines and returns the first
// error.
func parallel(workers, n int, fn func(i int) error) error {
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
	)
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errOnce.Do(func() { first = err })
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// pick maps a call's sequence number to an index in [0, n), scattered
// (a multiplicative hash) so that neighbouring calls touch different rows.
func pick(seq int64, n int) int {
	h := uint64(seq)*0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019
	h ^= h >> 29
	return int(h % uint64(n))
}
