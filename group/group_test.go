package group_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/group"
)

var (
	gid = uuid.MustParse("8d0f5e8a-7f0e-4b8e-9a3c-2b1f0c9d4e01")
	t0  = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	var ve *group.ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
	assert.Equal(t, field, ve.Field)
	assert.ErrorIs(t, err, group.ErrInvalid)
}

func TestNameKey(t *testing.T) {
	same := [][]string{
		{"VIP", " vip ", "Vip", "vIP", "\tVIP\n"},
		{"Gold Members", "gold   members", " GOLD\tMembers ", "gold\u00a0members"},
		{"ǅemal", "ǆemal", "Ǆemal", "ǄEMAL"},         // Dž digraph: title, lower and upper case
		{"Straße", "STRASSE", "strasse"},             // full case folding of ß
		{"Café", "CAFE\u0301", "cafe\u0301", "CAFÉ"}, // NFC before and after folding
		{"ΣΟΦΟΣ", "σοφος", "σοφοσ"},                  // final sigma folds to sigma
		{"ﬁnance", "FINANCE", "finance"},             // the fi ligature folds to "fi"
		{"Ωmega", "Ωmega"},                           // OHM SIGN folds to omega
		{"Kelvin", "\u212aelvin"},                    // KELVIN SIGN folds to k
		{"İstanbul", "i\u0307stanbul"},               // locale-independent: İ is i + dot
		{"Ꮞ", "ꮞ"},                                   // Cherokee upper and lower case
	}
	for _, names := range same {
		want := group.NameKey(names[0])
		for _, name := range names[1:] {
			assert.Equal(t, want, group.NameKey(name), "NameKey(%q) should equal NameKey(%q)", name, names[0])
		}
	}

	different := [][2]string{
		{"VIP", "VIP2"},
		{"vip gold", "vipgold"},
		{"Wholesale", "Retail"},
		{"resume", "résumé"}, // accents are significant
		{"Istanbul", "İstanbul"},
	}
	for _, d := range different {
		assert.NotEqual(t, group.NameKey(d[0]), group.NameKey(d[1]), "%q vs %q", d[0], d[1])
	}

	assert.Equal(t, "vip", group.NameKey(" VIP "))
	assert.Equal(t, "gold members", group.NameKey("Gold \t Members"))
	assert.Equal(t, "ǆemal", group.NameKey("ǅemal"))
	assert.Equal(t, "", group.NameKey("   "))
}

func TestNew(t *testing.T) {
	local := t0.In(time.FixedZone("X", -5*3600))
	meta := map[string]string{"tier": "1"}
	g, err := group.New(gid, group.Params{Name: "  VIP  Gold ", Description: " Our best\ncustomers ", Metadata: meta}, local)
	require.NoError(t, err)
	assert.Equal(t, gid, g.ID)
	assert.Equal(t, "VIP  Gold", g.Name, "display name keeps inner spacing")
	assert.Equal(t, "vip gold", g.Key())
	assert.Equal(t, "Our best\ncustomers", g.Description)
	assert.Equal(t, time.UTC, g.CreatedAt.Location())
	assert.True(t, g.CreatedAt.Equal(t0))
	assert.Equal(t, g.CreatedAt, g.UpdatedAt)
	assert.Zero(t, g.Version, "storage sets the version")

	meta["tier"] = "2"
	assert.Equal(t, "1", g.Metadata["tier"], "metadata map is copied")

	g, err = group.New(gid, group.Params{Name: "Cafe\u0301"}, t0)
	require.NoError(t, err)
	assert.Equal(t, "Café", g.Name, "name is NFC")
	assert.Nil(t, g.Metadata)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name        string
		id          uuid.UUID
		gname, desc string
		meta        map[string]string
		field       string
	}{
		{"ok", gid, "VIP", "", nil, ""},
		{"unicode", gid, "顧客 ǅ", "", nil, ""},
		{"name 100 bytes", gid, strings.Repeat("a", 100), "", nil, ""},
		{"description 1000 bytes", gid, "x", strings.Repeat("d", 1000), nil, ""},
		{"nil id", uuid.Nil, "VIP", "", nil, "id"},
		{"empty name", gid, "", "", nil, "name"},
		{"blank name", gid, " \t ", "", nil, "name"},
		{"name too long", gid, strings.Repeat("a", 101), "", nil, "name"},
		{"name control char", gid, "V\x00IP", "", nil, "name"},
		{"name newline", gid, "V\nIP", "", nil, "name"},
		{"name invalid UTF-8", gid, "V\xffIP", "", nil, "name"},
		{"description too long", gid, "x", strings.Repeat("d", 1001), nil, "description"},
		{"description control char", gid, "x", "a\x1bb", nil, "description"},
		{"description invalid UTF-8", gid, "x", "\xc3", nil, "description"},
		{"metadata blank key", gid, "x", "", map[string]string{" ": "v"}, "metadata"},
		{"metadata value too long", gid, "x", "", map[string]string{"k": strings.Repeat("v", 501)}, "metadata.k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := group.New(tt.id, group.Params{Name: tt.gname, Description: tt.desc, Metadata: tt.meta}, t0)
			if tt.field == "" {
				require.NoError(t, err)
				require.NoError(t, g.Validate())
				return
			}
			requireField(t, err, tt.field)
			assert.Equal(t, group.Group{}, g)
		})
	}
	requireField(t, group.Group{}.Validate(), "id")
}

