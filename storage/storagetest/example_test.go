package storagetest_test

import (
	"testing"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
	"github.com/clientele-go/clientele/storage/storagetest"
)

// An adapter passes the contract when it passes Run. In the adapter's own
// tests, give Run a function that returns a new, empty store per case:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
//	}
//
// A SQL adapter would migrate a fresh schema (or table prefix) in it and
// drop it with t.Cleanup.
func ExampleRun() {
	conformance := func(t *testing.T) {
		storagetest.Run(t, func(t *testing.T) storage.Store { return memory.New() })
	}
	_ = conformance // go test runs it as TestConformance
}
