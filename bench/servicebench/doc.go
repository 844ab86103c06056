// Command servicebench runs each service operation of Clientele's public
// API (clientele.New(store)) beside the best hand-written SQL that does the
// same work, on the same *sql.DB and driver, in one process, and prints
// what each costs: throughput, latency, allocations and round trips.
//
// It opens a store on SQLite (a file in a temporary directory), PostgreSQL
// and MySQL/MariaDB (an engine without a DSN is skipped, with a message),
// migrates it under a fresh table prefix (dropped at the end unless -keep),
// and seeds it through the services: 10,000 registered customers, 1,000
// guests, 1,000 funded EUR balance accounts and a few groups. Then, for every
// operation and every concurrency, the library and the hand-written SQL take
// turns in blocks (-block calls of one side, then of the other, the side
// that goes first alternating), so that the load of a shared machine weighs
// on both alike, until -duration has passed (or each side made -max-ops
// calls). The pool has as many connections as goroutines.
//
//	go run ./bench/servicebench                         # every engine with a DSN, 5 s per cell
//	go run ./bench/servicebench -engines sqlite -duration 2s -ops 'get|list'
//	go run ./bench/servicebench -trace                  # the statements of one call of each side, then exit
//	go run ./bench/servicebench -json > figures.json
//
// Flags:
//
//	-engines sqlite,postgres,mysql  engines to run (those without a DSN are skipped)
//	-postgres DSN                   default $CLIENTELE_POSTGRES_DSN
//	-mysql DSN                      default $CLIENTELE_MYSQL_DSN (MySQL or MariaDB)
//	-ops REGEXP                     operations to run, by name (default all)
//	-concurrency 1,16               goroutines (and pool size) per cell
//	-duration 5s                    time per (engine, operation, concurrency), both sides together
//	-max-ops 0                      stop a cell once each side made this many calls (0: no limit)
//	-block 500                      calls per block of one side
//	-customers 10000 -guests 1000 -accounts 1000 -groups 4   what to seed (groups per side)
//	-json                           print the results as JSON instead of a table
//	-trace                          print the statements of one call of each side and exit
//	-keep                           keep the tables on the servers
//
// The table is Markdown, to paste into docs/BENCHMARKS.md. Per (engine,
// operation, concurrency) it gives each side's calls per second and p50 and
// p99 latency, the ratios raw÷library of throughput and of p50 latency
// (a throughput ratio above 1 and a latency ratio below 1 mean the
// hand-written SQL is faster), the allocations per call (runtime.MemStats
// Mallocs over the side's blocks, so the driver's and database/sql's count
// too) and the round trips per call: the driver calls (BEGIN, statements,
// COMMIT, ROLLBACK) that a counting wrapper around the real driver's
// connector saw during the side's blocks. Prepares are counted apart; both
// sides prepare each statement once per connection, before the measured
// blocks. With the default concurrency of 1 and 16 and three engines it
// runs in 6 to 8 minutes
// (5 minutes with -duration 3s on a loaded 2-core machine).
//
// What each hand-written operation does, and where it differs from the
// library's, is written beside it in hand.go.
package main
