package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

func atomicCases() []testCase {
	return []testCase{
		{"Commit", atomicCommit},
		{"RollbackOnError", atomicRollbackOnError},
		{"RollbackOnPanic", atomicRollbackOnPanic},
		{"RollbackRestoresUpdatesAndDeletes", atomicRollbackRestores},
		{"TxDoneAfterCommit", atomicTxDoneAfterCommit},
		{"TxDoneAfterRollback", atomicTxDoneAfterRollback},
		{"ReadsSeeOwnWrites", atomicReadsSeeOwnWrites},
		{"CtxJoinsTransaction", atomicCtxJoins},
		{"CtxJoinsAndCommits", atomicCtxJoinsAndCommits},
		{"NestedAtomicJoins", atomicNestedJoins},
		{"NestedErrorRollsBackEverything", atomicNestedError},
		{"NestedErrorUndoesOnlyItsWrites", atomicNestedErrorHandled},
		{"NestedPanicUndoesItsWrites", atomicNestedPanicRecovered},
		{"IgnoredFailedCallCommitsNothingOfIt", atomicIgnoredFailedCall},
		{"NestedHalfwayFailureIsUndone", atomicNestedHalfwayFailure},
		{"CanceledBeforeStart", atomicCanceledBeforeStart},
		{"CanceledBeforeCommit", atomicCanceledBeforeCommit},
		{"DeadlineBeforeCommit", atomicDeadlineBeforeCommit},
		{"CanceledWithFnError", atomicCanceledWithFnError},
	}
}

// requireNotCommitted checks the error of an Atomic whose ctx ended before
// it could commit: it wraps the ctx's error and does not claim that the
// commit may have happened.
func requireNotCommitted(t *testing.T, err, ctxErr error) {
	t.Helper()
	require.Error(t, err, "Atomic committed although its ctx had ended")
	require.ErrorIs(t, err, ctxErr, "the error of an Atomic whose ctx ended wraps ctx.Err()")
	require.NotErrorIs(t, err, storage.ErrCommitUnknown, "nothing was committed, and the adapter knows it")
}

func atomicCanceledBeforeStart(t *testing.T, e *env) {
	w := e.prepareWrites()
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		_ = writeAll(ctx, tx, w) // fails: the ctx has ended
		return nil
	})
	requireNotCommitted(t, err, context.Canceled)
	e.requireNoneOf(w)
}

func atomicCanceledBeforeCommit(t *testing.T, e *env) {
	w := e.prepareWrites()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := writeAll(ctx, tx, w); err != nil {
			return err
		}
		cancel() // the caller gives up just before Atomic commits
		return nil
	})
	requireNotCommitted(t, err, context.Canceled)
	e.requireNoneOf(w)
}

func atomicDeadlineBeforeCommit(t *testing.T, e *env) {
	w := e.prepareWrites()
	ctx, cancel := context.WithTimeout(e.ctx, 50*time.Millisecond)
	defer cancel()
	err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := writeAll(ctx, tx, w); err != nil {
			return err
		}
		<-ctx.Done() // the deadline passes before Atomic commits
		return nil
	})
	requireNotCommitted(t, err, context.DeadlineExceeded)
	e.requireNoneOf(w)
}

func atomicCanceledWithFnError(t *testing.T, e *env) {
	w := e.prepareWrites()
	ctx, cancel := context.WithCancel(e.ctx)
	defer cancel()
	want := &sentinel{"fn's own error"}
	err := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := writeAll(ctx, tx, w); err != nil {
			return err
		}
		cancel()
		return want
	})
	requireNotCommitted(t, err, context.Canceled)
	require.ErrorIs(t, err, want, "fn's error stays reachable")
	e.requireNoneOf(w)
}

// atomicWrites is what the rollback cases write inside one transaction: a
// customer, a balance account with a posting, and a group membership of the
// new customer in a group that existed before.
type atomicWrites struct {
	customer customer.Customer
	account  balance.Account
	posting  balance.Posting
	group    group.Group
}

