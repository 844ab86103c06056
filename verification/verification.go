package verification

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// Errors of this package.
var (
	// ErrInvalid is the sentinel every validation error unwraps to.
	ErrInvalid = errcode.New(errcode.Invalid, "verification: invalid input")
	// ErrInvalidTransition is returned (as a *TransitionError) for a
	// status change the table in the package documentation does not allow.
	ErrInvalidTransition = errcode.New(errcode.FailedPrecondition, "verification: invalid status transition")
	// ErrTooManyFlags is returned when a subject would carry more than
	// MaxFlags risk flags.
	ErrTooManyFlags = errcode.New(errcode.FailedPrecondition, "verification: too many risk flags")
)

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid)
// holds for it.
type ValidationError = validation.Error

// Limits.
const (
	MaxReasonBytes   = 1000 // a review's reason
	MaxReviewerBytes = 256  // a reviewer's actor string
	MaxFlags         = 20   // risk flags per subject
	MaxFlagBytes     = 64   // a risk flag's name
)

// Kind is what sort of subject is verified. The zero value is not valid.
type Kind int

// The kinds of subject.
const (
	// Customer is a customer (KYC).
	Customer Kind = iota + 1
	// Merchant is a merchant (KYB).
	Merchant
)

var kindNames = [...]string{Customer: "customer", Merchant: "merchant"}

// Kinds returns every valid Kind.
func Kinds() []Kind { return []Kind{Customer, Merchant} }

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return k >= Customer && k <= Merchant }

