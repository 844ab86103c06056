package storage_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/clientele-go/clientele/storage"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []storage.Cursor{
		{},
		{Seq: 42},
		{Time: time.Unix(0, 0).UTC(), Key: "epoch"},
		{Time: time.Date(2025, 3, 4, 5, 6, 7, 123456000, time.UTC), Key: "0193a5b0-7c1e-7000-8000-000000000001"},
		{Time: time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), Key: "far future"},
		{Time: time.Date(-5000, 1, 1, 0, 0, 0, 0, time.UTC), Key: "far past"},
		{Time: time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC), Key: "just after the zero time"},
		{Key: "quotes \" and \\ and \x00 and \u2028"},
	} {
		got, err := storage.ParseCursor(c.String())
		require.NoError(t, err, "%+v", c)
		assert.Equal(t, c, got)
	}
}

func TestCursorKeepsMicroseconds(t *testing.T) {
	at := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("CET", 3600))
	got, err := storage.ParseCursor(storage.Cursor{Time: at}.String())
	require.NoError(t, err)
	assert.Equal(t, at.UTC().Truncate(time.Microsecond), got.Time)
	assert.Equal(t, time.UTC, got.Time.Location())
}

func TestParseCursorRejects(t *testing.T) {
	for _, s := range []string{
		"!!!",                 // not base64
		"bm90IGpzb24",         // "not json"
		"eyJ4IjoxfQ",          // {"x":1}: unknown field
		"eyJ0IjoiMjAyNSJ9",    // {"t":"2025"}: not microseconds
		"eyJzIjoxfXsicyI6Mn0", // {"s":1}{"s":2}: trailing data
	} {
		_, err := storage.ParseCursor(s)
		assert.ErrorIs(t, err, storage.ErrInvalidCursor, "%q", s)
	}
}

func FuzzParseCursor(f *testing.F) {
	for _, c := range []storage.Cursor{{}, {Seq: 7}, {Time: time.Unix(1700000000, 0), Key: "k"}} {
		f.Add(c.String())
	}
	f.Add("eyJ0Ijo5MjIzMzcyMDM2ODU0Nzc1ODA3fQ") // {"t":9223372036854775807}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := storage.ParseCursor(s)
		if err != nil {
			return
		}
		again, err := storage.ParseCursor(c.String())
		require.NoError(t, err)
		require.Equal(t, c, again)
	})
}
