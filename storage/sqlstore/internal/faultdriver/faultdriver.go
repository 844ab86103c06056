package faultdriver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrInjected is the error a fault reports when Fault.Err is nil.
var ErrInjected = errors.New("faultdriver: injected fault")

// Point is where a Fault strikes.
type Point int

// The points a Fault can strike at.
const (
	// AtStatement fails a statement before it reaches the database.
	AtStatement Point = iota
	// AtBegin fails BEGIN before it reaches the database.
	AtBegin
	// AtCommit fails a COMMIT: the transaction is rolled back and the
	// error reported, so nothing of it is stored.
	AtCommit
	// AfterCommit commits the transaction and then reports the error: the
	// caller cannot tell that its writes are stored.
	AfterCommit
	// AtEvent strikes at the N-th statement, BEGIN or COMMIT, counted
	// together, as AtStatement, AtBegin or AtCommit would there. With Do
	// alone it visits every step of an operation in turn (a context
	// cancelled at step N).
	AtEvent
)

// String returns the point's name.
func (p Point) String() string {
	switch p {
	case AtStatement:
		return "statement"
	case AtBegin:
		return "begin"
	case AtCommit:
		return "commit"
	case AfterCommit:
		return "after-commit"
	case AtEvent:
		return "event"
	}
	return fmt.Sprintf("Point(%d)", int(p))
}

// Fault describes one injected failure.
type Fault struct {
	// At is where the fault strikes.
	At Point
	// N picks the statement of an AtStatement fault: the N-th statement
	// (1-based) run after Arm, or with Match the N-th statement whose SQL
	// contains Match. Zero means 1. For the other points it picks the N-th
	// BEGIN or COMMIT after Arm the same way.
	N int
	// Match, when set, makes an AtStatement fault count only the
	// statements whose SQL contains it.
	Match string
	// Err is the error reported; nil means ErrInjected. With Drop the
	// error reported wraps driver.ErrBadConn and Err.
	Err error
	// Drop breaks the connection: the transaction open on it, if any, is
	// rolled back at once (AtStatement, AtBegin, AtCommit) or after it
	// committed (AfterCommit), the call reports driver.ErrBadConn, and the
	// connection refuses all further use, so database/sql discards it.
	Drop bool
	// Times is how many times the fault strikes, at the N-th and the
	// following matching events; zero means once, a negative number means
	// every time.
	Times int
	// Do, when set, is called when the fault strikes, before the event
	// goes on (to cancel a context there, say); for AfterCommit, once the
	// database has committed. A fault with Do and
	// neither Err nor Drop injects no error: the event then runs as if no
	// fault had struck, but is marked Injected in the log.
	Do func()
}

// passes reports whether f only runs Do and lets the event run.
func (f *Fault) passes() bool { return f.Do != nil && f.Err == nil && !f.Drop }

// hit runs f's Do, if any, and reports whether the event fails (false:
// it runs as usual).
func (f *Fault) hit() bool {
	if f.Do != nil {
		f.Do()
	}
	return !f.passes()
}

// Kind is the kind of an Event.
type Kind int

// The kinds of events the log holds.
const (
	// Statement is a statement run with Exec or Query.
	Statement Kind = iota
	// Begin is the start of a transaction.
	Begin
	// Commit is a COMMIT.
	Commit
	// Rollback is a ROLLBACK.
	Rollback
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Statement:
		return "statement"
	case Begin:
		return "begin"
	case Commit:
		return "commit"
	case Rollback:
		return "rollback"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Event is one entry of the log.
type Event struct {
	// Kind says what ran.
	Kind Kind
	// SQL is the statement's text (Statement events only).
	SQL string
	// Conn numbers the connection it ran on, from 1 in the order the
	// connector opened them.
	Conn int
	// Injected is set when a fault struck at this event.
	Injected bool
	// Err is the error the event reported, injected or the database's.
	Err error
}

// String formats the event for test failure messages.
func (e Event) String() string {
	s := fmt.Sprintf("conn %d %s", e.Conn, e.Kind)
	if e.SQL != "" {
		s += " " + strings.Join(strings.Fields(e.SQL), " ")
	}
	if e.Injected {
		s += " [injected]"
	}
	if e.Err != nil {
		s += " -> " + e.Err.Error()
	}
	return s
}

// Connector is a driver.Connector that injects faults into the connections
// of the connector it wraps. Open a *sql.DB on it with sql.OpenDB. Its
// methods are safe for concurrent use.
type Connector struct {
	inner driver.Connector
	drv   driver.Driver

	mu    sync.Mutex
	conns int
	log   []Event
	fault *Fault
	seen  int // events matching the fault since Arm
	fired int
}

var (
	_ driver.Connector = (*Connector)(nil)
	_ driver.Driver    = (*Connector)(nil)
)

// Wrap returns a Connector over c.
func Wrap(c driver.Connector) *Connector {
	return &Connector{inner: c, drv: c.Driver()}
}

// WrapDriver returns a Connector that opens connections to dsn with d:
// through d's own connector when d implements driver.DriverContext, and with
// d.Open otherwise.
func WrapDriver(d driver.Driver, dsn string) (*Connector, error) {
	if dc, ok := d.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, err
		}
		return Wrap(c), nil
	}
	return Wrap(dsnConnector{d: d, dsn: dsn}), nil
}