// prepareWrites builds the values that writeAll stores, outside the
// transaction, so that fn stays safe to run more than once.
func (e *env) prepareWrites() atomicWrites {
	e.t.Helper()
	g := e.createGroup("Before the transaction")
	c := e.registered(withEmail("atomic@example.com"), withReference("erp", "ATOMIC-1"))
	a := balance.NewAccount(e.id(), c.ID, balance.MustCurrency("USD"), e.now())
	p := e.posting(a, e.usd("25.00"), withKey("atomic-key"))
	return atomicWrites{customer: c, account: a, posting: p, group: g}
}

// writeAll performs the writes of w through r.
func writeAll(ctx context.Context, r storage.Repositories, w atomicWrites) error {
	if _, err := r.Customers().Create(ctx, w.customer); err != nil {
		return err
	}
	if _, err := r.Balances().CreateAccount(ctx, w.account); err != nil {
		return err
	}
	if _, err := r.Balances().Post(ctx, w.posting); err != nil {
		return err
	}
	_, err := r.Groups().AddMember(ctx, w.group.ID, w.customer.ID)
	return err
}

// requireNoneOf checks through the store that none of w's writes exist.
func (e *env) requireNoneOf(w atomicWrites) {
	t := e.t
	t.Helper()
	_, err := e.store.Customers().Get(e.ctx, w.customer.ID)
	requireNotFound(t, err, "the customer was rolled back")
	_, err = e.store.Customers().GetByEmail(e.ctx, w.customer.Email.Address, true)
	requireNotFound(t, err, "the customer's email was rolled back")
	_, err = e.store.Customers().GetByReference(e.ctx, "erp", "ATOMIC-1")
	requireNotFound(t, err, "the customer's reference was rolled back")
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{IncludeDeleted: true}), "no customer is listed")
	_, err = e.store.Balances().GetAccount(e.ctx, w.account.ID)
	requireNotFound(t, err, "the account was rolled back")
	_, err = e.store.Balances().AccountFor(e.ctx, w.customer.ID, w.account.Currency)
	requireNotFound(t, err, "the account was rolled back")
	accounts, err := e.store.Balances().Accounts(e.ctx, w.customer.ID)
	require.NoError(t, err)
	assert.Empty(t, accounts, "the account was rolled back")
	_, err = e.store.Balances().PostingByKey(e.ctx, w.account.ID, w.posting.IdempotencyKey)
	requireNotFound(t, err, "the posting was rolled back")
	assertIDs(t, nil, e.memberOf(w.customer.ID, w.group.ID), "the membership was rolled back")
	assertIDs(t, nil, e.listCustomerIDs(storage.CustomerFilter{GroupID: w.group.ID, IncludeDeleted: true}), "the group has no members")
	assertIDs(t, nil, groupIDs(e.listGroups(storage.GroupFilter{MemberID: w.customer.ID}, 0)), "the membership was rolled back")
	assertGroup(t, w.group, e.getGroup(w.group.ID), "the group from before is untouched")

	// Everything can be written again: no key is left behind.
	require.NoError(t, writeAll(e.ctx, e.store, w), "writing the same records again after the rollback")
}

// requireAllOf checks through the store that all of w's writes exist.
func (e *env) requireAllOf(w atomicWrites) {
	t := e.t
	t.Helper()
	c := e.getCustomer(w.customer.ID)
	assert.Equal(t, w.customer.Email, c.Email)
	a, ps := e.checkLedger(w.account.ID)
	assertMoney(t, "Balance", w.posting.Amount, a.Balance)
	require.Len(t, ps, 1)
	assert.Equal(t, w.posting.ID, ps[0].ID)
	assertIDs(t, []uuid.UUID{w.group.ID}, e.memberOf(w.customer.ID, w.group.ID))
}

func atomicCommit(t *testing.T, e *env) {
	w := e.prepareWrites()
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		return writeAll(ctx, tx, w)
	})
	require.NoError(t, err)
	e.requireAllOf(w)
}

