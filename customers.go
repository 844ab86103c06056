package clientele

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/page"
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
// p if there is none; created reports which happened (a host answers 201 or
// 200). It is idempotent and never reports a conflict on the
// email: concurrent calls with the same address, in any spelling that
// canonicalizes to the same one, return the same customer. A guest coexists
// with a registered customer of the same email.
//
// p is validated in full even when the guest exists already, so that bad
// input is never accepted silently; an existing guest is returned as it is
// (p's other fields are not applied: use Update for that). Errors:
// *customer.ValidationError (customer.ErrInvalid), customer.ErrReferenceTaken.
//
// It honours IdempotencyKey, though the email makes it idempotent already:
// the key then also refuses another request under it
// (ErrIdempotencyKeyReused), and a replay reports created as false.
func (s *Customers) CreateGuest(ctx context.Context, p customer.Params, opts ...CallOption) (c customer.Customer, created bool, err error) {
	guest, err := customer.NewGuest(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, false, err
	}
	o := collect(opts)
	if !o.keySet {
		return s.guestWithoutKey(ctx, guest)
	}
	request := guest.Clone()
	request.ID, request.CreatedAt, request.UpdatedAt = uuid.Nil, time.Time{}, time.Time{}
	err = s.once(ctx, "customer.guest", o, request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			c, created, err = s.findOrCreateGuest(ctx, tx, guest)
			return c.ID.String(), err
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err == nil {
				c, err = tx.Customers().Get(ctx, id)
			}
			created = false
			return mapCustomerErr(err)
		})
	if err != nil {
		return customer.Customer{}, false, err
	}
	return c, created, nil
}

// guestWithoutKey is CreateGuest without an idempotency key. The common
// case, a returning guest, is one read, outside any transaction of the
// service's own. A new guest is created in a transaction with its event;
// the INSERT's conflict on the live email key tells that another request
// created the guest since the read, and the lookup runs again.
func (s *Customers) guestWithoutKey(ctx context.Context, guest customer.Customer) (customer.Customer, bool, error) {
	for range maxCreateAttempts {
		c, err := s.store.Customers().GetByEmail(ctx, guest.Email.Address, false)
		if err == nil {
			return c, false, nil
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return customer.Customer{}, false, mapCustomerErr(err)
		}
		err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
			c, err = tx.Customers().Create(ctx, guest)
			if err != nil {
				return err
			}
			return s.emitCustomer(ctx, tx, event.CustomerCreated, nil, c)
		})
		if !storage.IsConflict(err, storage.ConstraintCustomerEmail) {
			if err != nil {
				return customer.Customer{}, false, mapCustomerErr(err)
			}
			return c, true, nil
		}
	}
	return customer.Customer{}, false, fmt.Errorf("clientele: create raced %d times: %w", maxCreateAttempts, storage.ErrConflict)
}

// findOrCreateGuest returns the live guest with guest's email through r (a
// transaction), creating guest when there is none. A lost race returns
// errRaced, for the caller to rerun the transaction: its snapshot may hide
// the winner.
func (s *Customers) findOrCreateGuest(ctx context.Context, r storage.Repositories, guest customer.Customer) (customer.Customer, bool, error) {
	c, err := r.Customers().GetByEmail(ctx, guest.Email.Address, false)
	if err == nil {
		return c, false, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return customer.Customer{}, false, err
	}
	c, err = r.Customers().Create(ctx, guest)
	if storage.IsConflict(err, storage.ConstraintCustomerEmail) {
		return customer.Customer{}, false, errRaced
	}
	if err != nil {
		return customer.Customer{}, false, mapCustomerErr(err)
	}
	if err := s.emitCustomer(ctx, r, event.CustomerCreated, nil, c); err != nil {
		return customer.Customer{}, false, err
	}
	return c, true, nil
}

// Register creates a registered, active customer. Errors:
// customer.ErrEmailTaken when a live registered customer has the email,
// customer.ErrEmailConfusable when one has an address that looks like it
// (unless WithConfusableEmails(true)), customer.ErrReferenceTaken,
// *customer.ValidationError. It honours IdempotencyKey (then also
// ErrIdempotencyKeyReused, ErrUnsupported).
//
// The look-alike check reads before it writes: two registrations of
// look-alike addresses racing each other can both succeed (the exact
// address is unique in storage; its look-alikes are not, since the rule is
// an option).
func (s *Customers) Register(ctx context.Context, p customer.Params, opts ...CallOption) (customer.Customer, error) {
	c, err := customer.NewRegistered(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, err
	}
	return s.create(ctx, "customer.register", c, opts)
}

