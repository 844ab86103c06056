package clientele

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
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
//   - each currency's balance, as a pair of postings, never an edit: a
//     debit of the whole balance on the duplicate's account and a credit of
//     the same amount on the survivor's (opened when needed), both of kind
//     adjustment with the reference "merge:<other customer's ID>", so the
//     total of the two balances never changes. A negative balance (credit
//     drawn on a credit limit) moves the same way the other way round,
//     and is refused with balance.ErrInsufficientFunds when the survivor's
//     floor does not allow it.
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
	if res.Orders, err = s.mergeOrders(ctx, tx, held.Orders, survID); err != nil {
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
	if res.Transfers, err = s.mergeBalances(ctx, tx, held.Accounts, dupID, survID); err != nil {
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
		for range res.Orders {
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
		DroppedAddresses: res.DroppedAddresses, Groups: res.Groups, Identities: res.Identities, Transfers: res.Transfers}
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

// mergeOrders moves the duplicate's orders to the survivor.
func (s *Customers) mergeOrders(ctx context.Context, tx storage.Tx, ids []string, survID uuid.UUID) (int, error) {
	now := s.clock()
	for _, id := range ids {
		if _, err := tx.Orders().Update(ctx, id, func(o *order.Order) error { return o.Reassign(survID, now) }); err != nil {
			return 0, customerGone(err)
		}
	}
	return len(ids), nil
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

// mergeGroups moves the duplicate's memberships to the survivor.
func mergeGroups(ctx context.Context, tx storage.Tx, ids []uuid.UUID, dupID, survID uuid.UUID) (int, error) {
	for _, g := range ids {
		if _, err := tx.Groups().AddMember(ctx, g, survID); err != nil {
			return 0, customerGone(err)
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

// mergeBalances moves each currency's balance of the duplicate to the
// survivor as a pair of postings and returns the survivor's side.
func (s *Customers) mergeBalances(ctx context.Context, tx storage.Tx, accounts []uuid.UUID, dupID, survID uuid.UUID) ([]balance.Posting, error) {
	b := &Balances{s.env}
	var out []balance.Posting
	for _, id := range accounts {
		// Locked now, so the balance moved is the balance there is.
		from, err := tx.Balances().GetAccount(ctx, id)
		if err != nil {
			return nil, err
		}
		if from.Balance.IsZero() {
			continue
		}
		to, err := b.account(ctx, tx, survID, from.Balance.Currency())
		if err != nil {
			return nil, err
		}
		if _, err := s.transfer(ctx, tx, from, from.Balance.Neg(), survID); err != nil {
			return nil, err
		}
		p, err := s.transfer(ctx, tx, to, from.Balance, dupID)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// transfer posts amount to acct as one side of a merge's balance transfer
// with other, the customer on the other side.
func (s *Customers) transfer(ctx context.Context, tx storage.Tx, acct balance.Account, amount balance.Money, other uuid.UUID) (balance.Posting, error) {
	ref := "merge:" + other.String()
	p, err := balance.NewPosting(s.newID(), acct, balance.PostingParams{Kind: balance.KindAdjustment, Amount: amount,
		Reference: ref, IdempotencyKey: ref, Actor: postingActor(ctx, ""), Note: "customer merge"}, s.clock())
	if err != nil {
		return balance.Posting{}, err
	}
	out, err := tx.Balances().Post(ctx, p)
	if err != nil {
		return balance.Posting{}, customerGone(err)
	}
	return out, s.emitPosting(ctx, tx, acct, out)
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
