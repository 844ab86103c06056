// Package storagetest is the conformance suite of the storage contract: every
// promise made in the doc comments of package storage is a named test case
// here, and every adapter (storage/memory, storage/sqlstore, and a host's
// own) runs all of it. It plays the role testing/fstest.TestFS plays for
// file systems and the Go CDK's drivertest for its drivers.
//
// # Running the suite against an adapter
//
// A host that implements storage.Store calls [Run] from an ordinary test,
// with a function that returns a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			db := openEmptyDatabase(t) // e.g. a new schema, dropped in t.Cleanup
//			return myadapter.New(db)
//		})
//	}
//
// Run calls newStore once per test case, so cases never see each other's
// data and the suite never cleans up after itself: newStore must return an
// empty store, and may register its own cleanup with t.Cleanup. The suite
// relies on nothing but the storage interfaces and the domain packages; it
// builds every value with the domain constructors, so what it stores is
// always valid.
//
// # Filtering
//
// Cases are grouped by area, one subtest per area, so that a host can run
// part of the suite while it develops its adapter:
//
//	Customer/...     Address/...   Group/...    Merchant/...  Market/...
//	Balance/...      Order/...     Atomic/...   Concurrency/...
//	Pagination/...   Hostile/...   Values/...
//
// For example:
//
//	go test -run 'TestConformance/Customer/' ./...
//	go test -run 'TestConformance/(Atomic|Concurrency)/' ./...
//
// The Concurrency cases start up to 64 goroutines that call the store at
// the same time; run them with -race. They assume nothing about how the
// adapter serializes work, only that the promised invariants hold.
//
// # What a failure means
//
// Each case names the promise it checks (for example
// Customer/EmailUniqueAmongLiveCustomers or Atomic/RollbackOnPanic); the
// doc comment of the storage method it exercises is the specification, and
// the failure message says what was expected.
package storagetest
