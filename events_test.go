package clientele_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/balance"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/company"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/operator"
	"github.com/clientele-go/clientele/order"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/pricing"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/subscription"
	"github.com/clientele-go/clientele/verification"
	"github.com/clientele-go/clientele/wallet"
)

// drain claims and acknowledges every event the consumer has not seen.
func drain(t *testing.T, svc *clientele.Service, consumer string) []event.Event {
	t.Helper()
	ctx := context.Background()
	var all []event.Event
	for range 1000 {
		b, err := svc.Events.Claim(ctx, consumer, "test", 100, time.Minute)
		require.NoError(t, err)
		if len(b.Events) == 0 {
			return all
		}
		all = append(all, b.Events...)
		require.NoError(t, svc.Events.Ack(ctx, b))
	}
	t.Fatal("the consumer never caught up")
	return nil
}

func types(evs []event.Event) []event.Type {
	if len(evs) == 0 {
		return nil
	}
	out := make([]event.Type, len(evs))
	for i, e := range evs {
		out[i] = e.Type
	}
	return out
}

// TestEveryWriteEmits drives every write of the services on every store
// and checks the events a consumer receives: one per change, in order,
// with the actor of the ctx, the customer they concern and a payload that
// decodes.
func TestEveryWriteEmits(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store, clientele.WithPasswordHasher(clienteletest.FastHasher()))
		staff := actor.Staff("u_42")
		ctx := clientele.WithActor(context.Background(), staff)
		step := func(want []event.Type, do func()) {
			t.Helper()
			do()
			got := drain(t, svc, "all")
			require.Equal(t, want, types(got))
			for _, e := range got {
				assert.Equal(t, staff, e.Actor)
				assert.NotEqual(t, uuid.Nil, e.ID)
				assert.Equal(t, time.UTC, e.OccurredAt.Location())
				assert.Equal(t, event.CurrentSchema, e.Schema)
				assert.NoError(t, e.Validate())
			}
		}
		var (
			ada, guest customer.Customer
			entry      address.Entry
			g          group.Group
			m          merchant.Merchant
			mk         market.Market
			err        error
		)
		step([]event.Type{event.CustomerRegistered}, func() {
			ada, err = svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
			require.NoError(t, err)
		})
		step([]event.Type{event.CustomerCreated}, func() {
			guest, _, err = svc.Customers.CreateGuest(ctx, customer.Params{Email: "ada@example.com"})
			require.NoError(t, err)
		})
		step(nil, func() {
			_, created, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "ada@example.com"})
			require.NoError(t, err)
			require.False(t, created, "finding the guest changes nothing")
		})
		step([]event.Type{event.CustomerUpdated}, func() {
			_, err = svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Augusta")})
			require.NoError(t, err)
		})
		got := func() event.Event {
			_, err := svc.Customers.Update(ctx, ada.ID, customer.Patch{LastName: ptr("King")})
			require.NoError(t, err)
			evs := drain(t, svc, "all")
			require.Len(t, evs, 1)
			return evs[0]
		}()
		p, err := event.Decode[event.CustomerPayload](got)
		require.NoError(t, err)
		assert.Equal(t, "King", p.Customer.LastName)
		require.Len(t, p.Changes, 1)
		assert.Equal(t, "last_name", p.Changes[0].Field)
		assert.Equal(t, ada.ID, got.CustomerID)
		assert.Equal(t, p.Customer.Version, got.Version)

		step([]event.Type{event.CustomerDisabled}, func() { _, err = svc.Customers.Disable(ctx, ada.ID); require.NoError(t, err) })
		step([]event.Type{event.CustomerEnabled}, func() { _, err = svc.Customers.Enable(ctx, ada.ID); require.NoError(t, err) })
		step([]event.Type{event.CustomerInvited, event.CustomerActivated}, func() {
			inv, err := svc.Customers.Invite(ctx, customer.Params{Email: "bob@example.com"})
			require.NoError(t, err)
			_, err = svc.Customers.Activate(ctx, inv.ID)
			require.NoError(t, err)
		})
		step([]event.Type{event.AddressAdded, event.AddressDefaultChanged, event.AddressDefaultChanged}, func() {
			entry, _, err = svc.Addresses.Add(ctx, ada.ID, address.Address{FirstName: "Ada", Line1: "1 St", City: "London", PostalCode: "W1", Country: "GB"})
			require.NoError(t, err)
		})
		step([]event.Type{event.AddressUpdated}, func() {
			_, _, err = svc.Addresses.Update(ctx, ada.ID, entry.ID, address.Patch{City: ptr("Bath")})
			require.NoError(t, err)
		})
		step([]event.Type{event.AddressAdded, event.AddressDefaultChanged}, func() {
			other, _, err := svc.Addresses.Add(ctx, ada.ID, address.Address{Line1: "2 St", City: "York", PostalCode: "Y1", Country: "GB"})
			require.NoError(t, err)
			_, err = svc.Addresses.SetDefault(ctx, ada.ID, other.ID, address.Billing)
			require.NoError(t, err)
		})
		// The removed entry was the default shipping address: the default moves.
		step([]event.Type{event.AddressRemoved, event.AddressDefaultChanged}, func() {
			_, err = svc.Addresses.Remove(ctx, ada.ID, entry.ID)
			require.NoError(t, err)
		})
		step([]event.Type{event.GroupCreated, event.GroupRenamed, event.GroupUpdated}, func() {
			g, err = svc.Groups.Create(ctx, clientele.GroupParams{Name: "VIP"})
			require.NoError(t, err)
			_, err = svc.Groups.Rename(ctx, g.ID, "VIPs")
			require.NoError(t, err)
			_, err = svc.Groups.SetDescription(ctx, g.ID, "the best")
			require.NoError(t, err)
		})
		step([]event.Type{event.GroupMemberAdded}, func() {
			res, err := svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{ada.ID, ada.ID, uuid.New()})
			require.NoError(t, err)
			require.Len(t, res, 3)
		})
		step([]event.Type{event.GroupMemberRemoved}, func() {
			_, err := svc.Groups.RemoveMembers(ctx, g.ID, []uuid.UUID{ada.ID, ada.ID})
			require.NoError(t, err)
		})
		step([]event.Type{event.GroupMemberAdded, event.GroupMemberValidityChanged, event.GroupMemberValidityChanged, event.GroupMemberRemoved}, func() {
			until := time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)
			_, err := svc.Groups.AddMembersFor(ctx, g.ID, []uuid.UUID{ada.ID, ada.ID}, group.Validity{Until: until})
			require.NoError(t, err)
			_, err = svc.Groups.AddMembersFor(ctx, g.ID, []uuid.UUID{ada.ID}, group.Validity{Until: until.Add(time.Hour)})
			require.NoError(t, err)
			_, err = svc.Groups.SetMemberValidity(ctx, g.ID, ada.ID, group.Validity{})
			require.NoError(t, err)
			_, err = svc.Groups.RemoveMembers(ctx, g.ID, []uuid.UUID{ada.ID})
			require.NoError(t, err)
		})
		step([]event.Type{event.MerchantCreated, event.MerchantUpdated, event.MarketCreated, event.MarketUpdated, event.MarketDeleted, event.MerchantDeleted}, func() {
			m, err = svc.Merchants.Create(ctx, merchant.Params{Name: "Acme", BillingAddress: address.Address{Line1: "Torstr. 1", City: "Berlin", PostalCode: "10119", Country: "DE"}})
			require.NoError(t, err)
			_, err = svc.Merchants.Update(ctx, m.ID, merchant.Patch{Name: ptr("Acme Ltd")})
			require.NoError(t, err)
			mk, err = svc.Markets.Create(ctx, marketParams(m.ID, "eu"))
			require.NoError(t, err)
			_, err = svc.Markets.Update(ctx, mk.ID, market.Patch{Name: ptr("Europe")})
			require.NoError(t, err)
			require.NoError(t, svc.Markets.Delete(ctx, mk.ID))
			require.NoError(t, svc.Merchants.Delete(ctx, m.ID))
		})
		step([]event.Type{event.GroupRefsChanged, event.SegmentCreated, event.SegmentRefsChanged, event.SegmentDeleted}, func() {
			_, err := svc.Pricing.SetGroupRefs(ctx, g.ID, pricing.Refs{PriceList: "pl-vip"})
			require.NoError(t, err)
			_, err = svc.Pricing.SetGroupRefs(ctx, g.ID, pricing.Refs{PriceList: "pl-vip"}) // unchanged: no event
			require.NoError(t, err)
			sg, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "All", Rule: segment.All()})
			require.NoError(t, err)
			_, err = svc.Pricing.SetSegmentRefs(ctx, sg.ID, pricing.Refs{Promotion: "promo"})
			require.NoError(t, err)
			require.NoError(t, svc.Segments.Delete(ctx, sg.ID))
		})
		step([]event.Type{event.GroupDeleted}, func() { require.NoError(t, svc.Groups.Delete(ctx, g.ID)) })
		step([]event.Type{event.BalanceAccountOpened, event.BalanceCredited, event.BalanceDebited, event.BalanceCreditLimitSet, event.BalanceOrderPaid}, func() {
			_, err := svc.Balances.Credit(ctx, creditReq(ada.ID, money(t, "10.00")))
			require.NoError(t, err)
			_, err = svc.Balances.Debit(ctx, creditReq(ada.ID, money(t, "1.00")))
			require.NoError(t, err)
			_, err = svc.Balances.SetCreditLimit(ctx, ada.ID, money(t, "5.00"))
			require.NoError(t, err)
			_, err = svc.Balances.ApplyToOrder(ctx, clientele.OrderPaymentRequest{CustomerID: ada.ID, Total: money(t, "3.00"), Reference: "o-1"})
			require.NoError(t, err)
		})
		posts := func() []event.Event {
			_, err := svc.Balances.Credit(ctx, creditReq(ada.ID, money(t, "2.00")))
			require.NoError(t, err)
			return drain(t, svc, "all")
		}()
		require.Len(t, posts, 1)
		pp, err := event.Decode[event.PostingPayload](posts[0])
		require.NoError(t, err)
		assert.Equal(t, staff.String(), pp.Posting.Actor, "the posting records the ctx's actor")
		assert.Equal(t, "8.00", pp.Posting.EndingBalance.Amount().StringFixed(2))
		acct, err := svc.Balances.Account(ctx, ada.ID, eur)
		require.NoError(t, err)
		assert.Equal(t, acct.Version, posts[0].Version, "the event carries the account's version after the posting")

		// Expiring credit: the expiry is a balance.debited (kind expiry),
		// with the account's version after it.
		var lot balance.Posting
		step([]event.Type{event.BalanceCredited}, func() {
			r := creditReq(ada.ID, money(t, "1.50"))
			r.ExpiresAt = time.Now().Add(time.Hour)
			lot, err = svc.Balances.Credit(ctx, r)
			require.NoError(t, err)
		})
		expired := func() []event.Event {
			run, err := svc.Balances.ExpireCredit(ctx, lot.ExpiresAt)
			require.NoError(t, err)
			require.Equal(t, 1, run.Lots)
			return drain(t, svc, "all")
		}()
		require.Equal(t, []event.Type{event.BalanceDebited}, types(expired))
		xp, err := event.Decode[event.PostingPayload](expired[0])
		require.NoError(t, err)
		assert.Equal(t, balance.KindExpiry, xp.Posting.Kind)
		assert.Equal(t, balance.ExpiryKey(lot.ID), xp.Posting.IdempotencyKey)
		acct, err = svc.Balances.Account(ctx, ada.ID, eur)
		require.NoError(t, err)
		assert.Equal(t, acct.Version, expired[0].Version)
		step(nil, func() {
			run, err := svc.Balances.ExpireCredit(ctx, lot.ExpiresAt)
			require.NoError(t, err)
			require.Zero(t, run.Lots, "a second run expires nothing")
		})

		step([]event.Type{event.OrderRecorded, event.CustomerStatusChanged, event.OrderStatusChanged}, func() {
			_, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "o-1", CustomerID: guest.ID, Total: money(t, "10.00")})
			require.NoError(t, err)
			_, err = svc.Orders.SetStatus(ctx, "o-1", order.StatusCompleted)
			require.NoError(t, err)
		})
		step(nil, func() {
			_, err := svc.Orders.RecordPlaced(ctx, order.Params{ID: "o-1", CustomerID: guest.ID, Total: money(t, "10.00")})
			require.NoError(t, err, "a replay records nothing")
		})
		step([]event.Type{event.CustomerGuestOrdersClaimed, event.CustomerStatusChanged}, func() {
			_, n, err := svc.Orders.Claim(ctx, guest.ID, ada.ID)
			require.NoError(t, err)
			require.Equal(t, 1, n)
		})
		accountSteps(t, svc, ctx, step)
		walletSteps(t, svc, ctx, ada.ID, step)
		companySteps(t, svc, ctx, step)
		verificationSteps(t, svc, ctx, ada.ID, step)
		vendorSteps(t, svc, ctx, ada.ID, step)
		consentSteps(t, svc, ctx, ada.ID, step)
		segmentSteps(t, svc, ctx, step)
		step([]event.Type{event.CustomerDeleted}, func() { require.NoError(t, svc.Customers.Delete(ctx, guest.ID)) })
		step([]event.Type{event.CustomerErased}, func() {
			_, err := svc.Customers.Erase(ctx, ada.ID)
			require.NoError(t, err)
		})
		step(nil, func() {
			_, err := svc.Customers.Erase(ctx, ada.ID)
			require.NoError(t, err, "erasing again changes nothing, and says nothing")
		})
	})
}

