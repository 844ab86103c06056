package main

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync/atomic"
)

// counts are the calls a counting connector has passed to the driver. Each
// is a round trip to the server on PostgreSQL and MySQL (a call into the
// engine on SQLite), except that a prepared statement's Close, which needs
// no answer, is not counted.
type counts struct {
	begin, exec, query, commit, rollback, prepare atomic.Int64
}

// snapshot is a copy of counts at one moment.
type snapshot struct {
	Begin, Exec, Query, Commit, Rollback, Prepare int64
}

func (c *counts) snapshot() snapshot {
	return snapshot{c.begin.Load(), c.exec.Load(), c.query.Load(), c.commit.Load(), c.rollback.Load(), c.prepare.Load()}
}

// sub returns s - o.
func (s snapshot) sub(o snapshot) snapshot {
	return snapshot{s.Begin - o.Begin, s.Exec - o.Exec, s.Query - o.Query, s.Commit - o.Commit, s.Rollback - o.Rollback, s.Prepare - o.Prepare}
}

// trips is the round trips of s: BEGIN, statements, COMMIT and ROLLBACK
// (prepares are reported apart: both sides prepare each statement once per
// connection, so they vanish in a steady state).
func (s snapshot) trips() int64 { return s.Begin + s.Exec + s.Query + s.Commit + s.Rollback }

// tracer, when set, receives every counted call: its kind and, for
// statements and prepares, the SQL.
type tracer func(kind, query string)

// countingConnector wraps a driver.Connector and counts the calls its
// connections make. Open a *sql.DB on it with sql.OpenDB.
type countingConnector struct {
	inner driver.Connector
	n     counts
	trace atomic.Pointer[tracer]
}

// dsnConnector is the connector of a driver without driver.DriverContext.
type dsnConnector struct {
	d   driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.d.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.d }

// wrapDriver returns a counting connector that opens connections to dsn
// with d (through d's own connector when it has one).
func wrapDriver(d driver.Driver, dsn string) (*countingConnector, error) {
	var inner driver.Connector = dsnConnector{d: d, dsn: dsn}
	if dc, ok := d.(driver.DriverContext); ok {
		c, err := dc.OpenConnector(dsn)
		if err != nil {
			return nil, err
		}
		inner = c
	}
	return &countingConnector{inner: inner}, nil
}

func (c *countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	ci, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, ci: ci}, nil
}

func (c *countingConnector) Driver() driver.Driver { return c.inner.Driver() }

// setTrace makes fn receive every counted call from now on (nil: none).
func (c *countingConnector) setTrace(fn tracer) {
	if fn == nil {
		c.trace.Store(nil)
		return
	}
	c.trace.Store(&fn)
}

func (c *countingConnector) note(n *atomic.Int64, kind, query string) {
	n.Add(1)
	if t := c.trace.Load(); t != nil {
		(*t)(kind, query)
	}
}

// conn wraps one driver connection.
type conn struct {
	c  *countingConnector
	ci driver.Conn
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

func (cn *conn) Prepare(query string) (driver.Stmt, error) {
	return cn.PrepareContext(context.Background(), query)
}

func (cn *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var (
		si  driver.Stmt
		err error
	)
	if p, ok := cn.ci.(driver.ConnPrepareContext); ok {
		si, err = p.PrepareContext(ctx, query)
	} else {
		si, err = cn.ci.Prepare(query)
	}
	cn.c.note(&cn.c.n.prepare, "prepare", query)
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
	var (
		ti  driver.Tx
		err error
	)
	if b, ok := cn.ci.(driver.ConnBeginTx); ok {
		ti, err = b.BeginTx(ctx, opts)
	} else if opts.Isolation != 0 || opts.ReadOnly {
		err = errors.New("servicebench: the driver supports no transaction options")
	} else {
		//lint:ignore SA1019 the fallback database/sql uses too
		ti, err = cn.ci.Begin()
	}
	cn.c.note(&cn.c.n.begin, "begin", "")
	if err != nil {
		return nil, err
	}
	return &tx{cn: cn, ti: ti}, nil
}

func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.ci.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip // database/sql prepares the statement instead
	}
	r, err := e.ExecContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		cn.c.note(&cn.c.n.exec, "exec", query)
	}
	return r, err
}

func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := cn.ci.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	if !errors.Is(err, driver.ErrSkip) {
		cn.c.note(&cn.c.n.query, "query", query)
	}
	return r, err
}

// CheckNamedValue defers to the driver's connection, or converts the value
// the way database/sql does by default.
func (cn *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := cn.ci.(driver.NamedValueChecker); ok {
		if err := c.CheckNamedValue(nv); !errors.Is(err, driver.ErrSkip) {
			return err
		}
	}
	var err error
	nv.Value, err = driver.DefaultParameterConverter.ConvertValue(nv.Value)
	return err
}

func (cn *conn) ResetSession(ctx context.Context) error {
	if r, ok := cn.ci.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *conn) IsValid() bool {
	if v, ok := cn.ci.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (cn *conn) Ping(ctx context.Context) error {
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
	err := t.ti.Commit()
	t.cn.c.note(&t.cn.c.n.commit, "commit", "")
	return err
}

func (t *tx) Rollback() error {
	err := t.ti.Rollback()
	t.cn.c.note(&t.cn.c.n.rollback, "rollback", "")
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

func (s *stmt) Close() error  { return s.si.Close() }
func (s *stmt) NumInput() int { return s.si.NumInput() }

func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	defer s.cn.c.note(&s.cn.c.n.exec, "exec", s.query)
	if e, ok := s.si.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	vs, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the fallback database/sql uses too
	return s.si.Exec(vs)
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	defer s.cn.c.note(&s.cn.c.n.query, "query", s.query)
	if q, ok := s.si.(driver.StmtQueryContext); ok {
		return q.QueryContext(ctx, args)
	}
	vs, err := values(args)
	if err != nil {
		return nil, err
	}
	//lint:ignore SA1019 the fallback database/sql uses too
	return s.si.Query(vs)
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
		want := s.si.NumInput()
		if index := nv.Ordinal - 1; want < 0 || index < want {
			var err error
			nv.Value, err = cc.ColumnConverter(index).ConvertValue(nv.Value)
			return err
		}
	}
	return s.cn.CheckNamedValue(nv)
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
			return nil, errors.New("servicebench: the driver does not support named parameters")
		}
		out[i] = a.Value
	}
	return out, nil
}
