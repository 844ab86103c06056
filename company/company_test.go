package company_test

import (
	"encoding/json"
	"math/rand"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
)

var (
	eur = balance.MustCurrency("EUR")
	now = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
)

func eu(units int64) balance.Money { return balance.FromMinorUnits(units, eur) }
func ptr[T any](v T) *T            { return &v }

func TestNew(t *testing.T) {
	c, err := company.New(uuid.New(), company.Params{Name: " Acme ", TaxID: "de 123 456", Currency: eur,
		AutoJoinDomains: []string{"ACME.example", "bücher.de", "x@acme.example"}, PaymentTermsDays: 30}, now)
	require.NoError(t, err)
	assert.Equal(t, "Acme", c.Name)
	assert.Equal(t, "DE123456", c.TaxID)
	assert.Equal(t, "UTC", c.TimeZone)
	assert.True(t, c.CreditLimit.Equal(eu(0)))
	assert.Equal(t, []string{"acme.example", "xn--bcher-kva.de"}, c.AutoJoinDomains)
	assert.EqualValues(t, 1, c.Version)

	for name, p := range map[string]company.Params{
		"name":     {Currency: eur},
		"currency": {Name: "A"},
		"terms":    {Name: "A", Currency: eur, PaymentTermsDays: 366},
		"negative": {Name: "A", Currency: eur, CreditLimit: eu(-1)},
		"limitcur": {Name: "A", Currency: eur, CreditLimit: balance.FromMinorUnits(1, balance.MustCurrency("USD"))},
		"tz":       {Name: "A", Currency: eur, TimeZone: "Mars/Olympus"},
		"domain":   {Name: "A", Currency: eur, AutoJoinDomains: []string{"not a domain"}},
		"tax":      {Name: "A", Currency: eur, TaxID: "DE#1"},
	} {
		_, err := company.New(uuid.New(), p, now)
		assert.ErrorIs(t, err, company.ErrInvalid, name)
	}
}

func TestPatchAndClone(t *testing.T) {
	c, err := company.New(uuid.New(), company.Params{Name: "Acme", Currency: eur, Metadata: map[string]string{"k": "v"}}, now)
	require.NoError(t, err)
	d := c.Clone()
	d.Metadata["k"] = "w"
	assert.Equal(t, "v", c.Metadata["k"])

	require.NoError(t, company.Patch{TimeZone: ptr("Europe/Berlin"), CreditLimit: ptr(eu(100_00)),
		AutoJoinDomains: &[]string{"B.example"}}.Apply(&c, now.Add(time.Hour)))
	assert.Equal(t, "Europe/Berlin", c.TimeZone)
	assert.Equal(t, []string{"b.example"}, c.AutoJoinDomains)
	assert.Equal(t, now.Add(time.Hour), c.UpdatedAt)
	before := c.Clone()
	assert.ErrorIs(t, company.Patch{TimeZone: ptr("nowhere")}.Apply(&c, now), company.ErrInvalid)
	assert.Equal(t, before, c, "unchanged on error")

	js, err := json.Marshal(c)
	require.NoError(t, err)
	var back company.Company
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, c.Name, back.Name)
	assert.True(t, c.CreditLimit.Equal(back.CreditLimit))
}

func TestPeriodWindow(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	tests := []struct {
		period     company.Period
		loc        *time.Location
		at         time.Time
		start, end time.Time
	}{
		// 2026-03-29 is the spring-forward day in Berlin: 23 hours.
		{company.Day, berlin, now, time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC)},
		{company.Day, time.UTC, now, time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)},
		// A Sunday belongs to the week that began on Monday the 23rd.
		{company.Week, time.UTC, now, time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC)},
		{company.Week, berlin, now, time.Date(2026, 3, 22, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC)},
		{company.Month, berlin, now, time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC), time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)},
		{company.Year, time.UTC, now, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		s, e := company.PeriodWindow(tt.period, tt.loc, tt.at)
		assert.Equal(t, tt.start, s, "%s %s", tt.period, tt.loc)
		assert.Equal(t, tt.end, e, "%s %s", tt.period, tt.loc)
	}
	// Every instant lies in its window, for every period, over two years of hours.
	for h := 0; h < 2*366*24; h += 7 {
		at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(h) * time.Hour)
		for _, p := range company.Periods() {
			s, e := company.PeriodWindow(p, berlin, at)
			require.True(t, !at.Before(s) && at.Before(e), "%s %v in [%v, %v)", p, at, s, e)
			s2, _ := company.PeriodWindow(p, berlin, e)
			require.Equal(t, e, s2, "windows tile")
		}
	}
}

