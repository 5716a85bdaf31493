package alleenwerken_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

// t0 is the fake clock's start: a Thursday afternoon.
var t0 = time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)

// harness is a service on a real store with a manual clock and fake telephony.
type harness struct {
	db    *store.DB
	clock *aw.ManualClock
	tel   *testkit.Telephony
	svc   *aw.Service
}

func newHarness(t *testing.T, tel *testkit.Telephony, mod func(*aw.Settings)) *harness {
	t.Helper()
	h := &harness{db: testkit.MustOpenDB(t), clock: aw.NewManualClock(t0), tel: tel}
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
	h.svc.SMS = testkit.NewHealth(aw.HealthOK, "")
	if err := h.svc.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := h.svc
	t.Cleanup(func() { h.tel.Release(); svc.Close() })
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
