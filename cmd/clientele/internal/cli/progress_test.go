package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/customer"
)

// runIO runs the command with terminals as the test says.
func runIO(t *testing.T, env map[string]string, stdin string, stdinTTY, stderrTTY bool, args ...string) result {
	t.Helper()
	var out, errs bytes.Buffer
	code := Run(context.Background(), args, IO{
		Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errs,
		Getenv: func(k string) string { return env[k] }, StdinTTY: stdinTTY, StderrTTY: stderrTTY,
	})
	return result{code: code, stdout: out.String(), stderr: errs.String()}
}

func sqliteEngine(t *testing.T) engine {
	return migrated(t, engines(t)[0])
}

func TestImportProgress(t *testing.T) {
	e := sqliteEngine(t)
	every := lineEvery
	t.Cleanup(func() { lineEvery = every })

	lineEvery = 0
	r := runIO(t, e.env(), "", false, false, "import", "--mapping", "shopify", "--batch", "1", "--dry-run", shopifyFile)
	require.Equal(t, ExitPartial, r.code, r.stderr)
	assert.GreaterOrEqual(t, strings.Count(r.stderr, "progress: "), 4, "a plain line per batch when stderr is no terminal: %s", r.stderr)
	assert.Contains(t, r.stderr, "progress: 5 rows  (4 imported, 0 skipped, 1 failed)")
	assert.NotContains(t, r.stderr, "\r", "no bar drawn on a log")

	lineEvery = every
	r = runIO(t, e.env(), "", false, false, "import", "--mapping", "shopify", "--batch", "1", "--dry-run", shopifyFile)
	assert.Equal(t, 1, strings.Count(r.stderr, "progress: "), "at most a line per interval: %s", r.stderr)

	r = runIO(t, e.env(), "", false, true, "import", "--mapping", "shopify", "--batch", "2", "--dry-run", shopifyFile)
	require.Equal(t, ExitPartial, r.code, r.stderr)
	assert.Contains(t, r.stderr, "\r\033[K[", "a bar redrawn in place on a terminal")
	assert.Contains(t, r.stderr, "] 100%  5 rows", "the file's size gives the percentage")

	r = runIO(t, e.env(), "", false, true, "import", "--mapping", "shopify", "--quiet", "--dry-run", shopifyFile)
	assert.NotContains(t, r.stderr, "rows/s", "--quiet: no progress")
	assert.Contains(t, r.stderr, "line 5: field Email: ", "but the rejected rows")
}

func TestEraseConfirmation(t *testing.T) {
	e := sqliteEngine(t)
	svc := e.service(t)
	ctx := context.Background()
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "confirm@example.com", FirstName: "Con"})
	require.NoError(t, err)
	id := c.ID.String()

	for _, answer := range []string{"", "no\n", "y\n", "YES please\n"} {
		r := runIO(t, e.env(), answer, true, true, "erase", "--customer", id, "--reason", "ticket 7")
		assert.Equal(t, ExitNotConfirmed, r.code, "answer %q", answer)
		assert.Contains(t, r.stderr, "Type yes to erase")
		got, err := svc.Customers.Get(ctx, c.ID)
		require.NoError(t, err, "answer %q erases nothing", answer)
		assert.Equal(t, "confirm@example.com", got.Email.String())
	}
	r := runIO(t, e.env(), "yes\n", true, true, "erase", "--customer", id, "--reason", "ticket 7")
	require.Equal(t, ExitOK, r.code, r.stderr)
	_, err = svc.Customers.Get(ctx, c.ID)
	assert.ErrorIs(t, err, customer.ErrNotFound, "erased")

	out := filepath.Join(t.TempDir(), "subject.json")
	r = run(t, e.env(), "", "export", "--customer", id, "--out", out)
	require.Equal(t, ExitOK, r.code, r.stderr)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"erasures"`, "the document names the erasure")
	assert.NotContains(t, string(b), "confirm@example.com")
	r = run(t, e.env(), "", "export", "--out", "-")
	require.Equal(t, ExitOK, r.code, "--out - is stdout, in JSON Lines: %s", r.stderr)

	r = run(t, e.env(), "", "erase", "--customer", id, "--reason", "again", "--yes")
	require.Equal(t, ExitOK, r.code, "erasing an erased customer is idempotent: %s", r.stderr)
	assert.Contains(t, r.stdout, `"reason": "ticket 7"`, "and prints the first erasure")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"erase", "--reason", "x", "--yes"}, "--customer ID is required"},
		{[]string{"erase", "--customer", "nope", "--reason", "x"}, `--customer "nope": not a customer ID`},
		{[]string{"erase", "--customer", uuid.Nil.String(), "--reason", "x"}, "not a customer ID"},
		{[]string{"erase", "--customer", id}, "--reason TEXT is required"},
		{[]string{"erase", "--customer", id, "--reason", "a\x00b"}, "--reason"},
		{[]string{"erase", "--customer", id, "--reason", "x", "--actor", "robot:1"}, "--actor"},
		{[]string{"export", "--customer", id, "--format", "csv"}, "apply to a bulk export"},
		{[]string{"export", "--format", "xml"}, "format"},
		{[]string{"export", "--out", "customers.txt"}, "--format is required"},
		{[]string{"import", "--mapping", "magento", shopifyFile}, "--mapping"},
		{[]string{"import", "customers.txt"}, "--format is required"},
		{[]string{"import", "--batch", "0", shopifyFile}, "--batch"},
		{[]string{"import", shopifyFile, medusaFile}, "unexpected arguments"},
	} {
		r := run(t, e.env(), "", c.args...)
		assert.Equal(t, ExitUsage, r.code, "%v: %s", c.args, r.stderr)
		assert.Contains(t, r.stderr, c.want, "%v", c.args)
	}
	r = run(t, e.env(), "", "import", "--mapping", "shopify", "no-such-file.csv")
	assert.Equal(t, ExitFailure, r.code, "an unreadable file is a failure")
	r = run(t, e.env(), "a,b\n1,2\n", "import", "--format", "csv")
	assert.Equal(t, ExitFailure, r.code, "a bad header is a failure")
	assert.Contains(t, r.stderr, `unknown column "a"`)
	r = run(t, e.env(), "{\"email\":\"x\"}\n{\"email\":\"y\"}\n{\"email\":\"z@example.com\"}\n", "import", "--format", "jsonl", "--max-errors", "1")
	assert.Equal(t, ExitFailure, r.code, "more bad rows than --max-errors stop the import")
	assert.Contains(t, r.stderr, "line 2: field email: ")
	assert.Contains(t, r.stderr, "too many bad rows")
}
