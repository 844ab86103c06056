package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/clientele-go/clientele/storage"
)

// Store is a storage.Store over a *sql.DB (or, bound with Bind, over a
// host's *sql.Tx). It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	host    *sql.Tx // set when bound to a host transaction
	dialect Dialect
	opts    options

	// cache is shared by a store and the stores Bind makes of it, so that
	// host transactions reuse the statements instead of preparing (and
	// leaking) their own each time.
	cache *stmtCache
}

// stmtCache holds a store's rendered queries and prepared statements.
type stmtCache struct {
	queries sync.Map // raw query -> rendered query (prefix and placeholders)
	stmts   sync.Map // rendered query -> *sql.Stmt prepared on db
	pending sync.Map // rendered query -> struct{}: to prepare after the transaction that ran it
	// nQueries and nStmts count the entries of queries and stmts. Lists
	// build their SQL from their filters, so the texts are many; past
	// maxCached entries a query is rendered each time, and a statement runs
	// unprepared, instead of growing the cache, and the server's prepared
	// statements (MySQL caps them server-wide), without bound.
	nQueries, nStmts atomic.Int64
	nPending         atomic.Int64 // entries of pending

	// No statement is prepared once Close has set closed.
	mu     sync.Mutex
	closed bool
}

func newStmtCache() *stmtCache { return &stmtCache{} }

var _ storage.Store = (*Store)(nil)

// Option configures New.
type Option func(*options)

type options struct {
	prefix      string
	maxRetries  int
	backoff     time.Duration
	lockTimeout time.Duration
}

// WithTablePrefix puts a prefix before every table and index name
// ("shop1_" makes shop1_customers ...), so that Clientele's tables can live
// beside a host's own or several stores share one database. The prefix is
// at most 29 lower-case ASCII letters, digits and underscores, not starting
// with a digit (so that every prefixed name is a valid unquoted identifier
// within PostgreSQL's 63 and MySQL's 64 bytes, which PostgreSQL does not
// fold to another spelling), and must be the one Migrate was given.
func WithTablePrefix(prefix string) Option { return func(o *options) { o.prefix = prefix } }

// WithRetries sets how often Atomic runs a function again after a
// serialization failure, deadlock, busy database or a connection lost
// before COMMIT (default 30), and the base delay of its exponential backoff
// with jitter (default 5ms).
func WithRetries(max int, base time.Duration) Option {
	return func(o *options) { o.maxRetries, o.backoff = max, base }
}

// DefaultLockTimeout is the lock timeout of a store without
// WithLockTimeout: the busy timeout sqlite.Open sets.
const DefaultLockTimeout = 10 * time.Second

// WithLockTimeout bounds how long a call goes on retrying a busy database
// or a lock wait that timed out (ErrBusy: SQLite's SQLITE_BUSY, MySQL 1205,
// PostgreSQL 55P03): once d has passed since the call began, it fails with
// an error wrapping storage.ErrLockTimeout and the driver's error (default
// DefaultLockTimeout; zero or less: only WithRetries and ctx bound the
// retries). Each such error already took the engine's own wait (SQLite's
// busy_timeout, InnoDB's innodb_lock_wait_timeout), so d is best set to
// about that wait: the usual cause of a long one is a call made inside an
// Atomic function with another ctx than the function's, which waits for a
// lock its own transaction holds.
func WithLockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// validPrefix makes every prefixed name an unquoted identifier in every
// engine: no leading digit (PostgreSQL and SQLite reject "1shop_customers"),
// and no upper case, which PostgreSQL folds (its errors would then name
// constraints in another spelling than the adapter's).
var validPrefix = regexp.MustCompile(`^([a-z_][a-z0-9_]*)?$`)

// maxPrefixLen keeps prefixed names within PostgreSQL's 63 bytes (longer
// ones are silently truncated, and constraint names then no longer match)
// and MySQL's 64 (longer ones fail): the longest name in the schema,
// balance_accounts_customer_currency, has 34 bytes.
const maxPrefixLen = 29

