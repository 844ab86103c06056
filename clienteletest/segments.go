package clienteletest

import (
	"context"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/segment"
)

// MustSegment saves a segment named name with the rule.
func (e *Env) MustSegment(name string, rule segment.Rule) segment.Segment {
	e.TB.Helper()
	s, err := e.Service.Segments.Create(context.Background(), clientele.SegmentParams{Name: name, Rule: rule})
	e.must(err, "create segment %q", name)
	return s
}

// MustSegmentMembers returns the IDs of every member of the segment, in
// list order (every page).
func (e *Env) MustSegmentMembers(segmentID uuid.UUID) []uuid.UUID {
	e.TB.Helper()
	var ids []uuid.UUID
	p := page.Request{Limit: page.MaxLimit}
	for {
		members, err := e.Service.Segments.Members(context.Background(), segmentID, p)
		e.must(err, "list segment members")
		for _, c := range members.Items {
			ids = append(ids, c.ID)
		}
		if members.Next == "" {
			return ids
		}
		p.Cursor = members.Next
	}
}
