package phone

import (
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestE164(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"+49 30 901820", "+4930901820", true},
		{"+1 (415) 555-2671", "+14155552671", true},
		{"+4930901820", "+4930901820", true},
		{"030 901820", "", false},            // no country code
		{"+49 30 901820 ext. 12", "", false}, // extension
		{"+1 555", "", false},                // too short
		{"+999 123456", "", false},           // no such country code
		{"+", "", false},
		{"", "", false},
		{"+49\x0030", "", false},
	} {
		got, ok := E164(tc.in)
		assert.Equal(t, tc.ok, ok, "%q", tc.in)
		assert.Equal(t, tc.want, got, "%q", tc.in)
		// The memo answers the same the second time.
		again, ok2 := E164(tc.in)
		assert.Equal(t, tc.ok, ok2, "%q again", tc.in)
		assert.Equal(t, tc.want, again, "%q again", tc.in)
	}
}

func TestMemoStaysBounded(t *testing.T) {
	m := memo{max: 100}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1000 {
				s := "+4930" + strconv.Itoa(g*1000+i)
				m.add(s)
				_ = m.has(s)
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, len(m.set), m.max)
	assert.False(t, m.has("+15550000000"), "a string it was never given")
}

func FuzzE164(f *testing.F) {
	for _, s := range []string{"+49 30 901820", "+1 (415) 555-2671", "+", "+0", "+\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, ok := E164(s)
		if !ok {
			return
		}
		again, ok := E164(e)
		if !ok || again != e {
			t.Fatalf("E164(%q) = %q, but E164 of that is %q, %v", s, e, again, ok)
		}
	})
}