// Invite creates a registered customer in the invited state, who becomes
// active on Activate. Errors: those of Register (look-alike addresses
// included). It honours IdempotencyKey.
func (s *Customers) Invite(ctx context.Context, p customer.Params, opts ...CallOption) (customer.Customer, error) {
	c, err := customer.NewInvited(s.newID(), p, s.clock())
	if err != nil {
		return customer.Customer{}, err
	}
	return s.create(ctx, "customer.invite", c, opts)
}

// create stores the new customer c, under the call's idempotency key if it
// has one. The request is c without what the service generated (its ID and
// times): the validated, normalized form of the caller's Params.
func (s *Customers) create(ctx context.Context, scope string, c customer.Customer, opts []CallOption) (customer.Customer, error) {
	var out customer.Customer
	request := c.Clone()
	request.ID, request.CreatedAt, request.UpdatedAt = uuid.Nil, time.Time{}, time.Time{}
	err := s.once(ctx, scope, collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			if err := s.refuseConfusable(ctx, tx, c); err != nil {
				return "", err
			}
			var err error
			out, err = tx.Customers().Create(ctx, c)
			if err != nil {
				return "", mapCustomerErr(err)
			}
			t := event.CustomerRegistered
			if out.State == customer.StateInvited {
				t = event.CustomerInvited
			}
			return out.ID.String(), s.emitCustomer(ctx, tx, t, nil, out)
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err == nil {
				out, err = tx.Customers().Get(ctx, id)
			}
			return mapCustomerErr(err)
		})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// refuseConfusable returns customer.ErrEmailConfusable when another live
