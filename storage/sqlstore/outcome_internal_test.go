package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clientele-go/clientele/storage"
)

// kindDialect classifies every error as one kind.
type kindDialect struct {
	Dialect
	kind ErrorKind
}

func (d kindDialect) Classify(error) ErrorKind { return d.kind }

// TestRetryStatementOnlyBeforeCommit: an ErrRetryStatement failure runs the
// transaction again when a statement before COMMIT reported it, and never
// when the COMMIT or a statement outside a transaction (which commits
// itself) did: their outcome is unknown.
func TestRetryStatementOnlyBeforeCommit(t *testing.T) {
	s := &Store{dialect: kindDialect{kind: ErrRetryStatement}}
	ctx := context.Background()
	cause := errors.New("pessimistic lock retry limit reached")

	if _, again := s.notCommitted(ctx, fmt.Errorf("insert: %w", cause), nil); !again {
		t.Error("a statement's failure before COMMIT: the transaction should run again")
	}
	err, again := s.commitFailed(ctx, cause)
	if again || !errors.Is(err, storage.ErrCommitUnknown) {
		t.Errorf("at COMMIT: again = %v, err = %v; want no retry and ErrCommitUnknown", again, err)
	}
	if _, again := s.singleFailed(ctx, cause); again {
		t.Error("a statement outside a transaction commits itself: it must not run again")
	}

	plain := &Store{dialect: kindDialect{kind: ErrOther}}
	if _, again := plain.notCommitted(ctx, cause, nil); again {
		t.Error("an unclassified error is not retried")
	}
}
