package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/storage"
)

type markets struct{ base }

const marketColumns = `id, merchant_id, code, name, business_model, currency, price_list_ref, inventory_model_ref,
	disabled, access_groups, metadata, created_at, updated_at, version, require_verified, tax_display`

var marketConstraints = map[string]storage.Constraint{
	"markets_pkey": storage.ConstraintPrimaryKey,
	"markets_code": storage.ConstraintMarketCode,
}

// marketArgs returns m's column values in marketColumns order.
func marketArgs(m market.Market) ([]any, error) {
	groups := m.AccessGroups
	if groups == nil {
		groups = []uuid.UUID{}
	}
	access, err := jsonText(groups)
	if err != nil {
		return nil, err
	}
	meta, err := jsonText(nonNilMap(m.Metadata))
	if err != nil {
		return nil, err
	}
	return []any{
		m.ID.String(), m.MerchantID.String(), m.Code, m.Name, m.BusinessModel.String(), m.Currency.Code(),
		m.PriceListRef, m.InventoryModelRef, m.Disabled, access, meta,
		micros(m.CreatedAt), micros(m.UpdatedAt), m.Version, m.RequireVerified, taxDisplayColumn(m.TaxDisplay),
	}, nil
}

// scanMarket reads marketColumns from a single row.
func scanMarket(r scanner) (market.Market, error) { return newMarketRow().scan(r) }

// marketRow holds what scanning marketColumns writes into; a list scans
// every row into one (see customerRow). The access groups and the
// metadata are decoded by jsoncols.go.
type marketRow struct {
	m                market.Market
	model, cur, tax  string
	created, updated int64
	dest             []any
}

func newMarketRow() *marketRow {
	r := &marketRow{}
	m := &r.m
	r.dest = []any{scanUUID{&m.ID}, scanUUID{&m.MerchantID}, &m.Code, &m.Name, &r.model, &r.cur,
		&m.PriceListRef, &m.InventoryModelRef, &m.Disabled, jsonUUIDs{&m.AccessGroups}, jsonStringMap{&m.Metadata},
		&r.created, &r.updated, &m.Version, &m.RequireVerified, &r.tax}
	return r
}

// scan reads the next row of s.
func (r *marketRow) scan(s scanner) (market.Market, error) {
	r.m = market.Market{}
	err := s.Scan(r.dest...)
	if err != nil {
		return market.Market{}, err
	}
	m := r.m
	if m.BusinessModel, err = market.ParseBusinessModel(r.model); err != nil {
		return market.Market{}, err
	}
	if r.cur != "" {
		if m.Currency, err = balance.ParseCurrency(r.cur); err != nil {
			return market.Market{}, err
		}
	}
	m.CreatedAt, m.UpdatedAt = fromMicros(r.created), fromMicros(r.updated)
	if m.TaxDisplay, err = parseTaxDisplayColumn(r.tax); err != nil {
		return market.Market{}, err
	}
	return m, nil
}

// taxDisplayColumn is the stored form of t in markets.tax_display: the
// default, market.TaxDisplayByCustomer, is the empty string (the column's
// default since migration 0019, so rows from before it and rows written
// now read alike), the others their names ("gross", "net").
func taxDisplayColumn(t market.TaxDisplay) string {
	if t == market.TaxDisplayByCustomer {
		return ""
	}
	return t.String()
}

// parseTaxDisplayColumn is the inverse of taxDisplayColumn; it also reads
// the default's name ("by_customer").
func parseTaxDisplayColumn(s string) (market.TaxDisplay, error) {
	if s == "" {
		return market.TaxDisplayByCustomer, nil
	}
	return market.ParseTaxDisplay(s)
}

const insertMarket = `INSERT INTO {{prefix}}markets (` + marketColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r markets) Create(ctx context.Context, m market.Market) (market.Market, error) {
	m, err := storage.NewMarket(m)
	if err != nil {
		return market.Market{}, err
	}
	args, err := marketArgs(m)
	if err != nil {
		return market.Market{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		// The merchant and the access groups must exist (and stay) before
		// the rows that refer to them are written: a failed foreign key
		// would abort a PostgreSQL transaction.
		if err := cn.checkMarketRefs(ctx, m, nil); err != nil {
			return err
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(insertMarket), args...)
		if err != nil {
			return cn.marketWriteError(ctx, err, m)
		}
		if n == 0 {
			con, err := cn.diagnoseMarket(ctx, m)
			if err != nil {
				return err
			}
			if con == "" {
				con = storage.ConstraintPrimaryKey
			}
			return storage.Conflict(con, nil)
		}
		return cn.insertMarketGroups(ctx, m.ID, m.AccessGroups)
	})
	if err != nil {
		return market.Market{}, err
	}
	return m.Clone(), nil
}