func newGroup(t *testing.T) group.Group {
	t.Helper()
	g, err := group.New(gid, group.Params{Name: "VIP", Description: "best", Metadata: map[string]string{"a": "1", "b": "2"}}, t0)
	require.NoError(t, err)
	return g
}

func TestRenameAndDescription(t *testing.T) {
	later := t0.Add(time.Hour)
	g := newGroup(t)
	require.NoError(t, g.Rename("  Gold ", later))
	assert.Equal(t, "Gold", g.Name)
	assert.Equal(t, "best", g.Description)
	assert.True(t, g.UpdatedAt.Equal(later))
	assert.True(t, g.CreatedAt.Equal(t0))

	require.NoError(t, g.SetDescription("", later.Add(time.Hour)))
	assert.Empty(t, g.Description)
	assert.Equal(t, "Gold", g.Name)

	before := g.Clone()
	requireField(t, g.Rename(" ", later.Add(2*time.Hour)), "name")
	assert.Equal(t, before, g, "unchanged on error")
	requireField(t, g.SetDescription(strings.Repeat("x", 1001), later), "description")
	assert.Equal(t, before, g, "unchanged on error")
}

func TestApply(t *testing.T) {
	later := t0.Add(time.Hour)
	t.Run("zero patch changes nothing", func(t *testing.T) {
		g := newGroup(t)
		before := g.Clone()
		require.NoError(t, g.Apply(group.Patch{}, later))
		require.NoError(t, g.Apply(group.Patch{Metadata: map[string]*string{}}, later))
		assert.Equal(t, before, g)
	})
	t.Run("metadata patch sets and deletes keys", func(t *testing.T) {
		g := newGroup(t)
		require.NoError(t, g.Apply(group.Patch{Metadata: map[string]*string{"a": nil, "c": ptr("3")}}, later))
		assert.Equal(t, map[string]string{"b": "2", "c": "3"}, g.Metadata)
		assert.Equal(t, "VIP", g.Name, "nil fields are never nulled")
		assert.Equal(t, "best", g.Description)
		assert.True(t, g.UpdatedAt.Equal(later))

		require.NoError(t, g.Apply(group.Patch{Metadata: map[string]*string{"b": nil, "c": nil}}, later))
		assert.Nil(t, g.Metadata, "an emptied map becomes nil")
	})
	t.Run("does not write to the previous metadata map", func(t *testing.T) {
		g := newGroup(t)
		old := g.Metadata
		require.NoError(t, g.Apply(group.Patch{Metadata: map[string]*string{"a": ptr("x")}}, later))
		assert.Equal(t, "1", old["a"])
		assert.Equal(t, "x", g.Metadata["a"])
	})
	t.Run("invalid result leaves the group unchanged", func(t *testing.T) {
		g := newGroup(t)
		before := g.Clone()
		err := g.Apply(group.Patch{Name: ptr("New"), Metadata: map[string]*string{"": ptr("x")}}, later)
		requireField(t, err, "metadata")
		assert.Equal(t, before, g)
	})
}

func TestClone(t *testing.T) {
	g := newGroup(t)
	c := g.Clone()
	c.Metadata["a"] = "changed"
	assert.Equal(t, "1", g.Metadata["a"])
	assert.Nil(t, group.Group{}.Clone().Metadata)
}

func TestSentinels(t *testing.T) {
	errs := []error{group.ErrInvalid, group.ErrNotFound, group.ErrNameTaken, group.ErrInUse}
	for i, a := range errs {
		assert.True(t, strings.HasPrefix(a.Error(), "group: "))
		for j, b := range errs {
			assert.Equal(t, i == j, errors.Is(a, b))
		}
	}
}

func FuzzNameKey(f *testing.F) {
	for _, s := range []string{"VIP", " vip ", "ǅ", "Straße", "Cafe\u0301", "\u0345", "ΐ", "\xff a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := group.NameKey(s)
		require.Equal(t, k, group.NameKey(k), "NameKey must be idempotent for %q", s)
		require.Equal(t, strings.TrimSpace(k), k)
		require.NotContains(t, k, "  ")
	})
}

func TestNameKeyAndSupplementaryCharacters(t *testing.T) {
	// golang.org/x/text v0.34 normalizes U+10041 U+0301 to "Á"; the key must
	// not make such a name collide with "Á".
	odd := "\U00010041\u0301"
	assert.NotEqual(t, group.NameKey("Á"), group.NameKey(odd))
	assert.Equal(t, group.NameKey(odd), group.NameKey(group.NameKey(odd)))
	// Left unnormalized, "\U00010041\u0301" and a canonically equivalent
	// spelling would be two names: a group may not take it.
	_, err := group.New(gid, group.Params{Name: odd}, t0)
	require.ErrorIs(t, err, group.ErrInvalid)
	_, err = group.New(gid, group.Params{Name: "\U0001F600 Club"}, t0)
	require.NoError(t, err, "supplementary characters without combining marks are fine")
}
