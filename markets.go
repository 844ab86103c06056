package clientele

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// Merchants manages merchants, the sellers that own markets.
type Merchants struct{ *env }

// Create creates a merchant. Errors: *merchant.ValidationError. It honours
// IdempotencyKey.
func (s *Merchants) Create(ctx context.Context, p merchant.Params, opts ...CallOption) (merchant.Merchant, error) {
	m, err := merchant.New(s.newID(), p, s.clock())
	if err != nil {
		return merchant.Merchant{}, err
	}
	var out merchant.Merchant
	request := m.Clone()
	request.ID, request.CreatedAt, request.UpdatedAt = uuid.Nil, time.Time{}, time.Time{}
	err = s.once(ctx, "merchant.create", collect(opts), request,
		func(ctx context.Context, tx storage.Tx) (string, error) {
			out, err = tx.Merchants().Create(ctx, m)
			if err != nil {
				return "", err
			}
			return out.ID.String(), s.emitMerchant(ctx, tx, event.MerchantCreated, nil, out)
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err == nil {
				out, err = tx.Merchants().Get(ctx, id)
			}
			return mapMerchantErr(err)
		})
	if err != nil {
		return merchant.Merchant{}, err
	}
	return out, nil
}

func mapMerchantErr(err error) error {
	if err == nil {
		return nil
	}
	return notFound(conflict(err, storage.ConstraintMerchantMarkets, merchant.ErrHasMarkets), merchant.ErrNotFound)
}

// Get returns the merchant. Errors: merchant.ErrNotFound.
func (s *Merchants) Get(ctx context.Context, id uuid.UUID) (merchant.Merchant, error) {
	m, err := s.store.Merchants().Get(ctx, id)
	return m, mapMerchantErr(err)
}

// Update applies p with patch semantics. Errors: merchant.ErrNotFound,
// *merchant.ValidationError.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Merchants) Update(ctx context.Context, id uuid.UUID, p merchant.Patch, opts ...CallOption) (merchant.Merchant, error) {
	o := collect(opts)
	var out merchant.Merchant
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		var before merchant.Merchant
		m, err := tx.Merchants().Update(ctx, id, func(m *merchant.Merchant) error {
			before = m.Clone()
			if err := o.checkVersion(m.Version); err != nil {
				return err
			}
			return m.Apply(p, s.clock())
		})
		if err != nil {
			return mapMerchantErr(err)
		}
		out = m
		return s.emitMerchant(ctx, tx, event.MerchantUpdated, &before, m)
	})
	if err != nil {
		return merchant.Merchant{}, err
	}
	return out, nil
}

// Delete deletes a merchant that owns no markets. Errors:
// merchant.ErrNotFound, merchant.ErrHasMarkets.
func (s *Merchants) Delete(ctx context.Context, id uuid.UUID) error {
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		m, err := tx.Merchants().Get(ctx, id)
		if err != nil {
			return mapMerchantErr(err)
		}
		if err := tx.Merchants().Delete(ctx, id); err != nil {
			return mapMerchantErr(err)
		}
		return s.emitMerchant(ctx, tx, event.MerchantDeleted, nil, m)
	})
}

// emitMerchant emits a merchant event with m as it is now and, when before
// is given, the fields that changed.
func (e *env) emitMerchant(ctx context.Context, r storage.Repositories, t event.Type, before *merchant.Merchant, m merchant.Merchant) error {
	p := event.MerchantPayload{Merchant: m}
	if before != nil {
		p.Changes = diff(*before, m)
	}
	return e.emitOne(ctx, r, t, event.AggregateMerchant, m.ID.String(), uuid.Nil, m.Version, p)
}

// emitMarket emits a market event with m as it is now and, when before is
// given, the fields that changed.
func (e *env) emitMarket(ctx context.Context, r storage.Repositories, t event.Type, before *market.Market, m market.Market) error {
	p := event.MarketPayload{Market: m}
	if before != nil {
		p.Changes = diff(*before, m)
	}
	return e.emitOne(ctx, r, t, event.AggregateMarket, m.ID.String(), uuid.Nil, m.Version, p)
}

// List returns a page of merchants ordered by (CreatedAt, ID).
func (s *Merchants) List(ctx context.Context, p page.Request) (page.Page[merchant.Merchant], error) {
	return s.store.Merchants().List(ctx, p)
}

// Markets manages markets and decides who may buy in them.
type Markets struct{ *env }

// mapMarketErr maps a market code conflict to market.ErrCodeTaken.
func mapMarketErr(err error) error {
	if err == nil {
		return nil
	}
	return conflict(err, storage.ConstraintMarketCode, market.ErrCodeTaken)
}

// Create creates a market. Errors: market.ErrCodeTaken,
// *market.ValidationError, storage.ErrNotFound (wrapped with
// merchant.ErrNotFound or group.ErrNotFound) when the merchant or an access
// group does not exist. It honours IdempotencyKey.
func (s *Markets) Create(ctx context.Context, p market.Params, opts ...CallOption) (market.Market, error) {
	m, err := market.New(s.newID(), p, s.clock())
	if err != nil {
		return market.Market{}, err
	}
	var out market.Market
	request := m.Clone()
	request.ID, request.CreatedAt, request.UpdatedAt = uuid.Nil, time.Time{}, time.Time{}
	err = s.once(ctx, "market.create", collect(opts), request,
		func(ctx context.Context, _ storage.Tx) (string, error) {
			err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
				if err := checkMarketRefs(ctx, tx, m); err != nil {
					return err
				}
				out, err = tx.Markets().Create(ctx, m)
				if err != nil {
					return mapMarketErr(err)
				}
				return s.emitMarket(ctx, tx, event.MarketCreated, nil, out)
			})
			return out.ID.String(), err
		},
		func(ctx context.Context, tx storage.Tx, result string) error {
			id, err := parseResult(result)
			if err == nil {
				out, err = tx.Markets().Get(ctx, id)
			}
			return notFound(err, market.ErrNotFound)
		})
	if err != nil {
		return market.Market{}, err
	}
	return out, nil
}

