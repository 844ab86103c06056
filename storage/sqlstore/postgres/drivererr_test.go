package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/postgres"
)

// requireRedacted fails unless err's text names none of secrets while
// errors.As still reaches pgx's connect error.
func requireRedacted(t *testing.T, err error, secrets ...string) {
	t.Helper()
	require.Error(t, err)
	for _, s := range secrets {
		assert.NotContains(t, err.Error(), s)
	}
	var ce *pgconn.ConnectError
	assert.True(t, errors.As(err, &ce), "errors.As reaches *pgconn.ConnectError through %v", err)
}

// A connection failure's error keeps pgx's error for errors.As, but its text
// does not carry the user, the database, the host or the port.
func TestConnectErrorsAreRedacted(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T, dsn string) *sqlstore.Store {
		db, err := postgres.Open(dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		s, err := sqlstore.New(db, postgres.Dialect)
		require.NoError(t, err)
		return s
	}
	t.Run("no server", func(t *testing.T) {
		s := open(t, "postgres://secret_user@127.0.0.1:1/secret_db?sslmode=disable&connect_timeout=5")
		_, err := s.Customers().Get(ctx, uuid.New())
		requireRedacted(t, err, "secret_user", "secret_db", "127.0.0.1", ":1 ")
		err = s.Atomic(ctx, nil)
		requireRedacted(t, err, "secret_user", "secret_db", "127.0.0.1")
	})
	t.Run("unknown database", func(t *testing.T) {
		dsn := os.Getenv("CLIENTELE_POSTGRES_DSN")
		if dsn == "" {
			t.Skip("CLIENTELE_POSTGRES_DSN is not set")
		}
		u, err := url.Parse(dsn)
		require.NoError(t, err)
		u.Path = "/secret_db_that_does_not_exist"
		_, err = open(t, u.String()).Customers().Get(ctx, uuid.New())
		requireRedacted(t, err, "secret_db_that_does_not_exist", u.Hostname()+":"+u.Port())
	})
}
