package password_test

import (
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/clientele-go/clientele/password"
)

func BenchmarkArgon2idHash(b *testing.B) {
	h := password.Default()
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkArgon2idVerify(b *testing.B) {
	h := password.Default()
	encoded, err := h.Hash("correct horse battery staple")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _, err := h.Verify(encoded, "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkVerifyBcrypt10(b *testing.B) {
	encoded, err := bcrypt.GenerateFromPassword([]byte("correct horse battery staple"), 10)
	if err != nil {
		b.Fatal(err)
	}
	h := password.Default()
	for b.Loop() {
		if ok, _, err := h.Verify(string(encoded), "correct horse battery staple"); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkCommon(b *testing.B) {
	password.Common("warm up") // the list is built on first use
	for b.Loop() {
		password.Common("correct horse battery staple")
	}
}
