package storagetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/actor"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/privacy"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Privacy capability: event payloads rewritten in place, and
// the erasure records, one per customer, never changed.

func privacyCases() []testCase {
	return []testCase{
		{"ScrubRewritesOnlyTheCustomersEvents", needsPrivacy(privacyScrub)},
		{"ScrubKeepsEverythingElse", needsPrivacy(privacyScrubKeeps)},
		{"ScrubInsideAtomicRollsBack", needsPrivacy(privacyScrubAtomic)},
		{"ErasureRoundTrip", needsPrivacy(privacyErasureRoundTrip)},
		{"ErasureOncePerCustomer", needsPrivacy(privacyErasureOnce)},
		{"ErasureInvalidRefused", needsPrivacy(privacyErasureInvalid)},
		{"ErasureSurvivesPrune", needsPrivacy(privacyErasureSurvivesPrune)},
		{"MergedInto", needsPrivacy(privacyMergedInto)},
		{"ConcurrentRecordsOneWins", needsPrivacy(privacyConcurrentRecords)},
		{"InterleavedAppendAfterScrub", needsPrivacy(privacyInterleavedAppend)},
		{"CanceledContext", needsPrivacy(privacyCanceled)},
	}
}

// needsPrivacy skips a case on a store without the capability (or without
// an outbox, whose events it scrubs).
func needsPrivacy(run func(t *testing.T, e *env, r storage.PrivacyRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		p, ok := e.store.(storage.Privacy)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Privacy capability", e.store)
		}
		if _, ok := e.store.(storage.Outbox); !ok {
			t.Skipf("the store (%T) lacks the storage.Outbox capability", e.store)
		}
		run(t, e, p.PrivacyRecords())
	}
}

func (e *env) outbox() storage.Events { return e.store.(storage.Outbox).Events() }

// personalEvent is an event about the customer whose payload holds a
// personal value.
func (e *env) personalEvent(customerID uuid.UUID, secret string) event.Event {
	ev := e.event(customerID)
	ev.Payload = json.RawMessage(fmt.Sprintf(`{"customer":{"id":%q,"email":%q,"first_name":%q},"changes":[{"field":"last_name","before":%q,"after":"x"}]}`,
		customerID, secret+"@example.com", secret, secret))
	return ev
}

// trail returns the customer's events, newest first.
func (e *env) trail(customerID uuid.UUID) []event.Event {
	e.t.Helper()
	var out []event.Event
	p := storage.PageRequest{Limit: 100}
	for {
		pg, err := e.outbox().ByCustomer(e.ctx, customerID, p)
		require.NoError(e.t, err)
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out
		}
		p.Cursor = pg.Next
	}
}

func privacyScrub(t *testing.T, e *env, r storage.PrivacyRecords) {
	a, b := e.id(), e.id()
	e.appendEvents(e.outbox(), e.personalEvent(a, "alice-secret"), e.personalEvent(a, "alice-secret2"),
		e.personalEvent(b, "bob-secret"))
	n, err := r.ScrubEvents(e.ctx, []uuid.UUID{a}, privacy.ScrubPayload)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	for _, ev := range e.trail(a) {
		assert.NotContains(t, string(ev.Payload), "alice-secret")
		assert.Contains(t, string(ev.Payload), a.String(), "IDs stay")
	}
	for _, ev := range e.trail(b) {
		assert.Contains(t, string(ev.Payload), "bob-secret", "another customer's events are untouched")
	}
	n, err = r.ScrubEvents(e.ctx, []uuid.UUID{a, e.id()}, privacy.ScrubPayload)
	require.NoError(t, err)
	assert.Zero(t, n, "a second scrub changes nothing")
}

func privacyScrubKeeps(t *testing.T, e *env, r storage.PrivacyRecords) {
	a := e.id()
	ev := e.personalEvent(a, "keep-secret")
	e.appendEvents(e.outbox(), ev)
	before := e.trail(a)
	require.Len(t, before, 1)
	_, err := r.ScrubEvents(e.ctx, []uuid.UUID{a}, func(p json.RawMessage) (json.RawMessage, bool) {
		return json.RawMessage(`{"scrubbed":true}`), true
	})
	require.NoError(t, err)
	after := e.trail(a)
	require.Len(t, after, 1)
	assert.JSONEq(t, `{"scrubbed":true}`, string(after[0].Payload))
	after[0].Payload, before[0].Payload = nil, nil
	assert.Equal(t, before[0], after[0], "only the payload changes")
	// A consumer still receives it, rewritten.
	b := e.claimAt(e.outbox(), "privacy-"+a.String()[:8], "h", storage.MaxClaim, e.now())
	found := false
	for _, got := range b.Events {
		if got.ID == ev.ID {
			found = true
			assert.JSONEq(t, `{"scrubbed":true}`, string(got.Payload))
		}
	}
	assert.True(t, found)
}

