package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/password"
)

// Config says what to run.
type Config struct {
	// Engine is memory, sqlite, postgres or mysql.
	Engine string
	// DSN is the server's DSN (postgres and mysql only).
	DSN string
	// Duration is how long the load runs; Workers how many goroutines
	// call the services.
	Duration time.Duration
	Workers  int
	// Pool bounds the database connections of the store (servers only).
	Pool int
	// KillSessions kills one of the harness's database sessions every
	// KillEvery (servers only).
	KillSessions bool
	KillEvery    time.Duration
	// DeadlineShare is the share of calls (0..1) made with a random
	// deadline of 0 to MaxDeadline.
	DeadlineShare float64
	MaxDeadline   time.Duration
	// Emails is the number of distinct email addresses the customers draw
	// from: few enough that registrations collide.
	Emails int
	// Seed seeds the random mix (0: random).
	Seed uint64
	// Keep leaves the server tables in place after the run.
	Keep bool
	// Log receives progress lines (nil: none).
	Log io.Writer
}

func (c *Config) defaults() {
	if c.Duration <= 0 {
		c.Duration = 10 * time.Second
	}
	if c.Workers <= 0 {
		c.Workers = 8
	}
	if c.Pool <= 0 {
		c.Pool = 8
	}
	if c.KillEvery <= 0 {
		c.KillEvery = 50 * time.Millisecond
	}
	if c.MaxDeadline <= 0 {
		c.MaxDeadline = 150 * time.Millisecond
	}
	if c.DeadlineShare == 0 {
		c.DeadlineShare = 0.15
	}
	if c.Emails <= 0 {
		c.Emails = 1000
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64()
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
}

// Report is the outcome of a run.
type Report struct {
	Engine, Where string
	Config        Config
	Elapsed       time.Duration
	// Ops counts calls by kind; Errors counts failed calls by errcode
	// category; ErrorsByOp counts them by "kind/category".
	Ops, Errors, ErrorsByOp map[string]int
	// Faults counts database sessions killed; KillErrors the killer's own
	// failures.
	Faults, KillErrors int
	// Acks counts acknowledged postings (Credit, Debit, ApplyToOrder that
	// returned success); CommitUnknown counts calls of any kind that
	// returned errcode.CommitUnknown, CommitUnknownResolved those a retry
	// with the same idempotency key (or order ID) settled.
	Acks, CommitUnknown, CommitUnknownResolved int
	// Checked counts what the check phase looked at.
	Checked map[string]int
	// Lost and Doubled count acknowledged postings missing from the ledger
	// or present more than once.
	Lost, Doubled int
	// Violations lists every broken invariant.
	Violations []string
	// Contract counts, by "kind/category", the calls that failed with an
	// uncategorized (errcode.Unknown) error or with a not-found error that
	// is none of the sentinels the method documents; Suspicious lists the
	// first three of each. They break an error contract, not a data
	// invariant, and do not fail the run.
	Contract   map[string]int
	Suspicious []string
}

// OK reports whether the run broke nothing.
func (r *Report) OK() bool { return len(r.Violations) == 0 && r.Lost == 0 && r.Doubled == 0 }

// Print writes the summary.
func (r *Report) Print(w io.Writer) {
	total := 0
	for _, n := range r.Ops {
		total += n
	}
	fmt.Fprintf(w, "engine %s (%s), %d workers, %s, seed %d, kill sessions %t\n",
		r.Engine, r.Where, r.Config.Workers, r.Elapsed.Round(time.Millisecond), r.Config.Seed, r.Config.KillSessions)
	fmt.Fprintf(w, "ops %d (%.0f/s)\n", total, float64(total)/r.Elapsed.Seconds())
	printMap(w, "  ", r.Ops)
	fmt.Fprintf(w, "errors by category\n")
	printMap(w, "  ", r.Errors)
	fmt.Fprintf(w, "errors by op/category\n")
	printMap(w, "  ", r.ErrorsByOp)
	fmt.Fprintf(w, "faults injected (sessions killed) %d (killer errors %d)\n", r.Faults, r.KillErrors)
	fmt.Fprintf(w, "commit_unknown returned %d, settled by a retry with the same key %d\n", r.CommitUnknown, r.CommitUnknownResolved)
	fmt.Fprintf(w, "checked\n")
	printMap(w, "  ", r.Checked)
	fmt.Fprintf(w, "acknowledged postings %d: lost %d, doubled %d\n", r.Acks, r.Lost, r.Doubled)
	fmt.Fprintf(w, "undocumented errors %d\n", sum(r.Contract))
	printMap(w, "  ", r.Contract)
	if len(r.Suspicious) > 0 {
		fmt.Fprintf(w, "undocumented errors (first 3 per op/category)\n")
		for _, v := range r.Suspicious {
			fmt.Fprintf(w, "  %s\n", v)
		}
	}
	fmt.Fprintf(w, "violations %d\n", len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintf(w, "  %s\n", v)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// documentedNotFound reports whether a not-found error of the call kind op
// is one of the sentinels its method documents.
func documentedNotFound(op string, err error) bool {
	op = strings.TrimSuffix(op, "_retry")
	switch op {
	case "address_update", "address_remove", "address_set_default":
		return errors.Is(err, customer.ErrNotFound) || errors.Is(err, address.ErrNotFound)
	case "list_postings":
		return errors.Is(err, customer.ErrNotFound) || errors.Is(err, balance.ErrAccountNotFound)
	case "order_get", "order_set_status":
		return errors.Is(err, order.ErrNotFound)
	case "order_record":
		return errors.Is(err, customer.ErrNotFound) || errors.Is(err, market.ErrNotFound)
	case "group_add_members", "group_remove_members", "list_members":
		return errors.Is(err, group.ErrNotFound)
	case "market_create":
		return errors.Is(err, merchant.ErrNotFound) || errors.Is(err, group.ErrNotFound)
	}
	return errors.Is(err, customer.ErrNotFound)
}

func printMap(w io.Writer, indent string, m map[string]int) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%s%-32s %d\n", indent, k, m[k])
	}
}

// ack is one acknowledged posting of the client-side log.
type ack struct {
	customer  uuid.UUID
	currency  string
	key       string
	postingID uuid.UUID
	amount    string
}

// failure is a posting request whose every attempt failed with an error
// that says nothing was stored (not CommitUnknown).
type failure struct {
	customer uuid.UUID
	currency string
	key      string
	code     errcode.Code
}

// run holds the state the workers share.
type run struct {
	cfg   Config
	svc   *clientele.Service
	eng   *engine
	start time.Time

	mu         sync.Mutex
	customers  []uuid.UUID
	guests     map[int][]uuid.UUID // email index -> guests
	registered map[int][]uuid.UUID // email index -> registered customers
	groups     []uuid.UUID
	markets    []uuid.UUID
	merchants  []uuid.UUID
	orders     []string
	ops        map[string]int
	errs       map[string]int
	errsByOp   map[string]int
	contract   map[string]int
	acks       []ack
	failures   []failure
	cu, cuOK   int
	violations []string
	suspicious []string

	faults, killErrs atomic.Int64
	seq              atomic.Int64
}

// Run runs the load on a fresh store, then checks it.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.defaults()
	eng, err := open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer eng.cleanup()
	r := &run{
		cfg: cfg, eng: eng, svc: clientele.New(eng.store, clientele.WithPasswordHasher(loadHasher)),
		guests: map[int][]uuid.UUID{}, registered: map[int][]uuid.UUID{},
		ops: map[string]int{}, errs: map[string]int{}, errsByOp: map[string]int{}, contract: map[string]int{},
	}
	fmt.Fprintf(cfg.Log, "loadtest: %s, %d workers for %s (seed %d)\n", eng.where, cfg.Workers, cfg.Duration, cfg.Seed)
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	r.start = time.Now()
	loadCtx, stop := context.WithTimeout(ctx, cfg.Duration)
	defer stop()
	var wg sync.WaitGroup
	for i := range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{r: r, id: i, rng: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
			for loadCtx.Err() == nil {
				w.step(loadCtx)
			}
		}()
	}
	var killWG sync.WaitGroup
	if cfg.KillSessions && eng.killer != nil {
		killWG.Add(1)
		go func() {
			defer killWG.Done()
			r.kill(loadCtx)
		}()
	}
	wg.Wait()
	killWG.Wait()
	elapsed := time.Since(r.start)
	fmt.Fprintf(cfg.Log, "loadtest: load done after %s, checking\n", elapsed.Round(time.Millisecond))

	rep := &Report{
		Engine: cfg.Engine, Where: eng.where, Config: cfg, Elapsed: elapsed,
		Ops: r.ops, Errors: r.errs, ErrorsByOp: r.errsByOp,
		Faults: int(r.faults.Load()), KillErrors: int(r.killErrs.Load()),
		Acks: len(r.acks), CommitUnknown: r.cu, CommitUnknownResolved: r.cuOK,
		Checked: map[string]int{},
	}
	if err := r.check(ctx, rep); err != nil {
		return rep, fmt.Errorf("loadtest: check: %w", err)
	}
	rep.Violations = append(r.violations, rep.Violations...)
	rep.Suspicious = r.suspicious
	rep.Contract = r.contract
	return rep, nil
}

