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
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

// Privacy answers data-subject requests: Export gathers everything the
// store knows about one customer as one privacy.Document, Erase removes
// the customer's personal data everywhere it lives and records who erased
// it, when and why, and Erasures reads that record.
type Privacy struct{ *env }

// privacyOf returns the privacy repository of r, when it has the
// storage.Privacy capability.
func privacyOf(r any) (storage.PrivacyRecords, bool) {
	p, ok := r.(storage.Privacy)
	if !ok {
		return nil, false
	}
	return p.PrivacyRecords(), true
}

// errErasedBefore rolls back an Erase of a customer whose erasure was
// recorded before: it writes nothing and answers with that record.
var errErasedBefore = errors.New("erased before")

// Erase anonymizes the customer's personal data everywhere it lives, in
// one transaction, and returns the erasure record:
//
//   - the customer record (customer.Customer.Erase: the email becomes the
//     placeholder, which frees the address; names, phone, company, VAT ID,
//     note, tags, metadata and reference are cleared);
//   - the address book; the credentials, after revoking every pending
//     token and ending every session (the session version is bumped, so a
//     host's session check fails even before the delete is seen); linked
//     identities; saved payment sources (and the subscriptions' links to
//     them); the verification's reasons; company memberships and
//     marketplace roles; the tombstones naming it;
//   - the customers merged into it (their records and the same data);
//   - with the storage.Privacy capability, the payloads of every event of
//     the customer and of the customers merged into it (see
//     privacy.ScrubPayload), so the audit trail shows no personal value,
//     and the durable erasure record (customer ID, time, actor from ctx,
//     reason).
//
// Orders, their returns and refunds, and the balance ledger stay, under
// the customer's pseudonymous ID. A customer.erased event carries the
// erased record and the reason, no personal data.
//
// Erase is idempotent: erasing an erased customer writes nothing and
// returns the first erasure's record. Errors: *errcode.ValidationError
// (privacy.ErrInvalid) for a bad request; customer.ErrNotFound.
func (s *Privacy) Erase(ctx context.Context, customerID uuid.UUID, r privacy.Request) (privacy.Erasure, error) {
	if err := r.Validate(); err != nil {
		return privacy.Erasure{}, err
	}
	var out privacy.Erasure
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		out, _, err = s.erase(ctx, tx, customerID, r.Reason)
		return err
	})
	if errors.Is(err, errErasedBefore) {
		return out, nil
	}
	if err != nil {
		return privacy.Erasure{}, err
	}
	return out, nil
}

// erase is Erase in tx; it also returns the erased customer. It returns
// errErasedBefore (and the record) when the erasure was recorded before:
// the caller rolls back, so the replay writes nothing.
func (e *env) erase(ctx context.Context, tx storage.Tx, id uuid.UUID, reason string) (privacy.Erasure, customer.Customer, error) {
	now := e.clock()
	who := actor.FromContext(ctx).Normalize()
	pr, hasRecords := privacyOf(tx)
	// Sessions end and tokens are revoked while the customer is live (the
	// credentials' writes need a live customer); the delete follows.
	if err := endCredentials(ctx, tx, id, now); err != nil {
		return privacy.Erasure{}, customer.Customer{}, err
	}
	var before customer.Customer
	erasedBefore := false
	c, err := tx.Customers().Update(ctx, id, func(c *customer.Customer) error {
		if c.State == customer.StateErased {
			before = c.Clone()
			return errAlreadyErased
		}
		return c.Erase(now)
	})
	switch {
	case errors.Is(err, errAlreadyErased):
		c, erasedBefore = before, true
	case err != nil:
		return privacy.Erasure{}, customer.Customer{}, mapCustomerErr(err)
	}
	if erasedBefore {
		if !hasRecords {
			// Nothing to record it in: the erasure stands as it was.
			return privacy.Erasure{CustomerID: id, At: c.UpdatedAt, Actor: who}, c, errErasedBefore
		}
		rec, err := pr.Erasure(ctx, id)
		if err == nil {
			return rec, c, errErasedBefore
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return privacy.Erasure{}, customer.Customer{}, err
		}
		// Erased before erasures were recorded: finish the job below.
	}
	var merged []uuid.UUID
	if hasRecords {
		if merged, err = pr.MergedInto(ctx, id); err != nil {
			return privacy.Erasure{}, customer.Customer{}, err
		}
	}
	for _, m := range merged {
		if err := endCredentials(ctx, tx, m, now); err != nil {
			return privacy.Erasure{}, customer.Customer{}, err
		}
		if _, err := tx.Customers().Update(ctx, m, func(c *customer.Customer) error {
			if c.State == customer.StateErased {
				return errAlreadyErased
			}
			return c.Erase(now)
		}); err != nil && !errors.Is(err, errAlreadyErased) && !errors.Is(err, storage.ErrNotFound) {
			return privacy.Erasure{}, customer.Customer{}, mapCustomerErr(err)
		}
	}
	for _, who := range append([]uuid.UUID{id}, merged...) {
		if err := scrubCustomerData(ctx, tx, who); err != nil {
			return privacy.Erasure{}, customer.Customer{}, err
		}
	}
	rec := privacy.Erasure{CustomerID: id, At: now, Actor: who, Reason: reason, Merged: merged}
	if hasRecords {
		if _, err := pr.ScrubEvents(ctx, append([]uuid.UUID{id}, merged...), privacy.ScrubPayload); err != nil {
			return privacy.Erasure{}, customer.Customer{}, err
		}
		if err := pr.RecordErasure(ctx, rec); err != nil {
			return privacy.Erasure{}, customer.Customer{}, err
		}
		if rec, err = pr.Erasure(ctx, id); err != nil {
			return privacy.Erasure{}, customer.Customer{}, err
		}
	} else if rec, err = storage.StoredErasure(rec); err != nil {
		return privacy.Erasure{}, customer.Customer{}, err
	}
	// The event carries the erased record only: a diff would copy the
	// personal data the erasure removes.
	if err := e.emitOne(ctx, tx, event.CustomerErased, event.AggregateCustomer, id.String(), id, c.Version,
		event.CustomerPayload{Customer: c, Reason: reason}); err != nil {
		return privacy.Erasure{}, customer.Customer{}, err
	}
	return rec, c, nil
}

