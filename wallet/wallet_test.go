package wallet_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/wallet"
)

var (
	t0   = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	cust = uuid.MustParse("00000000-0000-4000-8000-0000000000c1")
)

func id(n byte) uuid.UUID { return uuid.UUID{15: n, 6: 0x40, 8: 0x80} }

func card() wallet.Params {
	return wallet.Params{Provider: " Stripe ", TokenRef: "pm_1NqXyzABC", Type: wallet.Card, Brand: "Visa",
		Last4: "4242", ExpMonth: 12, ExpYear: 2030}
}

func TestLooksLikeCardNumber(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"4242424242424242", true},
		{"4242 4242 4242 4242", true},
		{"4242-4242-4242-4242", true},
		{" 4111111111111111 ", true},
		{"378282246310005", true},       // Amex, 15 digits
		{"6011000990139424", true},      // Discover
		{"4242424242424241", false},     // Luhn fails
		{"4242  4242 4242 4242", false}, // double separator
		{"4242--4242-4242-4242", false},
		{"-4242424242424242", false},
		{"42424242424", false},          // 11 digits
		{"42424242424242424242", false}, // 20 digits
		{"pm_4242424242424242", false},  // not only digits
		{"4242", false},
		{"", false},
		{"４２４２４２４２４２４２４２４２", false}, // full-width digits are not ASCII digits
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, wallet.LooksLikeCardNumber(tt.in))
		})
	}
}

func TestContainsCardNumber(t *testing.T) {
	assert.True(t, wallet.ContainsCardNumber("card 4242 4242 4242 4242 thanks"))
	assert.True(t, wallet.ContainsCardNumber("pm_4242424242424242"))
	assert.False(t, wallet.ContainsCardNumber("pm_1NqXyzABC"))
	assert.False(t, wallet.ContainsCardNumber("Hauptstr. 12, 10115 Berlin"))
	assert.False(t, wallet.ContainsCardNumber("424242424242424242424242")) // too long a run

	// A token reference counts only adjacent digits: a UUID's groups may
	// join into a Luhn-valid run.
	w := wallet.Wallet{CustomerID: cust}
	_, err := w.Add(id(1), wallet.Params{Provider: "adyen", TokenRef: "12345678-1234-4123-8123-123456789012", Type: wallet.Other}, t0)
	require.NoError(t, err)
}

func TestNewRefusesCardNumbers(t *testing.T) {
	const pan = "4242 4242 4242 4242"
	tests := []struct {
		name  string
		edit  func(p *wallet.Params)
		field string
	}{
		{"token ref", func(p *wallet.Params) { p.TokenRef = "4242424242424242" }, "token_ref"},
		{"token ref spaced", func(p *wallet.Params) { p.TokenRef = pan }, "token_ref"},
		{"token ref embedded", func(p *wallet.Params) { p.TokenRef = "tok_4242424242424242" }, "token_ref"},
		{"last4", func(p *wallet.Params) { p.Last4 = "4242424242424242" }, "last4"},
		{"brand", func(p *wallet.Params) { p.Brand = pan }, "brand"},
		{"provider", func(p *wallet.Params) { p.Provider = pan }, "provider"},
		{"metadata", func(p *wallet.Params) { p.Metadata = map[string]string{"note": "was " + pan} }, "metadata.note"},
		{"billing line1", func(p *wallet.Params) {
			p.BillingAddress = &address.Address{Line1: pan, City: "Berlin", Country: "DE"}
		}, "billing_address.line1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := card()
			tt.edit(&p)
			_, err := wallet.New(id(1), cust, p, t0)
			var ve *wallet.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.ErrorIs(t, err, wallet.ErrInvalid)
			assert.NotContains(t, err.Error(), "4242 4242", "the error never repeats the number")
			assert.NotContains(t, err.Error(), "4242424242424242")
		})
	}
	t.Run("phone is not checked", func(t *testing.T) {
		p := card()
		// A phone number's digits may pass Luhn by chance; it is not free text.
		p.BillingAddress = &address.Address{Line1: "Main St 1", City: "Berlin", Country: "DE", Phone: "+4930901820"}
		_, err := wallet.New(id(1), cust, p, t0)
		require.NoError(t, err)
	})
}

