package clientele_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele"
	"github.com/clientele-go/clientele/customer"
	"github.com/clientele-go/clientele/group"
	"github.com/clientele-go/clientele/page"
)

func TestGroupsCreateAndNames(t *testing.T) {
	e := newEnv(t)
	vip, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: " VIP ", Description: "Best\ncustomers", Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)
	assert.Equal(t, "VIP", vip.Name)
	assert.Equal(t, int64(1), vip.Version)

	tests := []struct {
		name    string
		params  clientele.GroupParams
		wantErr error
	}{
		{"same name", clientele.GroupParams{Name: "VIP"}, group.ErrNameTaken},
		{"other case", clientele.GroupParams{Name: "vip"}, group.ErrNameTaken},
		{"other spacing", clientele.GroupParams{Name: "  Vip "}, group.ErrNameTaken},
		{"empty name", clientele.GroupParams{Name: "  "}, group.ErrInvalid},
		{"name too long", clientele.GroupParams{Name: string(make([]byte, 101))}, group.ErrInvalid},
		{"control character", clientele.GroupParams{Name: "a\x01b"}, group.ErrInvalid},
		{"another name", clientele.GroupParams{Name: "VIP gold"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.Groups.Create(e.ctx, tt.params)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}

	t.Run("get", func(t *testing.T) {
		got, err := e.Groups.Get(e.ctx, vip.ID)
		require.NoError(t, err)
		assert.Equal(t, vip, got)
		got, err = e.Groups.GetByName(e.ctx, " vIp ")
		require.NoError(t, err)
		assert.Equal(t, vip.ID, got.ID)
		_, err = e.Groups.Get(e.ctx, uuid.New())
		require.ErrorIs(t, err, group.ErrNotFound)
		_, err = e.Groups.GetByName(e.ctx, "nope")
		require.ErrorIs(t, err, group.ErrNotFound)
	})

	t.Run("rename", func(t *testing.T) {
		got, err := e.Groups.Rename(e.ctx, vip.ID, "Vip") // its own key in another case
		require.NoError(t, err)
		assert.Equal(t, "Vip", got.Name)
		assert.Equal(t, int64(2), got.Version)
		_, err = e.Groups.Rename(e.ctx, vip.ID, "vip GOLD")
		require.ErrorIs(t, err, group.ErrNameTaken)
		_, err = e.Groups.Rename(e.ctx, vip.ID, "")
		require.ErrorIs(t, err, group.ErrInvalid)
		_, err = e.Groups.Rename(e.ctx, uuid.New(), "x")
		require.ErrorIs(t, err, group.ErrNotFound)
		got, err = e.Groups.Rename(e.ctx, vip.ID, "Platinum")
		require.NoError(t, err)
		_, err = e.Groups.GetByName(e.ctx, "vip")
		require.ErrorIs(t, err, group.ErrNotFound, "the old name is free")
		_, err = e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
		require.NoError(t, err)
		assert.Equal(t, "Platinum", got.Name)
	})

	t.Run("description and metadata", func(t *testing.T) {
		got, err := e.Groups.SetDescription(e.ctx, vip.ID, " new ")
		require.NoError(t, err)
		assert.Equal(t, "new", got.Description)
		_, err = e.Groups.SetDescription(e.ctx, uuid.New(), "x")
		require.ErrorIs(t, err, group.ErrNotFound)
		_, err = e.Groups.SetDescription(e.ctx, vip.ID, string(make([]byte, 1001)))
		require.ErrorIs(t, err, group.ErrInvalid)

		got, err = e.Groups.Update(e.ctx, vip.ID, group.Patch{Metadata: map[string]*string{"k": nil, "n": ptr("1")}})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"n": "1"}, got.Metadata)
		assert.Equal(t, "new", got.Description)
		_, err = e.Groups.Update(e.ctx, vip.ID, group.Patch{Name: ptr("vip gold")})
		require.ErrorIs(t, err, group.ErrNameTaken)
	})

	t.Run("list", func(t *testing.T) {
		var names []string
		p := page.Request{Limit: 1}
		for pages := 0; ; pages++ {
			require.Less(t, pages, 10, "pagination does not end")
			pg, err := e.Groups.List(e.ctx, p)
			require.NoError(t, err)
			for _, g := range pg.Items {
				names = append(names, g.Name)
			}
			if pg.Next == "" {
				break
			}
			p.Cursor = pg.Next
		}
		assert.Equal(t, []string{"Platinum", "VIP gold", "VIP"}, names)
	})
}