// checkMarketRefs checks what m refers to before it is stored, for a market
// that was old before (nil for a new one): its code must be free, and its
// merchant and every access group must exist. Of an updated market only what
// changes is checked. The rows referred to are locked, so that they stay
// until the transaction ends.
func (c conn) checkMarketRefs(ctx context.Context, m market.Market, old *market.Market) error {
	if old == nil || m.Code != old.Code {
		if con, err := c.marketCodeTaken(ctx, m); err != nil {
			return err
		} else if con != "" {
			return storage.Conflict(con, nil)
		}
	}
	if old == nil || m.MerchantID != old.MerchantID {
		if err := c.lockMerchant(ctx, m.MerchantID); err != nil {
			return err
		}
	}
	for _, gid := range m.AccessGroups {
		if old != nil && slices.Contains(old.AccessGroups, gid) {
			continue // a group in use by the market cannot be deleted
		}
		if err := c.lockGroup(ctx, gid); err != nil {
			return err
		}
	}
	return nil
}

// diagnoseMarket returns the constraint that stops m from being stored, or
// "" when neither its ID nor its code is taken.
func (c conn) diagnoseMarket(ctx context.Context, m market.Market) (storage.Constraint, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}markets WHERE id = ?`+c.s.dialect.ForShare(), m.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintPrimaryKey, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return c.marketCodeTaken(ctx, m)
}

// marketCodeTaken returns ConstraintMarketCode when another market holds
// m's code, or "".
func (c conn) marketCodeTaken(ctx context.Context, m market.Market) (storage.Constraint, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM {{prefix}}markets WHERE code = ? AND id <> ?`+c.s.dialect.ForShare(), m.Code, m.ID.String()).Scan(&one)
	if err == nil {
		return storage.ConstraintMarketCode, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return "", nil
}

// marketWriteError maps the error of an INSERT or UPDATE of m: unique
// violations to their *storage.ConflictError, foreign-key violations (a
// merchant or group deleted meanwhile) to ErrNotFound.
func (c conn) marketWriteError(ctx context.Context, err error, m market.Market) error {
	if c.s.dialect.Classify(err) == ErrForeignKey {
		return fmt.Errorf("merchant or access group of market %v: %w", m.ID, errors.Join(storage.ErrNotFound, err))
	}
	return c.uniqueConflict(err, marketConstraints, func() (storage.Constraint, error) {
		return c.marketCodeTaken(ctx, m)
	})
}

func (c conn) insertMarketGroups(ctx context.Context, marketID uuid.UUID, groupIDs []uuid.UUID) error {
	for _, gid := range groupIDs {
		_, err := c.exec(ctx, c.s.dialect.InsertOrNothing(`INSERT INTO {{prefix}}market_groups (market_id, group_id) VALUES (?, ?)`),
			marketID.String(), gid.String())
		if err != nil {
			if c.s.dialect.Classify(err) == ErrForeignKey {
				return fmt.Errorf("group %v: %w", gid, errors.Join(storage.ErrNotFound, err))
			}
			return err
		}
	}
	return nil
}

func (r markets) Get(ctx context.Context, id uuid.UUID) (market.Market, error) {
	return read(ctx, r.conn(ctx), func() (market.Market, error) {
		m, err := scanMarket(r.conn(ctx).queryRow(ctx,
			`SELECT `+marketColumns+` FROM {{prefix}}markets WHERE id = ?`, id.String()))
		return m, noRows(err, "market", id)
	})
}

