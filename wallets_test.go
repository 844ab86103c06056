package clientele_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/wallet"
)

func TestWalletRefusesCardNumbers(t *testing.T) {
	e := clienteletest.New(t)
	c := e.MustRegister()
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		opt   func(p *wallet.Params)
		field string
	}{
		{"token ref", func(p *wallet.Params) { p.TokenRef = "4111111111111111" }, "token_ref"},
		{"token ref grouped", func(p *wallet.Params) { p.TokenRef = "4111 1111 1111 1111" }, "token_ref"},
		{"last4", func(p *wallet.Params) { p.Last4 = "4111111111111111" }, "last4"},
		{"billing line", func(p *wallet.Params) {
			a := clienteletest.Address(address.Patch{Line2: ptr("4111-1111-1111-1111")})
			p.BillingAddress = &a
		}, "billing_address.line2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := clienteletest.Card()
			tt.opt(&p)
			_, err := e.Service.Wallet.Add(ctx, c.ID, p)
			var ve *wallet.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.NotContains(t, err.Error(), "1111")
		})
	}
	w, err := e.Service.Wallet.Get(ctx, c.ID)
	require.NoError(t, err)
	assert.Empty(t, w.Sources, "nothing was saved")
}

func TestWalletService(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service
		c := e.MustRegister()

		_, err := svc.Wallet.Default(ctx, c.ID)
		require.ErrorIs(t, err, wallet.ErrNotFound, "an empty wallet has no default")

		expired := e.MustAddPaymentSource(c.ID, clienteletest.Card(clienteletest.WithToken("pm_old"), clienteletest.Expiring(1, 2020)))
		a := e.MustAddPaymentSource(c.ID, clienteletest.Card(clienteletest.WithToken("pm_a")))
		b := e.MustAddPaymentSource(c.ID, clienteletest.Card(clienteletest.WithToken("pm_b"), clienteletest.Billing(address.Patch{})))
		d, err := svc.Wallet.Default(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, expired.ID, d.ID, "the first source is the default")

		list, err := svc.Wallet.List(ctx, c.ID)
		require.NoError(t, err)
		require.Len(t, list, 3)
		got, err := svc.Wallet.Expired(ctx, c.ID, time.Time{})
		require.NoError(t, err)
		require.Len(t, got, 1)
		assert.Equal(t, expired.ID, got[0].ID)

		// Removing the default: the most recently added unexpired source.
		w, err := svc.Wallet.Remove(ctx, c.ID, expired.ID)
		require.NoError(t, err)
		nd, _ := w.Default()
		assert.Equal(t, b.ID, nd.ID)

		_, err = svc.Wallet.SetDefault(ctx, c.ID, a.ID)
		require.NoError(t, err)
		src, err := svc.Wallet.Update(ctx, c.ID, a.ID, wallet.Patch{ExpMonth: ptr(6), ExpYear: ptr(2040)})
		require.NoError(t, err)
		assert.Equal(t, 2040, src.ExpYear)
		assert.True(t, src.IsDefault)
		_, err = svc.Wallet.Source(ctx, c.ID, uuid.New())
		require.ErrorIs(t, err, wallet.ErrNotFound)
		_, err = svc.Wallet.Remove(ctx, c.ID, uuid.New())
		require.ErrorIs(t, err, wallet.ErrNotFound)
		_, err = svc.Wallet.Get(ctx, uuid.New())
		require.ErrorIs(t, err, customer.ErrNotFound)

		// Idempotent add.
		key := clientele.IdempotencyKey("add-card-1")
		first, err := svc.Wallet.Add(ctx, c.ID, clienteletest.Card(clienteletest.WithToken("pm_key")), key)
		require.NoError(t, err)
		again, err := svc.Wallet.Add(ctx, c.ID, clienteletest.Card(clienteletest.WithToken("pm_key")), key)
		require.NoError(t, err)
		assert.Equal(t, first.ID, again.ID)
		_, err = svc.Wallet.Add(ctx, c.ID, clienteletest.Card(clienteletest.WithToken("pm_other")), key)
		require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused)
		list, err = svc.Wallet.List(ctx, c.ID)
		require.NoError(t, err)
		assert.Len(t, list, 3)

		// A deleted customer's wallet is gone from the service's view.
		require.NoError(t, svc.Customers.Delete(ctx, c.ID))
		_, err = svc.Wallet.Add(ctx, c.ID, clienteletest.Card(clienteletest.WithToken("pm_late")))
		require.ErrorIs(t, err, customer.ErrNotFound)
	})
}