// TestFailedWritesEmitNothing: a call that fails, and a host transaction
// that rolls back after calls that succeeded, leave no event.
func TestFailedWritesEmitNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store)
		ctx := context.Background()
		ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		drain(t, svc, "c")

		_, err = svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.ErrorIs(t, err, customer.ErrEmailTaken)
		_, err = svc.Customers.Update(ctx, ada.ID, customer.Patch{Phone: ptr("not a phone")})
		require.Error(t, err)
		_, err = svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("A")}, clientele.IfVersion(99))
		require.ErrorIs(t, err, clientele.ErrVersionMismatch)

		boom := errors.New("boom")
		err = store.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			if _, err := svc.Customers.Register(ctx, customer.Params{Email: "bob@example.com"}); err != nil {
				return err
			}
			if _, err := svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Ada")}); err != nil {
				return err
			}
			return boom
		})
		require.ErrorIs(t, err, boom)
		assert.Empty(t, drain(t, svc, "c"), "nothing committed, nothing to tell")

		err = store.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			_, err := svc.Customers.Register(ctx, customer.Params{Email: "bob@example.com"})
			return err
		})
		require.NoError(t, err)
		assert.Equal(t, []event.Type{event.CustomerRegistered}, types(drain(t, svc, "c")), "inside a host's Atomic, the event commits with it")
	})
}

