package clienteletest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// Epoch is the time every Env's clock starts at: 2025-01-01 09:00:00 UTC.
var Epoch = time.Date(2025, time.January, 1, 9, 0, 0, 0, time.UTC)

// Clock is a test clock. Now returns the current time and then moves it on
// by Step, so that records created one after another get distinct,
// increasing timestamps. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

// NewClock returns a clock at start that advances by step on every reading
// (step may be zero for a frozen clock).
func NewClock(start time.Time, step time.Duration) *Clock {
	return &Clock{now: start.UTC(), step: step}
}

// Now returns the clock's time and advances it by its step.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

// Peek returns the clock's time without advancing it.
func (c *Clock) Peek() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC()
}

// IDs generates deterministic, readable UUIDs: 00000000-0000-4000-8000-000000000001,
// ...-000000000002 and so on (valid version 4 layout). It is safe for
// concurrent use.
type IDs struct {
	mu sync.Mutex
	n  uint64
}

// Next returns the next ID.
func (g *IDs) Next() uuid.UUID {
	g.mu.Lock()
	g.n++
	n := g.n
	g.mu.Unlock()
	return SeqID(n)
}

// SeqID returns the n-th ID that IDs generates, so tests can name IDs they
// expect.
func SeqID(n uint64) uuid.UUID {
	var id uuid.UUID
	id[6] = 0x40 // version 4
	id[8] = 0x80 // RFC 4122 variant
	for i := 15; i >= 10; i-- {
		id[i] = byte(n)
		n >>= 8
	}
	return id
}

// Env is a test environment: a store (a fresh memory store unless
// WithStore gives another) and a service over it with a test clock and
// deterministic IDs.
type Env struct {
	// TB is the test the Must helpers fail.
	TB testing.TB
	// Store is the store the service writes to; tests may read it
	// directly.
	Store storage.Store
	// Service is the service under test.
	Service *clientele.Service
	// Clock is the service's clock, starting at Epoch and advancing one
	// second per reading.
	Clock *Clock
	// IDs generates the service's record IDs.
	IDs *IDs

	mu    sync.Mutex
	seq   int
	extra []clientele.Option
}

// EnvOption configures New.
type EnvOption func(*Env)

// WithClock replaces the environment's clock.
func WithClock(c *Clock) EnvOption { return func(e *Env) { e.Clock = c } }

// WithStore runs the environment on store instead of a fresh memory store:
// a SQLite database in t.TempDir(), or the host's own PostgreSQL schema, so
// that the same builders and Must helpers test the host against the engine
// it runs in production. The environment does not close store; the caller
// owns it.
func WithStore(store storage.Store) EnvOption { return func(e *Env) { e.Store = store } }

// WithServiceOptions adds options to clientele.New (they apply after the
// environment's own clock and ID generator, so they may replace them).
func WithServiceOptions(opts ...clientele.Option) EnvOption {
	return func(e *Env) { e.extra = append(e.extra, opts...) }
}

// LockTimeout is the lock timeout of an Env's memory store: short, so
// that a call inside an Atomic function made with another ctx than the
// function's fails the test within a second, with an error wrapping
// storage.ErrLockTimeout, instead of hanging it.
const LockTimeout = time.Second

// New returns a fresh environment for tb.
func New(tb testing.TB, opts ...EnvOption) *Env {
	tb.Helper()
	e := &Env{
		TB:    tb,
		Clock: NewClock(Epoch, time.Second),
		IDs:   &IDs{},
	}
	for _, opt := range opts {
		opt(e)
	}
	if e.Store == nil {
		e.Store = memory.New(memory.WithLockTimeout(LockTimeout))
	}
	svcOpts := append([]clientele.Option{
		clientele.WithClock(e.Clock.Now),
		clientele.WithIDGenerator(e.IDs.Next),
		clientele.WithPasswordHasher(FastHasher()),
	}, e.extra...)
	e.Service = clientele.New(e.Store, svcOpts...)
	return e
}

// next returns a number unique within the environment, for default emails
// and names.
func (e *Env) next() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seq++
	return e.seq
}

// must fails the test when err is not nil.
func (e *Env) must(err error, what string, args ...any) {
	e.TB.Helper()
	if err != nil {
		e.TB.Fatalf("clienteletest: %s: %v", fmt.Sprintf(what, args...), err)
	}
}
