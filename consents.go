package clientele

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// DefaultConsentTokenLifetime is how long a double opt-in token stays
// valid unless WithConsentTokenLifetime says otherwise.
const DefaultConsentTokenLifetime = 7 * 24 * time.Hour

// WithConsentTokenLifetime sets how long a double opt-in token of
// Consents.Request stays valid; zero or less restores
// DefaultConsentTokenLifetime.
func WithConsentTokenLifetime(d time.Duration) Option {
	return func(e *env) { e.consentTTL = d }
}

// Consents keeps customers' communication consent (package consent): per
// channel and purpose, an append-only history of grants, withdrawals and
// pending double opt-ins, with when, where from, by whom and under which
// wording; the current state is the latest record of each pair.
//
// Who may act, from the actor in ctx: the customer for themselves, or
// staff, an app or the system (named by an ID) for anyone; anything else
// is ErrActorRequired. Confirm needs no actor: the token is the authority
// (the record's actor is then the customer).
//
// Every change appends its record and emits its event (consent.granted,
// consent.withdrawn, consent.requested) in one transaction, under the
// customer's consent lock: concurrent changes of one customer serialize,
// and the state is always the latest record of each pair by (At, Seq).
// Grant and Withdraw write nothing when the pair already is in that
// status with the same wording version (a retried call changes nothing);
// they also honour IdempotencyKey.
//
// An erasure (Privacy.Erase) keeps the history under the pseudonymous
// customer ID, as the proof of consent, and clears each record's IP
// address, user agent and note.
//
// A merge (Customers.Merge) re-points the merged customer's history at
// the survivor, numbered after the survivor's records: History then lists
// the survivor's records, then the merged ones, each part in time order
// but not the two together, and the state is the latest record of each
// pair by time across both. A pending double opt-in moves with its token.
// A change of the merged customer racing the merge either commits first,
// and moves, or fails with customer.ErrNotFound.
//
// It needs a store with the storage.Consents capability (every adapter of
// this module has it); on another store every call returns
// ErrUnsupported.
type Consents struct{ *env }

// consentsOf returns the consent repository of r, or ErrUnsupported.
func consentsOf(r any) (storage.ConsentRecords, error) {
	c, ok := r.(storage.Consents)
	if !ok {
		return nil, fmt.Errorf("%w: consents need the storage.Consents capability (%T)", ErrUnsupported, r)
	}
	return c.ConsentRecords(), nil
}

// consentActor returns who acts in ctx on the customer's consent: the
// customer itself, or staff, an app or the system named by an ID.
func consentActor(ctx context.Context, customerID uuid.UUID) (string, error) {
	who, ok := actor.Lookup(ctx)
	if !ok || who.ID == "" {
		return "", ErrActorRequired
	}
	if who.Kind == actor.KindCustomer && who.ID != customerID.String() {
		return "", ErrActorRequired
	}
	return who.String(), nil
}

// ConsentChange is what Grant, Withdraw and Request record.
type ConsentChange struct {
	Channel consent.Channel `json:"channel"`
	Purpose consent.Purpose `json:"purpose"`
	consent.Evidence
}

// ConsentToken is what Consents.Request returns: the pending record and
// the secret of its double opt-in token.
type ConsentToken struct {
	// Record is the pending record.
	Record consent.Record `json:"record"`
	// Token is the secret to send to the customer (in a link); it is
	// never stored and never returned again.
	Token string `json:"-"`
}

// History returns a page of the customer's consent records, oldest
// first. Errors: customer.ErrNotFound (also for a deleted customer);
// page.ErrInvalidCursor; ErrUnsupported.
func (s *Consents) History(ctx context.Context, customerID uuid.UUID, p page.Request) (page.Page[consent.Record], error) {
	repo, err := consentsOf(s.store)
	if err != nil {
		return page.Page[consent.Record]{}, err
	}
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return page.Page[consent.Record]{}, err
	}
	return repo.History(ctx, customerID, p)
}

// State returns the customer's current consent: the latest record of
// each channel and purpose that has one, read in one query. Errors: as
// History.
func (s *Consents) State(ctx context.Context, customerID uuid.UUID) (consent.State, error) {
	repo, err := consentsOf(s.store)
	if err != nil {
		return consent.State{}, err
	}
	if _, err := liveCustomer(ctx, s.store, customerID); err != nil {
		return consent.State{}, err
	}
	return repo.State(ctx, customerID)
}

// Grant records the customer's opt-in to the channel and purpose. A pair
// already granted under the same wording version records nothing and
// returns its latest record. Errors: ErrActorRequired;
// customer.ErrNotFound; *consent.ValidationError; ErrUnsupported.
func (s *Consents) Grant(ctx context.Context, customerID uuid.UUID, c ConsentChange, opts ...CallOption) (consent.Record, error) {
	return s.set(ctx, "consent.grant", consent.Granted, customerID, c, opts)
}