// setup creates what the orders need: a merchant and a market.
func (r *run) setup(ctx context.Context) error {
	m, err := r.svc.Merchants.Create(ctx, merchant.Params{Name: "Load Merchant", BillingAddress: addr(0)})
	if err != nil {
		return err
	}
	mk, err := r.svc.Markets.Create(ctx, market.Params{
		MerchantID: m.ID, Code: "load-eu", Name: "Load EU", BusinessModel: market.BusinessModelB2C,
		Currency: balance.MustCurrency("EUR"),
	})
	if err != nil {
		return err
	}
	r.merchants = append(r.merchants, m.ID)
	r.markets = append(r.markets, mk.ID)
	return nil
}

// kill ends one of the harness's sessions every KillEvery (jittered).
func (r *run) kill(ctx context.Context) {
	rng := rand.New(rand.NewPCG(r.cfg.Seed, 1<<40))
	for {
		d := r.cfg.KillEvery/2 + time.Duration(rng.Int64N(int64(r.cfg.KillEvery)))
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
		kctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		ok, err := r.eng.killer.killOne(kctx, func(n int) int { return rng.IntN(n) })
		cancel()
		switch {
		case err != nil:
			r.killErrs.Add(1)
		case ok:
			r.faults.Add(1)
		}
	}
}

