package consent

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/credential"
	"github.com/clientele-go/clientele/errcode"
	"github.com/clientele-go/clientele/internal/validation"
)

// Errors of this package.
var (
	// ErrInvalid is the sentinel every validation error unwraps to.
	ErrInvalid = errcode.New(errcode.Invalid, "consent: invalid input")
)

// ValidationError reports the invalid field; errors.Is(err, ErrInvalid)
// holds for it.
type ValidationError = validation.Error

// Limits.
const (
	MaxSourceBytes    = 64   // a record's source slug
	MaxActorBytes     = 256  // a record's actor string
	MaxWordingBytes   = 64   // a wording version
	MaxIPBytes        = 45   // an IPv6 address in text
	MaxUserAgentBytes = 512  // a user agent
	MaxNoteBytes      = 1000 // a free-text note
)

// Channel is how the customer is contacted. The zero value is not valid.
type Channel int

// The channels.
const (
	Email Channel = iota + 1
	SMS
	Push
	Post
)

var channelNames = [...]string{Email: "email", SMS: "sms", Push: "push", Post: "post"}

// Channels returns every valid Channel.
func Channels() []Channel { return []Channel{Email, SMS, Push, Post} }

// Valid reports whether c is one of the channels.
func (c Channel) Valid() bool { return c >= Email && c <= Post }

// String returns the channel's name ("email"), or "Channel(n)".
func (c Channel) String() string {
	if c.Valid() {
		return channelNames[c]
	}
	return fmt.Sprintf("Channel(%d)", int(c))
}

