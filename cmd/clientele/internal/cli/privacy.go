package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
)

// actorFlag registers --actor: who the command acts as, recorded with its
// changes (the erasure record, the events).
func actorFlag(fs *flag.FlagSet, io IO) *string {
	def := io.Getenv("CLIENTELE_ACTOR")
	if def == "" {
		def = "system:clientele-cli"
	}
	return fs.String("actor", def, `who acts, recorded with the changes: "staff:ID", "app:ID" or "system:NAME" (env CLIENTELE_ACTOR)`)
}

// parseCustomer checks --customer.
func parseCustomer(s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, errors.New("--customer ID is required")
	}
	id, err := uuid.Parse(s)
	if err != nil || id == uuid.Nil {
		return uuid.Nil, fmt.Errorf("--customer %s: not a customer ID (a UUID)", storage.Quote(s))
	}
	return id, nil
}

// notFound reports whether err says the customer does not exist.
func notFound(err error) bool {
	return errors.Is(err, customer.ErrNotFound) || errors.Is(err, storage.ErrNotFound)
}

func runErase(ctx context.Context, args []string, io IO) int {
	fs := newFlags(io, "erase", "erase --customer ID --reason TEXT [--yes] [db flags]", `
Erases one customer's personal data everywhere it lives (the record, its
addresses, identities, payment sources, event payloads and audit trail ...)
and keeps the ledger and order history under the pseudonymous ID; the
erasure itself is recorded (who: --actor, when, why: --reason) and printed
as JSON. It cannot be undone: it asks for "yes" at the terminal, or
needs --yes when stdin is not one. Erasing an erased customer changes
nothing and prints the first erasure.`)
	var db dbFlags
	db.add(fs, io)
	id := fs.String("customer", "", "the customer's ID (required)")
	reason := fs.String("reason", "", "why (a ticket number, \"data-subject request\"); kept in the erasure record, so it must not name the person (required)")
	yes := fs.Bool("yes", false, "erase without asking for confirmation")
	who := actorFlag(fs, io)
	if code, done := parse(fs, args, io); done {
		return code
	}
	if err := db.check(); err != nil {
		return usageError(io, "erase", "%v", err)
	}
	cid, err := parseCustomer(*id)
	if err != nil {
		return usageError(io, "erase", "%v", err)
	}
	req := privacy.Request{Reason: *reason}
	if strings.TrimSpace(*reason) == "" {
		return usageError(io, "erase", "--reason TEXT is required")
	}
	if err := req.Validate(); err != nil {
		return usageError(io, "erase", "--reason: %v", err)
	}
	a, err := actor.Parse(*who)
	if err != nil {
		return usageError(io, "erase", "--actor: %v", err)
	}
	svc, closeDB, err := db.openService(ctx)
	if err != nil {
		return failure(io, "erase", err)
	}
	defer closeDB()
	if _, err := svc.Customers.GetAny(ctx, cid); err != nil {
		if notFound(err) {
			fmt.Fprintf(io.Stderr, "clientele erase: customer %s not found\n", cid)
			return ExitNotFound
		}
		return failure(io, "erase", err)
	}
	if !*yes {
		if !io.StdinTTY {
			fmt.Fprintln(io.Stderr, "clientele erase: not confirmed: pass --yes (stdin is not a terminal); nothing was erased")
			return ExitNotConfirmed
		}
		fmt.Fprintf(io.Stderr, "Erase the personal data of customer %s everywhere? This cannot be undone.\nType yes to erase: ", cid)
		line, _ := bufio.NewReader(io.Stdin).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			fmt.Fprintln(io.Stderr, "clientele erase: not confirmed; nothing was erased")
			return ExitNotConfirmed
		}
	}
	rec, err := svc.Privacy.Erase(clientele.WithActor(ctx, a), cid, req)
	if err != nil {
		if notFound(err) {
			fmt.Fprintf(io.Stderr, "clientele erase: customer %s not found\n", cid)
			return ExitNotFound
		}
		return failure(io, "erase", err)
	}
	if err := writeJSON(io.Stdout, rec); err != nil {
		return failure(io, "erase", err)
	}
	return ExitOK
}

// exportCustomer writes one customer's privacy.Document.
func exportCustomer(ctx context.Context, io IO, svc *clientele.Service, cid uuid.UUID, out string) int {
	doc, err := svc.Privacy.Export(ctx, cid)
	if err != nil {
		if notFound(err) {
			fmt.Fprintf(io.Stderr, "clientele export: customer %s not found\n", cid)
			return ExitNotFound
		}
		return failure(io, "export", err)
	}
	err = writeOut(io, out, func(w *bufio.Writer) error { return writeJSON(w, doc) })
	if err != nil {
		return failure(io, "export", err)
	}
	return ExitOK
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w interface{ Write([]byte) (int, error) }, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeOut runs write on stdout (out "" or "-") or on the file out, which
// appears only complete: write fills a temporary file beside it, renamed
// into place once everything was written.
func writeOut(io IO, out string, write func(w *bufio.Writer) error) error {
	if out == "" || out == "-" {
		w := bufio.NewWriter(io.Stdout)
		if err := write(w); err != nil {
			return err
		}
		return w.Flush()
	}
	f, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*.tmp")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriter(f)
	if err := write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), out); err != nil {
		return err
	}
	ok = true
	return nil
}
