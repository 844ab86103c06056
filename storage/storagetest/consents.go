package storagetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/consent"
	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/storage"
)

// The storage.Consents capability: each customer's append-only consent
// history, appended under the customer's lock, and the current state (the
// latest record of each pair by (At, Seq)) in one read.

func consentCases() []testCase {
	return []testCase{
		{"EmptyState", needsConsents(consentEmpty)},
		{"RoundTrip", needsConsents(consentRoundTrip)},
		{"StateIsLatestByTimeThenSeq", needsConsents(consentLatest)},
		{"FnSeesStateAndMayWriteNothing", needsConsents(consentFnSees)},
		{"FnErrorWritesNothing", needsConsents(consentFnError)},
		{"InvalidRecordsRefused", needsConsents(consentInvalid)},
		{"HistoryPages", needsConsents(consentHistoryPages)},
		{"ByToken", needsConsents(consentByToken)},
		{"Anonymize", needsConsents(consentAnonymize)},
		{"CustomersAreSeparate", needsConsents(consentSeparate)},
		{"InsideAtomicRollsBack", needsConsents(consentAtomic)},
		{"HostileInput", needsConsents(consentHostile)},
		{"ConcurrentGrantsAndWithdrawals", needsConsents(consentConcurrent)},
		{"InterleavedAppendAfterRead", needsConsents(consentInterleaved)},
		{"CanceledContext", needsConsents(consentCanceled)},
		{"MoveRepointsHistory", needsConsents(consentMove)},
		{"MoveClosesTheHistory", needsConsents(consentMoveCloses)},
		{"MoveInsideAtomicRollsBack", needsConsents(consentMoveAtomic)},
		{"MoveRacesAppends", needsConsents(consentMoveRaces)},
		{"MoveAfterReadSeesLatest", needsConsents(consentMoveAfterRead)},
	}
}

// needsConsents skips a case on a store without the capability.
func needsConsents(run func(t *testing.T, e *env, r storage.ConsentRecords)) func(t *testing.T, e *env) {
	return func(t *testing.T, e *env) {
		c, ok := e.store.(storage.Consents)
		if !ok {
			t.Skipf("the store (%T) lacks the storage.Consents capability", e.store)
		}
		run(t, e, c.ConsentRecords())
	}
}

// consentRecord returns a valid record of the customer.
func (e *env) consentRecord(customerID uuid.UUID, c consent.Channel, p consent.Purpose, s consent.Status, at time.Time) consent.Record {
	r := consent.Record{ID: e.id(), CustomerID: customerID, Channel: c, Purpose: p, Status: s, At: at,
		Actor: "customer:" + customerID.String(), Evidence: consent.Evidence{Source: "checkout", WordingVersion: "v1"}}
	if s == consent.Pending {
		r.TokenHash = sha256.Sum256([]byte(r.ID.String()))
		r.ExpiresAt = at.Add(24 * time.Hour)
	}
	return r
}

// appendConsent appends recs and requires it to succeed.
func (e *env) appendConsent(r storage.ConsentRecords, customerID uuid.UUID, recs ...consent.Record) []consent.Record {
	e.t.Helper()
	out, err := r.Append(e.ctx, customerID, func(consent.State) ([]consent.Record, error) { return recs, nil })
	require.NoError(e.t, err)
	return out
}

func (e *env) consentHistory(r storage.ConsentRecords, customerID uuid.UUID) []consent.Record {
	e.t.Helper()
	out := []consent.Record{}
	p := storage.PageRequest{Limit: 3}
	for {
		pg, err := r.History(e.ctx, customerID, p)
		require.NoError(e.t, err)
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out
		}
		p.Cursor = pg.Next
	}
}

func (e *env) consentState(r storage.ConsentRecords, customerID uuid.UUID) consent.State {
	e.t.Helper()
	st, err := r.State(e.ctx, customerID)
	require.NoError(e.t, err)
	return st
}

// latestByScan is the state computed the slow way: for each pair, the
// record no other record of the pair follows by (At, Seq).
func latestByScan(customerID uuid.UUID, hist []consent.Record) consent.State {
	st := consent.State{CustomerID: customerID, Latest: []consent.Record{}}
	for _, p := range consent.Pairs() {
		var best *consent.Record
		for i := range hist {
			h := hist[i]
			if h.Pair() != p {
				continue
			}
			if best == nil || h.At.After(best.At) || (h.At.Equal(best.At) && h.Seq > best.Seq) {
				best = &hist[i]
			}
		}
		if best != nil {
			st.Latest = append(st.Latest, *best)
		}
	}
	return st
}

