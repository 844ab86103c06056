package sqltest

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
)

// Bind runs the tests of Store.Bind: a host's transaction carries its own
// writes and Clientele's, and they commit or roll back together.
func Bind(t *testing.T, e Engine) {
	t.Run("Commit", func(t *testing.T) { bindOutcome(t, e, true) })
	t.Run("Rollback", func(t *testing.T) { bindOutcome(t, e, false) })
	t.Run("ErrorsKeepHostTxUsable", func(t *testing.T) { bindErrors(t, e) })
}

// hostShop is a host application with an orders table of its own beside
// Clientele's tables, in the same database.
type hostShop struct {
	t      testing.TB
	db     *sql.DB
	d      sqlstore.Dialect
	table  string
	store  *sqlstore.Store
	svc    *clientele.Service
	eur    balance.Currency
	ada    customer.Customer
	credit balance.Money
}

func newHostShop(t testing.TB, e Engine) *hostShop {
	t.Helper()
	ctx := context.Background()
	s := NewStore(t, e.DB, e.Dialect)
	h := &hostShop{t: t, db: e.DB, d: e.Dialect, store: s, svc: clientele.New(s),
		table: "host" + FreshPrefix("shop") + "orders", eur: Money(t, "0", "EUR").Currency()}
	if _, err := e.DB.ExecContext(ctx, `CREATE TABLE `+h.table+
		` (id VARCHAR(64) NOT NULL PRIMARY KEY, customer_id VARCHAR(36) NOT NULL, total BIGINT NOT NULL)`); err != nil {
		t.Fatalf("create the host's table: %v", err)
	}
	t.Cleanup(func() { e.DB.Exec(`DROP TABLE ` + h.table) })
	var err error
	if h.ada, err = h.svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"}); err != nil {
		t.Fatal(err)
	}
	h.credit = Money(t, "10.00", "EUR")
	if _, err := h.svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: h.ada.ID, Amount: h.credit,
		Kind: balance.KindGiftCard}); err != nil {
		t.Fatal(err)
	}
	return h
}

// insertOrder writes the host's own order row in tx.
func (h *hostShop) insertOrder(ctx context.Context, tx *sql.Tx, id string, total balance.Money) error {
	_, err := tx.ExecContext(ctx, sqlstore.Render(`INSERT INTO `+h.table+` (id, customer_id, total) VALUES (?, ?, ?)`, "", h.d),
		id, h.ada.ID.String(), total.MinorUnits())
	return err
}

