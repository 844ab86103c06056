package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// result is what one run of the command did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the command with args, the environment env and stdin.
func run(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	return runCtx(context.Background(), t, env, stdin, args...)
}

func runCtx(ctx context.Context, t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errs bytes.Buffer
	code := Run(ctx, args, IO{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errs,
		Getenv: func(k string) string { return env[k] },
	})
	return result{code: code, stdout: out.String(), stderr: errs.String()}
}

func TestUsageAndExitCodes(t *testing.T) {
	db := map[string]string{"CLIENTELE_DSN": t.TempDir() + "/x.db"}
	for _, c := range []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stdout string // a substring of stdout
		stderr string // a substring of stderr
	}{
		{"no command", nil, nil, ExitUsage, "", "Commands:"},
		{"unknown command", nil, []string{"frobnicate"}, ExitUsage, "", `unknown command "frobnicate"`},
		{"help", nil, []string{"help"}, ExitOK, "Exit codes:", ""},
		{"--help", nil, []string{"--help"}, ExitOK, "events", ""},
		{"help of a command", nil, []string{"help", "migrate"}, ExitOK, "--status", ""},
		{"migrate --help", nil, []string{"migrate", "--help"}, ExitOK, "CLIENTELE_DSN", ""},
		{"import --help", nil, []string{"import", "--help"}, ExitOK, "--dry-run", ""},
		{"export --help", nil, []string{"export", "--help"}, ExitOK, "--customer", ""},
		{"erase --help", nil, []string{"erase", "--help"}, ExitOK, "--yes", ""},
		{"events tail --help", nil, []string{"events", "tail", "--help"}, ExitOK, "--follow", ""},
		{"unknown flag", db, []string{"migrate", "--bogus"}, ExitUsage, "", "flag provided but not defined: -bogus"},
		{"stray argument", db, []string{"migrate", "now"}, ExitUsage, "", "unexpected arguments: now"},
		{"no dsn", nil, []string{"migrate"}, ExitUsage, "", "--dsn (or CLIENTELE_DSN) is required"},
		{"bad driver flag", db, []string{"migrate", "--driver", "oracle"}, ExitUsage, "", `--driver "oracle"`},
		{"bad driver env", map[string]string{"CLIENTELE_DSN": "x", "CLIENTELE_DRIVER": "db2"}, []string{"migrate"}, ExitUsage, "", `--driver "db2"`},
		{"events without tail", db, []string{"events"}, ExitUsage, "", "clientele events tail"},
		{"tail batch out of range", db, []string{"events", "tail", "--batch", "0"}, ExitUsage, "", "--batch"},
		{"tail negative after", db, []string{"events", "tail", "--after", "-1"}, ExitUsage, "", "--after"},
		{"tail after with consumer", db, []string{"events", "tail", "--after", "3", "--consumer", "c"}, ExitUsage, "", "--after applies"},
		{"tail bad consumer", db, []string{"events", "tail", "--consumer", "a\x01b"}, ExitUsage, "", "--consumer"},
		{"bad prefix", map[string]string{"CLIENTELE_DSN": t.TempDir() + "/y.db", "CLIENTELE_TABLE_PREFIX": "Bad-"}, []string{"migrate"}, ExitFailure, "", "table prefix"},
		{"schema not migrated", db, []string{"events", "tail"}, ExitSchema, "", "clientele migrate"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, c.env, "", c.args...)
			assert.Equal(t, c.code, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, c.stdout)
			assert.Contains(t, r.stderr, c.stderr)
		})
	}
}