// endCredentials revokes the customer's pending tokens and ends its
// sessions (bumps the session version), when the store keeps credentials
// and the customer has some.
func endCredentials(ctx context.Context, tx storage.Tx, id uuid.UUID, now time.Time) error {
	repo, err := credentialsOf(tx)
	if err != nil {
		return nil
	}
	if _, err := repo.RevokeTokens(ctx, id, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if _, err := repo.Update(ctx, id, func(cr *credential.Credentials) error {
		cr.EndSessions(now)
		return nil
	}); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return nil
}

// scrubCustomerData removes the customer's personal data outside its
// record: address book, credentials, tombstones, wallet, subscription
// links, verification reasons, company memberships, marketplace roles.
func scrubCustomerData(ctx context.Context, tx storage.Tx, id uuid.UUID) error {
	if _, err := tx.Addresses().UpdateBook(ctx, id, func(b *address.Book) error {
		b.Entries = nil
		return nil
	}); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return mapCustomerErr(err)
	}
	// Credentials go: the password hash, the linked identities (a
	// provider's subject names the person), the tokens.
	if repo, err := credentialsOf(tx); err == nil {
		if _, err := repo.Delete(ctx, id); err != nil {
			return err
		}
	}
	// Tombstones hold the address and reference a merge moved away from,
	// and lead to this customer.
	if m, err := mergesOf(tx); err == nil {
		if _, err := m.Scrub(ctx, id); err != nil {
			return err
		}
	}
	// Saved payment sources go (their billing addresses locate the
	// person), and no subscription keeps pointing at one.
	if repo, err := walletsOf(tx); err == nil {
		if _, err := repo.Delete(ctx, id); err != nil {
			return err
		}
	}
	if repo, err := subscriptionsOf(tx); err == nil {
		if _, err := repo.Unlink(ctx, id); err != nil {
			return err
		}
	}
	// The verification's history stays, anonymized: reasons and who set
	// risk flags may name the person.
	if repo, err := verificationsOf(tx); err == nil {
		if _, err := repo.Anonymize(ctx, verification.CustomerSubject(id)); err != nil {
			return err
		}
	}
	// The consent history stays as the proof of consent, under the
	// pseudonymous ID: each record's IP address, user agent and note go.
	if repo, err := consentsOf(tx); err == nil {
		if _, err := repo.Anonymize(ctx, id); err != nil {
			return err
		}
	}
	// Company memberships go too; the company keeps its spend record.
	if err := eraseCompanyMemberships(ctx, tx, id); err != nil {
		return err
	}
	// Marketplace roles go: memberships (even a merchant's last owner: an
	// operator appoints the next), vendor relations and the operator
	// grant.
	if repo, err := marketplaceOf(tx); err == nil {
		if _, err := repo.DeleteRoles(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// Erasures returns the customer's erasure records (at most one: an
// erasure is recorded once). Errors: ErrUnsupported without the
// storage.Privacy capability.
func (s *Privacy) Erasures(ctx context.Context, customerID uuid.UUID) ([]privacy.Erasure, error) {
	pr, ok := privacyOf(s.store)
	if !ok {
		return nil, fmt.Errorf("%w: erasure records need the storage.Privacy capability (%T)", ErrUnsupported, s.store)
	}
	rec, err := pr.Erasure(ctx, customerID)
	if errors.Is(err, storage.ErrNotFound) {
		return []privacy.Erasure{}, nil
	}
	if err != nil {
		return nil, err
	}
	return []privacy.Erasure{rec}, nil
}

// Export returns everything the store knows about the customer (live,
// deleted or erased) as one privacy.Document, read in one transaction so
// that its sections agree. Sections of capabilities the store lacks are
// absent. Errors: customer.ErrNotFound.
func (s *Privacy) Export(ctx context.Context, customerID uuid.UUID) (privacy.Document, error) {
	var doc privacy.Document
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		doc, err = s.export(ctx, tx, customerID)
		return err
	})
	if err != nil {
		return privacy.Document{}, err
	}
	return doc, nil
}

// all reads every page of a list.
func all[T any](list func(p page.Request) (page.Page[T], error)) ([]T, error) {
	out := []T{}
	p := page.Request{Limit: page.MaxLimit}
	for {
		pg, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out, nil
		}
		p.Cursor = pg.Next
	}
}

