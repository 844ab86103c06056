// Package actor says who makes a change: a customer, a member of staff, an
// app or integration, or the system itself. The actor travels on the
// context (NewContext, FromContext), so that every layer a call crosses can
// record it without threading it through every signature; the services
// store it on events, postings and audit records.
//
// Package actor is pure: no I/O, no dependency beyond the standard library.
package actor
