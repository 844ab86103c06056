package clientele_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

func newsletterByEmail(source string) clientele.ConsentChange {
	return clientele.ConsentChange{Channel: consent.Email, Purpose: consent.Newsletter,
		Evidence: consent.Evidence{Source: source, WordingVersion: "2026-01", IP: "198.51.100.23", UserAgent: "Mozilla/5.0"}}
}

func TestConsentsGrantWithdrawState(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	ctx := actor.NewContext(e.ctx, actor.Customer(c.ID))
	drain(t, e.Service, "c")

	_, err := e.Consents.Grant(e.ctx, c.ID, newsletterByEmail("signup"))
	require.ErrorIs(t, err, clientele.ErrActorRequired, "no actor")
	bob := e.register(t, "bob@example.com")
	_, err = e.Consents.Grant(actor.NewContext(e.ctx, actor.Customer(bob.ID)), c.ID, newsletterByEmail("signup"))
	require.ErrorIs(t, err, clientele.ErrActorRequired, "another customer")
	_, err = e.Consents.Grant(ctx, c.ID, clientele.ConsentChange{Channel: consent.Email, Purpose: 9, Evidence: consent.Evidence{Source: "x"}})
	require.ErrorIs(t, err, consent.ErrInvalid)
	assert.Equal(t, errcode.Invalid, errcode.Of(err))
	_, err = e.Consents.Grant(ctx, uuid.New(), newsletterByEmail("signup"))
	require.ErrorIs(t, err, clientele.ErrActorRequired, "a customer acts only for itself")
	_, err = e.Consents.Grant(staff(e.ctx), uuid.New(), newsletterByEmail("signup"))
	require.Equal(t, errcode.NotFound, errcode.Of(err), "unknown customer")
	drain(t, e.Service, "c")

	g, err := e.Consents.Grant(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	assert.Equal(t, consent.Granted, g.Status)
	assert.Equal(t, "customer:"+c.ID.String(), g.Actor)
	assert.Equal(t, int64(1), g.Seq)
	again, err := e.Consents.Grant(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	assert.Equal(t, g, again, "granted already under that wording: nothing recorded")

	w, err := e.Consents.Withdraw(staff(e.ctx), c.ID, newsletterByEmail("support-call"))
	require.NoError(t, err)
	assert.Equal(t, consent.Withdrawn, w.Status)
	assert.Equal(t, "staff:support-1", w.Actor)
	st, err := e.Consents.State(e.ctx, c.ID)
	require.NoError(t, err)
	assert.False(t, st.Granted(consent.Email, consent.Newsletter))
	assert.Equal(t, []consent.Record{w}, st.Latest)

	hist, err := e.Consents.History(e.ctx, c.ID, page.Request{})
	require.NoError(t, err)
	assert.Equal(t, []consent.Record{g, w}, hist.Items)
	assert.Equal(t, []event.Type{event.ConsentGranted, event.ConsentWithdrawn}, types(drain(t, e.Service, "c")))
}

func TestConsentsIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	c := e.register(t, "ada@example.com")
	ctx := staff(e.ctx)
	g, err := e.Consents.Grant(ctx, c.ID, newsletterByEmail("signup"), clientele.IdempotencyKey("k1"))
	require.NoError(t, err)
	_, err = e.Consents.Withdraw(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	again, err := e.Consents.Grant(ctx, c.ID, newsletterByEmail("signup"), clientele.IdempotencyKey("k1"))
	require.NoError(t, err)
	assert.Equal(t, g, again, "the retry replays the first grant")
	st, err := e.Consents.State(e.ctx, c.ID)
	require.NoError(t, err)
	assert.False(t, st.Granted(consent.Email, consent.Newsletter), "and grants nothing again")
	_, err = e.Consents.Grant(ctx, c.ID, newsletterByEmail("other"), clientele.IdempotencyKey("k1"))
	require.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused)
}

func TestConsentsDoubleOptIn(t *testing.T) {
	var now time.Time
	clock := func() time.Time { return now }
	now = epoch
	e := newEnv(t, clientele.WithClock(clock), clientele.WithConsentTokenLifetime(time.Hour))
	c := e.register(t, "ada@example.com")
	ctx := actor.NewContext(e.ctx, actor.Customer(c.ID))
	drain(t, e.Service, "c")

	req, err := e.Consents.Request(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	assert.Equal(t, consent.Pending, req.Record.Status)
	assert.Len(t, req.Token, credential.SecretLength)
	assert.Equal(t, epoch.Add(time.Hour), req.Record.ExpiresAt)
	assert.False(t, req.Record.TokenHash.IsZero(), "the hash is kept")
	st, _ := e.Consents.State(e.ctx, c.ID)
	assert.False(t, st.Granted(consent.Email, consent.Newsletter), "pending is not granted")

	_, err = e.Consents.Confirm(e.ctx, "nope")
	assert.Equal(t, credential.ReasonMalformed, tokenReason(t, err))
	_, err = e.Consents.Confirm(e.ctx, strings.Repeat("A", credential.SecretLength))
	assert.Equal(t, credential.ReasonUnknown, tokenReason(t, err))

	now = epoch.Add(30 * time.Minute)
	g, err := e.Consents.Confirm(e.ctx, req.Token)
	require.NoError(t, err)
	assert.Equal(t, consent.Granted, g.Status)
	assert.Equal(t, req.Record.ID, g.Confirms)
	assert.Equal(t, req.Record.TokenHash, g.TokenHash, "the grant keeps the token's hash as the proof")
	assert.Equal(t, "customer:"+c.ID.String(), g.Actor)
	assert.Equal(t, "2026-01", g.WordingVersion)
	replay, err := e.Consents.Confirm(e.ctx, req.Token)
	require.NoError(t, err)
	assert.Equal(t, g, replay, "a replayed confirmation records nothing")
	st, _ = e.Consents.State(e.ctx, c.ID)
	assert.True(t, st.Granted(consent.Email, consent.Newsletter))
	assert.Equal(t, []event.Type{event.ConsentRequested, event.ConsentGranted}, types(drain(t, e.Service, "c")))

	// After a withdrawal the old token confirms nothing.
	_, err = e.Consents.Withdraw(ctx, c.ID, newsletterByEmail("unsubscribe-link"))
	require.NoError(t, err)
	_, err = e.Consents.Confirm(e.ctx, req.Token)
	assert.Equal(t, credential.ReasonSuperseded, tokenReason(t, err))

	// A newer request supersedes the older token; an expired one is refused.
	r1, err := e.Consents.Request(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	r2, err := e.Consents.Request(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	_, err = e.Consents.Confirm(e.ctx, r1.Token)
	assert.Equal(t, credential.ReasonSuperseded, tokenReason(t, err))
	now = now.Add(time.Hour)
	_, err = e.Consents.Confirm(e.ctx, r2.Token)
	assert.Equal(t, credential.ReasonExpired, tokenReason(t, err))
	st, _ = e.Consents.State(e.ctx, c.ID)
	cur, _ := st.Of(consent.Pair{Channel: consent.Email, Purpose: consent.Newsletter})
	assert.Equal(t, r2.Record.ID, cur.ID)
}

func tokenReason(t *testing.T, err error) string {
	t.Helper()
	var te *credential.TokenError
	require.ErrorAs(t, err, &te)
	return te.Reason
}

// TestConsentsGrantRacesWithdraw races grants and withdrawals of one
// pair on every engine: every call succeeds or records nothing, and the
// state is the latest record of the history by (At, Seq).
func TestConsentsGrantRacesWithdraw(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		svc := clientele.New(store)
		ctx := clientele.WithActor(context.Background(), actor.Staff("u1"))
		c, err := svc.Customers.Register(ctx, customer.Params{Email: "race@example.com"})
		require.NoError(t, err)
		const n = 8
		errs := make(chan error, n)
		start := make(chan struct{})
		for i := range n {
			go func() {
				<-start
				var err error
				if i%2 == 0 {
					_, err = svc.Consents.Grant(ctx, c.ID, newsletterByEmail("race"))
				} else {
					_, err = svc.Consents.Withdraw(ctx, c.ID, newsletterByEmail("race"))
				}
				errs <- err
			}()
		}
		close(start)
		for range n {
			require.NoError(t, <-errs)
		}
		hist, err := svc.Consents.History(ctx, c.ID, page.Request{Limit: 100})
		require.NoError(t, err)
		require.NotEmpty(t, hist.Items)
		st, err := svc.Consents.State(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, consent.NewState(c.ID, hist.Items), st)
		for i := 1; i < len(hist.Items); i++ {
			assert.NotEqual(t, hist.Items[i-1].Status, hist.Items[i].Status,
				"a change that repeats the pair's latest status records nothing")
			assert.Equal(t, int64(i+1), hist.Items[i].Seq)
		}
	})
}

func TestConsentsLacking(t *testing.T) {
	svc := clientele.New(lacking{memory.New()})
	_, ok := any(lacking{}).(storage.Consents)
	require.False(t, ok)
	ctx := staff(context.Background())
	id := uuid.New()
	_, err := svc.Consents.Grant(ctx, id, newsletterByEmail("x"))
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Consents.Withdraw(ctx, id, newsletterByEmail("x"))
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Consents.Request(ctx, id, newsletterByEmail("x"))
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Consents.Confirm(ctx, "x")
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Consents.State(ctx, id)
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Consents.History(ctx, id, page.Request{})
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
}

// TestConsentsWithdrawWithALaggingClock: a host whose clock is behind
// withdraws after another host granted; the withdrawal is the current
// state (its time is not before the grant's).
func TestConsentsWithdrawWithALaggingClock(t *testing.T) {
	store := memory.New()
	ahead := clientele.New(store, clientele.WithClock(fixedClock(epoch.Add(time.Hour))))
	behind := clientele.New(store, clientele.WithClock(fixedClock(epoch)))
	ctx := staff(context.Background())
	c, err := ahead.Customers.Register(ctx, customer.Params{Email: "ada@example.com"})
	require.NoError(t, err)
	g, err := ahead.Consents.Grant(ctx, c.ID, newsletterByEmail("signup"))
	require.NoError(t, err)
	w, err := behind.Consents.Withdraw(ctx, c.ID, newsletterByEmail("unsubscribe-link"))
	require.NoError(t, err)
	assert.Equal(t, g.At, w.At, "not before the grant")
	st, err := behind.Consents.State(ctx, c.ID)
	require.NoError(t, err)
	assert.False(t, st.Granted(consent.Email, consent.Newsletter), "the withdrawal takes effect at once")
}
