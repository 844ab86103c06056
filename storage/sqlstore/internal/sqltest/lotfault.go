package sqltest

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/balance"
)

// creditExpiring credits customerID with amount expiring at expires
// (after the fixture's clock).
func (f *faultFixture) creditExpiring(customerID uuid.UUID, amount string, expires time.Time) {
	f.t.Helper()
	_, err := f.svc.Balances.Credit(f.ctx, clientele.PostingRequest{CustomerID: customerID, Amount: f.money(amount),
		Kind: balance.KindGiftCard, ExpiresAt: expires})
	f.must("credit "+amount+" expiring for "+customerID.String(), err)
}

// creditExpired stores, through the store, a credit of amount made two
// hours before the fixture's clock that expired an hour before it: a lot
// due, which the next posting or expiry run expires.
func (f *faultFixture) creditExpired(name, amount string) {
	f.t.Helper()
	acct, err := f.svc.Balances.Account(f.ctx, f.ids[name], balance.MustCurrency("EUR"))
	f.must("account of "+name, err)
	p, err := balance.NewPosting(f.next(), acct, balance.PostingParams{Kind: balance.KindGiftCard, Amount: f.money(amount),
		ExpiresAt: faultEpoch.Add(-time.Hour)}, faultEpoch.Add(-2*time.Hour))
	f.must("build an expired credit", err)
	_, err = f.store.Balances().Post(f.ctx, p)
	f.must("store an expired credit", err)
}

// lotFaultOps are the writes of expiring credit: a debit that takes from
// several lots, a debit that expires a due lot first, and an expiry run.
// Each is one transaction, so a fault anywhere leaves every lot as it was.
var lotFaultOps = []faultOp{
	{
		name: "Balances.Debit/SeveralLots",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.creditExpiring(ada, "5.00", faultEpoch.Add(24*time.Hour))
			f.creditExpiring(ada, "5.00", faultEpoch.Add(48*time.Hour))
			f.credit(ada, "10.00")
		},
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Balances.Debit(f.ctx, clientele.PostingRequest{CustomerID: f.ids["ada"], Amount: f.money("12.00"),
				IdempotencyKey: "debit-lots"})
			return postingDigest(p), err
		},
		replay: true,
		key:    "debit-lots",
	},
	{
		name: "Balances.Debit/ExpiresDueLotFirst",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.credit(ada, "10.00")
			f.creditExpired("ada", "4.00")
		},
		run: func(f *faultFixture) (string, error) {
			p, err := f.svc.Balances.Debit(f.ctx, clientele.PostingRequest{CustomerID: f.ids["ada"], Amount: f.money("3.00"),
				IdempotencyKey: "debit-after-expiry"})
			return postingDigest(p), err
		},
		replay: true,
		key:    "debit-after-expiry",
	},
	{
		name: "Balances.ExpireCredit",
		setup: func(f *faultFixture) {
			ada := f.register("ada", "ada@example.com")
			f.credit(ada, "10.00")
			f.creditExpired("ada", "4.00")
			f.creditExpired("ada", "1.50")
		},
		run: func(f *faultFixture) (string, error) {
			run, err := f.svc.Balances.ExpireCredit(f.ctx, time.Time{})
			return fmt.Sprintf("lots %d accounts %d amounts %v", run.Lots, run.Accounts, run.Amounts), err
		},
	},
}
