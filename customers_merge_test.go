package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
)

// balanceIn returns the customer's balance in the currency, zero when it
// has no account.
func balanceIn(t *testing.T, e *clienteletest.Env, id uuid.UUID, code string) balance.Money {
	t.Helper()
	// The store, not the service: the service refuses a deleted customer.
	a, err := e.Store.Balances().AccountFor(context.Background(), id, e.MustCurrency(code))
	if errors.Is(err, storage.ErrNotFound) {
		return balance.Zero(e.MustCurrency(code))
	}
	require.NoError(t, err)
	return a.Balance
}

// add is a + b for a test, which knows the currencies match.
func add(t *testing.T, a, b balance.Money) balance.Money {
	t.Helper()
	sum, err := a.Add(b)
	require.NoError(t, err)
	return sum
}

func TestMergeOnEveryStore(t *testing.T) {
	eachStore(t, func(t *testing.T, s storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(s))
		ctx := staff(context.Background())
		cs := e.Service.Customers

		t.Run("everything moves, the duplicate becomes a tombstone", func(t *testing.T) {
			surv := e.MustRegister(clienteletest.Name("Ada", ""), clienteletest.Tags("vip"),
				clienteletest.Metadata("tier", "gold"), clienteletest.Note("prefers mail"))
			dup := e.MustGuest(clienteletest.Name("Adah", "Lovelace"), clienteletest.Tags("newsletter"),
				clienteletest.Metadata("tier", "silver"), clienteletest.Metadata("source", "pos"),
				clienteletest.Reference("erp", "ERP-"+dupSuffix(e)), clienteletest.Phone("+4930123456"))
			home := e.MustAddAddress(surv.ID, address.Patch{Line1: ptr("1 Main St"), City: ptr("Berlin"), Country: ptr("DE")})
			same := e.MustAddAddress(dup.ID, address.Patch{Line1: ptr("1 Main St"), City: ptr("Berlin"), Country: ptr("DE")})
			other := e.MustAddAddress(dup.ID, address.Patch{Line1: ptr("2 Side St"), City: ptr("Paris"), Country: ptr("FR")})
			g := e.MustGroup("merge-vip-" + dupSuffix(e))
			e.MustJoin(g.ID, dup.ID)
			e.MustPlaceOrder(surv.ID, "m-s1-"+dupSuffix(e), "10.00 EUR")
			o1 := e.MustPlaceOrder(dup.ID, "m-d1-"+dupSuffix(e), "20.00 EUR")
			o2 := e.MustPlaceOrder(dup.ID, "m-d2-"+dupSuffix(e), "30.00 EUR")
			e.MustCredit(dup.ID, "25.00 EUR")
			e.MustCredit(dup.ID, "7.50 USD")
			e.MustCredit(surv.ID, "5.00 EUR")
			totalEUR := add(t, balanceIn(t, e, dup.ID, "EUR"), balanceIn(t, e, surv.ID, "EUR"))

			res, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			assert.False(t, res.Replayed)
			assert.Equal(t, 2, res.Orders)
			assert.Equal(t, 1, res.Addresses)
			assert.Equal(t, 1, res.DroppedAddresses)
			assert.Equal(t, 1, res.Groups)
			require.Len(t, res.Transfers, 2)

			got, err := cs.Get(context.Background(), surv.ID)
			require.NoError(t, err)
			assert.Equal(t, 3, got.OrderCount)
			assert.Equal(t, customer.StatusRepeat, got.Status)
			assert.Equal(t, "Ada", got.FirstName, "the survivor's value wins")
			assert.Equal(t, "Lovelace", got.LastName, "an empty field is filled")
			assert.Equal(t, "+4930123456", got.Phone)
			assert.Equal(t, []string{"newsletter", "vip"}, got.Tags)
			assert.Equal(t, map[string]string{"tier": "gold", "source": "pos"}, got.Metadata)
			assert.Equal(t, dup.Reference, got.Reference, "the reference moves to a survivor without one")
			assert.Equal(t, surv.Email, got.Email)

			for _, o := range []order.Order{o1, o2} {
				moved, err := e.Service.Orders.Get(context.Background(), o.ID)
				require.NoError(t, err)
				assert.Equal(t, surv.ID, moved.CustomerID)
			}
			hist, err := e.Service.Orders.History(context.Background(), dup.ID, page.Request{})
			if err == nil {
				assert.Empty(t, hist.Items)
			}

			book, err := e.Service.Addresses.Book(context.Background(), surv.ID)
			require.NoError(t, err)
			require.Len(t, book.Entries, 2)
			def, _ := book.Default(address.Shipping)
			assert.Equal(t, home.ID, def.ID, "the survivor's default stays")
			_, ok := book.Get(other.ID)
			assert.True(t, ok, "a moved entry keeps its ID")
			_, ok = book.Get(same.ID)
			assert.False(t, ok, "a duplicate address is dropped")

			member, err := e.Service.Groups.GroupsOf(context.Background(), surv.ID, page.Request{})
			require.NoError(t, err)
			require.Len(t, member.Items, 1)
			assert.Equal(t, g.ID, member.Items[0].ID)

			assert.True(t, balanceIn(t, e, dup.ID, "EUR").IsZero())
			assert.True(t, balanceIn(t, e, dup.ID, "USD").IsZero())
			assert.Equal(t, "7.50", balanceIn(t, e, surv.ID, "USD").Amount().StringFixed(2))
			assert.True(t, totalEUR.Equal(balanceIn(t, e, surv.ID, "EUR")), "a merge never changes the total")

			_, err = cs.Get(context.Background(), dup.ID)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			r, err := cs.Resolve(context.Background(), dup.ID)
			require.NoError(t, err)
			assert.Equal(t, surv.ID, r.ID)
			r, err = cs.ResolveByEmail(context.Background(), dup.Email.Display)
			require.NoError(t, err)
			assert.Equal(t, surv.ID, r.ID)
			r, err = cs.ResolveByReference(context.Background(), "erp", dup.Reference)
			require.NoError(t, err, "the survivor holds the reference now")
			assert.Equal(t, surv.ID, r.ID)
			ts, err := cs.Tombstone(context.Background(), dup.ID)
			require.NoError(t, err)
			assert.Equal(t, surv.ID, ts.SurvivorID)
			assert.Equal(t, "staff:support-1", ts.Actor)

			again, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			assert.True(t, again.Replayed)
			after, err := cs.Get(context.Background(), surv.ID)
			require.NoError(t, err)
			assert.Equal(t, got.Version, after.Version, "a replay writes nothing")

			_, err = cs.Merge(ctx, surv.ID, dup.ID)
			var me *customer.MergedError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, surv.ID, me.SurvivorID)
			assert.ErrorIs(t, err, customer.ErrNotFound)
		})

		t.Run("statistics, expiring lots, payment sources and subscriptions move", func(t *testing.T) {
			surv := e.MustRegister()
			dup := e.MustGuest()
			o := e.MustPlaceOrder(dup.ID, "m-st-"+dupSuffix(e), "40.00 EUR")
			e.MustRecordRefund(o.ID, "rf-"+dupSuffix(e), "5.00 EUR")
			e.MustCredit(dup.ID, "6.00 EUR", clienteletest.ExpiresIn(48*time.Hour))
			e.MustCredit(dup.ID, "4.00 EUR")
			shared := e.MustAddPaymentSource(surv.ID, clienteletest.Card(clienteletest.WithToken("pm_shared")))
			same := e.MustAddPaymentSource(dup.ID, clienteletest.Card(clienteletest.WithToken("pm_shared")))
			own := e.MustAddPaymentSource(dup.ID, clienteletest.Card(clienteletest.WithToken("pm_own")))
			e.MustRecordSubscription(dup.ID, "sub-a-"+dupSuffix(e), "monthly", same.ID)
			subB := e.MustRecordSubscription(dup.ID, "sub-b-"+dupSuffix(e), "yearly", own.ID)

			res, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			assert.Equal(t, 1, res.PaymentSources, "the shared card is dropped")
			assert.Equal(t, 2, res.Subscriptions)

			stats, err := e.Service.Orders.Stats(context.Background(), surv.ID)
			require.NoError(t, err)
			require.Len(t, stats, 1)
			assert.EqualValues(t, 1, stats[0].OrderCount)
			assert.Equal(t, "40.00 EUR", stats[0].Spent.String())
			assert.Equal(t, "5.00 EUR", stats[0].Refunded.String())
			gone, err := e.Service.Orders.Stats(context.Background(), dup.ID)
			if err == nil {
				for _, st := range gone {
					assert.Zero(t, st.OrderCount, "the duplicate's figures left with its orders")
				}
			}

			lots, err := e.Service.Balances.Lots(context.Background(), surv.ID, e.MustCurrency("EUR"))
			require.NoError(t, err)
			var expiring, forever int64
			for _, l := range lots {
				if l.Expires() {
					expiring += l.Remaining.MinorUnits()
				} else {
					forever += l.Remaining.MinorUnits()
				}
			}
			assert.EqualValues(t, 600, expiring, "credit that was to expire still does")
			assert.EqualValues(t, 400, forever)

			w, err := e.Service.Wallet.Get(context.Background(), surv.ID)
			require.NoError(t, err)
			require.Len(t, w.Sources, 2)
			def, _ := w.Default()
			assert.Equal(t, shared.ID, def.ID, "the survivor's default stays")
			subs, err := e.Service.Subscriptions.List(context.Background(), surv.ID, page.Request{})
			require.NoError(t, err)
			require.Len(t, subs.Items, 2)
			for _, sub := range subs.Items {
				require.NotNil(t, sub.PaymentSourceID)
				if sub.ID == subB.ID {
					assert.Equal(t, own.ID, *sub.PaymentSourceID)
				} else {
					assert.Equal(t, shared.ID, *sub.PaymentSourceID, "charges the survivor's card for the same method")
				}
			}
		})

		t.Run("the consent history moves whole and the latest choice wins", func(t *testing.T) {
			surv, dup := e.MustRegister(), e.MustGuest()
			email := func(p consent.Purpose) consent.Pair { return consent.Pair{Channel: consent.Email, Purpose: p} }
			// The clock ticks on every call: each record is later than the
			// one before.
			own0 := e.MustGrantConsent(surv.ID, consent.Email, consent.Marketing)
			mov0 := e.MustGrantConsent(dup.ID, consent.Email, consent.Newsletter)
			mov1 := e.MustWithdrawConsent(dup.ID, consent.Email, consent.Marketing)   // after the survivor's grant: wins
			own1 := e.MustWithdrawConsent(surv.ID, consent.Email, consent.Newsletter) // after the duplicate's grant: wins
			sms, err := e.Service.Consents.Request(ctx, dup.ID, clientele.ConsentChange{Channel: consent.SMS, Purpose: consent.Marketing,
				Evidence: consent.Evidence{Source: "pos"}})
			require.NoError(t, err)
			push, err := e.Service.Consents.Request(ctx, dup.ID, clientele.ConsentChange{Channel: consent.Push, Purpose: consent.Marketing,
				Evidence: consent.Evidence{Source: "app"}})
			require.NoError(t, err)
			own2 := e.MustGrantConsent(surv.ID, consent.Push, consent.Marketing) // supersedes the duplicate's request
			own, moving := []consent.Record{own0, own1, own2}, []consent.Record{mov0, mov1, sms.Record, push.Record}
			e.TakeEvents()

			res, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			assert.Equal(t, len(moving), res.Consents)
			for _, ev := range e.TakeEvents() {
				if ev.Type == event.CustomerMerged {
					p, err := event.Decode[event.MergePayload](ev)
					require.NoError(t, err)
					assert.Equal(t, len(moving), p.Consents, "the event counts them")
				}
			}

			hist, err := e.Service.Consents.History(context.Background(), surv.ID, page.Request{Limit: page.MaxLimit})
			require.NoError(t, err)
			require.Len(t, hist.Items, len(own)+len(moving), "the whole history of both, nothing copied or lost")
			assert.Equal(t, own, hist.Items[:len(own)])
			for i, want := range moving {
				got := hist.Items[len(own)+i]
				want.CustomerID, want.Seq = surv.ID, int64(len(own)+i+1)
				assert.Equal(t, want, got, "moved record %d keeps its ID, time, actor and evidence", i)
			}
			repo := s.(storage.Consents).ConsentRecords()
			left, err := repo.History(context.Background(), dup.ID, page.Request{})
			require.NoError(t, err)
			assert.Empty(t, left.Items, "nothing stays on the tombstone")

			st, err := e.Service.Consents.State(context.Background(), surv.ID)
			require.NoError(t, err)
			for _, c := range []struct {
				pair consent.Pair
				want consent.Record
			}{
				{email(consent.Marketing), moving[1]},
				{email(consent.Newsletter), own[1]},
				{consent.Pair{Channel: consent.SMS, Purpose: consent.Marketing}, moving[2]},
				{consent.Pair{Channel: consent.Push, Purpose: consent.Marketing}, own[2]},
			} {
				cur, ok := st.Of(c.pair)
				require.True(t, ok, "%s", c.pair)
				assert.Equal(t, c.want.ID, cur.ID, "%s: the latest record by time", c.pair)
			}
			assert.False(t, st.Granted(consent.Email, consent.Marketing), "the duplicate's later withdrawal holds")

			// The duplicate's pending requests moved with their tokens.
			granted, err := e.Service.Consents.Confirm(context.Background(), sms.Token)
			require.NoError(t, err)
			assert.Equal(t, surv.ID, granted.CustomerID)
			assert.Equal(t, sms.Record.ID, granted.Confirms)
			assert.Equal(t, int64(len(own)+len(moving)+1), granted.Seq)
			_, err = e.Service.Consents.Confirm(context.Background(), push.Token)
			var te *credential.TokenError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, credential.ReasonSuperseded, te.Reason, "the survivor's later grant superseded the request")

			_, err = e.Service.Consents.Grant(ctx, dup.ID, clientele.ConsentChange{Channel: consent.Post, Purpose: consent.Marketing,
				Evidence: consent.Evidence{Source: "late"}})
			assert.ErrorIs(t, err, customer.ErrNotFound, "the merged customer records nothing")
		})

		t.Run("consent changes racing a merge land on one side and nothing is lost", func(t *testing.T) {
			surv, dup := e.MustRegister(), e.MustGuest()
			e.MustGrantConsent(dup.ID, consent.Email, consent.Marketing)
			const n = 8
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				recorded []uuid.UUID
				merged   clientele.MergeResult
			)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// A request always records (a retry issues a new token).
					tok, err := e.Service.Consents.Request(ctx, dup.ID, clientele.ConsentChange{Channel: consent.SMS,
						Purpose: consent.Newsletter, Evidence: consent.Evidence{Source: "race"}})
					if err != nil {
						assert.ErrorIs(t, err, customer.ErrNotFound)
						return
					}
					mu.Lock()
					recorded = append(recorded, tok.Record.ID)
					mu.Unlock()
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				merged, err = cs.Merge(ctx, dup.ID, surv.ID)
				assert.NoError(t, err)
			}()
			wg.Wait()
			repo := s.(storage.Consents).ConsentRecords()
			left, err := repo.History(context.Background(), dup.ID, page.Request{})
			require.NoError(t, err)
			assert.Empty(t, left.Items, "no change is left on the tombstone")
			hist, err := e.Service.Consents.History(context.Background(), surv.ID, page.Request{Limit: page.MaxLimit})
			require.NoError(t, err)
			require.Len(t, hist.Items, 1+len(recorded))
			assert.Equal(t, 1+len(recorded), merged.Consents)
			have := map[uuid.UUID]bool{}
			for i, r := range hist.Items {
				assert.Equal(t, int64(i+1), r.Seq)
				have[r.ID] = true
			}
			for _, id := range recorded {
				assert.True(t, have[id], "a change that succeeded is on the survivor")
			}
		})

		t.Run("chains resolve in one hop", func(t *testing.T) {
			a, b, c := e.MustGuest(), e.MustGuest(), e.MustRegister()
			_, err := cs.Merge(ctx, a.ID, b.ID)
			require.NoError(t, err)
			_, err = cs.Merge(ctx, b.ID, c.ID)
			require.NoError(t, err)
			ts, err := cs.Tombstone(context.Background(), a.ID)
			require.NoError(t, err)
			assert.Equal(t, c.ID, ts.SurvivorID)
			r, err := cs.ResolveByEmail(context.Background(), a.Email.Display)
			require.NoError(t, err)
			assert.Equal(t, c.ID, r.ID)
		})

		t.Run("refusals write nothing", func(t *testing.T) {
			reg, g := e.MustRegister(), e.MustGuest()
			_, err := cs.Merge(ctx, reg.ID, g.ID)
			assert.ErrorIs(t, err, customer.ErrMergeRefused)
			_, err = cs.Merge(context.Background(), g.ID, reg.ID)
			assert.ErrorIs(t, err, clientele.ErrActorRequired)
			_, err = cs.Merge(ctx, g.ID, g.ID)
			assert.ErrorIs(t, err, customer.ErrInvalid)
			_, err = cs.Merge(ctx, uuid.New(), reg.ID)
			assert.ErrorIs(t, err, customer.ErrNotFound)

			// Too many tags together: refused, and the duplicate's order
			// stays where it was.
			var many, more []string
			for i := range customer.MaxTags {
				many = append(many, fmt.Sprintf("a%02d", i))
				more = append(more, fmt.Sprintf("b%02d", i))
			}
			s1, d1 := e.MustRegister(clienteletest.Tags(many...)), e.MustGuest(clienteletest.Tags(more...))
			o := e.MustPlaceOrder(d1.ID, "m-refused-"+dupSuffix(e), "1.00 EUR")
			e.MustCredit(d1.ID, "3.00 EUR")
			_, err = cs.Merge(ctx, d1.ID, s1.ID)
			assert.ErrorIs(t, err, customer.ErrMergeRefused)
			var ve *customer.ValidationError
			assert.ErrorAs(t, err, &ve)
			still, err := e.Service.Orders.Get(context.Background(), o.ID)
			require.NoError(t, err)
			assert.Equal(t, d1.ID, still.CustomerID)
			assert.Equal(t, "3.00", balanceIn(t, e, d1.ID, "EUR").Amount().StringFixed(2))
			_, err = cs.Get(context.Background(), d1.ID)
			assert.NoError(t, err)
		})

		t.Run("identities move, the password stays the survivor's", func(t *testing.T) {
			surv := e.MustRegisterAccount()
			dup := e.MustRegisterAccount()
			subject := "sub-" + dupSuffix(e)
			_, err := e.Service.Accounts.LinkIdentity(context.Background(), dup.ID, "google", subject)
			require.NoError(t, err)
			res, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			assert.Equal(t, 1, res.Identities)
			who, err := e.Service.Accounts.FindByIdentity(context.Background(), "google", subject)
			require.NoError(t, err)
			assert.Equal(t, surv.ID, who.ID)
			_, err = e.Service.Accounts.Authenticate(context.Background(), dup.Email.Display, clienteletest.Password)
			assert.Error(t, err, "the duplicate cannot sign in")
			_, err = e.Service.Accounts.Authenticate(context.Background(), surv.Email.Display, clienteletest.Password)
			assert.NoError(t, err)
		})

		t.Run("8 concurrent merges of one pair give one merge", func(t *testing.T) {
			surv, dup := e.MustRegister(), e.MustGuest()
			e.MustCredit(dup.ID, "10.00 EUR")
			e.MustPlaceOrder(dup.ID, "m-race-"+dupSuffix(e), "1.00 EUR")
			var (
				wg              sync.WaitGroup
				mu              sync.Mutex
				merged, replays int
				errs            []error
			)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := cs.Merge(ctx, dup.ID, surv.ID)
					mu.Lock()
					defer mu.Unlock()
					switch {
					case err != nil:
						errs = append(errs, err)
					case res.Replayed:
						replays++
					default:
						merged++
					}
				}()
			}
			wg.Wait()
			require.Empty(t, errs)
			assert.Equal(t, 1, merged)
			assert.Equal(t, 7, replays)
			assert.Equal(t, "10.00", balanceIn(t, e, surv.ID, "EUR").Amount().StringFixed(2))
			got, err := cs.Get(context.Background(), surv.ID)
			require.NoError(t, err)
			assert.Equal(t, 1, got.OrderCount)
		})

		t.Run("merges of a pair in both directions: one wins", func(t *testing.T) {
			a, b := e.MustRegister(), e.MustRegister()
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, pair := range [][2]uuid.UUID{{a.ID, b.ID}, {b.ID, a.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = cs.Merge(ctx, pair[0], pair[1])
				}()
			}
			wg.Wait()
			failed := 0
			for _, err := range errs {
				if err != nil {
					failed++
					assert.ErrorIs(t, err, customer.ErrMerged)
				}
			}
			assert.Equal(t, 1, failed)
		})

		t.Run("writes racing a merge land on one side and nothing is lost", func(t *testing.T) {
			surv, dup := e.MustRegister(), e.MustGuest()
			e.MustCredit(dup.ID, "1.00 EUR")
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				credited = balance.Zero(e.MustCurrency("EUR"))
				orders   int
			)
			amount := clienteletest.MustMoney(t, "2.00 EUR")
			for i := range 8 {
				wg.Add(2)
				go func() {
					defer wg.Done()
					_, err := e.Service.Balances.Credit(context.Background(), clientele.PostingRequest{CustomerID: dup.ID, Amount: amount})
					if err == nil {
						mu.Lock()
						credited = add(t, credited, amount)
						mu.Unlock()
					} else {
						assert.ErrorIs(t, err, customer.ErrNotFound)
					}
				}()
				go func() {
					defer wg.Done()
					_, err := e.Service.Orders.RecordPlaced(context.Background(), order.Params{
						ID: fmt.Sprintf("m-racing-%s-%d", dupSuffix(e), i), CustomerID: dup.ID, Total: amount})
					if err == nil {
						mu.Lock()
						orders++
						mu.Unlock()
					} else {
						assert.ErrorIs(t, err, customer.ErrNotFound)
					}
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := cs.Merge(ctx, dup.ID, surv.ID)
				assert.NoError(t, err)
			}()
			wg.Wait()
			want := add(t, credited, clienteletest.MustMoney(t, "1.00 EUR"))
			total := add(t, balanceIn(t, e, surv.ID, "EUR"), balanceIn(t, e, dup.ID, "EUR"))
			assert.True(t, want.Equal(total), "want %s, have %s", want, total)
			assert.True(t, balanceIn(t, e, dup.ID, "EUR").IsZero(), "a credit after the merge is refused")
			got, err := cs.Get(context.Background(), surv.ID)
			require.NoError(t, err)
			assert.Equal(t, orders, got.OrderCount)
		})

		t.Run("erasing the survivor scrubs the tombstone", func(t *testing.T) {
			surv, dup := e.MustRegister(), e.MustGuest()
			_, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			_, err = cs.Erase(context.Background(), surv.ID)
			require.NoError(t, err)
			_, err = cs.ResolveByEmail(context.Background(), dup.Email.Display)
			assert.ErrorIs(t, err, customer.ErrNotFound)
			ts, err := cs.Tombstone(context.Background(), dup.ID)
			require.NoError(t, err)
			assert.Empty(t, ts.Email)
			assert.Empty(t, ts.Reference)
		})

		t.Run("events", func(t *testing.T) {
			surv, dup := e.MustRegister(), e.MustGuest(clienteletest.Tags("from-dup"))
			e.MustCredit(dup.ID, "4.00 EUR")
			e.TakeEvents()
			_, err := cs.Merge(ctx, dup.ID, surv.ID)
			require.NoError(t, err)
			var types []event.Type
			for _, ev := range e.TakeEvents() {
				types = append(types, ev.Type)
				if ev.Type == event.CustomerMerged {
					p, err := event.Decode[event.MergePayload](ev)
					require.NoError(t, err)
					assert.Equal(t, surv.ID, p.Tombstone.SurvivorID)
					assert.Equal(t, dup.ID.String(), ev.AggregateID)
					assert.Equal(t, "staff:support-1", ev.Actor.String())
				}
			}
			assert.Contains(t, types, event.CustomerMerged)
			assert.Contains(t, types, event.CustomerUpdated)
			assert.Contains(t, types, event.BalanceDebited)
			assert.Contains(t, types, event.BalanceCredited)
		})
	})
}

// dupSuffix makes names unique within one store's run.
func dupSuffix(e *clienteletest.Env) string { return uuid.NewString()[:8] }