func buildOptions(opts []Option) (options, error) {
	o := options{maxRetries: 30, backoff: 5 * time.Millisecond, lockTimeout: DefaultLockTimeout}
	for _, opt := range opts {
		opt(&o)
	}
	if !validPrefix.MatchString(o.prefix) || len(o.prefix) > maxPrefixLen {
		return o, fmt.Errorf("sqlstore: table prefix %q: use at most %d lower-case letters, digits and underscores, not starting with a digit",
			o.prefix, maxPrefixLen)
	}
	if o.maxRetries < 0 || o.backoff < 0 {
		return o, errors.New("sqlstore: retries and backoff must not be negative")
	}
	return o, nil
}

// New returns a Store over db, whose schema Migrate has created. The host
// keeps ownership of db (Store never closes it).
func New(db *sql.DB, d Dialect, opts ...Option) (*Store, error) {
	if db == nil || d == nil {
		return nil, errors.New("sqlstore: New needs a *sql.DB and a Dialect")
	}
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, dialect: d, opts: o, cache: newStmtCache()}, nil
}

// Bind returns a Store that runs on the host's transaction tx, which must
// belong to the *sql.DB the store was created with, so that the
// host's own writes (its order row, say) and Clientele's commit or roll back
// together. The host begins, commits and rolls back tx; Atomic on the bound
// store runs its function in a savepoint of tx (undone if the function
// fails, so a host may carry on after a failed call) and without retries
// (a retry needs a new transaction, which is the host's to start). The bound store is valid
// only as long as tx; it shares s's prepared statements, so binding costs
// nothing and needs no Close.
func (s *Store) Bind(tx *sql.Tx) *Store {
	return &Store{db: s.db, host: tx, dialect: s.dialect, opts: s.opts, cache: s.cache}
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.dialect }

// querier is what *sql.DB, *sql.Tx and *sql.Conn have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// render replaces {{prefix}} and the ? placeholders of a shared query with
// the store's prefix and the dialect's placeholders. Results are cached per
// query text.
func (s *Store) render(query string) string {
	if r, ok := s.cache.queries.Load(query); ok {
		return r.(string)
	}
	r := Render(query, s.opts.prefix, s.dialect)
	if reserve(&s.cache.nQueries) {
		if _, loaded := s.cache.queries.LoadOrStore(query, r); loaded {
			s.cache.nQueries.Add(-1)
		}
	}
	return r
}

// maxCached bounds a store's cache of rendered queries and of prepared
// statements (each prepared once per connection on the server): the
// queries of the hot paths are about 60.
const maxCached = 256

// runner is what a prepared statement offers, and unprepared mimics.
type runner interface {
	ExecContext(ctx context.Context, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, args ...any) *sql.Row
}

// unprepared runs a query without a prepared statement of the store's.
type unprepared struct {
	q     querier
	query string
}

func (u unprepared) ExecContext(ctx context.Context, args ...any) (sql.Result, error) {
	return u.q.ExecContext(ctx, u.query, args...)
}

func (u unprepared) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return u.q.QueryContext(ctx, u.query, args...)
}

func (u unprepared) QueryRowContext(ctx context.Context, args ...any) *sql.Row {
	return u.q.QueryRowContext(ctx, u.query, args...)
}

