package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/clientele-go/clientele/storage/sqlstore"
)

func runMigrate(ctx context.Context, args []string, io IO) int {
	fs := newFlags(io, "migrate", "migrate [--status] [--driver D] [--dsn DSN] [--prefix P]", `
Brings the database's schema up to date: applies, in order, each migration
it has not applied yet (safe to run from several processes at once, and
again). With --status it changes nothing: it lists every migration as
applied (with its time) or pending, and exits with 5 when any is pending.`)
	var db dbFlags
	db.add(fs, io)
	status := fs.Bool("status", false, "list the applied and pending migrations; change nothing (exit 5 when some are pending)")
	if code, done := parse(fs, args, io); done {
		return code
	}
	if err := db.check(); err != nil {
		return usageError(io, "migrate", "%v", err)
	}
	d, err := db.openDB(ctx)
	if err != nil {
		return failure(io, "migrate", err)
	}
	defer d.db.Close()
	if *status {
		st, err := d.status(ctx)
		if err != nil {
			return failure(io, "migrate", err)
		}
		for _, m := range st.all {
			if at, ok := st.applied[m.Version]; ok {
				fmt.Fprintf(io.Stdout, "%04d  applied  %s  %s\n", m.Version, time.UnixMicro(at).UTC().Format(time.RFC3339), migrationName(m))
			} else {
				fmt.Fprintf(io.Stdout, "%04d  pending  %-20s  %s\n", m.Version, "", migrationName(m))
			}
		}
		fmt.Fprintf(io.Stdout, "%d applied, %d pending (driver %s, prefix %q)\n",
			len(st.all)-len(st.pending), len(st.pending), d.driver, d.prefix)
		if len(st.pending) > 0 {
			return ExitSchema
		}
		return ExitOK
	}
	before, err := d.status(ctx)
	if err != nil {
		return failure(io, "migrate", err)
	}
	if err := sqlstore.Migrate(ctx, d.db, d.dialect, d.opts...); err != nil {
		return failure(io, "migrate", err)
	}
	for _, m := range before.pending {
		fmt.Fprintf(io.Stdout, "applied %04d %s\n", m.Version, migrationName(m))
	}
	fmt.Fprintf(io.Stdout, "schema up to date at version %d (%d applied now)\n", before.latest, len(before.pending))
	return ExitOK
}
