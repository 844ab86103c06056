package sqltest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/password"
)

// fastHasher keeps the fault runs (hundreds per operation) from hashing
// with the production parameters, and hashes without a random salt, so
// that every run stores the same rows.
var fastHasher password.Hasher = saltless{}

// saltless is a test hasher: "$sha256$" and the hex SHA-256 of the
// password. Never use such a hash outside tests.
type saltless struct{}

func (saltless) Hash(pw string) (string, error) {
	sum := sha256.Sum256([]byte(pw))
	return "$sha256$" + hex.EncodeToString(sum[:]), nil
}

func (h saltless) Verify(encoded, pw string) (ok, rehash bool, err error) {
	if !strings.HasPrefix(encoded, "$sha256$") {
		return false, false, password.ErrMalformedHash
	}
	want, _ := h.Hash(pw)
	return subtle.ConstantTimeCompare([]byte(encoded), []byte(want)) == 1, false, nil
}

const faultPassword = "correct-horse-battery-staple"

// registerWithPassword registers name with faultPassword.
func (f *faultFixture) registerWithPassword(name, email string) {
	f.t.Helper()
	c, err := f.svc.Accounts.Register(f.ctx, customer.Params{Email: email, FirstName: name}, faultPassword)
	f.must("register "+email+" with a password", err)
	f.ids[name] = c.ID
}

// accountFaultOps are the writes of Accounts and of the claims by token.
var accountFaultOps = []faultOp{
	{
		name: "Accounts.Register",
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Accounts.Register(f.ctx, customer.Params{Email: "ada@example.com"}, faultPassword)
			return fmt.Sprintf("%s password %t", c.ID, c.HasPassword), err
		},
	},
	{
		// A wrong password is refused and counted; a failure of the
		// count is an error, and counts nothing.
		name:  "Accounts.Authenticate(wrong password)",
		setup: func(f *faultFixture) { f.registerWithPassword("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			_, err := f.svc.Accounts.Authenticate(f.ctx, "ada@example.com", "wrong-password-1")
			if errors.Is(err, credential.ErrInvalidCredentials) {
				return "refused", nil
			}
			if err == nil {
				return "", errors.New("signed in with a wrong password")
			}
			return "", err
		},
	},
	{
		name:  "Accounts.Authenticate",
		setup: func(f *faultFixture) { f.registerWithPassword("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			l, err := f.svc.Accounts.Authenticate(f.ctx, "ada@example.com", faultPassword)
			return fmt.Sprintf("%s session %d", l.Customer.ID, l.SessionVersion), err
		},
	},
	{
		name: "Accounts.ResetPassword",
		setup: func(f *faultFixture) {
			f.registerWithPassword("ada", "ada@example.com")
			is, err := f.svc.Accounts.RequestPasswordReset(f.ctx, "ada@example.com")
			f.must("reset request", err)
			f.secrets["reset"] = is.Token
			_, err = f.svc.Accounts.RequestEmailVerification(f.ctx, f.ids["ada"])
			f.must("verification request", err)
		},
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Accounts.ResetPassword(f.ctx, f.secrets["reset"], "a-new-passphrase-2")
			return c.ID.String(), err
		},
	},
	{
		name: "Accounts.ConfirmEmailChange",
		setup: func(f *faultFixture) {
			f.registerWithPassword("ada", "ada@example.com")
			is, err := f.svc.Accounts.RequestEmailChange(f.ctx, f.ids["ada"], "ada@example.org")
			f.must("email change request", err)
			f.secrets["change"] = is.Token
		},
		run: func(f *faultFixture) (string, error) {
			c, err := f.svc.Accounts.ConfirmEmailChange(f.ctx, f.secrets["change"])
			return fmt.Sprintf("%s %s", c.ID, c.Email.Address), err
		},
	},
	{
		name:  "Accounts.LinkIdentity",
		setup: func(f *faultFixture) { f.registerWithPassword("ada", "ada@example.com") },
		run: func(f *faultFixture) (string, error) {
			id, err := f.svc.Accounts.LinkIdentity(f.ctx, f.ids["ada"], "google", "sub-1")
			return fmt.Sprintf("%s %s %s", id.CustomerID, id.Provider, id.Subject), err
		},
	},
	{
		name: "Orders.AcceptClaim",
		setup: func(f *faultFixture) {
			g, _, err := f.svc.Customers.CreateGuest(f.ctx, customer.Params{Email: "ada.old@example.com"})
			f.must("guest", err)
			for _, id := range []string{"order-1", "order-2"} {
				_, err := f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: id, CustomerID: g.ID, Number: id, Total: f.money("5.00")})
				f.must("record "+id, err)
			}
			f.registerWithPassword("ada", "ada@example.com")
			is, err := f.svc.Orders.RequestClaim(f.ctx, f.ids["ada"], "ada.old@example.com")
			f.must("claim request", err)
			f.secrets["claim"] = is.Token
		},
		run: func(f *faultFixture) (string, error) {
			ctx := actor.NewContext(f.ctx, actor.Customer(f.ids["ada"]))
			c, n, err := f.svc.Orders.AcceptClaim(ctx, f.ids["ada"], f.secrets["claim"])
			return fmt.Sprintf("%s moved %d, %d orders", c.ID, n, c.OrderCount), err
		},
	},
	{
		name: "Orders.Reassign",
		setup: func(f *faultFixture) {
			f.register("ada", "ada@example.com")
			f.register("bob", "bob@example.com")
			_, err := f.svc.Orders.RecordPlaced(f.ctx, order.Params{ID: "order-1", CustomerID: f.ids["ada"], Number: "1",
				Total: f.money("5.00")})
			f.must("record", err)
		},
		run: func(f *faultFixture) (string, error) {
			o, err := f.svc.Orders.Reassign(actor.NewContext(f.ctx, actor.Staff("support-1")), "order-1", f.ids["bob"])
			return fmt.Sprintf("%s to %s", o.ID, o.CustomerID), err
		},
	},
}
