package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/bulk"
)

// formatOf returns the format the flag names, else the one the file's
// extension implies.
func formatOf(flagValue, file string) (bulk.Format, error) {
	if flagValue != "" {
		return bulk.ParseFormat(flagValue)
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return bulk.CSV, nil
	case ".jsonl", ".ndjson", ".json":
		return bulk.JSONL, nil
	}
	return "", errors.New("--format is required (jsonl or csv) when the file name does not end in .csv, .jsonl, .ndjson or .json")
}

func runImport(ctx context.Context, args []string, io IO) int {
	fs := newFlags(io, "import", "import [flags] [FILE]", `
Imports customers from FILE (or stdin when FILE is absent or "-"), in
JSON Lines or CSV, in Clientele's native layout or in the layout of a
Shopify or Medusa customer export (see docs/IMPORT.md, column by column).

Every row is checked; a bad row is reported on stderr as
"line N: field F: message" and the others go on. A customer that exists
already (same reference, else same email) is skipped, so running the same
import again imports nothing new. A summary goes to stdout. Progress goes
to stderr: a bar on a terminal, else a line every few seconds.

Exit status 3 says that the import finished but some rows were rejected.`)
	var db dbFlags
	db.add(fs, io)
	format := fs.String("format", "", "the file format: jsonl or csv (default: from the file name's extension)")
	mapping := fs.String("mapping", "native", "the layout of the rows: native, shopify or medusa")
	dryRun := fs.Bool("dry-run", false, "check every row and count what would be imported, writing nothing")
	batch := fs.Int("batch", clientele.DefaultBatchSize, "rows written per transaction")
	maxErrors := fs.Int("max-errors", 0, "stop (exit 1) once more rows than this were rejected; 0: no limit")
	quiet := fs.Bool("quiet", false, "print no progress")
	who := actorFlag(fs, io)
	if code, done := parseArgs(fs, args, io, 1); done {
		return code
	}
	if err := db.check(); err != nil {
		return usageError(io, "import", "%v", err)
	}
	file := fs.Arg(0)
	f, err := formatOf(*format, file)
	if err != nil {
		return usageError(io, "import", "%v", err)
	}
	m, err := bulk.ParseMapping(*mapping)
	if err != nil {
		return usageError(io, "import", "--mapping: %v", err)
	}
	a, err := actor.Parse(*who)
	if err != nil {
		return usageError(io, "import", "--actor: %v", err)
	}
	switch {
	case *batch < 1:
		return usageError(io, "import", "--batch must be positive")
	case *maxErrors < 0:
		return usageError(io, "import", "--max-errors must not be negative")
	}
	in := io.Stdin
	prog := newProgress(io.Stderr, io.StderrTTY, "imported")
	if file != "" && file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return failure(io, "import", err)
		}
		defer fh.Close()
		if st, err := fh.Stat(); err == nil && st.Mode().IsRegular() {
			prog.total, prog.read = st.Size(), new(atomic.Int64)
			in = countingReader{r: fh, n: prog.read}
		} else {
			in = fh
		}
	}
	svc, closeDB, err := db.openService(ctx)
	if err != nil {
		return failure(io, "import", err)
	}
	defer closeDB()
	opts := clientele.ImportOptions{Format: f, Mapping: m, DryRun: *dryRun, BatchSize: *batch, MaxErrors: *maxErrors}
	if !*quiet {
		opts.Progress = prog.update
	}
	rep, err := svc.Bulk.Import(clientele.WithActor(ctx, a), bufio.NewReaderSize(in, 1<<16), opts)
	prog.done()
	for _, e := range rep.Errors {
		fmt.Fprintln(io.Stderr, rowError(e))
	}
	what := "imported"
	if *dryRun {
		what = "would import (dry run: nothing written)"
	}
	fmt.Fprintf(io.Stdout, "read %d rows: %s %d, skipped %d (existing), rejected %d\n",
		rep.Read, what, rep.Imported, rep.Skipped, rep.Failed)
	if err != nil {
		return failure(io, "import", err)
	}
	if rep.Failed > 0 {
		return ExitPartial
	}
	return ExitOK
}

// rowError formats a rejected row as "line N: field F: message".
func rowError(e bulk.RowError) string {
	if e.Field == "" {
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	}
	return fmt.Sprintf("line %d: field %s: %v", e.Line, e.Field, e.Err)
}

func runExport(ctx context.Context, args []string, io IO) int {
	fs := newFlags(io, "export", "export [--format F] [--mapping M] [--out FILE] | export --customer ID [--out FILE]", `
Without --customer: writes every live customer, with addresses, groups
and balances (never password hashes), in JSON Lines or CSV, in the native
layout (which "clientele import" reads back) or Shopify's or Medusa's.

With --customer ID: writes everything known about that customer as one
JSON document (a data-subject access request; see package privacy). Exit
status 4 when the customer does not exist.

--out FILE appears only complete: it is written beside and renamed into
place at the end; without it, the export goes to stdout.`)
	var db dbFlags
	db.add(fs, io)
	format := fs.String("format", "", "the file format: jsonl or csv (default: from --out's extension, else jsonl)")
	mapping := fs.String("mapping", "native", "the layout of the rows: native, shopify or medusa")
	out := fs.String("out", "", "the file to write (default: stdout)")
	id := fs.String("customer", "", "export this one customer's data as a JSON document instead")
	quiet := fs.Bool("quiet", false, "print no progress")
	if code, done := parse(fs, args, io); done {
		return code
	}
	if err := db.check(); err != nil {
		return usageError(io, "export", "%v", err)
	}
	if *id != "" {
		cid, err := parseCustomer(*id)
		if err != nil {
			return usageError(io, "export", "%v", err)
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["format"] || set["mapping"] {
			return usageError(io, "export", "--format and --mapping apply to a bulk export, not to --customer")
		}
		svc, closeDB, err := db.openService(ctx)
		if err != nil {
			return failure(io, "export", err)
		}
		defer closeDB()
		return exportCustomer(ctx, io, svc, cid, *out)
	}
	f := bulk.JSONL
	if *format != "" || (*out != "" && *out != "-") {
		var err error
		if f, err = formatOf(*format, *out); err != nil {
			return usageError(io, "export", "%v", err)
		}
	}
	m, err := bulk.ParseMapping(*mapping)
	if err != nil {
		return usageError(io, "export", "--mapping: %v", err)
	}
	svc, closeDB, err := db.openService(ctx)
	if err != nil {
		return failure(io, "export", err)
	}
	defer closeDB()
	prog := newProgress(io.Stderr, io.StderrTTY, "exported")
	opts := clientele.ExportOptions{Format: f, Mapping: m}
	if !*quiet {
		opts.Progress = prog.update
	}
	var rep clientele.ExportReport
	err = writeOut(io, *out, func(w *bufio.Writer) error {
		var err error
		rep, err = svc.Bulk.Export(ctx, w, opts)
		return err
	})
	prog.done()
	if err != nil {
		return failure(io, "export", err)
	}
	if *out != "" && *out != "-" {
		fmt.Fprintf(io.Stdout, "exported %d customers to %s\n", rep.Written, *out)
	} else {
		fmt.Fprintf(io.Stderr, "exported %d customers\n", rep.Written)
	}
	return ExitOK
}