func atomicRollbackOnError(t *testing.T, e *env) {
	w := e.prepareWrites()
	want := &sentinel{"abort the transaction"}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := writeAll(ctx, tx, w); err != nil {
			return err
		}
		return want
	})
	requireSame(t, want, err)
	e.requireNoneOf(w)
}

func atomicRollbackOnPanic(t *testing.T, e *env) {
	w := e.prepareWrites()
	type boom struct{ msg string }
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		_ = e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
			if err := writeAll(ctx, tx, w); err != nil {
				return err
			}
			panic(boom{"in the middle of a transaction"})
		})
	}()
	require.Equal(t, boom{"in the middle of a transaction"}, recovered, "Atomic re-panics with fn's value")
	e.requireNoneOf(w)
}

func atomicRollbackRestores(t *testing.T, e *env) {
	g := e.createGroup("Restored")
	doomed := e.createGroup("Doomed")
	c := e.newCustomer(withEmail("restore@example.com"), withTags("before"))
	e.addMember(g.ID, c.ID)
	a := e.createAccount(c.ID, "USD")
	e.post(a, e.usd("10.00"))
	accBefore := e.getAccount(a.ID)
	want := &sentinel{"undo"}

	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		// Posted first: a deleted customer's account takes no postings.
		if _, err := tx.Balances().Post(ctx, e.posting(a, e.usd("-10.00"))); err != nil {
			return err
		}
		if _, err := tx.Customers().Update(ctx, c.ID, func(c *customer.Customer) error {
			if err := c.Apply(customer.Patch{Email: ptr("changed@example.com"), Tags: &[]string{"after"}}, e.now()); err != nil {
				return err
			}
			c.MarkDeleted(e.now())
			return nil
		}); err != nil {
			return err
		}
		if _, err := tx.Groups().RemoveMember(ctx, g.ID, c.ID); err != nil {
			return err
		}
		if err := tx.Groups().Delete(ctx, doomed.ID); err != nil {
			return err
		}
		if _, err := tx.Groups().Update(ctx, g.ID, func(g *group.Group) error { return g.Rename("Renamed", e.now()) }); err != nil {
			return err
		}
		return want
	})
	requireSame(t, want, err)

	assertCustomer(t, c, e.getCustomer(c.ID), "the customer update was rolled back")
	got, err := e.store.Customers().GetByEmail(e.ctx, "restore@example.com", true)
	require.NoError(t, err, "the email index was rolled back")
	assert.Equal(t, c.ID, got.ID)
	_, err = e.store.Customers().GetByEmail(e.ctx, "changed@example.com", true)
	requireNotFound(t, err)
	assertIDs(t, []uuid.UUID{g.ID}, e.memberOf(c.ID, g.ID), "the membership is back")
	assertGroup(t, doomed, e.getGroup(doomed.ID), "the deleted group is back")
	_, err = e.store.Groups().GetByName(e.ctx, "Doomed")
	require.NoError(t, err)
	_, err = e.store.Groups().GetByName(e.ctx, "Renamed")
	requireNotFound(t, err, "the rename was rolled back")
	assertAccount(t, accBefore, e.getAccount(a.ID), "the posting was rolled back")
	e.checkLedger(a.ID)
}

func atomicTxDoneAfterCommit(t *testing.T, e *env) {
	c := e.newCustomer()
	var kept storage.Tx
	require.NoError(t, e.store.Atomic(e.ctx, func(_ context.Context, tx storage.Tx) error {
		kept = tx
		return nil
	}))
	requireTxDone(t, e, kept, c.ID)
}

func atomicTxDoneAfterRollback(t *testing.T, e *env) {
	c := e.newCustomer()
	var kept storage.Tx
	want := &sentinel{"rollback"}
	err := e.store.Atomic(e.ctx, func(_ context.Context, tx storage.Tx) error {
		kept = tx
		return want
	})
	requireSame(t, want, err)
	requireTxDone(t, e, kept, c.ID)
}

