package bulk

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/password"
)

// MaxGroups, MaxBalances and MaxAddresses bound the lists of one Record.
const (
	MaxGroups    = 50
	MaxBalances  = 20
	MaxAddresses = address.MaxEntries
)

// Record is one customer row.
type Record struct {
	// Email, Type, HasAccount, the names, Phone, Company, VATID, Note,
	// Tags, Metadata, ReferenceOrigin and Reference are those of
	// customer.Params and customer.Customer, with their rules.
	Email           string
	Type            customer.Type
	HasAccount      bool
	FirstName       string
	LastName        string
	Phone           string
	Company         string
	VATID           string
	Note            string
	Tags            []string
	Metadata        map[string]string
	ReferenceOrigin string
	Reference       string
	// Addresses is the address book, in order; each may be the default
	// shipping and/or billing address.
	Addresses []Address
	// Groups names the groups the customer belongs to.
	Groups []string
	// Balances are opening balances, one per currency, each positive; an
	// import posts each as a credit (balance.KindAdjustment).
	Balances []balance.Money
	// PasswordHash is a bcrypt, scrypt or argon2id hash (see
	// password.CheckHash); only a customer with an account may have one.
	// Clientele.Bulk.Export never fills it: a hash leaves the store only
	// through a Record a host builds itself.
	PasswordHash string
	// CreatedAt is when the customer was created in the source system (zero
	// means the time of the import); never in the future of the import.
	CreatedAt time.Time
}

// Address is one entry of a Record's address book.
type Address struct {
	address.Address
	// DefaultShipping and DefaultBilling make it the default of its kind.
	DefaultShipping bool
	DefaultBilling  bool
}

// Params returns the customer.Params of r.
func (r Record) Params() customer.Params {
	return customer.Params{Email: r.Email, Type: r.Type, FirstName: r.FirstName, LastName: r.LastName,
		Phone: r.Phone, Company: r.Company, VATID: r.VATID, Note: r.Note, Tags: r.Tags, Metadata: r.Metadata,
		Reference: r.Reference, ReferenceOrigin: r.ReferenceOrigin}
}

// validationID is the ID the checks give the customer they build.
var validationID = uuid.MustParse("00000000-0000-7000-8000-000000000001")

// Validate checks r with the rules of the services, as of now (CreatedAt
// must not be after it): the customer's fields (customer.NewGuest or
// NewRegistered), each address (address.Parse), at most one default of each
// kind, each group name (group.New), each balance (positive, one per
// currency) and the password hash (password.CheckHash with
// password.DefaultLimits). The error is a *RowError with Line 0 whose Field
// is the Native name of the field ("email", "addresses[1].city",
// "balances[0]", "password_hash"); it wraps the domain's error and
// ErrInvalid.
func (r Record) Validate(now time.Time) error {
	fail := func(field string, err error) error {
		return &RowError{Field: field, Err: fmt.Errorf("%w: %w", ErrInvalid, err)}
	}
	var err error
	if r.HasAccount {
		_, err = customer.NewRegistered(validationID, r.Params(), now)
	} else {
		_, err = customer.NewGuest(validationID, r.Params(), now)
	}
	if err != nil {
		return fail(fieldOf(err, "email"), err)
	}
	if len(r.Addresses) > MaxAddresses {
		return fail("addresses", fmt.Errorf("more than %d addresses", MaxAddresses))
	}
	var ship, bill int
	for i, a := range r.Addresses {
		if _, err := address.Parse(a.Address); err != nil {
			return fail(fmt.Sprintf("addresses[%d].%s", i, fieldOf(err, "line1")), err)
		}
		if a.DefaultShipping {
			ship++
		}
		if a.DefaultBilling {
			bill++
		}
	}
	if ship > 1 || bill > 1 {
		return fail("addresses", errors.New("more than one default address of a kind"))
	}
	if len(r.Groups) > MaxGroups {
		return fail("groups", fmt.Errorf("more than %d groups", MaxGroups))
	}
	for i, name := range r.Groups {
		if _, err := group.New(validationID, group.Params{Name: name}, now); err != nil {
			return fail(fmt.Sprintf("groups[%d]", i), err)
		}
	}
	if len(r.Balances) > MaxBalances {
		return fail("balances", fmt.Errorf("more than %d balances", MaxBalances))
	}
	seen := make(map[balance.Currency]bool, len(r.Balances))
	for i, m := range r.Balances {
		switch {
		case m.Currency().IsZero():
			return fail(fmt.Sprintf("balances[%d]", i), errors.New("has no currency"))
		case !m.IsPositive():
			return fail(fmt.Sprintf("balances[%d]", i), errors.New("must be positive"))
		case seen[m.Currency()]:
			return fail(fmt.Sprintf("balances[%d]", i), errors.New("repeats a currency"))
		}
		seen[m.Currency()] = true
	}
	if r.PasswordHash != "" {
		if !r.HasAccount {
			return fail("password_hash", errors.New("only a customer with an account has a password"))
		}
		if err := password.CheckHash(r.PasswordHash, password.Limits{}); err != nil {
			return fail("password_hash", err)
		}
	}
	if !r.CreatedAt.IsZero() && r.CreatedAt.After(now) {
		return fail("created_at", errors.New("is in the future"))
	}
	return nil
}

// fieldOf returns the field a validation error names, or def.
func fieldOf(err error, def string) string {
	var ve *errcode.ValidationError
	if errors.As(err, &ve) && ve.Field != "" {
		return ve.Field
	}
	return def
}
