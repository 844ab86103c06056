package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/storage"
)

type groups struct{ base }

const groupColumns = `id, name, name_key, description, metadata, created_at, updated_at, version, owner_merchant_id`

var groupConstraints = map[string]storage.Constraint{
	"groups_pkey":     storage.ConstraintPrimaryKey,
	"groups_name_key": storage.ConstraintGroupName,
}

// groupArgs returns g's column values in groupColumns order.
func groupArgs(g group.Group) ([]any, error) {
	meta, err := jsonText(nonNilMap(g.Metadata))
	if err != nil {
		return nil, err
	}
	return []any{
		g.ID.String(), g.Name, g.Key(), g.Description, meta,
		micros(g.CreatedAt), micros(g.UpdatedAt), g.Version, nullUUID(g.OwnerMerchantID),
	}, nil
}

// scanGroup reads groupColumns from a single row.
func scanGroup(r scanner) (group.Group, error) { return newGroupRow().scan(r) }

// groupRow holds what scanning groupColumns writes into; a list scans
// every row into one (see customerRow). name_key is dropped unread.
type groupRow struct {
	g                group.Group
	created, updated int64
	dest             []any
}

func newGroupRow() *groupRow {
	r := &groupRow{}
	g := &r.g
	r.dest = []any{scanUUID{&g.ID}, &g.Name, discard{} /* name_key */, &g.Description, jsonStringMap{&g.Metadata},
		&r.created, &r.updated, &g.Version, scanUUID{&g.OwnerMerchantID}}
	return r
}

// scan reads the next row of s.
func (r *groupRow) scan(s scanner) (group.Group, error) {
	r.g = group.Group{}
	if err := s.Scan(r.dest...); err != nil {
		return group.Group{}, err
	}
	g := r.g
	g.CreatedAt, g.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	return g, nil
}

const insertGroup = `INSERT INTO {{prefix}}groups (` + groupColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r groups) Create(ctx context.Context, g group.Group) (group.Group, error) {
	g, err := storage.NewGroup(g)
	if err != nil {
		return group.Group{}, err
	}
	args, err := groupArgs(g)
	if err != nil {
		return group.Group{}, err
	}
	// One transaction (with retries) for the insert and the diagnosis of a
	// conflict: under SERIALIZABLE a concurrent insert of the same key is a
	// serialization failure, and the retry then sees the winner's row.
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		if g.OwnerMerchantID != uuid.Nil {
			// The owner must exist: a shared lock keeps it until commit
			// (a merchant's deletion leaves its groups with its ID, unreachable through Vendors).
			var one int
			err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}merchants WHERE id = ?`+cn.s.dialect.ForShare(),
				g.OwnerMerchantID.String()).Scan(&one)
			if err != nil {
				return noRows(err, "merchant", g.OwnerMerchantID)
			}
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertGroup), args...)
		if err != nil {
			return cn.uniqueConflict(err, groupConstraints, nil)
		}
		if n == 0 {
			con, err := cn.diagnoseGroup(ctx, g)
			if err != nil {
				return err
			}
			if con == "" {
				con = storage.ConstraintPrimaryKey
			}
			return storage.Conflict(con, nil)
		}
		return nil
	})
	if err != nil {
		return group.Group{}, err
	}
	return g.Clone(), nil
}

// diagnoseGroup returns the constraint that stops g from being stored, or ""
// when neither its ID nor its name key is taken.
func (c conn) diagnoseGroup(ctx context.Context, g group.Group) (storage.Constraint, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}groups WHERE id = ?`+c.s.dialect.ForShare(), g.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintPrimaryKey, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return c.groupNameTaken(ctx, g)
}

