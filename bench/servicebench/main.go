package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clientele-go/clientele"
)

// config is what the flags set.
type config struct {
	engines     []string
	dsn         map[string]string
	ops         *regexp.Regexp
	concurrency []int
	duration    time.Duration
	maxOps      int64
	block       int
	seed        seedConfig
	json        bool
	trace       bool
	keep        bool
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	if _, err := run(context.Background(), cfg, os.Stdout, os.Stderr); err != nil {
		log.Fatal(err)
	}
}

// parseFlags reads the command line; usage goes to errOut.
func parseFlags(args []string, errOut io.Writer) (config, error) {
	fs := flag.NewFlagSet("servicebench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	engines := fs.String("engines", "sqlite,postgres,mysql", "engines to run, comma-separated")
	pg := fs.String("postgres", os.Getenv("CLIENTELE_POSTGRES_DSN"), "PostgreSQL DSN (default $CLIENTELE_POSTGRES_DSN)")
	my := fs.String("mysql", os.Getenv("CLIENTELE_MYSQL_DSN"), "MySQL/MariaDB DSN (default $CLIENTELE_MYSQL_DSN)")
	opsRe := fs.String("ops", "", "regular expression: the operations to run (default all)")
	conc := fs.String("concurrency", "1,16", "goroutines per cell (and pool size), comma-separated")
	cfg := config{}
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "time per (engine, operation, concurrency), both sides together")
	fs.Int64Var(&cfg.maxOps, "max-ops", 0, "stop a cell once each side made this many calls (0: no limit)")
	fs.IntVar(&cfg.block, "block", 500, "calls per block of one side")
	fs.IntVar(&cfg.seed.customers, "customers", 10000, "registered customers to seed")
	fs.IntVar(&cfg.seed.guests, "guests", 1000, "guests to seed")
	fs.IntVar(&cfg.seed.accounts, "accounts", 1000, "funded EUR accounts to seed (at most -customers)")
	fs.IntVar(&cfg.seed.groups, "groups", 4, "groups per side for add_member (each takes -customers new memberships)")
	fs.BoolVar(&cfg.json, "json", false, "print JSON instead of a Markdown table")
	fs.BoolVar(&cfg.trace, "trace", false, "print the statements of one call of each side and exit")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the tables on the servers")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	fail := func(format string, a ...any) (config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintln(errOut, err)
		fs.Usage()
		return cfg, err
	}
	if fs.NArg() > 0 {
		return fail("unexpected arguments: %q", fs.Args())
	}
	cfg.engines = splitList(*engines)
	cfg.dsn = map[string]string{"postgres": *pg, "mysql": *my}
	var err error
	if cfg.ops, err = regexp.Compile(*opsRe); err != nil {
		return fail("-ops: %v", err)
	}
	for _, s := range splitList(*conc) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fail("-concurrency: %q is not a positive number", s)
		}
		cfg.concurrency = append(cfg.concurrency, n)
	}
	switch {
	case len(cfg.concurrency) == 0:
		return fail("-concurrency: none given")
	case cfg.block < 1:
		return fail("-block must be positive")
	case cfg.duration <= 0 && cfg.maxOps <= 0:
		return fail("-duration or -max-ops must be positive")
	case cfg.seed.customers < 51 || cfg.seed.guests < 1 || cfg.seed.accounts < 1 || cfg.seed.groups < 1:
		return fail("seed at least 51 customers (two pages), 1 guest, 1 account and 1 group")
	}
	cfg.seed.workers = 8
	return cfg, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// sideResult is what one side of a cell measured.
type sideResult struct {
	Calls       int64   `json:"calls"`
	Seconds     float64 `json:"seconds"`
	OpsPerSec   float64 `json:"ops_per_sec"`
	P50Micros   float64 `json:"p50_us"`
	P99Micros   float64 `json:"p99_us"`
	AllocsPerOp float64 `json:"allocs_per_op"`
	// TripsPerOp counts BEGIN, statements, COMMIT and ROLLBACK.
	TripsPerOp    float64 `json:"round_trips_per_op"`
	PreparesPerOp float64 `json:"prepares_per_op"`
}

// result is one (engine, operation, concurrency) cell.
type result struct {
	Engine      string     `json:"engine"`
	Op          string     `json:"op"`
	Concurrency int        `json:"concurrency"`
	Library     sideResult `json:"library"`
	Raw         sideResult `json:"raw"`
	// RatioOps is raw ops/s ÷ library ops/s; RatioP50 is raw p50 ÷
	// library p50.
	RatioOps float64 `json:"ratio_ops"`
	RatioP50 float64 `json:"ratio_p50"`
	Err      string  `json:"error,omitempty"`
}