// Render returns query with {{prefix}} replaced by prefix and each ?
// placeholder replaced by the dialect's (outside of quoted strings). When
// the dialect is an IdentifierQuoter, each {{prefix}}name is quoted whole.
func Render(query, prefix string, d Dialect) string {
	query = renderPrefix(query, prefix, d)
	if d.Placeholder(1) == "?" {
		return query
	}
	var b strings.Builder
	n, quoted := 0, false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteString(d.Placeholder(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// IdentifierQuoter is an optional interface of a Dialect whose engine
// reserves words the shared SQL uses as names: MySQL 8 and TiDB reserve
// GROUPS, the name of a table when the store has no table prefix. Render
// passes every "{{prefix}}name" (table and index names) through
// QuoteIdentifier, which returns it quoted ("`groups`").
type IdentifierQuoter interface {
	QuoteIdentifier(name string) string
}

// renderPrefix replaces {{prefix}} with prefix, quoting the names it starts
// when d is an IdentifierQuoter.
func renderPrefix(query, prefix string, d Dialect) string {
	if p, ok := d.(placeholderless); ok {
		d = p.Dialect
	}
	q, ok := d.(IdentifierQuoter)
	if !ok {
		return strings.ReplaceAll(query, "{{prefix}}", prefix)
	}
	const marker = "{{prefix}}"
	var b strings.Builder
	for {
		i := strings.Index(query, marker)
		if i < 0 {
			b.WriteString(query)
			return b.String()
		}
		b.WriteString(query[:i])
		rest := query[i+len(marker):]
		j := 0
		for j < len(rest) && (rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z' || rest[j] >= '0' && rest[j] <= '9') {
			j++
		}
		b.WriteString(q.QuoteIdentifier(prefix + rest[:j]))
		query = rest[j:]
	}
}

// stmt returns the statement for query prepared on s.db, preparing it once;
// database/sql then prepares it at most once per connection. Preparing takes
// a connection of the pool: call it only while holding none.
func (s *Store) stmt(ctx context.Context, query string) (runner, error) {
	if st, ok := s.cache.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	if !reserve(&s.cache.nStmts) {
		return unprepared{s.db, query}, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		s.cache.nStmts.Add(-1)
		return nil, err
	}
	if prev, loaded := s.cache.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		s.cache.nStmts.Add(-1)
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// reserve takes one of a cache's maxCached places, if one is left.
func reserve(n *atomic.Int64) bool {
	for {
		v := n.Load()
		if v >= maxCached {
			return false
		}
		if n.CompareAndSwap(v, v+1) {
			return true
		}
	}
}

// prepareLater notes query for prepareWanted, which prepares it on s.db
// once the transaction that ran it unprepared has ended: see conn.prepared.
func (s *Store) prepareLater(query string) {
	if _, had := s.cache.pending.LoadOrStore(query, struct{}{}); !had {
		s.cache.nPending.Add(1)
	}
}

// prepareWanted prepares on s.db the statements that transactions noted
// with prepareLater, in the caller's goroutine, after its transaction has
// given its connection back (preparing on the DB while holding one could
// wait for a second connection forever). Nothing runs in the background,
// so a Store is safe to abandon: when Atomic returns, it has no statement
// in flight, and a host may close its *sql.DB without closing the Store.
// A preparation that fails is left to a later transaction.
func (s *Store) prepareWanted(ctx context.Context) {
	if ctx.Err() != nil || s.cache.nPending.Load() == 0 {
		return
	}
	s.cache.pending.Range(func(k, _ any) bool {
		q := k.(string)
		if _, claimed := s.cache.pending.LoadAndDelete(q); !claimed {
			return true // another goroutine took it
		}
		s.cache.nPending.Add(-1)
		s.cache.mu.Lock()
		closed := s.cache.closed
		s.cache.mu.Unlock()
		if closed {
			return false
		}
		if _, err := s.stmt(ctx, q); err != nil && ctx.Err() != nil {
			return false
		}
		return true
	})
}

// Close releases the store's prepared statements. It does not close the
// *sql.DB, which belongs to the host. Calling it is optional: a Store runs
// nothing in the background (see prepareWanted), so it is safe to abandon,
// and closing the *sql.DB also closes its statements
// (TestStoreIsSafeToAbandon).
// The store remains usable, but prepares the statements it runs in
// transactions on each transaction from then on. On a bound store Close does
// nothing: the statements belong to the store it was bound from.
func (s *Store) Close() error {
	if s.host != nil {
		return nil
	}
	s.cache.mu.Lock()
	s.cache.closed = true
	s.cache.mu.Unlock()
	var errs []error
	s.cache.stmts.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		s.cache.stmts.Delete(k)
		s.cache.nStmts.Add(-1)
		return true
	})
	return errors.Join(errs...)
}

// conn is what a repository runs its statements on: the store's *sql.DB (each
// statement its own transaction), a transaction of Atomic, or a host's bound
// transaction.
type conn struct {
	s  *Store
	tx *sql.Tx  // nil: run on s.db
	st *txState // the Atomic that owns tx; nil on the DB and on a host's transaction outside Atomic
}

// checkDone reports ErrTxDone for a Tx used after its Atomic returned, and
// refuses statements on a transaction already lost (see txState.lost).
func (c conn) checkDone() error {
	if c.st == nil {
		return nil
	}
	if c.st.done {
		return storage.ErrTxDone
	}
	if c.st.lost != nil {
		return fmt.Errorf("sqlstore: the transaction is lost, Atomic will roll it back: %w", c.st.lost)
	}
	return nil
}

// failed notes a statement's error: a lost connection loses c's
// transaction (the database has rolled it back), so that Atomic runs it
// again whatever its function returns. It returns err.
func (c conn) failed(err error) error {
	if err != nil && c.st != nil && c.s.kind(err) == ErrConnLost {
		c.st.lose(err)
	}
	return err
}

// prepared returns the statement for query, prepared on c's transaction or
// on the DB.
func (c conn) prepared(ctx context.Context, query string) (runner, error) {
	q := c.s.render(query)
	if st, ok := c.s.cache.stmts.Load(q); ok {
		if c.tx == nil {
			return st.(*sql.Stmt), nil
		}
		return c.tx.StmtContext(ctx, st.(*sql.Stmt)), nil
	}
	if c.s.cache.nStmts.Load() >= maxCached {
		if c.tx == nil {
			return unprepared{c.s.db, q}, nil
		}
		return unprepared{c.tx, q}, nil
	}
	if c.tx == nil {
		c.s.prepareWanted(ctx)
		return c.s.stmt(ctx, q)
	}
	// The transaction holds a connection; preparing on the DB would wait
	// for a second one, forever when transactions doing the same hold all
	// the pool allows (or the pool has one connection, as SQLite hosts
	// often set). Prepare on the transaction's connection for this call,
	// and on the DB later, holding no connection, for the next ones: after
	// an Atomic transaction ends, or (for a host's bound transaction, whose
	// end the store does not see) at the store's next call outside any
	// transaction.
	c.s.prepareLater(q)
	return c.tx.PrepareContext(ctx, q)
}

// exec runs a statement and returns the number of affected rows.
func (c conn) exec(ctx context.Context, query string, args ...any) (int64, error) {
	if err := c.checkDone(); err != nil {
		return 0, err
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return 0, c.failed(driverErr(err))
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, c.failed(driverErr(err))
	}
	n, err := res.RowsAffected()
	if c.st != nil && (n > 0 || err != nil) {
		c.st.writes++
	}
	return n, driverErr(err)
}

// query runs a query returning rows.
func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.checkDone(); err != nil {
		return nil, err
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return nil, c.failed(driverErr(err))
	}
	rows, err := st.QueryContext(ctx, args...)
	return rows, c.failed(driverErr(err))
}

// row is a *sql.Row that may carry an error from before the query ran.
type row struct {
	r   *sql.Row
	err error
	c   conn
}

// Scan copies the row's columns into dest; it returns sql.ErrNoRows when the
// query found nothing.
func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if err := r.r.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return r.c.failed(driverErr(err))
	}
	return nil
}

