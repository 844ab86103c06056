package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/verification"
)

// The storage.Verifications capability: each subject's current
// verification, changed under its lock, and its append-only history.

func verificationCases() []testCase {
	return []testCase{
		{"UnverifiedWhenNone", needsVerifications(verifyNone)},
		{"TransitionsRoundTrip", needsVerifications(verifyRoundTrip)},
		{"FnErrorWritesNothing", needsVerifications(verifyFnError)},
		{"NoChangeWritesNothing", needsVerifications(verifyNoChange)},
		{"InvalidResultRefused", needsVerifications(verifyInvalidResult)},
		{"RiskFlagsRoundTrip", needsVerifications(verifyFlags)},
		{"HistoryPages", needsVerifications(verifyHistoryPages)},
		{"ListByStatusPages", needsVerifications(verifyListPages)},
		{"KindsAreSeparate", needsVerifications(verifyKinds)},
		{"Anonymize", needsVerifications(verifyAnonymize)},
		{"ReturnedValuesAreCopies", needsVerifications(verifyCopies)},
		{"InsideAtomicRollsBack", needsVerifications(verifyAtomic)},
		{"HostileInput", needsVerifications(verifyHostile)},
		{"ConcurrentDecisionsOneWins", needsVerifications(verifyConcurrentDecisions)},
		{"ConcurrentFirstSubmitsOneWins", needsVerifications(verifyConcurrentSubmits)},
		{"InterleavedDecisionAfterRead", needsVerifications(verifyInterleavedDecision)},
		{"InterleavedFirstSubmitAfterRead", needsVerifications(verifyInterleavedSubmit)},
		{"CanceledContext", needsVerifications(verifyCanceled)},
	}
}

// needsVerifications skips a case on a store without the capability.
func needsVerifications(run func(t *testing.T, e *env, r storage.VerificationRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		v, ok := e.store.(storage.Verifications)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Verifications capability", e.store)
		}
		run(t, e, v.VerificationRecords())
	}
}