// requireTxDone checks that reads and writes through a finished Tx fail with
// ErrTxDone and write nothing.
func requireTxDone(t *testing.T, e *env, tx storage.Tx, existing uuid.UUID) {
	t.Helper()
	require.NotNil(t, tx)
	_, err := tx.Customers().Get(e.ctx, existing)
	require.ErrorIs(t, err, storage.ErrTxDone, "Customers().Get through a finished Tx")
	late := e.registered()
	_, err = tx.Customers().Create(e.ctx, late)
	require.ErrorIs(t, err, storage.ErrTxDone, "Customers().Create through a finished Tx")
	_, err = e.store.Customers().Get(e.ctx, late.ID)
	requireNotFound(t, err, "nothing is written through a finished Tx")
	_, err = tx.Groups().Create(e.ctx, e.groupAt("Late", e.now()))
	require.ErrorIs(t, err, storage.ErrTxDone, "Groups().Create through a finished Tx")
	_, err = tx.Balances().GetAccount(e.ctx, e.id())
	require.ErrorIs(t, err, storage.ErrTxDone, "Balances().GetAccount through a finished Tx")
	_, err = tx.Orders().Get(e.ctx, "x")
	require.ErrorIs(t, err, storage.ErrTxDone, "Orders().Get through a finished Tx")
	_, err = tx.Addresses().Book(e.ctx, existing)
	require.ErrorIs(t, err, storage.ErrTxDone, "Addresses().Book through a finished Tx")
	_, err = tx.Merchants().Get(e.ctx, e.id())
	require.ErrorIs(t, err, storage.ErrTxDone, "Merchants().Get through a finished Tx")
	_, err = tx.Markets().Get(e.ctx, e.id())
	require.ErrorIs(t, err, storage.ErrTxDone, "Markets().Get through a finished Tx")
}

func atomicReadsSeeOwnWrites(t *testing.T, e *env) {
	w := e.prepareWrites()
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := writeAll(ctx, tx, w); err != nil {
			return err
		}
		got, err := tx.Customers().Get(ctx, w.customer.ID)
		require.NoError(t, err, "Get sees the transaction's customer")
		assert.Equal(t, int64(1), got.Version)
		_, err = tx.Customers().GetByEmail(ctx, w.customer.Email.Address, true)
		require.NoError(t, err, "GetByEmail sees the transaction's customer")
		page, err := tx.Customers().List(ctx, storage.CustomerFilter{GroupID: w.group.ID}, storage.PageRequest{})
		require.NoError(t, err)
		assertIDs(t, []uuid.UUID{w.customer.ID}, customerIDs(page.Items), "List sees the transaction's membership")
		a, err := tx.Balances().GetAccount(ctx, w.account.ID)
		require.NoError(t, err)
		assertMoney(t, "Balance inside the transaction", w.posting.Amount, a.Balance)
		_, err = tx.Balances().PostingByKey(ctx, w.account.ID, w.posting.IdempotencyKey)
		require.NoError(t, err)

		up, err := tx.Customers().Update(ctx, w.customer.ID, func(c *customer.Customer) error {
			c.Note = "written in the transaction"
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, int64(2), up.Version)
		got, err = tx.Customers().Get(ctx, w.customer.ID)
		require.NoError(t, err)
		assert.Equal(t, "written in the transaction", got.Note, "reads see the transaction's updates")
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, "written in the transaction", e.getCustomer(w.customer.ID).Note)
}

func atomicCtxJoins(t *testing.T, e *env) {
	w := e.prepareWrites()
	want := &sentinel{"abort"}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, _ storage.Tx) error {
		// The Store's own repositories, called with fn's ctx, join the
		// transaction.
		if err := writeAll(ctx, e.store, w); err != nil {
			return err
		}
		_, err := e.store.Customers().Get(ctx, w.customer.ID)
		require.NoError(t, err, "a read with fn's ctx sees the transaction's writes")
		return want
	})
	requireSame(t, want, err)
	e.requireNoneOf(w)
}

