package loadtest

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

type ledgerKey struct {
	customer uuid.UUID
	currency string
	key      string
}

// check verifies every invariant once the load has stopped: through the
// public API where it shows the data, through the storage repositories
// for the data of deleted and erased customers, which the API hides.
func (r *run) check(ctx context.Context, rep *Report) error {
	var (
		store   = r.eng.store
		seen    = map[uuid.UUID]bool{}
		emails  = map[string]int{} // live registered per canonical email
		guests  = map[string]int{} // live guests per canonical email
		ledger  = map[ledgerKey][]balance.Posting{}
		violate = func(format string, args ...any) {
			rep.Violations = append(rep.Violations, fmt.Sprintf(format, args...))
		}
	)
	for c, err := range r.svc.Customers.All(ctx, customer.Filter{IncludeDeleted: true}) {
		if err != nil {
			return err
		}
		seen[c.ID] = true
		rep.Checked["customers"]++
		live := c.DeletedAt == nil
		switch {
		case live && c.HasAccount:
			emails[c.Email.Address]++
		case live:
			guests[c.Email.Address]++
		}
		if c.State == customer.StateErased {
			rep.Checked["erased customers"]++
			if c.FirstName != "" || c.LastName != "" || c.Phone != "" || c.Company != "" || c.VATID != "" ||
				c.Note != "" || len(c.Tags) > 0 || len(c.Metadata) > 0 || c.Reference != "" ||
				c.Email != customer.ErasedEmail(c.ID) || live {
				violate("erased customer %s keeps personal data: %+v", c.ID, c)
			}
		}
		if err := c.Validate(); err != nil {
			violate("customer %s is invalid: %v", c.ID, err)
		}

		// Credentials: the record's has_password is the credentials'
		// password; an erased customer has none.
		if a, ok := store.(storage.Authentication); ok {
			cr, err := a.Credentials().Get(ctx, c.ID)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				if c.HasPassword {
					violate("customer %s has_password without credentials", c.ID)
				}
			case err != nil:
				return fmt.Errorf("credentials of %s: %w", c.ID, err)
			default:
				rep.Checked["credentials"]++
				if cr.HasPassword() != c.HasPassword {
					violate("customer %s has_password %t, its credentials %t", c.ID, c.HasPassword, cr.HasPassword())
				}
				if c.State == customer.StateErased {
					violate("erased customer %s keeps credentials", c.ID)
				}
				if err := cr.Validate(); err != nil {
					violate("credentials of %s are invalid: %v", c.ID, err)
				}
			}
		}

		// Address book: at most one default of each kind (and one of
		// each when not empty); none on an erased customer.
		b, err := store.Addresses().Book(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("book of %s: %w", c.ID, err)
		}
		if len(b.Entries) > 0 {
			rep.Checked["address books"]++
			rep.Checked["addresses"] += len(b.Entries)
		}
		ship, bill := 0, 0
		for _, e := range b.Entries {
			if e.DefaultShipping {
				ship++
			}
			if e.DefaultBilling {
				bill++
			}
		}
		if ship > 1 || bill > 1 || (len(b.Entries) > 0 && (ship == 0 || bill == 0)) {
			violate("address book of %s has %d default shipping and %d default billing addresses among %d", c.ID, ship, bill, len(b.Entries))
		}
		if c.State == customer.StateErased && len(b.Entries) > 0 {
			violate("erased customer %s (erased at %v) keeps %d addresses, the first created at %v", c.ID, c.DeletedAt, len(b.Entries), b.Entries[0].CreatedAt)
		}

		// Orders: the status follows the count; a registered customer's
		// count is the number of its orders (claims move orders to it and
		// count them); a guest keeps counting orders claimed away.
		n := 0
		for p := (page.Request{Limit: page.MaxLimit}); ; {
			pg, err := store.Orders().List(ctx, c.ID, p)
			if err != nil {
				return fmt.Errorf("orders of %s: %w", c.ID, err)
			}
			for _, o := range pg.Items {
				n++
				if o.CustomerID != c.ID || !o.Status.Valid() {
					violate("order %s listed for %s belongs to %s with status %v", o.ID, c.ID, o.CustomerID, o.Status)
				}
			}
			if pg.Next == "" {
				break
			}
			p.Cursor = pg.Next
		}
		rep.Checked["orders"] += n
		if c.Status != customer.StatusForOrders(c.OrderCount) {
			violate("customer %s has status %s with %d orders counted", c.ID, c.Status, c.OrderCount)
		}
		if (c.HasAccount && n != c.OrderCount) || (!c.HasAccount && n > c.OrderCount) {
			violate("customer %s (has account %t) counts %d orders but has %d", c.ID, c.HasAccount, c.OrderCount, n)
		}

		// A merged customer is a tombstone: its orders, memberships and
		// balances went to the survivor, which is or was live.
		merged := false
		if m, ok := store.(storage.Merging); ok {
			t, err := m.Merges().Get(ctx, c.ID)
			switch {
			case err == nil:
				merged = true
				rep.Checked["tombstones"]++
				if !c.IsDeleted() || n > 0 {
					violate("merged customer %s (into %s) is deleted %t and keeps %d orders", c.ID, t.SurvivorID, c.IsDeleted(), n)
				}
			case !errors.Is(err, storage.ErrNotFound):
				return fmt.Errorf("tombstone of %s: %w", c.ID, err)
			}
		}

		// Accounts: balance = sum of postings, count = postings, one
		// posting per idempotency key.
		accts, err := store.Balances().Accounts(ctx, c.ID)
		if err != nil {
			return fmt.Errorf("accounts of %s: %w", c.ID, err)
		}
		for _, a := range accts {
			rep.Checked["accounts"]++
			sum := balance.Zero(a.Currency)
			var count int64
			for p := (page.Request{Limit: page.MaxLimit}); ; {
				pg, err := store.Balances().Postings(ctx, a.ID, p)
				if err != nil {
					return fmt.Errorf("postings of %s: %w", a.ID, err)
				}
				for _, p := range pg.Items {
					count++
					if sum, err = sum.Add(p.Amount); err != nil {
						return err
					}
					if p.IdempotencyKey != "" {
						k := ledgerKey{c.ID, a.Currency.Code(), p.IdempotencyKey}
						ledger[k] = append(ledger[k], p)
					}
					if p.CustomerID != c.ID || p.AccountID != a.ID {
						violate("posting %s in account %s names customer %s account %s", p.ID, a.ID, p.CustomerID, p.AccountID)
					}
				}
				if pg.Next == "" {
					break
				}
				p.Cursor = pg.Next
			}
			rep.Checked["postings"] += int(count)
			if !sum.Equal(a.Balance) || count != a.Postings {
				violate("account %s of %s: balance %s, postings sum to %s; counter %d, postings %d", a.ID, c.ID, a.Balance, sum, a.Postings, count)
			}
			if merged && !a.Balance.IsZero() {
				violate("merged customer %s keeps %s in account %s", c.ID, a.Balance, a.ID)
			}
		}
	}
	for e, n := range emails {
		if n > 1 {
			violate("%d live registered customers share the email %s", n, e)
		}
	}
	for e, n := range guests {
		if n > 1 {
			violate("%d live guests share the email %s", n, e)
		}
	}
	for k, ps := range ledger {
		if len(ps) > 1 {
			violate("idempotency key %q of %s %s has %d postings", k.key, k.customer, k.currency, len(ps))
		}
	}
	// Every customer a call acknowledged exists.
	for _, id := range r.customers {
		if !seen[id] {
			violate("acknowledged customer %s is missing", id)
		}
	}
	// The client-side log against the ledger.
	for _, a := range r.acks {
		ps := ledger[ledgerKey{a.customer, a.currency, a.key}]
		switch {
		case len(ps) == 0:
			rep.Lost++
			violate("acknowledged posting %s (key %s, %s) of %s is not in the ledger", a.postingID, a.key, a.amount, a.customer)
		case len(ps) > 1:
			rep.Doubled++
		case ps[0].ID != a.postingID || ps[0].Amount.String() != a.amount:
			rep.Lost++
			violate("acknowledged posting %s (key %s, %s) of %s is %s (%s) in the ledger", a.postingID, a.key, a.amount, a.customer, ps[0].ID, ps[0].Amount)
		}
	}
	// A call that failed with an error other than CommitUnknown promised
	// that nothing was stored.
	for _, f := range r.failures {
		if ps := ledger[ledgerKey{f.customer, f.currency, f.key}]; len(ps) > 0 {
			rep.Checked["phantom postings"]++
			violate("posting request %s of %s failed as %s yet posting %s is in the ledger", f.key, f.customer, f.code, ps[0].ID)
		}
	}
	rep.Checked["posting requests failed definitely"] = len(r.failures)
	return nil
}
