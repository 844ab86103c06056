package customer

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"

	"github.com/clientele-go/clientele/internal/textnorm"
)

// Email limits and reserved names.
const (
	// MaxEmailLength is the maximum length in bytes of a canonical address
	// (RFC 5321 path limit of 256 minus the angle brackets).
	MaxEmailLength = 254
	// MaxEmailLocalLength is the maximum length in bytes of the canonical
	// local part (the part before the @), per RFC 5321.
	MaxEmailLocalLength = 64
	// MaxEmailInputLength bounds the cleaned input (after trimming and
	// removing format characters) in bytes, and therefore Email.Display.
	// Longer inputs are rejected before any further work.
	MaxEmailInputLength = 1024
	// ErasedEmailDomain is the domain of the placeholder address that Erase
	// gives an erased customer. The .invalid top-level domain is reserved by
	// RFC 6761 and can never be delivered to, and ParseEmail rejects addresses
	// in this domain, so a placeholder never collides with a real customer.
	ErasedEmailDomain = "erased.invalid"
)

// EmailSkeleton returns the look-alike key of a canonical address (an
// Email.Address): the hex SHA-256 of the Unicode Technical Standard #39
// skeleton of its local part, "@", and its domain in Unicode (IDNA
// U-labels). Addresses that look alike but canonicalize differently
// ("ada@example.com" with a Latin or a Cyrillic "а", "jim@" and "jirn@")
// have the same key; storage indexes it so that registrations can refuse
// an address confusable with a live customer's. The key is 64 bytes
// whatever the address, and depends on the confusables table (see the
// package doc of internal/textnorm): it is not a stable identifier across
// versions of this module.
func EmailSkeleton(address string) string {
	local, domain, ok := strings.Cut(address, "@")
	if ok {
		if u, err := idna.ToUnicode(domain); err == nil {
			domain = u
		}
		address = textnorm.Skeleton(local) + "@" + textnorm.Skeleton(domain)
	} else {
		address = textnorm.Skeleton(address)
	}
	sum := sha256.Sum256([]byte(address))
	return hex.EncodeToString(sum[:])
}

// Email is a customer's email address in two spellings: the canonical form
// that uniqueness and lookups use, and the form the customer typed.
//
// Build it with ParseEmail. The zero Email is not valid.
type Email struct {
	// Address is the canonical form: lower-case, NFC, with the domain as an
	// IDNA A-label ("bob@xn--bcher-kva.de").
	Address string
	// Display is the spelling the customer typed: trimmed, NFC and with
	// format characters removed, but in its original case and with the
	// domain as typed ("Bob@Bücher.de"). It canonicalizes to Address.
	Display string
}

// String returns the display form, or the canonical form when Display is
// empty.
func (e Email) String() string {
	if e.Display == "" {
		return e.Address
	}
	return e.Display
}

// IsZero reports whether e is the zero Email.
func (e Email) IsZero() bool { return e.Address == "" && e.Display == "" }

// ErasedEmail returns the placeholder email an erased customer carries:
// "erased-<id>@erased.invalid". It is unique per customer ID, valid in form,
// undeliverable, and rejected by ParseEmail, so it never collides with a
// live customer.
func ErasedEmail(id uuid.UUID) Email {
	a := "erased-" + id.String() + "@" + ErasedEmailDomain
	return Email{Address: a, Display: a}
}