func (r markets) GetByCode(ctx context.Context, code string) (market.Market, error) {
	if err := storage.CheckKey("code", code); err != nil {
		return market.Market{}, err
	}
	return read(ctx, r.conn(ctx), func() (market.Market, error) {
		m, err := scanMarket(r.conn(ctx).queryRow(ctx,
			`SELECT `+marketColumns+` FROM {{prefix}}markets WHERE code = ?`, market.NormalizeCode(code)))
		if errors.Is(err, sql.ErrNoRows) {
			return market.Market{}, fmt.Errorf("market with code %s: %w", storage.Quote(code), storage.ErrNotFound)
		}
		return m, err
	})
}

const updateMarket = `UPDATE {{prefix}}markets SET merchant_id = ?, code = ?, name = ?, business_model = ?,
	currency = ?, price_list_ref = ?, inventory_model_ref = ?, disabled = ?, access_groups = ?, metadata = ?,
	created_at = ?, updated_at = ?, version = ?, require_verified = ?, tax_display = ? WHERE id = ?`

func (r markets) Update(ctx context.Context, id uuid.UUID, fn func(*market.Market) error) (market.Market, error) {
	var out market.Market
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanMarket(cn.queryRow(ctx, `SELECT `+marketColumns+` FROM {{prefix}}markets
			WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "market", id)
		}
		m, err := storage.UpdateMarket(old, fn)
		if err != nil {
			return err
		}
		if len(m.AccessGroups) == 0 {
			m.AccessGroups = nil
		}
		// Check the code and the references first, so that the usual
		// errors come without a failed statement (which would abort a
		// PostgreSQL transaction); the constraints still decide races.
		if err := cn.checkMarketRefs(ctx, m, &old); err != nil {
			return err
		}
		args, err := marketArgs(m)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateMarket, append(args[1:], m.ID.String())...); err != nil {
			return cn.marketWriteError(ctx, err, m)
		}
		if !slices.Equal(old.AccessGroups, m.AccessGroups) {
			if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}market_groups WHERE market_id = ?`, id.String()); err != nil {
				return err
			}
			if err := cn.insertMarketGroups(ctx, id, m.AccessGroups); err != nil {
				return err
			}
		}
		out = m
		return nil
	})
	if err != nil {
		return market.Market{}, err
	}
	return out.Clone(), nil
}

func (r markets) Delete(ctx context.Context, id uuid.UUID) error {
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		var one int
		err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}markets WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()).Scan(&one)
		if err != nil {
			return noRows(err, "market", id)
		}
		if _, err := cn.exec(ctx, `DELETE FROM {{prefix}}market_groups WHERE market_id = ?`, id.String()); err != nil {
			return err
		}
		_, err = cn.exec(ctx, `DELETE FROM {{prefix}}markets WHERE id = ?`, id.String())
		return err
	})
}

func (r markets) List(ctx context.Context, f storage.MarketFilter, p storage.PageRequest) (storage.Page[market.Market], error) {
	return read(ctx, r.conn(ctx), func() (storage.Page[market.Market], error) {
		var page storage.Page[market.Market]
		at, key, after, err := timeCursor(storage.ListMarkets, p)
		if err != nil {
			return page, err
		}
		var q strings.Builder
		var args []any
		q.WriteString(`SELECT ` + qualify(marketColumns, "m") + ` FROM {{prefix}}markets m WHERE 1 = 1`)
		where := func(cond string, a ...any) {
			q.WriteString(" AND " + cond)
			args = append(args, a...)
		}
		if f.MerchantID != uuid.Nil {
			where(`m.merchant_id = ?`, f.MerchantID.String())
		}
		if f.GroupID != uuid.Nil {
			where(`EXISTS (SELECT 1 FROM {{prefix}}market_groups g WHERE g.market_id = m.id AND g.group_id = ?)`, f.GroupID.String())
		}
		if after {
			where(keysetAfter("m.created_at", "m.id"), at, at, key)
		}
		size, limit := pageSize(p)
		q.WriteString(` ORDER BY m.created_at, m.id LIMIT ` + itoa(limit))
		rows, err := r.conn(ctx).query(ctx, q.String(), args...)
		if err != nil {
			return page, err
		}
		items, err := collect(rows, min(limit, 128), newMarketRow().scan)
		if err != nil {
			return page, err
		}
		return pageOf(items, size, func(m market.Market) storage.Cursor { return timeCursorOf(storage.ListMarkets, m.CreatedAt, m.ID) }), nil
	})
}
