package customer_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
)

// BenchmarkValidate measures Customer.Validate, which storage adapters run
// on every write.
func BenchmarkValidate(b *testing.B) {
	c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: "Grace.Hopper@Example.com",
		FirstName: "Grace", LastName: "Hopper"}, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseEmail measures the canonicalization of a typed address.
func BenchmarkParseEmail(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := customer.ParseEmail("Grace.Hopper@Example.com"); err != nil {
			b.Fatal(err)
		}
	}
}
