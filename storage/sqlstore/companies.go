package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/storage"
)

// Companies (storage.Companies, schema version 12): one row per company,
// its auto-join domains both as JSON text in the row and as the keys of
// company_domains (which makes a domain belong to one company); one row per
// member, whose lock_seq LockMember increments, so that every transaction
// that reads a member's spend to reserve more writes the member's row
// first (a common row: at PostgreSQL's SERIALIZABLE the later of two is
// retried, on MySQL and TiDB the locking reads after it see the latest
// reservations); one row per reservation and per approval, keyed by the
// host's order ID.

type companyRecords struct{ base }

// CompanyRecords returns the company repository: the store has the
// storage.Companies capability (schema version 12).
func (s *Store) CompanyRecords() storage.CompanyRecords { return companyRecords{base{s: s}} }

// CompanyRecords returns the transaction's company repository.
func (r repos) CompanyRecords() storage.CompanyRecords { return companyRecords{base{fixed: &r.c}} }

var (
	_ storage.Companies = (*Store)(nil)
	_ storage.Companies = repos{}
)

const companyColumns = `id, name, tax_id, billing_address, shipping_address, payment_terms_days, currency, credit_limit,
	price_list_ref, time_zone, auto_join_domains, billing_customer_id, metadata, created_at, updated_at, version`

func companyArgs(c company.Company) ([]any, error) {
	billing, err := jsonText(c.BillingAddress)
	if err != nil {
		return nil, err
	}
	shipping, err := jsonText(c.ShippingAddress)
	if err != nil {
		return nil, err
	}
	domains, err := jsonText(append([]string{}, c.AutoJoinDomains...))
	if err != nil {
		return nil, err
	}
	meta, err := jsonText(nonNilMap(c.Metadata))
	if err != nil {
		return nil, err
	}
	return []any{c.ID.String(), c.Name, c.TaxID, billing, shipping, int64(c.PaymentTermsDays), c.Currency.Code(),
		c.CreditLimit.MinorUnits(), c.PriceListRef, c.TimeZone, domains, nullUUID(c.BillingCustomerID), meta,
		micros(c.CreatedAt), micros(c.UpdatedAt), c.Version}, nil
}

