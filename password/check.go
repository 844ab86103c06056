package password

import "strings"

// CheckHash reports whether encoded is a hash that Verify reads within
// lim (zero fields take DefaultLimits'), without running it: the format
// and the parameters are checked, no key is derived, so a bulk import can
// check millions of hashes. Errors: ErrMalformedHash, ErrHashParams.
func CheckHash(encoded string, lim Limits) error {
	if len(encoded) > maxEncodedLen {
		return malformed("longer than 512 bytes")
	}
	lim = lim.withDefaults()
	var err error
	switch {
	case strings.HasPrefix(encoded, argon2idPrefix):
		_, err = parseArgon2id(encoded, lim)
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		// A password longer than 72 bytes ends the verification after
		// its checks, before bcrypt runs.
		_, err = verifyBcrypt(encoded, strings.Repeat("x", bcryptMaxPassword+1), lim)
	case strings.HasPrefix(encoded, scryptPrefix):
		_, err = parseScryptPHC(encoded, lim)
	case isScryptKDF(encoded):
		_, _, err = parseScryptKDF(encoded, lim)
	default:
		err = unknownAlgorithm(encoded)
	}
	return err
}
