// Command loadfaults runs Clientele's load-and-faults harness (package
// internal/loadtest): a random mix of every service call on one engine for a
// while, optionally killing the harness's database sessions, then a check of
// every invariant and of the acknowledged postings against the ledger. It
// prints a summary and exits with status 1 on any violation.
//
//	go run ./internal/cmd/loadfaults -engine memory -duration 30s
//	go run ./internal/cmd/loadfaults -engine sqlite -duration 30s
//	go run ./internal/cmd/loadfaults -engine postgres -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable' -duration 60s -workers 32 -kill-sessions
//	go run ./internal/cmd/loadfaults -engine mysql -dsn 'root@tcp(127.0.0.1:3306)/test' -duration 60s -workers 32 -kill-sessions
package main