func TestSubscriptionsService(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		svc := e.Service
		c, other := e.MustRegister(), e.MustRegister()
		src := e.MustAddPaymentSource(c.ID, clienteletest.Card())
		foreign := e.MustAddPaymentSource(other.ID, clienteletest.Card())

		sub := e.MustRecordSubscription(c.ID, "sub_1", "gold", src.ID)
		assert.Equal(t, subscription.Active, sub.Status)
		p := subscription.Params{ID: "sub_1", CustomerID: c.ID, Plan: "gold", PaymentSourceID: &src.ID}
		replay, err := svc.Subscriptions.Record(ctx, p)
		require.NoError(t, err)
		assert.Equal(t, sub, replay, "the same fields replay")
		p.Plan = "silver"
		_, err = svc.Subscriptions.Record(ctx, p)
		require.ErrorIs(t, err, subscription.ErrSubscriptionChanged)
		_, err = svc.Subscriptions.Record(ctx, subscription.Params{ID: "sub_1", CustomerID: other.ID, Plan: "gold"})
		require.ErrorIs(t, err, subscription.ErrSubscriptionOwned)
		_, err = svc.Subscriptions.Record(ctx, subscription.Params{ID: "sub_2", CustomerID: c.ID, Plan: "gold", PaymentSourceID: &foreign.ID})
		require.ErrorIs(t, err, wallet.ErrNotFound, "another customer's source")
		_, err = svc.Subscriptions.Record(ctx, subscription.Params{ID: "sub_3", CustomerID: uuid.New(), Plan: "gold"})
		require.ErrorIs(t, err, customer.ErrNotFound)

		_, err = svc.Wallet.Remove(ctx, c.ID, src.ID)
		require.ErrorIs(t, err, wallet.ErrSourceInUse)
		_, err = svc.Subscriptions.SetPaymentSource(ctx, "sub_1", &foreign.ID)
		require.ErrorIs(t, err, wallet.ErrNotFound)
		paused, err := svc.Subscriptions.SetStatus(ctx, "sub_1", subscription.Paused)
		require.NoError(t, err)
		assert.Equal(t, int64(2), paused.Version)
		_, err = svc.Wallet.Remove(ctx, c.ID, src.ID)
		require.ErrorIs(t, err, wallet.ErrSourceInUse, "a paused subscription is live")
		_, err = svc.Subscriptions.SetStatus(ctx, "sub_1", subscription.Cancelled)
		require.NoError(t, err)
		_, err = svc.Subscriptions.SetStatus(ctx, "sub_1", subscription.Active)
		require.ErrorIs(t, err, subscription.ErrInvalidTransition)
		_, err = svc.Wallet.Remove(ctx, c.ID, src.ID)
		require.NoError(t, err, "a cancelled subscription charges nothing")

		pg, err := svc.Subscriptions.List(ctx, c.ID, page.Request{})
		require.NoError(t, err)
		require.Len(t, pg.Items, 1)
		_, err = svc.Subscriptions.Get(ctx, "nope")
		require.ErrorIs(t, err, subscription.ErrNotFound)
	})
}

// TestRemoveRacingRecord races removing a source against recording
// subscriptions that charge it: either the removal wins (every Record is
// refused with wallet.ErrNotFound) or a Record wins (the removal is
// refused with wallet.ErrSourceInUse); never a subscription charging a
// removed source.
func TestRemoveRacingRecord(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		for round := range 4 {
			c := e.MustRegister()
			src := e.MustAddPaymentSource(c.ID, clienteletest.Card())
			const n = 4
			errs := make([]error, n+1)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n + 1 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					if i == n {
						_, errs[i] = e.Service.Wallet.Remove(ctx, c.ID, src.ID)
						return
					}
					_, errs[i] = e.Service.Subscriptions.Record(ctx, subscription.Params{
						ID: c.ID.String() + "-" + string(rune('a'+i)), CustomerID: c.ID, Plan: "gold", PaymentSourceID: &src.ID})
				}()
			}
			close(start)
			wg.Wait()
			recorded := 0
			for _, err := range errs[:n] {
				if err == nil {
					recorded++
				} else {
					require.ErrorIs(t, err, wallet.ErrNotFound, "round %d", round)
				}
			}
			w, err := e.Service.Wallet.Get(ctx, c.ID)
			require.NoError(t, err)
			_, kept := w.Get(src.ID)
			if errs[n] == nil {
				assert.Zero(t, recorded, "round %d: the removal won, no Record may have committed", round)
				assert.False(t, kept)
			} else {
				require.ErrorIs(t, errs[n], wallet.ErrSourceInUse, "round %d", round)
				assert.Positive(t, recorded)
				assert.True(t, kept)
			}
			charging := 0
			for i := range n {
				s, err := e.Service.Subscriptions.Get(ctx, c.ID.String()+"-"+string(rune('a'+i)))
				if err == nil && s.Charges(src.ID) {
					charging++
				}
			}
			assert.Equal(t, recorded, charging)
			if !kept {
				assert.Zero(t, charging, "round %d: a subscription charges a removed source", round)
			}
		}
	})
}