// queryRow runs a query returning at most one row. A text argument that no
// stored value can equal (invalid UTF-8, or a NUL byte: validation keeps
// both out of every stored field) finds no row without a query, which
// PostgreSQL would fail (and with it the caller's transaction).
func (c conn) queryRow(ctx context.Context, query string, args ...any) row {
	if err := c.checkDone(); err != nil {
		return row{err: err}
	}
	for _, a := range args {
		if s, ok := a.(string); ok && !storable(s) {
			return row{err: sql.ErrNoRows}
		}
	}
	st, err := c.prepared(ctx, query)
	if err != nil {
		return row{err: c.failed(driverErr(err))}
	}
	return row{r: st.QueryRowContext(ctx, args...), c: c}
}

// txKey is the context key under which Atomic stores its transaction.
type txKey struct{}

// txState is the state of one Atomic's transaction, shared by the conns
// and nested Atomic calls that join it.
type txState struct {
	store *Store
	tx    *sql.Tx
	done  bool
	// lost is set when the transaction can no longer commit what its
	// function meant, whatever the function returns: a nested Atomic
	// failed with a serialization failure or deadlock (MySQL has then
	// rolled back the whole transaction), or could not roll back to its
	// savepoint, or a multi-statement write failed after it had written.
	// A statement that finds the connection lost loses the transaction
	// too. Statements on a lost transaction are refused, and Atomic
	// returns lost (and retries when it is retryable).
	lost error
	// writes counts the statements exec ran that changed rows, to tell
	// whether a failed multi-statement write had changed anything.
	writes int
	// hooks are the functions AfterCommit registered, to run once the
	// transaction has committed.
	hooks []func()
}

