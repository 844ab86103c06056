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
	// The first signal asks the command to stop cleanly (an import
	// finishes its batch, a tail acknowledges what it printed); a second
	// one kills it.
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := cli.Run(ctx, os.Args[1:], cli.StdIO())
	stop()
	os.Exit(code)
}