func consentEmpty(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	st := e.consentState(r, id)
	assert.Equal(t, id, st.CustomerID)
	assert.Empty(t, st.Latest)
	assert.NotNil(t, st.Latest, "an empty list, not nil")
	assert.Empty(t, e.consentHistory(r, id))
}

func consentRoundTrip(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	at := e.now().Add(123 * time.Nanosecond) // stored at microseconds
	pending := e.consentRecord(id, consent.Email, consent.Newsletter, consent.Pending, at)
	pending.IP, pending.UserAgent, pending.Note = "2001:db8::1", "Mozilla/5.0 (X11; Linux) “quoted”", "asked at the\ncounter, ünïcode 日本"
	pending.WordingVersion = "2026-01 de"
	grant := e.consentRecord(id, consent.Email, consent.Newsletter, consent.Granted, at.Add(time.Minute))
	grant.TokenHash, grant.Confirms = pending.TokenHash, pending.ID
	withdrawn := e.consentRecord(id, consent.Post, consent.Transactional, consent.Withdrawn, at.In(time.FixedZone("X", 3600)))
	out := e.appendConsent(r, id, pending, grant, withdrawn)
	require.Len(t, out, 3)
	for i, want := range []consent.Record{pending, grant, withdrawn} {
		want = want.Stored()
		want.Seq = int64(i + 1)
		assert.Equal(t, want, out[i], "returned record %d", i)
	}
	assert.Equal(t, out, e.consentHistory(r, id), "stored as returned")
	assert.Equal(t, time.UTC, out[2].At.Location())
	st := e.consentState(r, id)
	assert.Equal(t, []consent.Record{out[1], out[2]}, st.Latest, "the latest of each pair, in Pairs order")
	assert.True(t, st.Granted(consent.Email, consent.Newsletter))
	assert.False(t, st.Granted(consent.Post, consent.Transactional))
}

func consentLatest(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	t0 := e.now()
	later := e.consentRecord(id, consent.SMS, consent.Marketing, consent.Granted, t0.Add(time.Hour))
	e.appendConsent(r, id, later)
	// Appended after, but made earlier: the state keeps the later one.
	earlier := e.consentRecord(id, consent.SMS, consent.Marketing, consent.Withdrawn, t0)
	e.appendConsent(r, id, earlier)
	got, ok := e.consentState(r, id).Of(consent.Pair{Channel: consent.SMS, Purpose: consent.Marketing})
	require.True(t, ok)
	assert.Equal(t, later.ID, got.ID, "the latest by time, not by Seq")
	// The same time: the higher Seq wins.
	same := e.consentRecord(id, consent.SMS, consent.Marketing, consent.Withdrawn, t0.Add(time.Hour))
	e.appendConsent(r, id, same)
	got, _ = e.consentState(r, id).Of(consent.Pair{Channel: consent.SMS, Purpose: consent.Marketing})
	assert.Equal(t, same.ID, got.ID, "at the same time, the higher Seq")
	assert.Equal(t, int64(3), got.Seq)
	hist := e.consentHistory(r, id)
	assert.Equal(t, latestByScan(id, hist), e.consentState(r, id))
}

func consentFnSees(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	first := e.appendConsent(r, id, e.consentRecord(id, consent.Push, consent.Marketing, consent.Granted, e.now()))
	var seen consent.State
	out, err := r.Append(e.ctx, id, func(st consent.State) ([]consent.Record, error) {
		seen = st
		return nil, nil
	})
	require.NoError(t, err)
	assert.Empty(t, out)
	assert.Equal(t, consent.State{CustomerID: id, Latest: first}, seen)
	assert.Len(t, e.consentHistory(r, id), 1, "no records, no write")
	// The next Seq follows on.
	next := e.appendConsent(r, id, e.consentRecord(id, consent.Push, consent.Marketing, consent.Withdrawn, e.now()))
	assert.Equal(t, int64(2), next[0].Seq)
}

func consentFnError(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	boom := errors.New("boom")
	_, err := r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) {
		return []consent.Record{e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now())}, boom
	})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, e.consentHistory(r, id))
	assert.Empty(t, e.consentState(r, id).Latest)
}

