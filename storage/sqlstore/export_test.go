package sqlstore

import (
	"sort"
)

// RawQueries returns, sorted, the query texts the store has run so far as the
// repositories wrote them: with {{prefix}} and ? placeholders, after the
// dialect's InsertOrNothing and ForUpdate. Tests use it to check that the
// SQL they explain or benchmark is what the repositories really run.
func (s *Store) RawQueries() []string {
	var out []string
	s.cache.queries.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	sort.Strings(out)
	return out
}

// PreparedStatements returns how many statements the store holds prepared
// on its *sql.DB, and how many are being prepared in the background.
func (s *Store) PreparedStatements() (prepared, pending int) {
	s.cache.stmts.Range(func(_, _ any) bool { prepared++; return true })
	s.cache.pending.Range(func(_, _ any) bool { pending++; return true })
	return prepared, pending
}
