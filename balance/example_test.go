package balance_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
)

func ExampleParseMoney() {
	m, err := balance.ParseMoney("1.5", "usd")
	fmt.Println(m, m.MinorUnits(), err)

	_, err = balance.ParseMoney("1.505", "USD")
	fmt.Println(err)

	_, err = balance.ParseMoney("1.5", "JPY")
	fmt.Println(err)

	_, err = balance.ParseMoney("92233720368547758.08", "USD")
	fmt.Println(errors.Is(err, balance.ErrOverflow), errors.Is(err, balance.ErrInvalid))
	// Output:
	// 1.50 USD 150 <nil>
	// amount: has more than 2 fraction digits for USD
	// amount: has more than 0 fraction digits for JPY
	// true true
}

func ExampleParseCurrency() {
	for _, code := range []string{"usd", "JPY", "BHD", "CLF", "XXX"} {
		c, err := balance.ParseCurrency(code)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(c, c.Digits())
	}
	// Output:
	// USD 2
	// JPY 0
	// BHD 3
	// CLF 4
	// currency: XXX is not a currency
}

func ExampleMoney_Add() {
	a, _ := balance.ParseMoney("10.25", "EUR")
	b, _ := balance.ParseMoney("0.75", "EUR")
	sum, _ := a.Add(b)
	fmt.Println(sum)

	_, err := a.Add(balance.FromMinorUnits(100, balance.MustCurrency("USD")))
	fmt.Println(errors.Is(err, balance.ErrCurrencyMismatch))
	// Output:
	// 11.00 EUR
	// true
}

func ExampleAllocate() {
	total, _ := balance.ParseMoney("100.00", "USD")
	parts, _ := balance.Allocate(total, []int64{1, 1, 1})
	fmt.Println(parts)

	// A refund of -10 JPY split by line amounts 3:3:1.
	refund, _ := balance.ParseMoney("-10", "JPY")
	parts, _ = balance.Allocate(refund, []int64{3, 3, 1})
	fmt.Println(parts)
	// Output:
	// [33.34 USD 33.33 USD 33.33 USD]
	// [-4 JPY -4 JPY -2 JPY]
}

var (
	exampleNow      = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	exampleAccount  = uuid.MustParse("0195a1b2-0000-7000-8000-00000000000a")
	exampleCustomer = uuid.MustParse("0195a1b2-0000-7000-8000-00000000000c")
)

func ExampleAccount_Apply() {
	usd := balance.MustCurrency("USD")
	acct := balance.NewAccount(exampleAccount, exampleCustomer, usd, exampleNow)

	giftCard, _ := balance.ParseMoney("25", "USD")
	p, err := balance.NewPosting(uuid.MustParse("0195a1b2-0000-7000-8000-000000000101"), acct, balance.PostingParams{
		Kind:           balance.KindGiftCard,
		Amount:         giftCard,
		Reference:      "GC-7KQ2",
		IdempotencyKey: "redeem-GC-7KQ2",
	}, exampleNow)
	if err != nil {
		fmt.Println(err)
		return
	}
	// A storage adapter calls Apply while it holds the account's lock.
	if err := acct.Apply(&p, exampleNow); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Sequence, p.Kind, p.Amount, p.EndingBalance, acct.Balance)

	tooMuch, _ := balance.ParseMoney("-30", "USD")
	q, _ := balance.NewPosting(uuid.MustParse("0195a1b2-0000-7000-8000-000000000102"), acct, balance.PostingParams{
		Kind:   balance.KindOrderPayment,
		Amount: tooMuch,
	}, exampleNow)
	err = acct.Apply(&q, exampleNow)
	fmt.Println(err)
	fmt.Println(errors.Is(err, balance.ErrInsufficientFunds), acct.Balance, acct.Postings)
	// Output:
	// 1 gift_card 25.00 USD 25.00 USD 25.00 USD
	// balance: insufficient funds: requested 30.00 USD, available 25.00 USD
	// true 25.00 USD 1
}

