package credential_test

import (
	"crypto/rand"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
)

// A one-time token: the secret goes to the customer, its hash to storage.
// Redeeming it twice fails.
func ExampleToken_Redeem() {
	now := time.Date(2025, time.March, 1, 12, 0, 0, 0, time.UTC)
	secret, hash, err := credential.NewSecret(rand.Reader)
	if err != nil {
		panic(err)
	}
	tok, err := credential.NewToken(uuid.New(), hash, credential.TokenParams{
		Purpose: credential.PurposePasswordReset, CustomerID: uuid.New(), Email: "ada@example.com",
	}, now)
	if err != nil {
		panic(err)
	}
	// Later, the customer comes back with the secret.
	back, _ := credential.ParseSecret(secret)
	fmt.Println("found by its hash:", back == tok.Hash)
	fmt.Println("redeem:", tok.Redeem(credential.PurposePasswordReset, now.Add(10*time.Minute)))
	fmt.Println("again:", tok.Redeem(credential.PurposePasswordReset, now.Add(11*time.Minute)))
	// Output:
	// found by its hash: true
	// redeem: <nil>
	// again: credential: token cannot be used: used
}

// The backoff after repeated failed sign-ins.
func ExampleThrottle_Delay() {
	for _, n := range []int{9, 10, 11, 12, 30} {
		fmt.Println(n, "failures:", credential.DefaultThrottle.Delay(n))
	}
	// Output:
	// 9 failures: 0s
	// 10 failures: 1s
	// 11 failures: 2s
	// 12 failures: 4s
	// 30 failures: 15m0s
}