// TestSubscribe: in-process subscribers hear of committed calls only, once,
// after the commit, and of a host's transaction when it commits.
func TestSubscribe(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		if _, ok := store.(storage.CommitHooks); !ok {
			t.Skip("the store has no CommitHooks")
		}
		svc := clientele.New(store)
		ctx := context.Background()
		var (
			mu    sync.Mutex
			heard [][]event.Type
		)
		stop := svc.Events.Subscribe(func(ctx context.Context, evs []event.Event) {
			// After the commit: the change is readable from another
			// transaction right away.
			for _, e := range evs {
				if e.Aggregate == event.AggregateCustomer {
					id, err := uuid.Parse(e.AggregateID)
					require.NoError(t, err)
					_, err = svc.Customers.GetAny(context.Background(), id)
					assert.NoError(t, err, "the subscriber runs after the commit")
				}
			}
			mu.Lock()
			heard = append(heard, types(evs))
			mu.Unlock()
		})
		take := func() [][]event.Type {
			mu.Lock()
			defer mu.Unlock()
			h := heard
			heard = nil
			return h
		}
		ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.NoError(t, err)
		assert.Equal(t, [][]event.Type{{event.CustomerRegistered}}, take())

		_, err = svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
		require.Error(t, err)
		assert.Empty(t, take(), "a failed call is not heard")

		err = store.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			if _, err := svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Ada")}); err != nil {
				return err
			}
			assert.Empty(t, take(), "nothing is heard before the host's transaction commits")
			// A nested call that fails leaves nothing to hear.
			_, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
			require.Error(t, err)
			_, err = svc.Customers.Update(ctx, ada.ID, customer.Patch{LastName: ptr("L")})
			return err
		})
		require.NoError(t, err)
		assert.Equal(t, [][]event.Type{{event.CustomerUpdated}, {event.CustomerUpdated}}, take())

		err = store.Atomic(ctx, func(ctx context.Context, _ storage.Tx) error {
			if _, err := svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("X")}); err != nil {
				return err
			}
			return errors.New("host rolls back")
		})
		require.Error(t, err)
		assert.Empty(t, take(), "a rolled-back transaction is never heard")

		stop()
		_, err = svc.Customers.Update(ctx, ada.ID, customer.Patch{FirstName: ptr("Y")})
		require.NoError(t, err)
		assert.Empty(t, take(), "unsubscribed")
	})
}

