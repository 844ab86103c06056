package password

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"strings"

	"golang.org/x/crypto/scrypt"
)

const scryptPrefix = "$scrypt$"

// scryptParams are the cost parameters of an scrypt hash.
type scryptParams struct {
	logN, r, p uint64
}

// check reports whether p is within lim: 1 <= log2 N, r >= 1, 1 <= p <=
// MaxScryptP, memory 128·N·r bytes within MaxMemoryKiB and work N·r·p at
// most 1<<22. It never overflows, whatever the values.
func (p scryptParams) check(lim Limits) error {
	switch {
	case p.logN < 1 || p.r < 1 || p.p < 1:
		return outOfBounds("scrypt ln=%d, r=%d, p=%d: each must be at least 1", p.logN, p.r, p.p)
	case p.p > uint64(max(lim.MaxScryptP, 0)):
		return outOfBounds("scrypt p=%d is above the limit of %d", p.p, lim.MaxScryptP)
	case p.logN > 32 || p.r > maxScryptWork || (uint64(1)<<p.logN)*p.r > maxScryptWork/p.p:
		return outOfBounds("scrypt ln=%d, r=%d, p=%d: N·r·p is above %d", p.logN, p.r, p.p, maxScryptWork)
	}
	// N·r <= 1<<22 here, so the memory in KiB, 128·N·r/1024, is exact.
	if kib := (uint64(1) << p.logN) * p.r / 8; kib > uint64(lim.MaxMemoryKiB) {
		return outOfBounds("scrypt ln=%d, r=%d: %d KiB is above the limit of %d", p.logN, p.r, kib, lim.MaxMemoryKiB)
	}
	return nil
}

// key returns scrypt(password, salt, N, r, p, keyLen) for checked
// parameters.
func (p scryptParams) key(password string, salt []byte, keyLen int) ([]byte, error) {
	k, err := scrypt.Key([]byte(password), salt, 1<<p.logN, int(p.r), int(p.p), keyLen)
	if err != nil { // unreachable for checked parameters
		return nil, outOfBounds("scrypt: %v", err)
	}
	return k, nil
}

// verifyScryptPHC verifies passlib's scrypt format, which follows the PHC
// string format: "$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<key>". passlib
// writes salt and key in standard base64 without padding; this also reads
// them padded, and with '.' for '+' (passlib's "adapted base64" of its
// other formats). The key length is that of the decoded key.
func verifyScryptPHC(encoded, password string, lim Limits) (bool, error) {
	h, err := parseScryptPHC(encoded, lim)
	if err != nil {
		return false, err
	}
	got, err := h.params.key(password, h.salt, len(h.key))
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// scryptPHC is a parsed passlib scrypt hash.
type scryptPHC struct {
	params    scryptParams
	salt, key []byte
}

// parseScryptPHC reads and checks a passlib scrypt hash without deriving
// a key.
func parseScryptPHC(encoded string, lim Limits) (scryptPHC, error) {
	fields := strings.Split(strings.TrimPrefix(encoded, scryptPrefix), "$")
	if len(fields) != 3 {
		return scryptPHC{}, malformed("scrypt: not of the form $scrypt$ln=,r=,p=$salt$key")
	}
	nums, err := parseParams(fields[0], "scrypt", "ln", "r", "p")
	if err != nil {
		return scryptPHC{}, err
	}
	salt, err := decodeBase64(fields[1], true)
	if err != nil {
		return scryptPHC{}, malformed("scrypt: salt is not base64")
	}
	want, err := decodeBase64(fields[2], true)
	if err != nil {
		return scryptPHC{}, malformed("scrypt: key is not base64")
	}
	p := scryptParams{logN: nums[0], r: nums[1], p: nums[2]}
	if err := p.check(lim); err != nil {
		return scryptPHC{}, err
	}
	if err := checkSaltKey("scrypt", len(salt), len(want), lim); err != nil {
		return scryptPHC{}, err
	}
	return scryptPHC{params: p, salt: salt, key: want}, nil
}

// checkSaltKey applies the salt and key bounds of argon2id to another
// algorithm.
func checkSaltKey(alg string, saltLen, keyLen int, lim Limits) error {
	switch {
	case saltLen < minSaltLen || saltLen > maxSaltLen:
		return outOfBounds("%s salt of %d bytes is not within %d..%d", alg, saltLen, minSaltLen, maxSaltLen)
	case keyLen < minKeyLen || uint64(keyLen) > uint64(lim.MaxKeyLen):
		return outOfBounds("%s key of %d bytes is not within %d..%d", alg, keyLen, minKeyLen, lim.MaxKeyLen)
	}
	return nil
}

// The scrypt-kdf format (npm scrypt-kdf, what Medusa's emailpass provider
// stores, in base64): Colin Percival's scrypt file header, 96 bytes.
//
//	0..5    "scrypt"
//	6       version, 0
//	7       log2 N
//	8..11   r, big-endian
//	12..15  p, big-endian
//	16..47  salt
//	48..63  checksum: SHA-256(bytes 0..47)[:16]
//	64..95  HMAC-SHA256(bytes 0..63), keyed with bytes 32..63 of
//	        scrypt(password, salt, N, r, p, 64)
const (
	scryptKDFLen        = 96
	scryptKDFEncodedLen = 128 // base64 of 96 bytes, which needs no padding
	scryptKDFMagic      = "scrypt\x00"
	// scryptKDFPrefix is the base64 of "scrypt": every scrypt-kdf hash
	// starts with it.
	scryptKDFPrefix = "c2NyeXB0"
)

// isScryptKDF reports whether encoded has the shape of a scrypt-kdf hash in
// base64; verifyScryptKDF checks the rest.
func isScryptKDF(encoded string) bool {
	return len(encoded) == scryptKDFEncodedLen && strings.HasPrefix(encoded, scryptKDFPrefix)
}

// verifyScryptKDF verifies a scrypt-kdf hash, as Scrypt.verify of scrypt-kdf
// does, except that a wrong checksum is ErrMalformedHash rather than a
// mismatch (it is corruption, not a wrong password) and that a version
// other than 0 is refused.
func verifyScryptKDF(encoded, password string, lim Limits) (bool, error) {
	data, p, err := parseScryptKDF(encoded, lim)
	if err != nil {
		return false, err
	}
	dk, err := p.key(password, data[16:48], 64)
	if err != nil {
		return false, err
	}
	mac := hmac.New(sha256.New, dk[32:])
	mac.Write(data[:64])
	return hmac.Equal(mac.Sum(nil), data[64:]), nil
}

// parseScryptKDF decodes and checks a scrypt-kdf hash (its header, its
// checksum and its parameters) without deriving a key.
func parseScryptKDF(encoded string, lim Limits) ([]byte, scryptParams, error) {
	data, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil || len(data) != scryptKDFLen || string(data[:len(scryptKDFMagic)]) != scryptKDFMagic {
		return nil, scryptParams{}, malformed("scrypt-kdf: not the base64 of a 96-byte scrypt header of version 0")
	}
	sum := sha256.Sum256(data[:48])
	if subtle.ConstantTimeCompare(sum[:16], data[48:64]) != 1 {
		return nil, scryptParams{}, malformed("scrypt-kdf: wrong header checksum")
	}
	p := scryptParams{
		logN: uint64(data[7]),
		r:    uint64(binary.BigEndian.Uint32(data[8:12])),
		p:    uint64(binary.BigEndian.Uint32(data[12:16])),
	}
	if err := p.check(lim); err != nil {
		return nil, scryptParams{}, err
	}
	return data, p, nil
}