// registered customer's address has the look-alike key of c's, unless the
// service allows it. A customer with c's very address is left to Create,
// which reports customer.ErrEmailTaken. The error names neither the other
// customer nor their address.
func (s *Customers) refuseConfusable(ctx context.Context, r storage.Repositories, c customer.Customer) error {
	if s.allowConfusable || !c.HasAccount {
		return nil
	}
	sk, ok := r.Customers().(storage.CustomerSkeletons)
	if !ok {
		return fmt.Errorf("%w: refusing look-alike emails needs the storage.CustomerSkeletons capability "+
			"(or allow them with WithConfusableEmails(true))", ErrUnsupported)
	}
	// At most one live registered customer has c's very address, so two
	// items are enough to see another one.
	page, err := sk.ListByEmailSkeleton(ctx, customer.EmailSkeleton(c.Email.Address), true,
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

// GetAny returns the customer with the ID whether it is live, deleted or
// erased: for support staff and audits, which need the record after the
// fact (an erased customer has only its ID, state, times and placeholder
// email left). It is the one read that finds deleted customers. Errors:
// customer.ErrNotFound when no customer ever had the ID.
func (s *Customers) GetAny(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	c, err := s.store.Customers().Get(ctx, id)
	return c, mapCustomerErr(err)
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
	c, err := lookupEmail(ctx, s.store, canonical)
	return c, mapCustomerErr(err)
}

// lookupEmail returns the live customer with the canonical address through
// r, the registered one first: one read where the repository has the
// storage.CustomerEmailLookup capability, two otherwise.
func lookupEmail(ctx context.Context, r storage.Repositories, canonical string) (customer.Customer, error) {
	repo := r.Customers()
	if l, ok := repo.(storage.CustomerEmailLookup); ok {
		return l.LookupEmail(ctx, canonical)
	}
	c, err := repo.GetByEmail(ctx, canonical, true)
	if errors.Is(err, storage.ErrNotFound) {
		c, err = repo.GetByEmail(ctx, canonical, false)
	}
	return c, err
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

// Update applies p with patch semantics (nil fields stay unchanged). A
// new email address of a customer with an account ends the customer's
// sessions (the credentials' session version moves up) and revokes the
// tokens mailed to the old address; the new address is not verified
// (Accounts.RequestEmailChange is the customer's own, verified change).
// Errors: customer.ErrNotFound (also for a deleted or erased customer),
// customer.ErrEmailTaken, customer.ErrReferenceTaken,
// *customer.ValidationError; nothing is written on error.
//
// It honours IfVersion: with it, a customer whose Version differs returns a
// *VersionMismatchError and is left alone.
func (s *Customers) Update(ctx context.Context, id uuid.UUID, p customer.Patch, opts ...CallOption) (customer.Customer, error) {
	o := collect(opts)
	return s.update(ctx, id, event.CustomerUpdated, func(c *customer.Customer) error {
		if c.IsDeleted() {
			return deletedErr(c.ID)
		}
		if err := o.checkVersion(c.Version); err != nil {
			return err
		}
		return c.Apply(p, s.clock())
	})
}

// update runs fn on the customer id (deleted or not; fn decides) in a
// transaction that appends an event of type t about the change, and maps
// storage errors to the customer package's sentinels. A change that
// disables or deletes the customer also revokes its pending tokens, and a
// deletion frees its external identities.
func (s *Customers) update(ctx context.Context, id uuid.UUID, t event.Type, fn func(*customer.Customer) error) (customer.Customer, error) {
	var out customer.Customer
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if t == event.CustomerDeleted {
			// First, while the customer is live (credentials are written
			// for live customers only); a failing fn rolls it back.
			if err := s.freeIdentities(ctx, tx, id); err != nil {
				return err
			}
		}
		var before customer.Customer
		c, err := tx.Customers().Update(ctx, id, func(c *customer.Customer) error {
			before = c.Clone()
			return fn(c)
		})
		if err != nil {
			return mapCustomerErr(err)
		}
		out = c
		if t == event.CustomerDisabled || t == event.CustomerDeleted {
			if err := s.revokeTokens(ctx, tx, id, t == event.CustomerDisabled); err != nil {
				return err
			}
		}
		if t == event.CustomerUpdated && c.HasAccount && before.Email.Address != c.Email.Address {
			if err := s.addressChanged(ctx, tx, id); err != nil {
				return err
			}
		}
		return s.emitCustomer(ctx, tx, t, &before, c)
	})
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// emitCustomer emits a customer event with c as it is now and, when before
// is given, the fields that changed.
func (e *env) emitCustomer(ctx context.Context, r storage.Repositories, t event.Type, before *customer.Customer, c customer.Customer) error {
	p := event.CustomerPayload{Customer: c}
	if before != nil {
		p.Changes = diff(*before, c)
	}
	return e.emitOne(ctx, r, t, event.AggregateCustomer, c.ID.String(), c.ID, c.Version, p)
}

// errAlreadyErased stops Erase's update of a customer erased before: the
// second erasure is a no-op, not a write.
var errAlreadyErased = errors.New("already erased")

func deletedErr(id uuid.UUID) error {
	return fmt.Errorf("customer %s was deleted: %w", id, customer.ErrNotFound)
}

// transition runs one account-state change of the domain. A deleted or
// erased customer is not found, as everywhere in the services.
func (s *Customers) transition(ctx context.Context, id uuid.UUID, t event.Type, opts []CallOption, move func(*customer.Customer) error) (customer.Customer, error) {
	o := collect(opts)
	return s.update(ctx, id, t, func(c *customer.Customer) error {
		if c.IsDeleted() {
			return deletedErr(c.ID)
		}
		if err := o.checkVersion(c.Version); err != nil {
			return err
		}
		return move(c)
	})
}

// Activate activates an invited customer's account (invited → active); see
// customer.Customer.Activate. A disabled account is switched on with Enable
// instead, so that accepting an old invitation cannot undo a Disable.
// Errors: customer.ErrNotFound, customer.ErrInvalidTransition.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Customers) Activate(ctx context.Context, id uuid.UUID, opts ...CallOption) (customer.Customer, error) {
	return s.transition(ctx, id, event.CustomerActivated, opts, func(c *customer.Customer) error { return c.Activate(s.clock()) })
}

// Disable switches an invited or active account off, revokes the
// customer's pending one-time tokens (reset, activation...) and moves the
// credentials' session version up, so that the host ends the customer's
// sessions. Errors:
// customer.ErrNotFound, customer.ErrInvalidTransition (guests have no account
// to disable; a disabled account cannot be disabled again).
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Customers) Disable(ctx context.Context, id uuid.UUID, opts ...CallOption) (customer.Customer, error) {
	return s.transition(ctx, id, event.CustomerDisabled, opts, func(c *customer.Customer) error { return c.Disable(s.clock()) })
}

// revokeTokens revokes the customer's pending one-time tokens in tx, when
// the store keeps credentials: a disabled or deleted customer's links stop
// working. With endSessions (a disabled account) the credentials' session
// version moves up too, so that hosts end the customer's sessions.
func (e *env) revokeTokens(ctx context.Context, tx storage.Tx, id uuid.UUID, endSessions bool) error {
	repo, err := credentialsOf(tx)
	if err != nil {
		return nil // no credentials, no tokens
	}
	if _, err = repo.RevokeTokens(ctx, id, e.clock()); err != nil {
		return err
	}
	if !endSessions {
		return nil
	}
	now := e.clock()
	_, err = repo.Update(ctx, id, func(cr *credential.Credentials) error {
		cr.EndSessions(now)
		return nil
	})
	return customerGone(err)
}

// errNoIdentities stops freeIdentities' update when there is nothing to
// free: nothing is written.
var errNoIdentities = errors.New("no identities")

