// Package apicheck holds tests that keep the module's public surface
// documented and consistent: every package has a doc.go with a package
// comment, every exported name has a doc comment, every enum of the domain
// packages parses, prints and marshals the same way, and every state machine
// offers CanTransition(from, to) and typed transition errors. It has no code
// of its own.
package apicheck