func consentInvalid(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	kept := e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now()))
	try := func(name string, mutate func(*consent.Record), want error) {
		t.Helper()
		rec := e.consentRecord(id, consent.Email, consent.Marketing, consent.Withdrawn, e.now())
		mutate(&rec)
		_, err := r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) {
			return []consent.Record{e.consentRecord(id, consent.SMS, consent.Marketing, consent.Granted, e.now()), rec}, nil
		})
		assert.ErrorIs(t, err, want, name)
	}
	try("another customer", func(r *consent.Record) { r.CustomerID = e.id() }, storage.ErrInvalidRecord)
	try("a Seq", func(r *consent.Record) { r.Seq = 9 }, storage.ErrInvalidRecord)
	try("no channel", func(r *consent.Record) { r.Channel = 0 }, consent.ErrInvalid)
	try("bad purpose", func(r *consent.Record) { r.Purpose = 77 }, consent.ErrInvalid)
	try("no status", func(r *consent.Record) { r.Status = 0 }, consent.ErrInvalid)
	try("no time", func(r *consent.Record) { r.At = time.Time{} }, consent.ErrInvalid)
	try("no source", func(r *consent.Record) { r.Source = "" }, consent.ErrInvalid)
	try("pending without token", func(r *consent.Record) { r.Status = consent.Pending }, consent.ErrInvalid)
	try("token on a withdrawal", func(r *consent.Record) { r.TokenHash[0] = 1 }, consent.ErrInvalid)
	try("duplicate ID", func(r *consent.Record) { r.ID = kept[0].ID }, storage.ErrConflict)
	var conflict *storage.ConflictError
	_, err := r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) {
		rec := e.consentRecord(id, consent.Email, consent.Marketing, consent.Withdrawn, e.now())
		rec.ID = kept[0].ID
		return []consent.Record{rec}, nil
	})
	if assert.ErrorAs(t, err, &conflict) {
		assert.Equal(t, storage.Constraint(storage.ConstraintConsentID), conflict.Constraint)
	}
	assert.Equal(t, kept, e.consentHistory(r, id), "nothing of a refused append is written")
}

func consentHistoryPages(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	var want []consent.Record
	for i := range 7 {
		s := consent.Granted
		if i%2 == 1 {
			s = consent.Withdrawn
		}
		want = append(want, e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Marketing, s, e.now()))...)
	}
	assert.Equal(t, want, e.consentHistory(r, id), "pages of 3, oldest first")
	pg, err := r.History(e.ctx, id, storage.PageRequest{Limit: 7})
	require.NoError(t, err)
	assert.Len(t, pg.Items, 7)
	assert.Empty(t, pg.Next, "no next page after the last")
	_, err = r.History(e.ctx, id, storage.PageRequest{Cursor: "garbage"})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor)
	_, err = r.History(e.ctx, id, storage.PageRequest{Cursor: storage.Cursor{List: storage.ListCustomers, Seq: 1}.String()})
	assert.ErrorIs(t, err, storage.ErrInvalidCursor, "another list's cursor")
}

func consentByToken(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	pending := e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Newsletter, consent.Pending, e.now()))[0]
	got, err := r.ByToken(e.ctx, pending.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, pending, got)
	grant := e.consentRecord(id, consent.Email, consent.Newsletter, consent.Granted, e.now())
	grant.TokenHash, grant.Confirms = pending.TokenHash, pending.ID
	e.appendConsent(r, id, grant)
	got, err = r.ByToken(e.ctx, pending.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, pending.ID, got.ID, "the pending record, not the grant that keeps its hash")
	_, err = r.ByToken(e.ctx, credential.TokenHash{1})
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = r.ByToken(e.ctx, credential.TokenHash{})
	assert.ErrorIs(t, err, storage.ErrNotFound, "the zero hash is no token")
}

