package storagetest

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage"
)

func hostileCases() []testCase {
	return []testCase{
		{"CustomerText", hostileCustomerText},
		{"NameFilterMatchesLiterally", hostileNameFilterLiteral},
		{"EmailCharacters", hostileEmails},
		{"AddressText", hostileAddressText},
		{"GroupText", hostileGroupText},
		{"MerchantAndMarketText", hostileMerchantMarketText},
		{"PostingText", hostilePostingText},
		{"OrderText", hostileOrderText},
		{"LongValues", hostileLongValues},
		{"MoneyEdges", hostileMoneyEdges},
		{"LookupsByUnstorableKeys", hostileLookups},
	}
}

// hostileStrings are stored and returned byte for byte: SQL and LIKE
// metacharacters, escapes, and Unicode that naive code mangles.
var hostileStrings = []string{
	`O'Brien`,
	`"double" quotes`,
	`semi;colon`,
	`'; DROP TABLE customers; --`,
	`Robert'); DELETE FROM groups WHERE ('1'='1`,
	`100% pure`,
	`under_score`,
	`%_%`,
	`back\slash`,
	`\\ double \\ backslash \`,
	`\'; escaped quote`,
	`$1 ? :name @p1 {{.}} ${x}`,
	`<script>alert("x")</script>`,
	"emoji 👩‍👩‍👧‍👦 🎉 🇩🇪",
	"עברית \u200fRTL\u200e mark العربية",
	"\u202eright-to-left override",
	"combining q\u0307\u0323 and e\u0301",
	"Ǆemo ǅ ǆ ﬁ ß ẞ İı",
	"null-ish NULL null \\N",
	"zero\u200bwidth\u200djoiner",
}

// hostileKey shortens s to a valid metadata key (at most 40 runes).
func hostileKey(s string) string {
	r := []rune(s)
	if len(r) > 40 {
		r = r[:40]
	}
	return strings.TrimSpace(string(r))
}

func hostileCustomerText(t *testing.T, e *env) {
	var cs []customer.Customer
	for i, s := range hostileStrings {
		var tags []string
		if _, err := customer.NormalizeTags([]string{s, "tag " + s}); err == nil {
			tags = []string{s, "tag " + s}
		}
		c := e.registered(func(p *customer.Params) {
			p.FirstName, p.LastName, p.Company, p.Note = s, s, s, s+"\n"+s
			p.Tags = tags
			p.Metadata = map[string]string{hostileKey(s): s, "k": s}
			p.Reference, p.ReferenceOrigin = s, fmt.Sprintf("origin %d %s", i, s)
		})
		out := e.createCustomer(c)
		want := c
		want.Version = 1
		assertCustomer(t, want, out, "Create of %q", s)
		assertCustomer(t, want, e.getCustomer(c.ID), "Get of %q", s)
		got, err := e.store.Customers().GetByReference(e.ctx, c.ReferenceOrigin, c.Reference)
		require.NoError(t, err, "GetByReference of %q", s)
		assert.Equal(t, c.ID, got.ID)
		if len(c.Tags) > 0 {
			assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{Tags: c.Tags}), "Tags %q", c.Tags)
		}
		cs = append(cs, want)
	}
	// The Name filter matches every hostile name as a literal substring.
	for _, s := range hostileStrings {
		key := storage.SearchKey(s)
		var want []customer.Customer
		for _, c := range cs {
			if strings.Contains(storage.SearchKey(c.FirstName+" "+c.LastName), key) {
				want = append(want, c)
			}
		}
		require.NotEmpty(t, want)
		assertIDs(t, expectedCustomerIDs(want...), e.listCustomerIDs(storage.CustomerFilter{Name: s}), "Name %q", s)
	}
}

