package password

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// Normalize returns password in Unicode Normalization Form KC (NFKC), the
// form to hash and to verify, so that the same password typed on two
// keyboards (a precomposed "é" or "e" with a combining accent, a fullwidth
// "Ａ" or "A", the ligature "ﬁ" or "fi") is the same password, as NIST SP
// 800-63B asks. Nothing else changes: no trimming, no case folding, no
// truncation. Invalid UTF-8 is a *ValidationError{Field: "password", Reason:
// "is not valid UTF-8"} that unwraps to ErrInvalid.
//
// The form is computed by golang.org/x/text/unicode/norm behind the
// module's guard against its composition bug (internal/textnorm): the rare
// strings it would corrupt are returned unchanged, so that two different
// passwords never normalize to one.
func Normalize(password string) (string, error) {
	if !utf8.ValidString(password) {
		return "", invalid("is not valid UTF-8")
	}
	return textnorm.NFKC(password), nil
}

// The default and fixed lengths of a Policy, in characters.
const (
	defaultMinLength = 8
	defaultMaxLength = 256
	// floorMaxLength is NIST's "at least 64 characters" that a verifier
	// must accept: a smaller MaxLength is raised to it.
	floorMaxLength = 64
	// ceilMaxLength bounds MaxLength (see Validate).
	ceilMaxLength = 1024
	// maxBytesPerChar bounds the bytes of input per character of its NFKC
	// form: a character of the normal form decomposes (NFKD) into at most
	// 18 code points (U+FDFA), and the input's code points are no more
	// than those of its decomposition, each at most 4 bytes. An input
	// longer than 72·MaxLength bytes is too long without normalizing it.
	maxBytesPerChar = 18 * utf8.UTFMax
)

// Policy decides which passwords a customer may choose, after NIST SP
// 800-63B: a minimum and a maximum length counted in characters, a list of
// common passwords, and an optional check against breach corpora; no
// composition rules (no "one digit, one capital"), no truncation, no hints.
// The zero Policy is usable: 8 to 256 characters and the common list.
type Policy struct {
	// MinLength is the minimum length in characters (runes of the NFKC
	// form); 0 means 8. NIST SP 800-63B-4 asks for 15 when the password is
	// the only factor and 8 with a second factor.
	MinLength int
	// MaxLength is the maximum length in characters; 0 means 256, and a
	// value below 64 is raised to 64 (NIST: accept at least 64). It is at
	// most 1024.
	MaxLength int
	// AllowCommon, when false, refuses the passwords of the built-in list
	// of common passwords (see Common).
	AllowCommon bool
	// Breached, when not nil, is asked about every password that passes
	// the other checks. nil means no breach check: the package makes no
	// network call of its own.
	Breached BreachChecker
}

// BreachChecker tells whether a password is known from a breach. An
// implementation usually calls a k-anonymity API (such as Have I Been
// Pwned's range API, sending the first five hex digits of the password's
// SHA-1) or looks the password up in a local corpus.
type BreachChecker interface {
	// Breached reports whether the password is known from a breach corpus
	// (for example a k-anonymity API). Errors fail the check. It must be
	// safe for concurrent use.
	Breached(ctx context.Context, password string) (bool, error)
}

// BreachCheckerFunc adapts a function to the BreachChecker interface.
type BreachCheckerFunc func(ctx context.Context, password string) (bool, error)

// Breached calls f(ctx, password).
func (f BreachCheckerFunc) Breached(ctx context.Context, password string) (bool, error) {
	return f(ctx, password)
}

// Check normalizes password (Normalize) and checks it against the policy,
// cheapest check first; it returns the normalized form, the one to hash.
//
// A refused password is a *ValidationError with Field "password" that
// unwraps to ErrInvalid, with one of the reasons "is not valid UTF-8", "is
// shorter than N characters", "is longer than N characters", "is too
// common" and "appears in a data breach". An error of the BreachChecker is
// returned wrapped, not as ErrInvalid: the password was not refused, the
// check failed (a host may retry, or decide to let it pass). A policy that
// fails Validate returns Validate's error. No composition rules, no
// truncation.
func (p Policy) Check(ctx context.Context, password string) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	minLen, maxLen := p.lengths()
	if !utf8.ValidString(password) {
		return "", invalid("is not valid UTF-8")
	}
	if len(password) > p.MaxInputBytes() {
		return "", invalid("is longer than %d characters", maxLen)
	}
	normalized := textnorm.NFKC(password)
	switch n := utf8.RuneCountInString(normalized); {
	case n < minLen:
		return "", invalid("is shorter than %d characters", minLen)
	case n > maxLen:
		return "", invalid("is longer than %d characters", maxLen)
	}
	if !p.AllowCommon && Common(normalized) {
		return "", invalid("is too common")
	}
	if p.Breached != nil {
		breached, err := p.Breached.Breached(ctx, normalized)
		if err != nil {
			return "", fmt.Errorf("password: breach check: %w", err)
		}
		if breached {
			return "", invalid("appears in a data breach")
		}
	}
	return normalized, nil
}

// MaxInputBytes returns the length in bytes beyond which Check refuses a
// password without normalizing it: 72 bytes per character of MaxLength
// (18,432 for the default 256 characters, 73,728 at most). No password
// the policy accepted is longer, so a verifier may refuse a longer input
// unread too, instead of normalizing and hashing megabytes a client sent.
func (p Policy) MaxInputBytes() int {
	_, maxLen := p.lengths()
	return maxBytesPerChar * maxLen
}

// Validate reports whether the policy is coherent after its defaults: a
// MinLength of at least 1 and at most MaxLength, and a MaxLength of at most
// 1024. Its errors are *ValidationError naming the field ("min_length",
// "max_length") and unwrap to ErrInvalidPolicy.
func (p Policy) Validate() error {
	minLen, maxLen := p.lengths()
	switch {
	case minLen < 1:
		return validation.New(ErrInvalidPolicy, "min_length", "must be at least 1")
	case maxLen > ceilMaxLength:
		return validation.New(ErrInvalidPolicy, "max_length", "must be at most %d", ceilMaxLength)
	case minLen > maxLen:
		return validation.New(ErrInvalidPolicy, "min_length", "must be at most max_length (%d)", maxLen)
	}
	return nil
}

// lengths returns MinLength and MaxLength with their defaults.
func (p Policy) lengths() (minLen, maxLen int) {
	minLen, maxLen = p.MinLength, p.MaxLength
	if minLen == 0 {
		minLen = defaultMinLength
	}
	switch {
	case maxLen == 0:
		maxLen = defaultMaxLength
	case maxLen < floorMaxLength:
		maxLen = floorMaxLength
	}
	return minLen, maxLen
}
