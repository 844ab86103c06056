package storagetest

import (
	"testing"

	"github.com/clientele-go/clientele/storage"
)

// Run runs the conformance suite against the stores that newStore returns.
//
// newStore must return a new, empty store each time it is called; Run calls
// it once per test case, from parallel subtests (every case owns its store,
// so the cases run in parallel, as many at a time as go test's -parallel
// flag allows), so it must be safe for concurrent use and the stores it
// returns must share no data. It may register cleanup with t.Cleanup. Cases are grouped in subtests named after the area they cover
// (Customer, Address, Group, Merchant, Market, Balance, Order, Atomic,
// Concurrency, Pagination, Hostile, Values, Invalid, Bounds, ErrorText,
// Interleaving with ConcurrentWriters, and one area per capability:
// Idempotency, Events for storage.Outbox, CommitHooks, Credentials for
// storage.Authentication, Wallets for storage.Wallets,
// Subscriptions for storage.Subscriptions, Merges for storage.Merging, Lots for
// storage.CreditLots, Companies for storage.Companies, MerchantRoles for
// storage.MerchantRoles, Verifications for storage.Verifications,
// Consents for storage.Consents), so
// that go test -run 'TestX/Balance/' runs one area.
//
// opts declare what the store can do beyond the contract's minimum (see
// ConcurrentWriters); the cases that need it run only when it is declared.
//
// A capability's area runs only on stores that implement it (see the
// storage package's Capabilities); on a store that lacks one, its cases
// are skipped with a message that names the capability, so an adapter
// written against an older contract passes the suite it implements.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store, opts ...Option) {
	t.Helper()
	if newStore == nil {
		t.Fatal("storagetest: Run needs a newStore function")
	}
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	all := areas()
	if cfg.concurrentWriters {
		all = append(all, area{"Interleaving", interleavingCases()})
	}
	for _, a := range all {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range a.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t, newStore)
					e.cfg = cfg
					c.run(t, e)
				})
			}
		})
	}
}

// area is one top-level subtest of Run.
type area struct {
	name  string
	cases []testCase
}

// testCase is one promise of the contract.
type testCase struct {
	name string
	run  func(t *testing.T, e *env)
}

func areas() []area {
	return []area{
		{"Customer", customerCases()},
		{"Address", append(addressCases(), addressDeletedCustomerCases()...)},
		{"Group", groupCases()},
		{"Merchant", merchantCases()},
		{"Market", marketCases()},
		{"Balance", append(balanceCases(), balanceDeletedCustomerCases()...)},
		{"Order", append(orderCases(), orderDeletedCustomerCases()...)},
		{"Atomic", atomicCases()},
		{"Concurrency", append(concurrencyCases(), raceAfterReadCases()...)},
		{"Pagination", paginationCases()},
		{"Hostile", hostileCases()},
		{"Values", valuesCases()},
		{"Invalid", invalidCases()},
		{"Idempotency", idempotencyCases()},
		{"Events", eventsCases()},
		{"CommitHooks", commitHooksCases()},
		{"Credentials", credentialsCases()},
		{"Merges", mergesCases()},
		{"Wallets", walletCases()},
		{"Subscriptions", subscriptionCases()},
		{"OrderHistory", orderHistoryCases()},
		{"Lots", lotsCases()},
		{"Companies", companyCases()},
		{"MerchantRoles", marketplaceCases()},
		{"Bounds", boundsCases()},
		{"ErrorText", errorTextCases()},
		{"Verifications", verificationCases()},
		{"Privacy", privacyCases()},
		{"Bulk", bulkCases()},
		{"TimedMemberships", timedMembershipCases()},
		{"Consents", consentCases()},
		{"Segments", segmentCases()},
		{"Pricing", pricingCases()},
	}
}