func hostileNameFilterLiteral(t *testing.T, e *env) {
	names := map[string]customer.Customer{}
	for _, n := range []string{"100% Cotton", "100X Cotton", "1000 Cotton", "a_b", "axb", "a%b", `back\slash`, "backslash", `back\\slash`, "[abc]", "a", "b*c", "bxc", "it's", "its"} {
		names[n] = e.newCustomer(withName(n, ""))
	}
	tests := []struct {
		filter string
		want   []string
	}{
		{"100%", []string{"100% Cotton"}},
		{"%", []string{"100% Cotton", "a%b"}},
		{"_", []string{"a_b"}},
		{"a_b", []string{"a_b"}},
		{"a%b", []string{"a%b"}},
		{`\`, []string{`back\slash`, `back\\slash`}},
		{`back\slash`, []string{`back\slash`}},
		{`\\`, []string{`back\\slash`}},
		{"[abc]", []string{"[abc]"}},
		{"[a", []string{"[abc]"}},
		{"b*c", []string{"b*c"}},
		{"*", []string{"b*c"}},
		{"'", []string{"it's"}},
		{"it's", []string{"it's"}},
		{".", nil},
		{"^a", nil},
	}
	for _, tt := range tests {
		var want []customer.Customer
		for _, n := range tt.want {
			want = append(want, names[n])
		}
		assertIDs(t, expectedCustomerIDs(want...), e.listCustomerIDs(storage.CustomerFilter{Name: tt.filter}), "Name %q matches literally", tt.filter)
	}
}

func hostileEmails(t *testing.T, e *env) {
	for _, raw := range []string{
		"o'brien+100%_off@example.com",
		"a.b-c/d=e?f^g`h{i|j}k~l!m#n$o&p*q@example.com",
		"Jörg.Müller@Bücher.example",
		"用户@例子.广告",
		"δοκιμή@παράδειγμα.δοκιμή",
		"'--@example.com",
	} {
		em, err := customer.ParseEmail(raw)
		require.NoError(t, err, "the domain accepts %q", raw)
		c := e.createCustomer(e.registered(withEmail(raw)))
		assert.Equal(t, em, c.Email, "%q", raw)
		got, err := e.store.Customers().GetByEmail(e.ctx, em.Address, true)
		require.NoError(t, err, "GetByEmail(%q)", em.Address)
		assert.Equal(t, c.ID, got.ID)
		assert.Equal(t, em, got.Email, "both spellings round-trip byte for byte")
		assertIDs(t, []uuid.UUID{c.ID}, e.listCustomerIDs(storage.CustomerFilter{Email: em.Address}), "Email filter %q", em.Address)
		_, err = e.store.Customers().Create(e.ctx, e.registered(withEmail(em.Address)))
		requireConflict(t, err, storage.ConstraintCustomerEmail, "%q", em.Address)
	}
}

// fitBytes shortens s to at most n bytes without splitting a rune and
// without surrounding white space.
func fitBytes(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return strings.TrimSpace(s)
}

func hostileAddressText(t *testing.T, e *env) {
	c := e.newCustomer()
	var want address.Book
	_, err := e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for _, s := range hostileStrings {
			a := address.Address{
				FirstName: s, LastName: s, Company: s, Line1: s, Line2: s, City: s,
				PostalCode: fitBytes(s, address.MaxPostalCodeLength), Province: s, Country: "FR",
			}
			if _, err := b.Add(e.id(), a, e.now()); err != nil {
				return err
			}
		}
		want = b.Clone()
		return nil
	})
	require.NoError(t, err)
	assertBook(t, want, e.book(c.ID))
}

func hostileGroupText(t *testing.T, e *env) {
	for _, s := range hostileStrings {
		g, err := group.New(e.id(), group.Params{Name: s, Description: s + "\n" + s, Metadata: map[string]string{hostileKey(s): s}}, e.now())
		require.NoError(t, err, "group named %q", s)
		_, err = e.store.Groups().Create(e.ctx, g)
		require.NoError(t, err, "group named %q", s)
		want := g
		want.Version = 1
		assertGroup(t, want, e.getGroup(g.ID), "group %q", s)
		got, err := e.store.Groups().GetByName(e.ctx, s)
		require.NoError(t, err, "GetByName(%q)", s)
		assert.Equal(t, g.ID, got.ID, "GetByName(%q)", s)
	}
}