func atomicCtxJoinsAndCommits(t *testing.T, e *env) {
	w := e.prepareWrites()
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := e.store.Customers().Create(ctx, w.customer); err != nil {
			return err
		}
		// tx sees what the Store's repositories wrote with ctx, and vice versa.
		if _, err := tx.Customers().Get(ctx, w.customer.ID); err != nil {
			return err
		}
		if _, err := tx.Balances().CreateAccount(ctx, w.account); err != nil {
			return err
		}
		if _, err := e.store.Balances().Post(ctx, w.posting); err != nil {
			return err
		}
		_, err := e.store.Groups().AddMember(ctx, w.group.ID, w.customer.ID)
		return err
	})
	require.NoError(t, err)
	e.requireAllOf(w)
}

func atomicNestedJoins(t *testing.T, e *env) {
	w := e.prepareWrites()
	want := &sentinel{"outer abort"}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, w.customer); err != nil {
			return err
		}
		err := e.store.Atomic(ctx, func(ctx context.Context, inner storage.Tx) error {
			if _, err := inner.Customers().Get(ctx, w.customer.ID); err != nil {
				return err // the nested transaction sees the outer one's writes
			}
			if _, err := inner.Balances().CreateAccount(ctx, w.account); err != nil {
				return err
			}
			_, err := inner.Balances().Post(ctx, w.posting)
			return err
		})
		if err != nil {
			return err
		}
		// Nothing was committed by the nested Atomic on its own: its writes
		// are part of this transaction.
		if _, err := tx.Groups().AddMember(ctx, w.group.ID, w.customer.ID); err != nil {
			return err
		}
		return want
	})
	requireSame(t, want, err)
	e.requireNoneOf(w)
}

func atomicNestedError(t *testing.T, e *env) {
	w := e.prepareWrites()
	want := &sentinel{"inner abort"}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, w.customer); err != nil {
			return err
		}
		return e.store.Atomic(ctx, func(ctx context.Context, inner storage.Tx) error {
			if _, err := inner.Balances().CreateAccount(ctx, w.account); err != nil {
				return err
			}
			if _, err := inner.Balances().Post(ctx, w.posting); err != nil {
				return err
			}
			if _, err := inner.Groups().AddMember(ctx, w.group.ID, w.customer.ID); err != nil {
				return err
			}
			return want
		})
	})
	requireSame(t, want, err)
	e.requireNoneOf(w)
}

// atomicNestedErrorHandled: an enclosing fn that handles a nested Atomic's
// error and carries on commits its own writes, never the failed nested
// Atomic's.
func atomicNestedErrorHandled(t *testing.T, e *env) {
	w := e.prepareWrites()
	inner := &sentinel{"inner abort"}
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, w.customer); err != nil {
			return err
		}
		err := e.store.Atomic(ctx, func(ctx context.Context, nested storage.Tx) error {
			if _, err := nested.Balances().CreateAccount(ctx, w.account); err != nil {
				return err
			}
			if _, err := nested.Balances().Post(ctx, w.posting); err != nil {
				return err
			}
			if _, err := nested.Customers().Update(ctx, w.customer.ID, func(c *customer.Customer) error {
				c.Note = "written by the failed nested Atomic"
				return nil
			}); err != nil {
				return err
			}
			return inner
		})
		requireSame(t, inner, err)
		// The transaction is usable after the nested failure, and does not
		// see the nested writes any more.
		_, err = tx.Balances().GetAccount(ctx, w.account.ID)
		requireNotFound(t, err, "the nested account is undone inside the transaction")
		_, err = tx.Groups().AddMember(ctx, w.group.ID, w.customer.ID)
		return err
	})
	require.NoError(t, err)
	got, err := e.store.Customers().Get(e.ctx, w.customer.ID)
	require.NoError(t, err, "the outer write committed")
	assert.Empty(t, got.Note, "the nested update was undone")
	_, err = e.store.Balances().GetAccount(e.ctx, w.account.ID)
	requireNotFound(t, err, "the nested account was undone")
	_, err = e.store.Balances().PostingByKey(e.ctx, w.account.ID, w.posting.IdempotencyKey)
	requireNotFound(t, err, "the nested posting was undone")
	assertIDs(t, []uuid.UUID{w.group.ID}, e.memberOf(w.customer.ID, w.group.ID), "the outer membership committed")
}