func outcomes(rs []clientele.MemberResult) []clientele.MemberOutcome {
	out := make([]clientele.MemberOutcome, len(rs))
	for i, r := range rs {
		out[i] = r.Outcome
	}
	return out
}

// TestGroupsMembers_Batch is the must-show batch case: idempotent adds and
// removes with one result per item; an unknown customer fails alone.
func TestGroupsMembers_Batch(t *testing.T) {
	e := newEnv(t)
	g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: "VIP"})
	require.NoError(t, err)
	a, b := e.register(t, "a@example.com"), e.guest(t, "b@example.com")
	deleted := e.register(t, "d@example.com")
	require.NoError(t, e.Customers.Delete(e.ctx, deleted.ID))
	unknown := uuid.New()

	res, err := e.Groups.AddMembers(e.ctx, g.ID, []uuid.UUID{a.ID, unknown, b.ID, a.ID, deleted.ID})
	require.NoError(t, err)
	require.Len(t, res, 5)
	assert.Equal(t, []clientele.MemberOutcome{clientele.MemberAdded, clientele.MemberFailed, clientele.MemberAdded,
		clientele.MemberAlreadyMember, clientele.MemberFailed}, outcomes(res))
	for i, id := range []uuid.UUID{a.ID, unknown, b.ID, a.ID, deleted.ID} {
		assert.Equal(t, id, res[i].CustomerID)
	}
	assert.NoError(t, res[0].Err)
	assert.ErrorIs(t, res[1].Err, customer.ErrNotFound, "unknown customer fails on its own")
	assert.ErrorIs(t, res[4].Err, customer.ErrNotFound, "deleted customer fails on its own")
	assert.Equal(t, "failed", res[1].Outcome.String())
	assert.Equal(t, "added", res[0].Outcome.String())

	res, err = e.Groups.AddMembers(e.ctx, g.ID, []uuid.UUID{a.ID, b.ID})
	require.NoError(t, err)
	assert.Equal(t, []clientele.MemberOutcome{clientele.MemberAlreadyMember, clientele.MemberAlreadyMember}, outcomes(res), "idempotent")

	members, err := e.Groups.Members(e.ctx, g.ID, page.Request{})
	require.NoError(t, err)
	assert.Equal(t, ids(a, b), ids(members.Items...))

	res, err = e.Groups.RemoveMembers(e.ctx, g.ID, []uuid.UUID{b.ID, unknown, b.ID, deleted.ID})
	require.NoError(t, err)
	assert.Equal(t, []clientele.MemberOutcome{clientele.MemberRemoved, clientele.MemberFailed,
		clientele.MemberNotMember, clientele.MemberNotMember}, outcomes(res))
	assert.ErrorIs(t, res[1].Err, customer.ErrNotFound)
	assert.Equal(t, "removed", res[0].Outcome.String())
	assert.Equal(t, "not_member", res[2].Outcome.String())
	assert.Equal(t, "already_member", clientele.MemberAlreadyMember.String())

	members, err = e.Groups.Members(e.ctx, g.ID, page.Request{})
	require.NoError(t, err)
	assert.Equal(t, ids(a), ids(members.Items...))

	t.Run("a deleted member can still be removed", func(t *testing.T) {
		c := e.register(t, "leaving@example.com")
		_, err := e.Groups.AddMembers(e.ctx, g.ID, []uuid.UUID{c.ID})
		require.NoError(t, err)
		require.NoError(t, e.Customers.Delete(e.ctx, c.ID))
		res, err := e.Groups.RemoveMembers(e.ctx, g.ID, []uuid.UUID{c.ID})
		require.NoError(t, err)
		assert.Equal(t, clientele.MemberRemoved, res[0].Outcome)
	})
	t.Run("whole-call errors", func(t *testing.T) {
		_, err := e.Groups.AddMembers(e.ctx, uuid.New(), []uuid.UUID{a.ID})
		require.ErrorIs(t, err, group.ErrNotFound)
		_, err = e.Groups.RemoveMembers(e.ctx, uuid.New(), []uuid.UUID{a.ID})
		require.ErrorIs(t, err, group.ErrNotFound)
		_, err = e.Groups.AddMembers(e.ctx, g.ID, make([]uuid.UUID, clientele.MaxBatch+1))
		require.ErrorIs(t, err, clientele.ErrBatchTooLarge)
		_, err = e.Groups.RemoveMembers(e.ctx, g.ID, make([]uuid.UUID, clientele.MaxBatch+1))
		require.ErrorIs(t, err, clientele.ErrBatchTooLarge)
		res, err := e.Groups.AddMembers(e.ctx, g.ID, nil)
		require.NoError(t, err)
		assert.Empty(t, res)
	})
}

