package sqltest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// LostConnections checks what a connection lost without the driver's
// promise that nothing ran (io.ErrUnexpectedEOF rather than
// driver.ErrBadConn, which database/sql retries by itself) does outside
// and inside a transaction: a read runs again; a one-statement write
// outside a transaction may have happened, so it is not run again and
// reports storage.ErrCommitUnknown (so does one whose ctx's deadline
// passed while it ran); inside a transaction, before COMMIT, the
// transaction provably did not commit, so Atomic runs it again.
func LostConnections(t *testing.T, e FaultEngine) {
	db, fc := e.Open(t)
	s := NewStore(t, db, e.Dialect, sqlstore.WithRetries(3, time.Millisecond))
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(email string) customer.Customer { return registered(t, email, now) }
	lost := fmt.Errorf("read reply: %w", io.ErrUnexpectedEOF)
	a, err := s.Customers().Create(ctx, mk("a@example.com"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ReadRetried", func(t *testing.T) {
		fc.ResetLog()
		fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Err: lost})
		got, err := s.Customers().Get(ctx, a.ID)
		fc.Disarm()
		if err != nil || got.ID != a.ID {
			t.Fatalf("a read that lost its connection was not run again: %v\nlog:\n%s", err, formatLog(fc.Log()))
		}
		if n := len(fc.Statements()); n != 2 {
			t.Errorf("%d statements, want 2", n)
		}
	})

	t.Run("SingleWriteUnknown", func(t *testing.T) {
		b := mk("b@example.com")
		fc.ResetLog()
		fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Err: lost})
		_, err := s.Customers().Create(ctx, b)
		fc.Disarm()
		if !errors.Is(err, storage.ErrCommitUnknown) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("a one-statement write whose connection was lost: error %v, want one wrapping storage.ErrCommitUnknown and the cause", err)
		}
		if n := len(fc.Statements()); n != 1 {
			t.Errorf("%d statements, want 1: a write of unknown outcome must not run again\nlog:\n%s", n, formatLog(fc.Log()))
		}
	})

	t.Run("SingleWriteDeadline", func(t *testing.T) {
		c := mk("c@example.com")
		ctx := newExpiringContext()
		fc.ResetLog()
		fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Do: ctx.expire,
			Err: fmt.Errorf("timeout: %w", context.DeadlineExceeded)})
		_, err := s.Customers().Create(ctx, c)
		fc.Disarm()
		if !errors.Is(err, storage.ErrCommitUnknown) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a one-statement write whose deadline passed as it ran: error %v, want one wrapping storage.ErrCommitUnknown and context.DeadlineExceeded", err)
		}
	})

	t.Run("TransactionRetried", func(t *testing.T) {
		d, f := mk("d@example.com"), mk("f@example.com")
		fc.ResetLog()
		fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, N: 2, Err: lost})
		runs := 0
		err := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			runs++
			if _, err := tx.Customers().Create(ctx, d); err != nil {
				return err
			}
			_, err := tx.Customers().Create(ctx, f)
			return err
		})
		fc.Disarm()
		if err != nil {
			t.Fatalf("a transaction that lost its connection before COMMIT was not run again: %v\nlog:\n%s", err, formatLog(fc.Log()))
		}
		if runs != 2 {
			t.Errorf("the function ran %d times, want 2", runs)
		}
		for _, c := range []customer.Customer{d, f} {
			if _, err := s.Customers().Get(ctx, c.ID); err != nil {
				t.Errorf("customer %s: %v", c.Email.Address, err)
			}
		}
	})
}
