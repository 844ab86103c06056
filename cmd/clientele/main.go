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
