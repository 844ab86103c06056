// Package clientele is the customer domain of a Go commerce backend:
// customers (registered and guest), address books, groups, merchants and
// markets, store credit, password accounts, and each customer's order
// history and status. A
// host application (a shop, an order service, a B2B portal) embeds it and
// keeps its own orders, catalogue and checkout.
//
// # Layers
//
// Imports point one way, from the outside in:
//
//   - Domain packages (customer, address, group, merchant, market, balance,
//     order, credential, password) hold the entities, their validation, state machines and money
//     arithmetic. They do no I/O, never read the clock and never import
//     storage; their constructors take the ID and the time.
//   - storage is the contract adapters implement: one repository per
//     aggregate and [storage.Store.Atomic] for transactions. Rules that need
//     the data (a unique email, a balance floor, an idempotency key) are
//     enforced there, atomically.
//   - Adapters implement storage: storage/memory (in process; also the fake
//     for tests) and storage/sqlstore (PostgreSQL, SQLite, MySQL).
//     storage/storagetest is the conformance suite every adapter passes.
//   - This package holds the services: use cases that span several
//     aggregates in one transaction (register, pay an order with store
//     credit, record an order and advance the customer's status). [New]
//     wires them over a storage.Store; the [Service] fields group them by
//     aggregate.
//   - clienteletest helps host applications test: a memory store, a service
//     with a fixed clock and deterministic IDs, builders and Must helpers.
//
// # Quick start
//
//	store := memory.New() // or sqlstore.New(db, ...)
//	svc := clientele.New(store)
//
//	ada, err := svc.Customers.Register(ctx, customer.Params{Email: "Ada@Example.com", FirstName: "Ada"})
//	if errors.Is(err, customer.ErrEmailTaken) {
//		// a live registered customer has this email, in any spelling
//	}
//	_, err = svc.Balances.Credit(ctx, clientele.PostingRequest{
//		CustomerID: ada.ID, Amount: balance.FromMinorUnits(2000, eur), Kind: balance.KindGiftCard,
//		IdempotencyKey: "gift-card-GC-1",
//	})
//	pay, err := svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{
//		CustomerID: ada.ID, Total: total, Reference: "#1001", IdempotencyKey: "pay-1001",
//	})
//	// charge pay.Remaining by other means
//
// # Errors
//
// Errors are values, checked with errors.Is and errors.As, never by their
// text. The package that owns a rule exports its sentinel, and the services
// map storage's generic errors to it while keeping the cause reachable:
//
//   - not found: customer.ErrNotFound, group.ErrNotFound, market.ErrNotFound,
//     merchant.ErrNotFound, order.ErrNotFound, address.ErrNotFound,
//     balance.ErrAccountNotFound (each also unwraps to storage.ErrNotFound
//     when storage reported it);
//   - conflicts: customer.ErrEmailTaken, customer.ErrReferenceTaken,
//     group.ErrNameTaken, group.ErrInUse, market.ErrCodeTaken,
//     merchant.ErrHasMarkets, order.ErrOrderOwned,
//     balance.ErrIdempotencyKeyReused (each also unwraps to a
//     *storage.ConflictError naming the constraint, when storage reported it);
//   - rules: customer.ErrInvalidTransition, balance.ErrInsufficientFunds,
//     market.ErrAccessDenied;
//   - invalid input: a *ValidationError of the domain package naming the
//     field, which unwraps to that package's ErrInvalid.
//
// Every sentinel also unwraps to one category of package errcode, so a host
// maps any error to a response with one switch on errcode.Of(err) (and
// errcode.Code.HTTPStatus): not found, conflict, invalid, failed
// precondition, stale (IfVersion), denied, unavailable, commit unknown,
// unsupported. errcode.CommitUnknown means the write may or may not have
// committed: repeat it with the same IdempotencyKey to find out.
//
// # Pages, iterators and options
//
// Lists take a page.Request and return a page.Page; the All methods iterate
// over every page. Updates take IfVersion(v) for optimistic concurrency,
// creating calls IdempotencyKey(k) so that a retry returns the first
// result. Filters are domain values: customer.Filter, group.Filter,
// market.Filter.
//
// # Deleted and erased customers
//
// One rule: a deleted or erased customer is not found. Every service method
// that takes a customer ID answers customer.ErrNotFound for it, exactly as
// for an ID that never existed (state changes included: Enable on an
// erased customer is not found, not an invalid transition). The exceptions
// are the methods made for deleted records: Customers.GetAny reads a
// customer whatever its state, Customers.List and Customers.All list
// deleted ones with customer.Filter.IncludeDeleted (an erased customer's
// placeholder email works as Filter.Email), Customers.Erase erases a
// deleted customer (and is a no-op on an erased one), and
// Groups.RemoveMembers removes a deleted customer from a group.
//
// # Transactions and retries
//
// Each service method is one atomic step: a use case that writes several
// records runs them in one [storage.Store.Atomic] call, so a failure leaves
// nothing behind. A host can compose several calls into one transaction by
// calling them with the ctx of its own Atomic function: the calls join that
// transaction and commit or roll back with it.
//
// Batches are one transaction too: Groups.AddMembers and RemoveMembers report
// an unknown customer in that item's result and apply the others, rather
// than failing the whole batch or committing item by item. Customers.Erase
// scrubs the customer and empties the address book together, and
// Orders.Claim moves a guest's orders and updates the registered customer's
// status together.
//
// Adapters retry a transaction on serialization failures and deadlocks, so
// service methods are written to be safe to run again. Requests that move
// money take an idempotency key: repeating a request with the same key
// returns the first result instead of posting twice, which makes client
// retries safe too. CreateGuest and RecordPlaced are idempotent by nature.
//
// # Accounts
//
// [Accounts] signs customers in: [Accounts.Register] with a password
// (hashed with argon2id), [Accounts.Authenticate] (one error,
// credential.ErrInvalidCredentials, for every failure, with the same cost
// whatever the reason, and an exponential backoff after repeated failures),
// one-time tokens for password resets, activation, email verification and
// email changes (the caller mails the secret; storage keeps its hash), and
// external identities for SSO ([Accounts.LinkIdentity],
// [Accounts.AuthenticateIdentity]). A customer claims the orders of a guest
// checkout with a token sent to the guest's address ([Orders.RequestClaim],
// [Orders.AcceptClaim]); [Orders.Claim] is the staff path and needs a
// staff, app or system actor.
//
// # Events, actors and the audit trail
//
// Every write appends its domain events (package event: customer.registered,
// address.added, balance.credited...) to the store's outbox in the
// transaction that makes the change, so a change never commits without its
// events and a rolled-back change has none. [WithActor] puts who acts on the
// ctx (a customer, staff, an app, the system); events and postings record
// it. [Events] delivers them: durably to named consumers ([Events.Claim] and
// [Events.Ack], or the loop [Events.Consume]), at least once and in commit
// order, and in process to subscribers after commit ([Events.Subscribe]).
// [Events.Audit] reads a customer's audit trail from the same events, field
// by field, with personal values masked unless [ShowPersonalData] is given.
//
// # Time and IDs
//
// The service reads the time from [WithClock] (default time.Now) and stores
// it in UTC, truncated to microseconds, and takes IDs from [WithIDGenerator]
// (default: random version 7 UUIDs, which keep SQL indexes compact).
package clientele
