package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/wallet"
)

// The storage.Wallets capability: each customer's saved payment sources,
// written as a whole wallet under the customer's lock.

func walletCases() []testCase {
	return []testCase{
		{"EmptyWallet", needsWallets(walletEmpty)},
		{"RoundTripsEveryField", needsWallets(walletRoundTrip)},
		{"DefaultRulesPersist", needsWallets(walletDefaults)},
		{"FnErrorWritesNothing", needsWallets(walletFnError)},
		{"TwoDefaultsConflict", needsWallets(walletTwoDefaults)},
		{"SourceIDUniqueAcrossCustomers", needsWallets(walletIDUnique)},
		{"RefusesCardNumbers", needsWallets(walletRefusesPAN)},
		{"CustomerNotLive", needsWallets(walletNotLive)},
		{"DeleteForErasure", needsWallets(walletDelete)},
		{"ReturnedValuesAreCopies", needsWallets(walletCopies)},
		{"InsideAtomicRollsBack", needsWallets(walletAtomic)},
		{"HostileInput", needsWallets(walletHostile)},
		{"ConcurrentAddsKeepLimitAndOneDefault", needsWallets(walletConcurrentAdds)},
		{"ConcurrentAddsRacingDelete", needsWallets(walletRacingDelete)},
		{"InterleavedKeepsOutsideChange", needsWallets(walletInterleaved)},
		{"InterleavedAfterDelete", needsWallets(walletInterleavedDelete)},
		{"CanceledContext", needsWallets(walletCanceled)},
	}
}

// needsWallets skips a case on a store without the capability.
func needsWallets(run func(t *testing.T, e *env, r storage.PaymentSources)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		w, ok := e.store.(storage.Wallets)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Wallets capability", e.store)
		}
		run(t, e, w.PaymentSources())
	}
}

// cardParams returns valid card params with a token reference unique in
// the case.
func (e *env) cardParams() wallet.Params {
	return wallet.Params{Provider: "stripe", TokenRef: fmt.Sprintf("pm_test%d", e.next()), Type: wallet.Card,
		Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2031}
}

// addSources adds n card sources to the customer's wallet, one call each.
func (e *env) addSources(r storage.PaymentSources, customerID uuid.UUID, n int) wallet.Wallet {
	e.t.Helper()
	var w wallet.Wallet
	for range n {
		var err error
		w, err = r.UpdateWallet(e.ctx, customerID, func(w *wallet.Wallet) error {
			_, err := w.Add(e.id(), e.cardParams(), e.now())
			return err
		})
		require.NoError(e.t, err, "adding a source")
	}
	return w
}

func (e *env) getWallet(r storage.PaymentSources, customerID uuid.UUID) wallet.Wallet {
	e.t.Helper()
	w, err := r.Wallet(e.ctx, customerID)
	require.NoError(e.t, err)
	return w
}

// assertOneDefault fails unless a non-empty wallet has exactly one default.
func assertOneDefault(t *testing.T, w wallet.Wallet) {
	t.Helper()
	n := 0
	for _, s := range w.Sources {
		if s.IsDefault {
			n++
		}
	}
	if len(w.Sources) == 0 {
		assert.Zero(t, n)
		return
	}
	assert.Equal(t, 1, n, "exactly one default source")
}

func walletEmpty(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	w := e.getWallet(r, c.ID)
	assert.Equal(t, c.ID, w.CustomerID)
	assert.Empty(t, w.Sources)
	_, err := r.Wallet(e.ctx, e.id())
	requireNotFound(t, err, "an unknown customer")
}

