// Package apicheck holds tests that keep the module's public surface
// documented: every package has a doc.go with a package comment, and every
// exported name has a doc comment. It has no code of its own.
package apicheck
