package password

// Limits bounds the parameters of a stored hash, so that a hostile or
// corrupt hash cannot ask for gigabytes or hours: Verify refuses a hash
// beyond them with ErrHashParams before it does any of the work. Each zero
// field takes its value from DefaultLimits.
//
// Limits also bound the hasher's own parameters (Argon2id.Validate), so
// that it never writes a hash it would refuse to read: a host that raises
// Argon2id.Memory above 64 MiB raises MaxMemoryKiB with it.
type Limits struct {
	// MaxMemoryKiB bounds argon2's m and scrypt's memory, 128·N·r bytes;
	// default 65536 (64 MiB, the memory of passlib's default scrypt).
	MaxMemoryKiB uint32
	// MaxTime bounds argon2's t (passes over the memory); default 10.
	MaxTime uint32
	// MaxThreads bounds argon2's p (lanes); default 8.
	MaxThreads uint8
	// MaxBcryptCost bounds bcrypt's cost, the log2 of its rounds; default
	// 14 (16 times the work of PHP's and Go's default 10).
	MaxBcryptCost int
	// MaxScryptP bounds scrypt's p; default 16. Whatever the limits, the
	// work of a scrypt hash N·r·p is at most 1<<22 (32 times that of
	// Medusa's N=2^15, r=8, p=1).
	MaxScryptP int
	// MaxKeyLen bounds the length in bytes of a hash's key (argon2id's tag,
	// scrypt's derived key); default 128. Salts are at most 128 bytes
	// whatever the limits, and argon2id and scrypt hashes need a salt of at
	// least 8 bytes and a key of at least 16, so that a truncated hash
	// cannot match a random password.
	MaxKeyLen uint32
}

// DefaultLimits are the limits that the zero fields of a Limits take: room
// for OWASP's and the common libraries' parameters (argon2id m=19456..65536
// KiB, bcrypt 10..12, scrypt 2^15..2^16 with r=8) and at most 64 MiB of
// memory per verification. It is for reading: the package keeps its own
// copy, so assigning to it changes nothing (set Argon2id.Limits instead).
var DefaultLimits = defaultLimits

var defaultLimits = Limits{
	MaxMemoryKiB:  64 << 10,
	MaxTime:       10,
	MaxThreads:    8,
	MaxBcryptCost: 14,
	MaxScryptP:    16,
	MaxKeyLen:     128,
}

// The bounds that no Limits changes.
const (
	// maxEncodedLen bounds the encoded hash Verify reads.
	maxEncodedLen = 512
	// minSaltLen and maxSaltLen bound the salt of argon2id and scrypt hashes.
	minSaltLen = 8
	maxSaltLen = 128
	// minKeyLen is the shortest key of argon2id and scrypt hashes.
	minKeyLen = 16
	// maxScryptWork bounds scrypt's N·r·p.
	maxScryptWork = 1 << 22
)

// withDefaults returns l with each zero field taken from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := defaultLimits
	if l.MaxMemoryKiB == 0 {
		l.MaxMemoryKiB = d.MaxMemoryKiB
	}
	if l.MaxTime == 0 {
		l.MaxTime = d.MaxTime
	}
	if l.MaxThreads == 0 {
		l.MaxThreads = d.MaxThreads
	}
	if l.MaxBcryptCost == 0 {
		l.MaxBcryptCost = d.MaxBcryptCost
	}
	if l.MaxScryptP == 0 {
		l.MaxScryptP = d.MaxScryptP
	}
	if l.MaxKeyLen == 0 {
		l.MaxKeyLen = d.MaxKeyLen
	}
	return l
}