// run runs the engines cfg names and writes the report to out and progress
// to progress.
func run(ctx context.Context, cfg config, out, progress io.Writer) ([]result, error) {
	var results []result
	if !cfg.json && !cfg.trace {
		printHeader(out)
	}
	for _, name := range cfg.engines {
		dsn := cfg.dsn[name]
		if name != "sqlite" && dsn == "" {
			fmt.Fprintf(progress, "servicebench: %s skipped: no DSN (set CLIENTELE_%s_DSN or -%s)\n",
				name, strings.ToUpper(name), name)
			continue
		}
		rs, err := runEngine(ctx, cfg, name, dsn, out, progress)
		results = append(results, rs...)
		if err != nil {
			return results, err
		}
	}
	if cfg.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return results, enc.Encode(results)
	}
	return results, nil
}

// runEngine opens, seeds and measures one engine.
func runEngine(ctx context.Context, cfg config, name, dsn string, out, progress io.Writer) (_ []result, err error) {
	start := time.Now()
	e, err := openEngine(ctx, name, dsn, cfg.keep)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := e.close(); err == nil && cerr != nil {
			err = fmt.Errorf("%s: cleanup: %w", name, cerr)
		}
	}()
	e.db.SetMaxOpenConns(cfg.seed.workers)
	e.db.SetMaxIdleConns(cfg.seed.workers)
	svc := clientele.New(e.store)
	f, err := seed(ctx, svc, cfg.seed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := analyze(ctx, e); err != nil {
		return nil, fmt.Errorf("%s: analyze: %w", name, err)
	}
	h, err := newHand(ctx, e)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer h.close()
	fmt.Fprintf(progress, "servicebench: %s (%s) opened and seeded in %s\n", name, serverVersion(ctx, e), time.Since(start).Round(time.Millisecond))
	var list []op
	for _, o := range ops(svc, h, f) {
		if cfg.ops.MatchString(o.name) {
			f.calls[o.name] = new([2]atomic.Int64)
			list = append(list, o)
		}
	}
	if cfg.trace {
		return nil, trace(ctx, e, f, list, out)
	}
	var results []result
	for _, o := range list {
		for _, c := range cfg.concurrency {
			r := measure(ctx, cfg, e, f, o, c)
			results = append(results, r)
			if !cfg.json {
				printRow(out, r)
			}
			if r.Err != "" {
				fmt.Fprintf(progress, "servicebench: %s %s c=%d: %s\n", name, o.name, c, r.Err)
			}
		}
	}
	return results, nil
}

// serverVersion returns the engine's version, or "?".
func serverVersion(ctx context.Context, e *engine) string {
	q := "SELECT version()"
	if e.name == "sqlite" {
		q = "SELECT 'SQLite ' || sqlite_version()"
	}
	var v string
	if err := e.db.QueryRowContext(ctx, q).Scan(&v); err != nil {
		return "?"
	}
	if i := strings.Index(v, " on "); i > 0 && e.name == "postgres" {
		v = v[:i]
	}
	return v
}

// trace prints the statements of one call of each side of each operation.
func trace(ctx context.Context, e *engine, f *fixture, list []op, out io.Writer) error {
	e.db.SetMaxOpenConns(1)
	for _, o := range list {
		for side, fn := range o.side {
			// A first call prepares; the second shows the steady state.
			if err := fn(ctx, f.next(o.name, side)); err != nil {
				return fmt.Errorf("%s %s %s: %w", e.name, o.name, sideNames[side], err)
			}
			fmt.Fprintf(out, "-- %s %s %s\n", e.name, o.name, sideNames[side])
			e.counter.setTrace(func(kind, query string) {
				if query == "" {
					fmt.Fprintf(out, "%s\n", strings.ToUpper(kind))
					return
				}
				fmt.Fprintf(out, "%s: %s\n", kind, strings.Join(strings.Fields(query), " "))
			})
			err := fn(ctx, f.next(o.name, side))
			e.counter.setTrace(nil)
			if err != nil {
				return fmt.Errorf("%s %s %s: %w", e.name, o.name, sideNames[side], err)
			}
		}
	}
	return nil
}

// tally accumulates one side's blocks.
type tally struct {
	calls   int64
	elapsed time.Duration
	mallocs uint64
	trips   snapshot
	lat     []time.Duration
}

