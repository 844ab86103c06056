// Package phone parses international phone numbers into E.164 for the
// domain packages (customer phones, address phones), in one place, with
// github.com/nyaruka/phonenumbers (a port of Google's libphonenumber, which
// knows every country's numbering plan).
//
// Parsing costs tens of microseconds; storage adapters validate every
// record they write, mostly with a number that was validated before. E164
// therefore remembers the E.164 numbers it has accepted, in a set that
// forgets everything when it reaches a few thousand entries.
package phone