func scanCompany(r scanner) (company.Company, error) {
	var (
		c                                company.Company
		billing, shipping, domains, meta string
		terms, limit, created, updated   int64
		cur                              string
	)
	err := r.Scan(scanUUID{&c.ID}, &c.Name, &c.TaxID, &billing, &shipping, &terms, &cur, &limit, &c.PriceListRef,
		&c.TimeZone, &domains, scanUUID{&c.BillingCustomerID}, &meta, &created, &updated, &c.Version)
	if err != nil {
		return company.Company{}, err
	}
	if c.Currency, err = balance.ParseCurrency(cur); err != nil {
		return company.Company{}, err
	}
	for _, f := range []struct {
		s string
		v any
	}{{billing, &c.BillingAddress}, {shipping, &c.ShippingAddress}, {domains, &c.AutoJoinDomains}, {meta, &c.Metadata}} {
		if err := fromJSON(f.s, f.v); err != nil {
			return company.Company{}, err
		}
	}
	if len(c.AutoJoinDomains) == 0 {
		c.AutoJoinDomains = nil
	}
	if len(c.Metadata) == 0 {
		c.Metadata = nil
	}
	c.PaymentTermsDays = int(terms)
	c.CreditLimit = balance.FromMinorUnits(limit, c.Currency)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

var companyConstraints = map[string]storage.Constraint{
	"companies_pkey":            storage.ConstraintPrimaryKey,
	"company_domains_pkey":      storage.ConstraintCompanyDomain,
	"company_members_pkey":      storage.ConstraintCompanyMember,
	"company_reservations_pkey": storage.ConstraintReservationOrder,
	"company_approvals_pkey":    storage.ConstraintPrimaryKey,
	"company_approvals_order":   storage.ConstraintApprovalOrder,
}

// insertOne inserts a row with the dialect's insert-or-nothing and returns
// a *storage.ConflictError with con when the row would break a key.
func (c conn) insertOne(ctx context.Context, insert string, con storage.Constraint, args ...any) error {
	n, err := c.exec(ctx, c.s.dialect.InsertOrNothing(insert), args...)
	if err != nil {
		return c.uniqueConflict(err, companyConstraints, func() (storage.Constraint, error) { return con, nil })
	}
	if n == 0 {
		return storage.Conflict(con, nil)
	}
	return nil
}

const insertCompany = `INSERT INTO {{prefix}}companies (` + companyColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

func (r companyRecords) Create(ctx context.Context, c company.Company) (company.Company, error) {
	c, err := storage.NewCompany(c)
	if err != nil {
		return company.Company{}, err
	}
	args, err := companyArgs(c)
	if err != nil {
		return company.Company{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		if err := cn.insertOne(ctx, insertCompany, storage.ConstraintPrimaryKey, args...); err != nil {
			return err
		}
		return cn.setDomains(ctx, c.ID, nil, c.AutoJoinDomains)
	})
	if err != nil {
		return company.Company{}, err
	}
	return c.Clone(), nil
}

// setDomains moves the company's domains from old to next.
func (c conn) setDomains(ctx context.Context, id uuid.UUID, old, next []string) error {
	for _, d := range old {
		if !slices.Contains(next, d) {
			if _, err := c.exec(ctx, `DELETE FROM {{prefix}}company_domains WHERE domain = ?`, d); err != nil {
				return err
			}
		}
	}
	for _, d := range next {
		if !slices.Contains(old, d) {
			err := c.insertOne(ctx, `INSERT INTO {{prefix}}company_domains (domain, company_id) VALUES (?, ?)`,
				storage.ConstraintCompanyDomain, d, id.String())
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (r companyRecords) get(ctx context.Context, id uuid.UUID, lock string) (company.Company, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (company.Company, error) {
		c, err := scanCompany(cn.queryRow(ctx, `SELECT `+companyColumns+` FROM {{prefix}}companies WHERE id = ?`+lock, id.String()))
		return c, noRows(err, "company", id)
	})
}

func (r companyRecords) Get(ctx context.Context, id uuid.UUID) (company.Company, error) {
	return r.get(ctx, id, "")
}

func (r companyRecords) LockCompany(ctx context.Context, id uuid.UUID) (company.Company, error) {
	return r.get(ctx, id, r.conn(ctx).lock())
}

const updateCompany = `UPDATE {{prefix}}companies SET id = ?, name = ?, tax_id = ?, billing_address = ?, shipping_address = ?,
	payment_terms_days = ?, currency = ?, credit_limit = ?, price_list_ref = ?, time_zone = ?, auto_join_domains = ?,
	billing_customer_id = ?, metadata = ?, created_at = ?, updated_at = ?, version = ? WHERE id = ?`

func (r companyRecords) Update(ctx context.Context, id uuid.UUID, fn func(*company.Company) error) (company.Company, error) {
	var out company.Company
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanCompany(cn.queryRow(ctx, `SELECT `+companyColumns+` FROM {{prefix}}companies WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "company", id)
		}
		c, err := storage.UpdateCompany(old, fn)
		if err != nil {
			return err
		}
		if err := cn.setDomains(ctx, id, old.AutoJoinDomains, c.AutoJoinDomains); err != nil {
			return err
		}
		args, err := companyArgs(c)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateCompany, append(args, id.String())...); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return company.Company{}, err
	}
	return out.Clone(), nil
}

func (r companyRecords) ByDomain(ctx context.Context, domain string) (company.Company, error) {
	if err := storage.CheckKey("domain", domain); err != nil {
		return company.Company{}, err
	}
	cn := r.conn(ctx)
	return read(ctx, cn, func() (company.Company, error) {
		c, err := scanCompany(cn.queryRow(ctx, `SELECT `+prefixed("c.", companyColumns)+` FROM {{prefix}}company_domains d
			JOIN {{prefix}}companies c ON c.id = d.company_id WHERE d.domain = ?`, domain))
		return c, noRows(err, "company domain", domain)
	})
}

func (r companyRecords) ByBillingCustomer(ctx context.Context, customerID uuid.UUID) (company.Company, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (company.Company, error) {
		c, err := scanCompany(cn.queryRow(ctx, `SELECT `+companyColumns+` FROM {{prefix}}companies WHERE billing_customer_id = ?`+cn.lockShare(),
			customerID.String()))
		return c, noRows(err, "company with billing customer", customerID)
	})
}

// prefixed qualifies each column of a column list with p.
func prefixed(p, columns string) string {
	out := make([]byte, 0, len(columns)*2)
	start := true
	for i := 0; i < len(columns); i++ {
		b := columns[i]
		if start && b != ' ' && b != '\n' && b != '\t' {
			out = append(out, p...)
			start = false
		}
		out = append(out, b)
		if b == ',' {
			start = true
		}
	}
	return string(out)
}

const memberColumns = `company_id, customer_id, role, currency, per_order, period, period_amount, joined, updated_at, version`

func memberArgs(m company.Member, cur balance.Currency) []any {
	var per, amount sql.NullInt64
	var period sql.NullString
	if m.Limits.PerOrder != nil {
		per = sql.NullInt64{Int64: m.Limits.PerOrder.MinorUnits(), Valid: true}
		cur = m.Limits.PerOrder.Currency()
	}
	if m.Limits.Period != nil {
		period = sql.NullString{String: m.Limits.Period.Period.String(), Valid: true}
		amount = sql.NullInt64{Int64: m.Limits.Period.Amount.MinorUnits(), Valid: true}
		cur = m.Limits.Period.Amount.Currency()
	}
	return []any{m.CompanyID.String(), m.CustomerID.String(), m.Role.String(), cur.Code(), per, period, amount,
		micros(m.Joined), micros(m.UpdatedAt), m.Version}
}

func scanMember(r scanner) (company.Member, error) {
	var (
		m               company.Member
		role, cur       string
		per, amount     sql.NullInt64
		period          sql.NullString
		joined, updated int64
	)
	err := r.Scan(scanUUID{&m.CompanyID}, scanUUID{&m.CustomerID}, &role, &cur, &per, &period, &amount, &joined, &updated, &m.Version)
	if err != nil {
		return company.Member{}, err
	}
	if m.Role, err = company.ParseRole(role); err != nil {
		return company.Member{}, err
	}
	if per.Valid || period.Valid {
		c, err := balance.ParseCurrency(cur)
		if err != nil {
			return company.Member{}, err
		}
		if per.Valid {
			v := balance.FromMinorUnits(per.Int64, c)
			m.Limits.PerOrder = &v
		}
		if period.Valid {
			p, err := company.ParsePeriod(period.String)
			if err != nil {
				return company.Member{}, err
			}
			m.Limits.Period = &company.PeriodLimit{Period: p, Amount: balance.FromMinorUnits(amount.Int64, c)}
		}
	}
	m.Joined, m.UpdatedAt = fromMicros(joined), fromMicros(updated)
	return m, nil
}

func (r companyRecords) AddMember(ctx context.Context, m company.Member) (company.Member, error) {
	m, err := storage.NewCompanyMember(m)
	if err != nil {
		return company.Member{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		var cur string
		err := cn.queryRow(ctx, `SELECT currency FROM {{prefix}}companies WHERE id = ?`+cn.lockShare(), m.CompanyID.String()).Scan(&cur)
		if err != nil {
			return noRows(err, "company", m.CompanyID)
		}
		if err := cn.lockLiveCustomer(ctx, m.CustomerID, cn.s.dialect.ForShare()); err != nil {
			return err
		}
		c, err := balance.ParseCurrency(cur)
		if err != nil {
			return err
		}
		return cn.insertOne(ctx, `INSERT INTO {{prefix}}company_members (`+memberColumns+`, lock_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`, storage.ConstraintCompanyMember, memberArgs(m, c)...)
	})
	if err != nil {
		return company.Member{}, err
	}
	return m.Clone(), nil
}

func (c conn) member(ctx context.Context, companyID, customerID uuid.UUID, lock string) (company.Member, error) {
	m, err := scanMember(c.queryRow(ctx, `SELECT `+memberColumns+` FROM {{prefix}}company_members
		WHERE company_id = ? AND customer_id = ?`+lock, companyID.String(), customerID.String()))
	return m, noRows(err, "company member", customerID)
}

func (r companyRecords) Member(ctx context.Context, companyID, customerID uuid.UUID) (company.Member, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (company.Member, error) { return cn.member(ctx, companyID, customerID, "") })
}

func (r companyRecords) LockMember(ctx context.Context, companyID, customerID uuid.UUID) (company.Member, error) {
	cn := r.conn(ctx)
	if cn.tx == nil {
		return r.Member(ctx, companyID, customerID)
	}
	if err := cn.checkDone(); err != nil {
		return company.Member{}, err
	}
	n, err := cn.exec(ctx, `UPDATE {{prefix}}company_members SET lock_seq = lock_seq + 1 WHERE company_id = ? AND customer_id = ?`,
		companyID.String(), customerID.String())
	if err != nil {
		return company.Member{}, err
	}
	if n == 0 {
		return company.Member{}, notFound("company member", customerID)
	}
	return cn.member(ctx, companyID, customerID, cn.s.dialect.ForUpdate())
}

const updateMember = `UPDATE {{prefix}}company_members SET company_id = ?, customer_id = ?, role = ?, currency = ?, per_order = ?,
	period = ?, period_amount = ?, joined = ?, updated_at = ?, version = ? WHERE company_id = ? AND customer_id = ?`

func (r companyRecords) UpdateMember(ctx context.Context, companyID, customerID uuid.UUID, fn func(*company.Member) error) (company.Member, error) {
	var out company.Member
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		var cur string
		old, err := scanMember(cn.queryRow(ctx, `SELECT `+memberColumns+` FROM {{prefix}}company_members
			WHERE company_id = ? AND customer_id = ?`+cn.s.dialect.ForUpdate(), companyID.String(), customerID.String()))
		if err != nil {
			return noRows(err, "company member", customerID)
		}
		if err := cn.queryRow(ctx, `SELECT currency FROM {{prefix}}companies WHERE id = ?`, companyID.String()).Scan(&cur); err != nil {
			return noRows(err, "company", companyID)
		}
		c, err := balance.ParseCurrency(cur)
		if err != nil {
			return err
		}
		m, err := storage.UpdateMember(old, fn)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateMember, append(memberArgs(m, c), companyID.String(), customerID.String())...); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return company.Member{}, err
	}
	return out.Clone(), nil
}

func (r companyRecords) RemoveMember(ctx context.Context, companyID, customerID uuid.UUID) error {
	return r.conn(ctx).single(ctx, func(cn conn) error {
		n, err := cn.exec(ctx, `DELETE FROM {{prefix}}company_members WHERE company_id = ? AND customer_id = ?`,
			companyID.String(), customerID.String())
		if err == nil && n == 0 {
			err = notFound("company member", customerID)
		}
		return err
	})
}

func (r companyRecords) members(ctx context.Context, where string, id uuid.UUID, key func(company.Member) uuid.UUID) ([]company.Member, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() ([]company.Member, error) {
		rows, err := cn.query(ctx, `SELECT `+memberColumns+` FROM {{prefix}}company_members WHERE `+where+` = ?`+cn.lockShare(), id.String())
		if err != nil {
			return nil, err
		}
		ms, err := collect(rows, 0, scanMember)
		if err != nil {
			return nil, err
		}
		slices.SortFunc(ms, func(a, b company.Member) int {
			if c := a.Joined.Compare(b.Joined); c != 0 {
				return c
			}
			return compareUUIDs(key(a), key(b))
		})
		return ms, nil
	})
}

func (r companyRecords) Members(ctx context.Context, companyID uuid.UUID) ([]company.Member, error) {
	return r.members(ctx, "company_id", companyID, func(m company.Member) uuid.UUID { return m.CustomerID })
}

func (r companyRecords) CompaniesOf(ctx context.Context, customerID uuid.UUID) ([]company.Member, error) {
	return r.members(ctx, "customer_id", customerID, func(m company.Member) uuid.UUID { return m.CompanyID })
}

func (r companyRecords) Spent(ctx context.Context, companyID, customerID uuid.UUID, c balance.Currency, start, end time.Time) (balance.Money, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (balance.Money, error) {
		// The rows, not SUM: PostgreSQL locks no aggregate.
		rows, err := cn.query(ctx, `SELECT amount FROM {{prefix}}company_reservations
			WHERE company_id = ? AND customer_id = ? AND at >= ? AND at < ? AND currency = ?`+cn.lockShare(),
			companyID.String(), customerID.String(), micros(start), micros(end), c.Code())
		if err != nil {
			return balance.Money{}, err
		}
		amounts, err := collect(rows, 0, func(r scanner) (int64, error) {
			var v int64
			return v, r.Scan(&v)
		})
		if err != nil {
			return balance.Money{}, err
		}
		total := balance.Zero(c)
		for _, v := range amounts {
			if total, err = total.Add(balance.FromMinorUnits(v, c)); err != nil {
				return balance.Money{}, err
			}
		}
		return total, nil
	})
}

func (r companyRecords) Reserve(ctx context.Context, res company.Reservation) error {
	if err := storage.CheckKey("order_id", res.OrderID); err != nil {
		return err
	}
	return r.conn(ctx).atomic(ctx, func(cn conn) error {
		if _, err := cn.member(ctx, res.CompanyID, res.CustomerID, cn.lockShare()); err != nil {
			return err
		}
		return cn.insertOne(ctx, `INSERT INTO {{prefix}}company_reservations (order_id, company_id, customer_id, currency, amount, at)
			VALUES (?, ?, ?, ?, ?, ?)`, storage.ConstraintReservationOrder, res.OrderID, res.CompanyID.String(),
			res.CustomerID.String(), res.Amount.Currency().Code(), res.Amount.MinorUnits(), micros(res.At))
	})
}

const reservationColumns = `order_id, company_id, customer_id, currency, amount, at`

func scanReservation(r scanner) (company.Reservation, error) {
	var (
		res        company.Reservation
		cur        string
		amount, at int64
	)
	if err := r.Scan(&res.OrderID, scanUUID{&res.CompanyID}, scanUUID{&res.CustomerID}, &cur, &amount, &at); err != nil {
		return company.Reservation{}, err
	}
	c, err := balance.ParseCurrency(cur)
	if err != nil {
		return company.Reservation{}, err
	}
	res.Amount, res.At = balance.FromMinorUnits(amount, c), fromMicros(at)
	return res, nil
}

func (r companyRecords) Reservation(ctx context.Context, orderID string) (company.Reservation, error) {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return company.Reservation{}, err
	}
	cn := r.conn(ctx)
	return read(ctx, cn, func() (company.Reservation, error) {
		res, err := scanReservation(cn.queryRow(ctx, `SELECT `+reservationColumns+` FROM {{prefix}}company_reservations WHERE order_id = ?`+cn.lockShare(), orderID))
		return res, noRows(err, "reservation", orderID)
	})
}

func (r companyRecords) Release(ctx context.Context, orderID string) (res company.Reservation, ok bool, err error) {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return company.Reservation{}, false, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		var err error
		res, err = scanReservation(cn.queryRow(ctx, `SELECT `+reservationColumns+` FROM {{prefix}}company_reservations WHERE order_id = ?`+cn.s.dialect.ForUpdate(), orderID))
		if errors.Is(err, sql.ErrNoRows) {
			ok = false
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		_, err = cn.exec(ctx, `DELETE FROM {{prefix}}company_reservations WHERE order_id = ?`, orderID)
		return err
	})
	return res, ok, err
}

const approvalColumns = `id, company_id, order_id, buyer_id, currency, amount, status, reason, approver_id, decided_at,
	order_params, created_at, updated_at, version`

func approvalArgs(a company.Approval) []any {
	return []any{a.ID.String(), a.CompanyID.String(), a.OrderID, a.BuyerID.String(), a.Amount.Currency().Code(),
		a.Amount.MinorUnits(), a.Status.String(), a.Reason, nullUUID(a.ApproverID), nullMicros(a.DecidedAt),
		string(a.Order), micros(a.CreatedAt), micros(a.UpdatedAt), a.Version}
}

func scanApproval(r scanner) (company.Approval, error) {
	var (
		a                        company.Approval
		cur, status, order       string
		amount, created, updated int64
		decided                  sql.NullInt64
	)
	err := r.Scan(scanUUID{&a.ID}, scanUUID{&a.CompanyID}, &a.OrderID, scanUUID{&a.BuyerID}, &cur, &amount, &status,
		&a.Reason, scanUUID{&a.ApproverID}, &decided, &order, &created, &updated, &a.Version)
	if err != nil {
		return company.Approval{}, err
	}
	c, err := balance.ParseCurrency(cur)
	if err != nil {
		return company.Approval{}, err
	}
	if a.Status, err = company.ParseApprovalStatus(status); err != nil {
		return company.Approval{}, err
	}
	a.Amount, a.DecidedAt = balance.FromMinorUnits(amount, c), fromNullMicros(decided)
	if order != "" {
		a.Order = []byte(order)
	}
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return a, nil
}

func (r companyRecords) CreateApproval(ctx context.Context, a company.Approval) (company.Approval, error) {
	a, err := storage.NewApproval(a)
	if err != nil {
		return company.Approval{}, err
	}
	err = r.conn(ctx).atomic(ctx, func(cn conn) error {
		var one int
		if err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}companies WHERE id = ?`+cn.lockShare(), a.CompanyID.String()).Scan(&one); err != nil {
			return noRows(err, "company", a.CompanyID)
		}
		n, err := cn.exec(ctx, cn.s.dialect.InsertOrNothing(`INSERT INTO {{prefix}}company_approvals (`+approvalColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`), approvalArgs(a)...)
		diagnose := func() (storage.Constraint, error) {
			err := cn.queryRow(ctx, `SELECT 1 FROM {{prefix}}company_approvals WHERE id = ?`+cn.lockShare(), a.ID.String()).Scan(&one)
			if err == nil {
				return storage.ConstraintPrimaryKey, nil
			}
			return storage.ConstraintApprovalOrder, nil
		}
		if err != nil {
			return cn.uniqueConflict(err, companyConstraints, diagnose)
		}
		if n == 0 {
			con, _ := diagnose()
			return storage.Conflict(con, nil)
		}
		return nil
	})
	if err != nil {
		return company.Approval{}, err
	}
	return a.Clone(), nil
}

func (r companyRecords) approval(ctx context.Context, where string, arg any, what string) (company.Approval, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() (company.Approval, error) {
		a, err := scanApproval(cn.queryRow(ctx, `SELECT `+approvalColumns+` FROM {{prefix}}company_approvals WHERE `+where+` = ?`, arg))
		return a, noRows(err, what, arg)
	})
}

func (r companyRecords) Approval(ctx context.Context, id uuid.UUID) (company.Approval, error) {
	return r.approval(ctx, "id", id.String(), "approval")
}

func (r companyRecords) ApprovalByOrder(ctx context.Context, orderID string) (company.Approval, error) {
	if err := storage.CheckKey("order_id", orderID); err != nil {
		return company.Approval{}, err
	}
	return r.approval(ctx, "order_id", orderID, "approval of order")
}

const updateApproval = `UPDATE {{prefix}}company_approvals SET id = ?, company_id = ?, order_id = ?, buyer_id = ?, currency = ?,
	amount = ?, status = ?, reason = ?, approver_id = ?, decided_at = ?, order_params = ?, created_at = ?, updated_at = ?,
	version = ? WHERE id = ?`

func (r companyRecords) UpdateApproval(ctx context.Context, id uuid.UUID, fn func(*company.Approval) error) (company.Approval, error) {
	var out company.Approval
	err := r.conn(ctx).atomic(ctx, func(cn conn) error {
		old, err := scanApproval(cn.queryRow(ctx, `SELECT `+approvalColumns+` FROM {{prefix}}company_approvals WHERE id = ?`+cn.s.dialect.ForUpdate(), id.String()))
		if err != nil {
			return noRows(err, "approval", id)
		}
		a, err := storage.UpdateApproval(old, fn)
		if err != nil {
			return err
		}
		if _, err := cn.exec(ctx, updateApproval, append(approvalArgs(a), id.String())...); err != nil {
			return err
		}
		out = a
		return nil
	})
	if err != nil {
		return company.Approval{}, err
	}
	return out.Clone(), nil
}

func (r companyRecords) PendingApprovals(ctx context.Context, companyID uuid.UUID) ([]company.Approval, error) {
	cn := r.conn(ctx)
	return read(ctx, cn, func() ([]company.Approval, error) {
		rows, err := cn.query(ctx, `SELECT `+approvalColumns+` FROM {{prefix}}company_approvals WHERE company_id = ? AND status = ?
			ORDER BY created_at`, companyID.String(), company.Pending.String())
		if err != nil {
			return nil, err
		}
		as, err := collect(rows, 0, scanApproval)
		if err != nil {
			return nil, err
		}
		slices.SortStableFunc(as, func(a, b company.Approval) int {
			if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
				return c
			}
			return compareUUIDs(a.ID, b.ID)
		})
		return as, nil
	})
}