func TestNewValidation(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(p *wallet.Params)
		field string
	}{
		{"no provider", func(p *wallet.Params) { p.Provider = " " }, "provider"},
		{"no token", func(p *wallet.Params) { p.TokenRef = "" }, "token_ref"},
		{"token with space", func(p *wallet.Params) { p.TokenRef = "pm 1" }, "token_ref"},
		{"long token", func(p *wallet.Params) { p.TokenRef = strings.Repeat("x", wallet.MaxTokenRefLength+1) }, "token_ref"},
		{"invalid utf8", func(p *wallet.Params) { p.TokenRef = "pm_\xff" }, "token_ref"},
		{"no type", func(p *wallet.Params) { p.Type = 0 }, "type"},
		{"last4 short", func(p *wallet.Params) { p.Last4 = "424" }, "last4"},
		{"last4 letters", func(p *wallet.Params) { p.Last4 = "42a2" }, "last4"},
		{"month 13", func(p *wallet.Params) { p.ExpMonth = 13 }, "exp_month"},
		{"month 0", func(p *wallet.Params) { p.ExpMonth = 0 }, "exp_month"},
		{"year 30", func(p *wallet.Params) { p.ExpYear = 30 }, "exp_year"},
		{"card without expiry", func(p *wallet.Params) { p.ExpMonth, p.ExpYear = 0, 0 }, "exp_month"},
		{"bad billing country", func(p *wallet.Params) {
			p.BillingAddress = &address.Address{Line1: "x", City: "y", Country: "ZZ"}
		}, "billing_address.country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := card()
			tt.edit(&p)
			_, err := wallet.New(id(1), cust, p, t0)
			var ve *wallet.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
		})
	}
	t.Run("sepa without expiry", func(t *testing.T) {
		s, err := wallet.New(id(1), cust, wallet.Params{Provider: "stripe", TokenRef: "pm_sepa", Type: wallet.SEPADebit, Last4: "3000"}, t0)
		require.NoError(t, err)
		assert.False(t, s.Expired(t0.AddDate(50, 0, 0)))
	})
	t.Run("normalized", func(t *testing.T) {
		s, err := wallet.New(id(1), cust, card(), t0)
		require.NoError(t, err)
		assert.Equal(t, "stripe", s.Provider)
		assert.Equal(t, "visa", s.Brand)
	})
}

func TestExpired(t *testing.T) {
	s, err := wallet.New(id(1), cust, wallet.Params{Provider: "stripe", TokenRef: "pm_1", Type: wallet.Card, ExpMonth: 3, ExpYear: 2027}, t0)
	require.NoError(t, err)
	assert.False(t, s.Expired(time.Date(2027, 3, 31, 23, 59, 59, 999999999, time.UTC)))
	assert.True(t, s.Expired(time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)))
	// December rolls into the next year.
	s.ExpMonth = 12
	assert.False(t, s.Expired(time.Date(2027, 12, 31, 23, 0, 0, 0, time.UTC)))
	assert.True(t, s.Expired(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)))
	// Another zone is compared as the same instant.
	berlin := time.FixedZone("CET", 3600)
	assert.False(t, s.Expired(time.Date(2028, 1, 1, 0, 30, 0, 0, berlin)))
}

func add(t *testing.T, w *wallet.Wallet, n byte, at time.Time, edit func(*wallet.Params)) wallet.Source {
	t.Helper()
	p := card()
	p.TokenRef = "pm_" + string(rune('a'+n))
	if edit != nil {
		edit(&p)
	}
	s, err := w.Add(id(n), p, at)
	require.NoError(t, err)
	return s
}

