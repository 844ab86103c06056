package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinary builds the command and runs it as an operator would: the exit
// codes a script sees come from the process.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "clientele")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	env := append(os.Environ(), "CLIENTELE_DRIVER=sqlite", "CLIENTELE_DSN="+filepath.Join(dir, "c.db"),
		"CLIENTELE_TABLE_PREFIX=")
	exitCode := func(stdin string, args ...string) (int, string, string) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if stdin != "" {
			f, err := os.Open(stdin)
			require.NoError(t, err)
			defer f.Close()
			cmd.Stdin = f
		}
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode(), stdout.String(), stderr.String()
		}
		require.NoError(t, err)
		return 0, stdout.String(), stderr.String()
	}

	code, stdout, _ := exitCode("", "help")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "Exit codes:")
	code, _, _ = exitCode("", "nonsense")
	assert.Equal(t, 2, code)
	code, _, _ = exitCode("", "migrate", "--status")
	assert.Equal(t, 5, code)
	code, _, stderr := exitCode("", "migrate")
	require.Equal(t, 0, code, stderr)
	code, stdout, stderr = exitCode("", "import", "--mapping", "shopify", "testdata/shopify_customers.csv")
	assert.Equal(t, 3, code, stderr)
	assert.Contains(t, stdout, "imported 4")
	assert.Contains(t, stderr, "line 5: field Email: ")
	code, stdout, stderr = exitCode("", "import", "--mapping", "medusa", "testdata/medusa_customers.jsonl")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, "imported 3")
	code, stdout, _ = exitCode("", "events", "tail", "--limit", "1")
	require.Equal(t, 0, code)
	id := between(stdout, `"customer_id":"`, `"`)
	require.NotEmpty(t, id, stdout)
	// /dev/null is a character device, not a terminal: no confirmation.
	code, _, stderr = exitCode(os.DevNull, "erase", "--customer", id, "--reason", "ticket 1")
	assert.Equal(t, 6, code, stderr)
	code, stdout, stderr = exitCode(os.DevNull, "erase", "--customer", id, "--reason", "ticket 1", "--yes")
	assert.Equal(t, 0, code, stderr)
	assert.Contains(t, stdout, `"reason": "ticket 1"`)
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
