package memory

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/google/btree"
	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

const btreeDegree = 32

// timeKey orders records by (time, ID): the order of every list.
type timeKey struct {
	at time.Time
	id uuid.UUID
}

func lessTimeKey(a, b timeKey) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return bytes.Compare(a.id[:], b.id[:]) < 0
}

func newTimeIndex() *btree.BTreeG[timeKey] {
	return btree.NewG(btreeDegree, lessTimeKey)
}

// orderKey orders a customer's orders by (PlacedAt, host order ID).
type orderKey struct {
	at time.Time
	id string
}

func lessOrderKey(a, b orderKey) bool {
	if !a.at.Equal(b.at) {
		return a.at.Before(b.at)
	}
	return a.id < b.id
}

type refKey struct{ origin, reference string }

type accountKey struct {
	customerID uuid.UUID
	currency   string
}

type postingKey struct {
	accountID uuid.UUID
	key       string
}

// db holds the tables and their indexes. Stored values are private copies.
type db struct {
	customers     customerTable          // see customertable.go
	customerOrder *btree.BTreeG[custKey] // every customer, by (CreatedAt, ID)
	// The indexes of live customers map to positions in customers, and
	// share the records' strings. Those by email and by skeleton have one
	// map for each value of HasAccount (see b2i).
	customerByEmail [2]map[string]uint32 // by canonical address
	customerByRef   map[refKey]uint32
	// skeletonOne and skeletonMany index live customers by
	// customer.EmailSkeleton: a skeleton one customer has maps to its
	// position; one that several have, to a tree of them in (CreatedAt,
	// ID) order.
	skeletonOne  [2]map[skelKey]uint32
	skeletonMany [2]map[skelKey]*btree.BTreeG[custKey]

	books        map[uuid.UUID]address.Book // by customer ID; absent when empty
	addressOwner map[uuid.UUID]uuid.UUID    // address entry ID -> customer ID: entry IDs are unique store-wide

	groups      map[uuid.UUID]group.Group
	groupOrder  *btree.BTreeG[timeKey]
	groupByName map[string]uuid.UUID
	members     map[uuid.UUID]*btree.BTreeG[timeKey] // group ID -> members by customer (CreatedAt, ID)
	memberOf    map[uuid.UUID]*btree.BTreeG[timeKey] // customer ID -> groups by group (CreatedAt, ID)
	windows     map[groupMember]group.Validity       // the windows of the timed memberships only

	merchants     map[uuid.UUID]merchant.Merchant
	merchantOrder *btree.BTreeG[timeKey]

	markets           map[uuid.UUID]market.Market
	marketOrder       *btree.BTreeG[timeKey]
	marketByCode      map[string]uuid.UUID
	marketsByGroup    map[uuid.UUID]map[uuid.UUID]struct{}
	marketsByMerchant map[uuid.UUID]map[uuid.UUID]struct{}

	accounts          map[uuid.UUID]balance.Account
	accountByCustomer map[accountKey]uuid.UUID
	accountsOf        map[uuid.UUID]map[string]uuid.UUID // customer ID -> currency code -> account ID
	ledgers           map[uuid.UUID][]balance.Posting    // by account; index = Sequence-1
	postingIDs        map[uuid.UUID]struct{}
	postingByKey      map[postingKey]int64 // -> Sequence

	lots     map[uuid.UUID]balance.Lot           // credit lots by ID
	lotsOf   map[uuid.UUID][]uuid.UUID           // account ID -> its lot IDs, in creation order
	openLots map[uuid.UUID]*btree.BTreeG[lotKey] // account ID -> its lots with something left, in consumption order
	dueLots  *btree.BTreeG[timeKey]              // expiring lots with something left, by (ExpiresAt, ID)

	orders           map[string]order.Order
	ordersByCustomer map[uuid.UUID]*btree.BTreeG[orderKey]

	details    map[detailKey]storage.OrderDetail
	detailsOf  map[detailList]map[string]struct{} // (order, kind) -> detail IDs
	stats      map[accountKey]order.Stats         // (customer, currency code)
	statsOf    map[uuid.UUID]map[string]struct{}  // customer -> currency codes
	spendIndex map[string]*btree.BTreeG[spendKey] // currency code -> (spent desc, customer)

	idempotency map[idempotencyKey]storage.IdempotencyRecord

	events           *btree.BTreeG[event.Event]         // the outbox, by Sequence
	eventIDs         map[uuid.UUID]int64                // event ID -> Sequence
	eventsByCustomer map[uuid.UUID]*btree.BTreeG[int64] // customer ID -> Sequences, newest first
	lastSequence     int64                              // the last Sequence assigned
	consumers        map[string]consumer

	credentials map[uuid.UUID]credential.Credentials        // by customer ID; identities inside
	identities  map[identityKey]credential.Identity         // (provider, subject) -> identity
	tokens      map[credential.TokenHash]credential.Token   // by hash
	tokenIDs    map[uuid.UUID]credential.TokenHash          // token ID -> hash
	tokensOf    map[uuid.UUID]map[credential.TokenHash]bool // customer ID -> hashes of its tokens

	tombstones  map[uuid.UUID]customer.Tombstone // by merged customer ID
	wallets     map[uuid.UUID]wallet.Wallet      // by customer ID; absent when empty
	sourceOwner map[uuid.UUID]uuid.UUID          // payment source ID -> customer ID

	subscriptions  map[string]subscription.Subscription
	subsByCustomer map[uuid.UUID]*btree.BTreeG[orderKey] // (CreatedAt, ID)
	subsBySource   map[uuid.UUID]map[string]bool         // payment source ID -> subscription IDs

	companies       map[uuid.UUID]company.Company
	companyByDomain map[string]uuid.UUID
	companyMembers  map[uuid.UUID]map[uuid.UUID]company.Member // company ID -> customer ID -> member
	memberOfCompany map[uuid.UUID]map[uuid.UUID]bool           // customer ID -> company IDs
	reservations    map[string]company.Reservation             // by order ID
	reservationsOf  map[memberKey]map[string]bool              // (company, customer) -> order IDs
	approvals       map[uuid.UUID]company.Approval
	approvalByOrder map[string]uuid.UUID
	approvalsOf     map[uuid.UUID]map[uuid.UUID]bool // company ID -> approval IDs
	verifications   map[verification.Subject]verification.Verification
	reviews         map[verification.Subject][]verification.Review // by subject, Version order
	verifyByStatus  map[verifyList]*btree.BTreeG[timeKey]          // (kind, status) -> (UpdatedAt, ID)
	roles           roles                                          // marketplace roles (marketplace.go)
	erasures        map[uuid.UUID]privacy.Erasure                  // by customer ID (privacy.go)
	consents        consentTables                                  // consent histories (consents.go)

	segments     map[uuid.UUID]segment.Segment // by ID
	segmentOrder *btree.BTreeG[timeKey]        // by (CreatedAt, ID)

	groupRefs   map[uuid.UUID]pricing.Refs // host references by group ID; absent when none (pricing.go)
	segmentRefs map[uuid.UUID]pricing.Refs // host references by segment ID; absent when none
}

