package sqltest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/sqlstore"
	"github.com/clientele-go/clientele/storage/sqlstore/internal/faultdriver"
)

// RoundTrips checks what the hot operations cost in calls to the database,
// from the fault connector's log: a read by key or a page is one
// statement; creating a customer without tags and adding a member are one
// statement each, with no transaction around them; a posting is BEGIN,
// three statements (lock the account and check the ID and key, move the
// balance, insert the posting) and COMMIT. Credentials: an Update is BEGIN,
// the customer's lock, the locking reads of the credentials and of their
// identities (none for new credentials), the write and COMMIT; issuing a
// token is BEGIN, the customer's lock, the INSERT, the revocation of the
// older ones and COMMIT; redeeming one reads its customer before BEGIN,
// then locks the customer and the token and writes it. The order
// statistics' update is BEGIN, the locking read, the write and COMMIT (an
// INSERT first for a customer's first figures in a currency). A pricing
// context (clientele's Pricing.Context) is one statement, for a customer
// as for a guest. Each
// operation runs once before
// it is counted, so that its statements are prepared (database/sql
// prepares once per connection; preparing is not in the log).
func RoundTrips(t *testing.T, e FaultEngine) {
	db, fc := e.Open(t)
	db.SetMaxOpenConns(1) // one connection: its statements are prepared by the warm-up
	s := NewStore(t, db, e.Dialect)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	n := 0
	newCustomer := func() customer.Customer {
		n++
		c, err := customer.NewRegistered(uuid.New(), customer.Params{Email: fmt.Sprintf("rt%d@example.com", n), FirstName: "R"}, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	mustCreate := func() customer.Customer {
		c, err := s.Customers().Create(ctx, newCustomer())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := mustCreate()
	g, err := group.New(uuid.New(), group.Params{Name: "Round trips"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if g, err = s.Groups().Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	eur := balance.MustCurrency("EUR")
	acct, err := s.Balances().CreateAccount(ctx, balance.NewAccount(uuid.New(), first.ID, eur, now))
	if err != nil {
		t.Fatal(err)
	}
	amount, err := balance.ParseMoney("1.00", "EUR")
	if err != nil {
		t.Fatal(err)
	}
	post := func() error {
		n++
		p, err := balance.NewPosting(uuid.New(), acct, balance.PostingParams{Kind: balance.KindGiftCard, Amount: amount,
			IdempotencyKey: fmt.Sprintf("rt-%d", n)}, now)
		if err != nil {
			return err
		}
		_, err = s.Balances().Post(ctx, p)
		return err
	}
	creds := s.Credentials()
	if _, err := creds.Update(ctx, first.ID, func(c *credential.Credentials) error {
		if err := c.SetPassword("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", now); err != nil {
			return err
		}
		_, err := c.Link(credential.Identity{Provider: "google", Subject: "rt"}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	newToken := func(p credential.Purpose) (credential.Token, error) {
		id := uuid.New()
		return credential.NewToken(id, sha256.Sum256(id[:]), credential.TokenParams{Purpose: p, CustomerID: first.ID,
			Email: first.Email.Address}, now)
	}
	var redeemable []credential.Token // one for the warm-up, one counted (of two purposes: a token revokes its purpose's older ones)
	for _, p := range []credential.Purpose{credential.PurposeEmailVerification, credential.PurposeEmailChange} {
		tk, err := newToken(p)
		if err == nil {
			err = creds.IssueToken(ctx, tk)
		}
		if err != nil {
			t.Fatal(err)
		}
		redeemable = append(redeemable, tk)
	}
	// A pricing context: a private market that requires verified
	// customers, the customer in its access group, a segment naming it.
	svc := clientele.New(s)
	mer, err := merchant.New(uuid.New(), merchant.Params{Name: "RT", BillingAddress: address.Address{Line1: "Main St 1", City: "Berlin", Country: "DE"}}, now)
	if err == nil {
		_, err = s.Merchants().Create(ctx, mer)
	}
	if err != nil {
		t.Fatal(err)
	}
	mk, err := market.New(uuid.New(), market.Params{MerchantID: mer.ID, Code: "rt", Name: "RT", BusinessModel: market.BusinessModelB2C,
		Currency: eur, AccessGroups: []uuid.UUID{g.ID}, RequireVerified: true}, now)
	if err == nil {
		_, err = s.Markets().Create(ctx, mk)
	}
	if err == nil {
		_, err = s.Groups().AddMember(ctx, g.ID, first.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	seg, err := segment.New(uuid.New(), segment.Params{Name: "RT", Rule: segment.Cond(segment.FieldGroup, segment.OpHas, g.ID.String())}, now)
	if err == nil {
		_, err = s.SegmentRecords().Create(ctx, seg)
	}
	if err != nil {
		t.Fatal(err)
	}
	pricingContext := func(customerID uuid.UUID, groups, segments int) func() error {
		return func() error {
			c, err := svc.Pricing.Context(ctx, customerID, mk.ID)
			if err == nil && (len(c.Groups) != groups || len(c.Segments) != segments || !c.Access.Reason.Valid()) {
				err = fmt.Errorf("context %+v: want %d groups, %d segments and a denial", c, groups, segments)
			}
			return err
		}
	}
	for _, c := range []struct {
		name string
		run  func() error
		want []faultdriver.Kind
	}{
		// The pricing context is one statement (storage.PricingSnapshots),
		// for a customer (here denied: not verified) as for a guest.
		{"Pricing.Context", pricingContext(first.ID, 1, 1), []faultdriver.Kind{faultdriver.Statement}},
		{"Pricing.Context/guest", pricingContext(uuid.Nil, 0, 0), []faultdriver.Kind{faultdriver.Statement}},
		{"Credentials.Get", func() error {
			_, err := creds.Get(ctx, first.ID)
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		// A customer's consent state, every pair, is one query; an
		// append locks the head, reads the records under the lock,
		// inserts and moves the head on.
		{"ConsentRecords.State", func() error {
			_, err := s.ConsentRecords().State(ctx, first.ID)
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"ConsentRecords.Append", func() error {
			_, err := s.ConsentRecords().Append(ctx, first.ID, func(consent.State) ([]consent.Record, error) {
				return []consent.Record{{ID: uuid.New(), CustomerID: first.ID, Channel: consent.Email, Purpose: consent.Marketing,
					Status: consent.Granted, At: now, Evidence: consent.Evidence{Source: "rt"}}}, nil
			})
			return err
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Statement, faultdriver.Commit}},
		{"Credentials.ByIdentity", func() error {
			_, err := creds.ByIdentity(ctx, "google", "rt")
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Credentials.Update", func() error {
			_, err := creds.Update(ctx, first.ID, func(c *credential.Credentials) error {
				c.RecordFailure(credential.DefaultThrottle, now)
				return nil
			})
			return err
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Statement, faultdriver.Commit}},
		{"Credentials.Update/new", func() error {
			_, err := creds.Update(ctx, mustCreate().ID, func(c *credential.Credentials) error {
				return c.SetPassword("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", now)
			})
			return err
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Commit}},
		{"Credentials.IssueToken", func() error {
			tk, err := newToken(credential.PurposePasswordReset)
			if err != nil {
				return err
			}
			return creds.IssueToken(ctx, tk)
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Commit}},
		{"Credentials.Token", func() error {
			_, err := creds.Token(ctx, redeemable[0].Hash)
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Credentials.UpdateToken", func() error {
			tk := redeemable[0]
			redeemable = redeemable[1:]
			_, err := creds.UpdateToken(ctx, tk.Hash, func(t *credential.Token) error { return t.Redeem(tk.Purpose, now) })
			return err
		}, []faultdriver.Kind{faultdriver.Statement, faultdriver.Begin, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Statement, faultdriver.Commit}},
		{"Customers.Get", func() error {
			_, err := s.Customers().Get(ctx, first.ID)
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Customers.GetByEmail", func() error {
			_, err := s.Customers().GetByEmail(ctx, first.Email.Address, true)
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Customers.List", func() error {
			_, err := s.Customers().List(ctx, storage.CustomerFilter{}, storage.PageRequest{Limit: 10})
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Customers.Create", func() error {
			_, err := s.Customers().Create(ctx, newCustomer())
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Groups.AddMember", func() error {
			added, err := s.Groups().AddMember(ctx, g.ID, mustCreate().ID)
			if err == nil && !added {
				err = fmt.Errorf("not added")
			}
			return err
		}, []faultdriver.Kind{faultdriver.Statement}},
		// A credit: lock the account (which tells whether lots are due),
		// move it, insert the posting and its lot.
		// (The posting and its lot are one statement where the dialect
		// chains writes: chainedKinds.)
		{"Balances.Post", post, chainedKinds(e.Dialect, faultdriver.Begin, faultdriver.Statement,
			faultdriver.Statement, faultdriver.Statement, faultdriver.Statement, faultdriver.Commit)},
		// A debit: lock the account, read its open lots (in the lock's
		// statement where the dialect has ForUpdateOf), move it, insert
		// the posting, update the lot it takes from.
		{"Balances.Post/debit", func() error {
			p, err := balance.NewPosting(uuid.New(), acct, balance.PostingParams{Kind: balance.KindOrderPayment,
				Amount: balance.FromMinorUnits(-1, amount.Currency())}, now)
			if err == nil {
				_, err = s.Balances().Post(ctx, p)
			}
			return err
		}, debitKinds(e.Dialect, faultdriver.Begin, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Statement, faultdriver.Statement, faultdriver.Statement, faultdriver.Commit)},
		{"Events.Append", func() error {
			return s.Events().Append(ctx, testEvent(t, first.ID, "rt", 1))
		}, []faultdriver.Kind{faultdriver.Statement}},
		{"Events.Append/3", func() error {
			return s.Events().Append(ctx, testEvent(t, first.ID, "rt", 1), testEvent(t, first.ID, "rt", 2), testEvent(t, first.ID, "rt", 3))
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Commit}},
		// A Claim: lock the sequencer, lock the consumer, find the events
		// to number (twice where that read skips locked rows: see
		// settle), number them, move the sequencer, read the batch, lease.
		{"Events.Claim", func() error {
			if err := s.Events().Append(ctx, testEvent(t, first.ID, "rt", 1)); err != nil {
				return err
			}
			_, err := s.Events().Claim(ctx, claimOf("rt", "h"))
			return err
		}, claimKinds(e.Dialect)},
		// Up to date: nothing to number.
		{"Events.Claim/none", func() error {
			_, err := s.Events().Claim(ctx, claimOf("rt", "h"))
			return err
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Statement, faultdriver.Statement, faultdriver.Commit}},
		// The order statistics every recorded order moves: lock the row,
		// write it.
		{"OrderDetails.UpdateStats", func() error {
			_, err := s.OrderDetails().UpdateStats(ctx, first.ID, eur, func(st *order.Stats) error {
				return st.AddOrder(balance.FromMinorUnits(100, eur), now)
			})
			return err
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Commit}},
		{"Events.Ack", func() error {
			b, err := s.Events().Claim(ctx, claimOf("rt-ack", "h"))
			if err != nil {
				return err
			}
			return s.Events().Ack(ctx, "rt-ack", "h", b.Last())
		}, []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
			faultdriver.Commit}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(); err != nil { // warm up: prepare
				t.Fatal(err)
			}
			fc.ResetLog()
			if err := c.run(); err != nil {
				t.Fatal(err)
			}
			log := fc.Log()
			switch {
			case (c.name == "Groups.AddMember" || c.name == "Credentials.Update/new") && len(log) > 0:
				log = log[1:] // the INSERT of the customer it adds, made by run itself
			case c.name == "Events.Claim" && len(log) > 0:
				log = log[1:] // the event it appends first
			case c.name == "Events.Ack":
				log = log[slices.IndexFunc(log, func(e faultdriver.Event) bool { return e.Kind == faultdriver.Commit })+1:] // its Claim
			}
			var got []faultdriver.Kind
			var lines []string
			for _, ev := range log {
				got = append(got, ev.Kind)
				lines = append(lines, ev.String())
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("ran %v, want %v:\n%s", got, c.want, strings.Join(lines, "\n"))
			}
		})
	}
}

// chainedKinds is kinds, a posting's statements with the posting and the
// lot it makes or takes from apart, less one statement where the dialect
// writes them in one (sqlstore.ChainedWrites).
func chainedKinds(d sqlstore.Dialect, kinds ...faultdriver.Kind) []faultdriver.Kind {
	if c, ok := d.(sqlstore.ChainedWrites); ok && c.ChainedWrites() {
		if i := slices.Index(kinds, faultdriver.Statement); i >= 0 {
			return slices.Delete(slices.Clone(kinds), i, i+1)
		}
	}
	return kinds
}

// debitKinds is chainedKinds for a debit whose first lot covers it: one
// statement fewer where the dialect implements sqlstore.ForUpdateOf, whose
// lock reads that lot too.
func debitKinds(d sqlstore.Dialect, kinds ...faultdriver.Kind) []faultdriver.Kind {
	kinds = chainedKinds(d, kinds...)
	if _, ok := d.(sqlstore.ForUpdateOf); ok {
		if i := slices.Index(kinds, faultdriver.Statement); i >= 0 {
			return slices.Delete(slices.Clone(kinds), i, i+1)
		}
	}
	return kinds
}

// claimKinds is what a Claim that numbers new events runs: the reads of
// the events to number are two where the engine finds them with a read
// that skips locked rows (neither FreshAfterLock nor one writer at a time).
func claimKinds(d sqlstore.Dialect) []faultdriver.Kind {
	k := []faultdriver.Kind{faultdriver.Begin, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement}
	if f, ok := d.(sqlstore.FreshAfterLock); d.ForUpdate() != "" && !(ok && f.FreshAfterLock()) {
		k = append(k, faultdriver.Statement)
	}
	return append(k, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement, faultdriver.Statement,
		faultdriver.Commit)
}