// groupNameTaken returns ConstraintGroupName when another group holds g's
// name key, or "".
func (c conn) groupNameTaken(ctx context.Context, g group.Group) (storage.Constraint, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}groups WHERE name_key = ? AND id <> ?`+c.s.dialect.ForShare(),
		g.Key(), g.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintGroupName, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return "", nil
}

func (r groups) Get(ctx context.Context, id uuid.UUID) (group.Group, error) {
	return read(ctx, r.conn(ctx), func() (group.Group, error) {
		g, err := scanGroup(r.conn(ctx).queryRow(ctx,
			`SELECT `+groupColumns+` FROM {{prefix}}groups WHERE id = ?`, id.String()))
		return g, noRows(err, "group", id)
	})
}

func (r groups) GetByName(ctx context.Context, name string) (group.Group, error) {
	if err := storage.CheckKey("name", name); err != nil {
		return group.Group{}, err
	}
	return read(ctx, r.conn(ctx), func() (group.Group, error) {
		g, err := scanGroup(r.conn(ctx).queryRow(ctx,
			`SELECT `+groupColumns+` FROM {{prefix}}groups WHERE name_key = ?`, group.NameKey(name)))
		if errors.Is(err, sql.ErrNoRows) {
			return group.Group{}, fmt.Errorf("group named %s: %w", storage.Quote(name), storage.ErrNotFound)
		}
		return g, err
	})
}

const updateGroup = `UPDATE {{prefix}}groups SET name = ?, name_key = ?, description = ?, metadata = ?,
	created_at = ?, updated_at = ?, version = ?, owner_merchant_id = ? WHERE id = ?`

func (r groups) Update(ctx context.Context, id uuid.UUID, fn func(*group.Group) error) (group.Group, error) {
	var out group.Group
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanGroup(cn.queryRow(ctx, `SELECT `+groupColumns+` FROM {{prefix}}groups
			WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "group", id)
		}
		g, err := storage.UpdateGroup(old, fn)
		if err != nil {
			return err
		}
		// Check the name key first when it changes, so that the usual
		// conflict is reported without a failed statement; the unique
		// constraint still decides races.
		if g.Key() != old.Key() {
			if con, err := cn.groupNameTaken(ctx, g); err != nil {
				return err
			} else if con != "" {
				return storage.Conflict(con, nil)
			}
		}
		args, err := groupArgs(g)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateGroup, append(args[1:], g.ID.String())...); err != nil {
			return cn.uniqueConflict(err, groupConstraints, func() (storage.Constraint, error) {
				return cn.groupNameTaken(ctx, g)
			})
		}
		out = g
		return nil
	})
	if err != nil {
		return group.Group{}, err
	}
	return out.Clone(), nil
}

func (r groups) Delete(ctx context.Context, id uuid.UUID) error {
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		if err := cn.lockGroup(ctx, id); err != nil {
			return err
		}
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}market_groups WHERE group_id = ? LIMIT 1`+cn.s.dialect.ForShare(), id.String()).Scan(&one)
		if err == nil {
			return storage.Conflict(storage.ConstraintMarketAccessGroup, nil)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}memberships WHERE group_id = ?`, id.String()); err != nil {
			return err
		}
		if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}groups WHERE id = ?`, id.String()); err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return storage.Conflict(storage.ConstraintMarketAccessGroup, err)
			}
			return err
		}
		return nil
	})
}

// lockGroup reads the group's row for update, so that it stays while the
// transaction refers to it; ErrNotFound when there is none.
func (c conn) lockGroup(ctx context.Context, id uuid.UUID) error {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}groups WHERE id = ?`+c.s.dialect.ForUpdate(), id.String()).Scan(&one)
	return noRows(err, "group", id)
}

func (r groups) List(ctx context.Context, f storage.GroupFilter, p storage.PageRequest) (storage.Page[group.Group], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[group.Group], error) {
		var page storage.Page[group.Group]
		at, key, after, err := timeCursor(storage.ListGroups, p)
		if err != nil {
			return page, err
		}
		cn := r.conn(ctx)
		// With a member, walk the membership index, whose (group_created_at,
		// group_id) mirror the group's (created_at, id).
		orderAt, orderID := "g.created_at", "g.id"
		var q strings.Builder
		var args []any
		q.WriteString(`SELECT ` + qualify(groupColumns, "g") + ` FROM {{prefix}}groups g`)
		if f.MemberID != uuid.Nil {
			q.WriteString(` JOIN {{prefix}}memberships m ON m.group_id = g.id AND m.customer_id = ?`)
			args = append(args, f.MemberID.String())
			if !f.MemberAt.IsZero() {
				q.WriteString(` AND ` + memberValidAt("m."))
				args = append(args, micros(f.MemberAt), micros(f.MemberAt))
			}
			orderAt, orderID = "m.group_created_at", "m.group_id"
		}
		if after {
			q.WriteString(` WHERE ` + keysetAfter(orderAt, orderID))
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		q.WriteString(` ORDER BY ` + orderAt + `, ` + orderID + ` LIMIT ` + itoa(limit))
		rows, err := cn.query(ctx, q.String(), args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), newGroupRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(g group.Group) storage.Cursor { return timeCursorOf(storage.ListGroups, g.CreatedAt, g.ID) }), nil
	})
}

