// Command clientele is Clientele's operator command: it migrates a
// database's schema, imports and exports customers in bulk, answers
// data-subject requests (the export and the erasure of one customer) and
// tails the outbox's events.
//
//	go install github.com/clientele-go/clientele/cmd/clientele@latest
//
//	clientele migrate --driver postgres --dsn "postgres://user@host:5432/db"
//	clientele migrate --status
//	clientele import --mapping shopify customers_export.csv
//	clientele import --mapping medusa --dry-run customers.jsonl
//	clientele export --format csv --out customers.csv
//	clientele export --customer 01930f0e-...
//	clientele erase --customer 01930f0e-... --reason "ticket 4711"
//	clientele events tail --follow --consumer ops
//
// Every command that touches the database takes --driver (sqlite, postgres,
// mysql or tidb; env CLIENTELE_DRIVER, default sqlite), --dsn (a file for
// SQLite; env CLIENTELE_DSN) and --prefix (the table prefix; env
// CLIENTELE_TABLE_PREFIX). "clientele help" lists the commands and
// "clientele COMMAND --help" explains each flag.
//
// Exit codes, for scripts:
//
//	0  ok
//	1  failure (a database error, an unreadable or invalid file ...)
//	2  usage error (unknown command or flag, a missing or invalid value); nothing done
//	3  the import finished but some rows were rejected (listed on stderr)
//	4  not found (the customer named by --customer)
//	5  the schema is not up to date: run "clientele migrate" (migrate --status: some are pending)
//	6  the erasure was not confirmed (no --yes, and no "yes" at a terminal); nothing erased
//
// See docs/OPERATOR.md.
package main
