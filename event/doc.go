// Package event defines the domain events the services emit: one per change
// they commit, written to the outbox in the same transaction as the change
// (see storage.Outbox), so that no change commits without its event and no
// event exists for a change that rolled back.
//
// An Event names its type (a stable dotted name such as
// "customer.registered"), the aggregate it changed and that aggregate's
// version after the change, when it happened, who made it (actor.Actor), and
// a JSON payload whose shape the type's Schema version fixes; the payload
// types of this package (CustomerPayload, AddressPayload...) read it. Types
// and payloads only ever gain fields within a schema version; a change that
// would break a consumer gets a new schema version.
//
// The audit trail is a view of the same events: Event.Audit turns one into
// a field-level record of who changed what, masking personal values.
//
// Package event is pure: no I/O.
package event
