// Package storage is the contract between Clientele's services and the
// databases that hold its data, in the role database/sql/driver plays for
// database/sql.
//
// A [Store] hands out one repository per aggregate (customers, address books,
// groups, merchants, markets, balances, order history) and runs functions in
// a transaction with [Store.Atomic]. Adapters implement it:
// storage/memory (in-process, the fake for tests) and storage/sqlstore
// (PostgreSQL, SQLite, MySQL). The conformance suite storage/storagetest
// checks every promise made here against any adapter, including a host's own.
//
// # The rules adapters follow
//
//   - Values in, copies out. Adapters never keep a caller's pointer, map or
//     slice, and never return one the store still holds: mutating a value
//     returned by a repository never changes the store.
//   - Invariants that need storage are enforced by storage, atomically:
//     uniqueness (a live customer per canonical email and has_account, a
//     reference per origin, a group name, a market code, an idempotency key
//     per balance account), referential integrity, and the balance floor
//     (a posting is applied with one conditional write). Violations are
//     reported as a [*ConflictError] naming the [Constraint], or as
//     [ErrNotFound] for a missing referenced record; the services map them to
//     the domain's sentinels (customer.ErrEmailTaken, ...).
//   - Read-modify-write of one record goes through an updater closure
//     (Update(ctx, id, fn)): the domain decides inside fn, the adapter makes
//     the whole step atomic and bumps the record's Version. If fn returns an
//     error, nothing is written and that error is returned unchanged. fn
//     cannot change the record's identity: the adapter keeps the stored ID
//     and CreatedAt and sets Version itself, whatever fn does. When the
//     record does not exist, fn is not called and the error is ErrNotFound.
//   - Lists use keyset pagination: a [PageRequest] carries an opaque cursor
//     and a limit, a [Page] returns the items and the cursor of the next page
//     (empty on the last page). Orders are stable and documented per method.
//   - Times are stored and returned in UTC, with at least microsecond
//     precision; amounts are exact (integer minor units in SQL).
//   - Errors wrap their cause with %w so that errors.Is and errors.As reach
//     both the sentinel and the driver's error. Their text quotes every
//     caller value with [Quote] (bounded, no raw control characters) and
//     carries no connection details (user, database, host).
//   - Arguments are bounded: lookup keys and filter strings by [MaxKeyBytes],
//     filter tags by [MaxFilterTags], ID lists by [MaxIDs]. Adapters check
//     them first, with [CheckKey], [CheckIDs] and [CheckCustomerFilter], and
//     return a [*LimitError] ([ErrTooLarge]) without touching the database.
//
// # Capabilities
//
// The core contract (Store, Tx, Repositories) stays as it is; each
// aggregate added after it is an optional interface that a Store (and the
// Tx its Atomic gives, or one of its repositories) may also implement, in
// the manner of database/sql/driver's and io/fs's optional interfaces. The
// services find a capability with a type assertion and, when the store
// lacks it, return an error that unwraps to errcode.Unsupported instead of
// failing to compile: an adapter written against an older contract keeps
// building and working for everything it does implement. storagetest runs
// a capability's cases only on adapters that have it, and says so.
//
// The capabilities: Idempotency (on a Store and on a Tx: idempotency
// records for creating requests), CustomerSkeletons (on a Customers
// repository: look-alike email lookups), Outbox (on a Store and on a Tx:
// the events of committed changes, consumers with durable cursors and
// leases, and the per-customer audit trail) and CommitHooks (on a Store:
// functions run after a transaction commits, for in-process subscribers).
// Wallets (saved payment sources, written whole under the customer's
// lock) and Subscriptions (references to the host's subscriptions) are
// capabilities on a Store and on a Tx too; CreditLots (on a Balances
// repository: the lots of expiring store credit, kept by Post, and the
// expiry of due lots) came later, with Authentication (see its doc);
// Companies (on a Store and on a Tx: B2B companies, members, spend
// reservations under the member's lock, approvals) last.
// expiry of due lots) came later, with Authentication (see its doc).
// MerchantRoles (on a Store and on a Tx: merchants' members under the
// merchant's lock, operator staff, vendors' own customers and owned
// groups) followed.
// Privacy (on a Store and on a Tx: event payloads rewritten by an
// erasure, and the durable erasure records) came with issue 13.
// PricingSnapshots (on a Store and on a Tx: everything a pricing context
// is decided from, read at once: one SQL statement) came after Pricing.
// storage/memory has all of them. An adapter that implements one
// implements it on the Store and on the Tx alike, so that it joins
// transactions as the repositories do.
package storage
