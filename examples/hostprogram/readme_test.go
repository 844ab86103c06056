package main

import (
	"bytes"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeUseIt builds the Go program of README.md's "Use it" section as
// written, inside the module, runs it, and checks that it prints what its
// comments say.
func TestReadmeUseIt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	_, section, found := strings.Cut(string(readme), "\n## Use it\n")
	require.True(t, found, `README.md has no "## Use it" section`)
	section, _, _ = strings.Cut(section, "\n## ")
	_, code, found := strings.Cut(section, "```go\n")
	require.True(t, found, `the "Use it" section has no Go block`)
	code, _, found = strings.Cut(code, "\n```")
	require.True(t, found, "the Go block is not closed")
	require.True(t, strings.HasPrefix(code, "package main\n"), "the snippet is a whole program")
	formatted, err := format.Source([]byte(code + "\n"))
	require.NoError(t, err)
	require.Equal(t, code+"\n", string(formatted), "the snippet is gofmt'ed")

	// Every "// Output: x" comment is a line the program must print, in order.
	var want []string
	for _, m := range regexp.MustCompile(`// Output: (.*)`).FindAllStringSubmatch(code, -1) {
		want = append(want, m[1])
	}
	require.NotEmpty(t, want, `the snippet says what it prints with "// Output:" comments`)

	// Inside the module (testdata is left out of ./... patterns), so that
	// the imports resolve to this checkout.
	require.NoError(t, os.MkdirAll("testdata", 0o755))
	dir, err := os.MkdirTemp("testdata", "readme-")
	require.NoError(t, err)
	t.Cleanup(func() {
		os.RemoveAll(dir)
		os.Remove("testdata") // when empty
	})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(code), 0o644))
	gotool, err := exec.LookPath("go")
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "readme")
	build := exec.Command(gotool, "build", "-o", bin, ".")
	build.Dir = dir
	out, err := build.CombinedOutput()
	require.NoError(t, err, "README's snippet does not compile:\n%s", out)

	var stdout bytes.Buffer
	run := exec.Command(bin)
	run.Stdout, run.Stderr = &stdout, os.Stderr
	require.NoError(t, run.Run())
	require.Equal(t, want, strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n"))
}