// ParseChannel returns the Channel named s; white space is trimmed and
// case folded. The error is a *ValidationError for the field "channel".
func ParseChannel(s string) (Channel, error) {
	v, err := validation.Enum(ErrInvalid, "channel", s, channelNames[:])
	return Channel(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid channel is an
// error.
func (c Channel) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, validation.New(ErrInvalid, "channel", "is not a channel: %s", c)
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseChannel; on
// error c is unchanged.
func (c *Channel) UnmarshalText(b []byte) error {
	v, err := ParseChannel(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Purpose is what the customer is contacted for. The zero value is not
// valid.
type Purpose int

// The purposes.
const (
	Marketing Purpose = iota + 1
	Newsletter
	Transactional
)

var purposeNames = [...]string{Marketing: "marketing", Newsletter: "newsletter", Transactional: "transactional"}

// Purposes returns every valid Purpose.
func Purposes() []Purpose { return []Purpose{Marketing, Newsletter, Transactional} }

// Valid reports whether p is one of the purposes.
func (p Purpose) Valid() bool { return p >= Marketing && p <= Transactional }

// String returns the purpose's name ("marketing"), or "Purpose(n)".
func (p Purpose) String() string {
	if p.Valid() {
		return purposeNames[p]
	}
	return fmt.Sprintf("Purpose(%d)", int(p))
}

// ParsePurpose returns the Purpose named s; white space is trimmed and
// case folded. The error is a *ValidationError for the field "purpose".
func ParsePurpose(s string) (Purpose, error) {
	v, err := validation.Enum(ErrInvalid, "purpose", s, purposeNames[:])
	return Purpose(v), err
}

// MarshalText implements encoding.TextMarshaler; an invalid purpose is an
// error.
func (p Purpose) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, validation.New(ErrInvalid, "purpose", "is not a purpose: %s", p)
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParsePurpose; on
// error p is unchanged.
func (p *Purpose) UnmarshalText(b []byte) error {
	v, err := ParsePurpose(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Status is what a record says. The zero value is not valid.
type Status int

// The statuses.
const (
	// Granted: the customer opted in.
	Granted Status = iota + 1
	// Withdrawn: the customer opted out (or never agreed, if recorded so).
	Withdrawn
	// Pending: a double opt-in was requested and waits for its token.
	Pending
)

var statusNames = [...]string{Granted: "granted", Withdrawn: "withdrawn", Pending: "pending"}

// Statuses returns every valid Status.
func Statuses() []Status { return []Status{Granted, Withdrawn, Pending} }

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s >= Granted && s <= Pending }

// String returns the status's name ("granted"), or "Status(n)".
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
		return nil, validation.New(ErrInvalid, "status", "is not a consent status: %s", s)
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

// Pair is one channel and purpose.
type Pair struct {
	Channel Channel `json:"channel"`
	Purpose Purpose `json:"purpose"`
}

// Validate checks the channel and the purpose.
func (p Pair) Validate() error {
	if !p.Channel.Valid() {
		return validation.New(ErrInvalid, "channel", "is not a channel")
	}
	if !p.Purpose.Valid() {
		return validation.New(ErrInvalid, "purpose", "is not a purpose")
	}
	return nil
}

// String returns "channel/purpose".
func (p Pair) String() string { return p.Channel.String() + "/" + p.Purpose.String() }

// Pairs returns every channel and purpose, channel first.
func Pairs() []Pair {
	out := make([]Pair, 0, len(channelNames)*len(purposeNames))
	for _, c := range Channels() {
		for _, p := range Purposes() {
			out = append(out, Pair{c, p})
		}
	}
	return out
}

// Evidence is what a host records about how a change was made.
type Evidence struct {
	// Source is where the change was made: a lower-case slug such as
	// "checkout", "preference-center", "unsubscribe-link" (kept after an
	// erasure: it must not name the person).
	Source string `json:"source"`
	// WordingVersion names the text the customer agreed to ("2026-01").
	WordingVersion string `json:"wording_version,omitempty"`
	// IP and UserAgent are the customer's, when the change came from their
	// device (personal: cleared by an erasure). IP is an IPv4 or IPv6
	// address without a zone, kept as given.
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// Note is free text (personal: cleared by an erasure).
	Note string `json:"note,omitempty"`
}

// Validate checks the evidence: a source slug and text limits.
func (e Evidence) Validate() error {
	if err := checkSlug("source", e.Source, MaxSourceBytes, true); err != nil {
		return err
	}
	if err := validation.Text(ErrInvalid, "wording_version", e.WordingVersion, MaxWordingBytes, false); err != nil {
		return err
	}
	if e.IP != "" {
		a, err := netip.ParseAddr(e.IP)
		if err != nil || len(e.IP) > MaxIPBytes || a.Zone() != "" {
			return validation.New(ErrInvalid, "ip", "is not an IP address")
		}
	}
	if err := validation.Text(ErrInvalid, "user_agent", e.UserAgent, MaxUserAgentBytes, false); err != nil {
		return err
	}
	return validation.Text(ErrInvalid, "note", e.Note, MaxNoteBytes, true)
}

// checkSlug checks a lower-case slug of letters, digits, '-', '_' and '.'.
func checkSlug(field, s string, max int, required bool) error {
	if s == "" {
		if required {
			return validation.New(ErrInvalid, field, "is required")
		}
		return nil
	}
	if len(s) > max {
		return validation.New(ErrInvalid, field, "has more than %d bytes", max)
	}
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9', b == '-', b == '_', b == '.':
		default:
			return validation.New(ErrInvalid, field, "%s is not a lower-case slug", validation.Quote(s))
		}
	}
	return nil
}

// Record is one entry of a customer's consent history. Records are never
// changed, except by an erasure (Anonymized) and by a merge of customers,
// which re-points the merged customer's records at the survivor (a new
// CustomerID and Seq; everything else kept).
//
// Its JSON form leaves the token hash out.
type Record struct {
	ID         uuid.UUID `json:"id"`
	CustomerID uuid.UUID `json:"customer_id"`
	// Seq numbers the customer's records from 1 in the order they were
	// stored; storage assigns it. A pair's records are in time order by
	// Seq, except after a merge: the merged customer's records follow the
	// survivor's, whatever their times (the state orders by time).
	Seq     int64   `json:"seq"`
	Channel Channel `json:"channel"`
	Purpose Purpose `json:"purpose"`
	Status  Status  `json:"status"`
	// At is when the change was made (UTC, microseconds).
	At time.Time `json:"at"`
	// Actor is who made it (actor.Actor's String).
	Actor string `json:"actor"`
	Evidence
	// TokenHash is the hash of the double opt-in token: that a pending
	// record issued, or that a grant was confirmed with. Zero otherwise.
	TokenHash credential.TokenHash `json:"-"`
	// ExpiresAt is when a pending record's token expires.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Confirms is the ID of the pending record a grant confirms.
	Confirms uuid.UUID `json:"confirms,omitzero"`
}

// Pair returns the record's channel and purpose.
func (r Record) Pair() Pair { return Pair{r.Channel, r.Purpose} }

// Stored returns a copy with microsecond UTC times.
func (r Record) Stored() Record {
	r.At = micro(r.At)
	if !r.ExpiresAt.IsZero() {
		r.ExpiresAt = micro(r.ExpiresAt)
	}
	return r
}

func micro(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Validate checks the record: IDs, pair, status, time, actor, evidence,
// and that a pending record has a token and an expiry after At, and only
// a pending record or a confirming grant has a token.
func (r Record) Validate() error {
	if r.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if r.CustomerID == uuid.Nil {
		return validation.New(ErrInvalid, "customer_id", "is required")
	}
	if err := r.Pair().Validate(); err != nil {
		return err
	}
	if !r.Status.Valid() {
		return validation.New(ErrInvalid, "status", "is not a consent status")
	}
	if r.At.IsZero() {
		return validation.New(ErrInvalid, "at", "is required")
	}
	if r.Seq < 0 {
		return validation.New(ErrInvalid, "seq", "must not be negative")
	}
	if err := validation.Text(ErrInvalid, "actor", r.Actor, MaxActorBytes, false); err != nil {
		return err
	}
	if err := r.Evidence.Validate(); err != nil {
		return err
	}
	switch {
	case r.Status == Pending:
		if r.TokenHash.IsZero() {
			return validation.New(ErrInvalid, "token", "is required for a pending record")
		}
		if !r.ExpiresAt.After(r.At) {
			return validation.New(ErrInvalid, "expires_at", "must be after at")
		}
		if r.Confirms != uuid.Nil {
			return validation.New(ErrInvalid, "confirms", "is only for a grant")
		}
	case r.Confirms != uuid.Nil:
		if r.Status != Granted || r.TokenHash.IsZero() {
			return validation.New(ErrInvalid, "confirms", "is only for a grant confirmed with a token")
		}
	case !r.TokenHash.IsZero() || !r.ExpiresAt.IsZero():
		return validation.New(ErrInvalid, "token", "is only for a pending or confirming record")
	}
	return nil
}

// Anonymized returns r without personal values: IP, user agent and note
// are cleared; everything else — the proof of what was agreed, when, from
// where and by which kind of actor — stays.
func (r Record) Anonymized() Record {
	r.IP, r.UserAgent, r.Note = "", "", ""
	return r
}

// Later reports whether a is later than b in a pair's history: by At,
// then by Seq.
func Later(a, b Record) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return a.Seq > b.Seq
}

// State is a customer's current consent: the latest record of each pair
// that has one.
type State struct {
	CustomerID uuid.UUID `json:"customer_id"`
	// Latest holds the latest record of each recorded pair, in the order
	// of Pairs.
	Latest []Record `json:"latest"`
}

// NewState returns the state of the records: the latest of each pair by
// (At, Seq), ordered as Pairs orders pairs.
func NewState(customerID uuid.UUID, records []Record) State {
	latest := map[Pair]Record{}
	for _, r := range records {
		if cur, ok := latest[r.Pair()]; !ok || Later(r, cur) {
			latest[r.Pair()] = r
		}
	}
	st := State{CustomerID: customerID, Latest: []Record{}}
	for _, p := range Pairs() {
		if r, ok := latest[p]; ok {
			st.Latest = append(st.Latest, r)
		}
	}
	return st
}

// Of returns the latest record of the pair, and whether there is one.
func (s State) Of(p Pair) (Record, bool) {
	for _, r := range s.Latest {
		if r.Pair() == p {
			return r, true
		}
	}
	return Record{}, false
}

// Granted reports whether the pair's consent is granted now (its latest
// record is a grant).
func (s State) Granted(c Channel, p Purpose) bool {
	r, ok := s.Of(Pair{c, p})
	return ok && r.Status == Granted
}
