package clientele_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/clienteletest"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/market"
	"github.com/clientele-go/clientele/merchant"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

func TestVerificationFlow(t *testing.T) {
	e := clienteletest.New(t)
	svc := e.Service.Verifications
	ada := e.MustRegister()
	s := verification.CustomerSubject(ada.ID)
	staff := actor.NewContext(context.Background(), actor.Staff("ana"))
	self := actor.NewContext(context.Background(), actor.Customer(ada.ID))
	ctx := context.Background()

	v, err := svc.Get(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, verification.Unverified, v.Status)

	_, err = svc.Submit(ctx, s)
	require.ErrorIs(t, err, clientele.ErrActorRequired, "no actor")
	other := actor.NewContext(ctx, actor.Customer(uuid.New()))
	_, err = svc.Submit(other, s)
	require.ErrorIs(t, err, clientele.ErrActorRequired, "a customer submits only for themselves")

	v, err = svc.Submit(self, s)
	require.NoError(t, err)
	assert.Equal(t, verification.Pending, v.Status)
	assert.Equal(t, "customer:"+ada.ID.String(), v.Reviewer)
	_, err = svc.Submit(self, s)
	require.ErrorIs(t, err, verification.ErrInvalidTransition, "pending already")

	_, err = svc.Approve(self, s)
	require.ErrorIs(t, err, clientele.ErrActorRequired, "a customer never decides")
	_, err = svc.Reject(staff, s, " ")
	require.ErrorIs(t, err, verification.ErrInvalid, "a rejection needs a reason")

	queue, err := svc.PendingQueue(ctx, verification.Customer, page.Request{})
	require.NoError(t, err)
	require.Len(t, queue.Items, 1)
	assert.Equal(t, s, queue.Items[0].Subject)

	v, err = svc.Reject(staff, s, "the photo is blurred")
	require.NoError(t, err)
	assert.Equal(t, verification.Rejected, v.Status)
	assert.Equal(t, "staff:ana", v.Reviewer)
	_, err = svc.Submit(self, s)
	require.NoError(t, err)
	v, err = svc.Approve(staff, s)
	require.NoError(t, err)
	assert.Equal(t, verification.Verified, v.Status)
	_, err = svc.Reject(staff, s, "late")
	require.ErrorIs(t, err, verification.ErrInvalidTransition, "a decision is of a pending subject")
	v, err = svc.Revoke(staff, s, "documents forged")
	require.NoError(t, err)
	assert.Equal(t, verification.Rejected, v.Status)
	_, err = svc.Revoke(staff, s, "again")
	require.ErrorIs(t, err, verification.ErrInvalidTransition)

	h, err := svc.History(ctx, s, page.Request{})
	require.NoError(t, err)
	require.Len(t, h.Items, 5)
	assert.Len(t, verification.History(h.Items).Decisions(), 2)

	queue, err = svc.PendingQueue(ctx, verification.Customer, page.Request{})
	require.NoError(t, err)
	assert.Empty(t, queue.Items)
}

func TestVerificationSubjects(t *testing.T) {
	e := clienteletest.New(t)
	svc := e.Service.Verifications
	staff := actor.NewContext(context.Background(), actor.Staff("ana"))
	_, err := svc.Submit(staff, verification.CustomerSubject(uuid.New()))
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = svc.Submit(staff, verification.MerchantSubject(uuid.New()))
	require.ErrorIs(t, err, merchant.ErrNotFound)
	_, err = svc.Get(context.Background(), verification.Subject{})
	require.ErrorIs(t, err, verification.ErrInvalid)

	gone := e.MustRegister()
	require.NoError(t, e.Service.Customers.Delete(context.Background(), gone.ID))
	_, err = svc.Submit(staff, verification.CustomerSubject(gone.ID))
	require.ErrorIs(t, err, customer.ErrNotFound, "a deleted customer is not live")

	m := e.MustMerchant("Acme")
	v := e.MustVerifyMerchant(m.ID)
	assert.Equal(t, verification.Verified, v.Status)
	v, err = svc.SetRiskFlags(staff, verification.MerchantSubject(m.ID), "sanctions-hit")
	require.NoError(t, err)
	assert.Equal(t, []string{"sanctions-hit"}, v.FlagNames())
	assert.Equal(t, "staff:ana", v.RiskFlags[0].SetBy)
	_, err = svc.SetRiskFlags(context.Background(), verification.MerchantSubject(m.ID), "pep")
	require.ErrorIs(t, err, clientele.ErrActorRequired)
	_, err = svc.SetRiskFlags(staff, verification.MerchantSubject(m.ID), "Not A Slug")
	require.ErrorIs(t, err, verification.ErrInvalid)
	v, err = svc.ClearRiskFlag(staff, verification.MerchantSubject(m.ID), "sanctions-hit")
	require.NoError(t, err)
	assert.Empty(t, v.RiskFlags)
}