type identityKey struct{ provider, subject string }

func newDB() *db {
	return &db{
		customers:         newCustomerTable(),
		customerOrder:     newCustIndex(),
		customerByEmail:   [2]map[string]uint32{{}, {}},
		customerByRef:     map[refKey]uint32{},
		skeletonOne:       [2]map[skelKey]uint32{{}, {}},
		skeletonMany:      [2]map[skelKey]*btree.BTreeG[custKey]{{}, {}},
		books:             map[uuid.UUID]address.Book{},
		addressOwner:      map[uuid.UUID]uuid.UUID{},
		groups:            map[uuid.UUID]group.Group{},
		groupOrder:        newTimeIndex(),
		groupByName:       map[string]uuid.UUID{},
		members:           map[uuid.UUID]*btree.BTreeG[timeKey]{},
		memberOf:          map[uuid.UUID]*btree.BTreeG[timeKey]{},
		windows:           map[groupMember]group.Validity{},
		merchants:         map[uuid.UUID]merchant.Merchant{},
		merchantOrder:     newTimeIndex(),
		markets:           map[uuid.UUID]market.Market{},
		marketOrder:       newTimeIndex(),
		marketByCode:      map[string]uuid.UUID{},
		marketsByGroup:    map[uuid.UUID]map[uuid.UUID]struct{}{},
		marketsByMerchant: map[uuid.UUID]map[uuid.UUID]struct{}{},
		accounts:          map[uuid.UUID]balance.Account{},
		accountByCustomer: map[accountKey]uuid.UUID{},
		accountsOf:        map[uuid.UUID]map[string]uuid.UUID{},
		ledgers:           map[uuid.UUID][]balance.Posting{},
		postingIDs:        map[uuid.UUID]struct{}{},
		postingByKey:      map[postingKey]int64{},
		lots:              map[uuid.UUID]balance.Lot{},
		lotsOf:            map[uuid.UUID][]uuid.UUID{},
		openLots:          map[uuid.UUID]*btree.BTreeG[lotKey]{},
		dueLots:           newTimeIndex(),
		orders:            map[string]order.Order{},
		ordersByCustomer:  map[uuid.UUID]*btree.BTreeG[orderKey]{},
		details:           map[detailKey]storage.OrderDetail{},
		detailsOf:         map[detailList]map[string]struct{}{},
		stats:             map[accountKey]order.Stats{},
		statsOf:           map[uuid.UUID]map[string]struct{}{},
		spendIndex:        map[string]*btree.BTreeG[spendKey]{},
		idempotency:       map[idempotencyKey]storage.IdempotencyRecord{},
		events:            newEventTree(),
		eventIDs:          map[uuid.UUID]int64{},
		eventsByCustomer:  map[uuid.UUID]*btree.BTreeG[int64]{},
		consumers:         map[string]consumer{},
		credentials:       map[uuid.UUID]credential.Credentials{},
		identities:        map[identityKey]credential.Identity{},
		tokens:            map[credential.TokenHash]credential.Token{},
		tokenIDs:          map[uuid.UUID]credential.TokenHash{},
		tokensOf:          map[uuid.UUID]map[credential.TokenHash]bool{},
		tombstones:        map[uuid.UUID]customer.Tombstone{},
		wallets:           map[uuid.UUID]wallet.Wallet{},
		sourceOwner:       map[uuid.UUID]uuid.UUID{},
		subscriptions:     map[string]subscription.Subscription{},
		subsByCustomer:    map[uuid.UUID]*btree.BTreeG[orderKey]{},
		subsBySource:      map[uuid.UUID]map[string]bool{},
		companies:         map[uuid.UUID]company.Company{},
		companyByDomain:   map[string]uuid.UUID{},
		companyMembers:    map[uuid.UUID]map[uuid.UUID]company.Member{},
		memberOfCompany:   map[uuid.UUID]map[uuid.UUID]bool{},
		reservations:      map[string]company.Reservation{},
		reservationsOf:    map[memberKey]map[string]bool{},
		approvals:         map[uuid.UUID]company.Approval{},
		approvalByOrder:   map[string]uuid.UUID{},
		approvalsOf:       map[uuid.UUID]map[uuid.UUID]bool{},
		verifications:     map[verification.Subject]verification.Verification{},
		reviews:           map[verification.Subject][]verification.Review{},
		verifyByStatus:    map[verifyList]*btree.BTreeG[timeKey]{},
		roles:             newRoles(),
		erasures:          map[uuid.UUID]privacy.Erasure{},
		consents:          newConsentTables(),
		segments:          map[uuid.UUID]segment.Segment{},
		segmentOrder:      newTimeIndex(),
		groupRefs:         map[uuid.UUID]pricing.Refs{},
		segmentRefs:       map[uuid.UUID]pricing.Refs{},
	}
}