// ParseEmail canonicalizes and validates an email address typed by a
// customer. It returns both spellings (see Email).
//
// The rules, in order:
//
//   - The input must be valid UTF-8. Unicode format characters (category Cf:
//     zero-width space and joiners, BOM, soft hyphen, bidi marks...) are
//     removed, the result is normalized to NFC and surrounding white space
//     is trimmed. This cleaned string is Email.Display. One exception: a
//     zero-width joiner or non-joiner in the domain stays where IDNA allows
//     it in context (a ZWNJ in a Persian domain names another domain, so
//     removing it would change where mail goes); elsewhere it is removed.
//   - Only a bare addr-spec is accepted: display names ("Bob <bob@x.com>"),
//     comments ("bob(home)@x.com"), quoted local parts ("\"b o b\"@x.com"),
//     IP-address literals ("bob@[1.2.3.4]"), white space and control
//     characters are rejected, as is anything but exactly one "@".
//   - The local part is put in NFKC, which maps width and compatibility
//     forms to the plain characters they look like (fullwidth "ａｄａ",
//     mathematical bold "𝐚𝐝𝐚" and the ligature "ﬁ" become "ada", "ada" and
//     "fi"), then lower-cased (Unicode simple lower-casing) and put in NFKC
//     again. Look-alikes from other scripts (a Cyrillic "а") are not
//     mapped: see EmailSkeleton. It may hold the RFC 5322 atext characters
//     (A-Z a-z 0-9 and !#$%&'*+-/=?^_`{|}~) and dots, but no leading,
//     trailing or consecutive dots. Non-ASCII (RFC 6531, "EAI") local parts
//     are accepted when every non-ASCII character is a letter, a decimal
//     digit or a combining mark that follows a letter or digit; symbols,
//     punctuation and private-use characters are rejected. The canonical local part is at most 64 bytes.
//   - The domain is converted to an IDNA A-label with the UTS #46 lookup
//     profile (golang.org/x/net/idna Lookup), which also does its own case
//     mapping, and lower-cased. Already-converted A-labels ("xn--...") are
//     accepted when they decode to a valid U-label; fake ones that decode to
//     plain ASCII are rejected. Every label must be 1..63 bytes of letters,
//     digits and inner hyphens; at least two labels are required; the
//     top-level label must not be all digits (this rejects unbracketed IPv4
//     addresses too).
//   - The canonical address is at most 254 bytes, and addresses in the
//     reserved ErasedEmailDomain are rejected.
//
// Canonicalization is idempotent: ParseEmail(e.Address) returns e.Address
// again, and so does ParseEmail(e.Display). Errors are *ValidationError with
// Field "email" and unwrap to ErrInvalid. ParseEmail never panics.
func ParseEmail(s string) (Email, error) {
	return parseEmail(s, false)
}

// CanonicalEmail returns the canonical form of an email address (the Address
// of ParseEmail), for lookups. See ParseEmail for the rules.
func CanonicalEmail(s string) (string, error) {
	e, err := ParseEmail(s)
	if err != nil {
		return "", err
	}
	return e.Address, nil
}

const emailField = "email"

func emailError(format string, args ...any) error {
	return newError(emailField, format, args...)
}

// parseEmail implements ParseEmail. allowReserved lets Customer.Validate
// check the placeholder of an erased customer with the same rules.
func parseEmail(s string, allowReserved bool) (Email, error) {
	display, err := cleanEmail(s)
	if err != nil {
		return Email{}, err
	}
	canonical, err := canonicalizeEmail(display)
	if err != nil {
		// The domain kept its joiners (U+200C, U+200D) for IDNA to judge;
		// where IDNA refuses them they are stray invisible characters,
		// stripped like the other format characters.
		if plain := stripDomainJoiners(display); plain != display {
			if c, perr := canonicalizeEmail(plain); perr == nil {
				canonical, display, err = c, plain, nil
			}
		}
	}
	if err != nil {
		return Email{}, err
	}
	// The pipeline is designed to be a fixed point; this guard makes the
	// idempotence promise hold even for exotic Unicode that a future
	// Unicode or IDNA table might treat differently.
	again, err := canonicalizeEmail(canonical)
	if err != nil || again != canonical {
		return Email{}, emailError("cannot be canonicalized stably")
	}
	if !allowReserved {
		if _, domain, _ := strings.Cut(canonical, "@"); domain == ErasedEmailDomain {
			return Email{}, emailError("uses the reserved domain %s", ErasedEmailDomain)
		}
	}
	return Email{Address: canonical, Display: display}, nil
}

// cleanEmail checks UTF-8, removes format characters, applies NFC and trims:
// the Display form. The zero-width joiner and non-joiner stay in the domain:
// IDNA allows them in some scripts (a ZWNJ after a Persian letter makes
// another, registrable domain), so stripping them could change where mail
// goes. parseEmail strips them when IDNA refuses them.
func cleanEmail(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", emailError("is not valid UTF-8")
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = stripFormat(s[:at]) + "@" + stripFormatExcept(s[at+1:], isJoiner)
	} else {
		s = stripFormat(s)
	}
	if !textnorm.Normalizable(s) {
		return "", emailError("holds a character beyond the Basic Multilingual Plane followed by a combining mark, which cannot be normalized safely")
	}
	s = strings.TrimSpace(textnorm.NFC(s))
	if s == "" {
		return "", emailError("is required")
	}
	if len(s) > MaxEmailInputLength {
		return "", emailError("is too long")
	}
	return s, nil
}

