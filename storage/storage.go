package storage

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
)

// Store is a database of one organization's customer domain. It is safe for
// concurrent use by multiple goroutines.
//
// The repositories a Store returns run each call as its own atomic step. A
// call whose ctx was handed out by Atomic joins that transaction instead, so
// that a service can compose helpers that take a ctx without threading the Tx
// through.
type Store interface {
	Repositories

	// Atomic runs fn in one transaction: either every write fn makes through
	// tx is committed, or none is. If fn returns an error (or panics), the
	// transaction is rolled back and Atomic returns fn's error unchanged (or
	// re-panics), unless ctx has ended (see below).
	//
	// Adapters retry fn, with backoff bounded by ctx, when the database
	// reports a serialization failure or a deadlock, so fn must be safe to
	// run more than once and must not keep effects outside tx (no channel
	// sends, no counters) that a retry would repeat.
	//
	// A Tx, and the ctx fn is given, are for one goroutine at a time, like
	// a *sql.Tx's connection.
	//
	// fn must make its calls with the ctx it is given (or through tx): a
	// call with an unrelated ctx runs outside the transaction, and may wait
	// for it to end (the memory adapter's lock, SQLite's write lock); such
	// a wait ends after the adapter's lock timeout with an error wrapping
	// ErrLockTimeout.
	//
	// If ctx ends before the transaction commits, nothing is committed and
	// the error wraps ctx.Err() (errors.Is(err, context.Canceled) or
	// context.DeadlineExceeded), whatever fn returned. If the connection is
	// lost before the commit was sent, the transaction did not commit and
	// adapters run fn again, like after a serialization failure. If the
	// connection is lost, or ctx ends, while the commit is under way, the
	// outcome is unknown and the error wraps ErrCommitUnknown (and the
	// cause, and ctx.Err() when ctx ended).
	//
	// Calling Atomic with a ctx that an enclosing Atomic passed to its fn
	// joins the enclosing transaction: fn runs inside it and nothing is
	// committed until the outermost fn returns. If the nested fn returns an
	// error, its own writes are undone (a savepoint) and the enclosing fn
	// may carry on: the writes of a failed Atomic never commit, whether or
	// not the enclosing one fails too. A nested Atomic is not retried on
	// its own; a serialization failure fails the outermost transaction,
	// which is retried as a whole.
	//
	// Inside a transaction, a repository call that returns an error has
	// written nothing, or, where it cannot undo a write it made before it
	// failed (the database itself failed, or a conflict surfaced halfway),
	// it has lost the transaction: Atomic then rolls back and returns that
	// error whatever fn returns. Either way a failed call never commits
	// half of its change. A nested Atomic whose fn fails or panics undoes
	// its own writes.
	//
	// The Tx is valid only while fn runs; using it afterwards returns an
	// error wrapping ErrTxDone.
	Atomic(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
}

// Tx gives the repositories of one transaction. Reads through a Tx see the
// transaction's own writes.
type Tx interface {
	Repositories
}

// Repositories gives one repository per aggregate.
//
// Every write checks the record it is about to store with the domain's
// Validate (for a new balance account, balance.Account.ValidateNew; for an
// address book, each entry's Validate) and returns that error, which
// unwraps to the domain package's ErrInvalid, without writing anything.
//
// Times are stored in UTC with microsecond precision (what every SQL engine
// keeps): a write cuts finer times to the microsecond and returns the
// record as a read will return it.
//
// Reads inside a transaction may come from the transaction's snapshot (InnoDB
// at REPEATABLE READ keeps the one taken at its first read), so a write never
// trusts them: every read-modify-write (the Update methods, UpdateBook,
// UpdateAccount, Post) reads what it changes with the lock it writes under
// and so sees the latest committed state, and a concurrent change of
// another field of the record is never lost. Likewise every write to a
// customer's data (UpdateBook, AddMember, CreateAccount, Post, Orders.Create,
// and Orders.Update moving an order to another customer) checks, under the
// lock it writes with, that the customer exists and is not deleted, and
// returns an error wrapping ErrCustomerNotLive (and so ErrNotFound)
// otherwise: a write racing a delete or an erasure either fails or commits
// before it.
//
// Every method that takes a lookup key, a filter or a list of IDs checks it
// against the bounds MaxKeyBytes, MaxFilterTags and MaxIDs first and
// returns a *LimitError (unwrapping to ErrTooLarge) without touching the
// database when it is beyond them; inside a transaction such a call leaves
// the transaction usable. Error messages quote every caller value they
// echo with Quote: bounded in length, without raw control characters.
type Repositories interface {
	Customers() Customers
	Addresses() Addresses
	Groups() Groups
	Merchants() Merchants
	Markets() Markets
	Balances() Balances
	Orders() Orders
}

// Customers stores customers.
//
// Uniqueness among live customers (DeletedAt == nil): one customer per
// (canonical Email.Address, HasAccount), and one per (ReferenceOrigin,
// Reference) when Reference is set. Deleted customers keep their row (their
// orders and postings still point at it) but release both keys.
type Customers interface {
	// Create inserts c and returns the stored copy with Version 1.
	// Errors: *ConflictError with ConstraintPrimaryKey, ConstraintCustomerEmail
	// or ConstraintCustomerReference; nothing is written then.
	Create(ctx context.Context, c customer.Customer) (customer.Customer, error)

	// Get returns the customer with the given ID, deleted or not, or
	// ErrNotFound.
	Get(ctx context.Context, id uuid.UUID) (customer.Customer, error)

	// GetByEmail returns the live customer with the canonical email address
	// and has_account flag, or ErrNotFound. The lookup is byte-exact on the
	// canonical form; callers canonicalize first. Errors: ErrNotFound;
	// *LimitError when canonicalEmail is longer than MaxKeyBytes.
	GetByEmail(ctx context.Context, canonicalEmail string, hasAccount bool) (customer.Customer, error)

	// GetByReference returns the live customer with the external reference,
	// or ErrNotFound. Errors: ErrNotFound; *LimitError when origin or
	// reference is longer than MaxKeyBytes.
	GetByReference(ctx context.Context, origin, reference string) (customer.Customer, error)

	// Update reads the customer (deleted or not), calls fn on a copy, and
	// stores the result with Version incremented, atomically with respect to
	// every other write of that customer. The adapter keeps the stored ID
	// and CreatedAt and sets Version itself. If fn returns an error, nothing
	// is written and that error is returned as is. Errors: ErrNotFound, and
	// the *ConflictError values of Create for the email and reference keys.
	Update(ctx context.Context, id uuid.UUID, fn func(*customer.Customer) error) (customer.Customer, error)

	// List returns the customers that match f, ordered by (CreatedAt, ID)
	// ascending, one page at a time. Errors: ErrInvalidCursor; *LimitError
	// when f exceeds a bound (see CheckCustomerFilter).
	List(ctx context.Context, f CustomerFilter, p PageRequest) (Page[customer.Customer], error)
}

// CustomerFilter selects customers in Customers.List; see customer.Filter.
// Adapters receive it normalized (customer.Filter.Normalize): Email
// canonical, Tags in stored form. Name matches when SearchKey(Name) is a
// substring of SearchKey(FirstName + " " + LastName), a case-insensitive
// substring match that behaves the same in every adapter.
type CustomerFilter = customer.Filter

// Addresses stores each customer's address book.
type Addresses interface {
	// Book returns the customer's address book, ordered by (CreatedAt, ID);
	// a customer without addresses has an empty book. Errors: ErrNotFound
	// when the customer does not exist.
	Book(ctx context.Context, customerID uuid.UUID) (address.Book, error)

	// UpdateBook reads the book, calls fn on a copy, and stores the
	// difference (added, changed and removed entries) atomically with respect
	// to every other write of that book: the adapter locks the book (the
	// customer's record is its lock, taken even for an empty book) before it
	// reads it, so concurrent calls serialize and each sees the others'
	// committed changes. If fn returns an error, nothing is written and that
	// error is returned as is.
	//
	// A deleted customer's book may only lose entries (an erasure empties
	// it): a result that adds or changes an entry returns an error wrapping
	// ErrCustomerNotLive and writes nothing; so does any call for a customer
	// that does not exist. The check is made under the book's lock.
	//
	// Errors: ErrCustomerNotLive (ErrNotFound) as above; a *ConflictError
	// with ConstraintPrimaryKey when an entry ID is taken, or with
	// ConstraintAddressDefault if the result would hold two default shipping
	// or two default billing addresses (the adapter enforces the rule even if
	// fn breaks it). Concurrent calls never meet ConstraintAddressDefault
	// because of each other: they are serialized by the book's lock.
	UpdateBook(ctx context.Context, customerID uuid.UUID, fn func(*address.Book) error) (address.Book, error)
}

// Groups stores customer groups and their memberships.
type Groups interface {
	// Create inserts g and returns the stored copy with Version 1. Errors:
	// *ConflictError with ConstraintPrimaryKey or ConstraintGroupName (the
	// name key, group.NameKey, is unique).
	Create(ctx context.Context, g group.Group) (group.Group, error)

	// Get returns the group or ErrNotFound.
	Get(ctx context.Context, id uuid.UUID) (group.Group, error)

	// GetByName returns the group no merchant owns whose name key equals
	// group.NameKey(name), or ErrNotFound (names are unique per owner, see
	// group.Group.Key; a vendor's groups are not found by name here). Errors: ErrNotFound; *LimitError when name is longer
	// than MaxKeyBytes.
	GetByName(ctx context.Context, name string) (group.Group, error)

	// Update reads the group, calls fn on a copy and stores the result with
	// Version incremented. Errors: ErrNotFound; *ConflictError with
	// ConstraintGroupName; fn's error as is (nothing written).
	Update(ctx context.Context, id uuid.UUID, fn func(*group.Group) error) (group.Group, error)

	// Delete removes the group and its memberships. Errors: ErrNotFound; a
	// *ConflictError with ConstraintMarketAccessGroup when a market restricts
	// access to the group (nothing is deleted then).
	Delete(ctx context.Context, id uuid.UUID) error

	// List returns groups ordered by (CreatedAt, ID) ascending. With
	// f.MemberID set it returns only the groups that customer belongs to.
	// Errors: ErrInvalidCursor.
	List(ctx context.Context, f GroupFilter, p PageRequest) (Page[group.Group], error)

	// AddMember makes the customer a member of the group. It reports whether
	// the membership is new; adding an existing member is not an error.
	// Errors: ErrNotFound when the group does not exist; an error wrapping
	// ErrCustomerNotLive when the customer does not exist or is deleted
	// (checked under a lock on the customer, see Repositories).
	AddMember(ctx context.Context, groupID, customerID uuid.UUID) (added bool, err error)

	// RemoveMember ends a membership and reports whether there was one.
	// Errors: ErrNotFound when the group does not exist.
	RemoveMember(ctx context.Context, groupID, customerID uuid.UUID) (removed bool, err error)

	// MemberOf returns, in ascending byte order, the IDs among groupIDs that
	// the customer belongs to (market access checks ask about a market's
	// groups only). Unknown IDs are simply not members. Errors: *LimitError
	// when groupIDs holds more than MaxIDs IDs.
	MemberOf(ctx context.Context, customerID uuid.UUID, groupIDs []uuid.UUID) ([]uuid.UUID, error)
}

// GroupFilter selects groups in Groups.List; see group.Filter.
type GroupFilter = group.Filter

// Merchants stores merchants.
type Merchants interface {
	// Create inserts m and returns the stored copy with Version 1. Errors:
	// *ConflictError with ConstraintPrimaryKey.
	Create(ctx context.Context, m merchant.Merchant) (merchant.Merchant, error)
	// Get returns the merchant or ErrNotFound.
	Get(ctx context.Context, id uuid.UUID) (merchant.Merchant, error)
	// Update reads the merchant, calls fn on a copy and stores the result
	// with Version incremented. Errors: ErrNotFound; fn's error as is.
	Update(ctx context.Context, id uuid.UUID, fn func(*merchant.Merchant) error) (merchant.Merchant, error)
	// Delete removes the merchant. Errors: ErrNotFound; *ConflictError with
	// ConstraintMerchantMarkets while it still owns markets.
	Delete(ctx context.Context, id uuid.UUID) error
	// List returns merchants ordered by (CreatedAt, ID) ascending.
	List(ctx context.Context, p PageRequest) (Page[merchant.Merchant], error)
}

// Markets stores markets and their access groups.
type Markets interface {
	// Create inserts m and returns the stored copy with Version 1. Errors:
	// *ConflictError with ConstraintPrimaryKey or ConstraintMarketCode;
	// ErrNotFound when the merchant or one of the access groups does not
	// exist.
	Create(ctx context.Context, m market.Market) (market.Market, error)
	// Get returns the market or ErrNotFound.
	Get(ctx context.Context, id uuid.UUID) (market.Market, error)
	// GetByCode returns the market with the (normalized) code or ErrNotFound.
	// Errors: ErrNotFound; *LimitError when code is longer than MaxKeyBytes.
	GetByCode(ctx context.Context, code string) (market.Market, error)
	// Update reads the market, calls fn on a copy and stores the result with
	// Version incremented. Errors: those of Create, and fn's error as is.
	Update(ctx context.Context, id uuid.UUID, fn func(*market.Market) error) (market.Market, error)
	// Delete removes the market. Errors: ErrNotFound.
	Delete(ctx context.Context, id uuid.UUID) error
	// List returns markets ordered by (CreatedAt, ID) ascending.
	List(ctx context.Context, f MarketFilter, p PageRequest) (Page[market.Market], error)
}

// MarketFilter selects markets in Markets.List; see market.Filter.
type MarketFilter = market.Filter

// Balances stores store-credit accounts and their append-only ledgers.
//
// The ledger is the truth: an account's Balance always equals the sum of its
// postings, its Postings counter equals their number, and no posting's
// EndingBalance is below the account's floor at the time it was applied.
type Balances interface {
	// CreateAccount inserts a and returns the stored copy with Version 1.
	// Errors: *ConflictError with ConstraintPrimaryKey or
	// ConstraintBalanceAccount (one account per customer and currency); an
	// error wrapping ErrCustomerNotLive (ErrNotFound) when the customer does
	// not exist or is deleted.
	CreateAccount(ctx context.Context, a balance.Account) (balance.Account, error)

	// GetAccount returns the account or ErrNotFound. Called in a
	// transaction, it locks the account until the transaction ends (a
	// locking read, which sees the latest committed state), so that a
	// posting computed from what it returns (Balances.ApplyToOrder's
	// min(available, total)) still fits when it is applied.
	GetAccount(ctx context.Context, id uuid.UUID) (balance.Account, error)

	// AccountFor returns the customer's account in the currency, or
	// ErrNotFound. Called in a transaction, it locks the account as
	// GetAccount does.
	AccountFor(ctx context.Context, customerID uuid.UUID, c balance.Currency) (balance.Account, error)

	// Accounts returns all of the customer's accounts ordered by currency
	// code.
	Accounts(ctx context.Context, customerID uuid.UUID) ([]balance.Account, error)

	// UpdateAccount reads the account, calls fn on a copy and stores the
	// result with Version incremented. Only the credit limit and UpdatedAt
	// may change this way (balances move only through Post); the adapter
	// returns an error wrapping ErrConflict if fn changes anything else, and
	// the *balance.ValidationError of balance.Account.Validate if the result
	// is invalid (a negative limit, or one that leaves the balance below the
	// floor). Errors: ErrNotFound; an error wrapping ErrCustomerNotLive when
	// the account's customer is deleted (checked under the account's lock);
	// fn's error as is. Nothing is written on error.
	UpdateAccount(ctx context.Context, id uuid.UUID, fn func(*balance.Account) error) (balance.Account, error)

	// Post appends p to the ledger of account p.AccountID and moves the
	// balance, as one atomic conditional write: the posting is applied only
	// if the new balance stays at or above the account's floor. The adapter
	// assigns Sequence and EndingBalance (through balance.Account.Apply) and
	// returns the stored posting. A posting of zero (balance.Posting allows
	// it only for an order payment with an idempotency key) moves nothing
	// but takes its sequence number and key like any other. Errors:
	// ErrNotFound for a missing account; an error wrapping
	// ErrCustomerNotLive when the account's customer is deleted (checked
	// under the account's lock); an error wrapping
	// balance.ErrInsufficientFunds or
	// balance.ErrCurrencyMismatch; *ConflictError with ConstraintPrimaryKey,
	// or ConstraintIdempotencyKey when the account already has a posting
	// with p.IdempotencyKey. Nothing is written on error.
	Post(ctx context.Context, p balance.Posting) (balance.Posting, error)

	// PostingByKey returns the account's posting with the idempotency key, or
	// ErrNotFound. Errors: ErrNotFound; *LimitError when idempotencyKey is
	// longer than MaxKeyBytes.
	PostingByKey(ctx context.Context, accountID uuid.UUID, idempotencyKey string) (balance.Posting, error)

	// Postings returns the account's ledger ordered by Sequence ascending.
	// Errors: ErrNotFound for a missing account; ErrInvalidCursor.
	Postings(ctx context.Context, accountID uuid.UUID, p PageRequest) (Page[balance.Posting], error)
}

// Orders stores each customer's order history.
type Orders interface {
	// Create inserts o and returns the stored copy. Errors: *ConflictError
	// with ConstraintOrderID when an order with o.ID exists (for any
	// customer); an error wrapping ErrCustomerNotLive (ErrNotFound) when the
	// customer does not exist or is deleted.
	Create(ctx context.Context, o order.Order) (order.Order, error)
	// Get returns the order with the host's order ID, or ErrNotFound.
	// Errors: ErrNotFound; *LimitError when id is longer than MaxKeyBytes
	// (as for Update).
	Get(ctx context.Context, id string) (order.Order, error)
	// Update reads the order, calls fn on a copy and stores the result,
	// keeping the stored ID and CreatedAt. fn may move the order to another
	// customer (order.Order.Reassign, for claims); the order then leaves the
	// old customer's history and joins the new one's; the new customer must
	// be live (an error wrapping ErrCustomerNotLive otherwise). Other changes
	// (a status) are allowed on the orders of a deleted customer, whose
	// history is kept. Errors: ErrNotFound for a missing order; fn's error as
	// is.
	Update(ctx context.Context, id string, fn func(*order.Order) error) (order.Order, error)
	// List returns the customer's orders ordered by (PlacedAt, ID) ascending.
	List(ctx context.Context, customerID uuid.UUID, p PageRequest) (Page[order.Order], error)
}
