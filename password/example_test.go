package password_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/password"
)

func ExampleArgon2id_Hash() {
	h := password.Default()
	pw, err := password.Normalize("correct horse battery staple")
	if err != nil {
		panic(err)
	}
	encoded, err := h.Hash(pw)
	if err != nil {
		panic(err)
	}
	// The salt is random: print the parameters, not the hash.
	fmt.Println(strings.Join(strings.Split(encoded, "$")[:4], "$"))
	ok, rehash, err := h.Verify(encoded, pw)
	fmt.Println(ok, rehash, err)
	// Output:
	// $argon2id$v=19$m=19456,t=2,p=1
	// true false <nil>
}

func ExampleArgon2id_Verify() {
	// A hash imported from another system (scrypt, as passlib writes it)
	// and one made before the defaults were raised: both match, and both
	// ask to be replaced by Hash(password).
	h := password.Default()
	imported := "$scrypt$ln=4,r=1,p=1$es+ZsxZibE0JwVjrfW8txQ$6utm6VDmQKr54iQDWXbT2J4QT9JboEhLlPaQn5Tolp4"
	old, err := (&password.Argon2id{Memory: 64, Time: 1}).Hash("tiny")
	if err != nil {
		panic(err)
	}
	for _, stored := range []string{imported, old} {
		ok, rehash, err := h.Verify(stored, "tiny")
		if err != nil {
			panic(err)
		}
		if ok && rehash {
			if _, err := h.Hash("tiny"); err != nil { // store this in place of the old hash
				panic(err)
			}
		}
		fmt.Println(ok, rehash)
	}
	ok, rehash, err := h.Verify(imported, "wrong")
	fmt.Println(ok, rehash, err)

	_, _, err = h.Verify("$2a$31$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0", "tiny")
	fmt.Println(errors.Is(err, password.ErrHashParams))
	// Output:
	// true true
	// true true
	// false false <nil>
	// true
}

func ExamplePolicy_Check() {
	policy := password.Policy{MinLength: 12}
	for _, pw := range []string{"short", "qwerty123456", "ﬁve ＬＯＮＧ words here"} {
		normalized, err := policy.Check(context.Background(), pw)
		var ve *password.ValidationError
		switch {
		case errors.As(err, &ve):
			fmt.Println("refused:", ve.Reason)
		case err != nil:
			fmt.Println("check failed:", err)
		default:
			fmt.Printf("accepted: %q\n", normalized)
		}
	}
	// Output:
	// refused: is shorter than 12 characters
	// refused: is too common
	// accepted: "five LONG words here"
}