// dsnConnector is the connector of a driver without driver.DriverContext.
type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// Connect opens a connection through the wrapped connector.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	ci, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return c.wrapConn(ci), nil
}

func (c *Connector) wrapConn(ci driver.Conn) *conn {
	c.mu.Lock()
	c.conns++
	id := c.conns
	c.mu.Unlock()
	return &conn{c: c, ci: ci, id: id}
}

// Driver returns the connector itself, whose Open opens a connection to the
// DSN name with the wrapped driver and injects faults into it.
func (c *Connector) Driver() driver.Driver { return c }

// Open implements driver.Driver: it opens name with the wrapped driver.
func (c *Connector) Open(name string) (driver.Conn, error) {
	ci, err := c.drv.Open(name)
	if err != nil {
		return nil, err
	}
	return c.wrapConn(ci), nil
}

// Arm makes f the connector's fault, in place of any armed before, and
// starts counting statements (and BEGINs and COMMITs) for it afresh.
func (c *Connector) Arm(f Fault) {
	if f.N <= 0 {
		f.N = 1
	}
	if f.Times == 0 {
		f.Times = 1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fault, c.seen, c.fired = &f, 0, 0
}

// Disarm removes the armed fault, if any.
func (c *Connector) Disarm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fault = nil
}

// Fired returns how many times the fault armed last has struck.
func (c *Connector) Fired() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fired
}

// Log returns a copy of the events since the connector was made or
// ResetLog last ran.
func (c *Connector) Log() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.log...)
}

// ResetLog empties the log.
func (c *Connector) ResetLog() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.log = nil
}

// Statements returns the SQL of the Statement events in the log, in order.
func (c *Connector) Statements() []string {
	var out []string
	for _, e := range c.Log() {
		if e.Kind == Statement {
			out = append(out, e.SQL)
		}
	}
	return out
}

