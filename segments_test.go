package clientele_test

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/address"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/event"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/page"
	"github.com/clientele-go/clientele/segment"
	"github.com/clientele-go/clientele/storage"
	"github.com/clientele-go/clientele/storage/memory"
)

// segmentSteps are TestEveryWriteEmits' segment writes.
func segmentSteps(t *testing.T, svc *clientele.Service, ctx context.Context, step func([]event.Type, func())) {
	var sg segment.Segment
	step([]event.Type{event.SegmentCreated}, func() {
		var err error
		sg, err = svc.Segments.Create(ctx, clientele.SegmentParams{Name: "Everyone", Rule: segment.All()})
		require.NoError(t, err)
	})
	step([]event.Type{event.SegmentUpdated}, func() {
		_, err := svc.Segments.Update(ctx, sg.ID, clientele.SegmentParams{Name: "Everyone", Rule: segment.Any()}) // nobody

		require.NoError(t, err)
	})
	step([]event.Type{event.GroupCreated, event.SegmentFrozen}, func() {
		_, err := svc.Segments.Freeze(ctx, sg.ID, "Nobody, frozen")
		require.NoError(t, err)
	})
	step([]event.Type{event.SegmentDeleted}, func() { require.NoError(t, svc.Segments.Delete(ctx, sg.ID)) })
}

func vipRule() segment.Rule {
	return segment.All(segment.Cond(segment.FieldTag, segment.OpHas, "VIP"), segment.Cond(segment.FieldCountry, segment.OpEq, "de"))
}

func TestSegmentsService(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		svc := clientele.New(store)
		var ids []uuid.UUID
		for i, tags := range [][]string{{"vip"}, {"vip"}, {"new"}, {"vip"}} {
			c, err := svc.Customers.Register(ctx, customer.Params{Email: "c" + string(rune('a'+i)) + "@example.com", Tags: tags})
			require.NoError(t, err)
			country := "DE"
			if i == 1 {
				country = "FR"
			}
			_, _, err = svc.Addresses.Add(ctx, c.ID, address.Address{Line1: "1 St", City: "Town", Country: country})
			require.NoError(t, err)
			ids = append(ids, c.ID)
		}
		drain(t, svc, "all")

		sg, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "German VIPs", Rule: vipRule()})
		require.NoError(t, err)
		assert.Equal(t, int64(1), sg.Version)
		assert.Equal(t, "vip", sg.Rule.All[0].Condition.Value, "normalized")
		assert.Equal(t, []event.Type{event.SegmentCreated}, types(drain(t, svc, "all")))

		_, err = svc.Segments.Create(ctx, clientele.SegmentParams{Name: "bad", Rule: segment.Cond(segment.Field(99), segment.OpEq, "")})
		assert.ErrorIs(t, err, segment.ErrInvalid)

		members, err := svc.Segments.Members(ctx, sg.ID, page.Request{Limit: 1})
		require.NoError(t, err)
		require.Len(t, members.Items, 1)
		assert.Equal(t, ids[0], members.Items[0].ID)
		next, err := svc.Segments.Members(ctx, sg.ID, page.Request{Limit: 1, Cursor: members.Next})
		require.NoError(t, err)
		require.Len(t, next.Items, 1)
		assert.Equal(t, ids[3], next.Items[0].ID)
		n, err := svc.Segments.Count(ctx, sg.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(2), n)
		in, err := svc.Segments.InSegment(ctx, sg.ID, ids[1])
		require.NoError(t, err)
		assert.False(t, in)

		g, err := svc.Segments.Freeze(ctx, sg.ID, "German VIPs, December")
		require.NoError(t, err)
		assert.Equal(t, []event.Type{event.GroupCreated, event.GroupMemberAdded, event.GroupMemberAdded, event.SegmentFrozen},
			types(drain(t, svc, "all")))
		frozen, err := svc.Customers.List(ctx, customer.Filter{GroupID: g.ID}, page.Request{})
		require.NoError(t, err)
		assert.Len(t, frozen.Items, 2)
		_, err = svc.Segments.Freeze(ctx, sg.ID, "German VIPs, December")
		assert.ErrorIs(t, err, group.ErrNameTaken)

		up, err := svc.Segments.Update(ctx, sg.ID, clientele.SegmentParams{Name: "VIPs", Rule: segment.Cond(segment.FieldTag, segment.OpHas, "vip")})
		require.NoError(t, err)
		assert.Equal(t, int64(2), up.Version)
		assert.Equal(t, []event.Type{event.SegmentUpdated}, types(drain(t, svc, "all")))
		n, err = svc.Segments.Count(ctx, sg.ID)
		require.NoError(t, err)
		assert.Equal(t, int64(3), n)
		in, err = svc.Segments.InSegment(ctx, sg.ID, ids[1])
		require.NoError(t, err)
		assert.True(t, in)
		frozen, err = svc.Customers.List(ctx, customer.Filter{GroupID: g.ID}, page.Request{})
		require.NoError(t, err)
		assert.Len(t, frozen.Items, 2, "the frozen group does not follow the segment")

		list, err := svc.Segments.List(ctx, page.Request{})
		require.NoError(t, err)
		assert.Len(t, list.Items, 1)
		require.NoError(t, svc.Segments.Delete(ctx, sg.ID))
		assert.Equal(t, []event.Type{event.SegmentDeleted}, types(drain(t, svc, "all")))
		_, err = svc.Segments.Get(ctx, sg.ID)
		assert.ErrorIs(t, err, segment.ErrNotFound)
		_, err = svc.Segments.Members(ctx, sg.ID, page.Request{})
		assert.ErrorIs(t, err, segment.ErrNotFound)
	})
}