// lose marks t lost by err, unless it is lost already.
func (t *txState) lose(err error) {
	if t.lost == nil {
		t.lost = err
	}
}

// Atomic runs fn in one transaction, retrying it on serialization failures,
// deadlocks, busy databases and connections lost before COMMIT was sent,
// with exponential backoff and jitter, bounded by ctx, WithRetries and (for
// busy databases) WithLockTimeout. When ctx ends before COMMIT, nothing is
// committed and the error wraps ctx.Err(); when COMMIT itself fails by a
// lost connection or an ended ctx, the error wraps storage.ErrCommitUnknown.
// See storage.Store.
func (s *Store) Atomic(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	if t, ok := ctx.Value(txKey{}).(*txState); ok && t.store.sameDB(s) && !t.done {
		if err := (conn{s: s, tx: t.tx, st: t}).checkDone(); err != nil {
			return err
		}
		lostBefore := t.lost
		// The hooks registered in fn go with its writes when it fails (or
		// panics).
		hooks, kept := len(t.hooks), false
		defer func() {
			if !kept {
				t.hooks = t.hooks[:hooks]
			}
		}()
		err, intact := s.savepoint(ctx, t.tx, func() error {
			return fn(ctx, repos{conn{s: s, tx: t.tx, st: t}})
		}, t.lose)
		kept = err == nil
		switch {
		case err == nil:
		case !intact || retryableBeforeCommit(s.kind(err)):
			t.lose(err)
		case lostBefore == nil:
			// A write that failed halfway in fn lost the transaction, but
			// rolling back to the savepoint has undone it: the enclosing
			// function may carry on.
			t.lost = nil
		}
		return err
	}
	if s.host != nil {
		err, intact := s.savepoint(ctx, s.host, func() error {
			_, err := s.runIn(ctx, s.host, fn)
			return err
		}, nil)
		if !intact {
			return fmt.Errorf("sqlstore: the host's transaction is lost, roll it back: %w", err)
		}
		return err
	}
	var hooks []func()
	err := s.retry(ctx, func() (error, bool) {
		hooks = nil // an attempt that failed takes its hooks with it
		return s.atomicOnce(ctx, fn, &hooks)
	})
	s.prepareWanted(ctx)
	if err == nil {
		for _, h := range hooks {
			h()
		}
	}
	return err
}

// AfterCommit arranges for fn to run once the transaction of the Atomic
// that ctx carries has committed: the store has the storage.CommitHooks
// capability. The functions run in the order they were registered, in the
// goroutine that called the outermost Atomic, after COMMIT succeeded and
// the transaction's connection went back to the pool (so fn may use the
// store), before Atomic returns. They never run when the transaction rolls
// back or its COMMIT fails (even when whether it committed is unknown);
// those of a nested Atomic whose function failed, and of an attempt that
// Atomic runs again, are dropped. AfterCommit reports false, and drops
// fn, when ctx carries no Atomic of this store, or when the store is bound
// to a host's transaction (Bind), whose commit it does not see. A nil fn
// registers nothing.
func (s *Store) AfterCommit(ctx context.Context, fn func()) bool {
	t, ok := ctx.Value(txKey{}).(*txState)
	if !ok || !t.store.sameDB(s) || t.done || t.store.host != nil {
		return false
	}
	if fn != nil {
		t.hooks = append(t.hooks, fn)
	}
	return true
}