// stripFormat removes Unicode format characters (category Cf).
func stripFormat(s string) string {
	if strings.IndexFunc(s, isFormat) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isFormat(r) {
			return -1
		}
		return r
	}, s)
}

func isFormat(r rune) bool { return unicode.Is(unicode.Cf, r) }

// isJoiner reports whether r is ZERO WIDTH NON-JOINER or ZERO WIDTH JOINER,
// the format characters IDNA2008 allows in context (CONTEXTJ).
func isJoiner(r rune) bool { return r == '\u200c' || r == '\u200d' }

// stripFormatExcept removes the format characters that keep does not keep.
func stripFormatExcept(s string, keep func(rune) bool) string {
	return strings.Map(func(r rune) rune {
		if isFormat(r) && !keep(r) {
			return -1
		}
		return r
	}, s)
}

// stripDomainJoiners removes the joiners from the part after the last @.
func stripDomainJoiners(s string) string {
	at := strings.LastIndexByte(s, '@')
	if at < 0 || strings.IndexFunc(s[at+1:], isJoiner) < 0 {
		return s
	}
	return s[:at+1] + strings.Map(func(r rune) rune {
		if isJoiner(r) {
			return -1
		}
		return r
	}, s[at+1:])
}

// canonicalizeEmail turns a cleaned address (see cleanEmail) into its
// canonical form, validating it on the way.
func canonicalizeEmail(s string) (string, error) {
	// Structural checks first, with specific messages for the common ways
	// people paste more than an address.
	if strings.ContainsAny(s, "<>") {
		return "", emailError("must be a bare address without a display name or angle brackets")
	}
	if strings.ContainsAny(s, "()") {
		return "", emailError("must not contain comments")
	}
	if strings.ContainsRune(s, '"') {
		return "", emailError("must not have a quoted local part")
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return "", emailError("must not contain control characters")
		case unicode.IsSpace(r):
			return "", emailError("must not contain white space")
		}
	}
	switch n := strings.Count(s, "@"); {
	case n == 0:
		return "", emailError("is missing the @ sign")
	case n > 1:
		return "", emailError("must contain exactly one @ sign")
	}
	local, domain, _ := strings.Cut(s, "@")

	local, err := canonicalLocal(local)
	if err != nil {
		return "", err
	}
	domain, err = canonicalDomain(domain)
	if err != nil {
		return "", err
	}
	out := local + "@" + domain
	if len(out) > MaxEmailLength {
		return "", emailError("is longer than %d bytes", MaxEmailLength)
	}
	return out, nil
}

