package clientele

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/storage"
)

// Customers registers, finds, updates and lists customers.
//
// One live registered and one live guest customer may share an email
// address: the storage adapter enforces it with a unique index, and the
// service reports a clash as customer.ErrEmailTaken.
type Customers struct{ *env }

// maxCreateAttempts bounds the find-or-create loop of CreateGuest. Each extra
// attempt happens only when another writer created or deleted the same guest
// in between.
const maxCreateAttempts = 5

// CreateGuest returns the live guest customer with p.Email, creating it from
// p if there is none. It is idempotent and never reports a conflict on the
// email: concurrent calls with the same address, in any spelling that
// canonicalizes to the same one, return the same customer. A guest coexists
// with a registered customer of the same email.
//
// p is validated in full even when the guest exists already, so that bad
// input is never accepted silently; an existing guest is returned as it is
// (p's other fields are not applied: use Update for that). Errors:
// *customer.ValidationError (customer.ErrInvalid), customer.ErrReferenceTaken.
func (s *Customers) CreateGuest(ctx context.Context, p customer.Params) (customer.Customer, error) {
	guest, err := customer.NewGuest(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, err
	}
	for range maxCreateAttempts {
		c, err := s.store.Customers().GetByEmail(ctx, guest.Email.Address, false)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return customer.Customer{}, err
		}
		c, err = s.store.Customers().Create(ctx, guest)
		if storage.IsConflict(err, storage.ConstraintCustomerEmail) {
			continue // another call created it first: read it back
		}
		return c, mapCustomerErr(err)
	}
	return customer.Customer{}, fmt.Errorf("clientele: guest %s changed %d times while being created: %w",
		storage.Quote(guest.Email.Address), maxCreateAttempts, storage.ErrConflict)
}

// Register creates a registered, active customer. Errors:
// customer.ErrEmailTaken when a live registered customer has the email,
// customer.ErrEmailConfusable when one has an address that looks like it
// (unless WithConfusableEmails(true)), customer.ErrReferenceTaken,
// *customer.ValidationError.
//
// The look-alike check reads before it writes: two registrations of
// look-alike addresses racing each other can both succeed (the exact
// address is unique in storage; its look-alikes are not, since the rule is
// an option).
func (s *Customers) Register(ctx context.Context, p customer.Params) (customer.Customer, error) {
	c, err := customer.NewRegistered(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, err
	}
	return s.create(ctx, c)
}

// Invite creates a registered customer in the invited state, who becomes
// active on Activate. Errors: those of Register (look-alike addresses
// included).
func (s *Customers) Invite(ctx context.Context, p customer.Params) (customer.Customer, error) {
	c, err := customer.NewInvited(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, err
	}
	return s.create(ctx, c)
}

func (s *Customers) create(ctx context.Context, c customer.Customer) (customer.Customer, error) {
	if err := s.refuseConfusable(ctx, c); err != nil {
		return customer.Customer{}, err
	}
	c, err := s.store.Customers().Create(ctx, c)
	return c, mapCustomerErr(err)
}

// refuseConfusable returns customer.ErrEmailConfusable when another live
// registered customer's address has the look-alike key of c's, unless the
// service allows it. A customer with c's very address is left to Create,
// which reports customer.ErrEmailTaken. The error names neither the other
// customer nor their address.
func (s *Customers) refuseConfusable(ctx context.Context, c customer.Customer) error {
	if s.allowConfusable || !c.HasAccount {
		return nil
	}
	// At most one live registered customer has c's very address, so two
	// items are enough to see another one.
	page, err := s.store.Customers().ListByEmailSkeleton(ctx, customer.EmailSkeleton(c.Email.Address), true,
		storage.PageRequest{Limit: 2})
	if err != nil {
		return err
	}
	other := false
	for _, o := range page.Items {
		if o.Email.Address == c.Email.Address {
			return nil
		}
		other = true
	}
	if other {
		return fmt.Errorf("%w: %s", customer.ErrEmailConfusable, storage.Quote(c.Email.Display))
	}
	return nil
}

