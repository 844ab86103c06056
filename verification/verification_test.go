package verification_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/verification"
)

var now = time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)

func TestTransitionTable(t *testing.T) {
	allowed := map[[2]verification.Status]bool{
		{verification.Unverified, verification.Pending}: true,
		{verification.Pending, verification.Verified}:   true,
		{verification.Pending, verification.Rejected}:   true,
		{verification.Rejected, verification.Pending}:   true,
		{verification.Verified, verification.Pending}:   true,
		{verification.Verified, verification.Rejected}:  true,
	}
	for _, from := range verification.Statuses() {
		for _, to := range verification.Statuses() {
			t.Run(from.String()+"->"+to.String(), func(t *testing.T) {
				v := verification.New(verification.CustomerSubject(uuid.New()))
				v.Status = from
				before := v.Clone()
				r, err := v.Transition(to, "documents unreadable", "staff:u-1", now)
				if !allowed[[2]verification.Status{from, to}] {
					var te *verification.TransitionError
					require.ErrorAs(t, err, &te)
					assert.ErrorIs(t, err, verification.ErrInvalidTransition)
					assert.Equal(t, before, v, "unchanged on error")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, to, v.Status)
				assert.Equal(t, int64(1), v.Version)
				assert.Equal(t, verification.Review{Subject: v.Subject, Version: 1, From: from, To: to,
					Reason: "documents unreadable", Reviewer: "staff:u-1", At: now}, r)
				require.NoError(t, r.Validate())
			})
		}
	}
}

func TestRejectNeedsReason(t *testing.T) {
	v := verification.New(verification.MerchantSubject(uuid.New()))
	_, err := v.Transition(verification.Pending, "", "merchant:x", now)
	require.NoError(t, err)
	_, err = v.Transition(verification.Rejected, "  ", "staff:u-1", now)
	var ve *verification.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "reason", ve.Field)
	assert.Equal(t, verification.Pending, v.Status)
	_, err = v.Transition(verification.Rejected, strings.Repeat("x", verification.MaxReasonBytes+1), "staff:u-1", now)
	require.ErrorAs(t, err, &ve)
}

func TestFlags(t *testing.T) {
	v := verification.New(verification.CustomerSubject(uuid.New()))
	for _, bad := range []string{"", "PEP", "a b", "-x", "x-", "a--b", "é", strings.Repeat("a", verification.MaxFlagBytes+1)} {
		_, err := v.SetFlags([]string{bad}, "staff:u", now)
		assert.ErrorIs(t, err, verification.ErrInvalid, "%q", bad)
	}
	changed, err := v.SetFlags([]string{"sanctions-hit", "pep"}, "staff:u", now)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, []string{"pep", "sanctions-hit"}, v.FlagNames())
	assert.Equal(t, int64(1), v.Version)
	changed, err = v.SetFlags([]string{"pep"}, "staff:other", now.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, changed, "setting a flag again changes nothing")
	assert.Equal(t, "staff:u", v.RiskFlags[0].SetBy)
	changed, err = v.ClearFlag("pep", now)
	require.NoError(t, err)
	assert.True(t, changed)
	changed, err = v.ClearFlag("pep", now)
	require.NoError(t, err)
	assert.False(t, changed)
	assert.Equal(t, int64(2), v.Version)

	var names []string
	for i := range verification.MaxFlags - 1 { // sanctions-hit is the twentieth
		names = append(names, "f"+strings.Repeat("a", i+1))
	}
	_, err = v.SetFlags(names, "", now)
	require.NoError(t, err)
	_, err = v.SetFlags([]string{"one-more"}, "", now)
	assert.ErrorIs(t, err, verification.ErrTooManyFlags)
	require.NoError(t, v.Validate())
}

func TestAnonymized(t *testing.T) {
	s := verification.CustomerSubject(uuid.New())
	v := verification.New(s)
	r, err := v.Transition(verification.Pending, "my passport no. 123", s.String(), now)
	require.NoError(t, err)
	_, err = v.SetFlags([]string{"pep"}, "staff:u", now)
	require.NoError(t, err)
	a := v.Anonymized()
	assert.Empty(t, a.Reason)
	assert.Empty(t, a.Reviewer)
	assert.Empty(t, a.RiskFlags[0].SetBy)
	assert.Equal(t, verification.Pending, a.Status)
	ar := r.Anonymized()
	assert.Empty(t, ar.Reason)
	assert.Empty(t, ar.Reviewer)
	r.Reviewer = "staff:u"
	assert.Equal(t, "staff:u", r.Anonymized().Reviewer, "a staff reviewer is kept")
}

func TestJSON(t *testing.T) {
	v := verification.New(verification.CustomerSubject(uuid.MustParse("00000000-0000-0000-0000-000000000001")))
	_, err := v.Transition(verification.Pending, "", "staff:u", now)
	require.NoError(t, err)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{"subject":{"kind":"customer","id":"00000000-0000-0000-0000-000000000001"},"status":"pending",
		"reason":"","reviewer":"staff:u","updated_at":"2026-12-04T10:00:00Z","version":1,"risk_flags":[]}`, string(b))
	var back verification.Verification
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, v, back)
}

func TestValidate(t *testing.T) {
	assert.ErrorIs(t, verification.New(verification.Subject{}).Validate(), verification.ErrInvalid)
	v := verification.New(verification.CustomerSubject(uuid.New()))
	require.NoError(t, v.Validate())
	v.RiskFlags = []verification.Flag{{Name: "pep"}, {Name: "pep"}}
	assert.ErrorIs(t, v.Validate(), verification.ErrInvalid)
	v.RiskFlags = nil
	v.Status = 0
	assert.ErrorIs(t, v.Validate(), verification.ErrInvalid)
	assert.ErrorIs(t, verification.Review{Subject: v.Subject, Version: 1, From: verification.Pending, To: verification.Pending}.Validate(),
		verification.ErrInvalidTransition)
}

func TestDecisions(t *testing.T) {
	h := verification.History{
		{From: verification.Unverified, To: verification.Pending},
		{From: verification.Pending, To: verification.Rejected},
		{From: verification.Rejected, To: verification.Pending},
		{From: verification.Pending, To: verification.Verified},
		{From: verification.Verified, To: verification.Rejected},
	}
	assert.Len(t, h.Decisions(), 2)
}

func TestDecide(t *testing.T) {
	for _, from := range verification.Statuses() {
		for _, to := range verification.Statuses() {
			v := verification.New(verification.CustomerSubject(uuid.New()))
			v.Status = from
			_, err := v.Decide(to, "why", "staff:u", now)
			if from == verification.Pending && (to == verification.Verified || to == verification.Rejected) {
				assert.NoError(t, err)
				assert.Equal(t, to, v.Status)
			} else {
				assert.ErrorIs(t, err, verification.ErrInvalidTransition, "%s -> %s", from, to)
				assert.Equal(t, from, v.Status)
			}
		}
	}
}