func (e *env) export(ctx context.Context, tx storage.Tx, id uuid.UUID) (privacy.Document, error) {
	c, err := tx.Customers().Get(ctx, id)
	if err != nil {
		return privacy.Document{}, mapCustomerErr(err)
	}
	doc := privacy.Document{Version: privacy.Version, ExportedAt: e.clock(), Profile: c}
	book, err := tx.Addresses().Book(ctx, id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return privacy.Document{}, err
	}
	doc.Addresses = append([]address.Entry{}, book.Entries...)
	if doc.Groups, err = all(func(p page.Request) (page.Page[group.Group], error) {
		return tx.Groups().List(ctx, group.Filter{MemberID: id}, p)
	}); err != nil {
		return privacy.Document{}, err
	}
	if err := exportOrders(ctx, tx, id, &doc); err != nil {
		return privacy.Document{}, err
	}
	accounts, err := tx.Balances().Accounts(ctx, id)
	if err != nil {
		return privacy.Document{}, err
	}
	doc.Balances = []privacy.Balance{}
	for _, a := range accounts {
		ps, err := all(func(p page.Request) (page.Page[balance.Posting], error) {
			return tx.Balances().Postings(ctx, a.ID, p)
		})
		if err != nil {
			return privacy.Document{}, err
		}
		doc.Balances = append(doc.Balances, privacy.Balance{Account: a, Postings: ps})
	}
	if repo, err := walletsOf(tx); err == nil {
		w, err := repo.Wallet(ctx, id)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return privacy.Document{}, err
		}
		doc.PaymentSources = append([]wallet.Source{}, w.Sources...)
	}
	if repo, err := subscriptionsOf(tx); err == nil {
		if doc.Subscriptions, err = all(func(p page.Request) (page.Page[subscription.Subscription], error) {
			return repo.List(ctx, id, p)
		}); err != nil {
			return privacy.Document{}, err
		}
	}
	if repo, err := credentialsOf(tx); err == nil {
		cr, err := repo.Get(ctx, id)
		switch {
		case err == nil:
			doc.Identities = &privacy.Identities{HasPassword: cr.PasswordHash != "", PasswordSetAt: cr.PasswordSetAt,
				VerifiedEmail: cr.VerifiedEmail, EmailVerifiedAt: cr.EmailVerifiedAt, LastLoginAt: cr.LastLoginAt,
				Linked: append([]credential.Identity{}, cr.Identities...)}
		case !errors.Is(err, storage.ErrNotFound):
			return privacy.Document{}, err
		}
	}
	if repo, err := companyRepo(tx); err == nil {
		if doc.Companies, err = repo.CompaniesOf(ctx, id); err != nil {
			return privacy.Document{}, err
		}
	}
	if err := exportMarketplace(ctx, tx, id, &doc); err != nil {
		return privacy.Document{}, err
	}
	if repo, err := verificationsOf(tx); err == nil {
		subject := verification.CustomerSubject(id)
		v, err := repo.Get(ctx, subject)
		if err != nil {
			return privacy.Document{}, err
		}
		if v.Version > 0 {
			hist, err := all(func(p page.Request) (page.Page[verification.Review], error) {
				return repo.History(ctx, subject, p)
			})
			if err != nil {
				return privacy.Document{}, err
			}
			doc.Verification = &privacy.Verification{Current: v, History: hist}
		}
	}
	if repo, err := consentsOf(tx); err == nil {
		if doc.Consents, err = all(func(p page.Request) (page.Page[consent.Record], error) {
			return repo.History(ctx, id, p)
		}); err != nil {
			return privacy.Document{}, err
		}
	}
	pr, hasRecords := privacyOf(tx)
	if m, err := mergesOf(tx); err == nil && hasRecords {
		ids, err := pr.MergedInto(ctx, id)
		if err != nil {
			return privacy.Document{}, err
		}
		doc.Merges = []customer.Tombstone{}
		for _, mid := range ids {
			t, err := m.Get(ctx, mid)
			if err != nil {
				return privacy.Document{}, err
			}
			doc.Merges = append(doc.Merges, t)
		}
	}
	if ob, ok := tx.(storage.Outbox); ok {
		evs, err := all(func(p page.Request) (page.Page[event.Event], error) {
			return ob.Events().ByCustomer(ctx, id, p)
		})
		if err != nil {
			return privacy.Document{}, err
		}
		doc.Audit = make([]event.AuditEntry, len(evs))
		for i, ev := range evs {
			doc.Audit[i] = ev.Audit(true)
		}
	}
	if hasRecords {
		doc.Erasures = []privacy.Erasure{}
		rec, err := pr.Erasure(ctx, id)
		switch {
		case err == nil:
			doc.Erasures = append(doc.Erasures, rec)
		case !errors.Is(err, storage.ErrNotFound):
			return privacy.Document{}, err
		}
	}
	return doc, nil
}

