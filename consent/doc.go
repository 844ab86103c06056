// Package consent keeps a customer's communication preferences and
// consent: for each [Channel] (email, SMS, push, post) and [Purpose]
// (marketing, newsletter, transactional notices), an append-only history
// of [Record]s — granted, withdrawn, or pending a double opt-in — each
// with its time, source, actor and the version of the wording the
// customer saw. The current [State] of a pair is its latest record by
// (At, Seq); a pair never recorded has no consent. A merge of two
// customers joins their histories (the merged customer's records follow
// the survivor's), and the latest record by time of each pair is then the
// survivor's state.
//
// Double opt-in: a pending record carries the hash of a one-time token
// (package credential's secrets) and its expiry; the grant that confirms
// it names the pending record (Confirms) and keeps the token's hash as
// the proof. The secret itself is never stored.
//
// An erasure keeps the proof of consent under the pseudonymous customer
// ID and removes the personal values: [Record.Anonymized] clears the IP
// address, the user agent and the note; channel, purpose, status, time,
// source, wording version and actor kind stay.
//
// The package is pure: no I/O, no clock; every change takes its time.
package consent
