package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/clientele-go/clientele/internal/loadtest"
)

func main() {
	var cfg loadtest.Config
	flag.StringVar(&cfg.Engine, "engine", "memory", "memory, sqlite, postgres or mysql")
	flag.StringVar(&cfg.DSN, "dsn", "", "the server's DSN (postgres, mysql)")
	flag.DurationVar(&cfg.Duration, "duration", 0, "how long the load runs (default 10s)")
	flag.IntVar(&cfg.Workers, "workers", 0, "goroutines calling the services (default 8)")
	flag.IntVar(&cfg.Pool, "pool", 0, "database connections (default 8)")
	flag.BoolVar(&cfg.KillSessions, "kill-sessions", false, "kill the harness's database sessions while the load runs")
	flag.DurationVar(&cfg.KillEvery, "kill-every", 0, "mean interval between two kills (default 50ms)")
	flag.Float64Var(&cfg.DeadlineShare, "deadline-share", 0, "share of calls with a random short deadline (default 0.15)")
	flag.DurationVar(&cfg.MaxDeadline, "max-deadline", 0, "longest random deadline (default 150ms)")
	flag.IntVar(&cfg.Emails, "emails", 0, "distinct email addresses (default 1000)")
	flag.Uint64Var(&cfg.Seed, "seed", 0, "random seed (default random)")
	flag.BoolVar(&cfg.Keep, "keep", false, "keep the server tables after the run")
	flag.Parse()
	cfg.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := loadtest.Run(ctx, cfg)
	if rep != nil {
		rep.Print(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadfaults:", err)
		os.Exit(2)
	}
	if !rep.OK() {
		os.Exit(1)
	}
}
