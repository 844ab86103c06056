// Package clienteletest helps host applications test code that uses
// Clientele, in the way net/http/httptest helps with HTTP: a fresh in-memory
// store, a service with a controllable clock and deterministic IDs, builders
// that return valid values by default and take functional options, Must
// helpers that fail the test instead of returning errors, and Seed, which
// loads a whole scenario.
//
// There is no mock package: the memory adapter is a real storage.Store, so
// tests exercise the same rules (unique emails, balance floors, idempotency)
// as production.
package clienteletest
