package clientele

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

// MergeResult is the outcome of Customers.Merge. Its JSON names are the
// tags below.
type MergeResult struct {
	// Survivor is the surviving customer after the merge.
	Survivor customer.Customer `json:"survivor"`
	// Tombstone leads from the merged customer to the survivor.
	Tombstone customer.Tombstone `json:"tombstone"`
	// Orders, Addresses, Groups and Identities count what moved to the
	// survivor; DroppedAddresses the merged customer's entries that
	// duplicated one of the survivor's and were dropped.
	Orders           int `json:"orders"`
	Addresses        int `json:"addresses"`
	DroppedAddresses int `json:"dropped_addresses"`
	Groups           int `json:"groups"`
	Identities       int `json:"identities"`
	// PaymentSources counts the saved payment sources that moved (a
	// source the survivor already holds, by provider and token reference,
	// is dropped, and what charged it charges the survivor's);
	// Subscriptions the subscription references that moved.
	PaymentSources int `json:"payment_sources"`
	Subscriptions  int `json:"subscriptions"`
	// Roles counts the merchant memberships, vendor relations and
	// operator grant that moved or were merged into the survivor's (the
	// stronger role and the earlier relation win).
	Roles int `json:"roles,omitempty"`
	// Companies counts the company memberships that moved or were merged
	// into the survivor's (the stronger role wins, the survivor's limits
	// stay).
	Companies int `json:"companies,omitempty"`
	// Consents counts the consent records that moved (the duplicate's
	// whole history, pending double opt-ins included).
	Consents int `json:"consents,omitempty"`
	// Transfers are the survivor's side of the balance transfers, one per
	// currency in which the merged customer had a non-zero balance.
	Transfers []balance.Posting `json:"transfers,omitempty"`
	// Replayed is true when the pair had been merged already (by an
	// earlier or a concurrent call): nothing changed, and the counts are
	// zero.
	Replayed bool `json:"replayed"`
}

// mergesOf returns the tombstone repository of r, or ErrUnsupported.
func mergesOf(r any) (storage.Merges, error) {
	m, ok := r.(storage.Merging)
	if !ok {
		return nil, fmt.Errorf("%w: merging customers needs the storage.Merging capability (%T)", ErrUnsupported, r)
	}
	return m.Merges(), nil
}

