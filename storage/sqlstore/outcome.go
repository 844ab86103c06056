package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/clientele-go/clientele/storage"
)

// kind classifies err: the dialect's classification, and a lost
// connection wherever the error shows one (the dialect may know only its
// engine's codes).
func (s *Store) kind(err error) ErrorKind {
	k := s.dialect.Classify(err)
	if k == ErrOther && connLost(err) {
		return ErrConnLost
	}
	return k
}

// connLost reports whether err shows a connection that broke: the
// database/sql convention driver.ErrBadConn, an unexpected EOF, or a
// network error.
func connLost(err error) bool {
	var op *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) || errors.As(err, &op)
}

// retryable reports whether a failure of kind k, known not to have
// changed anything, may go away when the work runs again.
func retryable(k ErrorKind) bool { return k == ErrRetry || k == ErrBusy || k == ErrConnLost }

// retryableBeforeCommit is retryable for the failure of a statement inside
// a transaction whose COMMIT was not sent: ErrRetryStatement too.
func retryableBeforeCommit(k ErrorKind) bool { return retryable(k) || k == ErrRetryStatement }

// retry runs once until it succeeds or reports that running it again
// cannot help, with exponential backoff and full jitter between runs,
// bounded by ctx, WithRetries and, for busy databases, WithLockTimeout.
func (s *Store) retry(ctx context.Context, once func() (err error, again bool)) error {
	start := time.Now()
	for attempt := 0; ; attempt++ {
		err, again := once()
		if err == nil || !again || attempt >= s.opts.maxRetries {
			return err
		}
		if s.kind(err) == ErrBusy && s.opts.lockTimeout > 0 {
			if waited := time.Since(start); waited >= s.opts.lockTimeout {
				return lockTimeout(waited, err)
			}
		}
		if werr := s.wait(ctx, attempt); werr != nil {
			return fmt.Errorf("%w (giving up retrying: %w)", err, werr)
		}
	}
}

// lockTimeout is the error of a call that found the database busy for
// longer than the lock timeout.
func lockTimeout(waited time.Duration, err error) error {
	return fmt.Errorf("sqlstore: the database stayed busy for %v: %w: %w", waited.Round(time.Millisecond), storage.ErrLockTimeout, err)
}

// notCommitted is the error of a transaction that failed with err before
// its COMMIT was sent (t is its state, nil when BEGIN failed), so nothing
// of it is stored. When ctx has ended, the error wraps ctx.Err() and is
// final; otherwise again reports whether running the transaction again may
// succeed: err, or what lost the transaction, is a serialization failure,
// a deadlock, a busy database or a lost connection.
func (s *Store) notCommitted(ctx context.Context, err error, t *txState) (_ error, again bool) {
	if cerr := ctx.Err(); cerr != nil {
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (rolled back, nothing committed: %w)", err, cerr)
		}
		return err, false
	}
	if retryableBeforeCommit(s.kind(err)) {
		return err, true
	}
	return err, t != nil && t.lost != nil && retryableBeforeCommit(s.kind(t.lost))
}

// commitFailed is the error of a COMMIT that failed with err, and whether
// the transaction may run again. The outcome is known only when COMMIT was
// never sent (database/sql had rolled the transaction back when ctx ended)
// or the database answered it with a refusal (a serialization failure,
// deadlock, busy database or constraint checked at commit): nothing is
// stored. A lost connection, a ctx that ended while COMMIT ran, or any
// other error leaves the outcome unknown: the error wraps
// storage.ErrCommitUnknown, err and (when it ended) ctx.Err(), and the
// transaction is not run again.
func (s *Store) commitFailed(ctx context.Context, err error) (_ error, again bool) {
	cerr := ctx.Err()
	if errors.Is(err, sql.ErrTxDone) { // COMMIT was never sent
		if cerr != nil {
			return fmt.Errorf("sqlstore: transaction rolled back, nothing committed: %w (%w)", cerr, err), false
		}
		return fmt.Errorf("sqlstore: commit: nothing committed: %w", err), false
	}
	if cerr == nil {
		switch k := s.kind(err); k {
		case ErrRetry, ErrBusy:
			return fmt.Errorf("sqlstore: commit: %w", err), true
		case ErrUnique, ErrForeignKey, ErrCheck:
			return fmt.Errorf("sqlstore: commit refused, nothing committed: %w", err), false
		}
		return fmt.Errorf("sqlstore: commit: %w: %w", storage.ErrCommitUnknown, err), false
	}
	return fmt.Errorf("sqlstore: commit: %w: %w (%w)", storage.ErrCommitUnknown, err, cerr), false
}

// singleFailed is the error of a one-statement write outside any
// transaction (a transaction of its own) that failed with err, and whether
// running it again is safe and may succeed. A serialization failure,
// deadlock or busy database means the statement did not happen; so does
// driver.ErrBadConn, which by database/sql's convention a driver returns
// only when the database cannot have run the statement. Any other lost
// connection, or a ctx that ended while the statement ran, leaves its
// outcome unknown: the error wraps storage.ErrCommitUnknown.
func (s *Store) singleFailed(ctx context.Context, err error) (_ error, again bool) {
	k := s.kind(err)
	cerr := ctx.Err()
	switch {
	case cerr != nil && (k == ErrConnLost || errors.Is(err, cerr)):
		return fmt.Errorf("%w: %w (%w)", storage.ErrCommitUnknown, err, cerr), false
	case cerr != nil:
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%w)", err, cerr)
		}
		return err, false
	case k == ErrConnLost && !errors.Is(err, driver.ErrBadConn):
		return fmt.Errorf("%w: %w", storage.ErrCommitUnknown, err), false
	}
	return err, retryable(k)
}
