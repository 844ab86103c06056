package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
)

// doc is a decoded JSON object.
type doc map[string]any

func (d doc) get(name string) any { return d[name] }

func (d doc) str(name string) string {
	s, _ := d.get(name).(string)
	return s
}

func (d doc) num(name string) int64 {
	n, _ := d.get(name).(float64)
	return int64(n)
}

// list is a page of a list.
type list struct {
	Items []doc  `json:"items"`
	Next  string `json:"next"`
}

// TestAPI drives every route family through net/http against the memory
// store and SQLite.
func TestAPI(t *testing.T) {
	for _, kind := range []string{"memory", "sqlite"} {
		t.Run(kind, func(t *testing.T) {
			c := newServer(t, kind)
			families := []struct {
				name string
				test func(*client)
			}{
				{"Customers", testCustomers}, {"Patch", testPatch}, {"Decoding", testDecoding}, {"List", testList},
				{"Addresses", testAddresses}, {"Groups", testGroups}, {"Markets", testMarkets},
				{"Balances", testBalances}, {"Orders", testOrders}, {"Unmatched", testUnmatched},
			}
			ran := 0
			for _, f := range families {
				t.Run(f.name, func(t *testing.T) {
					ran++
					f.test(c.with(t))
				})
			}
			if t.Failed() || ran < len(families) {
				return // the amounts are checked when every family ran
			}
			for _, f := range moneyFields {
				require.True(t, c.money.keys[f], "no response carried the amount %q", f)
			}
		})
	}
}

// register registers a customer with email and returns it.
func (c *client) register(email string) doc {
	c.t.Helper()
	var cust doc
	c.do("POST", "/customers", map[string]any{"email": email, "first_name": "Test"}).ok(http.StatusCreated, &cust)
	return cust
}

func testCustomers(c *client) {
	t := c.t
	var ada doc
	r := c.do("POST", "/customers", map[string]any{
		"email": "Ada@Example.com", "first_name": "Ada", "last_name": "Lovelace", "type": "private",
		"tags": []string{"VIP"}, "metadata": map[string]string{"source": "test"},
	}).ok(http.StatusCreated, &ada)
	id := ada.str("id")
	require.NotEmpty(t, id)
	require.Equal(t, `"1"`, r.header.Get("ETag"))
	require.Equal(t, "/customers/"+id, r.header.Get("Location"))
	require.Equal(t, true, ada.get("has_account"))
	require.Equal(t, "active", ada.str("state"))

	var got doc
	r = c.do("GET", "/customers/"+id, nil).ok(http.StatusOK, &got)
	require.Equal(t, id, got.str("id"))
	require.Equal(t, `"1"`, r.header.Get("ETag"))

	// The same email in another spelling is taken: a conflict.
	p := c.do("POST", "/customers", map[string]any{"email": "ada@EXAMPLE.com"}).problem(http.StatusConflict, "conflict")
	require.Contains(t, p.Detail, "email")

	// Validation names the field.
	c.do("POST", "/customers", map[string]any{"email": "not an email"}).invalid("email")
	c.do("POST", "/customers", map[string]any{"email": "x@example.com", "vat_id": "DE123"}).invalid("vat_id")
	c.do("POST", "/customers", map[string]any{"email": "y@example.com", "type": "robot"}).invalid("type")

	// A guest with the same email coexists; creating it again finds it.
	var g1, g2 doc
	r = c.do("POST", "/guests", map[string]any{"email": "ada@example.com"}).ok(http.StatusCreated, &g1)
	require.Equal(t, "/customers/"+g1.str("id"), r.header.Get("Location"))
	c.do("POST", "/guests", map[string]any{"email": " ADA@example.com "}).ok(http.StatusOK, &g2)
	require.Equal(t, g1.str("id"), g2.str("id"))
	require.NotEqual(t, id, g1.str("id"))
	require.Equal(t, false, g1.get("has_account"))

	// A creating request retried with its Idempotency-Key creates once.
	var k1, k2 doc
	c.do("POST", "/customers", map[string]any{"email": "keyed@example.com"}, "Idempotency-Key", "signup-1").ok(http.StatusCreated, &k1)
	c.do("POST", "/customers", map[string]any{"email": "keyed@example.com"}, "Idempotency-Key", "signup-1").ok(http.StatusCreated, &k2)
	require.Equal(t, k1.str("id"), k2.str("id"))
	c.do("POST", "/customers", map[string]any{"email": "other@example.com"}, "Idempotency-Key", "signup-1").problem(http.StatusConflict, "conflict")
	c.do("POST", "/customers", map[string]any{"email": "long@example.com"}, "Idempotency-Key", strings.Repeat("k", 256)).invalid("idempotency_key")

	// Not found, and an ID that is no UUID.
	c.do("GET", "/customers/"+uuid.NewString(), nil).problem(http.StatusNotFound, "not_found")
	c.do("GET", "/customers/42", nil).invalid("id")
}

