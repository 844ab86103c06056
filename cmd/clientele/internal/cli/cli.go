package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"golang.org/x/term"
)

// Exit codes: what a script may rely on.
const (
	// ExitOK: the command did what it was asked.
	ExitOK = 0
	// ExitFailure: it failed (a database error, a file that cannot be
	// read, an invalid input file ...).
	ExitFailure = 1
	// ExitUsage: the command line is wrong (unknown command or flag, a
	// missing or invalid value); nothing was done.
	ExitUsage = 2
	// ExitPartial: an import finished, but some rows were rejected (they
	// are listed on stderr); every good row was imported.
	ExitPartial = 3
	// ExitNotFound: the customer named by --customer does not exist.
	ExitNotFound = 4
	// ExitSchema: the database's schema is not up to date (run
	// "clientele migrate"); "migrate --status" exits with it when
	// migrations are pending.
	ExitSchema = 5
	// ExitNotConfirmed: an erasure was not confirmed (no --yes, and no
	// "yes" typed at the terminal); nothing was erased.
	ExitNotConfirmed = 6
)

const exitCodesHelp = `Exit codes:
  0  ok
  1  failure (database error, unreadable or invalid file, ...)
  2  usage error (unknown command or flag, missing or invalid value); nothing done
  3  import finished, but some rows were rejected (listed on stderr)
  4  not found (the customer named by --customer)
  5  the schema is not up to date: run "clientele migrate" (migrate --status: pending)
  6  erasure not confirmed (no --yes, no "yes" at the terminal); nothing erased
`

// IO is what a run reads and writes, and what it knows of its terminal.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads an environment variable (os.Getenv).
	Getenv func(string) string
	// StdinTTY and StderrTTY say whether stdin and stderr are terminals:
	// erase asks for confirmation on one, import draws a progress bar on
	// the other.
	StdinTTY, StderrTTY bool
}

// StdIO returns the process's streams and environment.
func StdIO() IO {
	return IO{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		StdinTTY:  isTerminal(os.Stdin),
		StderrTTY: isTerminal(os.Stderr),
	}
}

// isTerminal reports whether f is a terminal (not merely a character
// device: /dev/null is one too, and must not count as a person who can
// confirm an erasure).
func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, io IO) int
}

func commands() []command {
	return []command{
		{"migrate", "apply the schema's migrations (--status: list applied and pending)", runMigrate},
		{"import", "import customers from JSON Lines or CSV (native, Shopify or Medusa columns)", runImport},
		{"export", "export customers in bulk, or one customer's data (--customer)", runExport},
		{"erase", "erase one customer's personal data (a data-subject request)", runErase},
		{"events", "events tail: print the outbox's events as JSON lines", runEvents},
	}
}

// Run runs the command line args (without the program name) and returns
// the exit code.
func Run(ctx context.Context, args []string, io IO) int {
	if io.Getenv == nil {
		io.Getenv = func(string) string { return "" }
	}
	if len(args) == 0 {
		usage(io.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, io)
		}
		usage(io.Stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], io)
		}
	}
	fmt.Fprintf(io.Stderr, "clientele: unknown command %q\n\n", args[0])
	usage(io.Stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `clientele is Clientele's operator command.

Usage:
  clientele <command> [flags]
  clientele <command> --help

Commands:
`)
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command that touches the database takes --driver (sqlite, postgres,
mysql, tidb; env CLIENTELE_DRIVER, default sqlite), --dsn (a file for
sqlite; env CLIENTELE_DSN) and --prefix (the table prefix; env
CLIENTELE_TABLE_PREFIX).

`+exitCodesHelp)
}

// newFlags returns a subcommand's flag set, printing its usage to io.Stderr
// (to io.Stdout for --help).
func newFlags(io IO, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: clientele %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(about))
		printFlags(w, fs)
		fmt.Fprint(w, "\n"+exitCodesHelp)
	}
	return fs
}

// parse parses args into fs. It returns done with the exit code when the
// command must stop: ExitOK after --help (printed to stdout), ExitUsage
// after a bad flag or stray arguments.
func parse(fs *flag.FlagSet, args []string, io IO) (code int, done bool) {
	return parseArgs(fs, args, io, 0)
}

// parseArgs is parse for a command that takes up to maxArgs arguments
// after its flags.
func parseArgs(fs *flag.FlagSet, args []string, io IO, maxArgs int) (code int, done bool) {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(io.Stdout)
			fs.Usage()
			return ExitOK, true
		}
	}
	if err := fs.Parse(args); err != nil {
		return ExitUsage, true // flag printed the error and the usage
	}
	if fs.NArg() > maxArgs {
		fmt.Fprintf(io.Stderr, "clientele %s: unexpected arguments: %s\n", fs.Name(), strings.Join(fs.Args()[maxArgs:], " "))
		return ExitUsage, true
	}
	return 0, false
}

// usageError reports a bad command line.
func usageError(io IO, cmd, format string, args ...any) int {
	fmt.Fprintf(io.Stderr, "clientele %s: %s\n", cmd, fmt.Sprintf(format, args...))
	fmt.Fprintf(io.Stderr, "Run \"clientele %s --help\" for its flags.\n", cmd)
	return ExitUsage
}

// failure reports an error and returns its exit code: ExitSchema for an
// out-of-date schema, ExitFailure otherwise.
func failure(io IO, cmd string, err error) int {
	fmt.Fprintf(io.Stderr, "clientele %s: %v\n", cmd, err)
	if errors.Is(err, errSchema) {
		return ExitSchema
	}
	return ExitFailure
}

// printFlags prints fs's flags as flag.PrintDefaults does, but spelled
// with two dashes (the flag package reads both).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		usage = strings.ReplaceAll(usage, "\n", "\n    \t")
		line += "\n    \t" + usage
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			line += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		fmt.Fprintln(w, line)
	})
}
