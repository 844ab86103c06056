package mysql_test

import (
	"errors"
	"fmt"
	"testing"

	driver "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"

	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/mysql"
)

// TestClassify checks the error numbers the adapter acts on, wrapped as the
// adapter wraps them; messages never matter.
func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		number uint16
		want   sqlstore.ErrorKind
	}{
		{1062, sqlstore.ErrUnique},
		{1451, sqlstore.ErrForeignKey},
		{1452, sqlstore.ErrForeignKey},
		{3819, sqlstore.ErrCheck},
		{4025, sqlstore.ErrCheck},
		{1213, sqlstore.ErrRetry},
		{1205, sqlstore.ErrBusy},
		{1927, sqlstore.ErrConnLost},
		{1053, sqlstore.ErrConnLost},
		{1020, sqlstore.ErrRetry},
		{1146, sqlstore.ErrOther},
	} {
		err := fmt.Errorf("sqlstore: commit: %w", &driver.MySQLError{Number: tc.number, Message: "any text"})
		assert.Equal(t, tc.want, mysql.Dialect.Classify(err), "error %d", tc.number)
	}
	assert.Equal(t, sqlstore.ErrOther, mysql.Dialect.Classify(errors.New("Deadlock found")), "not by message")
	assert.Equal(t, sqlstore.ErrConnLost, mysql.Dialect.Classify(fmt.Errorf("sqlstore: commit: %w", driver.ErrInvalidConn)))
}