// Merge merges the customer duplicateID into survivorID, in one
// transaction: a staff action, so ctx must carry a named staff, app or
// system actor (ErrActorRequired otherwise), which the tombstone and the
// events record.
//
// What moves to the survivor, and by which rule:
//   - the order history: every order, as Orders.Reassign moves one; the
//     survivor's order count grows by their number and its status follows;
//   - the address book, by address.Book.Absorb: an entry equal to one the
//     survivor has is dropped; the survivor's defaults stay (when its book
//     was empty, the duplicate's defaults come along); entries keep their
//     IDs;
//   - group memberships;
//   - the profile, by customer.Customer.MergeProfile: the survivor's values
//     win, its empty fields are filled, tags are joined, metadata keys it
//     lacks are added, notes are joined;
//   - linked external identities (the survivor's password, if any, stays
//     its own; the duplicate's password and pending tokens are deleted);
//   - each currency's balance, as postings on both sides, never an edit: a
//     debit of the whole balance on the duplicate's account and credits of
//     the same amount on the survivor's (opened when needed), all of kind
//     transfer with the reference "merge:<other customer's ID>", so the
//     total of the two balances never changes. Where credit expires, the
//     duplicate's due lots expire first and each live lot arrives as a
//     credit of its own with the lot's expiry. A negative balance (credit
//     drawn on a credit limit) moves the same way the other way round,
//     and is refused with balance.ErrInsufficientFunds when the survivor's
//     floor does not allow it;
//   - the order statistics with the orders (returns, exchanges and refunds
//     belong to their orders and follow them);
//   - saved payment sources, by wallet.Wallet.Absorb (a source the
//     survivor holds already, by provider and token reference, is dropped;
//     the survivor's default stays), then the subscription references,
//     re-pointed at the survivor's source where theirs was dropped;
//   - the consent history (with storage.Consents), by
//     storage.ConsentRecords.Move: every record is re-pointed, not copied
//     (its ID, time, actor and evidence kept), numbered after the
//     survivor's own, so the survivor keeps the whole proof of both. Its
//     state is then, for each channel and purpose, the latest record by
//     time across both histories (at the very same time, the duplicate's,
//     numbered later): the customer's latest expressed choice wins, a
//     withdrawal included. A pending double opt-in moves with its token:
//     the link the duplicate was sent confirms the survivor's consent
//     while the request is still that pair's latest record, and a later
//     record of the survivor's supersedes it (the merge says the two are
//     one person, as it does for the grants that move). The duplicate's
//     history is closed: a consent change of it racing the merge either
//     commits first, and moves, or fails with customer.ErrNotFound.
//
// The duplicate is then deleted, releasing its email and reference, and a
// customer.Tombstone points from it to the survivor (tombstones pointing
// at the duplicate now point at the survivor), so that Resolve,
// ResolveByEmail and ResolveByReference lead from its old ID, email or
// reference to the survivor.
//
// Merging a pair that was merged already changes nothing and answers with
// Replayed set; two concurrent merges of one pair give one merge (the two
// records are locked first, in ID order). A registered customer cannot be
// merged into a guest (customer.ErrMergeRefused).
//
// Errors: ErrActorRequired; ErrUnsupported without storage.Merging;
// customer.ErrNotFound for a customer that does not exist or is deleted
// (a *customer.MergedError, also customer.ErrMerged, when it was merged
// into another one); a *customer.ValidationError for the same ID twice;
// customer.ErrMergeRefused (also for a merged profile beyond a limit);
// address.ErrBookFull when the two books hold more than
// address.MaxEntries distinct addresses; balance.ErrInsufficientFunds.
// Nothing is written on error.
func (s *Customers) Merge(ctx context.Context, duplicateID, survivorID uuid.UUID) (MergeResult, error) {
	who, ok := actor.Lookup(ctx)
	if !ok || who.Kind == actor.KindCustomer || who.ID == "" {
		return MergeResult{}, ErrActorRequired
	}
	if duplicateID == survivorID {
		return MergeResult{}, &customer.ValidationError{Field: "survivor_id", Reason: "is the customer to merge itself", Err: customer.ErrInvalid}
	}
	if _, err := mergesOf(s.store); err != nil {
		return MergeResult{}, err
	}
	var out MergeResult
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		out, err = s.merge(ctx, tx, duplicateID, survivorID, who.String())
		return err
	})
	if err != nil {
		return MergeResult{}, err
	}
	return out, nil
}

