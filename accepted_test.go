package alleenwerken_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// acceptedAlarm starts a session of dev1 whose alarm is accepted by the
// desk phone 201, and returns the session and the alarm.
func acceptedAlarm(t *testing.T, h *harness) (*aw.Session, *aw.Alarm) {
	t.Helper()
	s := startSession(t, h, []string{"201", numB}, 1)
	h.clock.Advance(time.Minute)
	testkit.Eventually(t, "accepted", func() bool { a := alarmOf(t, h, s.ID); return a != nil && a.State == aw.AlarmAccepted })
	testkit.Eventually(t, "ladder ended", func() bool { return !h.svc.Escalator().Running(alarmOf(t, h, s.ID).ID) })
	return s, alarmOf(t, h, s.ID)
}

// An accepted alarm frees the device: the worker may start again, and the
// old alarm stays open (accepted, listed) until a responder handles it.
func TestAcceptedAlarmFreesDevice(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, testkit.NewTelephony(map[string]string{"201": "accept"}), nil)
	old, a := acceptedAlarm(t, h)
	v, err := h.svc.StartSession(ctx, "dev1", aw.SessionStart{
		Worker:       aw.Worker{Name: "Laura van Dijk", Phone: "0617782201"},
		AlarmNumbers: []string{numA, numB}, DurationMinutes: 60,
	}, "")
	if err != nil {
		t.Fatalf("new start after acceptance: %v", err)
	}
	if v.Session.ID == old.ID || v.Session.State != aw.SessionActive {
		t.Fatalf("new session = %+v", v.Session)
	}
	// A third start is refused: the new session holds the device.
	if _, err := h.svc.StartSession(ctx, "dev1", aw.SessionStart{
		Worker: aw.Worker{Name: "Laura", Phone: "0617782201"}, AlarmNumbers: []string{numA, numB}, DurationMinutes: 60,
	}, ""); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("third start: %v, want conflict", err)
	}
	// The old session still answers, and its location can still be updated.
	got, err := h.svc.GetSession(ctx, "dev1", old.ID)
	if err != nil || got.Session.State != aw.SessionAlarm || got.Alarm.State != aw.AlarmAccepted {
		t.Fatalf("old session = %+v, %v", got, err)
	}
	if err := h.svc.UpdateLocation(ctx, "dev1", old.ID, aw.Location{Lat: 52, Lon: 5, At: t0}); err != nil {
		t.Fatalf("location on the old session: %v", err)
	}
	if open, err := h.db.UnhandledAlarms(ctx); err != nil || len(open) != 1 || open[0].ID != a.ID {
		t.Fatalf("unhandled alarms = %v, %v", open, err)
	}
	// Handling the old alarm stops the old session only.
	if _, err := h.svc.HandleAlarm(ctx, a.ID, "Jan", "geholpen"); err != nil {
		t.Fatal(err)
	}
	if s, _ := h.db.Session(ctx, v.Session.ID); s.State != aw.SessionActive {
		t.Fatalf("new session after handling the old alarm: %s", s.State)
	}
	if open, _ := h.db.UnhandledAlarms(ctx); len(open) != 0 {
		t.Fatalf("unhandled after handling = %d", len(open))
	}
}
