package bulk_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/clientele-go/clientele/bulk"
)

// fuzzRead reads data to its end in f and m: it must never panic, every
// error must be io.EOF, a *RowError with a line within the input, or a
// header error wrapping ErrInvalid, and every record it returns must be
// valid and must come back the same from a Native JSON Lines round trip.
func fuzzRead(t *testing.T, data []byte, f bulk.Format, m bulk.Mapping) {
	rd, err := bulk.NewReader(bytes.NewReader(data), f, m)
	if err != nil {
		if !errors.Is(err, bulk.ErrInvalid) {
			t.Fatalf("NewReader: %v", err)
		}
		return
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rd.Now = now
	lines := bytes.Count(data, []byte("\n")) + 1
	for i := 0; ; i++ {
		if i > len(data)+1 {
			t.Fatal("more rows than bytes: the reader does not move on")
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var re *bulk.RowError
		if errors.As(err, &re) {
			if re.Line < 1 || re.Line > lines {
				t.Fatalf("line %d outside 1..%d: %v", re.Line, lines, re)
			}
			continue
		}
		if err != nil {
			if !errors.Is(err, bulk.ErrInvalid) {
				t.Fatalf("Next: %v", err)
			}
			return
		}
		if err := rec.Validate(now); err != nil {
			t.Fatalf("a returned record is invalid: %v", err)
		}
		var buf bytes.Buffer
		w, _ := bulk.NewWriter(&buf, bulk.JSONL, bulk.Native)
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		back, err := bulk.NewReader(&buf, bulk.JSONL, bulk.Native)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := back.Next(); err != nil {
			t.Fatalf("a record does not read back: %v\n%s", err, buf.String())
		}
	}
}

func seeds(f *testing.F, names ...string) {
	for _, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadJSONL(f *testing.F) {
	seeds(f, "medusa_customers.jsonl")
	f.Add([]byte(`{"email":"a@example.com","addresses":[{"line1":"x","city":"y","country":"DE"}],"balances":[{"amount":"1.00","currency":"EUR"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, bulk.JSONL, bulk.Native)
		fuzzRead(t, data, bulk.JSONL, bulk.Medusa)
		fuzzRead(t, data, bulk.JSONL, bulk.Shopify)
	})
}

func FuzzReadCSV(f *testing.F) {
	seeds(f, "shopify_customers.csv", "medusa_customers.csv")
	f.Add([]byte("email,tags,metadata\na@example.com,\"x,y\",\"{\"\"k\"\":\"\"v\"\"}\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzRead(t, data, bulk.CSV, bulk.Native)
		fuzzRead(t, data, bulk.CSV, bulk.Shopify)
		fuzzRead(t, data, bulk.CSV, bulk.Medusa)
	})
}
