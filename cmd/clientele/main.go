// Command clientele is Clientele's operator command: it migrates a
// database's schema, imports and exports customers in bulk, answers
// data-subject requests (export and erasure of one customer) and tails the
// outbox's events.
//
//	go install github.com/clientele-go/clientele/cmd/clientele@latest
//	clientele migrate --driver postgres --dsn "postgres://..."
//	clientele help
//
// Every subcommand explains its flags with --help. The exit codes are
// documented by "clientele help" (0 ok, 1 failure, 2 usage error, 3 import
// with rejected rows, 4 not found, 5 schema not up to date, 6 not confirmed).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/clientele-go/clientele/cmd/clientele/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], cli.StdIO())
	stop()
	os.Exit(code)
}