// insertMembership adds a membership in one statement: it copies the
// group's and the live customer's creation times (the membership's indexes
// mirror them for the lists), and inserts nothing when either is missing or
// the membership exists. Its read is a locking one (the dialect's ForShare
// is appended): it sees the latest committed rows, not a snapshot, and
// holds the group and the customer against deletion until the statement's
// transaction ends, so the membership is never added for a customer deleted
// meanwhile.
const insertMembership = `INSERT INTO {{prefix}}memberships (group_id, customer_id, group_created_at, customer_created_at)
	SELECT g.id, c.id, g.created_at, c.created_at FROM {{prefix}}groups g
	JOIN {{prefix}}customers c ON c.id = ? AND c.deleted_at IS NULL WHERE g.id = ?`

func (r groups) AddMember(ctx context.Context, groupID, customerID uuid.UUID) (bool, error) {
	var added bool
	err := r.conn(ctx).single(ctx, func(cn conn) (err error) {
		added, err = cn.addMember(ctx, groupID, customerID)
		return err
	})
	if err != nil {
		return false, err
	}
	return added, nil
}

var _ storage.MemberVersions = groups{}

// AddMemberVersion implements storage.MemberVersions: in one statement
// where the dialect chains writes (addMemberReturningVersion), else
// AddMember's statement and a read of the version, under the lock that
// statement took on the group.
func (r groups) AddMemberVersion(ctx context.Context, groupID, customerID uuid.UUID) (bool, int64, error) {
	var (
		added   bool
		version int64
		refused error // the customer's refusal, which keeps the transaction going
	)
	err := r.conn(ctx).atomic(ctx, func(cn conn) (err error) {
		added, version, refused = false, 0, nil // fresh on every (re)run
		if c, ok := cn.s.dialect.(ChainedWrites); ok && c.ChainedWrites() {
			var n int64
			err = cn.queryRow(ctx, addMemberReturningVersion, groupID.String(), customerID.String()).Scan(&version, &n)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return notFound("group", groupID)
			case err != nil:
				return err
			case n > 0:
				added = true
				return nil
			}
			// A missing or deleted customer, or an existing membership.
			refused = cn.lockLiveCustomer(ctx, customerID, cn.s.dialect.ForShare())
		} else {
			added, err = cn.addMember(ctx, groupID, customerID)
			switch {
			case errors.Is(err, storage.ErrCustomerNotLive):
				refused = err
			case err != nil:
				return err
			}
			// The membership's statement (or its diagnosis) locked the group.
			err = cn.queryRow(ctx, `SELECT version FROM {{prefix}}groups WHERE id = ?`+cn.s.dialect.ForShare(),
				groupID.String()).Scan(&version)
			if err != nil {
				return noRows(err, "group", groupID)
			}
		}
		if refused != nil && !errors.Is(refused, storage.ErrCustomerNotLive) {
			return refused
		}
		return nil
	})
	if err != nil {
		return false, 0, err
	}
	return added, version, refused
}

