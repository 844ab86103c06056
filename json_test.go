package clientele_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/verification"
)

// jsonObject marshals v and decodes the result as a generic object.
func jsonObject(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m
}

// assertAmount checks that obj[key] is the JSON form of want.
func assertAmount(t *testing.T, obj map[string]any, key string, want balance.Money) {
	t.Helper()
	assert.Equal(t, map[string]any{"amount": want.AmountString(), "currency": want.Currency().Code()}, obj[key], key)
}

// TestJSONCarriesEveryAmount checks that what the services return marshals
// with every amount in it: a posting, an account, an order and an order
// payment (issue 7: they used to marshal each amount to {}).
func TestJSONCarriesEveryAmount(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")

	credit, err := e.Balances.Credit(e.ctx, clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "100.00"), Kind: balance.KindGiftCard})
	require.NoError(t, err)
	p := jsonObject(t, credit)
	assertAmount(t, p, "amount", money(t, "100.00"))
	assertAmount(t, p, "ending_balance", money(t, "100.00"))
	assert.Equal(t, "gift_card", p["kind"])

	acct, err := e.Balances.SetCreditLimit(e.ctx, c.ID, money(t, "50.00"))
	require.NoError(t, err)
	a := jsonObject(t, acct)
	assertAmount(t, a, "balance", money(t, "100.00"))
	assertAmount(t, a, "credit_limit", money(t, "50.00"))
	assert.Equal(t, "EUR", a["currency"])

	pay, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{
		CustomerID: c.ID, Total: money(t, "180.25"), Reference: "#1001", IdempotencyKey: "pay-1001"})
	require.NoError(t, err)
	op := jsonObject(t, pay)
	assertAmount(t, op, "applied", money(t, "150.00"))
	assertAmount(t, op, "remaining", money(t, "30.25"))
	posting, ok := op["posting"].(map[string]any)
	require.True(t, ok, "posting: %v", op["posting"])
	assertAmount(t, posting, "amount", money(t, "-150.00"))
	assertAmount(t, posting, "ending_balance", money(t, "-50.00"))
	assert.Equal(t, "order_payment", posting["kind"])

	var back clientele.OrderPayment
	b, err := json.Marshal(pay)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, pay, back)

	o, err := e.Orders.RecordPlaced(e.ctx, order.Params{ID: "A-1001", CustomerID: c.ID, Number: "#1001", Total: money(t, "180.25")})
	require.NoError(t, err)
	assertAmount(t, jsonObject(t, o), "total", money(t, "180.25"))

	nothing, err := e.Balances.ApplyToOrder(e.ctx, clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "5.00")})
	require.NoError(t, err)
	np := jsonObject(t, nothing)
	assertAmount(t, np, "applied", money(t, "0.00"))
	assertAmount(t, np, "remaining", money(t, "5.00"))
	assert.NotContains(t, np, "posting")
}

