// Package group holds customer groups: named segments that customers belong
// to and that drive price lists, discounts and private market access.
//
// Group names are unique case-insensitively. [NameKey] computes the key that
// uniqueness and lookups use: the name is trimmed, put in Unicode NFC, runs of
// white space inside it are collapsed to one space, and it is case-folded
// with full Unicode case folding (golang.org/x/text/cases.Fold, followed by
// strings.ToLower and NFC). Case folding rather than strings.ToLower alone
// makes "STRASSE" and "Straße" the same key, as well as "ǅ", "Ǆ" and "ǆ"; it
// is locale-independent, so "I" folds to "i" in every language. The stored
// Name keeps the spelling the user chose (trimmed and in NFC).
//
// Storage enforces uniqueness on the key and returns [ErrNameTaken]; a group
// that a market restricts access to cannot be deleted ([ErrInUse]).
//
// A membership may count only in a window, [Validity] (half-open
// [From, Until), UTC microseconds): outside it the membership grants no
// market access and is not listed, yet it is kept. [Membership] is a
// membership with its window; [ErrNotMember] reports a missing one.
//
// A Group and a Patch marshal to JSON with snake_case names, the ones
// [ValidationError] reports, and times in UTC.
package group