// Count returns how many events of kind k the log holds.
func (c *Connector) Count(k Kind) int {
	n := 0
	for _, e := range c.Log() {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// event logs an event and decides whether the armed fault strikes at it.
// It returns the index of the event in the log (or -1 when the log was reset
// meanwhile) and the fault that strikes, or nil.
func (c *Connector) event(kind Kind, connID int, query string) (int, *Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ev := Event{Kind: kind, SQL: query, Conn: connID}
	var strike *Fault
	if f := c.fault; f != nil && c.matches(f, kind, query) {
		c.seen++
		if c.seen >= f.N && (f.Times < 0 || c.fired < f.Times) {
			c.fired++
			ev.Injected = true
			strike = f
		}
	}
	c.log = append(c.log, ev)
	return len(c.log) - 1, strike
}

func (c *Connector) matches(f *Fault, kind Kind, query string) bool {
	switch f.At {
	case AtStatement:
		return kind == Statement && strings.Contains(query, f.Match)
	case AtBegin:
		return kind == Begin
	case AtCommit, AfterCommit:
		return kind == Commit
	case AtEvent:
		return kind != Rollback && (kind != Statement || strings.Contains(query, f.Match))
	}
	return false
}

// done records the outcome of the event at index i.
func (c *Connector) done(i int, err error) {
	if err == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if i >= 0 && i < len(c.log) {
		c.log[i].Err = err
	}
}

// undo takes back a Statement event the driver skipped (driver.ErrSkip:
// database/sql runs it again through a prepared statement, which counts).
func (c *Connector) undo(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.log) {
		return
	}
	if f := c.fault; f != nil && c.matches(f, c.log[i].Kind, c.log[i].SQL) {
		c.seen--
	}
	c.log = append(c.log[:i], c.log[i+1:]...)
}

// faultErr is the error a striking fault reports.
func faultErr(f *Fault) error {
	err := f.Err
	if err == nil {
		err = ErrInjected
	}
	if f.Drop {
		if errors.Is(err, driver.ErrBadConn) {
			return err
		}
		return fmt.Errorf("%w (%w)", driver.ErrBadConn, err)
	}
	return err
}

// conn wraps one driver connection.
type conn struct {
	c       *Connector
	ci      driver.Conn
	id      int
	tx      *tx // the transaction open on ci, if any
	dropped atomic.Bool
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
)

// drop breaks the connection: the open transaction is rolled back (as the
// server does when its client goes away) and every later call reports
// driver.ErrBadConn. The driver connection itself is closed when
// database/sql discards it, after closing its statements.
func (cn *conn) drop() {
	if cn.dropped.Swap(true) {
		return
	}
	if cn.tx != nil {
		_ = cn.tx.ti.Rollback()
		cn.tx = nil
	}
}

// strike applies a fault at a statement or BEGIN and returns its error.
func (cn *conn) strike(f *Fault) error {
	if f.Drop {
		cn.drop()
	}
	return faultErr(f)
}

func (cn *conn) Prepare(query string) (driver.Stmt, error) {
	return cn.PrepareContext(context.Background(), query)
}

func (cn *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if cn.dropped.Load() {
		return nil, driver.ErrBadConn
	}
	var (
		si  driver.Stmt
		err error
	)
	if p, ok := cn.ci.(driver.ConnPrepareContext); ok {
		si, err = p.PrepareContext(ctx, query)
	} else {
		si, err = cn.ci.Prepare(query)
		if err == nil && ctx.Err() != nil {
			si.Close()
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	return &stmt{cn: cn, si: si, query: query}, nil
}

func (cn *conn) Close() error { return cn.ci.Close() }

func (cn *conn) Begin() (driver.Tx, error) {
	return cn.BeginTx(context.Background(), driver.TxOptions{})
}

func (cn *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if cn.dropped.Load() {
		return nil, driver.ErrBadConn
	}
	i, f := cn.c.event(Begin, cn.id, "")
	if f != nil && f.hit() {
		err := cn.strike(f)
		cn.c.done(i, err)
		return nil, err
	}
	var (
		ti  driver.Tx
		err error
	)
	if b, ok := cn.ci.(driver.ConnBeginTx); ok {
		ti, err = b.BeginTx(ctx, opts)
	} else if opts.Isolation != 0 || opts.ReadOnly {
		err = errors.New("faultdriver: the driver supports no transaction options")
	} else {
		//lint:ignore SA1019 the fallback database/sql uses too
		ti, err = cn.ci.Begin()
	}
	cn.c.done(i, err)
	if err != nil {
		return nil, err
	}
	cn.tx = &tx{cn: cn, ti: ti}
	return cn.tx, nil
}

func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.ci.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip // database/sql prepares the statement instead
	}
	return statement(cn, query, func() (driver.Result, error) { return e.ExecContext(ctx, query, args) })
}

func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := cn.ci.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	return statement(cn, query, func() (driver.Rows, error) { return q.QueryContext(ctx, query, args) })
}

// statement runs one statement of cn through the log: it refuses a dropped
// connection, strikes an armed fault that matches, or runs run and logs
// its outcome. A driver's ErrSkip (the statement is not run, database/sql
// prepares it instead) is taken out of the log.
func statement[T any](cn *conn, query string, run func() (T, error)) (T, error) {
	var zero T
	if cn.dropped.Load() {
		return zero, driver.ErrBadConn
	}
	i, f := cn.c.event(Statement, cn.id, query)
	if f != nil && f.hit() {
		err := cn.strike(f)
		cn.c.done(i, err)
		return zero, err
	}
	v, err := run()
	if errors.Is(err, driver.ErrSkip) {
		cn.c.undo(i)
		return zero, err
	}
	cn.c.done(i, err)
	return v, err
}

// CheckNamedValue defers to the driver's connection, or converts the value
// the way database/sql does by default.
func (cn *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := cn.ci.(driver.NamedValueChecker); ok {
		if err := c.CheckNamedValue(nv); !errors.Is(err, driver.ErrSkip) {
			return err
		}
	}
	return defaultCheck(nv)
}

func defaultCheck(nv *driver.NamedValue) (err error) {
	nv.Value, err = driver.DefaultParameterConverter.ConvertValue(nv.Value)
	return err
}

