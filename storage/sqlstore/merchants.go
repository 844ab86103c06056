package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/storage"
)

type merchants struct{ base }

const merchantColumns = `id, name, billing_address, metadata, created_at, updated_at, version`

var merchantConstraints = map[string]storage.Constraint{
	"merchants_pkey": storage.ConstraintPrimaryKey,
}

// storedAddress is the JSON of the billing_address column: address.Address's
// fields under their Go names, the form every release has written. It is
// not address.Address's own JSON (snake_case, for hosts' APIs), so that rows
// written before Address had json tags still decode and the API's names can
// change without a data migration. Converting from address.Address stops
// compiling when Address gains a field, which then needs a decision here.
type storedAddress struct {
	FirstName, LastName, Company, Line1, Line2, City, PostalCode, Province, Country, Phone string
}

// merchantArgs returns m's column values in merchantColumns order.
func merchantArgs(m merchant.Merchant) ([]any, error) {
	addr, err := jsonText(storedAddress(m.BillingAddress))
	if err != nil {
		return nil, err
	}
	meta, err := jsonText(nonNilMap(m.Metadata))
	if err != nil {
		return nil, err
	}
	return []any{
		m.ID.String(), m.Name, addr, meta, micros(m.CreatedAt), micros(m.UpdatedAt), m.Version,
	}, nil
}

// scanMerchant reads merchantColumns from a single row.
func scanMerchant(r scanner) (merchant.Merchant, error) { return newMerchantRow().scan(r) }

// merchantRow holds what scanning merchantColumns writes into; a list
// scans every row into one (see customerRow). The billing address and the
// metadata are decoded by jsoncols.go.
type merchantRow struct {
	m                merchant.Merchant
	addr             storedAddress
	created, updated int64
	dest             []any
}

func newMerchantRow() *merchantRow {
	r := &merchantRow{}
	m := &r.m
	r.dest = []any{scanUUID{&m.ID}, &m.Name, jsonStoredAddress{&r.addr}, jsonStringMap{&m.Metadata}, &r.created, &r.updated, &m.Version}
	return r
}

// scan reads the next row of s.
func (r *merchantRow) scan(s scanner) (merchant.Merchant, error) {
	r.m, r.addr = merchant.Merchant{}, storedAddress{}
	if err := s.Scan(r.dest...); err != nil {
		return merchant.Merchant{}, err
	}
	m := r.m
	m.BillingAddress = address.Address(r.addr)
	m.CreatedAt, m.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	return m, nil
}

const insertMerchant = `INSERT INTO {{prefix}}merchants (` + merchantColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?)`

func (r merchants) Create(ctx context.Context, m merchant.Merchant) (merchant.Merchant, error) {
	m, err := storage.NewMerchant(m)
	if err != nil {
		return merchant.Merchant{}, err
	}
	args, err := merchantArgs(m)
	if err != nil {
		return merchant.Merchant{}, err
	}
	err = r.conn(ctx).single(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertMerchant), args...)
		if err != nil {
			return cn.uniqueConflict(err, merchantConstraints, nil)
		}
		if n == 0 { // the ID is the only unique key
			return storage.Conflict(storage.ConstraintPrimaryKey, nil)
		}
		return nil
	})
	if err != nil {
		return merchant.Merchant{}, err
	}
	return m.Clone(), nil
}

func (r merchants) Get(ctx context.Context, id uuid.UUID) (merchant.Merchant, error) {
	return read(ctx, r.conn(ctx), func() (merchant.Merchant, error) {
		m, err := scanMerchant(r.conn(ctx).queryRow(ctx,
			`SELECT `+merchantColumns+` FROM {{prefix}}merchants WHERE id = ?`, id.String()))
		return m, noRows(err, "merchant", id)
	})
}

const updateMerchant = `UPDATE {{prefix}}merchants SET name = ?, billing_address = ?, metadata = ?, created_at = ?,
	updated_at = ?, version = ? WHERE id = ?`

func (r merchants) Update(ctx context.Context, id uuid.UUID, fn func(*merchant.Merchant) error) (merchant.Merchant, error) {
	var out merchant.Merchant
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanMerchant(cn.queryRow(ctx, `SELECT `+merchantColumns+` FROM {{prefix}}merchants
			WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "merchant", id)
		}
		m, err := storage.UpdateMerchant(old, fn)
		if err != nil {
			return err
		}
		args, err := merchantArgs(m)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateMerchant, append(args[1:], m.ID.String())...); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return merchant.Merchant{}, err
	}
	return out.Clone(), nil
}

func (r merchants) Delete(ctx context.Context, id uuid.UUID) error {
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		if err := cn.lockMerchant(ctx, id); err != nil {
			return err
		}
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}markets WHERE merchant_id = ? LIMIT 1`, id.String()).Scan(&one)
		if err == nil {
			return storage.Conflict(storage.ConstraintMerchantMarkets, nil)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := cn.dropMerchantRoles(ctx, id); err != nil {
			return err
		}
		if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}merchants WHERE id = ?`, id.String()); err != nil {
			if cn.s.dialect.Classify(err) == ErrForeignKey {
				return storage.Conflict(storage.ConstraintMerchantMarkets, err)
			}
			return err
		}
		return nil
	})
}

// lockMerchant reads the merchant's row for update, so that it stays while
// the transaction refers to it; ErrNotFound when there is none.
func (c conn) lockMerchant(ctx context.Context, id uuid.UUID) error {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}merchants WHERE id = ?`+c.s.dialect.ForUpdate(), id.String()).Scan(&one)
	return noRows(err, "merchant", id)
}

func (r merchants) List(ctx context.Context, p storage.PageRequest) (storage.Page[merchant.Merchant], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[merchant.Merchant], error) {
		var page storage.Page[merchant.Merchant]
		at, key, after, err := timeCursor(storage.ListMerchants, p)
		if err != nil {
			return page, err
		}
		q := `SELECT ` + merchantColumns + ` FROM {{prefix}}merchants`
		var args []any
		if after {
			q += ` WHERE ` + keysetAfter("created_at", "id")
			args = append(args, at, at, key)
		}
		size, limit := pageSize(p)
		q += ` ORDER BY created_at, id LIMIT ` + itoa(limit)
		rows, err := r.conn(ctx).query(ctx, q, args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), newMerchantRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(m merchant.Merchant) storage.Cursor {
			return timeCursorOf(storage.ListMerchants, m.CreatedAt, m.ID)
		}), nil
	})
}
