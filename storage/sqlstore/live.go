package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/storage"
)

// Under the lock, check again: a write to a customer's data first locks the
// customer's row and reads there whether the customer is live. A locking
// read sees the latest committed row (a plain one may return the
// transaction's snapshot: InnoDB at REPEATABLE READ), and the lock keeps a
// concurrent delete or erasure, which updates that row, from committing in
// between; so a write either sees the deletion or commits before it.

// lockCustomer locks the customer's row with lock (the dialect's ForUpdate
// or ForShare) and reports whether the customer is live. A customer that
// does not exist is an error wrapping storage.ErrCustomerNotLive.
func (c conn) lockCustomer(ctx context.Context, id uuid.UUID, lock string) (live bool, err error) {
	var deleted sql.NullInt64
	err = c.queryRow(ctx, `SELECT deleted_at FROM {{prefix}}customers WHERE id = ?`+lock, id.String()).Scan(&deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return false, customerNotLive(id)
	}
	if err != nil {
		return false, err
	}
	return !deleted.Valid, nil
}

// lockLiveCustomer is lockCustomer for a write that needs a live customer:
// a deleted one is an error wrapping storage.ErrCustomerNotLive as well.
func (c conn) lockLiveCustomer(ctx context.Context, id uuid.UUID, lock string) error {
	live, err := c.lockCustomer(ctx, id, lock)
	if err == nil && !live {
		err = customerNotLive(id)
	}
	return err
}

// customerNotLive is the error of a write to the data of a customer that
// does not exist or is deleted.
func customerNotLive(id uuid.UUID) error {
	return fmt.Errorf("customer %v: %w", id, storage.ErrCustomerNotLive)
}