// record counts one call of kind op that returned err.
func (r *run) record(op string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops[op]++
	if err == nil {
		return
	}
	c := errcode.Of(err)
	r.errs[c.String()]++
	r.errsByOp[op+"/"+c.String()]++
	if c == errcode.CommitUnknown {
		r.cu++
	}
	if c == errcode.Unknown || (c == errcode.NotFound && !documentedNotFound(op, err)) {
		// An uncategorized error, or a not-found error that is none of
		// the sentinels the method documents, is a gap in the error
		// contract: keep the first few as evidence.
		r.contract[op+"/"+c.String()]++
		if r.contract[op+"/"+c.String()] <= 3 {
			r.suspicious = append(r.suspicious, fmt.Sprintf("%s returned an undocumented %s error: %v", op, c, err))
		}
	}
}

func addr(n int) address.Address {
	return address.Address{
		FirstName: "Ada", LastName: fmt.Sprintf("Load%d", n), Line1: fmt.Sprintf("Street %d", n+1),
		City: "Berlin", PostalCode: "10115", Country: "DE", Phone: "+49301234567",
	}
}

// email returns the i-th address of the pool in one of a few spellings,
// so that canonicalization matters.
func email(i int, rng *rand.Rand) string {
	local := fmt.Sprintf("user%d", i)
	switch rng.IntN(3) {
	case 0:
		return local + "@load.example"
	case 1:
		return strings.ToUpper(local[:1]) + local[1:] + "@Load.Example"
	default:
		return "  " + strings.ToUpper(local) + "@LOAD.EXAMPLE "
	}
}

// loadHasher keeps the load about the storage, not argon2id's 19 MiB.
var loadHasher = &password.Argon2id{Memory: 8, Time: 1, Threads: 1}
