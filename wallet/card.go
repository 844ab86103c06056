package wallet

// LooksLikeCardNumber reports whether s, trimmed of surrounding white
// space, is a payment card number: 12 to 19 digits, optionally separated
// by single spaces or single dashes, that pass the Luhn check.
func LooksLikeCardNumber(s string) bool {
	s = trimSpace(s)
	digits, ok := cardDigits(s)
	return ok && plausiblePAN(digits)
}

// ContainsCardNumber reports whether s holds a card number anywhere: a
// maximal run of digits, joined by single spaces or dashes, of 12 to 19
// digits that passes the Luhn check. Validation applies it to free text,
// where a number may hide among words ("card 4242 4242 4242 4242").
func ContainsCardNumber(s string) bool { return containsCard(s, true) }

// containsCard is ContainsCardNumber; with grouped false, only runs of
// adjacent digits count (a token reference has no white space, and a UUID
// in it has dash-separated groups that may join into a false match).
func containsCard(s string, grouped bool) bool {
	i := 0
	for i < len(s) {
		if !isDigit(s[i]) {
			i++
			continue
		}
		var digits []byte
		j := i
		for j < len(s) {
			if isDigit(s[j]) {
				digits = append(digits, s[j])
				j++
				continue
			}
			if grouped && (s[j] == ' ' || s[j] == '-') && j+1 < len(s) && isDigit(s[j+1]) {
				j++
				continue
			}
			break
		}
		if plausiblePAN(string(digits)) {
			return true
		}
		i = j
	}
	return false
}

// cardDigits returns the digits of s when s is digits separated by single
// spaces or dashes (no leading, trailing or doubled separator).
func cardDigits(s string) (string, bool) {
	if s == "" || !isDigit(s[0]) || !isDigit(s[len(s)-1]) {
		return "", false
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			out = append(out, c)
		case (c == ' ' || c == '-') && isDigit(s[i+1]):
		default:
			return "", false
		}
	}
	return string(out), true
}

// plausiblePAN reports whether digits has a card number's length and
// passes the Luhn check.
func plausiblePAN(digits string) bool {
	return len(digits) >= 12 && len(digits) <= 19 && luhn(digits)
}

// luhn reports whether the digits pass the Luhn (mod 10) check.
func luhn(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