// moveTo is the updater of a transition to the status to.
func moveTo(to verification.Status, reason, reviewer string, now time.Time) func(*verification.Verification) (*verification.Review, error) {
	return func(v *verification.Verification) (*verification.Review, error) {
		r, err := v.Transition(to, reason, reviewer, now)
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
}

// subject returns a fresh customer subject (the store does not check it
// exists).
func (e *env) subject() verification.Subject { return verification.CustomerSubject(e.id()) }

// move applies a transition and requires it to succeed.
func (e *env) move(r storage.VerificationRecords, s verification.Subject, to verification.Status, reason string) verification.Verification {
	e.t.Helper()
	v, err := r.Update(e.ctx, s, moveTo(to, reason, "staff:reviewer", e.now()))
	require.NoError(e.t, err, "moving to %s", to)
	return v
}

func (e *env) history(r storage.VerificationRecords, s verification.Subject) verification.History {
	e.t.Helper()
	var out verification.History
	p := storage.PageRequest{Limit: 3}
	for {
		page, err := r.History(e.ctx, s, p)
		require.NoError(e.t, err)
		out = append(out, page.Items...)
		if page.Next == "" {
			return out
		}
		p.Cursor = page.Next
	}
}

func (e *env) getVerification(r storage.VerificationRecords, s verification.Subject) verification.Verification {
	e.t.Helper()
	v, err := r.Get(e.ctx, s)
	require.NoError(e.t, err)
	return v
}

func verifyNone(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	assert.Equal(t, verification.New(s), e.getVerification(r, s))
	assert.Empty(t, e.history(r, s))
}

func verifyRoundTrip(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	at := e.now()
	v, err := r.Update(e.ctx, s, moveTo(verification.Pending, "", s.String(), at.Add(123*time.Nanosecond)))
	require.NoError(t, err)
	assert.Equal(t, verification.Verification{Subject: s, Status: verification.Pending, Reviewer: s.String(),
		UpdatedAt: at, Version: 1, RiskFlags: []verification.Flag{}}, v, "microsecond UTC")
	assert.Equal(t, v, e.getVerification(r, s))
	reason := "Ünïcode reason\nsecond line"
	v = e.move(r, s, verification.Rejected, reason)
	assert.Equal(t, verification.Rejected, v.Status)
	assert.Equal(t, reason, v.Reason)
	assert.Equal(t, v, e.getVerification(r, s))
	e.move(r, s, verification.Pending, "")
	v = e.move(r, s, verification.Verified, "")
	assert.Equal(t, int64(4), v.Version)
	assert.Empty(t, v.Reason)

	h := e.history(r, s)
	require.Len(t, h, 4)
	for i, want := range [][2]verification.Status{
		{verification.Unverified, verification.Pending}, {verification.Pending, verification.Rejected},
		{verification.Rejected, verification.Pending}, {verification.Pending, verification.Verified},
	} {
		assert.Equal(t, int64(i+1), h[i].Version)
		assert.Equal(t, want, [2]verification.Status{h[i].From, h[i].To})
		assert.Equal(t, s, h[i].Subject)
		assert.Equal(t, time.UTC, h[i].At.Location())
	}
	assert.Equal(t, reason, h[1].Reason)
	assert.Equal(t, "staff:reviewer", h[1].Reviewer)
	assert.Equal(t, at, h[0].At)
}

func verifyFnError(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	boom := errors.New("boom")
	_, err := r.Update(e.ctx, s, func(v *verification.Verification) (*verification.Review, error) {
		_, _ = v.Transition(verification.Pending, "", "", e.now())
		return nil, boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, verification.New(s), e.getVerification(r, s))
	e.move(r, s, verification.Pending, "")
	_, err = r.Update(e.ctx, s, moveTo(verification.Pending, "", "", e.now()))
	require.ErrorIs(t, err, verification.ErrInvalidTransition)
	assert.Len(t, e.history(r, s), 1)
}

func verifyNoChange(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	v, err := r.Update(e.ctx, s, func(*verification.Verification) (*verification.Review, error) { return nil, nil })
	require.NoError(t, err)
	assert.Equal(t, verification.New(s), v)
	page, err := r.List(e.ctx, verification.Customer, verification.Unverified, storage.PageRequest{})
	require.NoError(t, err)
	for _, got := range page.Items {
		assert.NotEqual(t, s, got.Subject, "nothing stored")
	}
}

func verifyInvalidResult(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	cases := map[string]func(*verification.Verification) (*verification.Review, error){
		"version jump": func(v *verification.Verification) (*verification.Review, error) {
			rv, err := v.Transition(verification.Pending, "", "", e.now())
			v.Version++
			rv.Version++
			return &rv, err
		},
		"status without review": func(v *verification.Verification) (*verification.Review, error) {
			_, err := v.Transition(verification.Pending, "", "", e.now())
			return nil, err
		},
		"review of another change": func(v *verification.Verification) (*verification.Review, error) {
			rv, err := v.Transition(verification.Pending, "", "", e.now())
			rv.To = verification.Verified
			return &rv, err
		},
		"another subject": func(v *verification.Verification) (*verification.Review, error) {
			v.Subject = e.subject()
			v.Version++
			return nil, nil
		},
		"forbidden move set directly": func(v *verification.Verification) (*verification.Review, error) {
			rv, err := v.Transition(verification.Pending, "", "", e.now())
			v.Status, rv.To = verification.Verified, verification.Verified
			return &rv, err
		},
	}
	for name, fn := range cases {
		_, err := r.Update(e.ctx, s, fn)
		assert.True(t, errors.Is(err, storage.ErrInvalidRecord) || errors.Is(err, verification.ErrInvalidTransition), "%s: %v", name, err)
	}
	assert.Equal(t, verification.New(s), e.getVerification(r, s))
	assert.Empty(t, e.history(r, s))
}

func verifyFlags(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	at := e.now()
	v, err := r.Update(e.ctx, s, func(v *verification.Verification) (*verification.Review, error) {
		_, err := v.SetFlags([]string{"sanctions-hit", "pep"}, "staff:risk", at)
		return nil, err
	})
	require.NoError(t, err)
	want := []verification.Flag{{Name: "pep", SetBy: "staff:risk", SetAt: at}, {Name: "sanctions-hit", SetBy: "staff:risk", SetAt: at}}
	assert.Equal(t, want, v.RiskFlags)
	got := e.getVerification(r, s)
	assert.Equal(t, want, got.RiskFlags)
	assert.Equal(t, verification.Unverified, got.Status)
	assert.Equal(t, int64(1), got.Version)
	assert.Empty(t, e.history(r, s), "flags are no review")
	v = e.move(r, s, verification.Pending, "")
	assert.Equal(t, want, v.RiskFlags, "a transition keeps the flags")
	v, err = r.Update(e.ctx, s, func(v *verification.Verification) (*verification.Review, error) {
		_, err := v.ClearFlag("pep", e.now())
		return nil, err
	})
	require.NoError(t, err)
	assert.Equal(t, want[1:], v.RiskFlags)
	assert.Equal(t, v, e.getVerification(r, s))
	assert.Equal(t, int64(3), v.Version)
}

func verifyHistoryPages(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	e.move(r, s, verification.Pending, "")
	for range 3 {
		e.move(r, s, verification.Rejected, "no")
		e.move(r, s, verification.Pending, "")
	}
	page, err := r.History(e.ctx, s, storage.PageRequest{Limit: 7})
	require.NoError(t, err)
	assert.Len(t, page.Items, 7)
	assert.Empty(t, page.Next, "no cursor to an empty page")
	page, err = r.History(e.ctx, s, storage.PageRequest{Limit: 2})
	require.NoError(t, err)
	require.NotEmpty(t, page.Next)
	page, err = r.History(e.ctx, s, storage.PageRequest{Limit: 2, Cursor: page.Next})
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 4}, []int64{page.Items[0].Version, page.Items[1].Version})
	h := e.history(r, s)
	require.Len(t, h, 7)
	for i, rv := range h {
		assert.Equal(t, int64(i+1), rv.Version)
	}
	_, err = r.History(e.ctx, s, storage.PageRequest{Cursor: "garbage"})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	_, err = r.List(e.ctx, verification.Customer, verification.Pending, storage.PageRequest{Cursor: page.Next})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor, "a cursor of another list")
}

