package customer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/customer"
)

func ExampleParseEmail() {
	for _, in := range []string{
		"  Bob.Smith@Example.COM ",
		"b\u200bob@example.com", // zero-width space
		"Anna@Bücher.de",
		"Bob <bob@example.com>",
	} {
		e, err := customer.ParseEmail(in)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("%s (shown as %s)\n", e.Address, e.Display)
	}
	// Output:
	// bob.smith@example.com (shown as Bob.Smith@Example.COM)
	// bob@example.com (shown as bob@example.com)
	// anna@xn--bcher-kva.de (shown as Anna@Bücher.de)
	// error: email: must be a bare address without a display name or angle brackets
}

func ExampleCanonicalEmail() {
	a, _ := customer.CanonicalEmail("ANNA@XN--BCHER-KVA.DE")
	b, _ := customer.CanonicalEmail("anna@bücher.de")
	fmt.Println(a, a == b)
	// Output: anna@xn--bcher-kva.de true
}

func ExampleNewGuest() {
	id := uuid.MustParse("3f0f6f2e-9a4c-4d8e-8b1a-0c2d3e4f5a6b")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c, err := customer.NewGuest(id, customer.Params{
		Email:     "guest@example.com",
		FirstName: "Gina",
		Phone:     "+4930 1234567",
		Tags:      []string{"Newsletter", " VIP"},
	}, now)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.State, c.Status, c.Type, c.HasAccount, c.Phone, c.Tags)

	_, err = customer.NewGuest(id, customer.Params{Email: "guest@example.com", VATID: "DE123456789"}, now)
	var ve *customer.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, errors.Is(err, customer.ErrInvalid))
	// Output:
	// guest prospect private false +49301234567 [newsletter vip]
	// true vat_id true
}

func ExampleCustomer_RecordOrder() {
	id := uuid.MustParse("3f0f6f2e-9a4c-4d8e-8b1a-0c2d3e4f5a6b")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c, _ := customer.NewRegistered(id, customer.Params{Email: "bob@example.com"}, now)
	fmt.Println(c.OrderCount, c.Status)
	for range 3 {
		c.RecordOrder(now)
		fmt.Println(c.OrderCount, c.Status)
	}
	// Output:
	// 0 prospect
	// 1 acquired
	// 2 repeat
	// 3 repeat
}

func ExampleState_CanTransition() {
	states := []customer.State{
		customer.StateGuest, customer.StateInvited, customer.StateActive,
		customer.StateDisabled, customer.StateErased,
	}
	for _, from := range states {
		fmt.Printf("%-8s →", from)
		for _, to := range states {
			if from.CanTransition(to) {
				fmt.Print(" ", to)
			}
		}
		fmt.Println()
	}
	// Output:
	// guest    → erased
	// invited  → active disabled erased
	// active   → disabled erased
	// disabled → active erased
	// erased   →
}

func ExampleCustomer_Transition() {
	id := uuid.MustParse("3f0f6f2e-9a4c-4d8e-8b1a-0c2d3e4f5a6b")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c, _ := customer.NewInvited(id, customer.Params{Email: "bob@example.com"}, now)

	fmt.Println(c.Activate(now), c.State)
	fmt.Println(c.Disable(now), c.State)
	err := c.Transition(customer.StateInvited, now)
	fmt.Println(err)
	fmt.Println(errors.Is(err, customer.ErrInvalidTransition))
	var te *customer.TransitionError
	if errors.As(err, &te) {
		fmt.Println(te.From, te.To)
	}
	// Output:
	// <nil> active
	// <nil> disabled
	// customer: invalid state transition from disabled to invited
	// true
	// disabled invited
}

func ExampleCustomer_Apply() {
	id := uuid.MustParse("3f0f6f2e-9a4c-4d8e-8b1a-0c2d3e4f5a6b")
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c, _ := customer.NewRegistered(id, customer.Params{
		Email:     "bob@example.com",
		FirstName: "Bob",
		Metadata:  map[string]string{"source": "import", "legacy_id": "17"},
	}, created)

	business := customer.TypeBusiness
	vat, company, last := "de 123456789", "Smith GmbH", "Smith"
	err := c.Apply(customer.Patch{
		Type:     &business,
		VATID:    &vat,
		Company:  &company,
		LastName: &last,
		Metadata: map[string]*string{"legacy_id": nil}, // delete one key
	}, created.Add(time.Hour))
	fmt.Println(err, c.Name(), c.Company, c.VATID, c.PricesExcludeVAT(), c.Metadata)
	fmt.Println(c.UpdatedAt.Format(time.RFC3339))

	// A patch that fails validation changes nothing.
	bad := "not an email"
	err = c.Apply(customer.Patch{Email: &bad, FirstName: &last}, created.Add(2*time.Hour))
	fmt.Println(err)
	fmt.Println(c.FirstName, c.Email, c.UpdatedAt.Format(time.RFC3339))
	// Output:
	// <nil> Bob Smith Smith GmbH DE123456789 true map[source:import]
	// 2025-01-02T04:04:05Z
	// email: must not contain white space
	// Bob bob@example.com 2025-01-02T04:04:05Z
}

func ExampleCustomer_Erase() {
	id := uuid.MustParse("3f0f6f2e-9a4c-4d8e-8b1a-0c2d3e4f5a6b")
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c, _ := customer.NewRegistered(id, customer.Params{Email: "bob@example.com", FirstName: "Bob", Phone: "+4930 1234567"}, now)
	c.RecordOrder(now)

	_ = c.Erase(now.Add(time.Hour))
	fmt.Println(c.State, c.Email, c.Name() == "", c.Phone == "", c.IsDeleted(), c.Status)
	fmt.Println(c.Validate())
	// Output:
	// erased erased-3f0f6f2e-9a4c-4d8e-8b1a-0c2d3e4f5a6b@erased.invalid true true true acquired
	// <nil>
}

func ExampleNormalizeTags() {
	tags, _ := customer.NormalizeTags([]string{" VIP", "b2b", "vip ", "Black Friday"})
	fmt.Printf("%q\n", tags)
	// Output: ["b2b" "black friday" "vip"]
}

func ExampleNormalizePhone() {
	p, _ := customer.NormalizePhone("+4930 1234567")
	fmt.Println(p)
	_, err := customer.NormalizePhone("030 1234567")
	fmt.Println(err)
	// Output:
	// +49301234567
	// phone: must be in international format, starting with + and the country code
}

func ExampleState_MarshalText() {
	b, _ := json.Marshal(struct {
		Status customer.Status `json:"status"`
		State  customer.State  `json:"state"`
		Type   customer.Type   `json:"type"`
	}{customer.StatusAcquired, customer.StateActive, customer.TypeBusiness})
	fmt.Println(string(b))
	// Output: {"status":"acquired","state":"active","type":"business"}
}
