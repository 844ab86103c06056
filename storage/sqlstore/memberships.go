package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

// memberValidAt is the condition that a membership's window, in the
// columns of the table qualified by q ("m." or ""), contains a time passed
// twice as a parameter (the service's clock, never the database's).
func memberValidAt(q string) string {
	return `(` + q + `valid_from IS NULL OR ` + q + `valid_from <= ?) AND (` + q + `valid_until IS NULL OR ` + q + `valid_until > ?)`
}

// windowArgs returns v's stored columns: NULL for a zero time.
func windowArgs(v group.Validity) []any {
	return []any{zeroNullMicros(v.From), zeroNullMicros(v.Until)}
}

// membershipWindow reads the membership's window with the given lock
// clause and reports whether the membership exists.
func (c conn) membershipWindow(ctx context.Context, groupID, customerID uuid.UUID, lock string) (group.Validity, bool, error) {
	var from, until sql.NullInt64
	err := c.queryRow(ctx, `SELECT valid_from, valid_until FROM {{prefix}}memberships WHERE group_id = ? AND customer_id = ?`+lock,
		groupID.String(), customerID.String()).Scan(&from, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return group.Validity{}, false, nil
	} else if err != nil {
		return group.Validity{}, false, err
	}
	var v group.Validity
	if from.Valid {
		v.From = fromMicros(from.Int64)
	}
	if until.Valid {
		v.Until = fromMicros(until.Int64)
	}
	return v, true, nil
}

const updateWindow = `UPDATE {{prefix}}memberships SET valid_from = ?, valid_until = ? WHERE group_id = ? AND customer_id = ?`

// setWindow stores the membership's window.
func (c conn) setWindow(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) error {
	_, err := c.exec(ctx, updateWindow, append(windowArgs(v), groupID.String(), customerID.String())...)
	return err
}

func notMember(groupID, customerID uuid.UUID) error {
	return fmt.Errorf("membership of customer %v in group %v: %w", customerID, groupID, storage.ErrNotFound)
}

func (r groups) AddMemberFor(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (bool, group.Validity, error) {
	if err := v.Validate(); err != nil {
		return false, group.Validity{}, err
	}
	v = v.Normalize()
	var (
		added  bool
		before group.Validity
	)
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		added, before = false, group.Validity{} // fresh on every (re)run
		old, found, err := cn.membershipWindow(ctx, groupID, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		if !found {
			if added, err = cn.addMember(ctx, groupID, customerID); err != nil {
				return err
			}
			if !added {
				// Added meanwhile: read it with the lock it is changed under.
				if old, found, err = cn.membershipWindow(ctx, groupID, customerID, cn.s.dialect.ForUpdate()); err != nil {
					return err
				} else if !found {
					return notMember(groupID, customerID)
				}
			}
		}
		if !added {
			// An existing membership: its customer must still be live,
			// as for a new one.
			if err := cn.lockLiveCustomer(ctx, customerID, cn.s.dialect.ForShare()); err != nil {
				return err
			}
			before = old
		}
		if v.Equal(before) {
			return nil
		}
		return cn.setWindow(ctx, groupID, customerID, v)
	})
	if err != nil {
		return false, group.Validity{}, err
	}
	return added, before, nil
}

func (r groups) SetMemberValidity(ctx context.Context, groupID, customerID uuid.UUID, v group.Validity) (group.Validity, error) {
	if err := v.Validate(); err != nil {
		return group.Validity{}, err
	}
	v = v.Normalize()
	var before group.Validity
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, found, err := cn.membershipWindow(ctx, groupID, customerID, cn.s.dialect.ForUpdate())
		if err != nil {
			return err
		}
		if !found {
			var one int
			if err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}groups WHERE id = ?`, groupID.String()).Scan(&one); err != nil {
				return noRows(err, "group", groupID)
			}
			return notMember(groupID, customerID)
		}
		before = old
		if v.Equal(old) {
			return nil
		}
		return cn.setWindow(ctx, groupID, customerID, v)
	})
	if err != nil {
		return group.Validity{}, err
	}
	return before, nil
}

func (r groups) Membership(ctx context.Context, groupID, customerID uuid.UUID) (group.Validity, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (group.Validity, error) {
		v, found, err := cn.membershipWindow(ctx, groupID, customerID, "")
		if err == nil && !found {
			err = notMember(groupID, customerID)
		}
		return v, err
	})
}

var _ storage.TimedMemberships = groups{}