func walletRoundTrip(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	a := validAddress("Unicodestraße 7 🏠")
	p := wallet.Params{Provider: "adyen", TokenRef: "8f1c2c-TOKEN_ref.x/y=", Type: wallet.SEPADebit, Brand: "sparkasse",
		Last4: "3000", BillingAddress: &a, Metadata: map[string]string{"mandate": "M-1", "ü": "ß"}}
	var added wallet.Source
	w, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) (err error) {
		added, err = w.Add(e.id(), p, e.now())
		return err
	})
	require.NoError(t, err)
	w2 := e.addSources(r, c.ID, 1)
	got := e.getWallet(r, c.ID)
	require.Len(t, got.Sources, 2)
	assert.True(t, got.Sources[0].Equal(added), "every field round-trips: %+v vs %+v", got.Sources[0], added)
	assert.True(t, got.Sources[0].Equal(w.Sources[0]))
	assert.True(t, got.Sources[1].Equal(w2.Sources[1]))
	require.NotNil(t, got.Sources[0].BillingAddress)
	assert.Equal(t, a, *got.Sources[0].BillingAddress)
	assert.Nil(t, got.Sources[1].BillingAddress, "no billing address stays none")
	assert.Equal(t, got.Sources[0].CreatedAt.Location().String(), "UTC")
	require.NoError(t, got.Validate())
}

func walletDefaults(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	w := e.addSources(r, c.ID, 3)
	assert.True(t, w.Sources[0].IsDefault)
	third := w.Sources[2].ID
	_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error { return w.SetDefault(third, e.now()) })
	require.NoError(t, err)
	got := e.getWallet(r, c.ID)
	d, ok := got.Default()
	require.True(t, ok)
	assert.Equal(t, third, d.ID)
	assertOneDefault(t, got)
	now := e.now()
	_, err = r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error { return w.Remove(third, now) })
	require.NoError(t, err)
	got = e.getWallet(r, c.ID)
	require.Len(t, got.Sources, 2)
	d, _ = got.Default()
	assert.Equal(t, w.Sources[1].ID, d.ID, "the most recently added source becomes the default")
	assertOneDefault(t, got)
}

func walletFnError(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	before := e.addSources(r, c.ID, 1)
	boom := errors.New("boom")
	_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
		if _, err := w.Add(e.id(), e.cardParams(), e.now()); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, before, e.getWallet(r, c.ID))
}

func walletTwoDefaults(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	before := e.addSources(r, c.ID, 2)
	_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
		w.Sources[1].IsDefault = true // breaks the rule behind the domain's back
		return nil
	})
	requireConflict(t, err, storage.ConstraintWalletDefault)
	assert.Equal(t, before, e.getWallet(r, c.ID))
}

func walletIDUnique(t *testing.T, e *env, r storage.PaymentSources) {
	a, b := e.newCustomer(), e.newCustomer()
	w := e.addSources(r, a.ID, 1)
	_, err := r.UpdateWallet(e.ctx, b.ID, func(x *wallet.Wallet) error {
		_, err := x.Add(w.Sources[0].ID, e.cardParams(), e.now())
		return err
	})
	requireConflict(t, err, storage.ConstraintPrimaryKey)
	assert.Empty(t, e.getWallet(r, b.ID).Sources)
	assert.Equal(t, w, e.getWallet(r, a.ID))
}

func walletRefusesPAN(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	before := e.addSources(r, c.ID, 1)
	for name, set := range map[string]func(s *wallet.Source){
		"token_ref": func(s *wallet.Source) { s.TokenRef = "4242424242424242" },
		"last4":     func(s *wallet.Source) { s.Last4 = "4242 4242 4242 4242" },
		"metadata":  func(s *wallet.Source) { s.Metadata = map[string]string{"n": "4111-1111-1111-1111"} },
	} {
		_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
			set(&w.Sources[0]) // behind the domain's back: the adapter validates what it stores
			return nil
		})
		var ve *wallet.ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.True(t, strings.HasPrefix(ve.Field, name), "%s: field %q", name, ve.Field)
	}
	assert.Equal(t, before, e.getWallet(r, c.ID))
}

func walletNotLive(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	w := e.addSources(r, c.ID, 2)
	e.deleteCustomer(c.ID)
	_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
		_, err := w.Add(e.id(), e.cardParams(), e.now())
		return err
	})
	requireNotLive(t, err, "adding to a deleted customer's wallet")
	_, err = r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error { return w.SetDefault(w.Sources[1].ID, e.now()) })
	requireNotLive(t, err, "changing a deleted customer's wallet")
	assert.Equal(t, w, e.getWallet(r, c.ID))
	got, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
		w.Sources = nil // an erasure empties it
		return nil
	})
	require.NoError(t, err, "a deleted customer's wallet may be emptied")
	assert.Empty(t, got.Sources)
	_, err = r.UpdateWallet(e.ctx, e.id(), func(*wallet.Wallet) error { return nil })
	requireNotLive(t, err, "an unknown customer")
}

