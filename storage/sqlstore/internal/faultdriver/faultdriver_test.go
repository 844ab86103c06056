package faultdriver_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"modernc.org/sqlite"

	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// open returns a handle on a fresh SQLite file through a fault connector,
// with one table t (id INTEGER PRIMARY KEY, v TEXT).
func open(t *testing.T) (*sql.DB, *faultdriver.Connector) {
	t.Helper()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + filepath.Join(t.TempDir(), "fault.db") + "?" + q.Encode()
	fc, err := faultdriver.WrapDriver(&sqlite.Driver{}, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(fc)
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		t.Fatal(err)
	}
	fc.ResetLog()
	return db, fc
}

func count(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// insertThree inserts three rows in one transaction, through a prepared
// statement, a direct Exec and a query, and commits.
func insertThree(ctx context.Context, db *sql.DB) error {
	st, err := db.PrepareContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`)
	if err != nil {
		return err
	}
	defer st.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if _, err := tx.StmtContext(ctx, st).ExecContext(ctx, 1, "one"); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, 2, "two"); err != nil {
		return err
	}
	var id int
	if err := tx.QueryRowContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?) RETURNING id`, 3, "three").Scan(&id); err != nil {
		return err
	}
	return tx.Commit()
}

func TestPassThrough(t *testing.T) {
	ctx := context.Background()
	db, fc := open(t)
	if err := insertThree(ctx, db); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db); n != 3 {
		t.Fatalf("rows %d, want 3", n)
	}
	// Argument conversion: Valuers, times, byte slices, NULLs.
	id := uuid.New()
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (?, ?), (?, ?), (?, ?), (?, ?)`,
		4, id, 5, sql.NullString{}, 6, []byte("bytes"), 7, at.Unix()); err != nil {
		t.Fatal(err)
	}
	var got uuid.UUID
	var null sql.NullString
	if err := db.QueryRow(`SELECT v FROM t WHERE id = ?`, 4).Scan(&got); err != nil || got != id {
		t.Errorf("uuid round trip: %v, %v", got, err)
	}
	if err := db.QueryRow(`SELECT v FROM t WHERE id = ?`, 5).Scan(&null); err != nil || null.Valid {
		t.Errorf("NULL round trip: %+v, %v", null, err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}

	var kinds []string
	for _, e := range fc.Log() {
		kinds = append(kinds, e.Kind.String())
		if e.Injected || e.Err != nil {
			t.Errorf("event %s: unexpected fault or error", e)
		}
	}
	want := "begin statement statement statement commit statement statement statement statement"
	if got := strings.Join(kinds, " "); got != want {
		t.Errorf("log kinds\n got %s\nwant %s", got, want)
	}
	if n := len(fc.Statements()); n != 7 {
		t.Errorf("%d statements logged, want 7", n)
	}
	if n := fc.Count(faultdriver.Commit); n != 1 {
		t.Errorf("%d commits logged, want 1", n)
	}
}

func TestFailStatement(t *testing.T) {
	for n := 1; n <= 3; n++ {
		t.Run(string(rune('0'+n)), func(t *testing.T) {
			ctx := context.Background()
			db, fc := open(t)
			fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, N: n})
			err := insertThree(ctx, db)
			if !errors.Is(err, faultdriver.ErrInjected) {
				t.Fatalf("err %v, want ErrInjected", err)
			}
			if fc.Fired() != 1 {
				t.Errorf("fired %d times, want 1", fc.Fired())
			}
			if c := count(t, db); c != 0 {
				t.Errorf("%d rows after the failed transaction, want 0", c)
			}
			stmts := fc.Log()
			var injected []faultdriver.Event
			for _, e := range stmts {
				if e.Injected {
					injected = append(injected, e)
				}
			}
			if len(injected) != 1 || injected[0].Kind != faultdriver.Statement || !errors.Is(injected[0].Err, faultdriver.ErrInjected) {
				t.Errorf("injected events %v", injected)
			}
			if fc.Count(faultdriver.Rollback) != 1 || fc.Count(faultdriver.Commit) != 0 {
				t.Errorf("log %v: want one rollback, no commit", fc.Log())
			}
			// The fault struck once: the same work succeeds now.
			if err := insertThree(ctx, db); err != nil {
				t.Fatalf("second run: %v", err)
			}
			if c := count(t, db); c != 3 {
				t.Errorf("%d rows, want 3", c)
			}
		})
	}
}

type codeErr struct{ code string }

func (e *codeErr) Error() string { return "code " + e.code }

func TestFailMatchingStatement(t *testing.T) {
	ctx := context.Background()
	db, fc := open(t)
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Match: "RETURNING", Err: &codeErr{"40001"}})
	err := insertThree(ctx, db)
	var ce *codeErr
	if !errors.As(err, &ce) || ce.code != "40001" {
		t.Fatalf("err %v, want the chosen *codeErr", err)
	}
	log := fc.Log()
	for _, e := range log {
		if e.Injected != strings.Contains(e.SQL, "RETURNING") {
			t.Errorf("event %s", e)
		}
	}
	if c := count(t, db); c != 0 {
		t.Errorf("%d rows, want 0", c)
	}

	// The second matching statement, every time.
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Match: "INSERT", N: 2, Times: -1})
	for range 2 {
		if err := insertThree(ctx, db); !errors.Is(err, faultdriver.ErrInjected) {
			t.Fatalf("err %v, want ErrInjected", err)
		}
	}
	if fc.Fired() != 2 {
		t.Errorf("fired %d, want 2", fc.Fired())
	}
	fc.Disarm()
	if err := insertThree(ctx, db); err != nil {
		t.Fatalf("disarmed: %v", err)
	}
}

func TestFailBegin(t *testing.T) {
	ctx := context.Background()
	db, fc := open(t)
	fc.Arm(faultdriver.Fault{At: faultdriver.AtBegin})
	if err := insertThree(ctx, db); !errors.Is(err, faultdriver.ErrInjected) {
		t.Fatalf("err %v, want ErrInjected", err)
	}
	if n := len(fc.Statements()); n != 0 {
		t.Errorf("%d statements ran", n)
	}
}

func TestFailCommit(t *testing.T) {
	ctx := context.Background()
	db, fc := open(t)
	db.SetMaxOpenConns(1) // the same connection must be clean for the next transaction
	fc.Arm(faultdriver.Fault{At: faultdriver.AtCommit})
	if err := insertThree(ctx, db); !errors.Is(err, faultdriver.ErrInjected) {
		t.Fatalf("err %v, want ErrInjected", err)
	}
	if c := count(t, db); c != 0 {
		t.Errorf("%d rows after a failed commit, want 0", c)
	}
	if err := insertThree(ctx, db); err != nil {
		t.Fatalf("next transaction: %v", err)
	}
	if c := count(t, db); c != 3 {
		t.Errorf("%d rows, want 3", c)
	}
	for _, e := range fc.Log() {
		if e.Conn != 1 {
			t.Errorf("event %s on another connection", e)
		}
	}
}

func TestAmbiguousCommit(t *testing.T) {
	ctx := context.Background()
	db, fc := open(t)
	fc.Arm(faultdriver.Fault{At: faultdriver.AfterCommit})
	if err := insertThree(ctx, db); !errors.Is(err, faultdriver.ErrInjected) {
		t.Fatalf("err %v, want ErrInjected", err)
	}
	if c := count(t, db); c != 3 {
		t.Errorf("%d rows after an ambiguous commit, want 3", c)
	}
}

func TestDrop(t *testing.T) {
	cases := []struct {
		name string
		f    faultdriver.Fault
		rows int
	}{
		{"Statement", faultdriver.Fault{At: faultdriver.AtStatement, N: 2, Drop: true}, 0},
		{"Commit", faultdriver.Fault{At: faultdriver.AtCommit, Drop: true}, 0},
		{"AfterCommit", faultdriver.Fault{At: faultdriver.AfterCommit, Drop: true}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, fc := open(t)
			db.SetMaxOpenConns(1)
			fc.Arm(tc.f)
			err := insertThree(ctx, db)
			if !errors.Is(err, driver.ErrBadConn) {
				t.Fatalf("err %v, want driver.ErrBadConn", err)
			}
			if c := count(t, db); c != tc.rows {
				t.Errorf("%d rows, want %d", c, tc.rows)
			}
			// database/sql discarded the broken connection: the next
			// work runs on a new one.
			fc.ResetLog()
			if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (100, 'x')`); err != nil {
				t.Fatal(err)
			}
			if log := fc.Log(); len(log) != 1 || log[0].Conn != 2 {
				t.Errorf("log after the drop %v: want one statement on connection 2", log)
			}
		})
	}
}

