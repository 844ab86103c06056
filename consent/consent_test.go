package consent_test

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/clientele-go/clientele/consent"
)

var at = time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)

func valid(s consent.Status) consent.Record {
	r := consent.Record{ID: uuid.New(), CustomerID: uuid.New(), Channel: consent.Email, Purpose: consent.Marketing,
		Status: s, At: at, Actor: "staff:ana", Evidence: consent.Evidence{Source: "checkout", WordingVersion: "v1"}}
	if s == consent.Pending {
		r.TokenHash = sha256.Sum256([]byte("x"))
		r.ExpiresAt = at.Add(time.Hour)
	}
	return r
}

func TestValidate(t *testing.T) {
	for _, s := range consent.Statuses() {
		if err := valid(s).Validate(); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	confirming := valid(consent.Granted)
	confirming.TokenHash, confirming.Confirms = sha256.Sum256([]byte("x")), uuid.New()
	if err := confirming.Validate(); err != nil {
		t.Errorf("a confirming grant: %v", err)
	}
	bad := map[string]func(*consent.Record){
		"no id":             func(r *consent.Record) { r.ID = uuid.Nil },
		"no customer":       func(r *consent.Record) { r.CustomerID = uuid.Nil },
		"channel":           func(r *consent.Record) { r.Channel = 0 },
		"purpose":           func(r *consent.Record) { r.Purpose = 4 },
		"status":            func(r *consent.Record) { r.Status = 9 },
		"time":              func(r *consent.Record) { r.At = time.Time{} },
		"source":            func(r *consent.Record) { r.Source = "" },
		"source slug":       func(r *consent.Record) { r.Source = "Ada Lovelace" },
		"ip":                func(r *consent.Record) { r.IP = "300.1.1.1" },
		"ip zone":           func(r *consent.Record) { r.IP = "fe80::1%eth0" },
		"note control":      func(r *consent.Record) { r.Note = "a\x00b" },
		"token on withdraw": func(r *consent.Record) { r.Status = consent.Withdrawn; r.TokenHash[0] = 1 },
		"confirms withdraw": func(r *consent.Record) { r.Status = consent.Withdrawn; r.Confirms = uuid.New() },
		"pending no token":  func(r *consent.Record) { r.Status = consent.Pending },
	}
	for name, mutate := range bad {
		r := valid(consent.Granted)
		mutate(&r)
		err := r.Validate()
		if !errors.Is(err, consent.ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	p := valid(consent.Pending)
	p.ExpiresAt = p.At
	if err := p.Validate(); !errors.Is(err, consent.ErrInvalid) {
		t.Errorf("expiry at the request's time: %v", err)
	}
}

func TestNewStateAndLater(t *testing.T) {
	id := uuid.New()
	a := valid(consent.Granted)
	a.CustomerID, a.Seq = id, 1
	b := a
	b.Status, b.Seq, b.At = consent.Withdrawn, 2, at.Add(-time.Second) // appended later, made earlier
	c := a
	c.Channel, c.Seq = consent.Post, 3
	st := consent.NewState(id, []consent.Record{c, b, a})
	if len(st.Latest) != 2 || st.Latest[0].Seq != 1 || st.Latest[1].Seq != 3 {
		t.Fatalf("state %+v", st.Latest)
	}
	if !st.Granted(consent.Email, consent.Marketing) || st.Granted(consent.SMS, consent.Marketing) {
		t.Error("Granted")
	}
	b.At = a.At
	if !consent.Later(b, a) || consent.Later(a, b) {
		t.Error("at the same time the higher Seq is later")
	}
	if len(consent.Pairs()) != 12 {
		t.Error("4 channels × 3 purposes")
	}
}

func TestAnonymized(t *testing.T) {
	r := valid(consent.Granted)
	r.IP, r.UserAgent, r.Note = "192.0.2.1", "ua", "note"
	a := r.Anonymized()
	if a.IP != "" || a.UserAgent != "" || a.Note != "" {
		t.Errorf("personal values kept: %+v", a)
	}
	a.IP, a.UserAgent, a.Note = r.IP, r.UserAgent, r.Note
	if a != r {
		t.Error("the proof changed")
	}
}

func TestEnumsJSON(t *testing.T) {
	b, err := json.Marshal(consent.Pair{Channel: consent.SMS, Purpose: consent.Transactional})
	if err != nil || string(b) != `{"channel":"sms","purpose":"transactional"}` {
		t.Fatalf("%s %v", b, err)
	}
	var p consent.Pair
	if err := json.Unmarshal([]byte(`{"channel":" PUSH ","purpose":"newsletter"}`), &p); err != nil || p.Channel != consent.Push {
		t.Fatalf("%+v %v", p, err)
	}
	if err := json.Unmarshal([]byte(`{"channel":"fax"}`), &p); !errors.Is(err, consent.ErrInvalid) {
		t.Errorf("fax: %v", err)
	}
	if _, err := json.Marshal(consent.Channel(0)); err == nil {
		t.Error("the zero channel marshals")
	}
}