func defaultID(t *testing.T, w wallet.Wallet) uuid.UUID {
	t.Helper()
	d, ok := w.Default()
	require.True(t, ok)
	n := 0
	for _, s := range w.Sources {
		if s.IsDefault {
			n++
		}
	}
	require.Equal(t, 1, n, "exactly one default")
	return d.ID
}

func TestWalletDefaults(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	first := add(t, &w, 1, t0, nil)
	assert.True(t, first.IsDefault, "the first source becomes the default")
	second := add(t, &w, 2, t0.Add(time.Hour), nil)
	assert.False(t, second.IsDefault)
	require.NoError(t, w.SetDefault(second.ID, t0.Add(2*time.Hour)))
	assert.Equal(t, second.ID, defaultID(t, w))
	require.ErrorIs(t, w.SetDefault(id(99), t0), wallet.ErrNotFound)

	t.Run("removing the default picks the newest unexpired", func(t *testing.T) {
		w := wallet.Wallet{CustomerID: cust}
		a := add(t, &w, 1, t0, nil)
		b := add(t, &w, 2, t0.Add(time.Hour), nil)
		add(t, &w, 3, t0.Add(2*time.Hour), func(p *wallet.Params) { p.ExpYear = 2026; p.ExpMonth = 1 }) // expired
		require.NoError(t, w.Remove(a.ID, t0))
		assert.Equal(t, b.ID, defaultID(t, w), "the newest unexpired source, not the newer expired one")
	})
	t.Run("all expired picks the newest", func(t *testing.T) {
		w := wallet.Wallet{CustomerID: cust}
		expired := func(p *wallet.Params) { p.ExpYear, p.ExpMonth = 2025, 1 }
		a := add(t, &w, 1, t0, nil)
		add(t, &w, 2, t0.Add(time.Hour), expired)
		c := add(t, &w, 3, t0.Add(2*time.Hour), expired)
		require.NoError(t, w.Remove(a.ID, t0))
		assert.Equal(t, c.ID, defaultID(t, w))
	})
	t.Run("removing another keeps the default", func(t *testing.T) {
		w := wallet.Wallet{CustomerID: cust}
		a := add(t, &w, 1, t0, nil)
		b := add(t, &w, 2, t0.Add(time.Hour), nil)
		require.NoError(t, w.Remove(b.ID, t0))
		assert.Equal(t, a.ID, defaultID(t, w))
		require.NoError(t, w.Remove(a.ID, t0))
		_, ok := w.Default()
		assert.False(t, ok)
		require.ErrorIs(t, w.Remove(a.ID, t0), wallet.ErrNotFound)
	})
}

func TestWalletAddRules(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	for i := range wallet.MaxSources {
		add(t, &w, byte(i+1), t0.Add(time.Duration(i)*time.Second), func(p *wallet.Params) { p.TokenRef = fmt.Sprintf("pm_x%dx", i) })
	}
	_, err := w.Add(id(200), card(), t0)
	require.ErrorIs(t, err, wallet.ErrWalletFull)

	w = wallet.Wallet{CustomerID: cust}
	add(t, &w, 1, t0, nil)
	p := card()
	p.TokenRef = "pm_b"
	_, err = w.Add(id(1), p, t0)
	require.ErrorAs(t, err, new(*wallet.ValidationError), "duplicate id")
	_, err = w.Add(id(5), wallet.Params{Provider: "stripe", TokenRef: "pm_b", Type: wallet.Card, ExpMonth: 1, ExpYear: 2030}, t0)
	var ve *wallet.ValidationError
	require.ErrorAs(t, err, &ve, "the same token twice")
	assert.Equal(t, "token_ref", ve.Field)

	_, err = (&wallet.Wallet{}).Add(id(1), card(), t0)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "customer_id", ve.Field)
}