func ExampleAccount_ApplyToOrder() {
	usd := balance.MustCurrency("USD")
	acct := balance.NewAccount(exampleAccount, exampleCustomer, usd, exampleNow)
	credit, _ := balance.ParseMoney("12.50", "USD")
	p, _ := balance.NewPosting(uuid.MustParse("0195a1b2-0000-7000-8000-000000000201"), acct, balance.PostingParams{
		Kind:   balance.KindRefund,
		Amount: credit,
	}, exampleNow)
	_ = acct.Apply(&p, exampleNow)

	total, _ := balance.ParseMoney("20.00", "USD")
	app, _ := acct.ApplyToOrder(total)
	fmt.Println("applied:", app.Applied, "still due:", app.Remaining)

	// Take the credit with an order payment of -Applied.
	pay, _ := balance.NewPosting(uuid.MustParse("0195a1b2-0000-7000-8000-000000000202"), acct, balance.PostingParams{
		Kind:      balance.KindOrderPayment,
		Amount:    app.Applied.Neg(),
		Reference: "order #1001",
	}, exampleNow)
	_ = acct.Apply(&pay, exampleNow)
	fmt.Println("balance:", acct.Balance)
	// Output:
	// applied: 12.50 USD still due: 7.50 USD
	// balance: 0.00 USD
}

func ExampleAccount_SetCreditLimit() {
	usd := balance.MustCurrency("USD")
	acct := balance.NewAccount(exampleAccount, exampleCustomer, usd, exampleNow)
	limit, _ := balance.ParseMoney("500", "USD")
	_ = acct.SetCreditLimit(limit, exampleNow)

	total, _ := balance.ParseMoney("200", "USD")
	app, _ := acct.ApplyToOrder(total)
	fmt.Println(acct.Floor(), acct.Available(), app.Applied, app.Remaining)
	// Output:
	// -500.00 USD 500.00 USD 200.00 USD 0.00 USD
}

func ExamplePosting_SameRequest() {
	usd := balance.MustCurrency("USD")
	acct := balance.NewAccount(exampleAccount, exampleCustomer, usd, exampleNow)
	amount, _ := balance.ParseMoney("5", "USD")
	req := balance.PostingParams{Kind: balance.KindRefund, Amount: amount, IdempotencyKey: "refund-42"}
	first, _ := balance.NewPosting(uuid.MustParse("0195a1b2-0000-7000-8000-000000000301"), acct, req, exampleNow)

	// The same key arrives again: a replay if the request is the same.
	fmt.Println(first.SameRequest(req))
	req.Amount, _ = balance.ParseMoney("6", "USD")
	fmt.Println(first.SameRequest(req)) // the service returns ErrIdempotencyKeyReused
	// Output:
	// true
	// false
}

func ExampleMoney_MarshalJSON() {
	m, _ := balance.ParseMoney("12.3", "EUR")
	b, _ := json.Marshal(m)
	fmt.Println(string(b))

	var back balance.Money
	fmt.Println(json.Unmarshal(b, &back), back)
	fmt.Println(json.Unmarshal([]byte(`{"amount":"1.5","currency":"JPY"}`), &back))
	fmt.Println(json.Unmarshal([]byte(`{"amount":12.30,"currency":"EUR"}`), &back))
	// Output:
	// {"amount":"12.30","currency":"EUR"}
	// <nil> 12.30 EUR
	// amount: has more than 0 fraction digits for JPY
	// amount: must be a string holding a decimal number, like "12.34"
}

func ExampleNewMoneyFromMinorUnits() {
	m, err := balance.NewMoneyFromMinorUnits(1234, balance.MustCurrency("USD"))
	fmt.Println(m, err)
	_, err = balance.NewMoneyFromMinorUnits(1234, balance.Currency{})
	fmt.Println(err)
	// FromMinorUnits reports nothing: it is for amounts known to be valid.
	fmt.Println(balance.FromMinorUnits(1234, balance.Currency{}))
	// Output:
	// 12.34 USD <nil>
	// currency: is required
	// 0
}