func privacyScrubAtomic(t *testing.T, e *env, r storage.PrivacyRecords) {
	a := e.id()
	e.appendEvents(e.outbox(), e.personalEvent(a, "atomic-secret"))
	boom := fmt.Errorf("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.(storage.Privacy).PrivacyRecords().ScrubEvents(ctx, []uuid.UUID{a}, privacy.ScrubPayload); err != nil {
			return err
		}
		if err := tx.(storage.Privacy).PrivacyRecords().RecordErasure(ctx, e.erasure(a)); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Contains(t, string(e.trail(a)[0].Payload), "atomic-secret", "the rollback keeps the payload")
	_, err = r.Erasure(e.ctx, a)
	assert.ErrorIs(t, err, storage.ErrNotFound, "and records no erasure")
}

func (e *env) erasure(id uuid.UUID) privacy.Erasure {
	return privacy.Erasure{CustomerID: id, At: e.now(), Actor: actor.Staff("dpo"), Reason: "ticket 7 — ünïcode"}
}

func privacyErasureRoundTrip(t *testing.T, e *env, r storage.PrivacyRecords) {
	id := e.id()
	_, err := r.Erasure(e.ctx, id)
	require.ErrorIs(t, err, storage.ErrNotFound)
	want := e.erasure(id)
	want.Merged = []uuid.UUID{e.id(), e.id()}
	require.NoError(t, r.RecordErasure(e.ctx, want))
	got, err := r.Erasure(e.ctx, id)
	require.NoError(t, err)
	stored, err := storage.StoredErasure(want)
	require.NoError(t, err)
	assert.Equal(t, stored, got)
	got.Merged[0] = uuid.Nil
	again, err := r.Erasure(e.ctx, id)
	require.NoError(t, err)
	assert.Equal(t, stored, again, "a returned value is a copy")

	plain := e.erasure(e.id())
	plain.Actor, plain.Reason = actor.Actor{}, ""
	require.NoError(t, r.RecordErasure(e.ctx, plain))
	got, err = r.Erasure(e.ctx, plain.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, actor.Actor{Kind: actor.KindSystem}, got.Actor)
	assert.Empty(t, got.Reason)
	assert.Nil(t, got.Merged)
}

func privacyErasureOnce(t *testing.T, e *env, r storage.PrivacyRecords) {
	id := e.id()
	first := e.erasure(id)
	require.NoError(t, r.RecordErasure(e.ctx, first))
	second := first
	second.Reason = "second"
	err := r.RecordErasure(e.ctx, second)
	require.True(t, storage.IsConflict(err, storage.ConstraintErasure), "%v", err)
	got, err := r.Erasure(e.ctx, id)
	require.NoError(t, err)
	assert.Equal(t, first.Reason, got.Reason, "the first record stays")
}

func privacyErasureInvalid(t *testing.T, e *env, r storage.PrivacyRecords) {
	for name, bad := range map[string]privacy.Erasure{
		"nil customer":  {At: e.now()},
		"zero time":     {CustomerID: e.id()},
		"long reason":   {CustomerID: e.id(), At: e.now(), Reason: string(bytes.Repeat([]byte("x"), privacy.MaxReason+1))},
		"control chars": {CustomerID: e.id(), At: e.now(), Reason: "a\x00b"},
		"bad actor":     {CustomerID: e.id(), At: e.now(), Actor: actor.Actor{Kind: "alien", ID: "x"}},
		"nil merged":    {CustomerID: e.id(), At: e.now(), Merged: []uuid.UUID{uuid.Nil}},
	} {
		err := r.RecordErasure(e.ctx, bad)
		assert.ErrorIs(t, err, privacy.ErrInvalid, name)
		if bad.CustomerID != uuid.Nil {
			_, err = r.Erasure(e.ctx, bad.CustomerID)
			assert.ErrorIs(t, err, storage.ErrNotFound, "%s: nothing written", name)
		}
	}
}