func consentAnonymize(t *testing.T, e *env, r storage.ConsentRecords) {
	id, other := e.id(), e.id()
	a := e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now())
	a.IP, a.UserAgent, a.Note = "192.0.2.7", "curl/8", "said yes on the phone"
	b := e.consentRecord(id, consent.SMS, consent.Marketing, consent.Withdrawn, e.now())
	o := a
	o.ID, o.CustomerID = e.id(), other
	e.appendConsent(r, id, a, b)
	e.appendConsent(r, other, o)
	n, err := r.Anonymize(e.ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the record with personal values changes")
	hist := e.consentHistory(r, id)
	require.Len(t, hist, 2)
	want := a.Stored().Anonymized()
	want.Seq = 1
	assert.Equal(t, want, hist[0], "IP, user agent and note go; the proof stays")
	assert.Equal(t, "checkout", hist[0].Source)
	assert.Equal(t, "192.0.2.7", e.consentHistory(r, other)[0].IP, "another customer's records stay")
	n, err = r.Anonymize(e.ctx, id)
	require.NoError(t, err)
	assert.Zero(t, n, "a second erasure changes nothing")
	n, err = r.Anonymize(e.ctx, e.id())
	require.NoError(t, err)
	assert.Zero(t, n, "a customer without records")
}

func consentSeparate(t *testing.T, e *env, r storage.ConsentRecords) {
	a, b := e.id(), e.id()
	ra := e.appendConsent(r, a, e.consentRecord(a, consent.Email, consent.Marketing, consent.Granted, e.now()))
	rb := e.appendConsent(r, b, e.consentRecord(b, consent.Email, consent.Marketing, consent.Withdrawn, e.now()))
	assert.Equal(t, int64(1), rb[0].Seq, "Seq counts per customer")
	assert.Equal(t, ra, e.consentState(r, a).Latest)
	assert.Equal(t, rb, e.consentState(r, b).Latest)
}

func consentAtomic(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		c, ok := tx.(storage.Consents)
		require.True(t, ok, "a Tx of a store with the capability has it too")
		tr := c.ConsentRecords()
		if _, err := tr.Append(ctx, id, func(consent.State) ([]consent.Record, error) {
			return []consent.Record{e.consentRecord(id, consent.Email, consent.Marketing, consent.Pending, e.now())}, nil
		}); err != nil {
			return err
		}
		st, err := tr.State(ctx, id)
		require.NoError(t, err)
		assert.Len(t, st.Latest, 1, "the transaction sees its own write")
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, e.consentHistory(r, id), "rolled back")
	// The head's insert was rolled back too: the next append starts at 1.
	out := e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now()))
	assert.Equal(t, int64(1), out[0].Seq)
}

func consentHostile(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	for i, h := range hostileStrings {
		rec := e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now())
		rec.Note, rec.UserAgent, rec.Actor = "x"+h, "x"+h, "staff:"+h
		out, err := r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) { return []consent.Record{rec}, nil })
		if err != nil {
			require.ErrorIs(t, err, consent.ErrInvalid, "value %d %q", i, h)
			continue
		}
		hist := e.consentHistory(r, id)
		got := hist[len(hist)-1]
		assert.Equal(t, out[0], got, "value %d", i)
		assert.Equal(t, "x"+h, got.Note, "value %d", i)
	}
	rec := e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now())
	rec.Source = "Robert'); DROP TABLE--"
	_, err := r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) { return []consent.Record{rec}, nil })
	assert.ErrorIs(t, err, consent.ErrInvalid, "a source is a slug")
}

// consentConcurrent races grants and withdrawals of one pair (and of
// others) of a customer with no records yet: every append is kept, Seq
// is 1..n without gaps, and the state is the latest record of each pair
// by (At, Seq), whatever order the appends committed in.
func consentConcurrent(t *testing.T, e *env, r storage.ConsentRecords) {
	const n = 16
	id := e.id()
	base := e.now()
	errs := race(n, func(i int) error {
		s := consent.Granted
		if i%2 == 1 {
			s = consent.Withdrawn
		}
		p := consent.Marketing
		if i%4 == 3 {
			p = consent.Newsletter
		}
		// Times collide in pairs and run against the order of i: a
		// later Seq may carry an earlier time.
		rec := e.consentRecord(id, consent.Email, p, s, base.Add(time.Duration(n-i/2)*time.Second))
		_, err := r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) { return []consent.Record{rec}, nil })
		return err
	})
	ok, _ := tally(t, errs, func(error) bool { return false }, "nothing")
	assert.Equal(t, n, ok, "every append is kept")
	hist := e.consentHistory(r, id)
	require.Len(t, hist, n)
	for i, h := range hist {
		assert.Equal(t, int64(i+1), h.Seq, "Seq without gaps")
	}
	assert.Equal(t, latestByScan(id, hist), e.consentState(r, id), "the state is the latest by (At, Seq)")
}