// Withdraw records the customer's opt-out of the channel and purpose; it
// is always allowed and takes effect at once (a pending double opt-in is
// withdrawn with it: its token no longer confirms). A pair already
// withdrawn records nothing. Errors: as Grant.
func (s *Consents) Withdraw(ctx context.Context, customerID uuid.UUID, c ConsentChange, opts ...CallOption) (consent.Record, error) {
	return s.set(ctx, "consent.withdraw", consent.Withdrawn, customerID, c, opts)
}

// newRecord returns the record of c, checked.
func (s *Consents) newRecord(customerID uuid.UUID, status consent.Status, c ConsentChange, who string) (consent.Record, error) {
	rec := consent.Record{ID: s.newID(), CustomerID: customerID, Channel: c.Channel, Purpose: c.Purpose,
		Status: status, At: s.clock(), Actor: who, Evidence: c.Evidence}
	if err := (consent.Pair{Channel: c.Channel, Purpose: c.Purpose}).Validate(); err != nil {
		return consent.Record{}, err
	}
	return rec, c.Evidence.Validate()
}

func (s *Consents) set(ctx context.Context, scope string, status consent.Status, customerID uuid.UUID, c ConsentChange, opts []CallOption) (consent.Record, error) {
	if _, err := consentsOf(s.store); err != nil {
		return consent.Record{}, err
	}
	who, err := consentActor(ctx, customerID)
	if err != nil {
		return consent.Record{}, err
	}
	proto, err := s.newRecord(customerID, status, c, who)
	if err != nil {
		return consent.Record{}, err
	}
	var out consent.Record
	request := struct {
		CustomerID uuid.UUID
		Change     ConsentChange
	}{customerID, c}
	err = s.once(ctx, scope, collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			repo, err := consentsOf(tx)
			if err != nil {
				return "", err
			}
			if _, err := liveCustomer(ctx, tx, customerID); err != nil {
				return "", err
			}
			var current *consent.Record
			recs, err := repo.Append(ctx, customerID, func(st consent.State) ([]consent.Record, error) {
				current = nil
				if cur, ok := st.Of(proto.Pair()); ok && cur.Status == status && cur.WordingVersion == proto.WordingVersion {
					current = &cur
					return nil, nil
				}
				rec := proto
				rec.ID, rec.At = s.newID(), s.stamp(st, proto.Pair())
				return []consent.Record{rec}, nil
			})
			if err != nil {
				return "", customerGone(err) // merged away since liveCustomer read it
			}
			if current != nil {
				out = *current
				return out.ID.String(), nil
			}
			out = recs[0]
			return out.ID.String(), s.emitConsent(ctx, tx, out)
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err != nil {
				return err
			}
			out, err = consentRecord(ctx, tx, customerID, id)
			return err
		})
	if err != nil {
		return consent.Record{}, err
	}
	return out, nil
}

// consentRecord finds the customer's record id in the history (an
// idempotent replay).
func consentRecord(ctx context.Context, tx storage.Tx, customerID, id uuid.UUID) (consent.Record, error) {
	repo, err := consentsOf(tx)
	if err != nil {
		return consent.Record{}, err
	}
	p := page.Request{Limit: page.MaxLimit}
	for {
		pg, err := repo.History(ctx, customerID, p)
		if err != nil {
			return consent.Record{}, err
		}
		for _, r := range pg.Items {
			if r.ID == id {
				return r, nil
			}
		}
		if pg.Next == "" {
			return consent.Record{}, fmt.Errorf("consent record %s: %w", id, storage.ErrNotFound)
		}
		p.Cursor = pg.Next
	}
}

// stamp returns the time of a new record of the pair, read under the
// customer's consent lock: the service clock, or the time of the pair's
// latest record if that is later (another host's clock ahead of ours).
// So the newest change of a pair is always its current one: the state
// (the latest record by time, then Seq) never keeps an older change over
// a newer one, and a withdrawal takes effect at once.
func (s *Consents) stamp(st consent.State, p consent.Pair) time.Time {
	now := s.clock()
	if cur, ok := st.Of(p); ok && cur.At.After(now) {
		return cur.At
	}
	return now
}

// emitConsent emits the event of rec.
func (s *Consents) emitConsent(ctx context.Context, tx storage.Tx, rec consent.Record) error {
	t := event.ConsentGranted
	switch rec.Status {
	case consent.Withdrawn:
		t = event.ConsentWithdrawn
	case consent.Pending:
		t = event.ConsentRequested
	}
	return s.emitOne(ctx, tx, t, event.AggregateConsent, rec.CustomerID.String(), rec.CustomerID, rec.Seq,
		event.ConsentPayload{Record: rec})
}

