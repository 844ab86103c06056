package password

import (
	"errors"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptLen is the length of a bcrypt hash: "$2b$", two digits of cost,
// "$", 22 characters of salt and 31 of hash.
const bcryptLen = 60

// bcryptMaxPassword is the number of password bytes bcrypt reads.
const bcryptMaxPassword = 72

// bcryptAlphabet is bcrypt's own base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// verifyBcrypt verifies a "$2a$", "$2b$" or "$2y$" hash, which it reads as
// one algorithm, as golang.org/x/crypto/bcrypt and the common libraries do
// ("$2x$", crypt_blowfish's mark for hashes of its 8-bit bug, is not read). bcrypt reads only the first 72 bytes of a password, so that
// every longer password sharing them would match: a password longer than 72
// bytes never matches here, and bcrypt does not run for it.
func verifyBcrypt(encoded, password string, lim Limits) (bool, error) {
	if len(encoded) != bcryptLen || encoded[6] != '$' ||
		strings.Trim(encoded[4:6], "0123456789") != "" || strings.Trim(encoded[7:], bcryptAlphabet) != "" {
		return false, malformed("bcrypt: not of the form $2b$NN$ and 53 characters of bcrypt base64")
	}
	cost, err := bcrypt.Cost([]byte(encoded))
	if err != nil {
		var ce bcrypt.InvalidCostError
		if errors.As(err, &ce) {
			return false, outOfBounds("bcrypt cost %d is not within %d..%d", int(ce), bcrypt.MinCost, bcrypt.MaxCost)
		}
		return false, malformed("bcrypt: unreadable hash")
	}
	if cost > lim.MaxBcryptCost {
		return false, outOfBounds("bcrypt cost %d is above the limit of %d", cost, lim.MaxBcryptCost)
	}
	if len(password) > bcryptMaxPassword {
		return false, nil
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(password)); {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, malformed("bcrypt: unreadable hash")
	}
}