// consentInterleaved: a transaction reads the state (fixing its snapshot
// where the engine keeps one), an append commits outside, then the
// transaction appends: its fn sees the outside record (read under the
// lock), and the Seq follows it.
func consentInterleaved(t *testing.T, e *env, r storage.ConsentRecords) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	id := e.id()
	e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now()))
	ran := false
	var seen consent.State
	var out []consent.Record
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		tr := tx.(storage.Consents).ConsentRecords()
		if _, err := tr.State(ctx, id); err != nil {
			return err
		}
		if !ran {
			ran = true
			e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Marketing, consent.Withdrawn, e.now()))
		}
		var err error
		out, err = tr.Append(ctx, id, func(st consent.State) ([]consent.Record, error) {
			seen = st
			return []consent.Record{e.consentRecord(id, consent.SMS, consent.Marketing, consent.Granted, e.now())}, nil
		})
		return err
	})
	require.NoError(t, err)
	require.True(t, ran)
	cur, _ := seen.Of(consent.Pair{Channel: consent.Email, Purpose: consent.Marketing})
	assert.Equal(t, consent.Withdrawn, cur.Status, "fn sees the record committed outside")
	assert.Equal(t, int64(3), out[0].Seq)
	assert.Len(t, e.consentHistory(r, id), 3)
}

func consentCanceled(t *testing.T, e *env, r storage.ConsentRecords) {
	id := e.id()
	e.appendConsent(r, id, e.consentRecord(id, consent.Email, consent.Marketing, consent.Granted, e.now()))
	ctx, cancel := context.WithCancel(e.ctx)
	cancel()
	_, err := r.State(ctx, id)
	require.ErrorIs(t, err, context.Canceled, "State")
	_, err = r.Append(ctx, id, func(consent.State) ([]consent.Record, error) { return nil, nil })
	require.ErrorIs(t, err, context.Canceled, "Append")
	_, err = r.History(ctx, id, storage.PageRequest{})
	require.ErrorIs(t, err, context.Canceled, "History")
	_, err = r.ByToken(ctx, credential.TokenHash{1})
	require.ErrorIs(t, err, context.Canceled, "ByToken")
	_, err = r.Anonymize(ctx, id)
	require.ErrorIs(t, err, context.Canceled, "Anonymize")
	_, err = r.Move(ctx, id, e.id())
	require.ErrorIs(t, err, context.Canceled, "Move")
	assert.Len(t, e.consentHistory(r, id), 1, "nothing moved")
}

// consentMove: Move re-points the history (IDs and fields kept, Seq after
// the destination's, the pending token found under the destination), and
// the destination's state is the latest record of each pair by (At, Seq)
// across both histories: by time, and at the same time the moved record,
// numbered later.
func consentMove(t *testing.T, e *env, r storage.ConsentRecords) {
	dup, surv := e.id(), e.id()
	t0 := e.now()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	own := e.appendConsent(r, surv,
		e.consentRecord(surv, consent.Email, consent.Marketing, consent.Withdrawn, at(1)),
		e.consentRecord(surv, consent.Email, consent.Newsletter, consent.Granted, at(5)),
		e.consentRecord(surv, consent.Push, consent.Marketing, consent.Granted, at(4)))
	moving := e.appendConsent(r, dup,
		e.consentRecord(dup, consent.Email, consent.Marketing, consent.Granted, at(2)),    // later: wins
		e.consentRecord(dup, consent.Email, consent.Newsletter, consent.Withdrawn, at(0)), // earlier: loses
		e.consentRecord(dup, consent.Push, consent.Marketing, consent.Withdrawn, at(4)),   // same time: wins by Seq
		e.consentRecord(dup, consent.SMS, consent.Newsletter, consent.Pending, at(3)))     // only here

	n, err := r.Move(e.ctx, dup, surv)
	require.NoError(t, err)
	assert.Equal(t, len(moving), n)

	hist := e.consentHistory(r, surv)
	require.Len(t, hist, len(own)+len(moving))
	assert.Equal(t, own, hist[:len(own)], "the destination's records stay as they were")
	for i, want := range moving {
		want.CustomerID, want.Seq = surv, int64(len(own)+i+1)
		assert.Equal(t, want, hist[len(own)+i], "moved record %d: re-pointed and numbered after, nothing else changed", i)
	}
	assert.Empty(t, e.consentHistory(r, dup))
	assert.Empty(t, e.consentState(r, dup).Latest)

	st := e.consentState(r, surv)
	assert.Equal(t, latestByScan(surv, hist), st)
	for _, c := range []struct {
		pair consent.Pair
		id   uuid.UUID
	}{
		{consent.Pair{Channel: consent.Email, Purpose: consent.Marketing}, moving[0].ID},
		{consent.Pair{Channel: consent.Email, Purpose: consent.Newsletter}, own[1].ID},
		{consent.Pair{Channel: consent.Push, Purpose: consent.Marketing}, moving[2].ID},
		{consent.Pair{Channel: consent.SMS, Purpose: consent.Newsletter}, moving[3].ID},
	} {
		cur, ok := st.Of(c.pair)
		require.True(t, ok, "%s", c.pair)
		assert.Equal(t, c.id, cur.ID, "%s", c.pair)
	}

	pending, err := r.ByToken(e.ctx, moving[3].TokenHash)
	require.NoError(t, err)
	assert.Equal(t, surv, pending.CustomerID, "the token now names the destination")
	assert.Equal(t, moving[3].ID, pending.ID)
	assert.Equal(t, hist[len(hist)-1].Seq, pending.Seq)

	next := e.appendConsent(r, surv, e.consentRecord(surv, consent.Post, consent.Marketing, consent.Granted, at(6)))
	assert.Equal(t, int64(len(hist)+1), next[0].Seq, "the destination's Seq carries on")
}

