package tidb_test

import (
	"fmt"
	"testing"

	driver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/tidb"
)

// TestClassify checks TiDB's own error numbers and that MySQL's still
// classify as they do on MySQL.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		number uint16
		want   sqlstore.ErrorKind
	}{
		{9007, sqlstore.ErrRetry},
		{8005, sqlstore.ErrRetry},
		{8002, sqlstore.ErrRetry},
		{8022, sqlstore.ErrRetry},
		{8028, sqlstore.ErrRetry},
		{9005, sqlstore.ErrRetry},
		{1213, sqlstore.ErrRetry},
		{1205, sqlstore.ErrBusy},
		{1062, sqlstore.ErrUnique},
		{1452, sqlstore.ErrForeignKey},
		{3819, sqlstore.ErrCheck},
		{1235, sqlstore.ErrOther},          // a no-op function: a bug to see, never to retry
		{8004, sqlstore.ErrOther},          // transaction too large: running it again cannot help
		{1105, sqlstore.ErrRetryStatement}, // e.g. "pessimistic lock retry limit reached": only before COMMIT
	} {
		err := fmt.Errorf("sqlstore: commit: %w", &driver.MySQLError{Number: tc.number, Message: "any text"})
		assert.Equal(t, tc.want, tidb.Dialect.Classify(err), "error %d", tc.number)
	}
	assert.Equal(t, sqlstore.ErrConnLost, tidb.Dialect.Classify(fmt.Errorf("x: %w", driver.ErrInvalidConn)))
	assert.Equal(t, "tidb", tidb.Dialect.Name())
	assert.Equal(t, " FOR UPDATE", tidb.Dialect.ForShare(), "TiDB has no shared locks")
}

// TestReservedNames: TiDB (like MySQL 8) reserves GROUPS, a table's name
// when the store has no prefix; Render quotes every prefixed name.
func TestReservedNames(t *testing.T) {
	got := sqlstore.Render("SELECT g.id FROM {{prefix}}groups g JOIN {{prefix}}market_groups m ON m.group_id = g.id WHERE g.id = ?", "", tidb.Dialect)
	assert.Equal(t, "SELECT g.id FROM `groups` g JOIN `market_groups` m ON m.group_id = g.id WHERE g.id = ?", got)
	assert.Equal(t, "SELECT 1 FROM shop_groups", sqlstore.Render("SELECT 1 FROM {{prefix}}groups", "shop_", postgresLike{tidb.Dialect}), "a dialect that does not quote")
}

// postgresLike hides the dialect's IdentifierQuoter.
type postgresLike struct{ sqlstore.Dialect }