func walletDelete(t *testing.T, e *env, r storage.PaymentSources) {
	c, other := e.newCustomer(), e.newCustomer()
	e.addSources(r, c.ID, 3)
	keep := e.addSources(r, other.ID, 1)
	e.deleteCustomer(c.ID)
	n, err := r.Delete(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	assert.Empty(t, e.getWallet(r, c.ID).Sources)
	assert.Equal(t, keep, e.getWallet(r, other.ID))
	n, err = r.Delete(e.ctx, c.ID)
	require.NoError(t, err)
	assert.Zero(t, n)
}

func walletCopies(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	var kept *wallet.Wallet
	w, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
		p := e.cardParams()
		p.Metadata = map[string]string{"k": "v"}
		a := validAddress("1 Copy St")
		p.BillingAddress = &a
		_, err := w.Add(e.id(), p, e.now())
		kept = w
		return err
	})
	require.NoError(t, err)
	kept.Sources[0].Metadata["k"] = "changed by fn's reference"
	w.Sources[0].Metadata["k"] = "changed by the caller"
	w.Sources[0].BillingAddress.City = "Elsewhere"
	got := e.getWallet(r, c.ID)
	assert.Equal(t, "v", got.Sources[0].Metadata["k"])
	assert.Equal(t, "Berlin", got.Sources[0].BillingAddress.City)
}

func walletAtomic(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		w, ok := tx.(storage.Wallets)
		require.True(t, ok, "a Tx of a store with the capability has it too")
		if _, err := w.PaymentSources().UpdateWallet(ctx, c.ID, func(w *wallet.Wallet) error {
			_, err := w.Add(e.id(), e.cardParams(), e.now())
			return err
		}); err != nil {
			return err
		}
		got, err := w.PaymentSources().Wallet(ctx, c.ID)
		require.NoError(t, err)
		assert.Len(t, got.Sources, 1, "the transaction sees its own write")
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, e.getWallet(r, c.ID).Sources, "rolled back")
}

func walletHostile(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	var added []wallet.Source
	for i, s := range hostileStrings {
		if wallet.ContainsCardNumber(s) || i >= wallet.MaxSources {
			continue
		}
		p := e.cardParams()
		p.TokenRef = strings.Join(strings.Fields(s), "_") + fmt.Sprint(i)
		p.Brand = s
		p.Metadata = map[string]string{"v": s}
		a := validAddress(s)
		p.BillingAddress = &a
		w, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
			src, err := w.Add(e.id(), p, e.now())
			added = append(added, src)
			return err
		})
		if err != nil {
			// Validation may refuse a value (a control character); it
			// must say so as a field error, never as a storage failure.
			require.ErrorIs(t, err, wallet.ErrInvalid, "value %d %q", i, s)
			added = added[:len(added)-1]
			continue
		}
		require.NotEmpty(t, w.Sources)
	}
	require.NotEmpty(t, added)
	got := e.getWallet(r, c.ID)
	require.Len(t, got.Sources, len(added))
	for i := range added {
		assert.True(t, added[i].Equal(got.Sources[i]), "source %d is returned byte for byte", i)
	}
}

func walletConcurrentAdds(t *testing.T, e *env, r storage.PaymentSources) {
	const n = 16
	const room = 5
	c := e.newCustomer()
	e.addSources(r, c.ID, wallet.MaxSources-room)
	params := make([]wallet.Params, n)
	ids := make([]uuid.UUID, n)
	for i := range n {
		params[i], ids[i] = e.cardParams(), e.id()
	}
	now := e.now()
	errs := race(n, func(i int) error {
		_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
			_, err := w.Add(ids[i], params[i], now)
			return err
		})
		return err
	})
	ok, full := tally(t, errs, func(err error) bool { return errors.Is(err, wallet.ErrWalletFull) }, "ErrWalletFull")
	assert.Equal(t, room, ok, "exactly the room left was filled")
	assert.Equal(t, n-room, full)
	got := e.getWallet(r, c.ID)
	assert.Len(t, got.Sources, wallet.MaxSources)
	assertOneDefault(t, got)

	// From empty: every racer sees the others' adds; one default.
	d := e.newCustomer()
	errs = race(n, func(i int) error {
		_, err := r.UpdateWallet(e.ctx, d.ID, func(w *wallet.Wallet) error {
			p := params[i]
			p.TokenRef += "-d"
			_, err := w.Add(uuid.NewSHA1(ids[i], []byte("d")), p, now)
			return err
		})
		return err
	})
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
	}
	got = e.getWallet(r, d.ID)
	assert.Len(t, got.Sources, n)
	assertOneDefault(t, got)
}