// consentMoveCloses: after a Move, the source's history is closed: an
// Append of it is refused (its fn never runs), a second Move moves
// nothing, and a Move into it is refused. A customer with no records is
// closed too. Bad IDs are refused.
func consentMoveCloses(t *testing.T, e *env, r storage.ConsentRecords) {
	dup, surv, empty, other := e.id(), e.id(), e.id(), e.id()
	e.appendConsent(r, dup, e.consentRecord(dup, consent.Email, consent.Marketing, consent.Granted, e.now()))
	e.appendConsent(r, other, e.consentRecord(other, consent.Email, consent.Marketing, consent.Granted, e.now()))
	n, err := r.Move(e.ctx, dup, surv)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = r.Move(e.ctx, empty, surv)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing to move")

	for _, id := range []uuid.UUID{dup, empty} {
		_, err = r.Append(e.ctx, id, func(consent.State) ([]consent.Record, error) {
			t.Error("fn ran on a closed history")
			return []consent.Record{e.consentRecord(id, consent.SMS, consent.Marketing, consent.Granted, e.now())}, nil
		})
		require.ErrorIs(t, err, storage.ErrCustomerNotLive)
		require.ErrorIs(t, err, storage.ErrNotFound)
		assert.Empty(t, e.consentHistory(r, id))
	}
	n, err = r.Move(e.ctx, dup, surv)
	require.NoError(t, err)
	assert.Zero(t, n, "moved already")
	_, err = r.Move(e.ctx, other, dup)
	require.ErrorIs(t, err, storage.ErrCustomerNotLive, "a move into a closed history")
	assert.Len(t, e.consentHistory(r, other), 1, "nothing moved")
	assert.Len(t, e.consentHistory(r, surv), 1)
	e.appendConsent(r, other, e.consentRecord(other, consent.SMS, consent.Marketing, consent.Granted, e.now()))

	for _, ids := range [][2]uuid.UUID{{uuid.Nil, surv}, {surv, uuid.Nil}, {surv, surv}} {
		_, err := r.Move(e.ctx, ids[0], ids[1])
		assert.ErrorIs(t, err, storage.ErrInvalidRecord, "%v", ids)
	}
	e.appendConsent(r, surv, e.consentRecord(surv, consent.SMS, consent.Marketing, consent.Granted, e.now()))
}

