package password

import (
	"context"
	"encoding/base64"
	"errors"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// tinyLimits keep every hash the fuzzer can write cheap: 64 KiB, one pass,
// one lane, bcrypt cost 4, scrypt p=1.
var tinyLimits = Limits{MaxMemoryKiB: 64, MaxTime: 1, MaxThreads: 1, MaxBcryptCost: 4, MaxScryptP: 1, MaxKeyLen: 32}

// maxFuzzAlloc bounds what one Verify under tinyLimits may allocate. A
// hash that escaped the limits (m=4194304 asks for 4 GiB) would exceed it
// by orders of magnitude.
const maxFuzzAlloc = 4 << 20

func FuzzVerify(f *testing.F) {
	h := &Argon2id{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32, Limits: tinyLimits}
	own, err := h.Hash("seed password")
	if err != nil {
		f.Fatal(err)
	}
	b, err := bcrypt.GenerateFromPassword([]byte("seed password"), bcrypt.MinCost)
	if err != nil {
		f.Fatal(err)
	}
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	for _, seed := range []string{
		own,
		string(b),
		"$2y$04$d29ktPxZ4d5vpVlNOAKFy.lkDYQaeC5qleP.YeZKEvI5UniKk1iES",
		"$scrypt$ln=4,r=1,p=1$es+ZsxZibE0JwVjrfW8txQ$6utm6VDmQKr54iQDWXbT2J4QT9JboEhLlPaQn5Tolp4",
		"$scrypt$ln=4,r=1,p=1$es.ZsxZibE0JwVjrfW8txQ==$6utm6VDmQKr54iQDWXbT2J4QT9JboEhLlPaQn5Tolp4=",
		"c2NyeXB0AAQAAAABAAAAAaNVloU3XDtMbI8ZR7QmQYZDzuHykcC85mscBqcam2rKSGGyCW3ybS5QNxAjXaW76bYqkPj2HBtMInKCivAQ0kWfpKBVQGIYOr/LXxp9aPX/",
		"$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + salt,
		"$argon2id$v=19$m=64,t=4294967295,p=255$" + salt + "$" + salt,
		"$scrypt$ln=40,r=8,p=1$" + salt + "$" + salt,
		"$2a$31$" + strings.Repeat("a", 53),
		"",
		"$",
		"$$$$$",
	} {
		f.Add(seed, "seed password")
	}
	f.Fuzz(func(t *testing.T, encoded, password string) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ok, rehash, err := h.Verify(encoded, password)
		runtime.ReadMemStats(&after)
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxFuzzAlloc {
			t.Fatalf("Verify allocated %d bytes, above the %d that tinyLimits allow", alloc, maxFuzzAlloc)
		}
		if err != nil {
			if ok || rehash {
				t.Fatalf("ok=%v rehash=%v with an error", ok, rehash)
			}
			if !errors.Is(err, ErrMalformedHash) && !errors.Is(err, ErrHashParams) {
				t.Fatalf("unexpected error %v", err)
			}
			// Messages quote format templates of up to 33 bytes
			// ("$argon2id$v=19$m=,t=,p=$salt$key"), which a short fuzzed
			// input may equal; a longer input found in one was echoed.
			if len(encoded) >= 40 && strings.Contains(err.Error(), encoded) {
				t.Fatalf("the error repeats the hash: %v", err)
			}
			return
		}
		if rehash && !ok {
			t.Fatal("rehash without a match")
		}
		if strings.HasPrefix(encoded, argon2idPrefix) {
			// Whatever parsed must be within the limits.
			parsed, err := parseArgon2id(encoded, tinyLimits)
			if err != nil || parsed.params.check(tinyLimits) != nil {
				t.Fatalf("Verify accepted a hash that parseArgon2id refuses: %v", err)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{"", "password", "ﬁ", "e\u0301", "\U00010041\u0301", "ＰＡＳＳ", "\xff", strings.Repeat("😀", 64), "\u0000"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Normalize(s)
		if !utf8.ValidString(s) {
			if !errors.Is(err, ErrInvalid) || n != "" {
				t.Fatalf("invalid UTF-8: got %q, %v", n, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid UTF-8 refused: %v", err)
		}
		if !utf8.ValidString(n) {
			t.Fatalf("Normalize(%q) = %q is not valid UTF-8", s, n)
		}
		again, err := Normalize(n)
		if err != nil || again != n {
			t.Fatalf("Normalize is not idempotent: %q -> %q -> %q", s, n, again)
		}
		_ = Common(s)
		got, err := Policy{}.Check(context.Background(), s)
		if err == nil && got != n {
			t.Fatalf("Check returned %q, Normalize %q", got, n)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("Check: %v", err)
		}
	})
}
