package company_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/company"
)

func ExampleDecide() {
	eur := balance.MustCurrency("EUR")
	limit := balance.FromMinorUnits(500_00, eur)
	buyer := company.Member{CompanyID: uuid.New(), CustomerID: uuid.New(), Role: company.RoleBuyer,
		Limits: company.Limits{Period: &company.PeriodLimit{Period: company.Month, Amount: limit}}}

	spent := balance.FromMinorUnits(450_00, eur)
	fmt.Println(company.Decide(buyer, spent, balance.FromMinorUnits(50_00, eur)).Outcome)
	fmt.Println(company.Decide(buyer, spent, balance.FromMinorUnits(60_00, eur)).Outcome)
	fmt.Println(company.Decide(buyer, spent, balance.FromMinorUnits(-1, eur)).Outcome)
	// Output:
	// allowed
	// needs_approval
	// denied
}

func ExamplePeriodWindow() {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start, end := company.PeriodWindow(company.Week, berlin, time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC))
	fmt.Println(start, end)
	// Output: 2026-03-22 23:00:00 +0000 UTC 2026-03-29 22:00:00 +0000 UTC
}