func (cn *conn) ResetSession(ctx context.Context) error {
	if cn.dropped.Load() {
		return driver.ErrBadConn
	}
	if r, ok := cn.ci.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *conn) IsValid() bool {
	if cn.dropped.Load() {
		return false
	}
	if v, ok := cn.ci.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (cn *conn) Ping(ctx context.Context) error {
	if cn.dropped.Load() {
		return driver.ErrBadConn
	}
	if p, ok := cn.ci.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// tx wraps one driver transaction.
type tx struct {
	cn *conn
	ti driver.Tx
}

func (t *tx) Commit() error {
	cn := t.cn
	if cn.dropped.Load() || cn.tx != t {
		return driver.ErrBadConn // rolled back when the connection dropped
	}
	i, f := cn.c.event(Commit, cn.id, "")
	if f != nil && f.At != AfterCommit && !f.hit() {
		f = nil
	}
	var err error
	switch {
	case f == nil:
		err = t.ti.Commit()
	case f.At == AtCommit || f.At == AtEvent:
		// The database refused the COMMIT: the transaction is over and
		// nothing of it is stored.
		_ = t.ti.Rollback()
		cn.tx = nil
		if f.Drop {
			cn.drop()
		}
		err = faultErr(f)
	default: // AfterCommit: Do runs once the database has committed
		if err = t.ti.Commit(); err == nil && f.hit() {
			cn.tx = nil
			if f.Drop {
				cn.drop()
			}
			err = faultErr(f)
		}
	}
	cn.tx = nil
	cn.c.done(i, err)
	return err
}

func (t *tx) Rollback() error {
	cn := t.cn
	if cn.dropped.Load() || cn.tx != t {
		return driver.ErrBadConn
	}
	i, _ := cn.c.event(Rollback, cn.id, "")
	err := t.ti.Rollback()
	cn.tx = nil
	cn.c.done(i, err)
	return err
}

// stmt wraps one prepared statement.
type stmt struct {
	cn    *conn
	si    driver.Stmt
	query string
}

var (
	_ driver.Stmt              = (*stmt)(nil)
	_ driver.StmtExecContext   = (*stmt)(nil)
	_ driver.StmtQueryContext  = (*stmt)(nil)
	_ driver.NamedValueChecker = (*stmt)(nil)
)

func (s *stmt) Close() error { return s.si.Close() }

func (s *stmt) NumInput() int { return s.si.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return statement(s.cn, s.query, func() (driver.Result, error) {
		if e, ok := s.si.(driver.StmtExecContext); ok {
			return e.ExecContext(ctx, args)
		}
		vs, err := values(args)
		if err != nil {
			return nil, err
		}
		//lint:ignore SA1019 the fallback database/sql uses too
		return s.si.Exec(vs)
	})
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return statement(s.cn, s.query, func() (driver.Rows, error) {
		if q, ok := s.si.(driver.StmtQueryContext); ok {
			return q.QueryContext(ctx, args)
		}
		vs, err := values(args)
		if err != nil {
			return nil, err
		}
		//lint:ignore SA1019 the fallback database/sql uses too
		return s.si.Query(vs)
	})
}

// CheckNamedValue checks an argument the way database/sql would have with
// the driver's own statement: its NamedValueChecker, its ColumnConverter,
// the connection's NamedValueChecker, the default conversion.
func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := s.si.(driver.NamedValueChecker); ok {
		if err := c.CheckNamedValue(nv); !errors.Is(err, driver.ErrSkip) {
			return err
		}
	}
	//lint:ignore SA1019 drivers still implement it, and database/sql still uses it
	if cc, ok := s.si.(driver.ColumnConverter); ok {
		return columnConvert(cc, s.si.NumInput(), nv)
	}
	return s.cn.CheckNamedValue(nv)
}

// columnConvert is database/sql's check with a driver.ColumnConverter.
//
//lint:ignore SA1019 see CheckNamedValue
func columnConvert(cc driver.ColumnConverter, want int, nv *driver.NamedValue) error {
	index := nv.Ordinal - 1
	if want >= 0 && want <= index {
		return nil
	}
	if vr, ok := nv.Value.(driver.Valuer); ok {
		v, err := vr.Value()
		if err != nil {
			return err
		}
		nv.Value = v
	}
	v, err := cc.ColumnConverter(index).ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	if !driver.IsValue(v) {
		return fmt.Errorf("faultdriver: driver ColumnConverter error converted %T to unsupported type %T", nv.Value, v)
	}
	nv.Value = v
	return nil
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func values(args []driver.NamedValue) ([]driver.Value, error) {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		if a.Name != "" {
			return nil, errors.New("faultdriver: the driver does not support named parameters")
		}
		out[i] = a.Value
	}
	return out, nil
}