// put sets m[k] = v and records how to undo it.
func put[K comparable, V any](t *txn, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	t.onUndo(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

// del deletes m[k] and records how to undo it.
func del[K comparable, V any](t *txn, m map[K]V, k K) {
	old, had := m[k]
	if !had {
		return
	}
	delete(m, k)
	t.onUndo(func() { m[k] = old })
}

// insert adds item to tree and records how to undo it.
func insert[T any](t *txn, tree *btree.BTreeG[T], item T) {
	old, replaced := tree.ReplaceOrInsert(item)
	t.onUndo(func() {
		if replaced {
			tree.ReplaceOrInsert(old)
		} else {
			tree.Delete(item)
		}
	})
}

// remove deletes item from tree and records how to undo it.
func remove[T any](t *txn, tree *btree.BTreeG[T], item T) {
	if old, ok := tree.Delete(item); ok {
		t.onUndo(func() { tree.ReplaceOrInsert(old) })
	}
}

// treeFor returns m[k], creating (with undo) an empty tree when absent.
func treeFor[K comparable, T any](t *txn, m map[K]*btree.BTreeG[T], k K, less btree.LessFunc[T]) *btree.BTreeG[T] {
	if tree, ok := m[k]; ok {
		return tree
	}
	tree := btree.NewG(btreeDegree, less)
	put(t, m, k, tree)
	return tree
}

// innerFor returns m[k], creating (with undo) an empty inner map when absent.
func innerFor[K, K2 comparable, V any](t *txn, m map[K]map[K2]V, k K) map[K2]V {
	if inner, ok := m[k]; ok {
		return inner
	}
	inner := map[K2]V{}
	put(t, m, k, inner)
	return inner
}

// pageAfter walks tree in order from just after the cursor and collects up to
// p.Size() items that keep accepts. Next is set only when another accepted
// item exists, so the last page never comes with a cursor to an empty one.
//
// keep(k, dst) reports whether the item of key k belongs on the page and,
// when it does and dst is not nil, writes the item to *dst, the item's place
// on the page: it is built there, never copied in. keep writes nothing when
// it refuses. pageAfter passes a nil dst for the item after a full page,
// which only has to be known to exist.
func pageAfter[K any, T any](tree *btree.BTreeG[K], less btree.LessFunc[K], list string, p storage.PageRequest,
	from func(storage.Cursor) (K, error), cursorOf func(K) storage.Cursor, keep func(k K, dst *T) bool) (storage.Page[T], error) {
	size := p.Size()
	items := make([]T, 0, min(size, 64))
	var last K
	more := false
	visit := func(k K) bool {
		n := len(items)
		if n == size {
			more = keep(k, nil)
			return !more
		}
		if n == cap(items) {
			items = slices.Grow(items, 1)
		}
		if keep(k, &items[:n+1][n]) {
			items = items[:n+1]
			last = k
		}
		return true
	}
	if p.Cursor == "" {
		tree.Ascend(visit)
	} else {
		c, err := storage.ParseCursor(list, p.Cursor)
		if err != nil {
			return storage.Page[T]{}, err
		}
		pivot, err := from(c)
		if err != nil {
			return storage.Page[T]{}, err
		}
		past := false
		tree.AscendGreaterOrEqual(pivot, func(k K) bool {
			if !past {
				if !less(pivot, k) {
					return true // the cursor's own item ended the previous page
				}
				past = true // and every later key is after the pivot too
			}
			return visit(k)
		})
	}
	page := storage.Page[T]{Items: items}
	if more {
		c := cursorOf(last)
		c.List = list
		page.Next = c.String()
	}
	return page, nil
}

// every is pageAfter's keep for a list that keeps every item of its
// index: get(k) is the item of key k.
func every[K, T any](get func(K) T) func(K, *T) bool {
	return func(k K, dst *T) bool {
		if dst != nil {
			*dst = get(k)
		}
		return true
	}
}

// timeFrom and timeCursor convert between (time, UUID) keys and cursors.
func timeFrom(c storage.Cursor) (timeKey, error) {
	id, err := uuid.Parse(c.Key)
	if err != nil {
		return timeKey{}, fmt.Errorf("%w: %v", storage.ErrInvalidCursor, err)
	}
	return timeKey{at: c.Time, id: id}, nil
}

func timeCursor(k timeKey) storage.Cursor {
	return storage.Cursor{Time: k.at, Key: k.id.String()}
}