func hostileMerchantMarketText(t *testing.T, e *env) {
	for i, s := range hostileStrings {
		m, err := merchant.New(e.id(), merchant.Params{
			Name: s,
			BillingAddress: address.Address{
				Company: s, Line1: s, Line2: s, City: s, Province: s, Country: "GB",
				PostalCode: fitBytes(s, address.MaxPostalCodeLength),
			},
			Metadata: map[string]string{hostileKey(s): s},
		}, e.now())
		require.NoError(t, err, "merchant named %q", s)
		_, err = e.store.Merchants().Create(e.ctx, m)
		require.NoError(t, err)
		want := m
		want.Version = 1
		assertMerchant(t, want, e.getMerchant(m.ID), "merchant %q", s)

		mk := e.marketFor(m.ID, func(sp *marketSpec) {
			sp.params.Code = fmt.Sprintf("hostile-%d", i)
			sp.params.Name = s
			sp.params.PriceListRef = s
			sp.params.InventoryModelRef = s
			sp.params.Metadata = map[string]string{hostileKey(s): s}
		})
		_, err = e.store.Markets().Create(e.ctx, mk)
		require.NoError(t, err)
		wantMk := mk
		wantMk.Version = 1
		got, err := e.store.Markets().Get(e.ctx, mk.ID)
		require.NoError(t, err)
		assertMarket(t, wantMk, got, "market %q", s)
	}
}

func hostilePostingText(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	for _, s := range hostileStrings {
		p := e.posting(a, e.usd("1.00"), func(p *balance.PostingParams) {
			p.Reference, p.IdempotencyKey, p.Actor, p.Note = s, s, s, s+"\n"+s
		})
		out, err := e.store.Balances().Post(e.ctx, p)
		require.NoError(t, err, "posting with %q", s)
		got, err := e.store.Balances().PostingByKey(e.ctx, a.ID, s)
		require.NoError(t, err, "PostingByKey(%q)", s)
		assertPosting(t, out, got, "posting %q", s)
		assert.Equal(t, p.Reference, got.Reference)
		assert.Equal(t, p.Actor, got.Actor)
		assert.Equal(t, p.Note, got.Note)
	}
	e.checkLedger(a.ID)
}

func hostileOrderText(t *testing.T, e *env) {
	c := e.newCustomer()
	var ids []string
	for _, s := range hostileStrings {
		o := e.order(c.ID, fitBytes(s, order.MaxIDLength), func(p *order.Params) {
			p.Number = s
			p.Channel = fitBytes(s, order.MaxChannelLength)
		})
		out, err := e.store.Orders().Create(e.ctx, o)
		require.NoError(t, err, "order %q", s)
		assertOrder(t, o, out)
		assertOrder(t, o, e.getOrder(o.ID), "Get(%q)", o.ID)
		ids = append(ids, o.ID)
	}
	assert.ElementsMatch(t, ids, orderIDs(e.listOrders(c.ID, 3)))
}

// repeatTo repeats s as often as it fits in n bytes and pads the rest with
// "x", so that the result has exactly n bytes and ends in a visible rune.
func repeatTo(s string, n int) string {
	out := strings.Repeat(s, n/len(s))
	return out + strings.Repeat("x", n-len(out))
}