// Request starts a double opt-in: it records a pending consent of the
// channel and purpose and returns the token to send to the customer
// (valid for DefaultConsentTokenLifetime, or WithConsentTokenLifetime).
// Only the token's hash is stored. A newer request, grant or withdrawal
// of the pair supersedes the token. Request is not idempotent: a retry
// issues a new token, which supersedes the first. Errors: as Grant.
func (s *Consents) Request(ctx context.Context, customerID uuid.UUID, c ConsentChange) (ConsentToken, error) {
	if _, err := consentsOf(s.store); err != nil {
		return ConsentToken{}, err
	}
	who, err := consentActor(ctx, customerID)
	if err != nil {
		return ConsentToken{}, err
	}
	rec, err := s.newRecord(customerID, consent.Pending, c, who)
	if err != nil {
		return ConsentToken{}, err
	}
	secret, hash, err := credential.NewSecret(s.acct.random)
	if err != nil {
		return ConsentToken{}, err
	}
	ttl := s.consentTTL
	if ttl <= 0 {
		ttl = DefaultConsentTokenLifetime
	}
	rec.TokenHash, rec.ExpiresAt = hash, rec.At.Add(ttl)
	var out consent.Record
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := consentsOf(tx)
		if err != nil {
			return err
		}
		if _, err := liveCustomer(ctx, tx, customerID); err != nil {
			return err
		}
		recs, err := repo.Append(ctx, customerID, func(st consent.State) ([]consent.Record, error) {
			r := rec
			r.At = s.stamp(st, rec.Pair())
			r.ExpiresAt = r.At.Add(ttl)
			return []consent.Record{r}, nil
		})
		if err != nil {
			return customerGone(err)
		}
		out = recs[0]
		return s.emitConsent(ctx, tx, out)
	})
	if err != nil {
		return ConsentToken{}, err
	}
	return ConsentToken{Record: out, Token: secret}, nil
}

// Confirm completes a double opt-in with the token Request issued: it
// grants the pair, recording the pending record it confirms and the
// token's hash as the proof. It is replay-safe: confirming again with the
// same token while that grant is still the pair's latest record returns
// it and records nothing. Errors: a *credential.TokenError (malformed,
// unknown — also for an erased or deleted customer —, expired, or
// superseded when a later record of the pair replaced the request);
// ErrUnsupported.
func (s *Consents) Confirm(ctx context.Context, token string) (consent.Record, error) {
	repo, err := consentsOf(s.store)
	if err != nil {
		return consent.Record{}, err
	}
	hash, err := credential.ParseSecret(token)
	if err != nil {
		return consent.Record{}, err
	}
	pending, err := repo.ByToken(ctx, hash)
	if errors.Is(err, storage.ErrNotFound) {
		return consent.Record{}, &credential.TokenError{Reason: credential.ReasonUnknown}
	} else if err != nil {
		return consent.Record{}, err
	}
	if subtle.ConstantTimeCompare(pending.TokenHash[:], hash[:]) != 1 {
		return consent.Record{}, &credential.TokenError{Reason: credential.ReasonUnknown}
	}
	who := actor.Customer(pending.CustomerID).String()
	if a, ok := actor.Lookup(ctx); ok && a.ID != "" {
		who = a.String()
	}
	var out consent.Record
	err = s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		repo, err := consentsOf(tx)
		if err != nil {
			return err
		}
		if _, err := liveCustomer(ctx, tx, pending.CustomerID); errors.Is(err, customer.ErrNotFound) {
			return &credential.TokenError{Reason: credential.ReasonUnknown}
		} else if err != nil {
			return err
		}
		replay := false
		recs, err := repo.Append(ctx, pending.CustomerID, func(st consent.State) ([]consent.Record, error) {
			replay = false
			now := s.stamp(st, pending.Pair())
			cur, ok := st.Of(pending.Pair())
			switch {
			case ok && cur.Status == consent.Granted && cur.Confirms == pending.ID:
				replay, out = true, cur
				return nil, nil
			case !ok || cur.ID != pending.ID:
				return nil, &credential.TokenError{Reason: credential.ReasonSuperseded}
			case !now.Before(pending.ExpiresAt):
				return nil, &credential.TokenError{Reason: credential.ReasonExpired}
			}
			return []consent.Record{{ID: s.newID(), CustomerID: pending.CustomerID, Channel: pending.Channel,
				Purpose: pending.Purpose, Status: consent.Granted, At: now, Actor: who,
				Evidence:  consent.Evidence{Source: pending.Source, WordingVersion: pending.WordingVersion},
				TokenHash: pending.TokenHash, Confirms: pending.ID}}, nil
		})
		if errors.Is(err, storage.ErrCustomerNotLive) {
			// Merged away since the token was looked up: the token moved
			// with the history (a new lookup finds it), this one is gone.
			return &credential.TokenError{Reason: credential.ReasonUnknown}
		}
		if err != nil || replay {
			return err
		}
		out = recs[0]
		return s.emitConsent(ctx, tx, out)
	})
	if err != nil {
		return consent.Record{}, err
	}
	return out, nil
}