// hostRows counts the host's rows with id.
func (h *hostShop) hostRows(id string) int {
	h.t.Helper()
	var n int
	if err := h.db.QueryRow(sqlstore.Render(`SELECT COUNT(*) FROM `+h.table+` WHERE id = ?`, "", h.d), id).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

func bindOutcome(t *testing.T, e Engine, commit bool) {
	ctx := context.Background()
	h := newHostShop(t, e)
	total := Money(t, "25.00", "EUR")

	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := h.insertOrder(ctx, tx, "A-1", total); err != nil {
		t.Fatal(err)
	}
	bound := clientele.New(h.store.Bind(tx))
	if _, err := bound.Orders.RecordPlaced(ctx, order.Params{ID: "A-1", CustomerID: h.ada.ID, Number: "A-1", Total: total}); err != nil {
		t.Fatalf("RecordPlaced in the host's tx: %v", err)
	}
	pay, err := bound.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: h.ada.ID, Total: total,
		Reference: "A-1", IdempotencyKey: "pay-A-1"})
	if err != nil {
		t.Fatalf("ApplyToOrder in the host's tx: %v", err)
	}
	if !pay.Applied.Equal(h.credit) {
		t.Fatalf("applied %s, want %s", pay.Applied, h.credit)
	}
	// The bound store reads the transaction's own writes.
	if c, err := bound.Customers.Get(ctx, h.ada.ID); err != nil || c.OrderCount != 1 {
		t.Errorf("bound Get inside the tx: order count %d, %v; want 1", c.OrderCount, err)
	}
	if a, err := bound.Balances.Available(ctx, h.ada.ID, h.eur); err != nil || !a.IsZero() {
		t.Errorf("bound Available inside the tx: %s, %v; want 0", a, err)
	}

	if commit {
		err = tx.Commit()
	} else {
		err = tx.Rollback()
	}
	if err != nil {
		t.Fatalf("commit=%v: %v", commit, err)
	}

	// Both the host's row and Clientele's writes are there after a commit,
	// and neither after a rollback.
	svc := h.svc
	wantRows, wantCount, wantStatus, wantAvail, wantPostings := 1, 1, customer.StatusAcquired, balance.Zero(h.eur), 2
	if !commit {
		wantRows, wantCount, wantStatus, wantAvail, wantPostings = 0, 0, customer.StatusProspect, h.credit, 1
	}
	if n := h.hostRows("A-1"); n != wantRows {
		t.Errorf("host rows %d, want %d", n, wantRows)
	}
	_, err = svc.Orders.Get(ctx, "A-1")
	if commit && err != nil {
		t.Errorf("Clientele's order after commit: %v", err)
	}
	if !commit && !errors.Is(err, order.ErrNotFound) {
		t.Errorf("Clientele's order after rollback: %v, want order.ErrNotFound", err)
	}
	c, err := svc.Customers.Get(ctx, h.ada.ID)
	if err != nil || c.OrderCount != wantCount || c.Status != wantStatus {
		t.Errorf("customer: order count %d, status %s, %v; want %d, %s", c.OrderCount, c.Status, err, wantCount, wantStatus)
	}
	if a, err := svc.Balances.Available(ctx, h.ada.ID, h.eur); err != nil || !a.Equal(wantAvail) {
		t.Errorf("available %s, %v; want %s", a, err, wantAvail)
	}
	hist, err := svc.Balances.History(ctx, h.ada.ID, h.eur, storage.PageRequest{})
	if err != nil || len(hist.Items) != wantPostings {
		t.Errorf("ledger: %d postings, %v; want %d", len(hist.Items), err, wantPostings)
	}
	// The store is still usable once the host's tx is over, and a rolled
	// back order can be recorded again.
	if !commit {
		if _, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "A-1", CustomerID: h.ada.ID, Number: "A-1", Total: total}); err != nil {
			t.Errorf("RecordPlaced after the rollback: %v", err)
		}
	}
}

// bindErrors checks that Clientele's usual errors inside a host's
// transaction leave it usable: on PostgreSQL a failed statement would abort
// the whole transaction, so the adapter must report these without one.
func bindErrors(t *testing.T, e Engine) {
	ctx := context.Background()
	h := newHostShop(t, e)
	total := Money(t, "25.00", "EUR")
	tx, err := h.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := h.insertOrder(ctx, tx, "B-1", total); err != nil {
		t.Fatal(err)
	}
	bound := clientele.New(h.store.Bind(tx))
	if _, err := bound.Orders.RecordPlaced(ctx, order.Params{ID: "B-1", CustomerID: uuid.New(), Number: "B-1", Total: total}); !errors.Is(err, customer.ErrNotFound) {
		t.Errorf("RecordPlaced for an unknown customer: %v, want customer.ErrNotFound", err)
	}
	if _, err := bound.Customers.Register(ctx, customer.Params{Email: "ada@example.com"}); !errors.Is(err, customer.ErrEmailTaken) {
		t.Errorf("Register a taken email: %v, want customer.ErrEmailTaken", err)
	}
	if _, err := bound.Balances.Debit(ctx, clientele.PostingRequest{CustomerID: h.ada.ID, Amount: total}); !errors.Is(err, balance.ErrInsufficientFunds) {
		t.Errorf("Debit beyond the balance: %v, want balance.ErrInsufficientFunds", err)
	}
	if _, err := bound.Orders.RecordPlaced(ctx, order.Params{ID: "B-1", CustomerID: h.ada.ID, Number: "B-1", Total: total}); err != nil {
		t.Errorf("RecordPlaced after the errors: %v", err)
	}
	if err := h.insertOrder(ctx, tx, "B-2", total); err != nil {
		t.Errorf("the host's next write after Clientele's errors: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
	if n := h.hostRows("B-1") + h.hostRows("B-2"); n != 2 {
		t.Errorf("host rows %d, want 2", n)
	}
	if c, err := h.svc.Customers.Get(ctx, h.ada.ID); err != nil || c.OrderCount != 1 {
		t.Errorf("customer order count %d, %v; want 1", c.OrderCount, err)
	}
}