// TestAudit: a customer's audit trail, newest first, masked by default.
func TestAudit(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store)
		ctx := clientele.WithActor(context.Background(), actor.Staff("u_7"))
		ada, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", FirstName: "Ada"})
		require.NoError(t, err)
		other, err := svc.Customers.Register(ctx, customer.Params{Email: "bob@example.com"})
		require.NoError(t, err)
		_, err = svc.Customers.Update(clientele.WithActor(ctx, actor.Customer(ada.ID)), ada.ID, customer.Patch{FirstName: ptr("Augusta"), Tags: &[]string{"vip"}})
		require.NoError(t, err)
		_, _, err = svc.Addresses.Add(ctx, ada.ID, address.Address{Line1: "1 St", City: "London", PostalCode: "W1", Country: "GB"})
		require.NoError(t, err)
		_, err = svc.Customers.Update(ctx, other.ID, customer.Patch{FirstName: ptr("Bob")})
		require.NoError(t, err)

		var all []event.AuditEntry
		p := page.Request{Limit: 2}
		for range 10 {
			pg, err := svc.Events.Audit(ctx, ada.ID, p)
			require.NoError(t, err)
			all = append(all, pg.Items...)
			if pg.Next == "" {
				break
			}
			p.Cursor = pg.Next
		}
		require.Equal(t, []event.Type{event.AddressDefaultChanged, event.AddressDefaultChanged, event.AddressAdded, event.CustomerUpdated, event.CustomerRegistered},
			func() []event.Type {
				out := make([]event.Type, len(all))
				for i, a := range all {
					out[i] = a.Type
				}
				return out
			}(), "newest first, only this customer's")
		upd := all[3]
		assert.Equal(t, actor.Customer(ada.ID), upd.Actor)
		fields := map[string]string{}
		for _, c := range upd.Changes {
			fields[c.Field] = string(c.Before) + " -> " + string(c.After)
		}
		assert.Equal(t, map[string]string{"first_name": `"A•••" -> "A•••"`, "tags": ` -> ["vip"]`}, fields)

		plain, err := svc.Events.Audit(ctx, ada.ID, page.Request{Limit: 5}, clientele.ShowPersonalData())
		require.NoError(t, err)
		assert.JSONEq(t, `"Augusta"`, string(plain.Items[3].Changes[0].After))

		_, err = svc.Events.Audit(ctx, uuid.New(), page.Request{})
		require.ErrorIs(t, err, customer.ErrNotFound)

		_, err = svc.Customers.Erase(ctx, ada.ID)
		require.NoError(t, err)
		after, err := svc.Events.Audit(ctx, ada.ID, page.Request{Limit: 1})
		require.NoError(t, err, "an erased customer's trail stays readable")
		assert.Equal(t, event.CustomerErased, after.Items[0].Type)
	})
}

// TestEventsLacking: on a store without the Outbox capability the writes
// work and the event calls answer ErrUnsupported.
func TestEventsLacking(t *testing.T) {
	svc := clientele.New(lacking{newEnv(t).store})
	ctx := context.Background()
	_, err := svc.Events.Claim(ctx, "c", "h", 10, time.Minute)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Events.Audit(ctx, uuid.New(), page.Request{})
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Events.Read(ctx, 0, 10)
	require.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = clientele.New(outboxWithoutReader{newEnv(t).store}).Events.Read(ctx, 0, 10)
	require.ErrorIs(t, err, clientele.ErrUnsupported, "an outbox without storage.EventReader")
	_, err = clientele.New(lacking{newEnv(t).store}, clientele.WithConfusableEmails(true)).Customers.Register(ctx, customer.Params{Email: "a@example.com"})
	require.NoError(t, err)
}

// outboxWithoutReader is a store whose outbox lacks storage.EventReader.
type outboxWithoutReader struct{ storage.Store }

func (s outboxWithoutReader) Events() storage.Events {
	return struct{ storage.Events }{s.Store.(storage.Outbox).Events()}
}