// savepoints numbers savepoint names, unique within any transaction.
var savepoints atomic.Uint64

// savepoint runs fn inside a savepoint of tx, so that when fn fails (or
// panics) its writes are undone and tx stays usable (on PostgreSQL, even
// after a failed statement). intact is false when the undo failed: the
// transaction itself is gone (MySQL rolls it back on a deadlock), and
// whatever runs on it next runs outside it. When fn panics and the undo
// fails, brokenByPanic (if not nil) is told, since no result reaches the
// caller.
func (s *Store) savepoint(ctx context.Context, tx *sql.Tx, fn func() error, brokenByPanic func(error)) (err error, intact bool) {
	name := "clientele_sp_" + strconv.FormatUint(savepoints.Add(1), 10)
	if _, err := tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("sqlstore: savepoint: %w", driverErr(err)), false
	}
	undo := func() bool {
		bg := context.WithoutCancel(ctx)
		if _, err := tx.ExecContext(bg, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return false
		}
		_, _ = tx.ExecContext(bg, "RELEASE SAVEPOINT "+name)
		return true
	}
	panicked := true
	defer func() {
		if panicked && !undo() && brokenByPanic != nil { // and let the panic go on
			brokenByPanic(errors.New("sqlstore: a nested Atomic panicked and its savepoint could not be rolled back"))
		}
	}()
	err = fn()
	panicked = false
	if err != nil {
		return err, undo()
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("sqlstore: release savepoint: %w", driverErr(err)), false
	}
	return nil, true
}

func (s *Store) sameDB(o *Store) bool { return s.db == o.db && s.host == o.host }

// wait sleeps before retry number attempt+1: base * 2^attempt, capped at a
// second, with full jitter.
func (s *Store) wait(ctx context.Context, attempt int) error { return s.opts.wait(ctx, attempt) }

// wait is Store.wait with o's backoff.
func (o options) wait(ctx context.Context, attempt int) error {
	d := o.backoff << min(attempt, 8)
	d = min(d, time.Second)
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(rand.Int64N(int64(d)) + 1))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// atomicOnce runs fn in a new transaction and commits it. again reports
// whether running it again is safe and may succeed: the transaction
// provably did not commit and failed by a retryable error.
// On success it sets *hooks to what AfterCommit registered.
func (s *Store) atomicOnce(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error, hooks *[]func()) (_ error, again bool) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: nothing committed: %w", err), false
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.notCommitted(ctx, fmt.Errorf("sqlstore: begin: %w", driverErr(err)), nil)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	t, err := s.runIn(ctx, tx, fn)
	if err != nil {
		return s.notCommitted(ctx, err, t)
	}
	// COMMIT with an ended ctx would fail (database/sql rolls back when it
	// ends), and could not be told from a COMMIT that failed on the way.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: transaction rolled back, nothing committed: %w", err), false
	}
	committed = true // whatever Commit returns, the transaction is over
	if err := tx.Commit(); err != nil {
		return s.commitFailed(ctx, driverErr(err))
	}
	*hooks = t.hooks
	return nil, false
}

// runIn runs fn with the repositories of tx, marking them done afterwards,
// and returns the transaction's state. A transaction lost while fn ran
// (see txState.lost) fails, whatever fn returned.
func (s *Store) runIn(ctx context.Context, tx *sql.Tx, fn func(ctx context.Context, tx storage.Tx) error) (*txState, error) {
	t := &txState{store: s, tx: tx}
	defer func() { t.done = true }()
	err := fn(context.WithValue(ctx, txKey{}, t), repos{conn{s: s, tx: tx, st: t}})
	if err == nil && t.lost != nil {
		err = fmt.Errorf("sqlstore: transaction rolled back after a failure its function did not return: %w", t.lost)
	}
	return t, err
}

