package order_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/order"
)

func ExampleNew() {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	total, _ := balance.ParseMoney("49.90", "EUR")
	o, err := order.New(order.Params{
		ID:         "gid://shop/Order/1001",
		CustomerID: uuid.MustParse("0195a1b2-0000-7000-8000-00000000000c"),
		Number:     "#1001",
		Total:      total,
		Channel:    "web",
	}, now)
	fmt.Println(o.Number, o.Status, o.Total, o.PlacedAt.Format(time.RFC3339), err)

	// A webhook delivered twice records the same order again: a replay.
	again, _ := order.New(order.Params{
		ID:         "gid://shop/Order/1001",
		CustomerID: uuid.MustParse("0195a1b2-0000-7000-8000-00000000000c"),
		Number:     "#1001",
		Total:      total,
		Status:     order.StatusApproved,
	}, now.Add(time.Minute))
	fmt.Println(o.SameAs(again))
	// Output:
	// #1001 placed 49.90 EUR 2025-03-01T12:00:00Z <nil>
	// true
}

func ExampleOrder_SetStatus() {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	total, _ := balance.ParseMoney("1200", "JPY")
	o, _ := order.New(order.Params{
		ID:         "A-77",
		CustomerID: uuid.MustParse("0195a1b2-0000-7000-8000-00000000000c"),
		Total:      total,
	}, now)

	fmt.Println(o.SetStatus(order.StatusFulfilled, now), o.Status)
	fmt.Println(o.SetStatus(order.StatusFulfilled, now)) // idempotent
	err := o.SetStatus(order.StatusCancelled, now)
	fmt.Println(errors.Is(err, order.ErrInvalidTransition), err)
	fmt.Println(o.SetStatus(order.StatusReturned, now), o.Status)
	// Output:
	// <nil> fulfilled
	// <nil>
	// true order: invalid status transition from fulfilled to cancelled
	// <nil> returned
}