func TestRequestJSON(t *testing.T) {
	id := uuid.MustParse("0195a1b2-0000-7000-8000-000000000001")
	pr := clientele.PostingRequest{CustomerID: id, Amount: money(t, "12.30"), Kind: balance.KindRefund,
		Reference: "R-1", IdempotencyKey: "k", Actor: "staff", Note: "a\nb"}
	b, err := json.Marshal(pr)
	require.NoError(t, err)
	assert.JSONEq(t, `{"customer_id":"0195a1b2-0000-7000-8000-000000000001","amount":{"amount":"12.30","currency":"EUR"},
		"kind":"refund","reference":"R-1","idempotency_key":"k","actor":"staff","note":"a\nb"}`, string(b))
	var prBack clientele.PostingRequest
	require.NoError(t, json.Unmarshal(b, &prBack))
	assert.Equal(t, pr, prBack)

	var minimal clientele.PostingRequest
	require.NoError(t, json.Unmarshal([]byte(`{"customer_id":"0195a1b2-0000-7000-8000-000000000001","amount":{"amount":"5","currency":"eur"}}`), &minimal))
	assert.Equal(t, clientele.PostingRequest{CustomerID: id, Amount: money(t, "5.00")}, minimal)
	b, err = json.Marshal(minimal)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "kind", "the zero kind (adjustment by default) is left out")

	opr := clientele.OrderPaymentRequest{CustomerID: id, Total: money(t, "9.99"), Reference: "#1", IdempotencyKey: "k", Actor: "checkout"}
	b, err = json.Marshal(opr)
	require.NoError(t, err)
	assert.JSONEq(t, `{"customer_id":"0195a1b2-0000-7000-8000-000000000001","total":{"amount":"9.99","currency":"EUR"},
		"reference":"#1","idempotency_key":"k","actor":"checkout"}`, string(b))
	var oprBack clientele.OrderPaymentRequest
	require.NoError(t, json.Unmarshal(b, &oprBack))
	assert.Equal(t, opr, oprBack)

	gp := clientele.GroupParams{Name: "VIP", Description: "best", Metadata: map[string]string{"k": "v"}}
	b, err = json.Marshal(gp)
	require.NoError(t, err)
	assert.JSONEq(t, `{"name":"VIP","description":"best","metadata":{"k":"v"}}`, string(b))
	var gpBack clientele.GroupParams
	require.NoError(t, json.Unmarshal(b, &gpBack))
	assert.Equal(t, gp, gpBack)

	for _, bad := range []string{
		`{"amount":{"amount":"1.234","currency":"EUR"}}`,
		`{"amount":{"amount":1,"currency":"EUR"}}`,
		`{"amount":{"amount":"1","currency":""}}`,
		`{"amount":"1.00 EUR"}`,
		`{"kind":"bonus"}`,
		`{"customer_id":"42"}`,
	} {
		var r clientele.PostingRequest
		assert.Error(t, json.Unmarshal([]byte(bad), &r), bad)
	}
	var r clientele.OrderPaymentRequest
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"total":{"amount":"1","currency":"XTS"}}`), &r), balance.ErrInvalid)
}

// TestJSONNamesMatchValidationFields checks on a few service calls that
// the field a validation error names is the request's JSON name for it.
func TestJSONNamesMatchValidationFields(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	fieldOf := func(err error) string {
		var ve *customer.ValidationError // one type for every package
		require.True(t, errors.As(err, &ve), "%v", err)
		return ve.Field
	}

	_, err := e.Customers.Register(e.ctx, customer.Params{Email: "nope", FirstName: "Ada"})
	assert.Contains(t, jsonObject(t, customer.Params{Email: "nope", FirstName: "Ada"}), fieldOf(err))

	req := clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1.00"), Reference: "bad\x00ref"}
	_, err = e.Balances.Credit(e.ctx, req)
	assert.Contains(t, jsonObject(t, req), fieldOf(err))

	pay := clientele.OrderPaymentRequest{CustomerID: c.ID, Total: money(t, "-1.00")}
	_, err = e.Balances.ApplyToOrder(e.ctx, pay)
	assert.Contains(t, jsonObject(t, pay), fieldOf(err))

	expiring := clientele.PostingRequest{CustomerID: c.ID, Amount: money(t, "1.00"), ExpiresAt: epoch.Add(-time.Hour)}
	_, err = e.Balances.Credit(e.ctx, expiring)
	assert.Equal(t, "expires_at", fieldOf(err))
	assert.Contains(t, jsonObject(t, expiring), fieldOf(err))

	run := clientele.ExpiryRun{Lots: 2, Accounts: 1, Amounts: []balance.Money{money(t, "3.00")}}
	assert.Equal(t, []string{"accounts", "amounts", "lots", "skipped"}, keysOf(jsonObject(t, run)))

	gp := clientele.GroupParams{Name: "VIP", Metadata: map[string]string{"k": "a\nb"}}
	_, err = e.Groups.Create(e.ctx, gp)
	assert.Equal(t, "metadata.k", fieldOf(err))
	assert.Contains(t, jsonObject(t, gp)["metadata"], "k")

	_, err = e.Orders.RecordPlaced(e.ctx, order.Params{ID: "A-1", CustomerID: c.ID, Total: money(t, "10.00")})
	require.NoError(t, err)
	rp := order.RefundParams{ID: "F-1", OrderID: "A-1", Amount: money(t, "10.01"), Destination: order.DestinationOther}
	_, err = e.Orders.RecordRefund(e.ctx, rp)
	assert.Contains(t, jsonObject(t, rp), fieldOf(err))
	rp.Amount, rp.ReturnID = money(t, "1.00"), "R-404"
	_, err = e.Orders.RecordRefund(e.ctx, rp)
	assert.Contains(t, jsonObject(t, rp), fieldOf(err))
	xp := order.ExchangeParams{ID: "X-1", OrderID: "A-1", Type: order.TypeExchange, Amount: money(t, "1.00"), Reason: "a\x00b"}
	_, err = e.Orders.RecordExchange(e.ctx, xp)
	assert.Contains(t, jsonObject(t, xp), fieldOf(err))
}

func TestMemberResultJSON(t *testing.T) {
	id := uuid.MustParse("0195a1b2-0000-7000-8000-000000000001")
	b, err := json.Marshal([]clientele.MemberResult{
		{CustomerID: id, Outcome: clientele.MemberAdded},
		{CustomerID: id, Outcome: clientele.MemberFailed, Err: customer.ErrNotFound},
	})
	require.NoError(t, err)
	assert.JSONEq(t, `[{"customer_id":"0195a1b2-0000-7000-8000-000000000001","outcome":"added"},
		{"customer_id":"0195a1b2-0000-7000-8000-000000000001","outcome":"failed","error":"customer: not found","code":"not_found"}]`, string(b))

	for _, o := range []clientele.MemberOutcome{clientele.MemberFailed, clientele.MemberAdded, clientele.MemberAlreadyMember,
		clientele.MemberRemoved, clientele.MemberNotMember, clientele.MemberValidityChanged} {
		text, err := o.MarshalText()
		require.NoError(t, err)
		assert.Equal(t, o.String(), string(text))
		var back clientele.MemberOutcome
		require.NoError(t, back.UnmarshalText([]byte(" "+string(text)+" ")))
		assert.Equal(t, o, back)
	}
	_, err = clientele.MemberOutcome(99).MarshalText()
	assert.ErrorIs(t, err, group.ErrInvalid)
	back := clientele.MemberAdded
	assert.ErrorIs(t, back.UnmarshalText([]byte("joined")), group.ErrInvalid)
	assert.Equal(t, clientele.MemberAdded, back)
}

// A merge's result marshals with its amounts and round-trips, as a host
// answering an HTTP call would send it.
func TestMergeResultJSON(t *testing.T) {
	e := newEnv(t)
	surv := e.register(t, "ada@example.com")
	dup := e.guest(t, "ada.l@example.com")
	_, err := e.Balances.Credit(e.ctx, creditReq(dup.ID, money(t, "12.50")))
	require.NoError(t, err)
	res, err := e.Customers.Merge(staff(e.ctx), dup.ID, surv.ID)
	require.NoError(t, err)

	obj := jsonObject(t, res)
	ts, ok := obj["tombstone"].(map[string]any)
	require.True(t, ok, "%v", obj)
	assert.Equal(t, dup.ID.String(), ts["merged_id"])
	assert.Equal(t, surv.ID.String(), ts["survivor_id"])
	assert.Equal(t, "ada.l@example.com", ts["email"])
	assert.Equal(t, "staff:support-1", ts["actor"])
	transfers, ok := obj["transfers"].([]any)
	require.True(t, ok, "%v", obj["transfers"])
	require.Len(t, transfers, 1)
	assertAmount(t, transfers[0].(map[string]any), "amount", money(t, "12.50"))
	assert.Equal(t, false, obj["replayed"])

	b, err := json.Marshal(res)
	require.NoError(t, err)
	var back clientele.MergeResult
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, res, back)
}

// keysOf returns the sorted keys of a JSON object.
func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestCompanyJSON: a company, a member with limits and a placed order's
// answer carry their amounts as money objects and their enums as names,
// and read back.
func TestCompanyJSON(t *testing.T) {
	e := clienteletest.New(t)
	admin, buyer := e.MustRegister(), e.MustRegister()
	c := e.MustCreateCompany(admin.ID, clienteletest.CreditLimit(money(t, "500.00")), clienteletest.AutoJoin("acme.example"))
	obj := jsonObject(t, c)
	assertAmount(t, obj, "credit_limit", money(t, "500.00"))
	assert.Equal(t, "EUR", obj["currency"])
	assert.Equal(t, "UTC", obj["time_zone"])
	assert.Equal(t, []any{"acme.example"}, obj["auto_join_domains"])
	var back company.Company
	b, err := json.Marshal(c)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, c.ID, back.ID)
	assert.True(t, c.CreditLimit.Equal(back.CreditLimit))

	m := e.MustAddMember(admin.ID, c.ID, buyer.ID, company.RoleBuyer, company.Limits{PerOrder: ptr(money(t, "100.00")),
		Period: &company.PeriodLimit{Period: company.Week, Amount: money(t, "300.00")}})
	mo := jsonObject(t, m)
	assert.Equal(t, "buyer", mo["role"])
	limits := mo["limits"].(map[string]any)
	assertAmount(t, limits, "per_order", money(t, "100.00"))
	period := limits["period"].(map[string]any)
	assert.Equal(t, "week", period["period"])
	assertAmount(t, period, "amount", money(t, "300.00"))
	var mback company.Member
	b, err = json.Marshal(m)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &mback))
	assert.Equal(t, m.Role, mback.Role)
	assert.True(t, mback.Limits.Period.Amount.Equal(money(t, "300.00")))

	placed := e.MustPlaceCompanyOrder(buyer.ID, c.ID, "co-1", "150.00 EUR")
	po := jsonObject(t, placed)
	assert.Equal(t, "needs_approval", po["decision"].(map[string]any)["outcome"])
	ap := po["approval"].(map[string]any)
	assertAmount(t, ap, "amount", money(t, "150.00"))
	assert.Equal(t, "pending", ap["status"])
	assert.NotContains(t, ap, "order", "the order's params stay inside")
	var pback clientele.PlacedOrder
	b, err = json.Marshal(placed)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &pback))
	assert.Equal(t, placed.Decision, pback.Decision)
}

func TestVerificationJSON(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "kyc@example.com")
	staff := clientele.WithActor(e.ctx, actor.Staff("ana"))
	s := verification.CustomerSubject(c.ID)
	_, err := e.Verifications.Submit(staff, s)
	require.NoError(t, err)
	_, err = e.Verifications.Reject(staff, s, "")
	var ve *verification.ValidationError
	require.ErrorAs(t, err, &ve)
	v, err := e.Verifications.SetRiskFlags(staff, s, "pep")
	require.NoError(t, err)
	obj := jsonObject(t, v)
	assert.Contains(t, obj, ve.Field, "the field of a rejection without a reason")
	_, err = e.Verifications.SetRiskFlags(staff, s, "NOT A SLUG")
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, obj, ve.Field)
	assert.Equal(t, []string{"reason", "reviewer", "risk_flags", "status", "subject", "updated_at", "version"}, keysOf(obj))
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back verification.Verification
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v, back)
}

// TestVendorJSON: marketplace roles marshal with snake_case names, roles
// and sources as their names, and round-trip.
func TestVendorJSON(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	mid, cid := uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"), uuid.MustParse("0f0e0d0c-0b0a-4908-8706-050403020100")
	m, err := merchant.NewMember(mid, cid, merchant.Owner, at)
	require.NoError(t, err)
	rel, err := merchant.NewCustomerRelation(mid, cid, merchant.SourceSignup, at)
	require.NoError(t, err)
	roles := clientele.Roles{CustomerID: cid, Buyer: true, Memberships: []merchant.Member{m}, Operator: operator.Support}
	b, err := json.Marshal(roles)
	require.NoError(t, err)
	assert.JSONEq(t, `{"customer_id":"0f0e0d0c-0b0a-4908-8706-050403020100","buyer":true,"operator":"support",
		"memberships":[{"merchant_id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","customer_id":"0f0e0d0c-0b0a-4908-8706-050403020100",
		"role":"owner","created_at":"2024-05-01T12:00:00Z","updated_at":"2024-05-01T12:00:00Z"}]}`, string(b))
	var back clientele.Roles
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, roles, back)

	b, err = json.Marshal(clientele.Roles{CustomerID: cid})
	require.NoError(t, err)
	assert.JSONEq(t, `{"customer_id":"0f0e0d0c-0b0a-4908-8706-050403020100","buyer":false}`, string(b), "no operator role: omitted")

	b, err = json.Marshal(rel)
	require.NoError(t, err)
	assert.JSONEq(t, `{"merchant_id":"3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01","customer_id":"0f0e0d0c-0b0a-4908-8706-050403020100",
		"since":"2024-05-01T12:00:00Z","source":"signup"}`, string(b))
	var relBack merchant.CustomerRelation
	require.NoError(t, json.Unmarshal(b, &relBack))
	assert.Equal(t, rel, relBack)

	g, err := group.New(uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01"), group.Params{Name: "VIP"}, at)
	require.NoError(t, err)
	assert.NotContains(t, jsonObject(t, g), "owner_merchant_id", "an unowned group says nothing")
	g.OwnerMerchantID = mid
	assert.Equal(t, mid.String(), jsonObject(t, g)["owner_merchant_id"])

	assert.Error(t, json.Unmarshal([]byte(`{"role":"boss"}`), &m))
	assert.Error(t, json.Unmarshal([]byte(`{"source":"telepathy"}`), &relBack))
}
