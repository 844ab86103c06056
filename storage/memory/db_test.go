package memory

import (
	"testing"

	"github.com/google/btree"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
)

// pageAfter pages through what keep accepts, builds each item in its place
// on the page, asks about the item after a full page with a nil dst only,
// and gives a cursor only when an accepted item follows.
func TestPageAfter(t *testing.T) {
	tree := btree.NewG(btreeDegree, func(a, b int64) bool { return a < b })
	for k := range int64(300) {
		tree.ReplaceOrInsert(k)
	}
	const list = "test"
	from := func(c storage.Cursor) (int64, error) { return c.Seq, nil }
	cursorOf := func(k int64) storage.Cursor { return storage.Cursor{Seq: k} }
	// Multiples of 3 below 250 only: 84 items, so a page of 70 (more than
	// the page's first capacity of 64) is followed by one of 14, the last.
	var nilAsks []int64
	keep := func(k int64, dst *int64) bool {
		if k%3 != 0 || k >= 250 {
			return false
		}
		if dst == nil {
			nilAsks = append(nilAsks, k)
		} else {
			*dst = k + 1000 // not the key: the item is what keep writes
		}
		return true
	}
	var got []int64
	var pages int
	p := storage.PageRequest{Limit: 70}
	for {
		page, err := pageAfter(tree, func(a, b int64) bool { return a < b }, list, p, from, cursorOf, keep)
		require.NoError(t, err)
		got = append(got, page.Items...)
		pages++
		if page.Next == "" {
			break
		}
		c, err := storage.ParseCursor(list, page.Next)
		require.NoError(t, err)
		assert.Equal(t, got[len(got)-1]-1000, c.Seq, "the cursor is the key of the page's last item")
		p.Cursor = page.Next
		require.Less(t, pages, 10)
	}
	var want []int64
	for k := int64(0); k < 250; k += 3 {
		want = append(want, k+1000)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 2, pages)
	assert.Equal(t, []int64{210}, nilAsks, "only the item after the full first page is asked about with a nil dst")
}