func walletRacingDelete(t *testing.T, e *env, r storage.PaymentSources) {
	const n = 16
	c := e.newCustomer()
	var (
		mu        sync.Mutex
		committed int
	)
	errs := race(n+1, func(i int) error {
		if i == n {
			return e.deleteOutside(c.ID)(e.ctx)
		}
		_, err := r.UpdateWallet(e.ctx, c.ID, func(w *wallet.Wallet) error {
			_, err := w.Add(uuid.NewSHA1(c.ID, []byte{byte(i)}), wallet.Params{Provider: "stripe",
				TokenRef: fmt.Sprintf("pm_race%d", i), Type: wallet.PayPal}, baseTime)
			return err
		})
		if err == nil {
			mu.Lock()
			committed++
			mu.Unlock()
		}
		return err
	})
	require.NoError(t, errs[n], "the delete")
	tally(t, errs[:n], func(err error) bool { return errors.Is(err, storage.ErrCustomerNotLive) }, "ErrCustomerNotLive")
	assert.Len(t, e.getWallet(r, c.ID).Sources, committed, "only the adds that committed before the delete")
}

func walletInterleaved(t *testing.T, e *env, r storage.PaymentSources) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	c := e.newCustomer()
	w := e.addSources(r, c.ID, 2)
	first, second := w.Sources[0].ID, w.Sources[1].ID
	err := e.interleave(c.ID, func(ctx context.Context) error {
		_, err := r.UpdateWallet(ctx, c.ID, func(w *wallet.Wallet) error { return w.SetDefault(second, e.now()) })
		return err
	}, func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.(storage.Wallets).PaymentSources().UpdateWallet(ctx, c.ID, func(w *wallet.Wallet) error {
			_, err := w.Update(first, wallet.Patch{Brand: ptr("mastercard")}, e.now())
			return err
		})
		return err
	})
	require.NoError(t, err, "no conflict on the default index: the wallet was read under its lock")
	got := e.getWallet(r, c.ID)
	d, _ := got.Default()
	assert.Equal(t, second, d.ID, "the default set outside survives")
	s, _ := got.Get(first)
	assert.Equal(t, "mastercard", s.Brand)
	assertOneDefault(t, got)
}

func walletInterleavedDelete(t *testing.T, e *env, r storage.PaymentSources) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	c := e.newCustomer()
	err := e.interleave(c.ID, e.deleteOutside(c.ID), func(ctx context.Context, tx storage.Tx) error {
		_, err := tx.(storage.Wallets).PaymentSources().UpdateWallet(ctx, c.ID, func(w *wallet.Wallet) error {
			_, err := w.Add(e.id(), e.cardParams(), e.now())
			return err
		})
		return err
	})
	requireNotLive(t, err)
	assert.Empty(t, e.getWallet(r, c.ID).Sources)
}

func walletCanceled(t *testing.T, e *env, r storage.PaymentSources) {
	c := e.newCustomer()
	before := e.addSources(r, c.ID, 1)
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := r.Wallet(ctx, c.ID)
	require.ErrorIs(t, err, context.Canceled, "Wallet")
	_, err = r.UpdateWallet(ctx, c.ID, func(w *wallet.Wallet) error {
		_, err := w.Add(e.id(), e.cardParams(), e.now())
		return err
	})
	require.ErrorIs(t, err, context.Canceled, "UpdateWallet")
	_, err = r.Delete(ctx, c.ID)
	require.ErrorIs(t, err, context.Canceled, "Delete")
	assert.Equal(t, before, e.getWallet(r, c.ID))
}