func TestWalletUpdate(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	s := add(t, &w, 1, t0, nil)
	before := w.Clone()
	month, year := 6, 2031
	bad := "123"
	_, err := w.Update(s.ID, wallet.Patch{Last4: &bad}, t0.Add(time.Hour))
	require.Error(t, err)
	assert.Equal(t, before, w, "a failed update changes nothing")

	pan := "4111 1111 1111 1111"
	_, err = w.Update(s.ID, wallet.Patch{Metadata: map[string]*string{"x": &pan}}, t0)
	require.ErrorAs(t, err, new(*wallet.ValidationError))

	u, err := w.Update(s.ID, wallet.Patch{ExpMonth: &month, ExpYear: &year,
		BillingAddress: &address.Address{Line1: "Main St 1", City: "Berlin", Country: "de"}}, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 6, u.ExpMonth)
	assert.Equal(t, "DE", u.BillingAddress.Country)
	assert.Equal(t, t0.Add(time.Hour), u.UpdatedAt)
	assert.Equal(t, 12, before.Sources[0].ExpMonth, "the copy taken before is not affected")

	u, err = w.Update(s.ID, wallet.Patch{ClearBillingAddress: true}, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Nil(t, u.BillingAddress)
	_, err = w.Update(id(9), wallet.Patch{}, t0)
	require.ErrorIs(t, err, wallet.ErrNotFound)
}

func TestWalletStored(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	add(t, &w, 1, t0, nil)
	add(t, &w, 2, t0.Add(time.Hour), nil)
	require.NoError(t, w.Validate())
	w.Sources[1].IsDefault = true
	_, err := w.Stored(cust)
	require.ErrorIs(t, err, wallet.ErrSeveralDefaults)
	w.Sources[1].IsDefault = false
	w.Sources[1].TokenRef = "4242424242424242"
	_, err = w.Stored(cust)
	require.ErrorIs(t, err, wallet.ErrInvalid)

	w2 := wallet.Wallet{CustomerID: cust}
	a := add(t, &w2, 1, t0, nil)
	old := w2.Clone()
	require.NoError(t, w2.Remove(a.ID, t0))
	assert.True(t, wallet.OnlyRemoves(old, w2))
	add(t, &w2, 3, t0, nil)
	assert.False(t, wallet.OnlyRemoves(old, w2))
}

func TestWalletExpired(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	add(t, &w, 1, t0, nil)
	e := add(t, &w, 2, t0.Add(time.Hour), func(p *wallet.Params) { p.ExpYear, p.ExpMonth = 2026, 2 })
	got := w.Expired(t0)
	require.Len(t, got, 1)
	assert.Equal(t, e.ID, got[0].ID)
}

func TestJSON(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	add(t, &w, 1, t0, func(p *wallet.Params) {
		p.BillingAddress = &address.Address{Line1: "Main St 1", City: "Berlin", Country: "DE"}
		p.Metadata = map[string]string{"k": "v"}
	})
	b, err := json.Marshal(w)
	require.NoError(t, err)
	for _, name := range []string{`"customer_id"`, `"sources"`, `"token_ref"`, `"last4"`, `"exp_month"`, `"exp_year"`,
		`"billing_address"`, `"is_default"`, `"type":"card"`, `"created_at"`} {
		assert.Contains(t, string(b), name)
	}
	var back wallet.Wallet
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back.Sources, 1)
	assert.True(t, back.Sources[0].Equal(w.Sources[0]))

	var ty wallet.Type
	require.NoError(t, json.Unmarshal([]byte(`" SEPA_Debit "`), &ty))
	assert.Equal(t, wallet.SEPADebit, ty)
	err = json.Unmarshal([]byte(`"cash"`), &ty)
	assert.True(t, errors.Is(err, wallet.ErrInvalid))
	_, err = json.Marshal(wallet.Type(0))
	assert.Error(t, err)
}

func TestMethodsDoNotShareMemory(t *testing.T) {
	w := wallet.Wallet{CustomerID: cust}
	add(t, &w, 1, t0, func(p *wallet.Params) { p.Metadata = map[string]string{"k": "v"} })
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := w.Clone()
			c.Sources[0].Metadata["k"] = "changed"
		}()
	}
	wg.Wait()
	assert.Equal(t, "v", w.Sources[0].Metadata["k"])
}