// TestGroupsMembers_Pagination walks Members and GroupsOf page by page.
func TestGroupsMembers_Pagination(t *testing.T) {
	e := newEnv(t)
	var groups []group.Group
	for i := range 7 {
		g, err := e.Groups.Create(e.ctx, clientele.GroupParams{Name: fmt.Sprint("group ", i)})
		require.NoError(t, err)
		groups = append(groups, g)
	}
	var customers []customer.Customer
	for i := range 11 {
		customers = append(customers, e.register(t, fmt.Sprintf("c%d@example.com", i)))
	}
	// Every customer joins group 0; customer 0 joins the even groups.
	_, err := e.Groups.AddMembers(e.ctx, groups[0].ID, ids(customers...))
	require.NoError(t, err)
	var wantGroups []uuid.UUID
	for i, g := range groups {
		if i%2 == 0 {
			_, err := e.Groups.AddMembers(e.ctx, g.ID, []uuid.UUID{customers[0].ID})
			require.NoError(t, err)
			wantGroups = append(wantGroups, g.ID)
		}
	}

	var gotMembers []uuid.UUID
	p := page.Request{Limit: 4}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		pg, err := e.Groups.Members(e.ctx, groups[0].ID, p)
		require.NoError(t, err)
		gotMembers = append(gotMembers, ids(pg.Items...)...)
		if pg.Next == "" {
			break
		}
		p.Cursor = pg.Next
	}
	assert.Equal(t, ids(customers...), gotMembers)

	var gotGroups []uuid.UUID
	p = page.Request{Limit: 3}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		pg, err := e.Groups.GroupsOf(e.ctx, customers[0].ID, p)
		require.NoError(t, err)
		for _, g := range pg.Items {
			gotGroups = append(gotGroups, g.ID)
		}
		if pg.Next == "" {
			break
		}
		p.Cursor = pg.Next
	}
	assert.Equal(t, wantGroups, gotGroups)

	_, err = e.Groups.Members(e.ctx, uuid.New(), page.Request{})
	require.ErrorIs(t, err, group.ErrNotFound)
	_, err = e.Groups.GroupsOf(e.ctx, uuid.New(), page.Request{})
	require.ErrorIs(t, err, customer.ErrNotFound)
	_, err = e.Groups.Members(e.ctx, groups[0].ID, page.Request{Cursor: "%%"})
	require.ErrorIs(t, err, page.ErrInvalidCursor)

	t.Run("deleting a group ends its memberships", func(t *testing.T) {
		require.NoError(t, e.Groups.Delete(e.ctx, groups[0].ID))
		pg, err := e.Groups.GroupsOf(e.ctx, customers[0].ID, page.Request{})
		require.NoError(t, err)
		assert.Len(t, pg.Items, len(wantGroups)-1)
		_, err = e.Groups.Get(e.ctx, groups[0].ID)
		require.ErrorIs(t, err, group.ErrNotFound)
		require.ErrorIs(t, e.Groups.Delete(e.ctx, groups[0].ID), group.ErrNotFound)
	})
}
