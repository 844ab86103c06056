package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/storage"
)

func runEvents(ctx context.Context, args []string, io IO) int {
	if len(args) == 0 || args[0] != "tail" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprint(io.Stdout, "Usage: clientele events tail [flags]\n\nRun \"clientele events tail --help\" for its flags.\n")
			return ExitOK
		}
		return usageError(io, "events", "want a subcommand: clientele events tail")
	}
	return runTail(ctx, args[1:], io)
}

func runTail(ctx context.Context, args []string, io IO) int {
	fs := newFlags(io, "events tail", "events tail [--follow] [--consumer NAME] [--after SEQ] [--limit N] [db flags]", `
Prints the outbox's committed events as JSON lines (one event.Event each),
in delivery order (ascending sequence).

Without --consumer it only reads: it starts after --after and leaves no
consumer behind. With --consumer NAME it reads the durable consumer NAME
(created at the oldest event if new), acknowledging each batch once
printed, so that the next run resumes where this one stopped; another
process holding NAME's lease makes it fail.

With --follow it keeps polling for new events every --interval until
interrupted (Ctrl-C, SIGTERM), then exits with 0.`)
	var db dbFlags
	db.add(fs, io)
	follow := fs.Bool("follow", false, "keep polling for new events until interrupted")
	consumer := fs.String("consumer", "", "a durable consumer to read and acknowledge as events are printed (default: read only)")
	after := fs.Int64("after", 0, "without --consumer: print events whose sequence is greater than this")
	limit := fs.Int("limit", 0, "stop after printing this many events (0: no limit)")
	interval := fs.Duration("interval", time.Second, "with --follow: how long to wait when there is nothing new")
	batch := fs.Int("batch", 500, fmt.Sprintf("events read per query (1..%d)", storage.MaxClaim))
	if code, done := parse(fs, args, io); done {
		return code
	}
	if err := db.check(); err != nil {
		return usageError(io, "events tail", "%v", err)
	}
	switch {
	case *after < 0:
		return usageError(io, "events tail", "--after must not be negative")
	case *limit < 0:
		return usageError(io, "events tail", "--limit must not be negative")
	case *interval <= 0:
		return usageError(io, "events tail", "--interval must be positive")
	case *batch < 1 || *batch > storage.MaxClaim:
		return usageError(io, "events tail", "--batch must be between 1 and %d", storage.MaxClaim)
	case *consumer != "" && *after != 0:
		return usageError(io, "events tail", "--after applies without --consumer only (a consumer resumes at its own position)")
	}
	if *consumer != "" {
		if err := storage.CheckConsumerName(*consumer); err != nil {
			return usageError(io, "events tail", "--consumer: %v", err)
		}
	}
	svc, closeDB, err := db.openService(ctx)
	if err != nil {
		return failure(io, "events tail", err)
	}
	defer closeDB()
	t := tailer{svc: svc, io: io, limit: *limit, batch: *batch, enc: json.NewEncoder(io.Stdout)}
	next := t.readOnly(*after)
	if *consumer != "" {
		next = t.durable(*consumer, holder())
	}
	for {
		n, err := next(ctx)
		if err != nil {
			if ctx.Err() != nil && *follow {
				return ExitOK
			}
			return failure(io, "events tail", err)
		}
		if t.limit > 0 && t.printed >= t.limit {
			return ExitOK
		}
		if n > 0 {
			continue
		}
		if !*follow {
			return ExitOK
		}
		select {
		case <-ctx.Done():
			return ExitOK
		case <-time.After(*interval):
		}
	}
}

// tailer prints events.
type tailer struct {
	svc          *clientele.Service
	io           IO
	enc          *json.Encoder
	limit, batch int
	printed      int
}

// room is how many events may still be printed in one batch.
func (t *tailer) room() int {
	if t.limit > 0 {
		return min(t.batch, t.limit-t.printed)
	}
	return t.batch
}

func (t *tailer) print(evs []event.Event) error {
	for _, e := range evs {
		if err := t.enc.Encode(e); err != nil {
			return fmt.Errorf("writing event %d: %w", e.Sequence, err)
		}
		t.printed++
	}
	return nil
}

// readOnly returns a step that reads the next events after a position
// without a consumer, returning how many it printed.
func (t *tailer) readOnly(after int64) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		evs, err := t.svc.Events.Read(ctx, after, t.room())
		if err != nil {
			return 0, err
		}
		if err := t.print(evs); err != nil {
			return 0, err
		}
		if len(evs) > 0 {
			after = evs[len(evs)-1].Sequence
		}
		return len(evs), nil
	}
}

// leaseFor is how long a durable tail holds its consumer per batch.
const leaseFor = time.Minute

// durable returns a step that claims the consumer's next batch, prints it
// and acknowledges what it printed.
func (t *tailer) durable(consumer, holder string) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		b, err := t.svc.Events.Claim(ctx, consumer, holder, t.room(), leaseFor)
		if errors.Is(err, clientele.ErrLeaseHeld) {
			return 0, fmt.Errorf("consumer %q is held by another process: %w", consumer, err)
		}
		if err != nil {
			return 0, err
		}
		if err := t.print(b.Events); err != nil {
			return 0, err
		}
		// Acknowledge even an empty batch: it releases the lease, so that
		// another process may take the consumer as soon as this one stops.
		if err := t.svc.Events.Ack(context.WithoutCancel(ctx), b); err != nil {
			return 0, fmt.Errorf("acknowledging consumer %q through %d: %w", consumer, b.Last(), err)
		}
		return len(b.Events), nil
	}
}

// holder names this process as a consumer's lease holder.
func holder() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	h := fmt.Sprintf("clientele-cli@%s#%d", host, os.Getpid())
	if len(h) > storage.MaxHolder {
		h = h[:storage.MaxHolder]
	}
	return h
}