func TestDropOutsideTransaction(t *testing.T) {
	db, fc := open(t)
	// database/sql retries a statement outside a transaction on a new
	// connection when the first one turns out broken.
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Drop: true})
	if _, err := db.Exec(`INSERT INTO t (id, v) VALUES (1, 'x')`); err != nil {
		t.Fatalf("exec: %v", err)
	}
	if c := count(t, db); c != 1 {
		t.Errorf("%d rows, want 1", c)
	}
	if s := fc.Statements(); len(s) < 2 || s[0] != s[1] {
		t.Errorf("statements %q: want the insert twice", s)
	}
}

// skipper is a minimal driver whose connection refuses direct Exec with
// driver.ErrSkip, so that database/sql prepares every statement, and which
// has its own connector (driver.DriverContext).
type skipper struct{ execs *int }

func (d skipper) Open(string) (driver.Conn, error) { return skipConn(d), nil }
func (d skipper) OpenConnector(dsn string) (driver.Connector, error) {
	if dsn == "bad" {
		return nil, errors.New("bad dsn")
	}
	return skipConnector(d), nil
}

type skipConnector skipper

func (c skipConnector) Connect(context.Context) (driver.Conn, error) { return skipConn(c), nil }
func (c skipConnector) Driver() driver.Driver                        { return skipper(c) }

