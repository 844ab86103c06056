package clienteletest

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
)

// BackOffice returns a context whose actor is the operator's staff member
// "clienteletest": the authority of the vendor calls made with uuid.Nil as
// the acting customer, and of operator grants.
func BackOffice() context.Context {
	return clientele.WithActor(context.Background(), actor.Staff("clienteletest"))
}

// MustAddVendorMember makes the customer a member of the merchant with
// role, on the back office's authority (the first owner of a merchant is
// added this way).
func (e *Env) MustAddVendorMember(merchantID, customerID uuid.UUID, role merchant.Role) merchant.Member {
	e.TB.Helper()
	m, err := e.Service.Vendors.AddMember(BackOffice(), uuid.Nil, merchantID, customerID, role)
	e.must(err, "add vendor member")
	return m
}

// MustVendor creates a merchant named name and a registered customer who
// owns it, and returns both.
func (e *Env) MustVendor(name string) (merchant.Merchant, merchant.Member) {
	e.TB.Helper()
	m := e.MustMerchant(name)
	owner := e.MustRegister()
	return m, e.MustAddVendorMember(m.ID, owner.ID, merchant.Owner)
}

// MustRelateCustomer makes the customer one of the vendor's own customers
// (source order), on the back office's authority.
func (e *Env) MustRelateCustomer(merchantID, customerID uuid.UUID) merchant.CustomerRelation {
	e.TB.Helper()
	rel, _, err := e.Service.Vendors.RelateCustomer(BackOffice(), uuid.Nil, merchantID, customerID, merchant.SourceOrder)
	e.must(err, "relate customer to vendor")
	return rel
}

// MustVendorGroup creates a group named name owned by the merchant, on the
// back office's authority.
func (e *Env) MustVendorGroup(merchantID uuid.UUID, name string) group.Group {
	e.TB.Helper()
	g, err := e.Service.Vendors.CreateGroup(BackOffice(), uuid.Nil, merchantID, clientele.GroupParams{Name: name})
	e.must(err, "create vendor group %q", name)
	return g
}

// MustGrantOperator makes the customer operator staff with role.
func (e *Env) MustGrantOperator(customerID uuid.UUID, role operator.Role) operator.Staff {
	e.TB.Helper()
	s, err := e.Service.Vendors.GrantOperator(BackOffice(), customerID, role)
	e.must(err, "grant operator")
	return s
}
