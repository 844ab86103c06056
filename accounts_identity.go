package clientele

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

// LinkIdentity links an external identity (provider, subject) to the
// customer: the hook for SSO, social login and magic links. The host
// verifies the provider's assertion (an OpenID Connect ID token, a
// signed magic link) before it calls this; Clientele keeps the link and
// finds the customer by it (AuthenticateIdentity). The provider name is
// trimmed and lower-cased; the subject is kept byte-exact. Linking an
// identity the customer has already is a no-op. Errors:
// customer.ErrNotFound (also for a guest); credential.ErrIdentityTaken
// when another customer has it; a *credential.ValidationError.
func (s *Accounts) LinkIdentity(ctx context.Context, customerID uuid.UUID, provider, subject string) (credential.Identity, error) {
	if _, err := credentialsOf(s.store); err != nil {
		return credential.Identity{}, err
	}
	id, err := credential.Identity{Provider: provider, Subject: subject, CustomerID: customerID}.Normalize()
	if err != nil {
		return credential.Identity{}, err
	}
	var out credential.Identity
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := accountCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		now := s.clock()
		added := false
		cr, err := repo.Update(ctx, customerID, func(cr *credential.Credentials) error {
			var err error
			added, err = cr.Link(id, now)
			return err
		})
		if err != nil {
			return conflict(customerGone(err), storage.ConstraintIdentity, credential.ErrIdentityTaken)
		}
		out, _ = cr.Identity(id.Provider, id.Subject)
		if !added {
			return nil
		}
		return s.emitOne(ctx, tx, event.AccountIdentityLinked, event.AggregateCredentials, customerID.String(), customerID,
			cr.Version, event.IdentityPayload{Identity: out})
	})
	if err != nil {
		return credential.Identity{}, err
	}
	return out, nil
}

// UnlinkIdentity removes an external identity from the customer and ends
// the customer's sessions (the session version moves up). It refuses to
// remove the last way in: the only identity of a customer without a
// password (credential.ErrLastWayIn). Errors: customer.ErrNotFound;
// credential.ErrIdentityNotFound.
func (s *Accounts) UnlinkIdentity(ctx context.Context, customerID uuid.UUID, provider, subject string) error {
	if _, err := credentialsOf(s.store); err != nil {
		return err
	}
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := accountCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		repo, _ := credentialsOf(tx)
		now := s.clock()
		var gone credential.Identity
		cr, err := repo.Update(ctx, customerID, func(cr *credential.Credentials) error {
			gone, _ = cr.Identity(credential.NormalizeProvider(provider), subject)
			if err := cr.Unlink(provider, subject, now); err != nil {
				return err
			}
			cr.EndSessions(now)
			return nil
		})
		if err != nil {
			return customerGone(err)
		}
		return s.emitOne(ctx, tx, event.AccountIdentityUnlinked, event.AggregateCredentials, customerID.String(), customerID,
			cr.Version, event.IdentityPayload{Identity: gone})
	})
}

// FindByIdentity returns the live customer the identity is linked to.
// Errors: credential.ErrIdentityNotFound; storage.ErrTooLarge for a
// provider or subject longer than storage.MaxKeyBytes.
func (s *Accounts) FindByIdentity(ctx context.Context, provider, subject string) (customer.Customer, error) {
	repo, err := credentialsOf(s.store)
	if err != nil {
		return customer.Customer{}, err
	}
	id, err := repo.ByIdentity(ctx, credential.NormalizeProvider(provider), subject)
	if errors.Is(err, storage.ErrNotFound) {
		return customer.Customer{}, notFound(err, credential.ErrIdentityNotFound)
	} else if err != nil {
		return customer.Customer{}, err
	}
	c, err := liveCustomer(ctx, s.store, id.CustomerID)
	if errors.Is(err, customer.ErrNotFound) {
		return customer.Customer{}, notFound(storage.ErrNotFound, credential.ErrIdentityNotFound)
	}
	return c, err
}

// AuthenticateIdentity signs in the customer an external identity is
// linked to, once the host has verified the provider's assertion: the
// customer must be active (credential.ErrInvalidCredentials otherwise).
// It records the sign-in like Authenticate (the failure counter is
// cleared) and returns the session version. Errors:
// credential.ErrIdentityNotFound for an identity linked to nobody (the
// host may offer to register or link it); credential.ErrInvalidCredentials.
func (s *Accounts) AuthenticateIdentity(ctx context.Context, provider, subject string) (Login, error) {
	c, err := s.FindByIdentity(ctx, provider, subject)
	if err != nil {
		return Login{}, err
	}
	if c.State != customer.StateActive {
		return Login{}, credential.ErrInvalidCredentials
	}
	return s.recordLogin(ctx, c.ID, "", "", "identity", credential.NormalizeProvider(provider), subject)
}
