package sqltest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// LostTransactions checks what happens when a failure inside a transaction
// takes the transaction with it. The fault connector makes a statement of a
// nested Atomic fail with the engine's retryable error (a deadlock on
// MySQL, which rolls the whole transaction back); the enclosing function
// ignores the error and goes on. Atomic must not commit that: it runs the
// whole function again, and the second run, without the fault, stores
// everything.
func LostTransactions(t *testing.T, e FaultEngine) {
	db, fc := e.Open(t)
	s := NewStore(t, db, e.Dialect, sqlstore.WithRetries(3, time.Millisecond))
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	mk := func(email string) customer.Customer { return registered(t, email, now) }
	a, err := s.Customers().Create(ctx, mk("a@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Customers().Create(ctx, mk("b@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	c := mk("c@example.com")
	note := func(text string) func(*customer.Customer) error {
		return func(x *customer.Customer) error { x.Note = text; return nil }
	}
	runs := 0
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Match: "UPDATE", N: 2, Err: e.Retryable})
	err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		runs++
		if _, err := tx.Customers().Update(ctx, a.ID, note("outer wrote A")); err != nil {
			return err
		}
		nested := s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			_, err := tx.Customers().Update(ctx, b.ID, note("nested wrote B"))
			return err
		})
		_ = nested // the enclosing function carries on, as the contract allows
		_, err := tx.Customers().Create(ctx, c)
		return err
	})
	fc.Disarm()
	if err != nil {
		t.Fatalf("Atomic: %v", err)
	}
	if runs != 2 {
		t.Errorf("the function ran %d times, want 2: a transaction lost by its nested Atomic must be run again", runs)
	}
	for id, want := range map[uuid.UUID]string{a.ID: "outer wrote A", b.ID: "nested wrote B"} {
		got, err := s.Customers().Get(ctx, id)
		if err != nil || got.Note != want {
			t.Errorf("customer %v: note %q, %v; want %q", id, got.Note, err, want)
		}
	}
	if _, err := s.Customers().Get(ctx, c.ID); err != nil {
		t.Errorf("the customer created after the nested failure: %v", err)
	}

	// A lost transaction refuses further statements, so the function
	// cannot write half of what it meant in autocommit (MySQL would).
	fc.Arm(faultdriver.Fault{At: faultdriver.AtStatement, Match: "UPDATE", N: 1, Err: e.Retryable, Times: -1})
	defer fc.Disarm()
	var after error
	err = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		_ = s.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			_, err := tx.Customers().Update(ctx, b.ID, note("never"))
			return err
		})
		_, after = tx.Customers().Create(ctx, mk(fmt.Sprintf("d%d@example.com", runs)))
		return nil
	})
	if err == nil {
		t.Fatal("Atomic returned nil for a transaction that every run loses")
	}
	if after == nil {
		t.Error("a statement ran on a lost transaction")
	}
}
