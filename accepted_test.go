package alleenwerken_test

import (
	"context"
	"slices"
	"strings"
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

// unhandledSMS returns the reminders of accepted, unhandled alarms, oldest
// first.
func unhandledSMS(t *testing.T, h *harness) []*aw.SMS {
	t.Helper()
	got := smsOf(t, h, aw.SMSUnhandled)
	slices.Reverse(got)
	return got
}

// The reminder of an accepted alarm nobody handles: after the setting
// (30 min), again every 30 min, until it is handled; its timer is armed
// again from the stored alarm after a restart.
func TestUnhandledReminder(t *testing.T) {
	ctx := context.Background()

	t.Run("AfterTheSettingAndEvery30MinUntilHandled", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(map[string]string{"201": "accept"}), nil)
		_, a := acceptedAlarm(t, h)
		if !a.AcceptedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("accepted at %v", a.AcceptedAt)
		}
		if due, ok := h.svc.Scheduler().Armed("unhandled:" + a.ID); !ok || !due.Equal(t0.Add(31*time.Minute)) {
			t.Fatalf("first reminder armed %v at %v, want 30 min after acceptance", ok, due)
		}
		h.clock.Advance(29*time.Minute + 59*time.Second)
		settle()
		if n := len(unhandledSMS(t, h)); n != 0 {
			t.Fatalf("reminders after 29:59 = %d", n)
		}
		h.clock.Advance(time.Second)
		testkit.Eventually(t, "first reminder at 30 min", func() bool { return len(unhandledSMS(t, h)) == 1 })
		m := unhandledSMS(t, h)[0]
		// The desk phone accepted: only the admin, with the desk phone's name.
		want := "Alleen Werken #101: aangenomen om 15:01 door 201 Portier, nog niet afgehandeld. Is de medewerker geholpen? Sluit de melding af: https://alleenwerken.local/m/"
		if m.To != admn || !strings.HasPrefix(m.Text, want) || m.AlarmID != a.ID {
			t.Fatalf("reminder to %s: %q", m.To, m.Text)
		}
		if m.CreatedAt.Sub(*a.AcceptedAt) != 30*time.Minute {
			t.Fatalf("first reminder %v after acceptance", m.CreatedAt.Sub(*a.AcceptedAt))
		}
		h.clock.Advance(29 * time.Minute)
		settle()
		if n := len(unhandledSMS(t, h)); n != 1 {
			t.Fatalf("reminders 29 min after the first = %d", n)
		}
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "second reminder 30 min after the first", func() bool { return len(unhandledSMS(t, h)) == 2 })
		if got := unhandledSMS(t, h); got[1].CreatedAt.Sub(got[0].CreatedAt) != 30*time.Minute || got[0].Text == got[1].Text {
			t.Fatalf("second reminder %v after the first; same link: %v", got[1].CreatedAt.Sub(got[0].CreatedAt), got[0].Text == got[1].Text)
		}
		testkit.Eventually(t, "stored: 2 reminders, the last at 61 min", func() bool {
			got := alarmOf(t, h, a.SessionID)
			return got.UnhandledReminders == 2 && got.UnhandledRemindedAt.Equal(t0.Add(61*time.Minute))
		})
		if _, err := h.svc.HandleAlarm(ctx, a.ID, "Jan", "geholpen"); err != nil {
			t.Fatal(err)
		}
		if _, ok := h.svc.Scheduler().Armed("unhandled:" + a.ID); ok {
			t.Fatal("reminder still armed after handling")
		}
		h.clock.Advance(2 * time.Hour)
		settle()
		if n := len(unhandledSMS(t, h)); n != 2 {
			t.Fatalf("reminders after handling = %d, want still 2", n)
		}
	})

	t.Run("MobileAcceptorAndAdminsEachTheirOwnLink", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(map[string]string{numC: "accept"}), func(s *aw.Settings) {
			s.AdminNumbers = []string{"0612000099", "0612000098"}
			s.UnhandledReminder = 10 * time.Minute
		})
		s := startSession(t, h, []string{numC, numB}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "accepted", func() bool { a := alarmOf(t, h, s.ID); return a != nil && a.State == aw.AlarmAccepted })
		h.clock.Advance(10 * time.Minute)
		testkit.Eventually(t, "three reminders", func() bool { return len(unhandledSMS(t, h)) == 3 })
		links := map[string]bool{}
		var to []string
		for _, m := range unhandledSMS(t, h) {
			to = append(to, m.To)
			link := m.Text[strings.LastIndex(m.Text, " ")+1:]
			tok := strings.TrimPrefix(link, "https://alleenwerken.local/m/")
			if links[tok] || !strings.Contains(m.Text, "door "+numC+",") {
				t.Fatalf("reminder %q: link reused or acceptor missing", m.Text)
			}
			links[tok] = true
			if got, err := h.db.AlarmByInfoToken(ctx, tok, h.clock.Now()); err != nil || got.ID != alarmOf(t, h, s.ID).ID {
				t.Fatalf("link of %s opens %v, %v", m.To, got, err)
			}
		}
		if got, want := strings.Join(sorted(to), " "), "+31612000003 +31612000098 +31612000099"; got != want {
			t.Fatalf("reminded %s, want %s", got, want)
		}
	})

	t.Run("RearmedAfterRestart", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(map[string]string{"201": "accept"}), nil)
		_, a := acceptedAlarm(t, h)
		h.clock.Advance(30 * time.Minute)
		testkit.Eventually(t, "first reminder marked", func() bool { return alarmOf(t, h, a.SessionID).UnhandledReminders == 1 })
		// The daemon stops for 10 minutes and starts again: the second
		// reminder is armed from the stored alarm, 30 min after the first.
		h.svc.Close()
		h.clock.Advance(10 * time.Minute)
		h.start(t)
		if due, ok := h.svc.Scheduler().Armed("unhandled:" + a.ID); !ok || !due.Equal(t0.Add(61*time.Minute)) {
			t.Fatalf("after restart armed %v at %v, want %v", ok, due, t0.Add(61*time.Minute))
		}
		h.clock.Advance(20 * time.Minute)
		testkit.Eventually(t, "second reminder after the restart", func() bool { return alarmOf(t, h, a.SessionID).UnhandledReminders == 2 })
		// Down across the next due time: it goes out at once at start-up,
		// and the one after 30 min later.
		h.svc.Close()
		h.clock.Advance(45 * time.Minute)
		h.start(t)
		testkit.Eventually(t, "third reminder right after start-up", func() bool { return alarmOf(t, h, a.SessionID).UnhandledReminders == 3 })
		if got := unhandledSMS(t, h)[2].CreatedAt; !got.Equal(t0.Add(106 * time.Minute)) {
			t.Fatalf("third reminder at %v", got)
		}
		testkit.Eventually(t, "the fourth armed 30 min after the third", func() bool {
			due, ok := h.svc.Scheduler().Armed("unhandled:" + a.ID)
			return ok && due.Equal(t0.Add(136*time.Minute))
		})
	})

	t.Run("NobodyToRemind", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(map[string]string{"201": "accept"}), func(s *aw.Settings) { s.AdminNumbers = nil })
		_, a := acceptedAlarm(t, h)
		h.clock.Advance(30 * time.Minute)
		testkit.Eventually(t, "the reminder's turn passed", func() bool { return alarmOf(t, h, a.SessionID).UnhandledReminders == 1 })
		if n := len(unhandledSMS(t, h)); n != 0 {
			t.Fatalf("reminders = %d, want none (desk phone, no admins)", n)
		}
	})
}