type skipConn skipper

func (c skipConn) Prepare(query string) (driver.Stmt, error) { return skipStmt(c), nil }
func (c skipConn) Close() error                              { return nil }
func (c skipConn) Begin() (driver.Tx, error)                 { return skipTx{}, nil }
func (c skipConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return nil, driver.ErrSkip
}

type skipTx struct{}

func (skipTx) Commit() error   { return nil }
func (skipTx) Rollback() error { return nil }

type skipStmt skipper

func (s skipStmt) Close() error  { return nil }
func (s skipStmt) NumInput() int { return -1 }
func (s skipStmt) Exec([]driver.Value) (driver.Result, error) {
	*s.execs++
	return driver.RowsAffected(1), nil
}
func (s skipStmt) Query([]driver.Value) (driver.Rows, error) { return nil, io.EOF }

func TestDriverErrSkip(t *testing.T) {
	var execs int
	if _, err := faultdriver.WrapDriver(skipper{&execs}, "bad"); err == nil {
		t.Error("WrapDriver with a bad DSN: no error")
	}
	fc, err := faultdriver.WrapDriver(skipper{&execs}, "ok")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(fc)
	defer db.Close()
	for range 3 {
		if _, err := db.Exec(`UPDATE x SET y = ?`, 1); err != nil {
			t.Fatal(err)
		}
	}
	if execs != 3 || len(fc.Statements()) != 3 {
		t.Errorf("%d executions, %d statements logged; want 3 and 3", execs, len(fc.Statements()))
	}
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, N: 2})
	_, err1 := db.Exec(`UPDATE x SET y = ?`, 1)
	_, err2 := db.Exec(`UPDATE x SET y = ?`, 1)
	if err1 != nil || !errors.Is(err2, faultdriver.ErrInjected) {
		t.Errorf("errors %v, %v; want nil and ErrInjected", err1, err2)
	}
	if execs != 4 {
		t.Errorf("%d executions, want 4", execs)
	}
}

// AtEvent counts BEGIN, statements and COMMIT together; a fault with Do
// alone runs Do there and lets the event run.
func TestEventDo(t *testing.T) {
	ctx := context.Background()
	for n, want := range []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement,
		faultdriver.Statement, faultdriver.Commit} {
		db, fc := open(t)
		var at []faultdriver.Event
		fc.Arm(faultdriver.Fault{At: faultdriver.AtEvent, N: n + 1, Do: func() { at = fc.Log() }})
		if err := insertThree(ctx, db); err != nil {
			t.Fatalf("event %d: a fault with Do alone failed the operation: %v", n+1, err)
		}
		if fc.Fired() != 1 || len(at) == 0 {
			t.Fatalf("event %d: Do ran %d times", n+1, fc.Fired())
		}
		if got := at[len(at)-1]; got.Kind != want || !got.Injected {
			t.Errorf("event %d: Do ran at %v, want a %v", n+1, got, want)
		}
		if got := count(t, db); got != 3 {
			t.Errorf("event %d: %d rows, want 3", n+1, got)
		}
	}
}

// With Err, an AtEvent fault fails the event it strikes as the point of
// its kind would: at COMMIT, nothing is stored.
func TestEventFailsCommit(t *testing.T) {
	db, fc := open(t)
	fc.Arm(faultdriver.Fault{At: faultdriver.AtEvent, N: 5})
	err := insertThree(context.Background(), db)
	if !errors.Is(err, faultdriver.ErrInjected) {
		t.Fatalf("error %v, want ErrInjected", err)
	}
	if got := count(t, db); got != 0 {
		t.Errorf("%d rows after a failed COMMIT, want 0", got)
	}
}