// TestEventsJSON: what a host's HTTP layer would send of a batch, a
// consumer and an audit page marshals with snake_case names and
// round-trips.
func TestEventsJSON(t *testing.T) {
	env := newEnv(t)
	ctx := clientele.WithActor(env.ctx, actor.App("crm-sync"))
	c, err := env.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	require.NoError(t, err)
	b, err := env.Events.Claim(ctx, "webhooks", "h1", 10, time.Minute)
	require.NoError(t, err)
	raw, err := json.Marshal(b)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.ElementsMatch(t, []string{"consumer", "holder", "after", "events", "lease_until"}, keys(m))
	ev := m["events"].([]any)[0].(map[string]any)
	assert.Equal(t, "customer.registered", ev["type"])
	assert.Equal(t, map[string]any{"kind": "app", "id": "crm-sync"}, ev["actor"])
	assert.Equal(t, c.ID.String(), ev["customer_id"])
	var back clientele.Batch
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, b.Events[0].ID, back.Events[0].ID)
	assert.JSONEq(t, string(b.Events[0].Payload), string(back.Events[0].Payload))

	cs, err := env.Events.Consumers(ctx)
	require.NoError(t, err)
	raw, err = json.Marshal(cs)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"name":"webhooks"`)

	audit, err := env.Events.Audit(ctx, c.ID, page.Request{})
	require.NoError(t, err)
	raw, err = json.Marshal(audit)
	require.NoError(t, err)
	assert.Contains(t, string(raw), `"items":[{"event_id":`)
	assert.NotContains(t, string(raw), "ada@", "personal values are masked")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// accountSteps drives every write of Accounts and of the claim by token
// (TestEveryWriteEmits).
func accountSteps(t *testing.T, svc *clientele.Service, ctx context.Context, step func([]event.Type, func())) {
	t.Helper()
	var (
		bob customer.Customer
		is  clientele.Issued
		err error
	)
	step([]event.Type{event.CustomerRegistered, event.AccountPasswordSet}, func() {
		bob, err = svc.Accounts.Register(ctx, customer.Params{Email: "robin@example.com"}, pw)
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountLoginSucceeded}, func() {
		_, err := svc.Accounts.Authenticate(ctx, "robin@example.com", pw)
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountLoginFailed}, func() {
		_, err := svc.Accounts.Authenticate(ctx, "robin@example.com", "wrong-password-1")
		require.Error(t, err)
	})
	step(nil, func() {
		_, err := svc.Accounts.Authenticate(ctx, "nobody@example.com", pw)
		require.Error(t, err)
		_, err = svc.Accounts.RequestPasswordReset(ctx, "nobody@example.com")
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountTokenIssued}, func() {
		is, err = svc.Accounts.RequestPasswordReset(ctx, "robin@example.com")
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountPasswordReset}, func() {
		_, err := svc.Accounts.ResetPassword(ctx, is.Token, "second-password-2")
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountPasswordChanged}, func() {
		_, err := svc.Accounts.ChangePassword(ctx, bob.ID, "second-password-2", "third-password-3")
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountPasswordSet}, func() {
		_, err := svc.Accounts.SetPassword(ctx, bob.ID, "fourth-password-4")
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountPasswordSet}, func() {
		h, err := clienteletest.FastHasher().Hash("fifth-password-5")
		require.NoError(t, err)
		_, err = svc.Accounts.ImportPasswordHash(ctx, bob.ID, h)
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountTokenIssued}, func() {
		is, err = svc.Accounts.RequestEmailVerification(ctx, bob.ID)
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountEmailVerified}, func() {
		_, err := svc.Accounts.VerifyEmail(ctx, is.Token)
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountTokenIssued}, func() {
		is, err = svc.Accounts.RequestEmailChange(ctx, bob.ID, "robin.new@example.com")
		require.NoError(t, err)
	})
	step([]event.Type{event.CustomerEmailChanged, event.AccountEmailVerified}, func() {
		_, err := svc.Accounts.ConfirmEmailChange(ctx, is.Token)
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountIdentityLinked}, func() {
		_, err := svc.Accounts.LinkIdentity(ctx, bob.ID, "google", "sub-1")
		require.NoError(t, err)
		_, err = svc.Accounts.LinkIdentity(ctx, bob.ID, "google", "sub-1")
		require.NoError(t, err, "linking again says nothing")
	})
	step([]event.Type{event.AccountLoginSucceeded}, func() {
		_, err := svc.Accounts.AuthenticateIdentity(ctx, "google", "sub-1")
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountIdentityUnlinked}, func() {
		require.NoError(t, svc.Accounts.UnlinkIdentity(ctx, bob.ID, "google", "sub-1"))
	})
	var inv customer.Customer
	step([]event.Type{event.CustomerInvited, event.AccountTokenIssued}, func() {
		inv, err = svc.Customers.Invite(ctx, customer.Params{Email: "grace.invited@example.com"})
		require.NoError(t, err)
		is, err = svc.Accounts.IssueActivation(ctx, inv.ID)
		require.NoError(t, err)
	})
	step([]event.Type{event.CustomerActivated, event.AccountPasswordSet, event.AccountEmailVerified}, func() {
		_, err := svc.Accounts.Activate(ctx, is.Token, pw)
		require.NoError(t, err)
	})
	step([]event.Type{event.CustomerCreated, event.OrderRecorded, event.CustomerStatusChanged, event.AccountTokenIssued}, func() {
		g, _, err := svc.Customers.CreateGuest(ctx, customer.Params{Email: "bobs-old@example.com"})
		require.NoError(t, err)
		_, err = svc.Orders.RecordPlaced(ctx, order.Params{ID: "bob-guest-1", CustomerID: g.ID, Total: money(t, "1.00")})
		require.NoError(t, err)
		is, err = svc.Orders.RequestClaim(ctx, bob.ID, "bobs-old@example.com")
		require.NoError(t, err)
	})
	step([]event.Type{event.CustomerGuestOrdersClaimed, event.CustomerStatusChanged}, func() {
		_, n, err := svc.Orders.AcceptClaim(ctx, bob.ID, is.Token)
		require.NoError(t, err)
		require.Equal(t, 1, n)
	})
	step([]event.Type{event.OrderReassigned, event.CustomerStatusChanged}, func() {
		o, err := svc.Orders.Reassign(ctx, "bob-guest-1", inv.ID)
		require.NoError(t, err)
		require.Equal(t, inv.ID, o.CustomerID)
		_, err = svc.Orders.Reassign(ctx, "bob-guest-1", inv.ID)
		require.NoError(t, err, "to the owner again: nothing to say")
	})
	var dup customer.Customer
	step([]event.Type{event.CustomerCreated, event.BalanceAccountOpened, event.BalanceCredited}, func() {
		var err error
		dup, _, err = svc.Customers.CreateGuest(ctx, customer.Params{Email: "merge-me@example.com", Tags: []string{"dup"}})
		require.NoError(t, err)
		_, err = svc.Balances.Credit(ctx, clientele.PostingRequest{CustomerID: dup.ID, Amount: money(t, "2.00")})
		require.NoError(t, err)
	})
	step([]event.Type{event.BalanceAccountOpened, event.BalanceDebited, event.BalanceCredited, event.CustomerMerged,
		event.CustomerUpdated}, func() {
		_, err := svc.Customers.Merge(ctx, dup.ID, inv.ID)
		require.NoError(t, err)
		_, err = svc.Customers.Merge(ctx, dup.ID, inv.ID)
		require.NoError(t, err, "a replay: nothing to say")
	})
	// The order history's details; a refund to store credit also posts.
	step([]event.Type{event.OrderReturnRecorded}, func() {
		_, err := svc.Orders.RecordReturn(ctx, order.ReturnParams{ID: "r-1", OrderID: "bob-guest-1", Amount: money(t, "1.00")})
		require.NoError(t, err)
		_, err = svc.Orders.RecordReturn(ctx, order.ReturnParams{ID: "r-1", OrderID: "bob-guest-1", Amount: money(t, "1.00")})
		require.NoError(t, err, "a replay says nothing")
	})
	step([]event.Type{event.OrderReturnUpdated}, func() {
		_, err := svc.Orders.SetReturnStatus(ctx, "bob-guest-1", "r-1", order.RequestReceived)
		require.NoError(t, err)
	})
	step([]event.Type{event.OrderExchangeRecorded, event.OrderExchangeUpdated}, func() {
		_, err := svc.Orders.RecordExchange(ctx, order.ExchangeParams{ID: "x-1", OrderID: "bob-guest-1", Type: order.TypeReplacement, Amount: money(t, "1.00")})
		require.NoError(t, err)
		_, err = svc.Orders.SetExchangeStatus(ctx, "bob-guest-1", "x-1", order.RequestCancelled)
		require.NoError(t, err)
	})
	step([]event.Type{event.OrderRefundRecorded}, func() {
		_, err := svc.Orders.RecordRefund(ctx, order.RefundParams{ID: "rf-1", OrderID: "bob-guest-1", Amount: money(t, "1.00"),
			Destination: order.DestinationStoreCredit, Status: order.RefundPending})
		require.NoError(t, err)
	})
	// The account is open since the merge moved credit to it.
	step([]event.Type{event.BalanceCredited, event.OrderRefundUpdated}, func() {
		_, err := svc.Orders.SetRefundStatus(ctx, "bob-guest-1", "rf-1", order.RefundSucceeded)
		require.NoError(t, err)
	})
	step([]event.Type{event.CustomerDisabled}, func() {
		_, err := svc.Customers.Disable(ctx, bob.ID)
		require.NoError(t, err)
	})
}

// walletSteps are TestEveryWriteEmits' steps of the wallet and the
// subscriptions.
func walletSteps(t *testing.T, svc *clientele.Service, ctx context.Context, customerID uuid.UUID, step func([]event.Type, func())) {
	t.Helper()
	var first, second wallet.Source
	step([]event.Type{event.WalletSourceAdded, event.WalletDefaultChanged}, func() {
		var err error
		first, err = svc.Wallet.Add(ctx, customerID, clienteletest.Card())
		require.NoError(t, err)
	})
	step([]event.Type{event.WalletSourceAdded}, func() {
		var err error
		second, err = svc.Wallet.Add(ctx, customerID, clienteletest.Card(clienteletest.WithToken("pm_second")))
		require.NoError(t, err)
	})
	step([]event.Type{event.WalletSourceUpdated}, func() {
		_, err := svc.Wallet.Update(ctx, customerID, first.ID, wallet.Patch{ExpYear: ptr(2035)})
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Wallet.Update(ctx, customerID, first.ID, wallet.Patch{ExpYear: ptr(2035)})
		require.NoError(t, err, "no change, no event")
	})
	step([]event.Type{event.WalletDefaultChanged}, func() {
		_, err := svc.Wallet.SetDefault(ctx, customerID, second.ID)
		require.NoError(t, err)
	})
	step([]event.Type{event.SubscriptionRecorded}, func() {
		_, err := svc.Subscriptions.Record(ctx, subscription.Params{ID: "sub_emit", CustomerID: customerID, Plan: "gold", PaymentSourceID: &first.ID})
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Subscriptions.Record(ctx, subscription.Params{ID: "sub_emit", CustomerID: customerID, Plan: "gold", PaymentSourceID: &first.ID})
		require.NoError(t, err, "a replay")
		_, err = svc.Wallet.Remove(ctx, customerID, first.ID)
		require.ErrorIs(t, err, wallet.ErrSourceInUse)
	})
	step([]event.Type{event.SubscriptionUpdated}, func() {
		_, err := svc.Subscriptions.SetPaymentSource(ctx, "sub_emit", &second.ID)
		require.NoError(t, err)
	})
	step([]event.Type{event.SubscriptionUpdated}, func() {
		at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := svc.Subscriptions.SetNextChargeAt(ctx, "sub_emit", &at)
		require.NoError(t, err)
	})
	step([]event.Type{event.WalletSourceRemoved}, func() {
		_, err := svc.Wallet.Remove(ctx, customerID, first.ID)
		require.NoError(t, err)
	})
	step([]event.Type{event.SubscriptionStatusChanged}, func() {
		_, err := svc.Subscriptions.SetStatus(ctx, "sub_emit", subscription.Cancelled)
		require.NoError(t, err)
	})
	step([]event.Type{event.WalletSourceRemoved}, func() {
		_, err := svc.Wallet.Remove(ctx, customerID, second.ID)
		require.NoError(t, err, "a cancelled subscription charges nothing")
	})
	step([]event.Type{event.WalletSourceAdded, event.WalletDefaultChanged}, func() {
		_, err := svc.Wallet.Add(ctx, customerID, clienteletest.Card(clienteletest.WithToken("pm_kept_until_erasure")))
		require.NoError(t, err)
	})
}

// companySteps are TestEveryWriteEmits' steps of the companies.
func companySteps(t *testing.T, svc *clientele.Service, ctx context.Context, step func([]event.Type, func())) {
	t.Helper()
	var (
		c                      company.Company
		admin, buyer           customer.Customer
		first, over, overAgain clientele.PlacedOrder
		err                    error
	)
	eurs := func(s string) balance.Money { return money(t, s) }
	step([]event.Type{event.CustomerCreated, event.BalanceAccountOpened, event.BalanceCreditLimitSet, event.CompanyCreated}, func() {
		c, err = svc.Companies.Create(ctx, uuid.Nil, company.Params{Name: "Acme", Currency: eur, CreditLimit: eurs("500.00"),
			BillingEmail: "billing@acme.example", AutoJoinDomains: []string{"acme.example"}})
		require.NoError(t, err)
	})
	step([]event.Type{event.CustomerRegistered, event.CustomerRegistered}, func() {
		admin, err = svc.Customers.Register(ctx, customer.Params{Email: "admin@acme.example"})
		require.NoError(t, err)
		buyer, err = svc.Customers.Register(ctx, customer.Params{Email: "buyer@acme.example"})
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyMemberAdded}, func() {
		_, err := svc.Companies.AddMember(ctx, uuid.Nil, c.ID, admin.ID, clientele.MemberParams{Role: company.RoleAdmin})
		require.NoError(t, err)
	})
	step([]event.Type{event.AccountTokenIssued, event.AccountEmailVerified, event.CompanyMemberAdded}, func() {
		issued, err := svc.Accounts.RequestEmailVerification(ctx, buyer.ID)
		require.NoError(t, err)
		_, err = svc.Accounts.VerifyEmail(ctx, issued.Token)
		require.NoError(t, err)
		_, joined, err := svc.Companies.AutoJoin(ctx, buyer.ID)
		require.NoError(t, err)
		require.True(t, joined)
	})
	step(nil, func() {
		_, joined, err := svc.Companies.AutoJoin(ctx, buyer.ID)
		require.NoError(t, err)
		require.False(t, joined, "joining again changes nothing")
	})
	step([]event.Type{event.CompanyMemberUpdated}, func() {
		_, err := svc.Companies.UpdateMember(ctx, admin.ID, c.ID, buyer.ID, clientele.MemberParams{Role: company.RoleBuyer,
			Limits: company.Limits{PerOrder: ptr(eurs("100.00"))}})
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyUpdated}, func() {
		_, err := svc.Companies.Update(ctx, admin.ID, c.ID, company.Patch{PaymentTermsDays: ptr(45)})
		require.NoError(t, err)
	})
	step([]event.Type{event.OrderRecorded, event.CustomerStatusChanged, event.CompanyOrderDecided}, func() {
		first, err = svc.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "co-1", Total: eurs("50.00")})
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyApprovalRequested}, func() {
		over, err = svc.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "co-2", Total: eurs("150.00")})
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "co-2", Total: eurs("150.00")})
		require.NoError(t, err, "a replay")
		_, err = svc.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "co-9", Total: eurs("9999.00")})
		require.ErrorIs(t, err, company.ErrOrderDenied, "a denial writes nothing")
	})
	step([]event.Type{event.OrderRecorded, event.CustomerStatusChanged, event.CompanyApprovalApproved}, func() {
		_, err := svc.Companies.Approve(ctx, admin.ID, over.Approval.ID, "")
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyApprovalRequested}, func() {
		overAgain, err = svc.Companies.PlaceOrder(ctx, buyer.ID, c.ID, order.Params{ID: "co-3", Total: eurs("150.00")})
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyApprovalRejected, event.CompanyReservationReleased}, func() {
		_, err := svc.Companies.Reject(ctx, admin.ID, overAgain.Approval.ID, "")
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyReservationReleased, event.OrderStatusChanged}, func() {
		_, err := svc.Orders.SetStatus(ctx, first.Order.ID, order.StatusCancelled)
		require.NoError(t, err)
	})
	step([]event.Type{event.BalanceOrderPaid}, func() {
		_, err := svc.Companies.PayOnAccount(ctx, buyer.ID, c.ID, "co-2", eurs("150.00"))
		require.NoError(t, err)
	})
	step([]event.Type{event.CompanyMemberRemoved}, func() {
		require.NoError(t, svc.Companies.RemoveMember(ctx, admin.ID, c.ID, buyer.ID))
	})
}

// verificationSteps drives every verification write (staff in ctx).
func verificationSteps(t *testing.T, svc *clientele.Service, ctx context.Context, customerID uuid.UUID, step func([]event.Type, func())) {
	s := verification.CustomerSubject(customerID)
	step([]event.Type{event.VerificationSubmitted}, func() {
		_, err := svc.Verifications.Submit(ctx, s)
		require.NoError(t, err)
	})
	step([]event.Type{event.VerificationRejected}, func() {
		_, err := svc.Verifications.Reject(ctx, s, "blurred")
		require.NoError(t, err)
	})
	step([]event.Type{event.VerificationSubmitted}, func() {
		_, err := svc.Verifications.Submit(ctx, s)
		require.NoError(t, err)
	})
	step([]event.Type{event.VerificationApproved}, func() {
		_, err := svc.Verifications.Approve(ctx, s)
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Verifications.Approve(ctx, s)
		require.ErrorIs(t, err, verification.ErrInvalidTransition)
	})
	step([]event.Type{event.VerificationRejected}, func() {
		_, err := svc.Verifications.Revoke(ctx, s, "forged")
		require.NoError(t, err)
	})
	step([]event.Type{event.VerificationRiskFlagsChanged}, func() {
		_, err := svc.Verifications.SetRiskFlags(ctx, s, "pep", "sanctions-hit")
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Verifications.SetRiskFlags(ctx, s, "pep")
		require.NoError(t, err, "set already: no change, no event")
	})
	step([]event.Type{event.VerificationRiskFlagsChanged}, func() {
		_, err := svc.Verifications.ClearRiskFlag(ctx, s, "pep")
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Verifications.ClearRiskFlag(ctx, s, "pep")
		require.NoError(t, err)
	})
	got := func() event.Event {
		_, err := svc.Verifications.Submit(ctx, s)
		require.NoError(t, err)
		evs := drain(t, svc, "all")
		require.Len(t, evs, 1)
		return evs[0]
	}()
	p, err := event.Decode[event.KYCPayload](got)
	require.NoError(t, err)
	assert.Equal(t, verification.Pending, p.Verification.Status)
	assert.Equal(t, verification.Rejected, p.Review.From)
	assert.Equal(t, customerID, got.CustomerID)
	assert.Equal(t, s.String(), got.AggregateID)
	assert.Equal(t, p.Verification.Version, got.Version)
}

// vendorSteps are TestEveryWriteEmits' steps of the marketplace roles, by
// the back office (the staff actor of ctx, acting as uuid.Nil).
func vendorSteps(t *testing.T, svc *clientele.Service, ctx context.Context, customerID uuid.UUID, step func([]event.Type, func())) {
	t.Helper()
	var m merchant.Merchant
	step([]event.Type{event.MerchantCreated}, func() {
		var err error
		m, err = svc.Merchants.Create(ctx, merchant.Params{Name: "Vendor", BillingAddress: address.Address{Line1: "Torstr. 1", City: "Berlin", PostalCode: "10119", Country: "DE"}})
		require.NoError(t, err)
	})
	step([]event.Type{event.MerchantMemberAdded}, func() {
		_, err := svc.Vendors.AddMember(ctx, uuid.Nil, m.ID, customerID, merchant.Owner)
		require.NoError(t, err)
	})
	other, err := svc.Customers.Register(ctx, customer.Params{Email: "vendor-staff@example.com"})
	require.NoError(t, err)
	drain(t, svc, "all")
	step([]event.Type{event.MerchantMemberAdded}, func() {
		_, err := svc.Vendors.AddMember(ctx, customerID, m.ID, other.ID, merchant.Staff)
		require.NoError(t, err, "the owner adds staff")
	})
	step([]event.Type{event.MerchantMemberUpdated}, func() {
		_, err := svc.Vendors.UpdateMember(ctx, customerID, m.ID, other.ID, merchant.Admin)
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Vendors.UpdateMember(ctx, customerID, m.ID, other.ID, merchant.Admin)
		require.NoError(t, err, "the same role: no change, no event")
		_, err = svc.Vendors.RemoveMember(ctx, other.ID, m.ID, customerID)
		require.ErrorIs(t, err, merchant.ErrForbidden, "an admin removes no owner")
	})
	step([]event.Type{event.VendorCustomerRelated}, func() {
		_, created, err := svc.Vendors.RelateCustomer(ctx, other.ID, m.ID, customerID, merchant.SourceOrder)
		require.NoError(t, err)
		require.True(t, created)
	})
	step(nil, func() {
		_, created, err := svc.Vendors.RelateCustomer(ctx, other.ID, m.ID, customerID, merchant.SourceImport)
		require.NoError(t, err)
		require.False(t, created, "idempotent")
	})
	var g group.Group
	step([]event.Type{event.GroupCreated}, func() {
		var err error
		g, err = svc.Vendors.CreateGroup(ctx, other.ID, m.ID, clientele.GroupParams{Name: "Vendor regulars"})
		require.NoError(t, err)
		assert.Equal(t, m.ID, g.OwnerMerchantID)
	})
	step([]event.Type{event.GroupMemberAdded}, func() {
		_, err := svc.Vendors.AddGroupMembers(ctx, other.ID, m.ID, g.ID, []uuid.UUID{customerID})
		require.NoError(t, err)
	})
	step([]event.Type{event.GroupMemberRemoved}, func() {
		_, err := svc.Vendors.RemoveGroupMembers(ctx, other.ID, m.ID, g.ID, []uuid.UUID{customerID})
		require.NoError(t, err)
	})
	step([]event.Type{event.MerchantMemberRemoved}, func() {
		_, err := svc.Vendors.RemoveMember(ctx, other.ID, m.ID, other.ID)
		require.NoError(t, err, "a member leaves")
	})
	step([]event.Type{event.OperatorGranted}, func() {
		_, err := svc.Vendors.GrantOperator(ctx, other.ID, operator.Support)
		require.NoError(t, err)
	})
	step([]event.Type{event.OperatorGranted}, func() {
		_, err := svc.Vendors.GrantOperator(ctx, other.ID, operator.Admin)
		require.NoError(t, err)
	})
	step(nil, func() {
		_, err := svc.Vendors.GrantOperator(ctx, other.ID, operator.Admin)
		require.NoError(t, err, "the same role")
	})
	step([]event.Type{event.OperatorRevoked}, func() {
		_, err := svc.Vendors.RevokeOperator(ctx, other.ID)
		require.NoError(t, err)
	})
}

func consentSteps(t *testing.T, svc *clientele.Service, ctx context.Context, customerID uuid.UUID, step func([]event.Type, func())) {
	change := clientele.ConsentChange{Channel: consent.SMS, Purpose: consent.Marketing, Evidence: consent.Evidence{Source: "test"}}
	step([]event.Type{event.ConsentGranted}, func() {
		_, err := svc.Consents.Grant(ctx, customerID, change)
		require.NoError(t, err)
	})
	step([]event.Type{event.ConsentWithdrawn}, func() {
		_, err := svc.Consents.Withdraw(ctx, customerID, change)
		require.NoError(t, err)
	})
	var token string
	step([]event.Type{event.ConsentRequested}, func() {
		tok, err := svc.Consents.Request(ctx, customerID, change)
		require.NoError(t, err)
		token = tok.Token
	})
	step([]event.Type{event.ConsentGranted}, func() {
		_, err := svc.Consents.Confirm(ctx, token)
		require.NoError(t, err)
	})
}
