// Package segment holds saved, rule-based audiences: a Segment is a named
// Rule (a tree of All, Any, Not and Condition nodes) over a customer's
// facts — tags, type, status, state, groups, metadata, the country of the
// default addresses, the creation time and the order figures.
//
// The package is pure: Matches evaluates a rule against the Facts of one
// customer in Go (the memory adapter's evaluation, and the reference the
// SQL adapters are tested against); the SQL adapters translate the same
// rule to a WHERE clause. A rule's JSON form carries a schema version
// (SchemaVersion) so that stored rules can be read by later releases; a
// segment carries a Version that storage bumps on every write.
package segment