func verifyListPages(t *testing.T, e *env, r storage.VerificationRecords) {
	kind := verification.Merchant // a list of this case's own (other cases list customers)
	var subjects []verification.Subject
	for range 5 {
		s := verification.MerchantSubject(e.id())
		e.move(r, s, verification.Pending, "")
		subjects = append(subjects, s)
	}
	e.move(r, subjects[1], verification.Verified, "")
	e.move(r, subjects[3], verification.Rejected, "no")
	list := func(status verification.Status) []verification.Subject {
		var out []verification.Subject
		p := storage.PageRequest{Limit: 2}
		for {
			page, err := r.List(e.ctx, kind, status, p)
			require.NoError(t, err)
			for _, v := range page.Items {
				assert.Equal(t, status, v.Status)
				out = append(out, v.Subject)
			}
			if page.Next == "" {
				return out
			}
			p.Cursor = page.Next
		}
	}
	assert.Equal(t, []verification.Subject{subjects[0], subjects[2], subjects[4]}, list(verification.Pending), "oldest first")
	assert.Equal(t, []verification.Subject{subjects[1]}, list(verification.Verified))
	assert.Equal(t, []verification.Subject{subjects[3]}, list(verification.Rejected))
	e.move(r, subjects[1], verification.Pending, "")
	assert.Equal(t, []verification.Subject{subjects[0], subjects[2], subjects[4], subjects[1]}, list(verification.Pending))
	assert.Empty(t, list(verification.Verified))
}

func verifyKinds(t *testing.T, e *env, r storage.VerificationRecords) {
	id := e.id()
	c, m := verification.CustomerSubject(id), verification.MerchantSubject(id)
	e.move(r, c, verification.Pending, "")
	assert.Equal(t, verification.Unverified, e.getVerification(r, m).Status, "the same ID of another kind is another subject")
	e.move(r, m, verification.Pending, "")
	e.move(r, m, verification.Verified, "")
	assert.Equal(t, verification.Pending, e.getVerification(r, c).Status)
	assert.Len(t, e.history(r, c), 1)
	assert.Len(t, e.history(r, m), 2)
}