// noEvaluation keeps segments but cannot evaluate them.
type noEvaluation struct {
	storage.Store
	segs storage.Segments
}

func (n noEvaluation) SegmentRecords() storage.SegmentRecords { return n.segs.SegmentRecords() }

func TestSegmentsWithoutEvaluation(t *testing.T) {
	ctx := context.Background()
	mem := memory.New()
	store := noEvaluation{mem, mem}
	_, ok := any(store).(storage.SegmentEvaluation)
	require.False(t, ok)
	svc := clientele.New(store)
	c, err := svc.Customers.Register(ctx, customer.Params{Email: "ada@example.com", Tags: []string{"vip"}})
	require.NoError(t, err)
	_, _, err = svc.Addresses.Add(ctx, c.ID, address.Address{Line1: "1 St", City: "Town", Country: "DE"})
	require.NoError(t, err)
	g, err := svc.Groups.Create(ctx, clientele.GroupParams{Name: "Insiders"})
	require.NoError(t, err)
	_, err = svc.Groups.AddMembers(ctx, g.ID, []uuid.UUID{c.ID})
	require.NoError(t, err)
	sg, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "s", Rule: segment.All(vipRule(), segment.Cond(segment.FieldGroup, segment.OpHas, g.ID.String()))})
	require.NoError(t, err)
	in, err := svc.Segments.InSegment(ctx, sg.ID, c.ID)
	require.NoError(t, err)
	assert.True(t, in, "InSegment falls back to segment.Matches on the customer's facts")
	in, err = svc.Segments.InSegment(ctx, sg.ID, uuid.New())
	require.NoError(t, err)
	assert.False(t, in)
	_, err = svc.Segments.Members(ctx, sg.ID, page.Request{})
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
	_, err = svc.Segments.Freeze(ctx, sg.ID, "x")
	assert.ErrorIs(t, err, clientele.ErrUnsupported)

	bare := clientele.New(lacking{memory.New()})
	_, err = bare.Segments.Create(ctx, clientele.SegmentParams{Name: "s", Rule: vipRule()})
	assert.ErrorIs(t, err, clientele.ErrUnsupported)
}

// TestSegmentsCreateIdempotencyKey: a retry with the key returns the first
// segment and emits nothing more, even when the retries race; the key with
// another request is refused.
func TestSegmentsCreateIdempotencyKey(t *testing.T) {
	eachStore(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		svc := clientele.New(store)
		p := clientele.SegmentParams{Name: "German VIPs", Rule: vipRule()}
		const racers = 6
		got := make([]segment.Segment, racers)
		errs := make([]error, racers)
		var wg sync.WaitGroup
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = svc.Segments.Create(ctx, p, clientele.IdempotencyKey("seg-1"))
			}()
		}
		wg.Wait()
		for i := range racers {
			require.NoError(t, errs[i])
			assert.Equal(t, got[0].ID, got[i].ID)
		}
		assert.Equal(t, []event.Type{event.SegmentCreated}, types(drain(t, svc, "all")))
		list, err := svc.Segments.List(ctx, page.Request{})
		require.NoError(t, err)
		assert.Len(t, list.Items, 1)

		// The same request spelled otherwise (as normalized) is the same.
		again, err := svc.Segments.Create(ctx, clientele.SegmentParams{Name: "  German VIPs ", Rule: vipRule()}, clientele.IdempotencyKey("seg-1"))
		require.NoError(t, err)
		assert.Equal(t, got[0].ID, again.ID)

		_, err = svc.Segments.Create(ctx, clientele.SegmentParams{Name: "Others", Rule: vipRule()}, clientele.IdempotencyKey("seg-1"))
		assert.ErrorIs(t, err, clientele.ErrIdempotencyKeyReused)
		other, err := svc.Segments.Create(ctx, p, clientele.IdempotencyKey("seg-2"))
		require.NoError(t, err)
		assert.NotEqual(t, got[0].ID, other.ID, "another key is another request")
		assert.Equal(t, []event.Type{event.SegmentCreated}, types(drain(t, svc, "all")), "only seg-2 created one")
	})
}
