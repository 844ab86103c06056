// Package password hashes and verifies customers' passwords and decides
// which passwords they may choose. It is pure domain code: computation
// only, no I/O (the optional breach check is the host's BreachChecker), no
// clock, and it never panics on bad input, however hostile a stored hash.
//
// # Hashing
//
// A [Hasher] hashes new passwords and verifies stored hashes. [Default]
// returns the default one, [Argon2id] with OWASP's minimum parameters for
// argon2id (Password Storage Cheat Sheet): m=19456 KiB (19 MiB), t=2, p=1,
// a 16-byte salt and a 32-byte key, encoded as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// argon2id is the winner of the Password Hashing Competition and RFC 9106's
// recommendation; its memory cost is what makes guessing on GPUs and ASICs
// expensive. Each Hash and each Verify of an argon2id hash allocates m KiB
// for a few tens of milliseconds: a host that expects bursts of logins
// bounds how many run at once.
//
// Verify also tells when a hash should be replaced: after a successful
// verification of a hash with other parameters (the defaults were raised)
// or of another algorithm, it reports rehash, and the caller stores
// Hash(password) in its place, as the customer logs in.
//
// # Imported hashes
//
// Customers imported from another system keep their passwords: Verify
// reads, besides argon2id,
//
//   - bcrypt, "$2a$", "$2b$" and "$2y$" (PHP's password_hash and the bcrypt
//     libraries of Go, Node, Python and Ruby);
//   - scrypt in passlib's PHC form, "$scrypt$ln=16,r=8,p=1$<salt>$<key>";
//   - scrypt in the binary format of the npm package scrypt-kdf, base64 of
//     Colin Percival's 96-byte scrypt header with its HMAC, which is what
//     Medusa's emailpass provider stores (N=2^15, r=8, p=1 by default).
//
// Every other string is ErrMalformedHash. Hashes of those algorithms that
// match ask for a rehash, so that they turn into argon2id one login at a
// time.
//
// Imported hashes were computed from the password as the customer typed it,
// not from its NFKC form: the two differ only for passwords with
// compatibility characters (ligatures, fullwidth letters ...) or
// decomposed accents. A service that imports hashes may verify the
// password as typed when the normalized form fails and differs; the
// rehash then stores the hash of the normalized form.
//
// # The 72-byte rule
//
// bcrypt reads only the first 72 bytes of a password: any password sharing
// them would match. Verify therefore never matches a bcrypt hash with a
// password longer than 72 bytes, rather than let "the first 72 bytes plus
// anything" log in. A customer whose password was longer than 72 bytes
// on the old system resets it.
//
// # Limits
//
// A stored hash says how much work verifying it takes, so a corrupt or
// hostile record could ask for gigabytes of memory or hours of CPU. Verify
// bounds every parameter with [Limits] (by default 64 MiB, argon2 t <= 10
// and p <= 8, bcrypt cost <= 14, scrypt N·r·p <= 2^22 and p <= 16, keys
// and salts <= 128 bytes, encoded hashes <= 512 bytes) and refuses a hash
// beyond them with ErrHashParams before doing any of its work. It also
// refuses argon2id and scrypt hashes with a salt shorter than 8 bytes or a
// key shorter than 16, which a truncated record could otherwise match with
// a random password.
//
// # Choosing a password
//
// A [Policy] follows NIST SP 800-63B: a minimum length (8 by default; NIST
// SP 800-63B-4 asks for 15 when the password is the only factor), a
// maximum of at least 64 characters (256 by default), lengths counted in
// characters of the NFKC form, no composition rules, no truncation, a
// refusal of the 10,000 most common passwords ([Common]), and an optional
// breach check ([BreachChecker]). [Normalize] puts a password in NFKC, the
// form to hash and to verify, so that the same password typed on two
// devices is one password; Policy.Check returns it.
//
// The common-password list is the start of the "passwords" frequency list
// of zxcvbn 4.4.2 (Dropbox, MIT licence; the list comes from Mark
// Burnett's 10M password corpus, published with Xato), kept in common.txt
// with its licence.
//
// # Errors
//
// ErrMalformedHash and ErrHashParams are data errors of a stored hash;
// ErrInvalid is the sentinel of a refused password, always a
// *ValidationError with Field "password"; ErrInvalidPolicy is a host's
// misconfigured Policy. All unwrap to errcode.Invalid. No error repeats a
// password or a hash; an unknown hash's algorithm name is quoted only when
// it is a short identifier.
package password