func verifyAnonymize(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	n, err := r.Anonymize(e.ctx, s)
	require.NoError(t, err)
	assert.Zero(t, n)
	_, err = r.Update(e.ctx, s, moveTo(verification.Pending, "here is my passport", s.String(), e.now()))
	require.NoError(t, err)
	e.move(r, s, verification.Rejected, "the passport of Jane Doe is expired")
	_, err = r.Update(e.ctx, s, func(v *verification.Verification) (*verification.Review, error) {
		_, err := v.SetFlags([]string{"pep"}, "staff:risk", e.now())
		return nil, err
	})
	require.NoError(t, err)
	before := e.getVerification(r, s)
	n, err = r.Anonymize(e.ctx, s)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	got := e.getVerification(r, s)
	assert.Empty(t, got.Reason)
	assert.Empty(t, got.RiskFlags[0].SetBy)
	assert.Equal(t, before.Status, got.Status)
	assert.Equal(t, before.Version, got.Version)
	h := e.history(r, s)
	require.Len(t, h, 2)
	assert.Empty(t, h[0].Reason)
	assert.Empty(t, h[0].Reviewer, "the subject's own name as reviewer goes")
	assert.Empty(t, h[1].Reason)
	assert.Equal(t, "staff:reviewer", h[1].Reviewer, "staff stays")
	assert.Equal(t, verification.Rejected, h[1].To)
}

func verifyCopies(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	_, err := r.Update(e.ctx, s, func(v *verification.Verification) (*verification.Review, error) {
		_, err := v.SetFlags([]string{"pep"}, "staff:risk", e.now())
		return nil, err
	})
	require.NoError(t, err)
	v := e.getVerification(r, s)
	v.RiskFlags[0].Name = "changed"
	assert.Equal(t, "pep", e.getVerification(r, s).RiskFlags[0].Name)
}

func verifyAtomic(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		v, ok := tx.(storage.Verifications)
		require.True(t, ok, "a Tx of a store with the capability has it too")
		if _, err := v.VerificationRecords().Update(ctx, s, moveTo(verification.Pending, "", "", e.now())); err != nil {
			return err
		}
		got, err := v.VerificationRecords().Get(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, verification.Pending, got.Status, "the transaction sees its own write")
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, verification.New(s), e.getVerification(r, s), "rolled back")
	assert.Empty(t, e.history(r, s))
}

func verifyHostile(t *testing.T, e *env, r storage.VerificationRecords) {
	_, err := r.Get(e.ctx, verification.Subject{Kind: verification.Customer})
	assert.ErrorIs(t, err, verification.ErrInvalid)
	_, err = r.Update(e.ctx, verification.Subject{Kind: 9, ID: e.id()}, moveTo(verification.Pending, "", "", e.now()))
	assert.ErrorIs(t, err, verification.ErrInvalid)
	_, err = r.List(e.ctx, verification.Customer, 0, storage.PageRequest{})
	assert.ErrorIs(t, err, verification.ErrInvalid)
	_, err = r.List(e.ctx, 0, verification.Pending, storage.PageRequest{})
	assert.ErrorIs(t, err, verification.ErrInvalid)
	s := e.subject()
	e.move(r, s, verification.Pending, "")
	for i, h := range hostileStrings {
		_, err := r.Update(e.ctx, s, moveTo(verification.Rejected, "x"+h, "staff:"+h, e.now()))
		if err != nil {
			require.ErrorIs(t, err, verification.ErrInvalid, "value %d %q", i, h)
			continue
		}
		got := e.getVerification(r, s)
		assert.Equal(t, "x"+h, got.Reason, "value %d", i)
		assert.Equal(t, "staff:"+h, got.Reviewer, "value %d", i)
		e.move(r, s, verification.Pending, "")
	}
}

// decide approves (even i) or rejects (odd i) a pending submission.
func decide(i int, now time.Time) func(*verification.Verification) (*verification.Review, error) {
	to, reason := verification.Verified, ""
	if i%2 == 1 {
		to, reason = verification.Rejected, "refused by racer"
	}
	return func(v *verification.Verification) (*verification.Review, error) {
		r, err := v.Decide(to, reason, "staff:racer", now)
		if err != nil {
			return nil, err
		}
		return &r, nil
	}
}

func verifyConcurrentDecisions(t *testing.T, e *env, r storage.VerificationRecords) {
	const n = 16
	s := e.subject()
	e.move(r, s, verification.Pending, "")
	now := e.now()
	errs := race(n, func(i int) error {
		_, err := r.Update(e.ctx, s, decide(i, now))
		return err
	})
	ok, refused := tally(t, errs, func(err error) bool { return errors.Is(err, verification.ErrInvalidTransition) }, "ErrInvalidTransition")
	assert.Equal(t, 1, ok, "exactly one decision wins")
	assert.Equal(t, n-1, refused)
	h := e.history(r, s)
	assert.Len(t, h.Decisions(), 1, "the history holds exactly one decision")
	assert.Len(t, h, 2)
	got := e.getVerification(r, s)
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, h[1].To, got.Status)
}

