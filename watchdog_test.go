package alleenwerken_test

import (
	"context"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestWatchdog(t *testing.T) {
	ctx := context.Background()
	nums := []string{numA, numB}

	t.Run("ReminderAtExpiryMinusLead", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 60)
		if s.ReminderAt == nil || !s.ReminderAt.Equal(t0.Add(55*time.Minute)) {
			t.Fatalf("reminder_at = %v", s.ReminderAt)
		}
		h.clock.Advance(55*time.Minute - time.Second)
		settle()
		if n := len(smsOf(t, h, aw.SMSReminder)); n != 0 {
			t.Fatalf("reminder too early: %d", n)
		}
		h.clock.Advance(time.Second)
		testkit.Eventually(t, "reminder", func() bool { return len(smsOf(t, h, aw.SMSReminder)) == 1 })
		m := smsOf(t, h, aw.SMSReminder)[0]
		// 15:00 UTC is 16:00 in Amsterdam in November.
		if m.To != "+31617782201" || !strings.Contains(m.Text, "je timer loopt om 16:00 af") || m.Deadline == nil || !m.Deadline.Equal(s.ExpiresAt) {
			t.Fatalf("reminder = %+v", m)
		}
	})

	t.Run("NoReminderWhenShorterThanLead", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 5)
		if s.ReminderAt != nil {
			t.Fatalf("reminder_at = %v", s.ReminderAt)
		}
		h.clock.Advance(4 * time.Minute)
		settle()
		if n := len(smsOf(t, h, aw.SMSReminder)); n != 0 {
			t.Fatalf("reminders = %d", n)
		}
	})

	t.Run("ExtendRearmsAndCancelsQueuedReminder", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 10)
		h.clock.Advance(5 * time.Minute)
		testkit.Eventually(t, "reminder", func() bool { return len(smsOf(t, h, aw.SMSReminder)) == 1 })
		v, err := h.svc.ExtendSession(ctx, "dev1", s.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		if want := t0.Add(40 * time.Minute); !v.Session.ExpiresAt.Equal(want) || !v.Session.ReminderAt.Equal(want.Add(-5*time.Minute)) {
			t.Fatalf("expires %v reminder %v", v.Session.ExpiresAt, v.Session.ReminderAt)
		}
		if got := smsOf(t, h, aw.SMSReminder)[0].State; got != aw.SMSCancelled {
			t.Fatalf("old reminder state = %s", got)
		}
		h.clock.Advance(6 * time.Minute) // the old expiry passes: no alarm
		settle()
		if a := alarmOf(t, h, s.ID); a != nil {
			t.Fatalf("alarm at the old expiry")
		}
		h.clock.Advance(24 * time.Minute)
		testkit.Eventually(t, "new reminder", func() bool { return len(smsOf(t, h, aw.SMSReminder)) == 2 })
		h.clock.Advance(5 * time.Minute)
		testkit.Eventually(t, "alarm at the new expiry", func() bool { return alarmOf(t, h, s.ID) != nil })
	})

	t.Run("StopCancelsTimersAndPurges", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 10)
		h.clock.Advance(5 * time.Minute)
		testkit.Eventually(t, "reminder", func() bool { return len(smsOf(t, h, aw.SMSReminder)) == 1 })
		v, err := h.svc.StopSession(ctx, "dev1", s.ID)
		if err != nil || v.Session.State != aw.SessionStopped || v.Session.Worker.Name == "" {
			t.Fatalf("stop = %+v, %v", v, err)
		}
		if n := len(smsOf(t, h, aw.SMSReminder)); n != 0 {
			t.Fatalf("SMS records left after stop: %d", n)
		}
		got, _ := h.db.Session(ctx, s.ID)
		if got.Worker.Name != "" || got.Description != "" || len(got.AlarmNumbers) != 0 || !got.StartedAt.IsZero() {
			t.Fatalf("personal data kept after stop: %+v", got)
		}
		h.clock.Advance(time.Hour)
		settle()
		if len(h.tel.Numbers()) != 0 || h.svc.Scheduler().Len() != 1 { // only housekeeping
			t.Fatalf("calls %d timers %d after stop", len(h.tel.Numbers()), h.svc.Scheduler().Len())
		}
		if _, err := h.svc.StopSession(ctx, "dev1", s.ID); aw.ErrorCode(err) != aw.ECONFLICT {
			t.Fatalf("second stop: %v", err)
		}
	})

	t.Run("ManualAlarmAfterCancelWindow", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 60)
		v, err := h.svc.PressAlarm(ctx, "dev1", s.ID)
		if err != nil || v.Session.State != aw.SessionAlarmPending || !v.Session.AlarmFiresAt.Equal(t0.Add(10*time.Second)) {
			t.Fatalf("press = %+v, %v", v, err)
		}
		h.clock.Advance(5 * time.Second)
		if v, err := h.svc.PressAlarm(ctx, "dev1", s.ID); err != nil || !v.Session.AlarmFiresAt.Equal(t0.Add(10*time.Second)) {
			t.Fatalf("second press changed the window: %+v, %v", v, err)
		}
		settle()
		if alarmOf(t, h, s.ID) != nil {
			t.Fatal("alarm inside the window")
		}
		h.clock.Advance(5 * time.Second)
		testkit.Eventually(t, "alarm", func() bool { a := alarmOf(t, h, s.ID); return a != nil && len(a.Attempts) > 0 })
		if a := alarmOf(t, h, s.ID); a.Cause != aw.CauseManual {
			t.Fatalf("cause = %s", a.Cause)
		}
		if _, err := h.svc.CancelAlarm(ctx, "dev1", s.ID); aw.ErrorCode(err) != aw.ECONFLICT {
			t.Fatalf("cancel after window: %v", err)
		}
		if _, err := h.svc.StopSession(ctx, "dev1", s.ID); aw.ErrorCode(err) != aw.ECONFLICT {
			t.Fatalf("stop in alarm: %v", err)
		}
	})

	t.Run("CancelInsideWindow", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 60)
		h.svc.PressAlarm(ctx, "dev1", s.ID)
		h.clock.Advance(9 * time.Second)
		v, err := h.svc.CancelAlarm(ctx, "dev1", s.ID)
		if err != nil || v.Session.State != aw.SessionActive || v.Session.AlarmFiresAt != nil {
			t.Fatalf("cancel = %+v, %v", v, err)
		}
		h.clock.Advance(time.Minute)
		settle()
		if alarmOf(t, h, s.ID) != nil {
			t.Fatal("alarm after cancel")
		}
	})

	t.Run("RestartRearmsAndFiresWhatCameDue", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s1 := startSession(t, h, nums, 60)
		h.svc.Close()
		// The daemon is down for two hours: the timer expired meanwhile.
		h.clock.Advance(2 * time.Hour)
		h.start(t)
		testkit.Eventually(t, "alarm right after start-up", func() bool { a := alarmOf(t, h, s1.ID); return a != nil && len(a.Attempts) > 0 })
		if a := alarmOf(t, h, s1.ID); a.Cause != aw.CauseExpired || a.RaisedAt.Before(t0.Add(2*time.Hour)) {
			t.Fatalf("alarm = %+v", a)
		}
	})

	t.Run("RestartKeepsFutureTimers", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 60)
		h.svc.Close()
		h.start(t)
		if due, ok := h.svc.Scheduler().Armed("reminder:" + s.ID); !ok || !due.Equal(t0.Add(55*time.Minute)) {
			t.Fatalf("reminder armed %v at %v", ok, due)
		}
		if due, ok := h.svc.Scheduler().Armed("expire:" + s.ID); !ok || !due.Equal(t0.Add(60*time.Minute)) {
			t.Fatalf("expiry armed %v at %v", ok, due)
		}
	})

	t.Run("RevokedDeviceKeepsSessionArmed", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		_, hash := aw.NewToken("aw_")
		d := &aw.Device{Name: "telefoon", TokenHash: hash, CreatedAt: t0}
		if err := h.db.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
		v, err := h.svc.StartSession(ctx, d.ID, aw.SessionStart{Worker: aw.Worker{Name: "Laura", Phone: "0617782201"}, AlarmNumbers: nums, DurationMinutes: 1}, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := h.db.RevokeDevice(ctx, d.ID, t0); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "alarm of a revoked device's session", func() bool { return alarmOf(t, h, v.Session.ID) != nil })
	})

	t.Run("OtherDeviceSeesNotFound", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil)
		s := startSession(t, h, nums, 60)
		if _, err := h.svc.GetSession(ctx, "dev2", s.ID); aw.ErrorCode(err) != aw.ENOTFOUND {
			t.Fatalf("other device: %v", err)
		}
	})
}
