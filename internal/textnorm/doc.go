// Package textnorm puts text in Unicode Normalization Form C for every
// package of the module, in one place, because the golang.org/x/text version
// the module can use has a bug there.
//
// golang.org/x/text before v0.42.0 corrupts a supplementary-plane starter
// followed by a combining mark: norm.NFC.String("\U00010041\u0301") returns
// "Á". For keys that decide identity (canonical emails, group name keys)
// that would let two different strings collide. v0.42.0 fixes it but needs
// Go 1.26, and the module supports Go 1.24, so NFC checks its result: when
// normalizing would change the canonical decomposition of s (which a correct
// NFC never does), it returns s unchanged. Distinct strings therefore never
// collapse into one; the price is that such rare strings stay unnormalized.
// Drop the guard when the module's Go floor allows x/text v0.42.0.
package textnorm
