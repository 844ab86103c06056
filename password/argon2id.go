package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

const argon2idPrefix = "$argon2id$"

// argon2Params are the parameters of an argon2id hash, as they decide
// whether a stored hash needs rehashing.
type argon2Params struct {
	memory, time    uint32
	threads         uint8
	saltLen, keyLen uint32
}

// check reports whether p is within lim and the package's minimums.
func (p argon2Params) check(lim Limits) error {
	switch {
	case p.memory > lim.MaxMemoryKiB:
		return outOfBounds("argon2id m=%d KiB is above the limit of %d", p.memory, lim.MaxMemoryKiB)
	case p.time < 1 || p.time > lim.MaxTime:
		return outOfBounds("argon2id t=%d is not within 1..%d", p.time, lim.MaxTime)
	case p.threads < 1 || p.threads > lim.MaxThreads:
		return outOfBounds("argon2id p=%d is not within 1..%d", p.threads, lim.MaxThreads)
	case uint64(p.memory) < 8*uint64(p.threads):
		return outOfBounds("argon2id m=%d KiB is below 8 KiB per lane (p=%d)", p.memory, p.threads)
	case p.saltLen < minSaltLen || p.saltLen > maxSaltLen:
		return outOfBounds("argon2id salt of %d bytes is not within %d..%d", p.saltLen, minSaltLen, maxSaltLen)
	case p.keyLen < minKeyLen || p.keyLen > lim.MaxKeyLen:
		return outOfBounds("argon2id key of %d bytes is not within %d..%d", p.keyLen, minKeyLen, lim.MaxKeyLen)
	}
	return nil
}

// hash returns the PHC string of a new hash of password with p, which the
// caller has checked.
func (p argon2Params) hash(password string) (string, error) {
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading a random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, p.keyLen)
	return fmt.Sprintf("%sv=%d$m=%d,t=%d,p=%d$%s$%s", argon2idPrefix, argon2.Version, p.memory, p.time, p.threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// argon2Hash is a parsed argon2id hash.
type argon2Hash struct {
	params    argon2Params
	salt, key []byte
}

// parseArgon2id parses "$argon2id$v=19$m=M,t=T,p=P$<salt>$<key>" and checks
// its parameters against lim. Only version 19 (0x13, the current and final
// version of argon2) is read; the optional keyid and data parameters of the
// PHC format are not.
func parseArgon2id(encoded string, lim Limits) (argon2Hash, error) {
	fields := strings.Split(strings.TrimPrefix(encoded, argon2idPrefix), "$")
	if len(fields) != 4 {
		return argon2Hash{}, malformed("argon2id: not of the form $argon2id$v=19$m=,t=,p=$salt$key")
	}
	if fields[0] != "v=19" {
		return argon2Hash{}, malformed("argon2id: version is not v=19")
	}
	nums, err := parseParams(fields[1], "argon2id", "m", "t", "p")
	if err != nil {
		return argon2Hash{}, err
	}
	salt, err := decodeBase64(fields[2], false)
	if err != nil {
		return argon2Hash{}, malformed("argon2id: salt is not unpadded base64")
	}
	key, err := decodeBase64(fields[3], false)
	if err != nil {
		return argon2Hash{}, malformed("argon2id: key is not unpadded base64")
	}
	m, t, p := nums[0], nums[1], nums[2]
	switch {
	case m > uint64(lim.MaxMemoryKiB):
		return argon2Hash{}, outOfBounds("argon2id m=%d KiB is above the limit of %d", m, lim.MaxMemoryKiB)
	case t > uint64(lim.MaxTime):
		return argon2Hash{}, outOfBounds("argon2id t=%d is above the limit of %d", t, lim.MaxTime)
	case p > uint64(lim.MaxThreads):
		return argon2Hash{}, outOfBounds("argon2id p=%d is above the limit of %d", p, lim.MaxThreads)
	}
	h := argon2Hash{
		params: argon2Params{memory: uint32(m), time: uint32(t), threads: uint8(p),
			saltLen: uint32(len(salt)), keyLen: uint32(len(key))},
		salt: salt,
		key:  key,
	}
	if err := h.params.check(lim); err != nil {
		return argon2Hash{}, err
	}
	return h, nil
}

// verify reports in constant time whether password matches h.
func (h argon2Hash) verify(password string) bool {
	key := argon2.IDKey([]byte(password), h.salt, h.params.time, h.params.memory, h.params.threads, h.params.keyLen)
	return subtle.ConstantTimeCompare(key, h.key) == 1
}

// maxParamDigits bounds the decimal digits of a parameter: 10 digits hold
// every uint32.
const maxParamDigits = 10

// parseParams parses the PHC parameter list s ("m=19456,t=2,p=1"), which
// must name exactly names, in that order, with decimal values without sign
// or leading zeros (the PHC format's rule). A value too large for a uint32
// is ErrHashParams; anything else that does not parse is ErrMalformedHash.
func parseParams(s, alg string, names ...string) ([]uint64, error) {
	parts := strings.Split(s, ",")
	if len(parts) != len(names) {
		return nil, malformed(alg + ": parameters are not " + strings.Join(names, "=,") + "=")
	}
	nums := make([]uint64, len(names))
	for i, part := range parts {
		digits, ok := strings.CutPrefix(part, names[i]+"=")
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" || (len(digits) > 1 && digits[0] == '0') {
			return nil, malformed(alg + ": parameters are not " + strings.Join(names, "=,") + "= with decimal values")
		}
		if len(digits) > maxParamDigits {
			return nil, outOfBounds("%s %s has more than %d digits", alg, names[i], maxParamDigits)
		}
		var n uint64
		for _, c := range []byte(digits) {
			n = n*10 + uint64(c-'0')
		}
		if n > 1<<32-1 {
			return nil, outOfBounds("%s %s=%d does not fit 32 bits", alg, names[i], n)
		}
		nums[i] = n
	}
	return nums, nil
}

// decodeBase64 decodes s in the standard base64 alphabet, unpadded, in its
// canonical form (unused bits zero, no line breaks). When lenient is true it also accepts
// padding and passlib's "adapted base64", which writes '.' for '+'.
func decodeBase64(s string, lenient bool) ([]byte, error) {
	if strings.ContainsAny(s, "\r\n") { // encoding/base64 skips them
		return nil, base64.CorruptInputError(strings.IndexAny(s, "\r\n"))
	}
	enc := base64.RawStdEncoding
	if lenient {
		s = strings.ReplaceAll(s, ".", "+")
		if strings.HasSuffix(s, "=") {
			enc = base64.StdEncoding
		}
	}
	return enc.Strict().DecodeString(s)
}
