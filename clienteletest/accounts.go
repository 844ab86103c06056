package clienteletest

import (
	"context"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/password"
)

// Password is the password MustRegisterAccount gives customers and
// MustLogIn signs in with: long enough for the default policy and not a
// common password.
const Password = "correct-horse-battery-staple-42"

// FastHasher returns an argon2id hasher with the smallest parameters
// (8 KiB, one pass): it hashes in microseconds, so host tests that sign
// customers in stay fast. Never use it in production. Every Env uses it
// unless WithServiceOptions sets another hasher.
func FastHasher() password.Hasher {
	return &password.Argon2id{Memory: 8, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// MustRegisterAccount registers an active customer built from
// CustomerParams(opts...) with the password Password (Accounts.Register)
// and fails the test on error.
func (e *Env) MustRegisterAccount(opts ...CustomerOption) customer.Customer {
	e.TB.Helper()
	c, err := e.Service.Accounts.Register(context.Background(), e.CustomerParams(opts...), Password)
	e.must(err, "register customer with a password")
	return c
}

// MustLogIn signs the customer in with email and password, as a host's
// login handler would (Accounts.Authenticate), and fails the test on
// error. A registered customer without a password (MustRegister) is
// given the password Password first.
func (e *Env) MustLogIn(c customer.Customer) clientele.Login {
	e.TB.Helper()
	ctx := context.Background()
	if !c.HasPassword {
		_, err := e.Service.Accounts.SetPassword(ctx, c.ID, Password)
		e.must(err, "set the password of %s", c.ID)
	}
	login, err := e.Service.Accounts.Authenticate(ctx, c.Email.Display, Password)
	e.must(err, "log in %s", c.ID)
	return login
}