// atomicNestedPanicRecovered: a nested Atomic whose fn panics undoes its
// writes even when the enclosing fn recovers and commits.
func atomicNestedPanicRecovered(t *testing.T, e *env) {
	w := e.prepareWrites()
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, w.customer); err != nil {
			return err
		}
		func() {
			defer func() { _ = recover() }()
			_ = e.store.Atomic(ctx, func(ctx context.Context, nested storage.Tx) error {
				if _, err := nested.Balances().CreateAccount(ctx, w.account); err != nil {
					return err
				}
				panic("nested fn panics")
			})
		}()
		return nil
	})
	require.NoError(t, err)
	e.getCustomer(w.customer.ID) // the enclosing write committed
	_, err = e.store.Balances().GetAccount(e.ctx, w.account.ID)
	requireNotFound(t, err, "the panicking nested Atomic's account was undone")
}

// atomicIgnoredFailedCall: a repository call that fails halfway through its
// change (here an address book update that removes an entry and then adds
// one whose ID another customer's entry holds) never commits half of it,
// even when fn ignores the error: either the call wrote nothing and the
// transaction commits the rest, or the transaction is lost and Atomic
// returns the error.
func atomicIgnoredFailedCall(t *testing.T, e *env) {
	a := e.newCustomer()
	b := e.newCustomer()
	aBook := e.addEntries(a.ID, "Kept Street 1")
	bBook := e.addEntries(b.ID, "Other Street 2")
	note := e.registered()
	var updErr error
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.Addresses().UpdateBook(ctx, a.ID, func(book *address.Book) error {
			book.Entries = nil // remove the kept entry ...
			taken := bBook.Entries[0]
			taken.CustomerID = a.ID // ... and add one with b's entry's ID
			book.Entries = append(book.Entries, taken)
			return nil
		})
		if updErr = err; err == nil {
			return errors.New("UpdateBook took another customer's address ID")
		}
		// fn ignores the failure and goes on.
		_, _ = tx.Customers().Create(ctx, note)
		return nil
	})
	requireConflict(t, updErr, storage.ConstraintPrimaryKey)
	assert.Equal(t, aBook, e.book(a.ID), "the failed call left the book as it was")
	assert.Equal(t, bBook, e.book(b.ID), "the other customer's book is untouched")
	if err == nil {
		e.getCustomer(note.ID) // the transaction committed what fn did after the failure
	} else {
		_, gerr := e.store.Customers().Get(e.ctx, note.ID)
		requireNotFound(t, gerr, "the lost transaction was rolled back: %v", err)
	}
}

// atomicNestedHalfwayFailure: the same halfway failure inside a nested Atomic,
// whose error the enclosing fn handles: the savepoint undoes it and the
// contract says the enclosing fn may carry on and commit.
func atomicNestedHalfwayFailure(t *testing.T, e *env) {
	a := e.newCustomer()
	b := e.newCustomer()
	aBook := e.addEntries(a.ID, "Kept Street 1")
	bBook := e.addEntries(b.ID, "Other Street 2")
	note := e.registered()
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		nerr := e.store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			_, err := tx.Addresses().UpdateBook(ctx, a.ID, func(book *address.Book) error {
				book.Entries = nil
				taken := bBook.Entries[0]
				taken.CustomerID = a.ID
				book.Entries = append(book.Entries, taken)
				return nil
			})
			return err
		})
		if !errors.Is(nerr, storage.ErrConflict) {
			return fmt.Errorf("the nested UpdateBook should conflict on the taken entry ID, got %v", nerr)
		}
		_, err := tx.Customers().Create(ctx, note)
		return err
	})
	require.NoError(t, err, "the nested Atomic failed and was undone; the enclosing fn carried on")
	assert.Equal(t, aBook, e.book(a.ID))
	e.getCustomer(note.ID)
}
