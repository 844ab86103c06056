package sqlscratch

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/storage/sqlstore"
)

// Tables returns the tables the dialect's migrations create under prefix
// (without the migrations' own table), in the order they create them.
func Tables(d sqlstore.Dialect, prefix string) ([]string, error) {
	tables, _, err := schema(d, prefix)
	return tables, err
}

// schema returns the tables the dialect's migrations create under prefix
// and the INSERT statements they run: on tables that hold no rows these
// write what a fresh migration leaves (the outbox's sequence row).
func schema(d sqlstore.Dialect, prefix string) (tables, seeds []string, err error) {
	migrations, err := sqlstore.Migrations(d, sqlstore.WithTablePrefix(prefix))
	if err != nil {
		return nil, nil, err
	}
	for _, m := range migrations {
		for _, stmt := range m.Statements {
			fields := strings.Fields(stmt)
			switch {
			case len(fields) > 2 && strings.EqualFold(fields[0], "CREATE") && strings.EqualFold(fields[1], "TABLE"):
				tables = append(tables, strings.TrimSuffix(fields[2], "("))
			case len(fields) > 0 && strings.EqualFold(fields[0], "INSERT"):
				seeds = append(seeds, stmt)
			}
		}
	}
	return tables, seeds, nil
}

// Empty brings the tables of the migrated store under prefix back to what
// a fresh migration leaves: it deletes every row, newest table first, and
// runs the migrations' INSERTs again. On PostgreSQL that is one
// transaction (a TRUNCATE of every table, then the INSERTs, if it fails: a
// TRUNCATE takes ten times as long on the few rows a test leaves, as it
// makes new files for every table and index); elsewhere it runs with
// foreign key checks off on one connection. Sequences and auto-increment
// counters go on where they were.
func Empty(ctx context.Context, db *sql.DB, d sqlstore.Dialect, prefix string) error {
	tables, seeds, err := schema(d, prefix)
	if err != nil {
		return err
	}
	if d.Name() == "postgres" {
		if refill(ctx, db, tables, seeds) == nil {
			return nil
		}
		if _, err := db.ExecContext(ctx, `TRUNCATE `+strings.Join(tables, ", ")); err != nil {
			return err
		}
		return run(ctx, db, seeds)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if d.Name() == "mysql" || d.Name() == "tidb" {
		if _, err := conn.ExecContext(ctx, `SET FOREIGN_KEY_CHECKS = 0`); err != nil {
			return err
		}
		defer conn.ExecContext(context.Background(), `SET FOREIGN_KEY_CHECKS = 1`)
	}
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := conn.ExecContext(ctx, `DELETE FROM `+tables[i]); err != nil {
			return fmt.Errorf("empty %s: %w", tables[i], err)
		}
	}
	return run(ctx, conn, seeds)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func run(ctx context.Context, db execer, stmts []string) error {
	for _, stmt := range stmts {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// refill deletes every row of tables and runs seeds, in one transaction.
func refill(ctx context.Context, db *sql.DB, tables, seeds []string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+tables[i]); err != nil {
			return err
		}
	}
	if err := run(ctx, tx, seeds); err != nil {
		return err
	}
	return tx.Commit()
}

// Drop drops tables in reverse order (foreign keys point backwards), one
// statement each: that keeps each statement's lock set small, where a
// DROP SCHEMA … CASCADE over many tables can exhaust PostgreSQL's lock
// table.
func Drop(ctx context.Context, db *sql.DB, tables []string) error {
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+tables[i]); err != nil {
			return fmt.Errorf("drop %s: %w", tables[i], err)
		}
	}
	return nil
}