// consentMoveAtomic: a Move in a transaction that fails leaves both
// histories, the token and the source's head as they were.
func consentMoveAtomic(t *testing.T, e *env, r storage.ConsentRecords) {
	dup, surv := e.id(), e.id()
	pending := e.appendConsent(r, dup, e.consentRecord(dup, consent.Email, consent.Newsletter, consent.Pending, e.now()))[0]
	e.appendConsent(r, surv, e.consentRecord(surv, consent.Email, consent.Marketing, consent.Granted, e.now()))
	boom := errors.New("boom")
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		n, err := tx.(storage.Consents).ConsentRecords().Move(ctx, dup, surv)
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []consent.Record{pending}, e.consentHistory(r, dup))
	assert.Len(t, e.consentHistory(r, surv), 1)
	got, err := r.ByToken(e.ctx, pending.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, dup, got.CustomerID)
	out := e.appendConsent(r, dup, e.consentRecord(dup, consent.Email, consent.Newsletter, consent.Granted, e.now()))
	assert.Equal(t, int64(2), out[0].Seq, "the history is open again")
}

// consentMoveRaces: appends to the source race a Move: each either commits
// before it, and is moved, or is refused; nothing is left on the source
// and the destination's Seq has no gaps.
func consentMoveRaces(t *testing.T, e *env, r storage.ConsentRecords) {
	const n = 8
	dup, surv := e.id(), e.id()
	e.appendConsent(r, dup, e.consentRecord(dup, consent.Email, consent.Marketing, consent.Granted, e.now()))
	e.appendConsent(r, surv, e.consentRecord(surv, consent.Email, consent.Marketing, consent.Withdrawn, e.now()))
	ids := make([]uuid.UUID, n)
	moved := 0
	errs := race(n+1, func(i int) error {
		if i == n {
			var err error
			moved, err = r.Move(e.ctx, dup, surv)
			return err
		}
		rec := e.consentRecord(dup, consent.SMS, consent.Marketing, consent.Granted, e.now())
		ids[i] = rec.ID
		_, err := r.Append(e.ctx, dup, func(consent.State) ([]consent.Record, error) { return []consent.Record{rec}, nil })
		return err
	})
	require.NoError(t, errs[n], "the move")
	ok, refused := tally(t, errs[:n], func(err error) bool { return errors.Is(err, storage.ErrCustomerNotLive) }, "ErrCustomerNotLive")
	assert.Equal(t, n, ok+refused)
	assert.Equal(t, 1+ok, moved, "every append that committed was moved")
	assert.Empty(t, e.consentHistory(r, dup), "nothing is left on the source")
	hist := e.consentHistory(r, surv)
	require.Len(t, hist, 2+ok)
	have := map[uuid.UUID]bool{}
	for i, h := range hist {
		assert.Equal(t, int64(i+1), h.Seq, "Seq without gaps")
		assert.Equal(t, surv, h.CustomerID)
		have[h.ID] = true
	}
	for i, err := range errs[:n] {
		assert.Equal(t, err == nil, have[ids[i]], "append %d: kept if and only if it committed", i)
	}
}

// consentMoveAfterRead: a transaction reads the source's state (fixing its
// snapshot where the engine keeps one), an append commits outside, then
// the transaction moves: the outside record moves too (the move reads
// under its lock) and nothing is left behind.
func consentMoveAfterRead(t *testing.T, e *env, r storage.ConsentRecords) {
	if !e.cfg.concurrentWriters {
		t.Skip("the store does not declare ConcurrentWriters")
	}
	dup, surv := e.id(), e.id()
	e.appendConsent(r, dup, e.consentRecord(dup, consent.Email, consent.Marketing, consent.Granted, e.now()))
	ran := false
	var moved int
	err := e.store.Atomic(e.ctx, func(ctx context.Context, tx storage.Tx) error {
		tr := tx.(storage.Consents).ConsentRecords()
		if _, err := tr.State(ctx, dup); err != nil {
			return err
		}
		if !ran {
			ran = true
			e.appendConsent(r, dup, e.consentRecord(dup, consent.Email, consent.Marketing, consent.Withdrawn, e.now()))
		}
		var err error
		moved, err = tr.Move(ctx, dup, surv)
		return err
	})
	require.NoError(t, err)
	require.True(t, ran)
	assert.Equal(t, 2, moved)
	assert.Empty(t, e.consentHistory(r, dup))
	assert.Len(t, e.consentHistory(r, surv), 2)
	cur, _ := e.consentState(r, surv).Of(consent.Pair{Channel: consent.Email, Purpose: consent.Marketing})
	assert.Equal(t, consent.Withdrawn, cur.Status, "the record committed outside moved and is the latest")
}
