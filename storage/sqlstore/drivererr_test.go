package sqlstore

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSanitizeDriverText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"failed to connect to `user=alice database=shop`: 10.1.2.3:5432 (10.1.2.3): dial error: dial tcp 10.1.2.3:5432: connect: connection refused",
			"failed to connect to `[connection]`: [address] ([address]): dial error: dial tcp [address]: connect: connection refused"},
		{`failed to connect to host=db.internal user=alice database=shop: server error`,
			`failed to connect to host=[redacted] user=[redacted] database=[redacted] server error`},
		{`FATAL: database "shop_secret" does not exist (SQLSTATE 3D000)`, `FATAL: database "[redacted]" does not exist (SQLSTATE 3D000)`},
		{`FATAL: password authentication failed for user "alice" (SQLSTATE 28P01)`, `FATAL: password authentication failed for user "[redacted]" (SQLSTATE 28P01)`},
		{`Error 1045 (28000): Access denied for user 'alice'@'172.17.0.1' (using password: NO)`, `Error 1045 (28000): Access denied for user [user]@[host] (using password: NO)`},
		{`dial tcp db.example.com:3306: i/o timeout`, `dial tcp [address]: i/o timeout`},
		{`dial tcp [fe80::1%eth0]:5432: connect: refused`, `dial tcp [address]: connect: refused`},
		{`dial unix /var/run/postgresql/.s.PGSQL.5432: connect: no such file`, `dial unix [socket]: connect: no such file`},
		{"Duplicate entry 'a\nforged' for key 'email'", `Duplicate entry 'a\nforged' for key 'email'`},
		{"ERROR: deadlock detected (SQLSTATE 40P01)", "ERROR: deadlock detected (SQLSTATE 40P01)"},
	} {
		assert.Equal(t, tc.want, sanitizeDriverText(tc.in), "sanitizing %q", tc.in)
	}
	long := sanitizeDriverText(strings.Repeat("x\n", 1<<20))
	assert.LessOrEqual(t, len(long), maxDriverText+16)
	assert.NotContains(t, long, "\n")
}

func TestDriverErrUnwraps(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.1:5432: connect: connection refused")
	err := driverErr(cause)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, "dial tcp [address]: connect: connection refused", err.Error())
	assert.Same(t, err, driverErr(err), "wrapped once")
	assert.NoError(t, driverErr(nil))
}
