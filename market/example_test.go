package market_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
)

func ExampleNew() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	m, err := market.New(uuid.MustParse("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01"), market.Params{
		MerchantID:    uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"),
		Code:          " DE-B2C ",
		Name:          "Germany",
		BusinessModel: market.BusinessModelB2C,
		Currency:      balance.MustCurrency("EUR"),
	}, now)
	fmt.Println(m.Code, m.BusinessModel, m.Currency, m.IsPrivate(), err)
	// Output: de-b2c b2c EUR false <nil>
}

func ExampleMarket_CanAccess() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	vip := uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01")
	m, _ := market.New(uuid.MustParse("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01"), market.Params{
		MerchantID:    uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"),
		Code:          "vip-sale",
		Name:          "VIP sale",
		BusinessModel: market.BusinessModelB2C,
		Currency:      balance.MustCurrency("EUR"),
		AccessGroups:  []uuid.UUID{vip},
	}, now)

	guest := &customer.Customer{HasAccount: false, State: customer.StateGuest}
	member := &customer.Customer{HasAccount: true, State: customer.StateActive}

	fmt.Println("anonymous:", m.CanAccess(nil, nil))
	fmt.Println("guest:", m.CanAccess(guest, nil))
	fmt.Println("active, not a member:", m.CanAccess(member, nil))
	fmt.Println("active member:", m.CanAccess(member, []uuid.UUID{vip}))
	// Output:
	// anonymous: false
	// guest: false
	// active, not a member: false
	// active member: true
}

func ExampleMarket_Access() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	m, _ := market.New(uuid.MustParse("5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c01"), market.Params{
		MerchantID:    uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"),
		Code:          "trade",
		Name:          "Trade",
		BusinessModel: market.BusinessModelB2B,
		Currency:      balance.MustCurrency("EUR"),
		AccessGroups:  []uuid.UUID{uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01")},
	}, now)

	err := m.Access(&customer.Customer{HasAccount: true, State: customer.StateActive}, nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, market.ErrNotMember), errors.Is(err, market.ErrAccessDenied))
	// Output:
	// market: access denied: customer is not in any of the market's access groups
	// true true
}