func (s *Customers) merge(ctx context.Context, tx storage.Tx, dupID, survID uuid.UUID, actorName string) (MergeResult, error) {
	m, err := mergesOf(tx)
	if err != nil {
		return MergeResult{}, err
	}
	// Both records are locked from here on: every write of either customer
	// waits, and every read below sees what committed before.
	dup, surv, err := m.Lock(ctx, dupID, survID)
	if err != nil {
		return MergeResult{}, mapCustomerErr(err)
	}
	if dup.IsDeleted() {
		t, err := m.Get(ctx, dupID)
		switch {
		case err == nil && t.SurvivorID == survID && !surv.IsDeleted():
			return MergeResult{Survivor: surv, Tombstone: t, Replayed: true}, nil
		case err == nil:
			return MergeResult{}, &customer.MergedError{ID: dupID, SurvivorID: t.SurvivorID}
		case errors.Is(err, storage.ErrNotFound):
			return MergeResult{}, deletedErr(dupID)
		default:
			return MergeResult{}, err
		}
	}
	if surv.IsDeleted() {
		if t, err := m.Get(ctx, survID); err == nil {
			return MergeResult{}, &customer.MergedError{ID: survID, SurvivorID: t.SurvivorID}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return MergeResult{}, err
		}
		return MergeResult{}, deletedErr(survID)
	}
	if err := customer.CheckMerge(dup, surv); err != nil {
		return MergeResult{}, err
	}
	now := s.clock()
	res := MergeResult{}
	held, err := m.Holdings(ctx, dupID)
	if err != nil {
		return MergeResult{}, err
	}
	var counted int
	if res.Orders, counted, err = s.mergeOrders(ctx, tx, held.Orders, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	if res.Addresses, res.DroppedAddresses, err = s.mergeAddresses(ctx, tx, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	if res.Groups, err = mergeGroups(ctx, tx, held.Groups, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	if res.Identities, err = s.mergeCredentials(ctx, tx, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	if res.Consents, err = mergeConsents(ctx, tx, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	if res.Transfers, err = s.mergeBalances(ctx, tx, held.Accounts, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	if res.PaymentSources, res.Subscriptions, err = s.mergeWallet(ctx, tx, dupID, survID); err != nil {
		return MergeResult{}, err
	}
	// Marketplace roles move with the stronger role winning, so a merge
	// never takes an owner away from a merchant.
	if r, err := marketplaceOf(tx); err == nil {
		if res.Roles, err = r.MoveRoles(ctx, dupID, survID); err != nil {
			return MergeResult{}, customerGone(err)
		}
	}
	if res.Companies, err = s.mergeCompanies(ctx, tx, dupID, survID, now); err != nil {
		return MergeResult{}, err
	}

	// The duplicate goes first: it releases its email and reference, which
	// the survivor may take.
	gone, err := tx.Customers().Update(ctx, dupID, func(c *customer.Customer) error {
		c.MarkDeleted(now)
		return nil
	})
	if err != nil {
		return MergeResult{}, mapCustomerErr(err)
	}
	var before customer.Customer
	res.Survivor, err = tx.Customers().Update(ctx, survID, func(c *customer.Customer) error {
		before = c.Clone()
		if err := c.MergeProfile(dup, now); err != nil {
			return err
		}
		for range counted {
			c.RecordOrder(now)
		}
		if len(diff(before, *c)) == 0 {
			return errUnchanged
		}
		return nil
	})
	changed := !errors.Is(err, errUnchanged)
	if !changed {
		res.Survivor, err = before, nil
	}
	if err != nil {
		return MergeResult{}, mapCustomerErr(err)
	}
	res.Tombstone = customer.NewTombstone(dup, surv, actorName, now)
	if err := m.Create(ctx, res.Tombstone); err != nil {
		return MergeResult{}, err
	}

	payload := event.MergePayload{Tombstone: res.Tombstone, Orders: res.Orders, Addresses: res.Addresses,
		DroppedAddresses: res.DroppedAddresses, Groups: res.Groups, Identities: res.Identities,
		PaymentSources: res.PaymentSources, Subscriptions: res.Subscriptions, Transfers: res.Transfers, Roles: res.Roles, Companies: res.Companies,
		Consents: res.Consents}
	if err := s.emitOne(ctx, tx, event.CustomerMerged, event.AggregateCustomer, dupID.String(), dupID, gone.Version, payload); err != nil {
		return MergeResult{}, err
	}
	if changed {
		if err := s.emitCustomer(ctx, tx, event.CustomerUpdated, &before, res.Survivor); err != nil {
			return MergeResult{}, err
		}
	}
	return res, s.emitStatusChange(ctx, tx, before, res.Survivor)
}

// mergeOrders moves the duplicate's orders, with their figures in the
// order statistics, to the survivor, and returns how many moved and how
// many of those count toward the survivor's status (see
// WithCancelledOrdersCount).
func (s *Customers) mergeOrders(ctx context.Context, tx storage.Tx, ids []string, dupID, survID uuid.UUID) (moved, counted int, err error) {
	now := s.clock()
	currencies := map[balance.Currency]bool{}
	for _, id := range ids {
		o, err := tx.Orders().Update(ctx, id, func(o *order.Order) error { return o.Reassign(survID, now) })
		if err != nil {
			return 0, 0, customerGone(err)
		}
		if err := s.countStats(ctx, tx, o, true); err != nil {
			return 0, 0, err
		}
		currencies[o.Total.Currency()] = true
		if s.counts(o) {
			counted++
		}
	}
	// The duplicate has no orders left: its figures go to zero in each
	// currency they were kept in (no history to read for the span of what
	// remains, which a snapshot could show stale).
	if dd, err := historyOf(tx); err == nil {
		for c := range currencies {
			if _, err := dd.UpdateStats(ctx, dupID, c, func(st *order.Stats) error {
				empty := order.NewStats(dupID, c)
				if st.OrderCount == 0 && st.Spent.IsZero() && st.Refunded.IsZero() {
					return errUnchanged // none kept: nothing to write
				}
				*st = empty
				return nil
			}); err != nil && !errors.Is(err, errUnchanged) {
				return 0, 0, customerGone(err)
			}
		}
	}
	return len(ids), counted, nil
}

// mergeAddresses empties the duplicate's book into the survivor's (see
// address.Book.Absorb).
func (s *Customers) mergeAddresses(ctx context.Context, tx storage.Tx, dupID, survID uuid.UUID) (joined, dropped int, err error) {
	var moving []address.Entry
	if _, err := tx.Addresses().UpdateBook(ctx, dupID, func(b *address.Book) error {
		moving, b.Entries = b.Entries, nil
		return nil
	}); err != nil {
		return 0, 0, customerGone(err)
	}
	if len(moving) == 0 {
		return 0, 0, nil
	}
	_, err = tx.Addresses().UpdateBook(ctx, survID, func(b *address.Book) error {
		j, d, err := b.Absorb(moving, s.clock())
		joined, dropped = len(j), len(d)
		return err
	})
	if err != nil {
		return 0, 0, customerGone(err)
	}
	return joined, dropped, nil
}

// mergeGroups moves the duplicate's memberships to the survivor. A timed
// membership keeps its window, unless the survivor is a member already:
// then the survivor's membership stays as it is.
func mergeGroups(ctx context.Context, tx storage.Tx, ids []uuid.UUID, dupID, survID uuid.UUID) (int, error) {
	timed, _ := tx.Groups().(storage.TimedMemberships)
	for _, g := range ids {
		var v group.Validity
		if timed != nil {
			var err error
			if v, err = timed.Membership(ctx, g, dupID); err != nil {
				return 0, err
			}
		}
		if v.IsZero() {
			if _, err := tx.Groups().AddMember(ctx, g, survID); err != nil {
				return 0, customerGone(err)
			}
		} else if _, err := timed.Membership(ctx, g, survID); errors.Is(err, storage.ErrNotFound) {
			if _, _, err := timed.AddMemberFor(ctx, g, survID, v); err != nil {
				return 0, customerGone(err)
			}
		} else if err != nil {
			return 0, err
		}
		if _, err := tx.Groups().RemoveMember(ctx, g, dupID); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// mergeCredentials moves the duplicate's linked identities to the
// survivor and deletes the rest of its credentials (password, tokens).
// A store without credentials has nothing to move.
func (s *Customers) mergeCredentials(ctx context.Context, tx storage.Tx, dupID, survID uuid.UUID) (int, error) {
	repo, err := credentialsOf(tx)
	if err != nil {
		return 0, nil
	}
	// Read under the lock (Update's), and unlinked first: an identity is
	// linked to one customer at a time.
	var moving []credential.Identity
	if _, err := repo.Update(ctx, dupID, func(c *credential.Credentials) error {
		if moving = c.Identities; len(moving) == 0 {
			return errUnchanged
		}
		c.Identities = nil
		return nil
	}); err != nil && !errors.Is(err, errUnchanged) {
		return 0, customerGone(err)
	}
	if len(moving) > 0 {
		now := s.clock()
		if _, err := repo.Update(ctx, survID, func(c *credential.Credentials) error {
			for _, id := range moving {
				id.CustomerID, id.LinkedAt = survID, now
				c.Identities = append(c.Identities, id)
			}
			if c.CreatedAt.IsZero() {
				c.CreatedAt, c.UpdatedAt = now, now
			}
			return nil
		}); err != nil {
			return 0, customerGone(err)
		}
	}
	if _, err := repo.Delete(ctx, dupID); err != nil {
		return 0, err
	}
	return len(moving), nil
}

// mergeConsents re-points the duplicate's consent history at the survivor
// and closes the duplicate's (storage.ConsentRecords.Move, under both
// histories' locks). A store without consents has nothing to move.
func mergeConsents(ctx context.Context, tx storage.Tx, dupID, survID uuid.UUID) (int, error) {
	repo, err := consentsOf(tx)
	if err != nil {
		return 0, nil
	}
	n, err := repo.Move(ctx, dupID, survID)
	return n, customerGone(err)
}

// mergeBalances moves each currency's balance of the duplicate to the
// survivor as postings on both sides (kind transfer) and returns the
// survivor's side. Where the store keeps credit lots, the duplicate's due
// lots expire first and each live lot arrives as a credit of its own with
// the lot's expiry, so credit that was to expire still does.
func (s *Customers) mergeBalances(ctx context.Context, tx storage.Tx, accounts []uuid.UUID, dupID, survID uuid.UUID) ([]balance.Posting, error) {
	b := &Balances{s.env}
	lots, _ := lotsOf(tx.Balances())
	now := s.clock()
	var out []balance.Posting
	for _, id := range accounts {
		// Locked now, so the balance moved is the balance there is.
		from, err := tx.Balances().GetAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		var live []balance.Lot
		if lots != nil {
			expired, err := lots.ExpireDue(ctx, id, now)
			if err != nil {
				return nil, customerGone(err)
			}
			for _, p := range expired {
				if err := s.emitPosting(ctx, tx, from, p); err != nil {
					return nil, err
				}
				from.Version++
			}
			if len(expired) > 0 {
				if from, err = tx.Balances().GetAccount(ctx, id); err != nil {
					return nil, err
				}
			}
			all, err := lots.Lots(ctx, id)
			if err != nil {
				return nil, err
			}
			for _, l := range all {
				if l.Remaining.IsPositive() {
					live = append(live, l)
				}
			}
		}
		if from.Balance.IsZero() {
			continue
		}
		to, err := b.account(ctx, tx, survID, from.Balance.Currency())
		if err != nil {
			return nil, err
		}
		if _, err := s.transfer(ctx, tx, from, from.Balance.Neg(), time.Time{}, "merge:"+survID.String(), survID); err != nil {
			return nil, err
		}
		// The survivor's side: one credit per live lot (what the lots do
		// not cover, a never-expiring remainder), or the whole amount. The
		// amounts always add up to the balance read under the lock; the
		// lots are a plain read, which on a snapshot engine (TiDB) may
		// predate a posting that raced the merge, and then only the split
		// by expiry is approximate.
		rest := from.Balance
		for _, l := range live {
			if !rest.IsPositive() {
				break
			}
			amount := l.Remaining
			if amount.MinorUnits() > rest.MinorUnits() {
				amount = rest
			}
			p, err := s.transfer(ctx, tx, to, amount, l.ExpiresAt, "merge:"+dupID.String()+":"+l.ID.String(), dupID)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
			to.Version++
			if rest, err = rest.Sub(amount); err != nil {
				return nil, err
			}
		}
		if !rest.IsZero() {
			p, err := s.transfer(ctx, tx, to, rest, time.Time{}, "merge:"+dupID.String(), dupID)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// transfer posts amount (expiring at expires, when set) to acct as one side
// of a merge's balance transfer with other, the customer on the other
// side, under the idempotency key.
func (s *Customers) transfer(ctx context.Context, tx storage.Tx, acct balance.Account, amount balance.Money, expires time.Time, key string, other uuid.UUID) (balance.Posting, error) {
	p, err := balance.NewPosting(s.newID(), acct, balance.PostingParams{Kind: balance.KindTransfer, Amount: amount,
		Reference: "merge:" + other.String(), IdempotencyKey: key, Actor: postingActor(ctx, ""), Note: "customer merge",
		ExpiresAt: expires}, s.clock())
	if err != nil {
		return balance.Posting{}, err
	}
	out, err := tx.Balances().Post(ctx, p)
	if err != nil {
		return balance.Posting{}, customerGone(err)
	}
	return out, s.emitPosting(ctx, tx, acct, out)
}

// mergeWallet moves the duplicate's saved payment sources (by
// wallet.Wallet.Absorb) and then its subscription references to the
// survivor; a subscription that charged a dropped duplicate source charges
// the survivor's source for the same payment method. Stores without the
// capabilities have nothing to move.
func (s *Customers) mergeWallet(ctx context.Context, tx storage.Tx, dupID, survID uuid.UUID) (sources, subs int, err error) {
	if repo, err := walletsOf(tx); err == nil {
		var moving []wallet.Source
		if _, err := repo.UpdateWallet(ctx, dupID, func(w *wallet.Wallet) error {
			if moving, w.Sources = w.Sources, nil; len(moving) == 0 {
				return errUnchanged
			}
			return nil
		}); err != nil && !errors.Is(err, errUnchanged) {
			return 0, 0, customerGone(err)
		}
		var same map[uuid.UUID]uuid.UUID
		if len(moving) > 0 {
			if _, err := repo.UpdateWallet(ctx, survID, func(w *wallet.Wallet) error {
				joined, sm, err := w.Absorb(moving, s.clock())
				sources, same = len(joined), sm
				return err
			}); err != nil {
				return 0, 0, customerGone(err)
			}
		}
		if subsRepo, err := subscriptionsOf(tx); err == nil {
			if subs, err = subsRepo.Reassign(ctx, dupID, survID); err != nil {
				return 0, 0, customerGone(err)
			}
			if err := s.recharge(ctx, tx, subsRepo, survID, same); err != nil {
				return 0, 0, err
			}
		}
		return sources, subs, nil
	}
	if subsRepo, err := subscriptionsOf(tx); err == nil {
		if subs, err = subsRepo.Reassign(ctx, dupID, survID); err != nil {
			return 0, 0, customerGone(err)
		}
	}
	return 0, subs, nil
}

// recharge points the survivor's subscriptions that charged a dropped
// duplicate source at the survivor's source for the same payment method.
func (s *Customers) recharge(ctx context.Context, tx storage.Tx, repo storage.SubscriptionRefs, survID uuid.UUID, same map[uuid.UUID]uuid.UUID) error {
	if len(same) == 0 {
		return nil
	}
	now := s.clock()
	for p := (page.Request{Limit: page.MaxLimit}); ; {
		pg, err := repo.List(ctx, survID, p)
		if err != nil {
			return err
		}
		for _, sub := range pg.Items {
			if sub.PaymentSourceID == nil {
				continue
			}
			to, ok := same[*sub.PaymentSourceID]
			if !ok {
				continue
			}
			if _, err := repo.Update(ctx, sub.ID, func(x *subscription.Subscription) error {
				x.PaymentSourceID = &to
				x.UpdatedAt = now
				return nil
			}); err != nil {
				return err
			}
		}
		if pg.Next == "" {
			return nil
		}
		p.Cursor = pg.Next
	}
}

// Tombstone returns the tombstone of a merged customer: whom it was
// merged into, when and by whom. Errors: customer.ErrNotFound when the
// customer was not merged; ErrUnsupported without storage.Merging.
func (s *Customers) Tombstone(ctx context.Context, mergedID uuid.UUID) (customer.Tombstone, error) {
	m, err := mergesOf(s.store)
	if err != nil {
		return customer.Tombstone{}, err
	}
	t, err := m.Get(ctx, mergedID)
	return t, notFound(err, customer.ErrNotFound)
}

// Resolve returns the live customer the ID names now: the customer itself
// while it is live, its survivor when it was merged (after any number of
// merges). Errors: customer.ErrNotFound for an ID that names no customer,
// or a deleted customer that was not merged (or whose survivor was
// deleted since).
func (s *Customers) Resolve(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	c, err := s.store.Customers().Get(ctx, id)
	if err != nil {
		return customer.Customer{}, mapCustomerErr(err)
	}
	if !c.IsDeleted() {
		return c, nil
	}
	m, err := mergesOf(s.store)
	if err != nil {
		return customer.Customer{}, deletedErr(id)
	}
	t, err := m.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return customer.Customer{}, deletedErr(id)
	} else if err != nil {
		return customer.Customer{}, err
	}
	return s.survivor(ctx, t)
}

// survivor reads the live survivor a tombstone points to.
func (s *Customers) survivor(ctx context.Context, t customer.Tombstone) (customer.Customer, error) {
	c, err := liveCustomer(ctx, s.store, t.SurvivorID)
	if err != nil {
		return customer.Customer{}, fmt.Errorf("customer %s was merged into %s, which is gone: %w", t.MergedID, t.SurvivorID, err)
	}
	return c, nil
}

// ResolveByEmail is GetByEmail that also follows merges: when no live
// customer has the address, the survivor of the most recent merge of a
// customer that had it (registered first, then guest). Errors: those of
// GetByEmail.
func (s *Customers) ResolveByEmail(ctx context.Context, email string) (customer.Customer, error) {
	c, err := s.GetByEmail(ctx, email)
	if !errors.Is(err, customer.ErrNotFound) {
		return c, err
	}
	m, merr := mergesOf(s.store)
	if merr != nil {
		return c, err
	}
	canonical, cerr := customer.CanonicalEmail(email)
	if cerr != nil {
		return customer.Customer{}, cerr
	}
	for _, hasAccount := range []bool{true, false} {
		t, terr := m.ByEmail(ctx, canonical, hasAccount)
		if errors.Is(terr, storage.ErrNotFound) {
			continue
		} else if terr != nil {
			return customer.Customer{}, terr
		}
		return s.survivor(ctx, t)
	}
	return c, err
}

// ResolveByReference is GetByReference that also follows merges: when no
// live customer has the reference, the survivor of the most recent merge
// of a customer that had it. Errors: those of GetByReference.
func (s *Customers) ResolveByReference(ctx context.Context, origin, reference string) (customer.Customer, error) {
	c, err := s.GetByReference(ctx, origin, reference)
	if !errors.Is(err, customer.ErrNotFound) {
		return c, err
	}
	m, merr := mergesOf(s.store)
	if merr != nil || reference == "" {
		return c, err
	}
	t, terr := m.ByReference(ctx, cleanRef(origin), cleanRef(reference))
	if errors.Is(terr, storage.ErrNotFound) {
		return c, err
	} else if terr != nil {
		return customer.Customer{}, terr
	}
	return s.survivor(ctx, t)
}
