package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// Example stores a customer with a store-credit account in one transaction
// and reads them back through the repositories.
func Example() {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	usd := balance.MustCurrency("USD")

	ada, err := customer.NewRegistered(uuid.MustParse("0195a0e4-0000-7000-8000-000000000001"),
		customer.Params{Email: "Ada@Example.com", FirstName: "Ada", LastName: "Lovelace"}, now)
	if err != nil {
		panic(err)
	}
	err = store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, ada); err != nil {
			return err
		}
		account, err := tx.Balances().CreateAccount(ctx,
			balance.NewAccount(uuid.MustParse("0195a0e4-0000-7000-8000-000000000002"), ada.ID, usd, now))
		if err != nil {
			return err
		}
		gift, err := balance.ParseMoney("25.00", "USD")
		if err != nil {
			return err
		}
		p, err := balance.NewPosting(uuid.MustParse("0195a0e4-0000-7000-8000-000000000003"), account,
			balance.PostingParams{Kind: balance.KindGiftCard, Amount: gift, IdempotencyKey: "gift-card-1"}, now)
		if err != nil {
			return err
		}
		_, err = tx.Balances().Post(ctx, p)
		return err
	})
	if err != nil {
		panic(err)
	}

	got, err := store.Customers().GetByEmail(ctx, "ada@example.com", true)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Email, got.Name(), got.Version)
	account, err := store.Balances().AccountFor(ctx, got.ID, usd)
	if err != nil {
		panic(err)
	}
	fmt.Println(account.Balance, account.Postings)

	// The store enforces uniqueness: one live registered customer per email.
	twin, err := customer.NewRegistered(uuid.MustParse("0195a0e4-0000-7000-8000-000000000004"),
		customer.Params{Email: "ADA@example.com"}, now)
	if err != nil {
		panic(err)
	}
	_, err = store.Customers().Create(ctx, twin)
	fmt.Println(storage.IsConflict(err, storage.ConstraintCustomerEmail))
	// Output:
	// Ada@Example.com Ada Lovelace 1
	// 25.00 USD 1
	// true
}

// ExampleStore_Atomic shows a rollback: the function fails after writing,
// and nothing it wrote is left behind.
func ExampleStore_Atomic() {
	ctx := context.Background()
	store := memory.New()
	now := time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)
	c, err := customer.NewGuest(uuid.MustParse("0195a0e4-0000-7000-8000-000000000005"),
		customer.Params{Email: "guest@example.com"}, now)
	if err != nil {
		panic(err)
	}

	errAbort := errors.New("payment declined")
	err = store.Atomic(ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.Customers().Create(ctx, c); err != nil {
			return err
		}
		return errAbort // roll back the customer too
	})
	fmt.Println(err == errAbort)

	_, err = store.Customers().Get(ctx, c.ID)
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output:
	// true
	// true
}
