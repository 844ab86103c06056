package segment

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/internal/textnorm"
	"github.com/clientele-go/clientele/internal/validation"
)

// Limits of the segment fields, in bytes.
const (
	MaxNameLength        = 100
	MaxDescriptionLength = 1000
)

// Segment is a saved audience: the live customers its Rule matches at the
// moment it is asked. The zero value is not valid.
type Segment struct {
	ID          uuid.UUID `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	// Rule is normalized (see Rule.Normalize).
	Rule      Rule      `json:"rule"`
	CreatedAt time.Time `json:"created_at"` // UTC
	UpdatedAt time.Time `json:"updated_at"` // UTC
	// Version is set to 1 by storage on create and bumped on every write,
	// among them every change of the rule.
	Version int64 `json:"version"`
}

// Params describes a new segment. Its JSON names are those of Segment.
type Params struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Rule        Rule   `json:"rule"`
}

// New returns a validated segment made from p, created at now.
func New(id uuid.UUID, p Params, now time.Time) (Segment, error) {
	now = now.UTC().Truncate(time.Microsecond)
	s := Segment{ID: id, Name: textnorm.Clean(p.Name), Description: textnorm.Clean(p.Description),
		Rule: p.Rule, CreatedAt: now, UpdatedAt: now}
	r, err := p.Rule.Normalize()
	if err != nil {
		return Segment{}, err
	}
	s.Rule = r
	return s, s.Validate()
}

// Validate checks the segment: an ID, a name, a description within its
// limit, UTC times and a valid rule.
func (s Segment) Validate() error {
	if s.ID == uuid.Nil {
		return validation.New(ErrInvalid, "id", "is required")
	}
	if s.Name == "" {
		return validation.New(ErrInvalid, "name", "is required")
	}
	if err := validation.Text(ErrInvalid, "name", s.Name, MaxNameLength, false); err != nil {
		return err
	}
	if err := validation.Text(ErrInvalid, "description", s.Description, MaxDescriptionLength, true); err != nil {
		return err
	}
	if s.CreatedAt.IsZero() || s.CreatedAt.Location() != time.UTC || s.UpdatedAt.Location() != time.UTC {
		return validation.New(ErrInvalid, "created_at", "must be a UTC time")
	}
	return s.Rule.Validate()
}

// Rename sets the name and description, at now.
func (s *Segment) Rename(name, description string, now time.Time) error {
	c := *s
	c.Name, c.Description, c.UpdatedAt = textnorm.Clean(name), textnorm.Clean(description), now.UTC().Truncate(time.Microsecond)
	if err := c.Validate(); err != nil {
		return err
	}
	*s = c
	return nil
}

// SetRule replaces the rule (normalized), at now.
func (s *Segment) SetRule(r Rule, now time.Time) error {
	n, err := r.Normalize()
	if err != nil {
		return err
	}
	s.Rule, s.UpdatedAt = n, now.UTC().Truncate(time.Microsecond)
	return nil
}

// Clone returns a deep copy of s.
func (s Segment) Clone() Segment {
	s.Rule = s.Rule.Clone()
	return s
}

type segmentAlias Segment

type segmentJSON struct {
	segmentAlias
	Rule json.RawMessage `json:"rule"`
}

// MarshalJSON implements json.Marshaler: the fields' json tags, with the
// rule in its stored form ({"schema": 1, "rule": ...}).
func (s Segment) MarshalJSON() ([]byte, error) {
	r, err := MarshalRule(s.Rule)
	if err != nil {
		return nil, err
	}
	return json.Marshal(segmentJSON{segmentAlias(s), r})
}

// UnmarshalJSON implements json.Unmarshaler, the inverse of MarshalJSON;
// the rule is normalized.
func (s *Segment) UnmarshalJSON(b []byte) error {
	var w segmentJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	r, err := ParseRule(w.Rule)
	if err != nil {
		return err
	}
	out := Segment(w.segmentAlias)
	out.Rule = r
	out.CreatedAt, out.UpdatedAt = out.CreatedAt.UTC(), out.UpdatedAt.UTC()
	*s = out
	return nil
}
