package page_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/page"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []page.Cursor{
		{List: "things"},
		{List: "things", Seq: 42},
		{List: "things", Time: time.Unix(0, 0).UTC(), Key: "epoch"},
		{List: "things", Time: time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC), Key: "0193a5b0-7c1e-7000-8000-000000000001"},
		{List: "things", Time: time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), Key: "far future"},
		{List: "things", Time: time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC), Key: "far past"},
		{List: "things", Time: time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), Key: "just after the zero time"},
		{List: "things", Key: "quotes \" and \\ and \x00 and \u2028"},
	} {
		got, err := page.ParseCursor("things", c.String())
		require.NoError(t, err, "%+v", c)
		assert.Equal(t, c, got)
	}
}

func TestCursorKeepsMicroseconds(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CET", 3600))
	got, err := page.ParseCursor("things", page.Cursor{List: "things", Time: at}.String())
	require.NoError(t, err)
	assert.Equal(t, at.UTC().Truncate(time.Microsecond), got.Time)
	assert.Equal(t, time.UTC, got.Time.Location())
}

func TestParseCursorRejects(t *testing.T) {
	for _, s := range []string{
		"!!!",         // not base64
		"bm90IGpzb24", // "not json"
		"eyJ4IjoxfQ",  // {"x":1}: unknown field
		page.Cursor{List: "other", Seq: 1}.String(), // another list's cursor
		page.Cursor{Seq: 1}.String(),                // no list
		strings.Repeat("A", 2000),                   // too long
		"eyJ0IjoiMjAyNSJ9",                          // {"t":"2025"}: not microseconds
		"eyJzIjoxfXsicyI6Mn0",                       // {"s":1}{"s":2}: trailing data
	} {
		_, err := page.ParseCursor("things", s)
		assert.ErrorIs(t, err, page.ErrInvalidCursor, "%q", s)
	}
}

func FuzzParseCursor(f *testing.F) {
	for _, c := range []page.Cursor{{List: "things"}, {List: "things", Seq: 7}, {List: "things", Time: time.Unix(1700000000, 0), Key: "k"}} {
		f.Add(c.String())
	}
	f.Add("eyJ0Ijo5MjIzMzcyMDM2ODU0Nzc1ODA3fQ") // {"t":9223372036854775807}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := page.ParseCursor("things", s)
		if err != nil {
			return
		}
		again, err := page.ParseCursor("things", c.String())
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}

func TestParseCursorErrorTextHidesTheToken(t *testing.T) {
	token := page.Cursor{List: "groups", Key: "secret\nforged log line"}.String()
	_, err := page.ParseCursor("customers", token)
	require.ErrorIs(t, err, page.ErrInvalidCursor)
	assert.NotContains(t, err.Error(), token)
	assert.NotContains(t, err.Error(), "\n")
	_, err = page.ParseCursor("customers", "eyJ4IjoxfQ")
	assert.NotContains(t, err.Error(), "json")
	assert.NotContains(t, err.Error(), "unknown field")
}

func TestAll(t *testing.T) {
	items := []int{1, 2, 3, 4, 5, 6, 7}
	calls := 0
	list := func(_ context.Context, r page.Request) (page.Page[int], error) {
		calls++
		c, err := page.ParseCursor("ints", r.Cursor)
		if err != nil {
			return page.Page[int]{}, err
		}
		from := int(c.Seq)
		to := min(from+r.Size(), len(items))
		p := page.Page[int]{Items: items[from:to]}
		if to < len(items) {
			p.Next = page.Cursor{List: "ints", Seq: int64(to)}.String()
		}
		return p, nil
	}
	var got []int
	for v, err := range page.All(context.Background(), 3, list) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, items, got)
	assert.Equal(t, 3, calls)

	// Breaking out early stops fetching.
	calls = 0
	for v := range page.All(context.Background(), 2, list) {
		if v == 1 {
			break
		}
	}
	assert.Equal(t, 1, calls)

	// An error is yielded once and ends the walk.
	boom := errors.New("boom")
	n := 0
	for _, err := range page.All(context.Background(), 2, func(context.Context, page.Request) (page.Page[int], error) {
		return page.Page[int]{}, boom
	}) {
		n++
		assert.ErrorIs(t, err, boom)
	}
	assert.Equal(t, 1, n)
}

func TestPageJSON(t *testing.T) {
	b, err := json.Marshal(page.Page[string]{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":[]}`, string(b))
	b, err = json.Marshal(page.Page[string]{Items: []string{"a"}, Next: "xyz"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"items":["a"],"next":"xyz"}`, string(b))
	var p page.Page[string]
	require.NoError(t, json.Unmarshal(b, &p))
	assert.Equal(t, page.Page[string]{Items: []string{"a"}, Next: "xyz"}, p)
}

func TestRequestSize(t *testing.T) {
	assert.Equal(t, page.DefaultLimit, page.Request{}.Size())
	assert.Equal(t, page.DefaultLimit, page.Request{Limit: -3}.Size())
	assert.Equal(t, 7, page.Request{Limit: 7}.Size())
	assert.Equal(t, page.MaxLimit, page.Request{Limit: page.MaxLimit + 1}.Size())
}
