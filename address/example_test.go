package address_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
)

func ExampleParse() {
	a, err := address.Parse(address.Address{
		FirstName: " Erika ",
		Line1:     "Heidestraße 17",
		City:      "Köln",
		Country:   "de",
		Phone:     "+49 30 123456",
	})
	fmt.Println(a.FirstName, a.Country, a.Phone, err)

	_, err = address.Parse(address.Address{Line1: "Rue de la Loi 200", City: "Bruxelles", Country: "EU"})
	var ve *address.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, errors.Is(err, address.ErrInvalid))
	}
	// Output:
	// Erika DE +4930123456 <nil>
	// country true
}

func ExamplePatch_Apply() {
	a := address.Address{Company: "ACME", Line1: "Main St 1", City: "Springfield", Country: "US"}
	city, company := "Shelbyville", ""
	a, err := address.Patch{City: &city, Company: &company}.Apply(a)
	fmt.Printf("%q %q %q %v\n", a.Line1, a.City, a.Company, err)
	// Output: "Main St 1" "Shelbyville" "" <nil>
}

func ExampleBook_Add() {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	book := address.Book{CustomerID: uuid.MustParse("6f1c0d7e-2f4a-4c55-9a53-0c0a8a1d2b01")}

	home, _ := book.Add(uuid.MustParse("00000000-0000-0000-0000-000000000001"),
		address.Address{Line1: "Heidestraße 17", City: "Köln", Country: "DE"}, now)
	office, _ := book.Add(uuid.MustParse("00000000-0000-0000-0000-000000000002"),
		address.Address{Line1: "Unter den Linden 1", City: "Berlin", Country: "DE"}, now.Add(time.Hour))
	fmt.Println(home.City, home.DefaultShipping, home.DefaultBilling)
	fmt.Println(office.City, office.DefaultShipping, office.DefaultBilling)

	_ = book.SetDefault(office.ID, address.Billing, now.Add(2*time.Hour))
	shipping, _ := book.Default(address.Shipping)
	billing, _ := book.Default(address.Billing)
	fmt.Println("ship to", shipping.City, "- bill to", billing.City)

	// Removing a default promotes the oldest remaining entry.
	_ = book.Remove(office.ID)
	billing, _ = book.Default(address.Billing)
	fmt.Println("bill to", billing.City)
	// Output:
	// Köln true true
	// Berlin false false
	// ship to Köln - bill to Berlin
	// bill to Köln
}
