package wallet_test

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/wallet"
)

// A card expires after the last day of its expiry month, in UTC.
func ExampleSource_Expired() {
	s := wallet.Source{Type: wallet.Card, ExpMonth: 2, ExpYear: 2028}
	fmt.Println(s.Expired(time.Date(2028, 2, 29, 23, 59, 59, 0, time.UTC)))
	fmt.Println(s.Expired(time.Date(2028, 3, 1, 0, 0, 0, 0, time.UTC)))
	// Output:
	// false
	// true
}

// Removing the default makes the most recently added unexpired source the
// default.
func ExampleWallet_Remove() {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	w := wallet.Wallet{CustomerID: uuid.New()}
	first, _ := w.Add(uuid.New(), wallet.Params{Provider: "stripe", TokenRef: "pm_1", Type: wallet.Card, ExpMonth: 1, ExpYear: 2030}, now)
	_, _ = w.Add(uuid.New(), wallet.Params{Provider: "stripe", TokenRef: "pm_2", Type: wallet.Card, ExpMonth: 1, ExpYear: 2031}, now.Add(time.Hour))
	_, _ = w.Add(uuid.New(), wallet.Params{Provider: "stripe", TokenRef: "pm_3", Type: wallet.Card, ExpMonth: 1, ExpYear: 2026}, now.Add(2*time.Hour))
	_ = w.Remove(first.ID, now)
	d, _ := w.Default()
	fmt.Println(d.TokenRef)
	fmt.Println(wallet.LooksLikeCardNumber("4242-4242-4242-4242"))
	// Output:
	// pm_2
	// true
}
