package clientele_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/storage/memory"
)

// A storefront's sign-up and sign-in. Every failure of Authenticate is the
// same error, whatever the reason, so a login page cannot be used to find
// out who has an account.
func ExampleAccounts_Authenticate() {
	// Production code keeps the default hasher (argon2id, 19 MiB); the
	// example uses the fast one tests use.
	svc := clientele.New(memory.New(), clientele.WithPasswordHasher(clienteletest.FastHasher()))
	ctx := context.Background()
	_, err := svc.Accounts.Register(ctx, customer.Params{Email: "Ada@Example.com"}, "correct-horse-battery")
	fmt.Println("registered:", err == nil)

	login, err := svc.Accounts.Authenticate(ctx, "ada@example.com", "correct-horse-battery")
	fmt.Println("signed in:", err == nil, login.Customer.Email.Display, "session version", login.SessionVersion)
	_, wrong := svc.Accounts.Authenticate(ctx, "ada@example.com", "wrong-password")
	_, unknown := svc.Accounts.Authenticate(ctx, "nobody@example.com", "correct-horse-battery")
	fmt.Println(wrong)
	fmt.Println("same answer for an unknown address:", wrong.Error() == unknown.Error())
	fmt.Println("a weak password:", errors.Unwrap(func() error {
		_, err := svc.Accounts.Register(ctx, customer.Params{Email: "bob@example.com"}, "password1")
		return err
	}()))
	// Output:
	// registered: true
	// signed in: true Ada@Example.com session version 0
	// credential: invalid email or password
	// same answer for an unknown address: true
	// a weak password: password: invalid password
}

// A forgotten password: the host mails the token it gets back, and the
// customer's new password comes back with it. The answer for an unknown
// address looks the same (a decoy that never works), so the reset form
// tells nobody who has an account.
func ExampleAccounts_ResetPassword() {
	svc := clientele.New(memory.New(), clientele.WithPasswordHasher(clienteletest.FastHasher()))
	ctx := context.Background()
	_, _ = svc.Accounts.Register(ctx, customer.Params{Email: "ada@example.com"}, "correct-horse-battery")

	issued, err := svc.Accounts.RequestPasswordReset(ctx, "ada@example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("mail a %s link to %s (%d characters)\n", issued.Purpose, issued.Email, len(issued.Token))

	_, err = svc.Accounts.ResetPassword(ctx, issued.Token, "a-brand-new-passphrase")
	fmt.Println("reset:", err)
	_, err = svc.Accounts.ResetPassword(ctx, issued.Token, "yet-another-passphrase")
	fmt.Println("again:", err, errors.Is(err, credential.ErrTokenInvalid))
	_, err = svc.Accounts.Authenticate(ctx, "ada@example.com", "a-brand-new-passphrase")
	fmt.Println("signed in with the new password:", err == nil)
	// Output:
	// mail a password_reset link to ada@example.com (43 characters)
	// reset: <nil>
	// again: credential: token cannot be used: used true
	// signed in with the new password: true
}

// A customer who checked out as a guest claims those orders: the token
// goes to the guest's address, so only its owner can accept it.
func ExampleOrders_AcceptClaim() {
	svc := clientele.New(memory.New(), clientele.WithPasswordHasher(clienteletest.FastHasher()))
	ctx := context.Background()
	guest, _, _ := svc.Customers.CreateGuest(ctx, customer.Params{Email: "ada.old@example.com"})
	_, _ = svc.Orders.RecordPlaced(ctx, orderParams("1001", guest.ID))
	ada, _ := svc.Accounts.Register(ctx, customer.Params{Email: "ada@example.com"}, "correct-horse-battery")

	issued, err := svc.Orders.RequestClaim(ctx, ada.ID, "ada.old@example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("mail the claim link to", issued.Email)
	ada, moved, err := svc.Orders.AcceptClaim(ctx, ada.ID, issued.Token)
	fmt.Println(moved, "order moved;", ada.OrderCount, "order,", ada.Status, err)
	// Output:
	// mail the claim link to ada.old@example.com
	// 1 order moved; 1 order, acquired <nil>
}

// orderParams is an order of 10 EUR placed by the customer.
func orderParams(id string, customerID uuid.UUID) order.Params {
	total, _ := balance.ParseMoney("10.00", "EUR")
	return order.Params{ID: id, CustomerID: customerID, Total: total}
}