// cleanRef normalizes a reference or origin the way the customer package
// stores it.
func cleanRef(s string) string {
	if !utf8.ValidString(s) {
		return s
	}
	return strings.TrimSpace(textnorm.NFC(s))
}

// mapCustomerErr turns storage errors into the customer package's sentinels.
func mapCustomerErr(err error) error {
	if err == nil {
		return nil
	}
	err = conflict(err, storage.ConstraintCustomerEmail, customer.ErrEmailTaken)
	err = conflict(err, storage.ConstraintCustomerReference, customer.ErrReferenceTaken)
	return notFound(err, customer.ErrNotFound)
}

// Get returns the live customer with the ID. Errors: customer.ErrNotFound
// (also for a deleted customer).
func (s *Customers) Get(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	return liveCustomer(ctx, s.store, id)
}

// liveCustomer reads a customer through r and refuses deleted ones.
func liveCustomer(ctx context.Context, r storage.Repositories, id uuid.UUID) (customer.Customer, error) {
	c, err := r.Customers().Get(ctx, id)
	if err != nil {
		return customer.Customer{}, mapCustomerErr(err)
	}
	if c.IsDeleted() {
		return customer.Customer{}, deletedErr(id)
	}
	return c, nil
}

// GetByEmail returns the live customer with the email address, in any
// spelling that canonicalizes to the same address: the registered customer
// when there is one, the guest otherwise. Errors: customer.ErrNotFound,
// *customer.ValidationError.
func (s *Customers) GetByEmail(ctx context.Context, email string) (customer.Customer, error) {
	canonical, err := customer.CanonicalEmail(email)
	if err != nil {
		return customer.Customer{}, err
	}
	c, err := s.store.Customers().GetByEmail(ctx, canonical, true)
	if errors.Is(err, storage.ErrNotFound) {
		c, err = s.store.Customers().GetByEmail(ctx, canonical, false)
	}
	return c, mapCustomerErr(err)
}

// GetByReference returns the live customer with the external reference.
// Both strings are trimmed and put in NFC first, as customer.New stores them.
// Errors: customer.ErrNotFound; storage.ErrTooLarge (a *storage.LimitError)
// for a string longer than storage.MaxKeyBytes, checked before any work.
func (s *Customers) GetByReference(ctx context.Context, origin, reference string) (customer.Customer, error) {
	if err := storage.CheckKey("origin", origin); err != nil {
		return customer.Customer{}, err
	}
	if err := storage.CheckKey("reference", reference); err != nil {
		return customer.Customer{}, err
	}
	origin, reference = cleanRef(origin), cleanRef(reference)
	if reference == "" {
		return customer.Customer{}, fmt.Errorf("empty reference: %w", customer.ErrNotFound)
	}
	c, err := s.store.Customers().GetByReference(ctx, origin, reference)
	return c, mapCustomerErr(err)
}

// Update applies p with patch semantics (nil fields stay unchanged).
// Errors: customer.ErrNotFound (also for a deleted or erased customer),
// customer.ErrEmailTaken, customer.ErrReferenceTaken,
// *customer.ValidationError; nothing is written on error.
func (s *Customers) Update(ctx context.Context, id uuid.UUID, p customer.Patch) (customer.Customer, error) {
	return s.update(ctx, id, func(c *customer.Customer) error {
		if c.IsDeleted() {
			return deletedErr(c.ID)
		}
		return c.Apply(p, s.clock())
	})
}

// update runs fn on the customer id (deleted or not; fn decides) and maps
// storage errors to the customer package's sentinels.
func (s *Customers) update(ctx context.Context, id uuid.UUID, fn func(*customer.Customer) error) (customer.Customer, error) {
	c, err := s.store.Customers().Update(ctx, id, fn)
	return c, mapCustomerErr(err)
}

func deletedErr(id uuid.UUID) error {
	return fmt.Errorf("customer %s was deleted: %w", id, customer.ErrNotFound)
}