func canonicalLocal(local string) (string, error) {
	if local == "" {
		return "", emailError("is missing the part before the @ sign")
	}
	// Compatibility forms look like the plain letters they stand for: map
	// them (NFKC folds fullwidth "ａｄａ", mathematical "𝐚𝐝𝐚", ligatures,
	// superscripts) before lower-casing, and normalize again after it.
	if !textnorm.NFKCNormalizable(local) {
		return "", emailError("has a local part that cannot be normalized safely")
	}
	local = strings.ToLower(textnorm.NFKC(local))
	if !textnorm.NFKCNormalizable(local) {
		return "", emailError("has a local part that cannot be normalized safely")
	}
	local = textnorm.NFKC(local)
	if len(local) > MaxEmailLocalLength {
		return "", emailError("has a local part longer than %d bytes", MaxEmailLocalLength)
	}
	if err := checkDots(local, "local part"); err != nil {
		return "", err
	}
	// base reports whether the previous character may carry a combining
	// mark: a letter, a digit or another mark.
	base := false
	for _, r := range local {
		switch {
		case r < utf8.RuneSelf:
			if !isAtext(byte(r)) && r != '.' {
				return "", emailError("has an invalid character %q in the local part", r)
			}
			base = 'a' <= r && r <= 'z' || '0' <= r && r <= '9'
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			base = true
		case unicode.IsMark(r):
			if !base {
				return "", emailError("has a combining mark without a base letter in the local part")
			}
		default:
			return "", emailError("has an invalid character %q in the local part", r)
		}
	}
	return local, nil
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func checkDots(s, what string) error {
	if strings.HasPrefix(s, ".") || strings.HasSuffix(s, ".") || strings.Contains(s, "..") {
		return emailError("has a leading, trailing or double dot in the %s", what)
	}
	return nil
}

// ideographicDots are the characters UTS #46 maps to a full stop; the domain
// is split on them as well as on ".".
var ideographicDots = strings.NewReplacer("\u3002", ".", "\uff0e", ".", "\uff61", ".")

func canonicalDomain(domain string) (string, error) {
	if domain == "" {
		return "", emailError("is missing the domain after the @ sign")
	}
	if strings.HasPrefix(domain, "[") || strings.HasSuffix(domain, "]") {
		return "", emailError("must not use an IP address literal as domain")
	}
	if out, ok := asciiDomain(domain); ok {
		return out, nil
	}
	return idnaDomain(domain)
}

// asciiDomain is canonicalDomain's fast path, for a domain of ASCII
// letters, digits, hyphens and dots whose labels are plain LDH labels
// (none with "--" in its third and fourth place, so no A-label): there
// IDNA's mapping only lowercases and its checks (hyphens, bidi, joiners)
// all pass, so the result is the domain in lower case (idnaDomain's,
// checked by FuzzASCIIDomain). ok is false for every other domain, which
// idnaDomain then decides.
func asciiDomain(domain string) (string, bool) {
	var b []byte
	labels, start := 0, 0
	for i := 0; i <= len(domain); i++ {
		if i < len(domain) && domain[i] != '.' {
			c := domain[i]
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-':
			case 'A' <= c && c <= 'Z':
				if b == nil {
					b = []byte(domain)
				}
				b[i] = c + 'a' - 'A'
			default:
				return "", false
			}
			continue
		}
		label := domain[start:i]
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' ||
			(len(label) >= 4 && label[2:4] == "--") {
			return "", false
		}
		labels++
		start = i + 1
	}
	if labels < 2 || isAllDigits(domain[strings.LastIndexByte(domain, '.')+1:]) {
		return "", false
	}
	if b != nil {
		return string(b), true
	}
	return domain, true
}

// idnaDomain is canonicalDomain through IDNA (UTS #46 lookup).
func idnaDomain(domain string) (string, error) {
	domain = ideographicDots.Replace(domain)
	if err := checkDots(domain, "domain"); err != nil {
		return "", err
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", emailError("must have a domain with at least two labels")
	}
	for i, label := range labels {
		a, err := idna.Lookup.ToASCII(label)
		if err != nil || a == "" || strings.Contains(a, ".") {
			return "", emailError("has an invalid domain")
		}
		a = strings.ToLower(a)
		// x/net/idna decodes "xn--" labels and re-encodes them; one that
		// decodes to plain ASCII comes back without its prefix. UTS #46
		// (15.1) declares such labels invalid, and they would silently
		// turn into another domain, so reject them.
		if looksLikeALabel(label) && !strings.HasPrefix(a, "xn--") {
			return "", emailError("has an invalid domain")
		}
		if !isLDHLabel(a) {
			return "", emailError("has an invalid domain")
		}
		labels[i] = a
	}
	if isAllDigits(labels[len(labels)-1]) {
		return "", emailError("must not use an IP address or an all-numeric top-level domain")
	}
	out := strings.Join(labels, ".")
	// Convert the whole name once more: this applies the rules that span
	// labels (the RFC 5893 bidi rule) and confirms the A-labels round-trip.
	if whole, err := idna.Lookup.ToASCII(out); err != nil || strings.ToLower(whole) != out {
		return "", emailError("has an invalid domain")
	}
	return out, nil
}

// looksLikeALabel reports whether label, after the width and case mapping
// that IDNA applies, starts with the ACE prefix "xn--".
func looksLikeALabel(label string) bool {
	l := strings.ToLower(norm.NFKC.String(strings.ToLower(label)))
	return strings.HasPrefix(l, "xn--")
}

// isLDHLabel reports whether s is a 1..63 byte label of lower-case letters,
// digits and hyphens that neither starts nor ends with a hyphen.
func isLDHLabel(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
