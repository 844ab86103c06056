package password

import (
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// The sentinel errors of the package. None of their messages, nor the
// messages of the errors that wrap them, repeat a password or a hash: at
// most the algorithm name of a hash and its cost parameters, which are not
// secret.
var (
	// ErrMalformedHash reports a stored hash that Verify cannot read: an
	// unknown algorithm or a broken encoding. It is a data error (a corrupt
	// or foreign record), never the answer to a wrong password.
	ErrMalformedHash = errcode.New(errcode.Invalid, "password: malformed hash")
	// ErrHashParams reports a stored hash whose parameters are outside the
	// Limits (too much memory, time, threads or key, or a salt or key too
	// short to be safe), or a hasher configured with such parameters. Verify
	// returns it before doing any of the work the hash asks for.
	ErrHashParams = errcode.New(errcode.Invalid, "password: hash parameters out of bounds")
	// ErrInvalid is the sentinel every policy failure unwraps to (as a
	// *ValidationError with Field "password").
	ErrInvalid = errcode.New(errcode.Invalid, "password: invalid password")
	// ErrInvalidPolicy is the sentinel Policy.Validate's errors unwrap to (as
	// a *ValidationError naming the field): a configuration error of the
	// host, not a user's mistake, so that it is never shown as an invalid
	// password.
	ErrInvalidPolicy = errcode.New(errcode.Invalid, "password: invalid policy")
)

// ValidationError reports the invalid field and why; errors.Is(err,
// ErrInvalid) holds for the policy's errors on a password.
type ValidationError = validation.Error

// invalid returns the policy error for reason, unwrapping to ErrInvalid.
func invalid(format string, args ...any) *ValidationError {
	return validation.New(ErrInvalid, "password", format, args...)
}

// malformed returns ErrMalformedHash with a detail of this package's own
// words (never a part of the hash).
func malformed(detail string) error {
	return fmt.Errorf("%w: %s", ErrMalformedHash, detail)
}

// outOfBounds returns ErrHashParams with a detail naming the parameter.
func outOfBounds(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrHashParams}, args...)...)
}

// maxAlgorithmName bounds the algorithm name an error quotes.
const maxAlgorithmName = 16

// unknownAlgorithm returns ErrMalformedHash for an encoded hash of no format
// Verify reads. It quotes the modular-crypt identifier ("$md5$..." gives
// "md5") only when it is a short run of lower-case letters, digits and
// hyphens, the shape of every algorithm name, so that a secret stored by
// mistake in place of a hash is never echoed.
func unknownAlgorithm(encoded string) error {
	if id, _, ok := strings.Cut(strings.TrimPrefix(encoded, "$"), "$"); ok && strings.HasPrefix(encoded, "$") &&
		id != "" && len(id) <= maxAlgorithmName && strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" {
		return malformed(fmt.Sprintf("unknown algorithm %q", id))
	}
	return malformed("not a hash format this package reads")
}