func hostileLongValues(t *testing.T, e *env) {
	// Multi-byte text at the byte limits of the domain.
	tags := make([]string, customer.MaxTags)
	for i := range tags {
		tags[i] = fmt.Sprintf("%02d", i) + repeatTo("é", customer.MaxTagLength-2)
	}
	meta := map[string]string{}
	for i := range 50 {
		key := fmt.Sprintf("%02d", i) + strings.Repeat("🔑", 38) // 40 runes, 154 bytes
		meta[key] = strings.Repeat("🎉", 500)                    // 500 runes, 2000 bytes
	}
	local := repeatTo("a", customer.MaxEmailLocalLength)
	domain := strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".com"
	email := local + "@" + domain
	require.Len(t, email, customer.MaxEmailLength)
	c := e.registered(func(p *customer.Params) {
		p.Email = email
		p.Type = customer.TypeBusiness
		p.FirstName = repeatTo("é", customer.MaxNameLength)
		p.LastName = repeatTo("👩", customer.MaxNameLength)
		p.Company = repeatTo("ß", customer.MaxCompanyLength)
		p.VATID = repeatTo("X", customer.MaxVATIDLength)
		p.Note = repeatTo("line ✓\n", customer.MaxNoteLength)
		p.Tags = tags
		p.Metadata = meta
		p.Reference = repeatTo("R", customer.MaxReferenceLength)
		p.ReferenceOrigin = repeatTo("O", customer.MaxReferenceLength)
	})
	require.Len(t, c.Note, customer.MaxNoteLength)
	out := e.createCustomer(c)
	want := c
	want.Version = 1
	assertCustomer(t, want, out, "Create")
	assertCustomer(t, want, e.getCustomer(c.ID), "Get")
	got, err := e.store.Customers().GetByEmail(e.ctx, email, true)
	require.NoError(t, err)
	assert.Equal(t, c.ID, got.ID)

	// Groups, postings and orders at their limits.
	g, err := group.New(e.id(), group.Params{Name: repeatTo("ü", group.MaxNameLength), Description: repeatTo("ä\n", group.MaxDescriptionLength), Metadata: meta}, e.now())
	require.NoError(t, err)
	_, err = e.store.Groups().Create(e.ctx, g)
	require.NoError(t, err)
	g.Version = 1
	assertGroup(t, g, e.getGroup(g.ID))

	a := e.createAccount(c.ID, "EUR")
	p := e.posting(a, money(t, "1.00", "EUR"), func(p *balance.PostingParams) {
		p.Reference = repeatTo("r", balance.MaxReferenceLength)
		p.IdempotencyKey = repeatTo("k", balance.MaxIdempotencyKeyLength)
		p.Actor = repeatTo("a", balance.MaxActorLength)
		p.Note = repeatTo("ñ", balance.MaxNoteLength)
	})
	posted, err := e.store.Balances().Post(e.ctx, p)
	require.NoError(t, err)
	byKey, err := e.store.Balances().PostingByKey(e.ctx, a.ID, p.IdempotencyKey)
	require.NoError(t, err)
	assertPosting(t, posted, byKey)

	o := e.order(c.ID, repeatTo("i", order.MaxIDLength), func(p *order.Params) {
		p.Number = repeatTo("№", order.MaxNumberLength-1) + "1"
		p.Channel = repeatTo("c", order.MaxChannelLength)
	})
	_, err = e.store.Orders().Create(e.ctx, o)
	require.NoError(t, err)
	assertOrder(t, o, e.getOrder(o.ID))

	// A full address book of long lines.
	var book address.Book
	_, err = e.store.Addresses().UpdateBook(e.ctx, c.ID, func(b *address.Book) error {
		for i := range address.MaxEntries {
			a := address.Address{
				FirstName: repeatTo("é", address.MaxNameLength), LastName: repeatTo("e", address.MaxNameLength),
				Company: repeatTo("ø", address.MaxNameLength),
				Line1:   fmt.Sprintf("%03d", i) + repeatTo("ü", address.MaxLineLength-4) + "x",
				Line2:   repeatTo("ß", address.MaxLineLength), City: repeatTo("ç", address.MaxLineLength),
				PostalCode: repeatTo("9", address.MaxPostalCodeLength), Province: repeatTo("ñ", address.MaxProvinceLength),
				Country: "ES",
			}
			if _, err := b.Add(e.id(), a, e.now()); err != nil {
				return err
			}
		}
		book = b.Clone()
		return nil
	})
	require.NoError(t, err)
	assertBook(t, book, e.book(c.ID))
}