// conn returns what the store's own repositories run on: the transaction ctx
// carries, the host's bound transaction, or the DB.
func (s *Store) connFor(ctx context.Context) conn {
	if t, ok := ctx.Value(txKey{}).(*txState); ok && t.store.sameDB(s) && !t.done {
		return conn{s: s, tx: t.tx, st: t}
	}
	if s.host != nil {
		return conn{s: s, tx: s.host}
	}
	return conn{s: s}
}

// atomic runs a multi-statement write, which must be atomic even outside
// Atomic:
//   - in the ctx's transaction, where a failure after the write has changed
//     something (and has not undone it: see restored) loses the
//     transaction, so that Atomic rolls it back whatever its function
//     returns (a savepoint per call would cost two round trips on every
//     write);
//   - in a savepoint of a host's bound transaction (the host decides
//     whether to commit after a failed call, so a failed call must leave
//     nothing in it);
//   - or in a new transaction, with retries.
func (c conn) atomic(ctx context.Context, fn func(c conn) error) error {
	if c.tx != nil {
		if err := c.checkDone(); err != nil {
			return err
		}
		if c.st == nil { // the host's transaction
			err, intact := c.s.savepoint(ctx, c.tx, func() error { return fn(c) }, nil)
			if !intact && err != nil {
				return fmt.Errorf("sqlstore: the host's transaction is lost, roll it back: %w", err)
			}
			return err
		}
		before := c.st.writes
		err := fn(c)
		var r *restoredError
		if errors.As(err, &r) {
			return r.err
		}
		if err != nil && c.st.writes > before {
			c.st.lose(err)
		}
		return err
	}
	err := c.s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		return fn(tx.(repos).c)
	})
	var r *restoredError
	if errors.As(err, &r) {
		return r.err
	}
	return err
}

// read runs fn, which only reads, on c. In a transaction it runs once: a
// serialization failure or lost connection there belongs to the
// transaction, which Atomic retries as a whole. On the DB, where each
// statement is a transaction of its own, a serialization failure
// (PostgreSQL at SERIALIZABLE can fail even a lone SELECT), a busy database
// or a lost connection runs fn again with Atomic's backoff, bounded by ctx,
// WithRetries and WithLockTimeout.
func read[T any](ctx context.Context, c conn, fn func() (T, error)) (T, error) {
	if c.tx != nil {
		return fn()
	}
	var v T
	err := c.s.retry(ctx, func() (error, bool) {
		var err error
		v, err = fn()
		if err == nil || ctx.Err() != nil {
			return err, false
		}
		return err, retryable(c.s.kind(err))
	})
	return v, err
}

// single runs fn, whose only write is one statement (the reads after it
// only explain an outcome), on c: in c's transaction, or, on the DB, where
// the statement is a transaction of its own, with read's retries where the
// statement provably did not happen (see Store.singleFailed); where its
// outcome is unknown, the error wraps storage.ErrCommitUnknown.
func (c conn) single(ctx context.Context, fn func(c conn) error) error {
	if c.tx != nil {
		if err := c.checkDone(); err != nil {
			return err
		}
		return fn(c)
	}
	return c.s.retry(ctx, func() (error, bool) {
		if err := ctx.Err(); err != nil {
			return err, false // nothing sent
		}
		if err := fn(c); err != nil {
			return c.s.singleFailed(ctx, err)
		}
		return nil, false
	})
}

// restoredError is returned by a multi-statement write that failed after
// writing and then undid its writes itself (Post puts the account back):
// conn.atomic passes err on without losing the transaction.
type restoredError struct{ err error }

func (r *restoredError) Error() string { return r.err.Error() }
func (r *restoredError) Unwrap() error { return r.err }

// restored marks err as the error of a write that undid its own writes.
func restored(err error) error { return &restoredError{err} }

// storable reports whether s can be a stored text value: valid UTF-8
// without NUL bytes (PostgreSQL rejects both; validation keeps them out of
// every store).
func storable(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}
