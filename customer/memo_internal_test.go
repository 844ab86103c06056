package customer

import (
	"strconv"
	"sync"
	"testing"
)

func TestE164MemoStaysBounded(t *testing.T) {
	m := e164Memo{max: 100}
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
	if len(m.set) > m.max {
		t.Fatalf("the memo holds %d entries, more than its max %d", len(m.set), m.max)
	}
	if m.has("+15550000000") {
		t.Fatal("the memo reports a string it was never given")
	}
}