// checkMarketRefs reports a missing merchant or access group with its
// package's sentinel (the adapter enforces the references either way).
func checkMarketRefs(ctx context.Context, tx storage.Tx, m market.Market) error {
	if _, err := tx.Merchants().Get(ctx, m.MerchantID); err != nil {
		return mapMerchantErr(err)
	}
	for _, gid := range m.AccessGroups {
		if _, err := tx.Groups().Get(ctx, gid); err != nil {
			return mapGroupErr(err)
		}
	}
	return nil
}

// Get returns the market. Errors: market.ErrNotFound.
func (s *Markets) Get(ctx context.Context, id uuid.UUID) (market.Market, error) {
	m, err := s.store.Markets().Get(ctx, id)
	return m, notFound(err, market.ErrNotFound)
}

// GetByCode returns the market with the code. Errors: market.ErrNotFound;
// storage.ErrTooLarge for a code longer than storage.MaxKeyBytes.
func (s *Markets) GetByCode(ctx context.Context, code string) (market.Market, error) {
	m, err := s.store.Markets().GetByCode(ctx, code)
	return m, notFound(err, market.ErrNotFound)
}

// Update applies p with patch semantics. Errors: market.ErrNotFound,
// market.ErrCodeTaken, group.ErrNotFound for an unknown access group,
// *market.ValidationError.
// It honours IfVersion (errcode.Stale on a changed record).
func (s *Markets) Update(ctx context.Context, id uuid.UUID, p market.Patch, opts ...CallOption) (market.Market, error) {
	o := collect(opts)
	var out market.Market
	err := s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if p.AccessGroups != nil {
			for _, gid := range *p.AccessGroups {
				if _, err := tx.Groups().Get(ctx, gid); err != nil {
					return mapGroupErr(err)
				}
			}
		}
		var before market.Market
		m, err := tx.Markets().Update(ctx, id, func(m *market.Market) error {
			before = m.Clone()
			if err := o.checkVersion(m.Version); err != nil {
				return err
			}
			return m.Apply(p, s.clock())
		})
		if err != nil {
			return notFound(mapMarketErr(err), market.ErrNotFound)
		}
		out = m
		return s.emitMarket(ctx, tx, event.MarketUpdated, &before, m)
	})
	if err != nil {
		return market.Market{}, err
	}
	return out, nil
}

// Delete deletes the market. Errors: market.ErrNotFound.
func (s *Markets) Delete(ctx context.Context, id uuid.UUID) error {
	return s.atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		m, err := tx.Markets().Get(ctx, id)
		if err != nil {
			return notFound(err, market.ErrNotFound)
		}
		if err := tx.Markets().Delete(ctx, id); err != nil {
			return notFound(err, market.ErrNotFound)
		}
		return s.emitMarket(ctx, tx, event.MarketDeleted, nil, m)
	})
}

// List returns a page of markets matching f, ordered by (CreatedAt, ID).
func (s *Markets) List(ctx context.Context, f market.Filter, p page.Request) (page.Page[market.Market], error) {
	return s.store.Markets().List(ctx, f, p)
}

// Access decides whether a customer may buy in the market: nil when they
// may, otherwise an error for which errors.Is(err, market.ErrAccessDenied)
// holds (market.ErrDisabled, market.ErrPrivate, market.ErrNotMember or
// market.ErrNotVerified say why: a private market with RequireVerified
// admits only members whose verification is verified, see Verifications).
// customerID uuid.Nil stands for an anonymous visitor. Errors besides the
// denial: market.ErrNotFound; customer.ErrNotFound for an ID that names no
// live customer (a typo must not pass for an anonymous visit, which a
// public market would admit).
func (s *Markets) Access(ctx context.Context, marketID, customerID uuid.UUID) error {
	m, err := s.Get(ctx, marketID)
	if err != nil {
		return err
	}
	var visitor *customer.Customer
	var memberOf []uuid.UUID
	verified := false
	if customerID != uuid.Nil {
		c, err := liveCustomer(ctx, s.store, customerID)
		if err != nil {
			return err
		}
		visitor = &c
		if m.IsPrivate() {
			if memberOf, err = memberOfNow(ctx, s.store, s.clock(), customerID, m.AccessGroups); err != nil {
				return err
			}
			// One more read, only where the market asks for it. A store
			// without the verification capability verifies nobody.
			if m.RequireVerified && len(memberOf) > 0 {
				if verified, err = verifiedCustomer(ctx, s.store, verification.CustomerSubject(customerID)); err != nil {
					return err
				}
			}
		}
	}
	return m.AccessWith(visitor, memberOf, verified)
}

// CanAccess is Access as a yes or no; err is set only when the decision
// could not be made (market.ErrNotFound, a storage failure).
func (s *Markets) CanAccess(ctx context.Context, marketID, customerID uuid.UUID) (bool, error) {
	err := s.Access(ctx, marketID, customerID)
	switch {
	case err == nil:
		return true, nil
	case isDenied(err):
		return false, nil
	default:
		return false, fmt.Errorf("clientele: market access: %w", err)
	}
}