func testPatch(c *client) {
	t := c.t
	id := c.register("patch@example.com").str("id")
	var cust doc
	r := c.do("PATCH", "/customers/"+id, map[string]any{"first_name": "Grace", "metadata": map[string]any{"a": "1"}}, "If-Match", `"1"`).ok(http.StatusOK, &cust)
	require.Equal(t, `"2"`, r.header.Get("ETag"))
	require.Equal(t, "Grace", cust.str("first_name"))

	// A stale version is refused with 412 and changes nothing.
	c.do("PATCH", "/customers/"+id, map[string]any{"first_name": "Stale"}, "If-Match", `"1"`).problem(http.StatusPreconditionFailed, "stale")
	c.do("GET", "/customers/"+id, nil).ok(http.StatusOK, &cust)
	require.Equal(t, "Grace", cust.str("first_name"))

	// Weak tags and tags that are no version never match; a malformed
	// header is a bad request; * and no header match any version.
	for _, tag := range []string{`W/"2"`, `"abc"`, `"02"`, `"0"`} {
		c.do("PATCH", "/customers/"+id, map[string]any{"first_name": "X"}, "If-Match", tag).problem(http.StatusPreconditionFailed, "stale")
	}
	for _, tag := range []string{`2`, `"2", "3"`, `"2`, `""2"`} {
		c.do("PATCH", "/customers/"+id, map[string]any{"first_name": "X"}, "If-Match", tag).problem(http.StatusBadRequest, "bad_request")
	}
	r = c.do("PATCH", "/customers/"+id, map[string]any{"last_name": "Hopper"}, "If-Match", "*").ok(http.StatusOK, &cust)
	require.Equal(t, `"3"`, r.header.Get("ETag"))
	c.do("PATCH", "/customers/"+id, map[string]any{"metadata": map[string]any{"a": nil}}).ok(http.StatusOK, &cust)
	require.Equal(t, int64(4), cust.num("version"))
	require.Empty(t, cust.get("metadata"))

	// Of several clients that read one version, exactly one updates it.
	const racers = 8
	statuses := make(chan int, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("PATCH", c.base+"/customers/"+id, strings.NewReader(fmt.Sprintf(`{"note":"racer %d"}`, i)))
			req.Header.Set("If-Match", `"4"`)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			res.Body.Close()
			statuses <- res.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	won := 0
	for st := range statuses {
		require.Contains(t, []int{http.StatusOK, http.StatusPreconditionFailed}, st)
		if st == http.StatusOK {
			won++
		}
	}
	require.Equal(t, 1, won)
	r = c.do("GET", "/customers/"+id, nil).ok(http.StatusOK, &cust)
	require.Equal(t, `"5"`, r.header.Get("ETag"))

	// Validation and not found.
	c.do("PATCH", "/customers/"+id, map[string]any{"phone": "12"}).invalid("phone")
	c.do("PATCH", "/customers/"+uuid.NewString(), map[string]any{"first_name": "X"}).problem(http.StatusNotFound, "not_found")
	c.do("PATCH", "/customers/"+uuid.NewString(), map[string]any{"first_name": "X"}, "If-Match", `"1"`).problem(http.StatusNotFound, "not_found")
}

func testDecoding(c *client) {
	for _, body := range []string{`{"email":`, `[1,`, `{"email":"a@example.com"} {}`, `{"email":"a@example.com"}x`, ``} {
		c.do("POST", "/customers", body).problem(http.StatusBadRequest, "bad_request")
	}
	c.do("POST", "/customers", `{"email":"a@example.com","emial":"typo"}`).problem(http.StatusBadRequest, "bad_request")
	c.do("POST", "/customers", `["a@example.com"]`).problem(http.StatusBadRequest, "bad_request")
	c.do("POST", "/customers", `{"email":42}`).invalid("email")
	c.do("POST", "/customers", `{"email":"a@example.com","tags":"vip"}`).invalid("tags")
	p := c.do("POST", "/customers", `{"email":"a@example.com","type":2}`).invalid("type")
	require.Equal(c.t, "must be a JSON string", p.Errors[0].Reason)
	big := `{"email":"a@example.com","note":"` + strings.Repeat("x", maxBody) + `"}`
	c.do("POST", "/customers", big).problem(http.StatusRequestEntityTooLarge, "too_large")
	c.do("POST", "/customers", "email=a@example.com", "Content-Type", "application/x-www-form-urlencoded").problem(http.StatusUnsupportedMediaType, "unsupported_media_type")
	c.do("POST", "/customers", `{"email":"merge@example.com"}`, "Content-Type", "application/merge-patch+json; charset=utf-8").ok(http.StatusCreated, nil)
}

func testList(c *client) {
	t := c.t
	tag := "list-" + strings.ToLower(uuid.NewString()[:8])
	var ids []string
	for i := range 5 {
		var cust doc
		c.do("POST", "/customers", map[string]any{"email": fmt.Sprintf("%s-%d@example.com", tag, i), "tags": []string{tag}}).ok(http.StatusCreated, &cust)
		ids = append(ids, cust.str("id"))
	}
	var guest doc
	c.do("POST", "/guests", map[string]any{"email": tag + "-guest@example.com", "tags": []string{tag}}).ok(http.StatusCreated, &guest)

	// Walk the pages with the cursors.
	var seen []string
	path := "/customers?has_account=true&limit=2&tag=" + strings.ToUpper(tag)
	for pages := 0; ; pages++ {
		require.Less(t, pages, 3)
		var l list
		c.do("GET", path, nil).ok(http.StatusOK, &l)
		require.LessOrEqual(t, len(l.Items), 2)
		for _, it := range l.Items {
			seen = append(seen, it.str("id"))
		}
		if l.Next == "" {
			break
		}
		path = "/customers?has_account=true&limit=2&tag=" + tag + "&cursor=" + url.QueryEscape(l.Next)
	}
	require.Equal(t, ids, seen)

	var l list
	c.do("GET", "/customers?has_account=false&tag="+tag, nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 1)
	require.Equal(t, guest.str("id"), l.Items[0].str("id"))
	c.do("GET", "/customers?email="+url.QueryEscape(strings.ToUpper(tag)+"-3@EXAMPLE.com"), nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 1)
	require.Equal(t, ids[3], l.Items[0].str("id"))
	c.do("GET", "/customers?status=prospect&state=active&type=private&include_deleted=false&tag="+tag+"&created_from=2000-01-01T00:00:00Z", nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 5)
	c.do("GET", "/customers?tag=nobody-has-this", nil).ok(http.StatusOK, nil)
	require.JSONEq(t, `{"items":[]}`, string(c.do("GET", "/customers?tag=nobody-has-this", nil).body))

	// Bad parameters name themselves.
	c.do("GET", "/customers?status=vip", nil).invalid("status")
	c.do("GET", "/customers?emial=x", nil).invalid("emial")
	c.do("GET", "/customers?limit=0", nil).invalid("limit")
	c.do("GET", "/customers?has_account=maybe", nil).invalid("has_account")
	c.do("GET", "/customers?created_from=yesterday", nil).invalid("created_from")
	c.do("GET", "/customers?group_id=1", nil).invalid("group_id")
	c.do("GET", "/customers?email=nope", nil).invalid("email")
	c.do("GET", "/customers?cursor=bm90LWEtY3Vyc29y", nil).problem(http.StatusUnprocessableEntity, "invalid")
	// A cursor of another list is refused.
	c.do("POST", "/groups", map[string]any{"name": "cursor-a-" + tag}).ok(http.StatusCreated, nil)
	c.do("POST", "/groups", map[string]any{"name": "cursor-b-" + tag}).ok(http.StatusCreated, nil)
	c.do("GET", "/groups?limit=1", nil).ok(http.StatusOK, &l)
	require.NotEmpty(t, l.Next)
	c.do("GET", "/customers?cursor="+url.QueryEscape(l.Next), nil).problem(http.StatusUnprocessableEntity, "invalid")
}

func testAddresses(c *client) {
	t := c.t
	id := c.register("book@example.com").str("id")
	base := "/customers/" + id + "/addresses"
	home := map[string]any{"first_name": "Ada", "line1": "Torstraße 1", "city": "Berlin", "postal_code": "10119", "country": "de"}
	var first, second doc
	r := c.do("POST", base, home).ok(http.StatusCreated, &first)
	require.Equal(t, base+"/"+first.str("id"), r.header.Get("Location"))
	require.Equal(t, "DE", first.str("country"))
	require.Equal(t, true, first.get("default_shipping"))
	vienna := map[string]any{"line1": "Main St 5", "city": "Vienna", "country": "AT"}
	c.do("POST", base, vienna, "Idempotency-Key", "add-vienna").ok(http.StatusCreated, &second)
	var retried doc
	c.do("POST", base, vienna, "Idempotency-Key", "add-vienna").ok(http.StatusCreated, &retried)
	require.Equal(t, second.str("id"), retried.str("id"))

	var book doc
	c.do("PUT", "/customers/"+id+"/default-addresses/shipping", map[string]any{"address_id": second.str("id")}).ok(http.StatusOK, &book)
	entries := book.get("entries").([]any)
	require.Len(t, entries, 2)
	require.Equal(t, true, doc(entries[1].(map[string]any)).get("default_shipping"))
	require.Equal(t, false, doc(entries[0].(map[string]any)).get("default_shipping"))

	var upd doc
	c.do("PATCH", base+"/"+second.str("id"), map[string]any{"city": "Graz", "line2": ""}).ok(http.StatusOK, &upd)
	require.Equal(t, "Graz", upd.str("city"))
	require.Equal(t, "Main St 5", upd.str("line1"))

	// Removing the default billing address makes the oldest remaining one
	// the default: the answer is the book.
	c.do("DELETE", base+"/"+first.str("id"), nil).ok(http.StatusOK, &book)
	require.Len(t, book.get("entries"), 1)
	require.Equal(t, true, doc(book.get("entries").([]any)[0].(map[string]any)).get("default_billing"))
	c.do("GET", base, nil).ok(http.StatusOK, &book)
	require.Len(t, book.get("entries"), 1)

	// Problems.
	c.do("DELETE", base+"/"+first.str("id"), nil).problem(http.StatusNotFound, "not_found")
	c.do("POST", base, map[string]any{"line1": "x", "city": "y", "country": "EU"}).invalid("country")
	c.do("PATCH", base+"/"+second.str("id"), map[string]any{"city": ""}).invalid("city")
	c.do("PUT", "/customers/"+id+"/default-addresses/pickup", map[string]any{"address_id": second.str("id")}).invalid("kind")
	c.do("PUT", "/customers/"+id+"/default-addresses/billing", map[string]any{"address_id": "nope"}).invalid("address_id")
	c.do("GET", "/customers/"+uuid.NewString()+"/addresses", nil).problem(http.StatusNotFound, "not_found")
	c.do("POST", base, map[string]any{"line1": "x", "city": "y", "country": "DE", "street": "z"}).problem(http.StatusBadRequest, "bad_request")
}

func testGroups(c *client) {
	t := c.t
	var vip doc
	r := c.do("POST", "/groups", map[string]any{"name": "VIP", "description": "Early access"}, "Idempotency-Key", "vip").ok(http.StatusCreated, &vip)
	gid := vip.str("id")
	var again doc
	c.do("POST", "/groups", map[string]any{"name": "VIP", "description": "Early access"}, "Idempotency-Key", "vip").ok(http.StatusCreated, &again)
	require.Equal(t, gid, again.str("id"))
	require.Equal(t, "/groups/"+gid, r.header.Get("Location"))
	c.do("POST", "/groups", map[string]any{"name": " vip "}).problem(http.StatusConflict, "conflict")
	c.do("POST", "/groups", map[string]any{"name": ""}).invalid("name")
	var got doc
	c.do("GET", "/groups/"+gid, nil).ok(http.StatusOK, &got)
	require.Equal(t, "VIP", got.str("name"))
	c.do("GET", "/groups/"+uuid.NewString(), nil).problem(http.StatusNotFound, "not_found")
	var l list
	c.do("GET", "/groups", nil).ok(http.StatusOK, &l)
	require.NotEmpty(t, l.Items)

	a, b := c.register("member-a@example.com").str("id"), c.register("member-b@example.com").str("id")
	unknown := uuid.NewString()
	var res struct {
		Items []struct {
			CustomerID string `json:"customer_id"`
			Outcome    string `json:"outcome"`
			Error      *struct {
				Code   string `json:"code"`
				Status int    `json:"status"`
			} `json:"error"`
		} `json:"items"`
	}
	c.do("POST", "/groups/"+gid+"/members", map[string]any{"customer_ids": []string{a, b, unknown}}).ok(http.StatusOK, &res)
	require.Len(t, res.Items, 3)
	require.Equal(t, "added", res.Items[0].Outcome)
	require.Equal(t, "added", res.Items[1].Outcome)
	require.Equal(t, "failed", res.Items[2].Outcome)
	require.Equal(t, unknown, res.Items[2].CustomerID)
	require.Equal(t, "not_found", res.Items[2].Error.Code)
	require.Equal(t, http.StatusNotFound, res.Items[2].Error.Status)
	c.do("POST", "/groups/"+gid+"/members", map[string]any{"customer_ids": []string{a}}).ok(http.StatusOK, &res)
	require.Equal(t, "already_member", res.Items[0].Outcome)

	c.do("GET", "/groups/"+gid+"/members?limit=1", nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 1)
	require.Equal(t, a, l.Items[0].str("id"))
	c.do("GET", "/groups/"+gid+"/members?limit=1&cursor="+url.QueryEscape(l.Next), nil).ok(http.StatusOK, &l)
	require.Equal(t, b, l.Items[0].str("id"))
	c.do("GET", "/customers?group_id="+gid, nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 2)

	c.do("POST", "/groups/"+gid+"/members/remove", map[string]any{"customer_ids": []string{a, a}}).ok(http.StatusOK, &res)
	require.Equal(t, "removed", res.Items[0].Outcome)
	c.do("GET", "/groups/"+gid+"/members", nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 1)

	c.do("POST", "/groups/"+gid+"/members", map[string]any{"customer_ids": []string{a, "b"}}).invalid("customer_ids.1")
	c.do("POST", "/groups/"+gid+"/members", map[string]any{"customer_ids": []string{}}).invalid("customer_ids")
	c.do("POST", "/groups/"+uuid.NewString()+"/members", map[string]any{"customer_ids": []string{a}}).problem(http.StatusNotFound, "not_found")
	c.do("GET", "/groups/"+uuid.NewString()+"/members", nil).problem(http.StatusNotFound, "not_found")
}

func testMarkets(c *client) {
	t := c.t
	var acme doc
	billing := map[string]any{"company": "Acme GmbH", "line1": "Torstraße 1", "city": "Berlin", "postal_code": "10119", "country": "DE"}
	c.do("POST", "/merchants", map[string]any{"name": "Acme", "billing_address": billing}, "Idempotency-Key", "acme").ok(http.StatusCreated, &acme)
	mid := acme.str("id")
	var again doc
	c.do("POST", "/merchants", map[string]any{"name": "Acme", "billing_address": billing}, "Idempotency-Key", "acme").ok(http.StatusCreated, &again)
	require.Equal(t, mid, again.str("id"))
	c.do("POST", "/merchants", map[string]any{"name": "Bad", "billing_address": map[string]any{"line1": "x", "city": "y", "country": "XX"}}).invalid("billing_address.country")
	var got doc
	c.do("GET", "/merchants/"+mid, nil).ok(http.StatusOK, &got)
	require.Equal(t, "Acme", got.str("name"))
	var l list
	c.do("GET", "/merchants", nil).ok(http.StatusOK, &l)
	require.NotEmpty(t, l.Items)
	c.do("GET", "/merchants/"+uuid.NewString(), nil).problem(http.StatusNotFound, "not_found")

	var club doc
	c.do("POST", "/groups", map[string]any{"name": "Club"}).ok(http.StatusCreated, &club)
	var public, private doc
	eu := map[string]any{"merchant_id": mid, "code": "EU", "name": "Europe", "business_model": "b2c", "currency": "EUR"}
	c.do("POST", "/markets", eu, "Idempotency-Key", "eu").ok(http.StatusCreated, &public)
	c.do("POST", "/markets", eu, "Idempotency-Key", "eu").ok(http.StatusCreated, &again)
	require.Equal(t, public.str("id"), again.str("id"))
	require.Equal(t, "eu", public.str("code"))
	c.do("POST", "/markets", map[string]any{"merchant_id": mid, "code": "club", "name": "Club", "business_model": "b2c", "currency": "EUR", "access_groups": []string{club.str("id")}}).ok(http.StatusCreated, &private)
	c.do("POST", "/markets", map[string]any{"merchant_id": mid, "code": "eu", "name": "Again", "business_model": "b2c", "currency": "EUR"}).problem(http.StatusConflict, "conflict")
	c.do("POST", "/markets", map[string]any{"merchant_id": mid, "code": "x", "name": "X", "business_model": "b2z", "currency": "EUR"}).invalid("business_model")
	c.do("POST", "/markets", map[string]any{"merchant_id": mid, "code": "x", "name": "X", "business_model": "b2c", "currency": "EURO"}).invalid("currency")
	c.do("POST", "/markets", map[string]any{"merchant_id": uuid.NewString(), "code": "y", "name": "Y", "business_model": "b2c", "currency": "EUR"}).problem(http.StatusNotFound, "not_found")
	c.do("GET", "/markets/"+private.str("id"), nil).ok(http.StatusOK, &got)
	require.Equal(t, "club", got.str("code"))
	c.do("GET", "/markets?merchant_id="+mid, nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 2)
	c.do("GET", "/markets?group_id="+club.str("id"), nil).ok(http.StatusOK, &l)
	require.Len(t, l.Items, 1)

	member := c.register("club-member@example.com").str("id")
	outsider := c.register("outsider@example.com").str("id")
	c.do("POST", "/groups/"+club.str("id")+"/members", map[string]any{"customer_ids": []string{member}}).ok(http.StatusOK, nil)
	access := func(market, customer string) (allowed bool, reason string) {
		path := "/markets/" + market + "/access"
		if customer != "" {
			path += "?customer_id=" + customer
		}
		var d struct {
			Allowed bool   `json:"allowed"`
			Reason  string `json:"reason"`
		}
		c.do("GET", path, nil).ok(http.StatusOK, &d)
		return d.Allowed, d.Reason
	}
	for _, tc := range []struct {
		market, customer string
		allowed          bool
		reason           string
	}{
		{public.str("id"), "", true, ""},
		{public.str("id"), outsider, true, ""},
		{private.str("id"), "", false, "private"},
		{private.str("id"), outsider, false, "not_member"},
		{private.str("id"), member, true, ""},
	} {
		allowed, reason := access(tc.market, tc.customer)
		require.Equal(t, tc.allowed, allowed, "%+v", tc)
		require.Equal(t, tc.reason, reason, "%+v", tc)
	}
	c.do("GET", "/markets/"+uuid.NewString()+"/access", nil).problem(http.StatusNotFound, "not_found")
	c.do("GET", "/markets/"+public.str("id")+"/access?customer_id="+uuid.NewString(), nil).problem(http.StatusNotFound, "not_found")
	c.do("GET", "/markets/"+public.str("id")+"/access?customer_id=me", nil).invalid("customer_id")
}

func testBalances(c *client) {
	t := c.t
	id := c.register("credit@example.com").str("id")
	base := "/customers/" + id
	credit := map[string]any{"amount": map[string]any{"amount": "30.00", "currency": "EUR"}, "kind": "gift_card", "reference": "GC-1", "actor": "support"}

	// A request repeated with its Idempotency-Key returns the same posting.
	var p1, p2 balance.Posting
	c.do("POST", base+"/credits", credit, "Idempotency-Key", "gift-1").ok(http.StatusCreated, &p1)
	c.do("POST", base+"/credits", credit, "Idempotency-Key", "gift-1").ok(http.StatusCreated, &p2)
	require.Equal(t, p1, p2)
	require.Equal(t, "30.00 EUR", p1.Amount.String())
	require.Equal(t, "30.00 EUR", p1.EndingBalance.String())
	require.Equal(t, "gift-1", p1.IdempotencyKey)
	// The same key for another request is a conflict.
	other := map[string]any{"amount": map[string]any{"amount": "31.00", "currency": "EUR"}, "kind": "gift_card", "reference": "GC-1", "actor": "support"}
	c.do("POST", base+"/credits", other, "Idempotency-Key", "gift-1").problem(http.StatusConflict, "conflict")

	// A debit beyond the balance says what is available.
	big := map[string]any{"amount": map[string]any{"amount": "45.50", "currency": "EUR"}}
	p := c.do("POST", base+"/debits", big).problem(http.StatusConflict, "failed_precondition")
	require.Equal(t, &money{"30.00", "EUR"}, p.Available)
	require.Equal(t, &money{"45.50", "EUR"}, p.Requested)
	var d balance.Posting
	c.do("POST", base+"/debits", map[string]any{"amount": map[string]any{"amount": "5", "currency": "EUR"}, "kind": "expiry"}, "Idempotency-Key", "exp-1").ok(http.StatusCreated, &d)
	require.Equal(t, "-5.00 EUR", d.Amount.String())
	require.Equal(t, "25.00 EUR", d.EndingBalance.String())

	// Pay an order: credit first, the rest by card; a replay answers the same.
	var pay, again clientele.OrderPayment
	order := map[string]any{"total": map[string]any{"amount": "40.00", "currency": "EUR"}, "reference": "#1001"}
	c.do("POST", base+"/order-payments", order, "Idempotency-Key", "pay-1001").ok(http.StatusOK, &pay)
	require.Equal(t, "25.00 EUR", pay.Applied.String())
	require.Equal(t, "15.00 EUR", pay.Remaining.String())
	require.NotNil(t, pay.Posting)
	c.do("POST", base+"/order-payments", order, "Idempotency-Key", "pay-1001").ok(http.StatusOK, &again)
	require.Equal(t, pay, again)
	var none clientele.OrderPayment
	c.do("POST", base+"/order-payments", map[string]any{"total": map[string]any{"amount": "10.00", "currency": "EUR"}}).ok(http.StatusOK, &none)
	require.Equal(t, "0.00 EUR", none.Applied.String())
	require.Nil(t, none.Posting)

	// Accounts and history, a page at a time.
	c.do("POST", base+"/credits", map[string]any{"amount": map[string]any{"amount": "1000", "currency": "JPY"}}).ok(http.StatusCreated, nil)
	var accts struct{ Items []balance.Account }
	c.do("GET", base+"/balances", nil).ok(http.StatusOK, &accts)
	require.Len(t, accts.Items, 2)
	require.Equal(t, "EUR", accts.Items[0].Currency.Code())
	require.Equal(t, "0.00 EUR", accts.Items[0].Balance.String())
	require.Equal(t, "1000 JPY", accts.Items[1].Available().String())
	var acct balance.Account
	c.do("GET", base+"/balances/eur", nil).ok(http.StatusOK, &acct)
	require.Equal(t, int64(3), acct.Postings)
	c.do("GET", base+"/balances/USD", nil).problem(http.StatusNotFound, "not_found")
	c.do("GET", base+"/balances/EURO", nil).invalid("currency")

	var seqs []int64
	path := base + "/balances/EUR/postings?limit=2"
	for {
		var page struct {
			Items []balance.Posting
			Next  string
		}
		c.do("GET", path, nil).ok(http.StatusOK, &page)
		for _, p := range page.Items {
			seqs = append(seqs, p.Sequence)
		}
		if page.Next == "" {
			break
		}
		path = base + "/balances/EUR/postings?limit=2&cursor=" + url.QueryEscape(page.Next)
	}
	require.Equal(t, []int64{1, 2, 3}, seqs)

	// Problems.
	c.do("POST", base+"/credits", map[string]any{"amount": map[string]any{"amount": "1.005", "currency": "EUR"}}).invalid("amount.amount")
	c.do("POST", base+"/credits", map[string]any{"amount": map[string]any{"amount": "1", "currency": "XXX"}}).invalid("amount.currency")
	c.do("POST", base+"/credits", map[string]any{"amount": map[string]any{"amount": 1.5, "currency": "EUR"}}).invalid("amount.amount")
	c.do("POST", base+"/credits", map[string]any{"amount": map[string]any{"amount": "-1", "currency": "EUR"}}).invalid("amount")
	c.do("POST", base+"/credits", map[string]any{"amount": map[string]any{"amount": "1", "currency": "EUR"}, "kind": "bonus"}).invalid("kind")
	c.do("POST", base+"/credits", credit, "Idempotency-Key", strings.Repeat("k", 256)).invalid("idempotency_key")
	c.do("POST", "/customers/"+uuid.NewString()+"/credits", credit).problem(http.StatusNotFound, "not_found")
	c.do("GET", "/customers/"+uuid.NewString()+"/balances", nil).problem(http.StatusNotFound, "not_found")
}

func testOrders(c *client) {
	t := c.t
	var guest doc
	c.do("POST", "/guests", map[string]any{"email": "orders@example.com"}).ok(http.StatusCreated, &guest)
	gid := guest.str("id")
	placed := map[string]any{"id": "order-1", "customer_id": gid, "number": "1001", "total": map[string]any{"amount": "49.90", "currency": "EUR"}, "channel": "web", "placed_at": "2025-03-01T10:00:00+01:00"}
	var o, replay order.Order
	r := c.do("POST", "/orders", placed).ok(http.StatusCreated, &o)
	require.Equal(t, "/orders/order-1", r.header.Get("Location"))
	require.Equal(t, "placed", o.Status.String())
	require.Equal(t, "49.90 EUR", o.Total.String())
	require.Equal(t, "2025-03-01T09:00:00Z", o.PlacedAt.Format("2006-01-02T15:04:05Z07:00"))
	c.do("POST", "/orders", placed).ok(http.StatusCreated, &replay)
	require.Equal(t, o, replay)
	changed := map[string]any{"id": "order-1", "customer_id": gid, "number": "1001", "total": map[string]any{"amount": "50.00", "currency": "EUR"}}
	c.do("POST", "/orders", changed).problem(http.StatusConflict, "conflict")
	c.do("POST", "/orders", map[string]any{"id": "order-2", "customer_id": gid, "total": map[string]any{"amount": "1", "currency": "EUR"}, "placed_at": "March"}).invalid("placed_at")
	c.do("POST", "/orders", map[string]any{"id": "", "customer_id": gid, "total": map[string]any{"amount": "1", "currency": "EUR"}}).invalid("id")
	c.do("POST", "/orders", map[string]any{"id": "order-3", "customer_id": uuid.NewString(), "total": map[string]any{"amount": "1", "currency": "EUR"}}).problem(http.StatusNotFound, "not_found")

	c.do("GET", "/orders/order-1", nil).ok(http.StatusOK, &o)
	c.do("GET", "/orders/none", nil).problem(http.StatusNotFound, "not_found")
	c.do("PUT", "/orders/order-1/status", map[string]any{"status": "approved"}).ok(http.StatusOK, &o)
	require.Equal(t, "approved", o.Status.String())
	c.do("PUT", "/orders/order-1/status", map[string]any{"status": "placed"}).problem(http.StatusConflict, "failed_precondition")
	c.do("PUT", "/orders/order-1/status", map[string]any{"status": "lost"}).invalid("status")

	var g doc
	c.do("GET", "/customers/"+gid, nil).ok(http.StatusOK, &g)
	require.Equal(t, "acquired", g.str("status"))

	// The guest registers and claims the order.
	reg := c.register("Orders@Example.com").str("id")
	var claim struct {
		Moved    int `json:"moved"`
		Customer doc `json:"customer"`
	}
	c.do("POST", "/customers/"+reg+"/claims", map[string]any{"guest_id": gid}).ok(http.StatusOK, &claim)
	require.Equal(t, 1, claim.Moved)
	require.Equal(t, "acquired", claim.Customer.str("status"))
	c.do("POST", "/customers/"+reg+"/claims", map[string]any{"guest_id": gid}).ok(http.StatusOK, &claim)
	require.Equal(t, 0, claim.Moved)
	other := c.register("someone-else@example.com").str("id")
	c.do("POST", "/customers/"+other+"/claims", map[string]any{"guest_id": gid}).invalid("email")

	var hist struct{ Items []order.Order }
	c.do("GET", "/customers/"+reg+"/orders", nil).ok(http.StatusOK, &hist)
	require.Len(t, hist.Items, 1)
	require.Equal(t, "order-1", hist.Items[0].ID)
	c.do("GET", "/customers/"+uuid.NewString()+"/orders", nil).problem(http.StatusNotFound, "not_found")
}

func testUnmatched(c *client) {
	t := c.t
	c.do("GET", "/nowhere", nil).problem(http.StatusNotFound, "not_found")
	r := c.do("DELETE", "/customers", nil)
	r.problem(http.StatusMethodNotAllowed, "method_not_allowed")
	require.Contains(t, r.header.Get("Allow"), "GET")
	require.Contains(t, r.header.Get("Allow"), "POST")
	// The mux still redirects to the clean path.
	c.do("GET", "//groups/../groups", nil).ok(http.StatusOK, nil)

	var spec struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	c.do("GET", "/openapi.json", nil).ok(http.StatusOK, &spec)
	require.Equal(t, "3.1.0", spec.OpenAPI)
	require.NotEmpty(t, spec.Paths)
}