func TestVerificationErasureAndMerge(t *testing.T) {
	e := clienteletest.New(t)
	svc := e.Service.Verifications
	ctx := context.Background()
	staff := actor.NewContext(ctx, actor.Staff("ana"))
	ada := e.MustRegister()
	s := verification.CustomerSubject(ada.ID)
	_, err := svc.Submit(actor.NewContext(ctx, actor.Customer(ada.ID)), s)
	require.NoError(t, err)
	_, err = svc.Reject(staff, s, "Ada Lovelace's passport expired")
	require.NoError(t, err)
	_, err = svc.SetRiskFlags(staff, s, "pep")
	require.NoError(t, err)
	_, err = e.Service.Customers.Erase(ctx, ada.ID)
	require.NoError(t, err)
	v, err := e.Store.(storage.Verifications).VerificationRecords().Get(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, verification.Rejected, v.Status, "the status stays")
	assert.Empty(t, v.Reason)
	assert.Empty(t, v.RiskFlags[0].SetBy)
	h, err := e.Store.(storage.Verifications).VerificationRecords().History(ctx, s, page.Request{})
	require.NoError(t, err)
	require.Len(t, h.Items, 2)
	assert.Empty(t, h.Items[0].Reviewer, "the customer's own name goes")
	assert.Empty(t, h.Items[1].Reason)
	assert.Equal(t, "staff:ana", h.Items[1].Reviewer)

	// A merge: the survivor keeps its own verification.
	dup, surv := e.MustGuest(), e.MustRegister()
	e.MustVerify(dup.ID)
	e.MustSubmitVerification(surv.ID)
	e.MustMerge(dup.ID, surv.ID)
	v, err = svc.Get(ctx, verification.CustomerSubject(surv.ID))
	require.NoError(t, err)
	assert.Equal(t, verification.Pending, v.Status, "the survivor's own, not the duplicate's")
}

// TestConcurrentDecisions is the promise of one decision: 16 reviewers
// approving and rejecting one pending subject at once, on every engine,
// give exactly one decision, in the status and in the history, and one
// event.
func TestConcurrentDecisions(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store)
		ctx := actor.NewContext(context.Background(), actor.Staff("ana"))
		c, err := svc.Customers.Register(ctx, customer.Params{Email: "race@example.com"})
		require.NoError(t, err)
		s := verification.CustomerSubject(c.ID)
		_, err = svc.Verifications.Submit(ctx, s)
		require.NoError(t, err)
		drain(t, svc, "race")

		const n = 16
		errs := make([]error, n)
		start := make(chan struct{})
		done := make(chan struct{})
		for i := range n {
			go func() {
				defer func() { done <- struct{}{} }()
				<-start
				rctx := actor.NewContext(context.Background(), actor.Staff(fmt.Sprintf("reviewer-%d", i)))
				if i%2 == 0 {
					_, errs[i] = svc.Verifications.Approve(rctx, s)
				} else {
					_, errs[i] = svc.Verifications.Reject(rctx, s, "refused")
				}
			}()
		}
		close(start)
		for range n {
			<-done
		}
		wins := 0
		for i, err := range errs {
			if err == nil {
				wins++
				continue
			}
			require.True(t, errors.Is(err, verification.ErrInvalidTransition), "reviewer %d: %v", i, err)
		}
		assert.Equal(t, 1, wins, "exactly one reviewer decides")
		h, err := svc.Verifications.History(context.Background(), s, page.Request{})
		require.NoError(t, err)
		assert.Len(t, verification.History(h.Items).Decisions(), 1, "the history holds exactly one decision")
		v, err := svc.Verifications.Get(context.Background(), s)
		require.NoError(t, err)
		assert.Equal(t, int64(2), v.Version)
		assert.Len(t, drain(t, svc, "race"), 1, "one event")
	})
}

// TestMarketRequiresVerified: a private market with RequireVerified admits
// its members only once verified, on every engine; a public one ignores
// the flag.
func TestMarketRequiresVerified(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		e := clienteletest.New(t, clienteletest.WithStore(store))
		g := e.MustGroup("VIP")
		m := e.MustMerchant("Acme")
		private := e.MustMarket(m.ID, "vip", "EUR", clienteletest.Private(g.ID), clienteletest.RequireVerified())
		public := e.MustMarket(m.ID, "all", "EUR", clienteletest.RequireVerified())
		ctx := context.Background()

		unverified, pending, rejected, verified, outsider := e.MustRegister(), e.MustRegister(), e.MustRegister(), e.MustRegister(), e.MustRegister()
		e.MustJoin(g.ID, unverified.ID, pending.ID, rejected.ID, verified.ID)
		e.MustSubmitVerification(pending.ID)
		e.MustRejectVerification(rejected.ID, "blurred")
		e.MustVerify(verified.ID)
		e.MustVerify(outsider.ID)

		for _, c := range []customer.Customer{unverified, pending, rejected} {
			err := e.Service.Markets.Access(ctx, private.ID, c.ID)
			require.ErrorIs(t, err, market.ErrNotVerified)
			require.ErrorIs(t, err, market.ErrAccessDenied)
			require.NoError(t, e.Service.Markets.Access(ctx, public.ID, c.ID), "a public market ignores it")
		}
		require.NoError(t, e.Service.Markets.Access(ctx, private.ID, verified.ID), "a verified member gets in")
		require.ErrorIs(t, e.Service.Markets.Access(ctx, private.ID, outsider.ID), market.ErrNotMember, "verified is no membership")
		require.ErrorIs(t, e.Service.Markets.Access(ctx, private.ID, uuid.Nil), market.ErrPrivate)

		got, err := e.Service.Markets.Get(ctx, private.ID)
		require.NoError(t, err)
		assert.True(t, got.RequireVerified, "stored")
		_, err = e.Service.Markets.Update(ctx, private.ID, market.Patch{RequireVerified: ptr(false)})
		require.NoError(t, err)
		require.NoError(t, e.Service.Markets.Access(ctx, private.ID, unverified.ID), "without the flag a member gets in")
	})
}
