package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Migration is one versioned schema change of a dialect.
type Migration struct {
	// Version is the number the file name starts with.
	Version int
	// Name is the file name ("0001_init.sql").
	Name string
	// Statements are the migration's SQL statements, with the table prefix
	// already applied.
	Statements []string
}

// Migrations returns the dialect's migrations in order, rendered with the
// table prefix (see WithTablePrefix).
func Migrations(d Dialect, opts ...Option) ([]Migration, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(d.Migrations(), "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Migration
	for _, name := range files {
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %q: name must start with a version number and _", name)
		}
		if len(out) > 0 && out[len(out)-1].Version >= v {
			return nil, fmt.Errorf("sqlstore: migration %q: duplicate or out-of-order version", name)
		}
		b, err := fs.ReadFile(d.Migrations(), name)
		if err != nil {
			return nil, err
		}
		m := Migration{Version: v, Name: name}
		// A checkout with CRLF line ends (Windows) splits the same way.
		text := strings.ReplaceAll(string(b), "\r\n", "\n")
		for _, stmt := range strings.Split(text, "\n-- statement\n") {
			if stmt = strings.TrimSpace(stripComments(stmt)); stmt != "" {
				m.Statements = append(m.Statements, Render(stmt, o.prefix, placeholderless{d}))
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// placeholderless renders prefixes only: migrations have no parameters.
type placeholderless struct{ Dialect }

func (placeholderless) Placeholder(int) string { return "?" }

// stripComments drops whole-line "--" comments.
func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

const migrationsTable = `{{prefix}}schema_migrations`

// Migrate brings the database's schema up to date: it applies, in order,
// each of the dialect's migrations that the database has not recorded, each
// in its own transaction (MySQL commits DDL implicitly, so there a failed
// migration may leave part of its statements applied). It is idempotent and
// safe to run from several processes at once: a session-level lock
// (pg_try_advisory_lock, GET_LOCK; on SQLite the database's write lock)
// serializes them, each migration re-checks the recorded versions under the
// lock, and a migration that meets a busy database or a serialization
// failure runs again. (On CockroachDB the advisory lock is a stub: see
// package postgres.)
func Migrate(ctx context.Context, db *sql.DB, d Dialect, opts ...Option) error {
	o, err := buildOptions(opts)
	if err != nil {
		return err
	}
	migrations, err := Migrations(d, opts...)
	if err != nil {
		return err
	}
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer c.Close()
	render := func(q string) string { return Render(q, o.prefix, d) }
	// The prefix is checked to hold letters, digits and underscores only,
	// so the key is safe to put into a statement.
	if lock, unlock := d.MigrationLock("clientele_migrate_" + o.prefix); lock != "" {
		if err := takeLock(ctx, c, d, lock); err != nil {
			return err
		}
		defer c.ExecContext(context.WithoutCancel(ctx), unlock) //nolint:errcheck // the session ends with the conn anyway
	}
	if _, err := c.ExecContext(ctx, render(`CREATE TABLE IF NOT EXISTS `+migrationsTable+
		` (version BIGINT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)`)); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	for _, m := range migrations {
		for attempt := 0; ; attempt++ {
			err := applyMigration(ctx, c, d, render, m)
			if err == nil {
				break
			}
			if k := d.Classify(err); (k != ErrRetry && k != ErrBusy && k != ErrRetryStatement) || attempt >= o.maxRetries {
				return fmt.Errorf("sqlstore: migration %s: %w", m.Name, err)
			}
			if werr := o.wait(ctx, attempt); werr != nil {
				return fmt.Errorf("sqlstore: migration %s: %w (giving up retrying: %w)", m.Name, err, werr)
			}
		}
	}
	return nil
}

// lockWait bounds how long Migrate waits for another process's migration.
const lockWait = 2 * time.Minute

// takeLock runs the dialect's lock statement on c until it grants the lock,
// polling with backoff, for at most lockWait or until ctx ends.
func takeLock(ctx context.Context, c *sql.Conn, d Dialect, lock string) error {
	deadline := time.Now().Add(lockWait)
	for attempt := 0; ; attempt++ {
		var taken sql.NullInt64
		if err := c.QueryRowContext(ctx, lock).Scan(&taken); err != nil {
			// TiDB's GET_LOCK is a pessimistic lock on a row, which a
			// contended server may fail (1105, ErrRetryStatement): ask
			// again, as when another process holds the lock.
			if k := d.Classify(err); k != ErrRetry && k != ErrBusy && k != ErrRetryStatement {
				return fmt.Errorf("sqlstore: migrate: lock: %w", err)
			}
			taken = sql.NullInt64{}
			taken.Valid, taken.Int64 = true, 0
		}
		if !taken.Valid {
			return errors.New("sqlstore: migrate: the lock statement failed (it returned NULL)")
		}
		if taken.Int64 == 1 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("sqlstore: migrate: another process has held the migration lock for too long")
		}
		t := time.NewTimer(min(20*time.Millisecond<<min(attempt, 6), time.Second))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("sqlstore: migrate: waiting for the migration lock: %w", ctx.Err())
		case <-t.C:
		}
	}
}

func applyMigration(ctx context.Context, c *sql.Conn, d Dialect, render func(string) string, m Migration) error {
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	var one int
	err = tx.QueryRowContext(ctx, render(`SELECT 1 FROM `+migrationsTable+` WHERE version = ?`), m.Version).Scan(&one)
	if err == nil {
		return nil // applied, maybe by another process while we waited
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	for _, stmt := range m.Statements {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\n%s", err, stmt)
		}
	}
	if _, err := tx.ExecContext(ctx, render(`INSERT INTO `+migrationsTable+` (version, applied_at) VALUES (?, ?)`),
		m.Version, time.Now().UnixMicro()); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion returns the highest migration version recorded in the
// database for the table prefix. It returns an error when Migrate never
// ran for the prefix (there is no migrations table to read).
func SchemaVersion(ctx context.Context, db *sql.DB, d Dialect, opts ...Option) (int, error) {
	o, err := buildOptions(opts)
	if err != nil {
		return 0, err
	}
	var v sql.NullInt64
	err = db.QueryRowContext(ctx, Render(`SELECT MAX(version) FROM `+migrationsTable, o.prefix, d)).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: schema version: %w", err)
	}
	return int(v.Int64), nil
}

// WriteMigrations writes the dialect's migrations, rendered with the table
// prefix, as plain files in dir for hosts that run their own migration tool:
// NNNN_name.up.sql, statements ending in ";", with a "-- +goose Up" header
// (read by goose, a comment to golang-migrate and atlas).
func WriteMigrations(dir string, d Dialect, opts ...Option) error {
	migrations, err := Migrations(d, opts...)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, m := range migrations {
		var b strings.Builder
		b.WriteString("-- +goose Up\n")
		for _, stmt := range m.Statements {
			b.WriteString("-- +goose StatementBegin\n" + stmt + ";\n-- +goose StatementEnd\n\n")
		}
		name := strings.TrimSuffix(m.Name, ".sql") + ".up.sql"
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}
