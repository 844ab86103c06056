package sqlstore

import (
	"database/sql"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// driverError is an error of the database driver as the store reports it.
// Its text is the driver's, with what a log must not carry taken out:
// connection details (user, database, host, port, socket paths, the
// `user=... database=...` of pgx's connect errors, MySQL's 'user'@'host')
// redacted, control characters escaped, and cut to maxDriverText bytes.
// Unwrap returns the driver's error untouched, so errors.As still reaches
// *pgconn.PgError or *mysql.MySQLError, and the dialects classify it as
// before.
type driverError struct{ err error }

func (e *driverError) Error() string { return sanitizeDriverText(e.err.Error()) }

// Unwrap returns the driver's error.
func (e *driverError) Unwrap() error { return e.err }

// driverErr wraps an error that came from database/sql or the driver in a
// driverError. sql.ErrNoRows, nil, and errors already wrapped pass as they
// are.
func driverErr(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var de *driverError
	if errors.As(err, &de) {
		return err
	}
	return &driverError{err}
}

// maxDriverText bounds the text of a driverError.
const maxDriverText = 512

// driverRedactions take connection details out of driver messages, in
// order: addresses first, so that the later patterns see no host.
var driverRedactions = []struct {
	re   *regexp.Regexp
	repl string
}{
	// pgx: failed to connect to `user=postgres database=app`
	{regexp.MustCompile("`[^`]*=[^`]*`"), "`[connection]`"},
	// libpq-style key=value parameters.
	{regexp.MustCompile(`\b(user|username|database|dbname|host|hostaddr|port|password|passfile|sslkey|sslcert|sslrootcert|service|application_name)=('[^']*'|\S*)`), "$1=[redacted]"},
	// PostgreSQL: database "app" does not exist, role "app" ..., password
	// authentication failed for user "app"
	{regexp.MustCompile(`\b(database|role|user)\s+"[^"]*"`), `$1 "[redacted]"`},
	// MySQL: Access denied for user 'app'@'10.0.0.7'
	{regexp.MustCompile(`'[^']*'@'[^']*'`), "[user]@[host]"},
	// Unix sockets: /var/run/postgresql/.s.PGSQL.5432, /run/mysqld/mysqld.sock
	{regexp.MustCompile(`\S*(\.s\.PGSQL\.\d+|\.sock)\b`), "[socket]"},
	// [IPv6]:port, IPv4[:port], host.name:port
	{regexp.MustCompile(`\[[0-9A-Za-z.%]*:[0-9A-Za-z:.%]*\](:\d+)?`), "[address]"},
	{regexp.MustCompile(`\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b`), "[address]"},
	{regexp.MustCompile(`\b[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*:\d{1,5}\b`), "[address]"},
}

// sanitizeDriverText is the text of a driverError for the driver's message s.
func sanitizeDriverText(s string) string {
	if len(s) > 8*maxDriverText { // bound the work, not just the result
		s = s[:8*maxDriverText]
	}
	for _, r := range driverRedactions {
		s = r.re.ReplaceAllString(s, r.repl)
	}
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= maxDriverText {
			b.WriteString("... (cut)")
			break
		}
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], string(utf8.RuneError)):
			b.WriteString(`\x` + strconv.FormatUint(uint64(s[i]), 16))
		case unicode.IsPrint(r):
			b.WriteRune(r)
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
	}
	return b.String()
}