// String returns the kind's name ("customer"), or "Kind(n)".
func (k Kind) String() string {
	if k.Valid() {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind returns the Kind named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "kind".
func ParseKind(s string) (Kind, error) {
	v, err := validation.Enum(ErrInvalid, "kind", s, kindNames[:])
	return Kind(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid kind is an
// error.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.Valid() {
		return nil, validation.New(ErrInvalid, "kind", "is not a subject kind: %s", k)
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseKind; on
// error k is unchanged.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Status is a subject's verification state. The zero value is not valid.
type Status int

// The statuses.
const (
	// Unverified: never submitted.
	Unverified Status = iota + 1
	// Pending: submitted, waiting for a reviewer.
	Pending
	// Verified: approved by a reviewer.
	Verified
	// Rejected: refused by a reviewer, with a reason.
	Rejected
)

var statusNames = [...]string{Unverified: "unverified", Pending: "pending", Verified: "verified", Rejected: "rejected"}

// Statuses returns every valid Status.
func Statuses() []Status { return []Status{Unverified, Pending, Verified, Rejected} }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s >= Unverified && s <= Rejected }

// String returns the status's name ("pending"), or "Status(n)".
func (s Status) String() string {
	if s.Valid() {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// ParseStatus returns the Status named s; white space is trimmed and case
// folded. The error is a *ValidationError for the field "status".
func ParseStatus(s string) (Status, error) {
	v, err := validation.Enum(ErrInvalid, "status", s, statusNames[:])
	return Status(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid status is an
// error.
func (s Status) MarshalText() ([]byte, error) {
	if !s.Valid() {
		return nil, validation.New(ErrInvalid, "status", "is not a verification status: %s", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseStatus; on
// error s is unchanged.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

var transitions = map[Status][]Status{
	Unverified: {Pending},
	Pending:    {Verified, Rejected},
	Rejected:   {Pending},
	Verified:   {Pending, Rejected},
}

// CanTransition reports whether the table allows moving from s to to.
func (s Status) CanTransition(to Status) bool { return slices.Contains(transitions[s], to) }

// TransitionError reports a status change the table does not allow.
// errors.Is(err, ErrInvalidTransition) holds for it.
type TransitionError struct{ From, To Status }

// Error implements the error interface.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s from %s to %s", ErrInvalidTransition, e.From, e.To)
}

// Unwrap returns ErrInvalidTransition.
func (e *TransitionError) Unwrap() error { return ErrInvalidTransition }

// Subject is who is verified: a customer or a merchant, by ID.
type Subject struct {
	Kind Kind      `json:"kind"`
	ID   uuid.UUID `json:"id"`
}

// CustomerSubject returns the subject of the customer id.
func CustomerSubject(id uuid.UUID) Subject { return Subject{Kind: Customer, ID: id} }

// MerchantSubject returns the subject of the merchant id.
func MerchantSubject(id uuid.UUID) Subject { return Subject{Kind: Merchant, ID: id} }

// Validate checks the kind and that the ID is not the nil UUID.
func (s Subject) Validate() error {
	if !s.Kind.Valid() {
		return validation.New(ErrInvalid, "kind", "is not a subject kind")
	}
	if s.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	return nil
}

// String returns "customer:<id>" or "merchant:<id>".
func (s Subject) String() string { return s.Kind.String() + ":" + s.ID.String() }

// Review is one entry of a subject's history: a status change, who made
// it, when and why.
type Review struct {
	Subject Subject `json:"subject"`
	// Version is the verification's Version after the change; it orders
	// the history and is unique per subject.
	Version int64  `json:"version"`
	From    Status `json:"from"`
	To      Status `json:"to"`
	// Reason is why; required when To is Rejected.
	Reason string `json:"reason,omitempty"`
	// Reviewer is the actor who made the change (actor.Actor's String).
	Reviewer string    `json:"reviewer,omitempty"`
	At       time.Time `json:"at"`
}

// Validate checks the review: a valid subject, a positive version, an
// allowed transition, a reason for a rejection and text limits.
func (r Review) Validate() error {
	if err := r.Subject.Validate(); err != nil {
		return validation.Prefix("subject", err)
	}
	if r.Version < 1 {
		return validation.New(ErrInvalid, "version", "must be positive")
	}
	if !r.From.Valid() || !r.To.Valid() {
		return validation.New(ErrInvalid, "status", "is not a verification status")
	}
	if !r.From.CanTransition(r.To) {
		return &TransitionError{From: r.From, To: r.To}
	}
	return checkReason(r.To, r.Reason, r.Reviewer)
}

func checkReason(to Status, reason, reviewer string) error {
	if to == Rejected && strings.TrimSpace(reason) == "" {
		return validation.New(ErrInvalid, "reason", "is required to reject")
	}
	if err := validation.Text(ErrInvalid, "reason", reason, MaxReasonBytes, true); err != nil {
		return err
	}
	return validation.Text(ErrInvalid, "reviewer", reviewer, MaxReviewerBytes, false)
}

// Flag is a risk flag on a subject.
type Flag struct {
	// Name is a lower-case slug of at most MaxFlagBytes bytes.
	Name string `json:"name"`
	// SetBy is the actor who set it (actor.Actor's String), or "".
	SetBy string    `json:"set_by,omitempty"`
	SetAt time.Time `json:"set_at"`
}

// ValidFlagName checks a risk flag's name: 1 to MaxFlagBytes bytes of
// lower-case ASCII letters and digits, with single '-' or '_' between
// them ("pep", "sanctions-hit"). The error is a *ValidationError for the
// field "risk_flags".
func ValidFlagName(name string) error {
	if name == "" || len(name) > MaxFlagBytes {
		return validation.New(ErrInvalid, "risk_flags", "a flag name has 1 to %d bytes", MaxFlagBytes)
	}
	prevSep := true
	for i := 0; i < len(name); i++ {
		switch b := name[i]; {
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9':
			prevSep = false
		case (b == '-' || b == '_') && !prevSep:
			prevSep = true
		default:
			return validation.New(ErrInvalid, "risk_flags", "%s is not a lower-case slug", validation.Quote(name))
		}
	}
	if prevSep {
		return validation.New(ErrInvalid, "risk_flags", "%s is not a lower-case slug", validation.Quote(name))
	}
	return nil
}

// Verification is a subject's current verification.
type Verification struct {
	Subject Subject `json:"subject"`
	Status  Status  `json:"status"`
	// Reason, Reviewer and UpdatedAt are those of the last change (zero
	// for a subject never stored).
	Reason    string    `json:"reason"`
	Reviewer  string    `json:"reviewer"`
	UpdatedAt time.Time `json:"updated_at"`
	// Version counts the changes: 0 for a subject never stored, then one
	// more for each status change or risk flag change.
	Version int64 `json:"version"`
	// RiskFlags are sorted by name.
	RiskFlags []Flag `json:"risk_flags"`
}

// New returns the verification of a subject never stored: Unverified,
// Version 0, no flags.
func New(s Subject) Verification {
	return Verification{Subject: s, Status: Unverified, RiskFlags: []Flag{}}
}

// Clone returns a deep copy of v.
func (v Verification) Clone() Verification {
	v.RiskFlags = append(make([]Flag, 0, len(v.RiskFlags)), v.RiskFlags...)
	return v
}

// Stored returns a copy with microsecond UTC times and flags sorted.
func (v Verification) Stored() Verification {
	v = v.Clone()
	v.UpdatedAt = v.UpdatedAt.UTC().Truncate(time.Microsecond)
	for i := range v.RiskFlags {
		v.RiskFlags[i].SetAt = v.RiskFlags[i].SetAt.UTC().Truncate(time.Microsecond)
	}
	slices.SortFunc(v.RiskFlags, func(a, b Flag) int { return strings.Compare(a.Name, b.Name) })
	return v
}

// Validate checks v: a valid subject and status, text limits, and at most
// MaxFlags distinct flags with valid names.
func (v Verification) Validate() error {
	if err := v.Subject.Validate(); err != nil {
		return validation.Prefix("subject", err)
	}
	if !v.Status.Valid() {
		return validation.New(ErrInvalid, "status", "is not a verification status")
	}
	if v.Version < 0 {
		return validation.New(ErrInvalid, "version", "must not be negative")
	}
	if err := checkReason(Unverified, v.Reason, v.Reviewer); err != nil {
		return err
	}
	if len(v.RiskFlags) > MaxFlags {
		return fmt.Errorf("%w: at most %d", ErrTooManyFlags, MaxFlags)
	}
	seen := make(map[string]bool, len(v.RiskFlags))
	for _, f := range v.RiskFlags {
		if err := ValidFlagName(f.Name); err != nil {
			return err
		}
		if seen[f.Name] {
			return validation.New(ErrInvalid, "risk_flags", "%s is set twice", validation.Quote(f.Name))
		}
		seen[f.Name] = true
		if err := validation.Text(ErrInvalid, "risk_flags.set_by", f.SetBy, MaxReviewerBytes, false); err != nil {
			return err
		}
	}
	return nil
}

// Transition moves v to the status to on reviewer's authority at now and
// returns the changed verification (Version one more) and the review to
// append to the history. Errors: *TransitionError; *ValidationError for a
// rejection without a reason or text beyond the limits. v is unchanged on
// error.
func (v *Verification) Transition(to Status, reason, reviewer string, now time.Time) (Review, error) {
	if !v.Status.CanTransition(to) {
		return Review{}, &TransitionError{From: v.Status, To: to}
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(to, reason, reviewer); err != nil {
		return Review{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	r := Review{Subject: v.Subject, Version: v.Version + 1, From: v.Status, To: to, Reason: reason, Reviewer: reviewer, At: now}
	v.Status, v.Reason, v.Reviewer, v.UpdatedAt, v.Version = to, reason, reviewer, now, v.Version+1
	return r, nil
}

// Decide decides a pending submission: it moves v from Pending to to,
// Verified or Rejected, as Transition does. A decision is about the
// submission the reviewer saw, so from any other status it is a
// *TransitionError, even where the table allows the move (rejecting a
// verified subject is a revocation: use Transition): of several reviewers
// deciding one submission at once, exactly one decides.
func (v *Verification) Decide(to Status, reason, reviewer string, now time.Time) (Review, error) {
	if v.Status != Pending || (to != Verified && to != Rejected) {
		return Review{}, &TransitionError{From: v.Status, To: to}
	}
	return v.Transition(to, reason, reviewer, now)
}

// Flagged reports whether v carries the risk flag name.
func (v Verification) Flagged(name string) bool {
	for _, f := range v.RiskFlags {
		if f.Name == name {
			return true
		}
	}
	return false
}

// SetFlags adds the risk flags names, set by by at now, and reports
// whether any was new (a flag set already keeps who set it and when). The
// names are validated first; nothing changes on error. A change
// increments Version and sets UpdatedAt. Errors: *ValidationError,
// ErrTooManyFlags.
func (v *Verification) SetFlags(names []string, by string, now time.Time) (bool, error) {
	if len(names) == 0 {
		return false, validation.New(ErrInvalid, "risk_flags", "is required")
	}
	if err := validation.Text(ErrInvalid, "set_by", by, MaxReviewerBytes, false); err != nil {
		return false, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	next := v.Clone()
	changed := false
	for _, n := range names {
		if err := ValidFlagName(n); err != nil {
			return false, err
		}
		if !next.Flagged(n) {
			next.RiskFlags = append(next.RiskFlags, Flag{Name: n, SetBy: by, SetAt: now})
			changed = true
		}
	}
	if len(next.RiskFlags) > MaxFlags {
		return false, fmt.Errorf("%w: at most %d", ErrTooManyFlags, MaxFlags)
	}
	if !changed {
		return false, nil
	}
	next.UpdatedAt, next.Version = now, next.Version+1
	*v = next.Stored()
	return true, nil
}

// ClearFlag removes the risk flag name and reports whether v carried it;
// a removal increments Version and sets UpdatedAt. Errors:
// *ValidationError for an invalid name.
func (v *Verification) ClearFlag(name string, now time.Time) (bool, error) {
	if err := ValidFlagName(name); err != nil {
		return false, err
	}
	i := slices.IndexFunc(v.RiskFlags, func(f Flag) bool { return f.Name == name })
	if i < 0 {
		return false, nil
	}
	next := v.Clone()
	next.RiskFlags = slices.Delete(next.RiskFlags, i, i+1)
	next.UpdatedAt, next.Version = now.UTC().Truncate(time.Microsecond), next.Version+1
	*v = next
	return true, nil
}

// FlagNames returns the names of v's risk flags, sorted.
func (v Verification) FlagNames() []string {
	out := make([]string, len(v.RiskFlags))
	for i, f := range v.RiskFlags {
		out[i] = f.Name
	}
	slices.Sort(out)
	return out
}

// History is a subject's reviews, oldest first.
type History []Review

// Decisions returns the reviews that decided a pending subject (to
// verified or rejected from pending).
func (h History) Decisions() History {
	var out History
	for _, r := range h {
		if r.From == Pending && (r.To == Verified || r.To == Rejected) {
			out = append(out, r)
		}
	}
	return out
}

// Anonymized returns r without what could be personal: the reason, and
// the reviewer when it is the subject itself (a customer who submitted).
func (r Review) Anonymized() Review {
	r.Reason = ""
	if r.Reviewer == r.Subject.String() {
		r.Reviewer = ""
	}
	return r
}

// Anonymized returns v without what could be personal: the reason, the
// reviewer when it is the subject itself, and who set each risk flag.
func (v Verification) Anonymized() Verification {
	v = v.Clone()
	v.Reason = ""
	if v.Reviewer == v.Subject.String() {
		v.Reviewer = ""
	}
	for i := range v.RiskFlags {
		v.RiskFlags[i].SetBy = ""
	}
	return v
}
