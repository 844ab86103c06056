package sqltest

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// SessionKiller ends a server engine's sessions from outside, as an
// administrator (or a failover) does: pg_terminate_backend, MariaDB's
// KILL.
type SessionKiller struct {
	// Dialect is the engine's dialect.
	Dialect sqlstore.Dialect
	// Open returns a handle on a database (or schema) of the test's own,
	// and an administrator's handle on the same server.
	Open func(t testing.TB) (db, admin *sql.DB)
	// SessionID is the query that returns the session's ID (SELECT
	// pg_backend_pid()).
	SessionID string
	// Kill ends session id and returns once it has ended.
	Kill func(ctx context.Context, admin *sql.DB, id int64) error
}

// KilledSessions ends the session of a transaction while Atomic runs it.
// Ended before COMMIT, the transaction provably did not commit: Atomic
// runs it again on a new connection and it commits exactly once. Ended
// just before COMMIT is sent, the outcome is unknown to the client:
// Atomic returns an error wrapping storage.ErrCommitUnknown and does not
// run it again (the database has in fact rolled it back).
func KilledSessions(t *testing.T, k SessionKiller) {
	db, admin := k.Open(t)
	db.SetMaxOpenConns(1) // the session whose ID the test reads is the transaction's
	s := NewStore(t, db, k.Dialect, sqlstore.WithRetries(3, time.Millisecond))
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(email string) customer.Customer { return registered(t, email, now) }
	session := func() int64 {
		var id int64
		if err := db.QueryRowContext(ctx, k.SessionID).Scan(&id); err != nil {
			t.Fatalf("session ID: %v", err)
		}
		return id
	}
	exists := func(c customer.Customer) bool {
		_, err := s.Customers().Get(ctx, c.ID)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			t.Fatal(err)
		}
		return err == nil
	}

	t.Run("BeforeCommit", func(t *testing.T) {
		a, b := mk("a@example.com"), mk("b@example.com")
		id := session()
		runs := 0
		err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			runs++
			if _, err := tx.Customers().Create(ctx, a); err != nil {
				return err
			}
			if runs == 1 {
				if err := k.Kill(ctx, admin, id); err != nil {
					t.Fatalf("kill session %d: %v", id, err)
				}
			}
			_, err := tx.Customers().Create(ctx, b)
			return err
		})
		if err != nil {
			t.Fatalf("Atomic after its session was killed before COMMIT: %v", err)
		}
		if runs != 2 {
			t.Errorf("the function ran %d times, want 2", runs)
		}
		if !exists(a) || !exists(b) {
			t.Error("the retried transaction did not store both customers")
		}
	})

	t.Run("AtCommit", func(t *testing.T) {
		c := mk("c@example.com")
		id := session()
		runs := 0
		err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			runs++
			if _, err := tx.Customers().Create(ctx, c); err != nil {
				return err
			}
			if runs == 1 {
				if err := k.Kill(ctx, admin, id); err != nil {
					t.Fatalf("kill session %d: %v", id, err)
				}
			}
			return nil
		})
		if !errors.Is(err, storage.ErrCommitUnknown) {
			t.Fatalf("Atomic whose session was killed as it committed: error %v, want one wrapping storage.ErrCommitUnknown", err)
		}
		if runs != 1 {
			t.Errorf("the function ran %d times, want 1: a commit of unknown outcome must not run again", runs)
		}
		if exists(c) {
			t.Error("the killed session's transaction committed")
		}
	})
}

// WaitGone polls query (which counts the sessions with the ID its one
// argument gives) until it returns 0, for at most 10 s.
func WaitGone(ctx context.Context, admin *sql.DB, query string, id int64) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		var n int
		if err := admin.QueryRowContext(ctx, query, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
