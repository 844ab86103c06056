package merchant_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/merchant"
)

func ExampleNew() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	id := uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01")
	m, err := merchant.New(id, merchant.Params{
		Name:           "ACME GmbH",
		BillingAddress: address.Address{Line1: "Unter den Linden 1", City: "Berlin", Country: "de"},
	}, now)
	fmt.Println(m.Name, m.BillingAddress.Country, err)

	_, err = merchant.New(id, merchant.Params{
		Name:           "ACME GmbH",
		BillingAddress: address.Address{Line1: "Unter den Linden 1", City: "Berlin", Country: "DEU"},
	}, now)
	fmt.Println(err)
	fmt.Println(errors.Is(err, merchant.ErrInvalid), errors.Is(err, address.ErrInvalid))
	// Output:
	// ACME GmbH DE <nil>
	// billing_address.country: "DEU" is not an ISO 3166-1 alpha-2 country code
	// true true
}

func ExampleMerchant_Apply() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	m, _ := merchant.New(uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"), merchant.Params{
		Name:           "ACME GmbH",
		BillingAddress: address.Address{Line1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117", Country: "DE"},
	}, now)

	// Only the fields a patch sets change.
	line1, postal := "Friedrichstraße 43", "10969"
	err := m.Apply(merchant.Patch{BillingAddress: &address.Patch{Line1: &line1, PostalCode: &postal}}, now.Add(time.Hour))
	fmt.Println(err)
	fmt.Println(m.Name, "|", m.BillingAddress.Line1, "|", m.BillingAddress.PostalCode, m.BillingAddress.City)
	// Output:
	// <nil>
	// ACME GmbH | Friedrichstraße 43 | 10969 Berlin
}

func ExampleNewMember() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	m, err := merchant.NewMember(uuid.MustParse("3b9e2d1c-0a4f-4e6b-8c7d-5f1a2b3c4d01"),
		uuid.MustParse("0f0e0d0c-0b0a-4908-8706-050403020100"), merchant.Admin, now)
	fmt.Println(m.Role, err)
	fmt.Println(m.Role.AtLeast(merchant.Staff), m.Role.AtLeast(merchant.Owner))
	r, err := merchant.ParseRole(" OWNER ")
	fmt.Println(r, err)
	// Output:
	// admin <nil>
	// true false
	// owner <nil>
}
