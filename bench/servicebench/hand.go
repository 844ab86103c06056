package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
)

// The hand-written side: the SQL a developer who knows the schema would
// write for each operation, on the same tables, *sql.DB and driver as the
// library, with every statement prepared once (as the library's are). It
// writes the same rows, the outbox event included (its payload a JSON
// object marshalled from a struct of the same fields), and keeps the same
// guarantees where the benchmark exercises them; the comments say where it
// does less. It uses two pure functions of the domain, uuid.NewV7 for IDs
// and customer.EmailSkeleton for the look-alike key the schema holds, but
// none of the validation and normalization the services run (NFC/NFKC,
// phone parsing, Validate): that work is part of what the library costs.

// hand holds the prepared statements of one engine.
type hand struct {
	e     *engine
	mysql bool
	st    map[string]*sql.Stmt
}

// customerCols are the columns a hand-written read scans.
const customerCols = `id, email, email_display, has_account, status, state, type, first_name, last_name,
	search_name, phone, company, vat_id, note, tags, metadata, reference, reference_origin, order_count,
	created_at, updated_at, deleted_at, version, has_password`

// neverExpires is the stored expires_at of a lot that never expires
// (migration 0010).
const neverExpires = math.MaxInt64

// handSQL returns the hand-written statements, in the shared form that
// sqlstore.Render turns into the engine's ({{prefix}}, ? placeholders).
func handSQL(mysql bool, insertOrNothing func(string) string) map[string]string {
	q := map[string]string{
		// Register: the look-alike check reads two IDs and emails (the
		// library reads whole customers), then a plain INSERT: a taken
		// address fails it on the unique index, which tells the caller.
		"lookalike": `SELECT email FROM {{prefix}}customers
			WHERE email_skeleton = ? AND has_account = ? AND deleted_at IS NULL LIMIT 2`,
		"insertCustomer": `INSERT INTO {{prefix}}customers (id, email, email_display, has_account, status, state, type,
			first_name, last_name, search_name, phone, company, vat_id, note, tags, metadata, reference,
			reference_origin, order_count, created_at, updated_at, deleted_at, version, has_password, email_skeleton)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"insertEvent": `INSERT INTO {{prefix}}events (id, type, aggregate, aggregate_id, customer_id, version,
			occurred_at, actor_kind, actor_id, schema_version, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		// Get by ID: the live customer only (the library reads the row
		// and refuses a deleted one in Go).
		"get": `SELECT ` + customerCols + ` FROM {{prefix}}customers WHERE id = ? AND deleted_at IS NULL`,
		// Get by email: the registered customer, else the guest, in one
		// statement (the library asks for each in turn: two statements
		// for a guest).
		"byEmail": `SELECT ` + customerCols + ` FROM {{prefix}}customers
			WHERE email = ? AND deleted_at IS NULL ORDER BY has_account DESC LIMIT 1`,
		// A keyset page, with the redundant created_at >= ? that makes it an
		// index range on MariaDB (as the library's); 51 rows tell whether a
		// next page exists. The hand side makes no cursor token.
		"list": `SELECT ` + customerCols + ` FROM {{prefix}}customers
			WHERE deleted_at IS NULL AND created_at >= ? AND (created_at, id) > (?, ?)
			ORDER BY created_at, id LIMIT 51`,
		// Add a member: the library's INSERT ... SELECT (nothing when the
		// group or the live customer is missing or the pair exists), and
		// the event takes the group's version in the same statement. On
		// zero rows a real caller would read to tell which case it was;
		// the benchmark always adds a new pair.
		"addMember": insertOrNothing(`INSERT INTO {{prefix}}memberships (group_id, customer_id, group_created_at, customer_created_at)
			SELECT g.id, c.id, g.created_at, c.created_at FROM {{prefix}}groups g
			JOIN {{prefix}}customers c ON c.id = ? AND c.deleted_at IS NULL WHERE g.id = ?`),
		"memberEvent": `INSERT INTO {{prefix}}events (id, type, aggregate, aggregate_id, customer_id, version,
			occurred_at, actor_kind, actor_id, schema_version, payload)
			SELECT ?, ?, ?, ?, ?, version, ?, ?, ?, ?, ? FROM {{prefix}}groups WHERE id = ?`,
		// A posting: the conditional UPDATE takes the account's lock and
		// keeps the floor and the customer's liveness in one statement (the
		// library locks the account with a read first, checks the key,
		// the customer and due lots with more reads); it also says whether
		// lots are due to expire, which the hand side would expire first
		// (never in the benchmark: its credit does not expire). An
		// idempotency key already used fails the posting's INSERT on its
		// unique key; a caller would then roll back and read the first
		// posting (the library reads before it writes).
		"postingInsert": `INSERT INTO {{prefix}}balance_postings (id, account_id, customer_id, sequence, kind, amount,
			ending_balance, reference, idempotency_key, actor, note, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		// A credit is a lot that never expires, with the posting's ID.
		"lotInsert": `INSERT INTO {{prefix}}balance_lots (id, account_id, amount, remaining, expires_at, created_at, sequence, due_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
		// A debit takes from the soonest-expiring lot with something
		// left, when that lot covers it (always, in the benchmark: the seed
		// credit is large); otherwise lotsLeft lists the lots to take from
		// one by one.
		"lotsLeft": `SELECT id, remaining FROM {{prefix}}balance_lots WHERE account_id = ? AND remaining > 0
			ORDER BY expires_at, sequence`,
		"lotTake": `UPDATE {{prefix}}balance_lots SET remaining = remaining - ? WHERE id = ?`,
	}
	const accountUpdate = `UPDATE {{prefix}}balance_accounts SET balance = balance + ?, postings = postings + 1,
			version = version + 1, updated_at = ?
			WHERE customer_id = ? AND currency = ? AND balance + ? >= -credit_limit
			AND EXISTS (SELECT 1 FROM {{prefix}}customers c WHERE c.id = {{prefix}}balance_accounts.customer_id AND c.deleted_at IS NULL)`
	const dueFlag = `CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_lots l WHERE l.account_id = {{prefix}}balance_accounts.id
			AND l.remaining > 0 AND l.due_at <= ?) THEN 1 ELSE 0 END`
	if mysql {
		// MariaDB has no UPDATE ... RETURNING (and MySQL 8 neither): the
		// account is read back, locked already, in a second statement.
		// Nor may an UPDATE select from its own table: the debit's lot
		// is the first of an ORDER BY ... LIMIT 1, changed only if it
		// covers the amount (no change: zero affected rows).
		q["postingAccount"] = accountUpdate
		q["postingRead"] = `SELECT id, balance, postings, version, ` + dueFlag + `
			FROM {{prefix}}balance_accounts WHERE customer_id = ? AND currency = ?`
		q["lotDebit"] = `UPDATE {{prefix}}balance_lots SET remaining = IF(remaining >= ?, remaining - ?, remaining)
			WHERE account_id = ? AND remaining > 0 ORDER BY expires_at, sequence LIMIT 1`
	} else {
		q["postingAccount"] = accountUpdate + ` RETURNING id, balance, postings, version, ` + dueFlag
		q["lotDebit"] = `UPDATE {{prefix}}balance_lots SET remaining = remaining - ?
			WHERE id = (SELECT id FROM {{prefix}}balance_lots WHERE account_id = ? AND remaining > 0
			ORDER BY expires_at, sequence LIMIT 1) AND remaining >= ?`
	}
	return q
}

// newHand prepares the hand-written statements on e's *sql.DB.
func newHand(ctx context.Context, e *engine) (*hand, error) {
	h := &hand{e: e, mysql: e.name == "mysql", st: map[string]*sql.Stmt{}}
	for name, q := range handSQL(h.mysql, e.dialect.InsertOrNothing) {
		st, err := e.db.PrepareContext(ctx, renderSQL(q, e))
		if err != nil {
			h.close()
			return nil, fmt.Errorf("prepare %s: %w", name, err)
		}
		h.st[name] = st
	}
	return h, nil
}

// close closes the statements.
func (h *hand) close() {
	for _, st := range h.st {
		st.Close()
	}
}

// handCustomer is the row a hand-written read scans.
type handCustomer struct {
	ID                                          uuid.UUID
	Email, EmailDisplay                         string
	HasAccount                                  bool
	Status, State, Type                         string
	FirstName, LastName, SearchName             string
	Phone, Company, VATID, Note, Tags, Metadata string
	Reference, ReferenceOrigin                  string
	OrderCount, CreatedAt, UpdatedAt            int64
	DeletedAt                                   sql.NullInt64
	Version                                     int64
	HasPassword                                 bool
}

func (c *handCustomer) dest() []any {
	return []any{&c.ID, &c.Email, &c.EmailDisplay, &c.HasAccount, &c.Status, &c.State, &c.Type, &c.FirstName,
		&c.LastName, &c.SearchName, &c.Phone, &c.Company, &c.VATID, &c.Note, &c.Tags, &c.Metadata, &c.Reference,
		&c.ReferenceOrigin, &c.OrderCount, &c.CreatedAt, &c.UpdatedAt, &c.DeletedAt, &c.Version, &c.HasPassword}
}

// customerJSON is the event payload's customer: the fields of the row.
type customerJSON struct {
	ID         uuid.UUID `json:"id"`
	Email      string    `json:"email"`
	HasAccount bool      `json:"has_account"`
	Status     string    `json:"status"`
	State      string    `json:"state"`
	Type       string    `json:"type"`
	FirstName  string    `json:"first_name,omitempty"`
	LastName   string    `json:"last_name,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Version    int64     `json:"version"`
}

// insertCustomer writes a new customer and its event in tx, or reports
// false (and writes nothing) when ifAbsent and a live customer of the same
// kind has the address.
func (h *hand) insertCustomer(ctx context.Context, tx *sql.Tx, p customer.Params, registered bool) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	email := strings.ToLower(strings.TrimSpace(p.Email))
	state, typ := "guest", "customer.created"
	if registered {
		state, typ = "active", "customer.registered"
	}
	search := strings.ToLower(strings.TrimSpace(p.FirstName + " " + p.LastName))
	_, err = tx.StmtContext(ctx, h.st["insertCustomer"]).ExecContext(ctx, id, email, p.Email, registered, "prospect", state,
		"private", p.FirstName, p.LastName, search, p.Phone, p.Company, p.VATID, p.Note, "[]", "{}", "", "", 0,
		now.UnixMicro(), now.UnixMicro(), nil, 1, false, customer.EmailSkeleton(email))
	if err != nil {
		return err
	}
	payload, err := json.Marshal(struct {
		Customer customerJSON `json:"customer"`
	}{customerJSON{ID: id, Email: email, HasAccount: registered, Status: "prospect", State: state, Type: "private",
		FirstName: p.FirstName, LastName: p.LastName, CreatedAt: now, UpdatedAt: now, Version: 1}})
	if err != nil {
		return err
	}
	return h.event(ctx, tx, typ, "customer", id.String(), id, 1, now, payload)
}

// event appends one event to the outbox in tx.
func (h *hand) event(ctx context.Context, tx *sql.Tx, typ, aggregate, aggregateID string, customerID uuid.UUID,
	version int64, now time.Time, payload []byte) error {
	id, err := uuid.NewV7()
	if err != nil {
		return err
	}
	_, err = tx.StmtContext(ctx, h.st["insertEvent"]).ExecContext(ctx, id, typ, aggregate, aggregateID, customerID,
		version, now.UnixMicro(), "system", "", 1, payload)
	return err
}

// inTx runs fn in a transaction.
func (h *hand) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	// A deadlock or a serialization failure runs the transaction again,
	// as any real code must (and as the library does).
	var err error
	for range 10 {
		if err = h.tryTx(ctx, fn); !retryable(err) {
			return err
		}
	}
	return err
}

// tryTx runs fn in one transaction.
func (h *hand) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := h.e.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	return tx.Commit()
}

// retryable tells a deadlock or a serialization failure (SQLSTATE 40001
// or 40P01; MariaDB's error 1213 and 1205 say it in their text).
func retryable(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"40001", "40P01", "Deadlock found", "Lock wait timeout", "SQLITE_BUSY", "database is locked"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// register: BEGIN, the look-alike read, INSERT customer, INSERT event,
// COMMIT.
func (h *hand) register(ctx context.Context, p customer.Params) error {
	return h.inTx(ctx, func(tx *sql.Tx) error {
		email := strings.ToLower(strings.TrimSpace(p.Email))
		rows, err := tx.StmtContext(ctx, h.st["lookalike"]).QueryContext(ctx, customer.EmailSkeleton(email), true)
		if err != nil {
			return err
		}
		other := false
		for rows.Next() {
			var e string
			if err := rows.Scan(&e); err != nil {
				rows.Close()
				return err
			}
			other = other || e != email
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if other {
			return customer.ErrEmailConfusable
		}
		return h.insertCustomer(ctx, tx, p, true)
	})
}

// createGuest: BEGIN, the registered-or-guest read (the library's too),
// INSERT customer, INSERT event, COMMIT. A guest created meanwhile by
// another caller fails the INSERT on the unique index; a real caller would
// then run it again and find it (as the library does).
func (h *hand) createGuest(ctx context.Context, p customer.Params) error {
	return h.inTx(ctx, func(tx *sql.Tx) error {
		email := strings.ToLower(strings.TrimSpace(p.Email))
		var c handCustomer
		err := tx.StmtContext(ctx, h.st["byEmail"]).QueryRowContext(ctx, email).Scan(c.dest()...)
		switch {
		case err == nil && !c.HasAccount:
			return fmt.Errorf("create_guest: found an existing guest")
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		return h.insertCustomer(ctx, tx, p, false)
	})
}

// get reads a live customer by ID.
func (h *hand) get(ctx context.Context, id uuid.UUID) (handCustomer, error) {
	var c handCustomer
	err := h.st["get"].QueryRowContext(ctx, id).Scan(c.dest()...)
	return c, err
}

// getByEmail reads the live registered customer with the address, else
// the guest.
func (h *hand) getByEmail(ctx context.Context, email string) (handCustomer, error) {
	var c handCustomer
	err := h.st["byEmail"].QueryRowContext(ctx, strings.ToLower(strings.TrimSpace(email))).Scan(c.dest()...)
	return c, err
}

// list reads the page of n customers after c and returns how many it read.
func (h *hand) list(ctx context.Context, c cursor, n int) (int, error) {
	rows, err := h.st["list"].QueryContext(ctx, c.createdAt, c.createdAt, c.id)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	page := make([]handCustomer, 0, n+1)
	for rows.Next() {
		var hc handCustomer
		if err := rows.Scan(hc.dest()...); err != nil {
			return 0, err
		}
		page = append(page, hc)
	}
	if len(page) > n {
		page = page[:n] // the 51st row only says that a next page exists
	}
	return len(page), rows.Err()
}

// addMember: BEGIN, INSERT ... SELECT, the event's INSERT ... SELECT,
// COMMIT.
func (h *hand) addMember(ctx context.Context, groupID, customerID uuid.UUID) error {
	return h.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, h.st["addMember"]).ExecContext(ctx, customerID, groupID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, errors.New("add_member: not added (exists, or no such group or live customer)"))
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		payload, err := json.Marshal(struct {
			GroupID    uuid.UUID `json:"group_id"`
			CustomerID uuid.UUID `json:"customer_id"`
		}{groupID, customerID})
		if err != nil {
			return err
		}
		_, err = tx.StmtContext(ctx, h.st["memberEvent"]).ExecContext(ctx, id, "group.member_added", "group",
			groupID.String(), customerID, now.UnixMicro(), "system", "", 1, payload, groupID)
		return err
	})
}

// postingJSON is the event payload's posting.
type postingJSON struct {
	ID             uuid.UUID `json:"id"`
	AccountID      uuid.UUID `json:"account_id"`
	CustomerID     uuid.UUID `json:"customer_id"`
	Sequence       int64     `json:"sequence"`
	Kind           string    `json:"kind"`
	Amount         moneyJSON `json:"amount"`
	EndingBalance  moneyJSON `json:"ending_balance"`
	IdempotencyKey string    `json:"idempotency_key,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// moneyJSON is an amount as the library writes it in events.
type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func eurJSON(minor int64) moneyJSON {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return moneyJSON{Amount: fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100), Currency: "EUR"}
}

// post credits (amount > 0) or debits the customer's EUR account with a
// fresh idempotency key: BEGIN, the conditional UPDATE (with RETURNING; on
// MySQL an UPDATE and a read), INSERT posting, INSERT or UPDATE lot, INSERT
// event, COMMIT. An account that does not exist yet would be opened first
// (not in the benchmark: every account is seeded).
func (h *hand) post(ctx context.Context, customerID uuid.UUID, amount int64, key string) error {
	return h.inTx(ctx, func(tx *sql.Tx) error {
		now := time.Now().UTC().Truncate(time.Microsecond)
		var (
			acct                        uuid.UUID
			bal, postings, version, due int64
		)
		args := []any{amount, now.UnixMicro(), customerID, "EUR", amount}
		if h.mysql {
			res, err := tx.StmtContext(ctx, h.st["postingAccount"]).ExecContext(ctx, args...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return errors.Join(err, errors.New("post: no account, a deleted customer, or insufficient funds"))
			}
			err = tx.StmtContext(ctx, h.st["postingRead"]).QueryRowContext(ctx, now.UnixMicro(), customerID, "EUR").
				Scan(&acct, &bal, &postings, &version, &due)
			if err != nil {
				return err
			}
		} else {
			err := tx.StmtContext(ctx, h.st["postingAccount"]).QueryRowContext(ctx, append(args, now.UnixMicro())...).
				Scan(&acct, &bal, &postings, &version, &due)
			if errors.Is(err, sql.ErrNoRows) {
				return errors.New("post: no account, a deleted customer, or insufficient funds")
			}
			if err != nil {
				return err
			}
		}
		if due != 0 {
			return errors.New("post: lots are due to expire (not benchmarked)")
		}
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		kind := "adjustment"
		_, err = tx.StmtContext(ctx, h.st["postingInsert"]).ExecContext(ctx, id, acct, customerID, postings, kind, amount,
			bal, "", key, "", "", now.UnixMicro())
		if err != nil {
			return err
		}
		if amount > 0 {
			_, err = tx.StmtContext(ctx, h.st["lotInsert"]).ExecContext(ctx, id, acct, amount, amount, int64(neverExpires),
				now.UnixMicro(), postings)
		} else {
			err = h.takeFromLots(ctx, tx, acct, -amount)
		}
		if err != nil {
			return err
		}
		typ := "balance.credited"
		if amount < 0 {
			typ = "balance.debited"
		}
		payload, err := json.Marshal(struct {
			Posting postingJSON `json:"posting"`
		}{postingJSON{ID: id, AccountID: acct, CustomerID: customerID, Sequence: postings, Kind: kind,
			Amount: eurJSON(amount), EndingBalance: eurJSON(bal), IdempotencyKey: key, CreatedAt: now}})
		if err != nil {
			return err
		}
		return h.event(ctx, tx, typ, "balance_account", acct.String(), customerID, version, now, payload)
	})
}

// takeFromLots takes amount from the account's lots, soonest-expiring
// first: in one statement when the first lot covers it, else lot by lot.
func (h *hand) takeFromLots(ctx context.Context, tx *sql.Tx, acct uuid.UUID, amount int64) error {
	args := []any{amount, acct, amount}
	if h.mysql {
		args = []any{amount, amount, acct}
	}
	res, err := tx.StmtContext(ctx, h.st["lotDebit"]).ExecContext(ctx, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	rows, err := tx.StmtContext(ctx, h.st["lotsLeft"]).QueryContext(ctx, acct)
	if err != nil {
		return err
	}
	type lot struct {
		id        uuid.UUID
		remaining int64
	}
	var lots []lot
	for rows.Next() {
		var l lot
		if err := rows.Scan(&l.id, &l.remaining); err != nil {
			rows.Close()
			return err
		}
		lots = append(lots, l)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return err
	}
	for _, l := range lots {
		take := min(l.remaining, amount)
		if _, err := tx.StmtContext(ctx, h.st["lotTake"]).ExecContext(ctx, take, l.id); err != nil {
			return err
		}
		if amount -= take; amount == 0 {
			return nil
		}
	}
	return errors.New("post: the lots do not cover the debit")
}