// transition runs one account-state change of the domain. An erased
// customer reports the domain's *customer.TransitionError (erased is final),
// any other deleted customer customer.ErrNotFound.
func (s *Customers) transition(ctx context.Context, id uuid.UUID, move func(*customer.Customer) error) (customer.Customer, error) {
	return s.update(ctx, id, func(c *customer.Customer) error {
		if c.IsDeleted() && c.State != customer.StateErased {
			return deletedErr(c.ID)
		}
		return move(c)
	})
}

// Activate activates an invited customer's account (invited → active); see
// customer.Customer.Activate. A disabled account is switched on with Enable
// instead, so that accepting an old invitation cannot undo a Disable.
// Errors: customer.ErrNotFound, customer.ErrInvalidTransition.
func (s *Customers) Activate(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	return s.transition(ctx, id, func(c *customer.Customer) error { return c.Activate(s.clock()) })
}

// Disable switches an invited or active account off. Errors:
// customer.ErrNotFound, customer.ErrInvalidTransition (guests have no account
// to disable; a disabled account cannot be disabled again).
func (s *Customers) Disable(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	return s.transition(ctx, id, func(c *customer.Customer) error { return c.Disable(s.clock()) })
}

// Enable switches a disabled account on again (disabled → active). Errors:
// customer.ErrNotFound, customer.ErrInvalidTransition.
func (s *Customers) Enable(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	return s.transition(ctx, id, func(c *customer.Customer) error { return c.Enable(s.clock()) })
}

// Delete soft-deletes the customer: the record stays (orders and ledger
// postings still refer to it) but it disappears from lookups and lists, and
// its email address and reference are free for a new customer. Deleting
// twice reports customer.ErrNotFound the second time. Errors:
// customer.ErrNotFound.
func (s *Customers) Delete(ctx context.Context, id uuid.UUID) error {
	_, err := s.update(ctx, id, func(c *customer.Customer) error {
		if c.IsDeleted() {
			return deletedErr(c.ID)
		}
		c.MarkDeleted(s.clock())
		return nil
	})
	return err
}

// Erase carries out a data-subject erasure request: in one transaction it
// scrubs the customer's personal data and deletes the customer (see
// customer.Customer.Erase) and empties the address book, which holds
// personal data too. Order history, ledger postings and group memberships
// are kept: they carry no personal data of their own. It also works on a
// customer that was already deleted. Errors: customer.ErrNotFound,
// customer.ErrInvalidTransition (erasing twice).
func (s *Customers) Erase(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	var out customer.Customer
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		c, err := tx.Customers().Update(ctx, id, func(c *customer.Customer) error { return c.Erase(s.clock()) })
		if err != nil {
			return mapCustomerErr(err)
		}
		if _, err := tx.Addresses().UpdateBook(ctx, id, func(b *address.Book) error {
			b.Entries = nil
			return nil
		}); err != nil {
			return mapCustomerErr(err)
		}
		out = c
		return nil
	})
	return out, err
}

// List returns a page of customers matching f, ordered by (CreatedAt, ID).
// f.Email may be given in any spelling and f.Tags in any case: they are
// canonicalized first; at most customer.MaxTags (storage.MaxFilterTags)
// distinct tags. Errors: *customer.ValidationError, storage.ErrInvalidCursor,
// storage.ErrTooLarge for a Name longer than storage.MaxKeyBytes.
func (s *Customers) List(ctx context.Context, f storage.CustomerFilter, p storage.PageRequest) (storage.Page[customer.Customer], error) {
	if f.Email != "" {
		canonical, err := customer.CanonicalEmail(f.Email)
		if err != nil {
			return storage.Page[customer.Customer]{}, err
		}
		f.Email = canonical
	}
	if len(f.Tags) > 0 {
		tags, err := customer.NormalizeTags(f.Tags)
		if err != nil {
			return storage.Page[customer.Customer]{}, err
		}
		f.Tags = tags
	}
	return s.store.Customers().List(ctx, f, p)
}
