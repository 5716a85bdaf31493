package alleenwerken_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/store"
)

// t0 is the fake clock's start: a Thursday afternoon.
var t0 = time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)

// MustOpenDB opens a real bbolt store in a temp dir.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "aw.db"), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// fakeTel is a scripted telephony: behaviour by number, recorded calls.
type fakeTel struct {
	mu      sync.Mutex
	script  map[string]string // number -> busy|no_answer|accept|accept_sms|decline|hold|down|voicemail
	calls   []aw.CallRequest
	hangups []string
	down    bool
	release chan struct{}
	once    sync.Once
}

func (f *fakeTel) releaseAll() { f.once.Do(func() { close(f.release) }) }

func newFakeTel(script map[string]string) *fakeTel {
	return &fakeTel{script: script, release: make(chan struct{})}
}

func (f *fakeTel) Health() aw.Health {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return aw.Health{State: aw.HealthDown, Reason: "test: down"}
	}
	return aw.Health{State: aw.HealthOK}
}

func (f *fakeTel) setDown(v bool) { f.mu.Lock(); f.down = v; f.mu.Unlock() }

func (f *fakeTel) Hangup(ctx context.Context, id string) error {
	f.mu.Lock()
	f.hangups = append(f.hangups, id)
	f.mu.Unlock()
	return nil
}

func (f *fakeTel) numbers() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []string
	for _, c := range f.calls {
		n = append(n, c.Number)
	}
	return n
}

func (f *fakeTel) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	f.mu.Lock()
	down := f.down
	if !down {
		f.calls = append(f.calls, req)
	}
	b := f.script[req.Number]
	f.mu.Unlock()
	if down {
		return aw.CallResult{}, fmt.Errorf("asterisk unreachable")
	}
	switch b {
	case "busy":
		return aw.CallResult{Outcome: aw.OutcomeBusy, Cause: 17, CauseText: "User busy"}, nil
	case "decline":
		return aw.CallResult{Outcome: aw.OutcomeDeclined, Cause: 21}, nil
	case "hold":
		p.Answered()
		select {
		case <-ctx.Done():
		case <-f.release:
		}
		return aw.CallResult{Outcome: aw.OutcomeFailed, Cause: 16, Reason: "hung up"}, nil
	case "voicemail":
		p.Answered()
		return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Cause: 16}, nil
	case "accept", "accept_sms":
		p.Answered()
		p.Digit("1")
		plan := p.Accepted()
		if plan.OfferSMS && b == "accept_sms" {
			p.SMSChoice("yes")
		} else if plan.OfferSMS {
			p.SMSChoice("no")
		}
		return aw.CallResult{Outcome: aw.OutcomeAccepted, Cause: 16}, nil
	case "accept_drop":
		p.Answered()
		p.Digit("1")
		p.Accepted()
		return aw.CallResult{Outcome: aw.OutcomeDeclined, Cause: 16}, nil
	}
	return aw.CallResult{Outcome: aw.OutcomeNoAnswer, Cause: 19, CauseText: "No answer"}, nil
}

// okSMS is an SMS health that is always ok.
type okSMS struct{}

func (okSMS) Health() aw.Health { return aw.Health{State: aw.HealthOK} }

// harness is a service on a real store with a manual clock and fake telephony.
type harness struct {
	db    *store.DB
	clock *aw.ManualClock
	tel   *fakeTel
	svc   *aw.Service
}

func newHarness(t *testing.T, tel *fakeTel, mod func(*aw.Settings)) *harness {
	t.Helper()
	h := &harness{db: MustOpenDB(t), clock: aw.NewManualClock(t0), tel: tel}
	set := aw.DefaultSettings()
	set.FallbackNumber = "0612000009"
	set.AdminNumbers = []string{"0612000099"}
	set.Extensions = []aw.Extension{{Number: "201", Name: "Portier"}}
	if mod != nil {
		mod(&set)
	}
	if err := h.db.SaveSettings(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	h.start(t)
	return h
}

func (h *harness) start(t *testing.T) {
	t.Helper()
	h.svc = aw.NewService(h.db, h.tel, h.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h.svc.SMS = okSMS{}
	if err := h.svc.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := h.svc
	t.Cleanup(func() { h.tel.releaseAll(); svc.Close() })
}

// eventually polls cond for up to 5 s of real time.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// settle waits until the scheduler and ladders are idle for a moment.
func settle() { time.Sleep(50 * time.Millisecond) }

func startSession(t *testing.T, h *harness, numbers []string, minutes int) *aw.Session {
	t.Helper()
	v, err := h.svc.StartSession(context.Background(), "dev1", aw.SessionStart{
		Worker:       aw.Worker{Name: "Laura van Dijk", Phone: "0617782201"},
		AlarmNumbers: numbers, DurationMinutes: minutes, Description: "meterkast",
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	return v.Session
}

func alarmOf(t *testing.T, h *harness, sessionID string) *aw.Alarm {
	t.Helper()
	s, err := h.db.Session(context.Background(), sessionID)
	if err != nil || s.AlarmID == "" {
		return nil
	}
	a, err := h.db.Alarm(context.Background(), s.AlarmID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func smsOf(t *testing.T, h *harness, kind aw.SMSKind) []*aw.SMS {
	t.Helper()
	all, err := h.db.ListSMS(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []*aw.SMS
	for _, m := range all {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}