func verifyConcurrentSubmits(t *testing.T, e *env, r storage.VerificationRecords) {
	const n = 16
	s := e.subject()
	now := e.now()
	errs := race(n, func(i int) error {
		_, err := r.Update(e.ctx, s, moveTo(verification.Pending, "", "", now))
		return err
	})
	ok, refused := tally(t, errs, func(err error) bool { return errors.Is(err, verification.ErrInvalidTransition) }, "ErrInvalidTransition")
	assert.Equal(t, 1, ok, "exactly one first submission")
	assert.Equal(t, n-1, refused)
	assert.Len(t, e.history(r, s), 1)
	assert.Equal(t, int64(1), e.getVerification(r, s).Version)
}

// interleaveVerification runs, in one transaction, a plain read of the
// subject's verification (fixing the snapshot where the engine keeps one),
// then outside (committed while the transaction is open), then last in
// the transaction.
func (e *env) interleaveVerification(s verification.Subject, outside func(ctx context.Context) error,
	last func(ctx context.Context, r storage.VerificationRecords) error) error {
	e.t.Helper()
	ran := false
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		r := tx.(storage.Verifications).VerificationRecords()
		if _, err := r.Get(ctx, s); err != nil {
			return err
		}
		if !ran {
			ran = true
			require.NoError(e.t, outside(e.ctx), "the write outside the transaction")
		}
		return last(ctx, r)
	})
	require.True(e.t, ran, "the transaction ran")
	return err
}

func verifyInterleavedDecision(t *testing.T, e *env, r storage.VerificationRecords) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	s := e.subject()
	e.move(r, s, verification.Pending, "")
	err := e.interleaveVerification(s, func(ctx context.Context) error {
		_, err := r.Update(ctx, s, moveTo(verification.Verified, "", "staff:outside", e.now()))
		return err
	}, func(ctx context.Context, tx storage.VerificationRecords) error {
		_, err := tx.Update(ctx, s, decide(1, e.now())) // a rejection of the pending submission
		return err
	})
	require.ErrorIs(t, err, verification.ErrInvalidTransition, "the decision read under the lock sees the one committed outside")
	got := e.getVerification(r, s)
	assert.Equal(t, verification.Verified, got.Status)
	assert.Len(t, e.history(r, s).Decisions(), 1)
}

func verifyInterleavedSubmit(t *testing.T, e *env, r storage.VerificationRecords) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	s := e.subject()
	err := e.interleaveVerification(s, func(ctx context.Context) error {
		_, err := r.Update(ctx, s, moveTo(verification.Pending, "", "staff:outside", e.now()))
		return err
	}, func(ctx context.Context, tx storage.VerificationRecords) error {
		_, err := tx.Update(ctx, s, moveTo(verification.Pending, "", "staff:inside", e.now()))
		return err
	})
	require.ErrorIs(t, err, verification.ErrInvalidTransition, "the first record, inserted outside, is seen")
	h := e.history(r, s)
	require.Len(t, h, 1)
	assert.Equal(t, "staff:outside", h[0].Reviewer)
}

func verifyCanceled(t *testing.T, e *env, r storage.VerificationRecords) {
	s := e.subject()
	e.move(r, s, verification.Pending, "")
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := r.Get(ctx, s)
	require.ErrorIs(t, err, context.Canceled, "Get")
	_, err = r.Update(ctx, s, moveTo(verification.Verified, "", "", e.now()))
	require.ErrorIs(t, err, context.Canceled, "Update")
	_, err = r.History(ctx, s, storage.PageRequest{})
	require.ErrorIs(t, err, context.Canceled, "History")
	_, err = r.List(ctx, verification.Customer, verification.Pending, storage.PageRequest{})
	require.ErrorIs(t, err, context.Canceled, "List")
	_, err = r.Anonymize(ctx, s)
	require.ErrorIs(t, err, context.Canceled, "Anonymize")
	assert.Equal(t, verification.Pending, e.getVerification(r, s).Status)
}
