package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

// TestSmokeSQLite runs every operation of the harness on SQLite for a few
// calls per side and checks that both sides ran, that the table has a row
// per cell, and the round trips of the calls whose statements are fixed.
func TestSmokeSQLite(t *testing.T) {
	cfg, err := parseFlags([]string{"-engines", "sqlite", "-concurrency", "1,3", "-max-ops", "6", "-block", "3",
		"-duration", "0", "-customers", "60", "-guests", "3", "-accounts", "3", "-groups", "1"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out, progress bytes.Buffer
	results, err := run(context.Background(), cfg, &out, &progress)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, progress.String())
	}
	if want := 10 * 2; len(results) != want {
		t.Fatalf("%d results, want %d (10 operations at 2 concurrencies)\n%s", len(results), want, out.String())
	}
	// The hand-written statements, one call each (see hand.go); the
	// library's are left free to change.
	rawTrips := map[string]float64{"get": 1, "get_by_email": 1, "get_by_email_guest": 1, "list": 1,
		"register": 5, "create_guest": 5, "add_member": 4, "credit": 6, "debit": 6, "credit_hot": 6}
	for _, r := range results {
		if r.Err != "" {
			t.Errorf("%s c=%d: %s", r.Op, r.Concurrency, r.Err)
			continue
		}
		for side, s := range map[string]sideResult{"library": r.Library, "raw": r.Raw} {
			if s.Calls != 6 || s.OpsPerSec <= 0 || s.P50Micros <= 0 || s.TripsPerOp < 1 {
				t.Errorf("%s c=%d %s: %+v", r.Op, r.Concurrency, side, s)
			}
		}
		if want := rawTrips[r.Op]; r.Raw.TripsPerOp != want {
			t.Errorf("%s c=%d: raw round trips %v per call, want %v", r.Op, r.Concurrency, r.Raw.TripsPerOp, want)
		}
	}
	if rows := strings.Count(out.String(), "\n| sqlite |"); rows != len(results) {
		t.Errorf("%d table rows, want %d:\n%s", rows, len(results), out.String())
	}
}

// TestTrace checks that -trace prints the statements of both sides.
func TestTrace(t *testing.T) {
	cfg, err := parseFlags([]string{"-engines", "sqlite", "-trace", "-ops", "^get$", "-customers", "60",
		"-guests", "1", "-accounts", "1", "-groups", "1"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := run(context.Background(), cfg, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-- sqlite get library\nquery: SELECT", "-- sqlite get raw\nquery: SELECT"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("trace lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSkipsEnginesWithoutDSN checks the message for a server without a DSN.
func TestSkipsEnginesWithoutDSN(t *testing.T) {
	t.Setenv("CLIENTELE_POSTGRES_DSN", "")
	cfg, err := parseFlags([]string{"-engines", "postgres"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var progress bytes.Buffer
	results, err := run(context.Background(), cfg, io.Discard, &progress)
	if err != nil || len(results) != 0 || !strings.Contains(progress.String(), "postgres skipped: no DSN") {
		t.Fatalf("results %v, err %v, progress %q", results, err, progress.String())
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{1234567.4: "1,234,567", 123.4: "123", 12.34: "12.3", 1.234: "1.23"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}