func privacyErasureSurvivesPrune(t *testing.T, e *env, r storage.PrivacyRecords) {
	id := e.id()
	e.appendEvents(e.outbox(), e.personalEvent(id, "pruned-secret"))
	require.NoError(t, r.RecordErasure(e.ctx, e.erasure(id)))
	// Every event is sequenced and acknowledged, then no consumer holds
	// Prune back.
	name := "prune-" + id.String()[:8]
	for {
		b := e.claimAt(e.outbox(), name, "h", storage.MaxClaim, e.now())
		if len(b.Events) == 0 {
			break
		}
		require.NoError(t, e.outbox().Ack(e.ctx, name, "h", b.Last()))
	}
	for _, c := range mustConsumers(t, e) {
		require.NoError(t, e.outbox().DeleteConsumer(e.ctx, c.Name))
	}
	for {
		n, err := e.outbox().Prune(e.ctx, e.now().Add(1e15), storage.MaxPrune)
		require.NoError(t, err)
		if n == 0 {
			break
		}
	}
	assert.Empty(t, e.trail(id))
	_, err := r.Erasure(e.ctx, id)
	assert.NoError(t, err, "the record outlives the events")
}

func mustConsumers(t *testing.T, e *env) []storage.ConsumerState {
	t.Helper()
	cs, err := e.outbox().Consumers(e.ctx)
	require.NoError(t, err)
	return cs
}

func privacyMergedInto(t *testing.T, e *env, r storage.PrivacyRecords) {
	m, ok := e.store.(storage.Merging)
	if !ok {
		t.Skip("the store lacks storage.Merging")
	}
	surv := e.newCustomer()
	ids, err := r.MergedInto(e.ctx, surv.ID)
	require.NoError(t, err)
	assert.Empty(t, ids)
	var want []uuid.UUID
	for range 3 {
		dup := e.createCustomer(e.guest())
		require.NoError(t, m.Merges().Create(e.ctx, customer.Tombstone{MergedID: dup.ID, SurvivorID: surv.ID,
			Email: dup.Email.Address, MergedAt: e.now()}))
		want = append(want, dup.ID)
	}
	got, err := r.MergedInto(e.ctx, surv.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, want, got)
	for i := 1; i < len(got); i++ {
		assert.Negative(t, bytes.Compare(got[i-1][:], got[i][:]), "ascending byte order")
	}
}

func privacyConcurrentRecords(t *testing.T, e *env, r storage.PrivacyRecords) {
	id := e.id()
	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		ok, clash int
	)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := e.erasure(id)
			rec.Reason = fmt.Sprintf("racer %d", i)
			err := r.RecordErasure(e.ctx, rec)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case storage.IsConflict(err, storage.ConstraintErasure):
				clash++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, ok)
	assert.Equal(t, 7, clash)
}

// An event appended outside while a transaction scrubs: it is either
// scrubbed or committed after the scrub; a second scrub always catches it.
func privacyInterleavedAppend(t *testing.T, e *env, r storage.PrivacyRecords) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	id := e.id()
	e.appendEvents(e.outbox(), e.personalEvent(id, "inside-secret"))
	ran := false
	var wg sync.WaitGroup
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		if _, err := tx.(storage.Privacy).PrivacyRecords().ScrubEvents(ctx, []uuid.UUID{id}, privacy.ScrubPayload); err != nil {
			return err
		}
		if !ran {
			ran = true
			wg.Add(1)
			go func() { // blocks until the scrub commits on engines that lock
				defer wg.Done()
				assert.NoError(t, e.outbox().Append(e.ctx, e.personalEvent(id, "outside-secret")))
			}()
		}
		return nil
	})
	require.NoError(t, err)
	wg.Wait()
	_, err = r.ScrubEvents(e.ctx, []uuid.UUID{id}, privacy.ScrubPayload)
	require.NoError(t, err)
	for _, ev := range e.trail(id) {
		assert.NotContains(t, string(ev.Payload), "secret")
	}
}

func privacyCanceled(t *testing.T, e *env, r storage.PrivacyRecords) {
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	id := e.id()
	_, err := r.ScrubEvents(ctx, []uuid.UUID{id}, privacy.ScrubPayload)
	assert.ErrorIs(t, err, context.Canceled, "ScrubEvents")
	assert.ErrorIs(t, r.RecordErasure(ctx, e.erasure(id)), context.Canceled, "RecordErasure")
	_, err = r.Erasure(ctx, id)
	assert.ErrorIs(t, err, context.Canceled, "Erasure")
	_, err = r.MergedInto(ctx, id)
	assert.ErrorIs(t, err, context.Canceled, "MergedInto")
	_, err = r.Erasure(e.ctx, id)
	assert.ErrorIs(t, err, storage.ErrNotFound, "nothing written")
}