// freeIdentities unlinks the customer's external identities in tx, when
// the store keeps credentials, and emits account.identity_unlinked for
// each: a deleted customer's identities are free for another account, as
// its email address is (otherwise the same person could never link that
// identity to a new account, while FindByIdentity finds nobody). A
// customer that is not live is customer.ErrNotFound.
func (e *env) freeIdentities(ctx context.Context, tx storage.Tx, id uuid.UUID) error {
	repo, err := credentialsOf(tx)
	if err != nil {
		return nil // no credentials, no identities
	}
	now := e.clock()
	var gone []credential.Identity
	cr, err := repo.Update(ctx, id, func(cr *credential.Credentials) error {
		if len(cr.Identities) == 0 {
			return errNoIdentities
		}
		gone, cr.Identities = cr.Identities, nil
		cr.Touch(now)
		return nil
	})
	if errors.Is(err, errNoIdentities) {
		return nil
	}
	if err != nil {
		return mapCustomerErr(customerGone(err))
	}
	for _, g := range gone {
		if err := e.emitOne(ctx, tx, event.AccountIdentityUnlinked, event.AggregateCredentials, id.String(), id,
			cr.Version, event.IdentityPayload{Identity: g}); err != nil {
			return err
		}
	}
	return nil
}

// Enable switches a disabled account on again (disabled → active). Errors:
// customer.ErrNotFound, customer.ErrInvalidTransition.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Customers) Enable(ctx context.Context, id uuid.UUID, opts ...CallOption) (customer.Customer, error) {
	return s.transition(ctx, id, event.CustomerEnabled, opts, func(c *customer.Customer) error { return c.Enable(s.clock()) })
}

// Delete soft-deletes the customer (and revokes its pending one-time
// tokens): the record stays (orders and ledger postings still refer to
// it) but it disappears from lookups and lists, and its email address,
// reference and external identities are free for a new customer (each
// identity unlinked emits account.identity_unlinked). Deleting twice
// reports customer.ErrNotFound the second time. Errors:
// customer.ErrNotFound.
func (s *Customers) Delete(ctx context.Context, id uuid.UUID) error {
	_, err := s.update(ctx, id, event.CustomerDeleted, func(c *customer.Customer) error {
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
// personal data too, and deletes the credentials (password hash, linked
// identities, tokens) where the store keeps them. Order history, ledger postings and group memberships
// are kept: they carry no personal data of their own. It also works on a
// customer that was already deleted, and erasing an erased customer again
// changes nothing and returns it as it is (a retried request succeeds).
// It is Privacy.Erase with no reason (see there for everything erased).
// Errors: customer.ErrNotFound for an ID that names no customer.
func (s *Customers) Erase(ctx context.Context, id uuid.UUID) (customer.Customer, error) {
	var out customer.Customer
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		_, out, err = s.erase(ctx, tx, id, "")
		return err
	})
	if errors.Is(err, errErasedBefore) {
		return out, nil
	}
	if err != nil {
		return customer.Customer{}, err
	}
	return out, nil
}

// List returns a page of customers matching f, ordered by (CreatedAt, ID).
// f.Email may be given in any spelling and f.Tags in any case: they are
// normalized first (customer.Filter.Normalize); at most customer.MaxTags
// (storage.MaxFilterTags) distinct tags. Errors: *customer.ValidationError,
// page.ErrInvalidCursor, storage.ErrTooLarge for a Name longer than
// storage.MaxKeyBytes. With f.GroupID and a zero f.GroupAt it lists the
// group's members now, by the service clock (as Groups.Members does).
func (s *Customers) List(ctx context.Context, f customer.Filter, p page.Request) (page.Page[customer.Customer], error) {
	f, err := f.Normalize()
	if err != nil {
		return page.Page[customer.Customer]{}, err
	}
	if f.GroupID != uuid.Nil && f.GroupAt.IsZero() {
		f.GroupAt = s.clock() // members now, as Groups.Members lists them
	}
	return s.store.Customers().List(ctx, f, p)
}

// addressChanged ends the sessions of a customer whose address staff
// changed (Customers.Update), as ConfirmEmailChange does for the
// customer's own change, and revokes the tokens mailed to the old address
// (password reset, verification, email change), when the store keeps
// credentials.
func (e *env) addressChanged(ctx context.Context, tx storage.Tx, id uuid.UUID) error {
	repo, err := credentialsOf(tx)
	if err != nil {
		return nil
	}
	now := e.clock()
	if _, err := repo.RevokeTokens(ctx, id, now, credential.PurposePasswordReset, credential.PurposeEmailVerification,
		credential.PurposeEmailChange, credential.PurposeActivation); err != nil {
		return err
	}
	_, err = repo.Update(ctx, id, func(cr *credential.Credentials) error {
		cr.EndSessions(now)
		return nil
	})
	return customerGone(err)
}
