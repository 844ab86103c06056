package password

import (
	"strings"
)

// Hasher hashes new passwords and verifies stored hashes. Safe for
// concurrent use.
type Hasher interface {
	// Hash returns the encoded hash (a PHC string for argon2id) of
	// password, which the caller has normalized (Normalize). Each call
	// draws a new random salt, so two hashes of one password differ.
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash, and whether
	// the hash should be replaced by Hash(password) after a successful
	// verification (another algorithm, or parameters other than the
	// hasher's own); rehash is false when ok is.
	//
	// Errors (never for a mere mismatch): ErrMalformedHash (unknown or
	// broken format), ErrHashParams (parameters beyond Limits), both
	// returned before any expensive work.
	Verify(encoded, password string) (ok, rehash bool, err error)
}

// The default parameters: OWASP's Password Storage Cheat Sheet minimum for
// argon2id (m=19 MiB, t=2, p=1), a 128-bit salt and a 256-bit key.
const (
	defaultMemory  = 19456
	defaultTime    = 2
	defaultThreads = 1
	defaultSaltLen = 16
	defaultKeyLen  = 32
)

// Argon2id is the default Hasher: argon2id (golang.org/x/crypto/argon2.IDKey),
// encoded as the PHC string
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with the salt and key in standard base64 without padding, as the PHC
// string format says, so that other argon2 libraries (argon2-cffi, the
// reference implementation, node-argon2) read its hashes and it reads
// theirs. Each zero field takes the value of Default, so the zero Argon2id
// (and a nil *Argon2id) is Default. Besides its own hashes, Verify reads
// bcrypt and scrypt hashes imported from other systems (see the package
// doc) and asks for them to be rehashed.
//
// An Argon2id is safe for concurrent use as long as its fields are not
// changed. Each Hash or Verify of an argon2id hash allocates Memory KiB.
type Argon2id struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes (the p of the PHC string)
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
	// Limits bounds the parameters read from stored hashes (and the
	// hasher's own); its zero fields take the values of DefaultLimits.
	Limits Limits
}

// Default returns the default hasher: argon2id with m=19456 KiB (19 MiB),
// t=2, p=1, a 16-byte salt and a 32-byte key (OWASP's argon2id minimum),
// and DefaultLimits.
func Default() *Argon2id {
	return &Argon2id{
		Memory:  defaultMemory,
		Time:    defaultTime,
		Threads: defaultThreads,
		SaltLen: defaultSaltLen,
		KeyLen:  defaultKeyLen,
	}
}

// Hash returns the PHC string of a new argon2id hash of password, with a
// random salt from crypto/rand. Its error is ErrHashParams when the
// hasher's parameters are out of bounds (see Validate).
func (a *Argon2id) Hash(password string) (string, error) {
	p := a.params()
	if err := p.check(a.limits()); err != nil {
		return "", err
	}
	return p.hash(password)
}

// Verify reports whether password matches encoded, a hash in one of the
// formats of the package doc, and whether it should be rehashed: always
// for a bcrypt or scrypt hash that matched, and for an argon2id hash whose
// m, t, p, salt length or key length differ from the hasher's. Encoded
// strings longer than 512 bytes are malformed. All comparisons are in
// constant time.
func (a *Argon2id) Verify(encoded, password string) (ok, rehash bool, err error) {
	if len(encoded) > maxEncodedLen {
		return false, false, malformed("longer than 512 bytes")
	}
	lim := a.limits()
	switch {
	case strings.HasPrefix(encoded, argon2idPrefix):
		h, err := parseArgon2id(encoded, lim)
		if err != nil {
			return false, false, err
		}
		if !h.verify(password) {
			return false, false, nil
		}
		return true, h.params != a.params(), nil
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		ok, err = verifyBcrypt(encoded, password, lim)
	case strings.HasPrefix(encoded, scryptPrefix):
		ok, err = verifyScryptPHC(encoded, password, lim)
	case isScryptKDF(encoded):
		ok, err = verifyScryptKDF(encoded, password, lim)
	default:
		return false, false, unknownAlgorithm(encoded)
	}
	if err != nil {
		return false, false, err
	}
	return ok, ok, nil
}

// CheckHash reports whether Verify reads encoded within the hasher's
// Limits, without running it (the package's CheckHash with a.Limits): an
// import checks a hash against the limits of the hasher that will verify
// it. Errors: ErrMalformedHash, ErrHashParams.
func (a *Argon2id) CheckHash(encoded string) error {
	return CheckHash(encoded, a.limits())
}

// Validate reports whether the hasher's parameters (after defaults) are
// within its Limits and the minimums of the package (a salt of 8 bytes, a
// key of 16, t >= 1, p >= 1 and m >= 8·p KiB), that is whether Hash works
// and Verify would read its hashes back. The error is ErrHashParams.
func (a *Argon2id) Validate() error {
	return a.params().check(a.limits())
}

// params returns the hasher's parameters, each zero field replaced by its
// default.
func (a *Argon2id) params() argon2Params {
	p := argon2Params{memory: defaultMemory, time: defaultTime, threads: defaultThreads,
		saltLen: defaultSaltLen, keyLen: defaultKeyLen}
	if a == nil {
		return p
	}
	if a.Memory != 0 {
		p.memory = a.Memory
	}
	if a.Time != 0 {
		p.time = a.Time
	}
	if a.Threads != 0 {
		p.threads = a.Threads
	}
	if a.SaltLen != 0 {
		p.saltLen = a.SaltLen
	}
	if a.KeyLen != 0 {
		p.keyLen = a.KeyLen
	}
	return p
}

// limits returns the hasher's limits with defaults.
func (a *Argon2id) limits() Limits {
	if a == nil {
		return defaultLimits
	}
	return a.Limits.withDefaults()
}

var _ Hasher = (*Argon2id)(nil)