func exportOrders(ctx context.Context, tx storage.Tx, id uuid.UUID, doc *privacy.Document) error {
	orders, err := all(func(p page.Request) (page.Page[order.Order], error) {
		return tx.Orders().List(ctx, id, p)
	})
	if err != nil {
		return err
	}
	dd, detailsErr := historyOf(tx)
	doc.Orders = make([]privacy.Order, 0, len(orders))
	for _, o := range orders {
		po := privacy.Order{Order: o}
		if detailsErr == nil {
			ds, err := dd.Details(ctx, o.ID, storage.DetailReturn)
			if err != nil {
				return err
			}
			for _, d := range ds {
				r, err := d.AsReturn()
				if err != nil {
					return err
				}
				po.Returns = append(po.Returns, r)
			}
			if ds, err = dd.Details(ctx, o.ID, storage.DetailExchange); err != nil {
				return err
			}
			for _, d := range ds {
				x, err := d.AsExchange()
				if err != nil {
					return err
				}
				po.Exchanges = append(po.Exchanges, x)
			}
			if ds, err = dd.Details(ctx, o.ID, storage.DetailRefund); err != nil {
				return err
			}
			for _, d := range ds {
				r, err := d.AsRefund()
				if err != nil {
					return err
				}
				po.Refunds = append(po.Refunds, r)
			}
		}
		doc.Orders = append(doc.Orders, po)
	}
	return nil
}

func exportMarketplace(ctx context.Context, tx storage.Tx, id uuid.UUID, doc *privacy.Document) error {
	repo, err := marketplaceOf(tx)
	if err != nil {
		return nil
	}
	mp := &privacy.Marketplace{Relations: []merchant.CustomerRelation{}}
	if mp.Memberships, err = repo.MembershipsOf(ctx, id); err != nil {
		return err
	}
	if mp.Memberships == nil {
		mp.Memberships = []merchant.Member{}
	}
	st, err := repo.Operator(ctx, id)
	switch {
	case err == nil:
		mp.Operator = &st
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	merchants, err := all(func(p page.Request) (page.Page[merchant.Merchant], error) {
		return tx.Merchants().List(ctx, p)
	})
	if err != nil {
		return err
	}
	for _, m := range merchants {
		rel, err := repo.CustomerRelation(ctx, m.ID, id)
		switch {
		case err == nil:
			mp.Relations = append(mp.Relations, rel)
		case !errors.Is(err, storage.ErrNotFound):
			return err
		}
	}
	doc.Marketplace = mp
	return nil
}