// measure runs one cell: warm-up, then blocks of each side in turn.
func measure(ctx context.Context, cfg config, e *engine, f *fixture, o op, conc int) result {
	r := result{Engine: e.name, Op: o.name, Concurrency: conc}
	e.db.SetMaxOpenConns(conc)
	e.db.SetMaxIdleConns(conc)
	var t [2]tally
	// Warm-up: every connection prepares the statements of both sides.
	for side := range o.side {
		var discard tally
		if err := block(ctx, e, f, o, side, conc, 4*conc, &discard); err != nil {
			r.Err = fmt.Sprintf("%s warm-up: %v", sideNames[side], err)
			return r
		}
	}
	deadline := time.Now().Add(cfg.duration)
	for round := 0; ; round++ {
		for i := range 2 {
			side := (round + i) % 2
			n := int64(cfg.block)
			if cfg.maxOps > 0 {
				n = min(n, cfg.maxOps-t[side].calls)
			}
			if n <= 0 {
				continue
			}
			if err := block(ctx, e, f, o, side, conc, int(n), &t[side]); err != nil {
				r.Err = fmt.Sprintf("%s: %v", sideNames[side], err)
				return r
			}
		}
		done := cfg.maxOps > 0 && t[library].calls >= cfg.maxOps && t[raw].calls >= cfg.maxOps
		if done || cfg.duration > 0 && time.Now().After(deadline) {
			break
		}
	}
	r.Library, r.Raw = t[library].result(), t[raw].result()
	if r.Library.OpsPerSec > 0 {
		r.RatioOps = r.Raw.OpsPerSec / r.Library.OpsPerSec
	}
	if r.Library.P50Micros > 0 {
		r.RatioP50 = r.Raw.P50Micros / r.Library.P50Micros
	}
	return r
}

// block makes n calls of one side on conc goroutines and adds them to t.
func block(ctx context.Context, e *engine, f *fixture, o op, side, conc, n int, t *tally) error {
	fn := o.side[side]
	lats := make([][]time.Duration, conc)
	for i := range lats {
		lats[i] = make([]time.Duration, 0, n/conc+1)
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		before   runtime.MemStats
		after    runtime.MemStats
	)
	runtime.ReadMemStats(&before)
	c0 := e.counter.n.snapshot()
	start := time.Now()
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				seq := f.next(o.name, side)
				t0 := time.Now()
				err := fn(ctx, seq)
				lats[w] = append(lats[w], time.Since(t0))
				if err != nil {
					errOnce.Do(func() { firstErr = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	c1 := e.counter.n.snapshot()
	runtime.ReadMemStats(&after)
	if firstErr != nil {
		return firstErr
	}
	t.calls += int64(n)
	t.elapsed += elapsed
	t.mallocs += after.Mallocs - before.Mallocs
	d := c1.sub(c0)
	t.trips = snapshot{t.trips.Begin + d.Begin, t.trips.Exec + d.Exec, t.trips.Query + d.Query,
		t.trips.Commit + d.Commit, t.trips.Rollback + d.Rollback, t.trips.Prepare + d.Prepare}
	for _, l := range lats {
		t.lat = append(t.lat, l...)
	}
	return nil
}

func (t *tally) result() sideResult {
	if t.calls == 0 {
		return sideResult{}
	}
	slices.Sort(t.lat)
	q := func(p float64) float64 {
		i := min(int(p*float64(len(t.lat))), len(t.lat)-1)
		return float64(t.lat[i]) / float64(time.Microsecond)
	}
	n := float64(t.calls)
	return sideResult{
		Calls:         t.calls,
		Seconds:       t.elapsed.Seconds(),
		OpsPerSec:     n / t.elapsed.Seconds(),
		P50Micros:     q(0.50),
		P99Micros:     q(0.99),
		AllocsPerOp:   float64(t.mallocs) / n,
		TripsPerOp:    float64(t.trips.trips()) / n,
		PreparesPerOp: float64(t.trips.Prepare) / n,
	}
}

// printHeader prints the table's header.
func printHeader(out io.Writer) {
	fmt.Fprintln(out, "| engine | operation | conc | library ops/s | raw ops/s | raw÷lib ops/s | library p50 µs | raw p50 µs | raw÷lib p50 | library p99 µs | raw p99 µs | allocs/op lib / raw | round trips/op lib / raw |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
}

// printRow prints one cell as a table row.
func printRow(out io.Writer, r result) {
	if r.Err != "" {
		fmt.Fprintf(out, "| %s | %s | %d | error: %s |\n", r.Engine, r.Op, r.Concurrency, strings.ReplaceAll(r.Err, "|", "/"))
		return
	}
	l, w := r.Library, r.Raw
	fmt.Fprintf(out, "| %s | %s | %d | %s | %s | %.2f | %s | %s | %.2f | %s | %s | %.0f / %.0f | %s / %s |\n",
		r.Engine, r.Op, r.Concurrency, num(l.OpsPerSec), num(w.OpsPerSec), r.RatioOps,
		num(l.P50Micros), num(w.P50Micros), r.RatioP50, num(l.P99Micros), num(w.P99Micros),
		l.AllocsPerOp, w.AllocsPerOp, trips(l.TripsPerOp), trips(w.TripsPerOp))
}

// num formats a figure with three significant digits at most after the
// point, and thousands separated by commas.
func num(v float64) string {
	var s string
	switch {
	case v >= 100:
		s = strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	default:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// trips formats round trips per call: whole when they are.
func trips(v float64) string {
	if v == float64(int64(v)) {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
