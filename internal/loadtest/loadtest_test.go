package loadtest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestRun runs the harness briefly on every engine it can reach: memory and
// SQLite always, PostgreSQL and MariaDB (with session kills) when their DSN
// is set, and fails on any violation.
func TestRun(t *testing.T) {
	engines := []Config{{Engine: "memory"}, {Engine: "sqlite"}}
	if dsn := os.Getenv("CLIENTELE_POSTGRES_DSN"); dsn != "" {
		engines = append(engines, Config{Engine: "postgres", DSN: dsn, KillSessions: true, Pool: 4})
	}
	if dsn := os.Getenv("CLIENTELE_MYSQL_DSN"); dsn != "" {
		engines = append(engines, Config{Engine: "mysql", DSN: dsn, KillSessions: true, Pool: 4})
	}
	for _, cfg := range engines {
		t.Run(cfg.Engine, func(t *testing.T) {
			cfg.Duration = 3 * time.Second
			cfg.Workers = 4
			cfg.KillEvery = 100 * time.Millisecond
			var log strings.Builder
			cfg.Log = &log
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			var out strings.Builder
			rep.Print(&out)
			if !rep.OK() {
				t.Fatalf("violations:\n%s", out.String())
			}
			total := 0
			for _, n := range rep.Ops {
				total += n
			}
			if total == 0 || rep.Checked["customers"] == 0 {
				t.Fatalf("the run did nothing:\n%s", out.String())
			}
			t.Logf("\n%s", out.String())
		})
	}
}