// addMemberReturningVersion is insertMembership, for dialects that chain
// writes, returning one row when the group exists: its version and the
// number of memberships inserted (args: group ID, customer ID). It locks
// the group and the customer as insertMembership does.
const addMemberReturningVersion = `WITH g AS (SELECT id, created_at, version FROM {{prefix}}groups WHERE id = ? FOR SHARE),
	m AS (INSERT INTO {{prefix}}memberships (group_id, customer_id, group_created_at, customer_created_at)
		SELECT g.id, c.id, g.created_at, c.created_at FROM g JOIN {{prefix}}customers c ON c.id = ? AND c.deleted_at IS NULL
		FOR SHARE OF c ON CONFLICT DO NOTHING RETURNING 1)
	SELECT g.version, (SELECT count(*) FROM m) FROM g`

// addMember adds a membership without a window, unless there is one, and
// reports whether it did.
func (cn conn) addMember(ctx context.Context, groupID, customerID uuid.UUID) (bool, error) {
	n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertMembership+cn.s.dialect.ForShare()),
		customerID.String(), groupID.String())
	if err != nil {
		if cn.s.dialect.Classify(err) == ErrForeignKey { // deleted since the SELECT read it
			return false, fmt.Errorf("group %v or customer %v: %w", groupID, customerID, errors.Join(storage.ErrNotFound, err))
		}
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	// Nothing inserted: a missing group, a missing or deleted
	// customer, or an existing membership.
	var one int
	lock := cn.s.dialect.ForShare() // see the latest rows (see diagnoseAccount)
	err = cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}groups WHERE id = ?`+lock, groupID.String()).Scan(&one)
	if err != nil {
		return false, noRows(err, "group", groupID)
	}
	return false, cn.lockLiveCustomer(ctx, customerID, lock)
}

func (r groups) RemoveMember(ctx context.Context, groupID, customerID uuid.UUID) (bool, error) {
	var removed bool
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}groups WHERE id = ?`, groupID.String()).Scan(&one)
		if err != nil {
			return noRows(err, "group", groupID)
		}
		n, err := cn.exec(ctx, `DELETE FROM {{prefix}}memberships WHERE group_id = ? AND customer_id = ?`,
			groupID.String(), customerID.String())
		if err != nil {
			return err
		}
		removed = n > 0
		return nil
	})
	if err != nil {
		return false, err
	}
	return removed, nil
}

// memberOfChunk bounds the number of IDs in one IN list.
const memberOfChunk = 512

func (r groups) MemberOf(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID) ([]uuid.UUID, error) {
	return r.MemberOfAt(ctx, customerID, groupIDs, time.Time{})
}

// MemberOfAt is MemberOf with the memberships' windows checked at at,
// unless at is zero.
func (r groups) MemberOfAt(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID, at time.Time) ([]uuid.UUID, error) {
	if err := storage.CheckIDs("groupIDs", groupIDs); err != nil {
		return nil, err
	}
	return read(ctx, r.conn(ctx), func() ([]uuid.UUID, error) {
		ids := slices.Clone(groupIDs)
		slices.SortFunc(ids, compareUUIDs)
		ids = slices.Compact(ids)
		cn := r.conn(ctx)
		var out []uuid.UUID
		for chunk := range slices.Chunk(ids, memberOfChunk) {
			// Pad the list to a power of two by repeating its last ID, so that
			// few distinct statements are prepared.
			n := 1
			for n < len(chunk) {
				n *= 2
			}
			args := make([]any, 0, n+3)
			args = append(args, customerID.String())
			for i := range n {
				args = append(args, chunk[min(i, len(chunk)-1)].String())
			}
			window := ""
			if !at.IsZero() {
				window = ` AND ` + memberValidAt("")
				args = append(args, micros(at), micros(at))
			}
			rows, err := cn.query(ctx, `SELECT group_id FROM {{prefix}}memberships WHERE customer_id = ? AND group_id IN (`+
				strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+`)`+window, args...)
			if err != nil {
				return nil, err
			}
			ids, err := collect(rows, 0, func(r scanner) (uuid.UUID, error) {
				var id uuid.UUID
				err := r.Scan(scanUUID{&id})
				return id, err
			})
			if err != nil {
				return nil, err
			}
			out = append(out, ids...)
		}
		slices.SortFunc(out, compareUUIDs)
		return out, nil
	})
}

// compareUUIDs orders UUIDs by their bytes.
func compareUUIDs(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) }
