package loadtest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
)

// TestRun runs the harness briefly on every engine it can reach: memory and
// SQLite always, PostgreSQL and MariaDB (with session kills) when their DSN
// is set, and fails on any violation.
func TestRun(t *testing.T) {
	engines := []Config{{Engine: "memory"}, {Engine: "sqlite"}}
	if dsn := os.Getenv("CLIENTELE_POSTGRES_DSN"); dsn != "" {
		engines = append(engines, Config{Engine: "postgres", DSN: dsn, KillSessions: true, Pool: 4})
	}
	if dsn := os.Getenv("CLIENTELE_MYSQL_DSN"); dsn != "" {
		engines = append(engines, Config{Engine: "mysql", DSN: dsn, KillSessions: true, Pool: 4})
	}
	for _, cfg := range engines {
		t.Run(cfg.Engine, func(t *testing.T) {
			cfg.Duration = 3 * time.Second
			cfg.Workers = 4
			cfg.KillEvery = 100 * time.Millisecond
			var log strings.Builder
			cfg.Log = &log
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			rep.Print(&out)
			if !rep.OK() {
				t.Fatalf("violations:\n%s", out.String())
			}
			total := 0
			for _, n := range rep.Ops {
				total += n
			}
			if total == 0 || rep.Checked["customers"] == 0 {
				t.Fatalf("the run did nothing:\n%s", out.String())
			}
			t.Logf("\n%s", out.String())
		})
	}
}

// TestCheckCatches makes sure the check sees what it looks for: an
// acknowledgement the ledger lacks, a posting whose request failed, and a
// customer a call acknowledged that the store lacks. (The stores refuse
// the other broken states outright, so they cannot be planted.)
func TestCheckCatches(t *testing.T) {
	ctx := context.Background()
	cfg := Config{Engine: "memory"}
	cfg.defaults()
	eng, err := open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.cleanup()
	r := &run{cfg: cfg, eng: eng, svc: clientele.New(eng.store, clientele.WithPasswordHasher(loadHasher)), contract: map[string]int{}}
	c, err := r.svc.Customers.Register(ctx, customer.Params{Email: "ada@load.example"})
	if err != nil {
		t.Fatal(err)
	}
	r.customers = append(r.customers, c.ID)
	eur := balance.MustCurrency("EUR")
	p, err := r.svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: balance.FromMinorUnits(500, eur), IdempotencyKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	r.acks = append(r.acks,
		ack{customer: c.ID, currency: "EUR", key: "k1", postingID: p.ID, amount: p.Amount.String()}, // present
		ack{customer: c.ID, currency: "EUR", key: "k2", postingID: uuid.New(), amount: "5.00 EUR"},  // lost
	)
	r.failures = append(r.failures, failure{customer: c.ID, currency: "EUR", key: "k1", code: errcode.DeadlineExceeded})
	r.customers = append(r.customers, uuid.New()) // never created
	rep := &Report{Checked: map[string]int{}}
	if err := r.check(ctx, rep); err != nil {
		t.Fatal(err)
	}
	if rep.Lost != 1 || rep.Doubled != 0 {
		t.Errorf("lost %d, doubled %d; want 1, 0", rep.Lost, rep.Doubled)
	}
	var phantom, missing bool
	for _, v := range rep.Violations {
		phantom = phantom || strings.Contains(v, "failed as deadline_exceeded yet posting")
		missing = missing || strings.Contains(v, "acknowledged customer")
	}
	if !phantom || !missing || len(rep.Violations) != 3 {
		t.Errorf("violations %q; want the lost acknowledgement, the phantom posting and the missing customer", rep.Violations)
	}
}