func member(role company.Role, perOrder *balance.Money, period *company.PeriodLimit) company.Member {
	return company.Member{CompanyID: uuid.New(), CustomerID: uuid.New(), Role: role,
		Limits: company.Limits{PerOrder: perOrder, Period: period}, Version: 1}
}

func TestDecide(t *testing.T) {
	month := &company.PeriodLimit{Period: company.Month, Amount: eu(1000_00)}
	usd := balance.FromMinorUnits(1, balance.MustCurrency("USD"))
	tests := []struct {
		name   string
		m      company.Member
		spent  balance.Money
		amount balance.Money
		credit []balance.Money
		want   company.Outcome
	}{
		{"no limits", member(company.RoleBuyer, nil, nil), eu(0), eu(1e9), nil, company.Allowed},
		{"within per order", member(company.RoleBuyer, ptr(eu(100_00)), nil), eu(0), eu(100_00), nil, company.Allowed},
		{"over per order", member(company.RoleBuyer, ptr(eu(100_00)), nil), eu(0), eu(100_01), nil, company.NeedsApproval},
		{"admin limited too", member(company.RoleAdmin, ptr(eu(100_00)), nil), eu(0), eu(100_01), nil, company.NeedsApproval},
		{"within period", member(company.RoleBuyer, nil, month), eu(900_00), eu(100_00), nil, company.Allowed},
		{"over period", member(company.RoleBuyer, nil, month), eu(900_00), eu(100_01), nil, company.NeedsApproval},
		{"zero amount", member(company.RoleBuyer, ptr(eu(0)), month), eu(1000_00), eu(0), nil, company.Allowed},
		{"negative", member(company.RoleBuyer, nil, nil), eu(0), eu(-1), nil, company.Denied},
		{"currency", member(company.RoleBuyer, ptr(eu(1)), nil), eu(0), usd, nil, company.Denied},
		{"spent currency", member(company.RoleBuyer, nil, month), usd, eu(1), nil, company.Denied},
		{"over credit", member(company.RoleBuyer, nil, nil), eu(0), eu(10_01), []balance.Money{eu(10_00)}, company.Denied},
		{"within credit", member(company.RoleBuyer, nil, nil), eu(0), eu(10_00), []balance.Money{eu(10_00)}, company.Allowed},
		{"no role", member(0, nil, nil), eu(0), eu(1), nil, company.Denied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := company.Decide(tt.m, tt.spent, tt.amount, tt.credit...)
			assert.Equal(t, tt.want, d.Outcome, d.Reason)
			assert.Equal(t, tt.want == company.Allowed, d.Reason == "")
		})
	}
}

