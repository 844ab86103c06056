// Package loadtest is Clientele's load-and-faults harness: a random mix of
// every service call, from many goroutines, on a chosen engine, optionally
// while the database sessions are being killed; then a check of every
// invariant from outside, through the public API (and the storage
// repositories where the API hides deleted customers' data), and of a
// client-side log of acknowledged postings against the ledger.
//
// It lives under internal/ and nothing in the library imports it. Run it
// with internal/cmd/loadfaults; docs/RELIABILITY.md has the commands and
// the figures.
package loadtest
