// Package privacy holds the values of a data-subject request: the
// [Document] that exports everything known about one customer (the right
// of access), the [Request] to erase it and the [Erasure] that records
// who erased whom, when and why (the right to erasure), and [ScrubPayload],
// which removes personal values from an event's payload.
//
// It is a pure domain package: the services (clientele.Privacy) gather the
// document and run the erasure over storage; nothing here reads the clock
// or a store.
package privacy