// TestDecideProperties checks Decide's properties over seeded random input.
func TestDecideProperties(t *testing.T) {
	r := rand.New(rand.NewSource(12))
	amount := func() balance.Money { return eu(r.Int63n(2000_00)) }
	for i := 0; i < 20000; i++ {
		var per *balance.Money
		var period *company.PeriodLimit
		if r.Intn(3) > 0 {
			per = ptr(amount())
		}
		if r.Intn(3) > 0 {
			period = &company.PeriodLimit{Period: company.Periods()[r.Intn(4)], Amount: amount()}
		}
		m := member(company.Roles()[r.Intn(3)], per, period)
		spent, more, amt := amount(), eu(r.Int63n(500_00)), amount()
		d := company.Decide(m, spent, amt)
		require.NotEqual(t, company.Denied, d.Outcome, "valid input is never denied without a credit")
		if d.Outcome == company.Allowed {
			require.True(t, per == nil || amt.MinorUnits() <= per.MinorUnits(), "allowed implies within the per-order limit")
			require.True(t, period == nil || spent.MinorUnits()+amt.MinorUnits() <= period.Amount.MinorUnits(), "allowed implies within the period limit")
		}
		moreSpent, _ := spent.Add(more)
		if d.Outcome == company.NeedsApproval {
			require.Equal(t, company.NeedsApproval, company.Decide(m, moreSpent, amt).Outcome, "more spent never allows")
			bigger, _ := amt.Add(more)
			require.Equal(t, company.NeedsApproval, company.Decide(m, spent, bigger).Outcome, "a bigger order never allows")
		}
		if company.Decide(m, moreSpent, amt).Outcome == company.Allowed {
			require.Equal(t, company.Allowed, d.Outcome, "less spent never needs approval where more did not")
		}
		if m.Limits.IsZero() {
			require.Equal(t, company.Allowed, d.Outcome, "no limits, allowed")
		}
	}
}

func TestApproval(t *testing.T) {
	buyer := member(company.RoleBuyer, ptr(eu(10_00)), nil)
	a, err := company.NewApproval(uuid.New(), buyer.CompanyID, "o-1", buyer.CustomerID, eu(50_00), "over the limit", now)
	require.NoError(t, err)
	require.Equal(t, company.Pending, a.Status)

	approver := member(company.RoleApprover, ptr(eu(40_00)), nil)
	approver.CompanyID = a.CompanyID
	assert.ErrorIs(t, a.Decide(approver, true, "", now), company.ErrOverApproverLimit)
	assert.ErrorIs(t, a.Decide(buyer, true, "", now), company.ErrForbidden)
	self := buyer
	self.Role = company.RoleAdmin
	assert.ErrorIs(t, a.Decide(self, true, "", now), company.ErrSelfApproval)
	other := member(company.RoleAdmin, nil, nil)
	assert.ErrorIs(t, a.Decide(other, true, "", now), company.ErrForbidden, "another company's admin")
	assert.Equal(t, company.Pending, a.Status, "unchanged on error")

	require.NoError(t, a.Decide(approver, false, "too much", now), "rejecting is within anyone's limit")
	assert.Equal(t, company.Rejected, a.Status)
	assert.Equal(t, "too much", a.Reason)
	require.NoError(t, a.Validate())
	admin := member(company.RoleAdmin, nil, nil)
	admin.CompanyID = a.CompanyID
	assert.ErrorIs(t, a.Decide(admin, true, "", now), company.ErrInvalidTransition, "only pending moves")

	for _, from := range append(company.ApprovalStatuses(), 0, 9) {
		for _, to := range append(company.ApprovalStatuses(), 0, 9) {
			assert.Equal(t, from == company.Pending && (to == company.Approved || to == company.Rejected), from.CanTransition(to))
		}
	}
}

func TestMember(t *testing.T) {
	_, err := company.NewMember(uuid.New(), uuid.New(), company.RoleBuyer, company.Limits{PerOrder: ptr(eu(-1))}, eur, now)
	assert.ErrorIs(t, err, company.ErrInvalid)
	_, err = company.NewMember(uuid.New(), uuid.New(), company.RoleBuyer,
		company.Limits{Period: &company.PeriodLimit{Period: company.Day, Amount: balance.FromMinorUnits(1, balance.MustCurrency("USD"))}}, eur, now)
	assert.ErrorIs(t, err, company.ErrInvalid)
	m, err := company.NewMember(uuid.New(), uuid.New(), company.RoleApprover, company.Limits{PerOrder: ptr(eu(5))}, eur, now)
	require.NoError(t, err)
	c := m.Clone()
	*c.Limits.PerOrder = eu(6)
	assert.True(t, m.Limits.PerOrder.Equal(eu(5)))
	js, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"role":"approver"`)
}