func hostileMoneyEdges(t *testing.T, e *env) {
	c := e.newCustomer(withBusiness())
	for _, code := range []string{"JPY", "USD", "KWD", "CLF"} {
		cur, err := balance.ParseCurrency(code)
		require.NoError(t, err)
		a := e.createAccount(c.ID, code)
		max := balance.FromMinorUnits(math.MaxInt64, cur)
		one := balance.FromMinorUnits(1, cur)

		p := e.post(a, max)
		assertMoney(t, code+" Amount", max, p.Amount)
		assertMoney(t, code+" EndingBalance", max, p.EndingBalance)
		assert.Equal(t, int64(math.MaxInt64), e.getAccount(a.ID).Balance.MinorUnits(), "%s: the largest balance round-trips exactly", code)
		assert.True(t, e.getAccount(a.ID).Balance.Amount().Equal(max.Amount()), "%s: decimal amount", code)

		before := e.getAccount(a.ID)
		_, err = e.store.Balances().Post(e.ctx, e.posting(a, one))
		require.Error(t, err, "%s: a credit past the int64 range is refused", code)
		assertAccount(t, before, e.getAccount(a.ID), "%s: nothing is written on overflow", code)

		e.post(a, max.Neg())
		_, err = e.store.Balances().UpdateAccount(e.ctx, a.ID, func(a *balance.Account) error {
			return a.SetCreditLimit(max, e.now())
		})
		require.NoError(t, err)
		p = e.post(a, max.Neg())
		assertMoney(t, code+" EndingBalance at the floor", max.Neg(), p.EndingBalance)
		p = e.post(a, one)
		assertMoney(t, code+" EndingBalance", balance.FromMinorUnits(-math.MaxInt64+1, cur), p.EndingBalance)
		acc, ledger := e.checkLedger(a.ID)
		assertMoney(t, code+" CreditLimit", max, acc.CreditLimit)
		assert.Len(t, ledger, 4)
		got, err := e.store.Balances().Postings(e.ctx, a.ID, storage.PageRequest{})
		require.NoError(t, err)
		assertMoney(t, code+" first Amount", max, got.Items[0].Amount)
		assertMoney(t, code+" third Amount", max.Neg(), got.Items[2].Amount)

		o := e.createOrder(c.ID, "max-"+code, func(p *order.Params) { p.Total = max })
		assertMoney(t, code+" order Total", max, e.getOrder(o.ID).Total)
		small := e.createOrder(c.ID, "one-"+code, func(p *order.Params) { p.Total = one })
		assertMoney(t, code+" order Total", one, e.getOrder(small.ID).Total)
		zero := e.createOrder(c.ID, "zero-"+code, func(p *order.Params) { p.Total = balance.Zero(cur) })
		assertMoney(t, code+" order Total", balance.Zero(cur), e.getOrder(zero.ID).Total)

		mk := e.createMarket(e.createMerchant().ID, func(sp *marketSpec) { sp.params.Currency = cur })
		got2, err := e.store.Markets().Get(e.ctx, mk.ID)
		require.NoError(t, err)
		assert.Equal(t, cur, got2.Currency)
		assert.Equal(t, cur.Digits(), got2.Currency.Digits())
	}
}

// hostileLookups: a lookup by a key that no stored value can equal
// (invalid UTF-8, a NUL byte) finds nothing, on every adapter: ErrNotFound
// or an empty page, never a driver error (PostgreSQL rejects such text).
func hostileLookups(t *testing.T, e *env) {
	c := e.newCustomer()
	a := e.createAccount(c.ID, "USD")
	e.createOrder(c.ID, "order-1")
	for _, key := range []string{"a\x00b", "\xff\xfe", "bad\xc3(utf8", "\x00"} {
		_, err := e.store.Customers().GetByEmail(e.ctx, key, true)
		requireNotFound(t, err, "GetByEmail(%q)", key)
		_, err = e.store.Customers().GetByReference(e.ctx, key, key)
		requireNotFound(t, err, "GetByReference(%q)", key)
		_, err = e.store.Groups().GetByName(e.ctx, key)
		requireNotFound(t, err, "Groups.GetByName(%q)", key)
		_, err = e.store.Markets().GetByCode(e.ctx, key)
		requireNotFound(t, err, "Markets.GetByCode(%q)", key)
		_, err = e.store.Orders().Get(e.ctx, key)
		requireNotFound(t, err, "Orders.Get(%q)", key)
		_, err = e.store.Balances().PostingByKey(e.ctx, a.ID, key)
		requireNotFound(t, err, "PostingByKey(%q)", key)
		for _, f := range []storage.CustomerFilter{{Email: key}, {Name: key}, {Tags: []string{key}}} {
			page, err := e.store.Customers().List(e.ctx, f, storage.PageRequest{})
			require.NoError(t, err, "List(%+v)", f)
			assert.Empty(t, page.Items, "List(%+v)", f)
		}
		_, err = e.store.Orders().List(e.ctx, c.ID, storage.PageRequest{Cursor: storage.Cursor{List: storage.ListOrders, Time: e.now(), Key: key}.String()})
		if err != nil {
			require.ErrorIs(t, err, storage.ErrInvalidCursor, "an order cursor with key %q", key)
		}
	}
	// The store still works: nothing above broke a connection or a
	// transaction.
	e.getCustomer(c.ID)
}