func TestEraseRemovesWallet(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		ctx := context.Background()
		c := e.MustRegister()
		src := e.MustAddPaymentSource(c.ID, clienteletest.Card(clienteletest.Billing(address.Patch{})))
		e.MustRecordSubscription(c.ID, "sub_erase", "gold", src.ID)
		_, err := e.Service.Customers.Erase(ctx, c.ID)
		require.NoError(t, err)
		w, err := store.(storage.Wallets).PaymentSources().Wallet(ctx, c.ID)
		require.NoError(t, err)
		assert.Empty(t, w.Sources, "the erasure deletes the payment sources")
		s, err := e.Service.Subscriptions.Get(ctx, "sub_erase")
		require.NoError(t, err)
		assert.Nil(t, s.PaymentSourceID, "no subscription points at a deleted source")
	})
}

func TestWalletAuditMasksToken(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	c := e.MustRegister()
	src := e.MustAddPaymentSource(c.ID, clienteletest.Card(clienteletest.WithToken("pm_secretish"),
		clienteletest.Billing(address.Patch{Line1: ptr("Geheimweg 7")})))
	_, err := e.Service.Wallet.Update(ctx, c.ID, src.ID, wallet.Patch{BillingAddress: ptr(clienteletest.Address(address.Patch{Line1: ptr("Andere Str. 9")}))})
	require.NoError(t, err)
	pg, err := e.Service.Events.Audit(ctx, c.ID, page.Request{Limit: 50})
	require.NoError(t, err)
	seen := 0
	for _, entry := range pg.Items {
		if entry.Aggregate != event.AggregateWallet {
			continue
		}
		seen++
		b, err := json.Marshal(entry)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "pm_secretish", "%s", entry.Type)
		assert.NotContains(t, string(b), "Geheimweg", "%s", entry.Type)
		assert.NotContains(t, string(b), "Andere", "%s", entry.Type)
		fields := map[string]bool{}
		for _, ch := range entry.Changes {
			fields[ch.Field] = true
		}
		if entry.Type == event.WalletSourceAdded {
			assert.True(t, fields["token_ref"], "the change is shown, masked")
			assert.True(t, fields["billing_address"])
		}
	}
	assert.GreaterOrEqual(t, seen, 2)
}

func TestWalletUnsupported(t *testing.T) {
	svc := clientele.New(lacking{memory.New()})
	ctx := context.Background()
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "w@example.com"}, clientele.IdempotencyKey(""))
	if err != nil {
		svc = clientele.New(lacking{memory.New()}, clientele.WithConfusableEmails(true))
		c, err = svc.Customers.Register(ctx, customer.Params{Email: "w@example.com"})
	}
	require.NoError(t, err)
	_, err = svc.Wallet.Add(ctx, c.ID, clienteletest.Card())
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Wallet.Get(ctx, c.ID)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Subscriptions.Record(ctx, subscription.Params{ID: "s", CustomerID: c.ID, Plan: "p"})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Customers.Erase(ctx, c.ID)
	require.NoError(t, err, "erasure works without the capabilities")
}

// TestWalletJSONNamesMatchValidationFields: the field a validation error
// names is the params' JSON name for it (nested ones with a dot).
func TestWalletJSONNamesMatchValidationFields(t *testing.T) {
	e := clienteletest.New(t)
	ctx := context.Background()
	c := e.MustRegister()
	fieldOf := func(err error) string {
		var ve *wallet.ValidationError
		require.ErrorAs(t, err, &ve)
		return ve.Field
	}
	for _, p := range []wallet.Params{
		clienteletest.Card(clienteletest.WithToken("")),
		clienteletest.Card(clienteletest.Expiring(13, 2030)),
		clienteletest.Card(clienteletest.Expiring(1, 99)),
		clienteletest.Card(func(p *wallet.Params) { p.Last4 = "12" }),
		clienteletest.Card(func(p *wallet.Params) { p.Provider = "" }),
	} {
		_, err := e.Service.Wallet.Add(ctx, c.ID, p)
		assert.Contains(t, jsonObject(t, p), fieldOf(err))
	}
	// The zero type does not marshal; its name is that of a valid one.
	_, err := e.Service.Wallet.Add(ctx, c.ID, clienteletest.Card(func(p *wallet.Params) { p.Type = 0 }))
	assert.Contains(t, jsonObject(t, clienteletest.Card()), fieldOf(err))
	p := clienteletest.Card(clienteletest.Billing(address.Patch{Country: ptr("XX")}))
	_, err = e.Service.Wallet.Add(ctx, c.ID, p)
	f := fieldOf(err)
	require.True(t, strings.HasPrefix(f, "billing_address."), f)
	assert.Contains(t, jsonObject(t, p)["billing_address"], strings.TrimPrefix(f, "billing_address."))

	sp := subscription.Params{ID: "s", CustomerID: c.ID, Plan: ""}
	_, err = e.Service.Subscriptions.Record(ctx, sp)
	assert.Contains(t, jsonObject(t, sp), fieldOf(err))
}
