package mysql_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"

	driver "github.com/go-sql-driver/mysql"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// A connection failure's error keeps the driver's error for errors.As, but
// its text does not carry the user, the host or the port.
func TestConnectErrorsAreRedacted(t *testing.T) {
	ctx := context.Background()
	open := func(t *testing.T, dsn string) *sqlstore.Store {
		db, err := mysql.Open(dsn)
		require.NoError(t, err)
		t.Cleanup(func() { db.Close() })
		s, err := sqlstore.New(db, mysql.Dialect)
		require.NoError(t, err)
		return s
	}
	t.Run("no server", func(t *testing.T) {
		_, err := open(t, "secret_user@tcp(127.0.0.1:1)/secret_db?timeout=5s").Customers().Get(ctx, uuid.New())
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "127.0.0.1")
		var oe *net.OpError
		assert.True(t, errors.As(err, &oe), "errors.As reaches *net.OpError through %v", err)
	})
	t.Run("unknown user", func(t *testing.T) {
		dsn := os.Getenv("CLIENTELE_MYSQL_DSN")
		if dsn == "" {
			t.Skip("CLIENTELE_MYSQL_DSN is not set")
		}
		cfg, err := driver.ParseDSN(dsn)
		require.NoError(t, err)
		cfg.User, cfg.Passwd = "secret_user_that_does_not_exist", ""
		_, err = open(t, cfg.FormatDSN()).Customers().Get(ctx, uuid.New())
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "secret_user_that_does_not_exist")
		var me *driver.MySQLError
		assert.True(t, errors.As(err, &me), "errors.As reaches *mysql.MySQLError through %v", err)
	})
}
