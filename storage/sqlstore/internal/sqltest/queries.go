package sqltest

import (
	"strconv"
	"strings"

	"github.com/clientele-go/clientele/storage/sqlstore"
)

// The SQL the repositories run for the operations that the benchmarks and
// the query-plan tests look at, written out by hand, raw: with {{prefix}}
// and ? placeholders, to render with sqlstore.Render. The benchmarks'
// hand-written baselines prepare exactly these texts, and the PostgreSQL
// plan test explains them. storage/sqlstore's queries_test.go runs each
// operation on a fresh store and checks that it ran exactly these texts,
// byte for byte, so they cannot drift from the repositories.
//
// Byte for byte, white space included: drivers cache prepared statements by
// their text (pgx names them after a hash of it), so a baseline that differs
// only in layout gets a server-side statement, and a plan history, of its
// own, and the comparison would measure PostgreSQL's plan cache instead of
// the adapter.

// CustomerColumns are the customers table's columns in the order the
// repository selects and inserts them.
const CustomerColumns = "id, email, email_display, has_account, status, state, type, first_name, last_name,\n\t" +
	"search_name, phone, company, vat_id, note, tags, metadata, reference, reference_origin, order_count,\n\t" +
	"created_at, updated_at, deleted_at, version, has_password"

// CustomerColumnsOf is CustomerColumns qualified with a table alias.
func CustomerColumnsOf(alias string) string {
	return qualify(CustomerColumns, alias)
}

