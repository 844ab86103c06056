package clientele_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/password"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// Benchmarks of the accounts' hot paths, on every engine. The storage
// benchmarks use the fast test hasher, so that they measure the reads,
// the locks and the writes; BenchmarkAuthenticateDefaultHasher measures
// a sign-in as production runs it (argon2id, 19 MiB), on memory.

func accountsBenchService(b *testing.B, s storage.Store, h password.Hasher) (*clientele.Service, customer.Customer) {
	b.Helper()
	svc := clientele.New(s, clientele.WithPasswordHasher(h),
		clientele.WithLoginThrottle(credential.Throttle{Threshold: 1 << 30, Base: 1, Max: 1}))
	c, err := svc.Accounts.Register(context.Background(), customer.Params{Email: "bench@example.com"}, pw)
	if err != nil {
		b.Fatal(err)
	}
	return svc, c
}

// BenchmarkAuthenticate: a successful sign-in (the customer and its
// credentials read, one transaction that records the sign-in and appends
// its event) and a failed one (the same reads, one transaction that counts
// the failure).
func BenchmarkAuthenticate(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc, _ := accountsBenchService(b, s, clienteletest.FastHasher())
		ctx := context.Background()
		b.Run("success", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Accounts.Authenticate(ctx, "bench@example.com", pw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("wrong_password", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Accounts.Authenticate(ctx, "bench@example.com", "wrong-password-1"); err == nil {
					b.Fatal("signed in with a wrong password")
				}
			}
		})
		b.Run("unknown_email", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Accounts.Authenticate(ctx, "nobody@example.com", pw); err == nil {
					b.Fatal("signed in as nobody")
				}
			}
		})
	})
}

// BenchmarkPasswordReset: a reset request (a token issued, older ones
// revoked) and a reset with it (the token redeemed, the password set,
// every token revoked), as one operation.
func BenchmarkPasswordReset(b *testing.B) {
	eachStoreB(b, func(b *testing.B, s storage.Store) {
		svc, _ := accountsBenchService(b, s, clienteletest.FastHasher())
		ctx := context.Background()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			is, err := svc.Accounts.RequestPasswordReset(ctx, "bench@example.com")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.Accounts.ResetPassword(ctx, is.Token, "new-password-"+strconv.Itoa(i)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuthenticateDefaultHasher is a sign-in with the default
// parameters, on memory: what the hashing costs.
func BenchmarkAuthenticateDefaultHasher(b *testing.B) {
	svc, _ := accountsBenchService(b, memory.New(), password.Default())
	ctx := context.Background()
	b.Run("success", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Accounts.Authenticate(ctx, "bench@example.com", pw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unknown_email", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Accounts.Authenticate(ctx, "nobody@example.com", pw); err == nil {
				b.Fatal("signed in as nobody")
			}
		}
	})
}