// qualify prefixes each column of a column list with a table alias, on one
// line, as the repositories do.
func qualify(columns, alias string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// Customers.Get and Customers.GetByEmail.
const (
	GetCustomer        = `SELECT ` + CustomerColumns + ` FROM {{prefix}}customers WHERE id = ?`
	GetCustomerByEmail = `SELECT ` + CustomerColumns + " FROM {{prefix}}customers\n\t\tWHERE email = ? AND has_account = ? AND deleted_at IS NULL"
	// LookupCustomerByEmail is the statement of
	// storage.CustomerEmailLookup: the registered customer first.
	LookupCustomerByEmail = `SELECT ` + CustomerColumns + " FROM {{prefix}}customers\n\t\tWHERE email = ? AND deleted_at IS NULL ORDER BY has_account DESC LIMIT 1"
)

// GetCustomerByReference is the statement of Customers.GetByReference; its
// test that reference is not empty lets the planners use the partial index.
const GetCustomerByReference = `SELECT ` + CustomerColumns + " FROM {{prefix}}customers\n\t\tWHERE reference_origin = ? AND reference = ? AND deleted_at IS NULL AND reference <> ''"

// InsertCustomer is the statement of Customers.Create (for a customer
// without tags, its only statement).
func InsertCustomer(d sqlstore.Dialect) string {
	return d.InsertOrNothing(`INSERT INTO {{prefix}}customers (` + CustomerColumns + ", email_skeleton)\n\tVALUES (" + placeholders(25) + `)`)
}

// ListCustomersAfter is Customers.List with no filter but the default
// (live customers), after a cursor (args: created_at, created_at, id), for
// a page of size.
func ListCustomersAfter(size int) string {
	return `SELECT ` + CustomerColumnsOf("c") + ` FROM {{prefix}}customers c WHERE 1 = 1 AND c.deleted_at IS NULL` +
		` AND c.created_at >= ? AND (c.created_at, c.id) > (?, ?) ORDER BY c.created_at, c.id LIMIT ` + strconv.Itoa(size+1)
}

// ListGroupMembersAfter is Customers.List of a group's live members (args:
// group ID, cursor time, cursor time, cursor ID), for a page of size.
func ListGroupMembersAfter(size int) string {
	return `SELECT ` + CustomerColumnsOf("c") + ` FROM {{prefix}}customers c` +
		` JOIN {{prefix}}memberships m ON m.customer_id = c.id AND m.group_id = ?` +
		` WHERE 1 = 1 AND c.deleted_at IS NULL AND m.customer_created_at >= ? AND (m.customer_created_at, m.customer_id) > (?, ?)` +
		` ORDER BY m.customer_created_at, m.customer_id LIMIT ` + strconv.Itoa(size+1)
}

// ListGroupMembersAtAfter is Customers.List of a group's live members
// whose membership's window contains a time (args: group ID, time, time,
// cursor time, cursor time, cursor ID), for a page of size: the window is
// checked on the rows of the same index walk.
func ListGroupMembersAtAfter(size int) string {
	return `SELECT ` + CustomerColumnsOf("c") + ` FROM {{prefix}}customers c` +
		` JOIN {{prefix}}memberships m ON m.customer_id = c.id AND m.group_id = ?` +
		` WHERE 1 = 1 AND c.deleted_at IS NULL` +
		` AND (m.valid_from IS NULL OR m.valid_from <= ?) AND (m.valid_until IS NULL OR m.valid_until > ?)` +
		` AND m.customer_created_at >= ? AND (m.customer_created_at, m.customer_id) > (?, ?)` +
		` ORDER BY m.customer_created_at, m.customer_id LIMIT ` + strconv.Itoa(size+1)
}

// AddMemberInsert is Groups.AddMember's one statement (args: customer ID,
// group ID); its read locks the group and the customer (ForShare).
func AddMemberInsert(d sqlstore.Dialect) string {
	return d.InsertOrNothing("INSERT INTO {{prefix}}memberships (group_id, customer_id, group_created_at, customer_created_at)\n\t" +
		"SELECT g.id, c.id, g.created_at, c.created_at FROM {{prefix}}groups g\n\t" +
		"JOIN {{prefix}}customers c ON c.id = ? AND c.deleted_at IS NULL WHERE g.id = ?" + d.ForShare())
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// AccountColumns and PostingColumns are the balance tables' columns in the
// order the repository selects them.
const (
	AccountColumns = `id, customer_id, currency, balance, credit_limit, postings, created_at, updated_at, version`
	PostingColumns = "id, account_id, customer_id, sequence, kind, amount, ending_balance, reference,\n\t" +
		"idempotency_key, actor, note, created_at, expires_at"
)

// PostingColumnsOf is PostingColumns qualified with a table alias.
func PostingColumnsOf(alias string) string {
	return qualify(PostingColumns, alias)
}

// Post holds the statements of Balances.Post for a credit with an
// idempotency key and no lot due, in order, in one transaction:
// LockAccount, Apply, Insert, InsertLot. A debit locks with
// LockAccountForDebit instead, which reads the first open lot, where the
// dialect has it; it reads FirstOpenLots after its lock when that lot
// does not cover it (or the dialect lacks ForUpdateOf), and OpenLots when
// those do not either; it runs UpdateLot for each lot it takes from. ReadBack is
// not among them: the hand-written minimal post, which locks nothing
// before its UPDATE, needs it.
type Post struct {
	// LockCustomerAccount is LockAccount finding the account by customer
	// and currency (storage.AccountPosts; args: ID, key, now, customer ID,
	// currency).
	LockCustomerAccount string
	// FirstOpenLots reads, for update, the first 8 open lots in the
	// order a debit takes from them (args: account ID).
	FirstOpenLots string
	// LockAccountForDebit and LockCustomerAccountForDebit are
	// LockAccount and LockCustomerAccount for a debit where the dialect
	// implements sqlstore.ForUpdateOf ("" where it does not): they also
	// read the account's postings count in the statement's snapshot and
	// the first open lot (LotColumns but the account's, NULLs when there
	// is none), outer-joined.
	LockAccountForDebit, LockCustomerAccountForDebit string
	// LockAccount reads the account (AccountColumns) for update, and
	// whether a posting holds the posting's ID, then whether one holds
	// its idempotency key on the account, then whether the account's
	// customer (locked too) is deleted, then whether the account has a
	// lot due, as 1 or 0 (args: ID, key, now, account ID).
	LockAccount string
	// Apply moves the balance unless that breaks the floor (args: amount,
	// postings added, versions added, updated_at, account ID, amount).
	Apply string
	// ReadBack reads the new balance and postings count.
	ReadBack string
	// Insert appends the posting (PostingColumns).
	Insert string
	// InsertLot stores the lot of a credit (LotColumns, due_at).
	InsertLot string
	// OpenLots reads the account's lots with something left, for update
	// (args: account ID).
	OpenLots string
	// UpdateLot sets a lot's remaining and due_at (args: remaining,
	// due_at, ID).
	UpdateLot string
}

// LotColumns are the balance_lots columns in the order the adapter writes
// and reads them.
const LotColumns = "id, account_id, amount, remaining, expires_at, created_at, sequence"

// PostQueries returns the statements of Balances.Post.
func PostQueries(d sqlstore.Dialect) Post {
	return Post{
		LockAccount: `SELECT ` + qualify(AccountColumns, "a") + ",\n\t" +
			"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings WHERE id = ?) THEN 1 ELSE 0 END,\n\t" +
			"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings k WHERE k.account_id = a.id AND k.idempotency_key = ?) THEN 1 ELSE 0 END,\n\t" +
			"CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END,\n\t" +
			"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_lots l WHERE l.account_id = a.id AND l.remaining > 0 AND l.due_at <= ?) THEN 1 ELSE 0 END\n\t" +
			"FROM {{prefix}}balance_accounts a JOIN {{prefix}}customers c ON c.id = a.customer_id WHERE a.id = ?" + d.ForUpdate(),
		LockCustomerAccount: `SELECT ` + qualify(AccountColumns, "a") + ",\n\t" +
			"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings WHERE id = ?) THEN 1 ELSE 0 END,\n\t" +
			"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings k WHERE k.account_id = a.id AND k.idempotency_key = ?) THEN 1 ELSE 0 END,\n\t" +
			"CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END,\n\t" +
			"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_lots l WHERE l.account_id = a.id AND l.remaining > 0 AND l.due_at <= ?) THEN 1 ELSE 0 END\n\t" +
			"FROM {{prefix}}balance_accounts a JOIN {{prefix}}customers c ON c.id = a.customer_id WHERE a.customer_id = ? AND a.currency = ?" + d.ForUpdate(),
		Apply: "UPDATE {{prefix}}balance_accounts\n\tSET balance = balance + ?, postings = postings + ?, version = version + ?, updated_at = ?\n\t" +
			"WHERE id = ? AND balance + ? >= -credit_limit",
		ReadBack:  `SELECT balance, postings FROM {{prefix}}balance_accounts WHERE id = ?`,
		Insert:    d.InsertOrNothing(`INSERT INTO {{prefix}}balance_postings (` + PostingColumns + ")\n\tVALUES (" + placeholders(13) + `)`),
		InsertLot: `INSERT INTO {{prefix}}balance_lots (` + LotColumns + `, due_at) VALUES (` + placeholders(8) + `)`,
		OpenLots: `SELECT a.currency, ` + qualify(LotColumns, "l") + "\n\t\t" +
			"FROM {{prefix}}balance_lots l JOIN {{prefix}}balance_accounts a ON a.id = l.account_id\n\t\t" +
			"WHERE l.account_id = ? AND l.open_expires_at IS NOT NULL" + d.ForUpdate(),
		LockAccountForDebit:         lockForDebit(d, "WHERE a.id = ?"),
		LockCustomerAccountForDebit: lockForDebit(d, "WHERE a.customer_id = ? AND a.currency = ?"),
		FirstOpenLots: `SELECT a.currency, ` + qualify(LotColumns, "l") + "\n\t\t" +
			"FROM {{prefix}}balance_lots l JOIN {{prefix}}balance_accounts a ON a.id = l.account_id\n\t\t" +
			"WHERE l.account_id = ? AND l.open_expires_at IS NOT NULL ORDER BY l.open_expires_at, l.sequence LIMIT 8" + d.ForUpdate(),
		UpdateLot: `UPDATE {{prefix}}balance_lots SET remaining = ?, due_at = ? WHERE id = ?`,
	}
}

// lockForDebit returns LockAccountForDebit with where, or "" when d does
// not implement sqlstore.ForUpdateOf.
func lockForDebit(d sqlstore.Dialect, where string) string {
	of, ok := d.(sqlstore.ForUpdateOf)
	if !ok {
		return ""
	}
	return `SELECT ` + qualify(AccountColumns, "a") + ",\n\t" +
		"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings WHERE id = ?) THEN 1 ELSE 0 END,\n\t" +
		"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_postings k WHERE k.account_id = a.id AND k.idempotency_key = ?) THEN 1 ELSE 0 END,\n\t" +
		"CASE WHEN c.deleted_at IS NULL THEN 0 ELSE 1 END,\n\t" +
		"CASE WHEN EXISTS (SELECT 1 FROM {{prefix}}balance_lots l WHERE l.account_id = a.id AND l.remaining > 0 AND l.due_at <= ?) THEN 1 ELSE 0 END,\n\t" +
		"(SELECT s.postings FROM {{prefix}}balance_accounts s WHERE s.id = a.id),\n\t" +
		"f.id, f.amount, f.remaining, f.expires_at, f.created_at, f.sequence\n\t" +
		"FROM {{prefix}}balance_accounts a JOIN {{prefix}}customers c ON c.id = a.customer_id\n\t" +
		"LEFT JOIN {{prefix}}balance_lots f ON f.id = (SELECT o.id FROM {{prefix}}balance_lots o\n\t\t" +
		"WHERE o.account_id = a.id AND o.open_expires_at IS NOT NULL ORDER BY o.open_expires_at, o.sequence LIMIT 1) " + where + of.ForUpdateOf("a", "c")
}

// PostingByKey is Balances.PostingByKey (args: account ID, key).
const PostingByKey = "SELECT a.currency, p.id, p.account_id, p.customer_id, p.sequence, p.kind, p.amount, " +
	"p.ending_balance, p.reference, p.idempotency_key, p.actor, p.note, p.created_at, p.expires_at\n\t\t" +
	"FROM {{prefix}}balance_postings p JOIN {{prefix}}balance_accounts a ON a.id = p.account_id\n\t\t" +
	"WHERE p.account_id = ? AND p.idempotency_key = ?"

// PostingsAfter is Balances.Postings after a sequence number (args: account
// ID, sequence, sequence + size + 1), for a page of size.
func PostingsAfter(size int) string {
	return `SELECT a.currency, ` + PostingColumnsOf("p") +
		"\n\t\tFROM {{prefix}}balance_postings p JOIN {{prefix}}balance_accounts a ON a.id = p.account_id\n\t\t" +
		"WHERE p.account_id = ? AND p.sequence > ? AND p.sequence <= ? ORDER BY p.sequence LIMIT " + strconv.Itoa(size+1)
}

// The columns of the other lists' tables in the order their repositories
// select them.
const (
	GroupColumns    = `id, name, name_key, description, metadata, created_at, updated_at, version, owner_merchant_id`
	MerchantColumns = `id, name, billing_address, metadata, created_at, updated_at, version`
	MarketColumns   = "id, merchant_id, code, name, business_model, currency, price_list_ref, inventory_model_ref,\n\t" +
		"disabled, access_groups, metadata, created_at, updated_at, version, require_verified, tax_display"
	OrderColumns   = "id, customer_id, number, status, total, currency, market_id, channel, placed_at,\n\tcreated_at, updated_at"
	AddressColumns = "id, customer_id, first_name, last_name, company, line1, line2, city, postal_code,\n\t" +
		"province, country, phone, default_shipping, default_billing, created_at, updated_at"
)

// ListGroupsAfter is Groups.List with no filter after a cursor (args:
// created_at, created_at, id), for a page of size.
func ListGroupsAfter(size int) string {
	return `SELECT ` + qualify(GroupColumns, "g") + ` FROM {{prefix}}groups g WHERE g.created_at >= ? AND (g.created_at, g.id) > (?, ?)` +
		` ORDER BY g.created_at, g.id LIMIT ` + strconv.Itoa(size+1)
}

// ListMerchantsAfter is Merchants.List after a cursor (args: created_at,
// created_at, id), for a page of size.
func ListMerchantsAfter(size int) string {
	return `SELECT ` + MerchantColumns + ` FROM {{prefix}}merchants WHERE created_at >= ? AND (created_at, id) > (?, ?)` +
		` ORDER BY created_at, id LIMIT ` + strconv.Itoa(size+1)
}

// ListMarketsAfter is Markets.List with no filter after a cursor (args:
// created_at, created_at, id), for a page of size.
func ListMarketsAfter(size int) string {
	return `SELECT ` + qualify(MarketColumns, "m") + ` FROM {{prefix}}markets m WHERE 1 = 1` +
		` AND m.created_at >= ? AND (m.created_at, m.id) > (?, ?) ORDER BY m.created_at, m.id LIMIT ` + strconv.Itoa(size+1)
}

// ListOrdersAfter is Orders.List of a customer's orders after a cursor
// (args: customer ID, placed_at, placed_at, order ID), for a page of size.
func ListOrdersAfter(d sqlstore.Dialect, size int) string {
	id := d.Binary("id")
	return `SELECT ` + OrderColumns + ` FROM {{prefix}}orders WHERE customer_id = ? AND placed_at >= ? AND (placed_at, ` + id +
		`) > (?, ?) ORDER BY placed_at, ` + id + ` LIMIT ` + strconv.Itoa(size+1)
}

// AddressBook is the read of Addresses.Book's entries (args: customer ID);
// the repository checks first that the customer exists.
const AddressBook = `SELECT ` + AddressColumns + " FROM {{prefix}}addresses\n\t\tWHERE customer_id = ? ORDER BY created_at, id"

// EventColumns are the events table's columns in the order the outbox
// selects them.
const EventColumns = "pos, seq, id, type, aggregate, aggregate_id, customer_id, version, occurred_at,\n\tactor_kind, actor_id, schema_version, payload"

// InsertEvent is Events.Append of one event, its one statement.
func InsertEvent(d sqlstore.Dialect) string {
	return d.InsertOrNothing("INSERT INTO {{prefix}}events (id, type, aggregate, aggregate_id, customer_id, version,\n\t" +
		"occurred_at, actor_kind, actor_id, schema_version, payload) VALUES (" + placeholders(11) + ")")
}

// Claim holds the statements of Events.Claim that find what to read, on
// an engine whose plain reads after a lock see the latest commits
// (sqlstore.FreshAfterLock: PostgreSQL), in order (the UPDATE that numbers
// the events is built for each call and not among them).
type Claim struct {
	// LockSequencer reads the last sequence assigned, for update.
	LockSequencer string
	// LockConsumer reads the consumer's position and lease, for update
	// (args: name).
	LockConsumer string
	// NewEvents finds the events to number, in insertion order.
	NewEvents string
	// UpdateLastSeq moves the sequencer (args: last).
	UpdateLastSeq string
	// Batch reads the consumer's next events (args: position, max).
	Batch string
	// Lease takes the lease (args: holder, until, now, name).
	Lease string
}

// ClaimQueries returns the statements of Events.Claim for d as the
// repository runs them on a FreshAfterLock dialect; elsewhere it appends
// locking clauses to NewEvents and Batch (see sqlstore.FreshAfterLock),
// which leave their access paths as they are.
func ClaimQueries(d sqlstore.Dialect) Claim {
	return Claim{
		LockSequencer: `SELECT last_seq FROM {{prefix}}event_sequence WHERE id = 1` + d.ForUpdate(),
		LockConsumer:  `SELECT position, holder, lease_until FROM {{prefix}}event_consumers WHERE name = ?` + d.ForUpdate(),
		NewEvents:     `SELECT pos FROM {{prefix}}events WHERE seq IS NULL ORDER BY pos LIMIT 1000`,
		UpdateLastSeq: `UPDATE {{prefix}}event_sequence SET last_seq = ? WHERE id = 1`,
		Batch:         `SELECT ` + EventColumns + ` FROM {{prefix}}events WHERE seq > ? ORDER BY seq LIMIT ?`,
		Lease:         `UPDATE {{prefix}}event_consumers SET holder = ?, lease_until = ?, updated_at = ? WHERE name = ?`,
	}
}

// CustomerEventsAfter is Events.ByCustomer after a cursor (args: customer
// ID, pos), for a page of size.
func CustomerEventsAfter(size int) string {
	return `SELECT ` + qualify(EventColumns, "e") + " FROM {{prefix}}events e JOIN (SELECT pos FROM {{prefix}}events\n\t" +
		"WHERE customer_id = ? AND pos < ? ORDER BY pos DESC LIMIT " + strconv.Itoa(size+1) + ") k ON k.pos = e.pos ORDER BY e.pos DESC"
}

// PruneEvents is the read of Events.Prune that picks what to delete
// (args: lowest position, before, limit).
const PruneEvents = `SELECT pos FROM {{prefix}}events WHERE seq <= ? AND occurred_at < ? ORDER BY seq LIMIT ?`
