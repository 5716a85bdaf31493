package store_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func newAlarm(sessionID string) *aw.Alarm {
	return &aw.Alarm{
		SessionID:  sessionID,
		AccessCode: "4711",
		Cause:      aw.CauseExpired,
		State:      aw.AlarmEscalating,
		RaisedAt:   t0.Add(time.Hour),
		Ladder:     aw.NewLadder([]string{"201"}, "+31201234567"),
		Loop:       1,
	}
}

func TestAlarm(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s1 := mustCreateSession(t, db, newSession("dev1"))
		s2 := mustCreateSession(t, db, newSession("dev2"))
		fires := t0.Add(time.Hour)
		if _, err := db.UpdateSession(ctx, s1.ID, func(s *aw.Session) error {
			s.State, s.AlarmFiresAt = aw.SessionAlarmPending, &fires
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		a1, a2 := newAlarm(s1.ID), newAlarm(s2.ID)
		if err := db.CreateAlarm(ctx, a1); err != nil {
			t.Fatal(err)
		} else if err := db.CreateAlarm(ctx, a2); err != nil {
			t.Fatal(err)
		}
		if got, want := a1.Number, 101; got != want {
			t.Fatalf("first number %d, want %d", got, want)
		} else if got, want := a2.Number, 102; got != want {
			t.Fatalf("second number %d, want %d", got, want)
		}
		s, err := db.Session(ctx, s1.ID)
		if err != nil {
			t.Fatal(err)
		} else if s.State != aw.SessionAlarm || s.AlarmID != a1.ID || s.AlarmFiresAt != nil {
			t.Fatalf("session not updated: %+v", s)
		}
		got, err := db.AlarmByNumber(ctx, 102)
		if err != nil {
			t.Fatal(err)
		} else if got.ID != a2.ID || got.SessionID != s2.ID || got.AccessCode != "4711" {
			t.Fatalf("by number: %+v", got)
		}
		_, err = db.AlarmByNumber(ctx, 103)
		wantCode(t, err, aw.ENOTFOUND)
		_, err = db.Alarm(ctx, "nope")
		wantCode(t, err, aw.ENOTFOUND)

		list, err := db.Alarms(ctx, 0)
		if err != nil {
			t.Fatal(err)
		} else if len(list) != 2 || list[0].Number != 102 || list[1].Number != 101 {
			t.Fatalf("alarms not newest first: %d", len(list))
		}
		if list, _ := db.Alarms(ctx, 1); len(list) != 1 || list[0].Number != 102 {
			t.Fatal("limit not applied")
		}
	})

	t.Run("TestAlarmWithoutSession", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		a := newAlarm("")
		a.Cause, a.Test = aw.CauseTest, true
		if err := db.CreateAlarm(ctx, a); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(2 * time.Hour)
		if _, err := db.UpdateAlarm(ctx, a.ID, func(a *aw.Alarm) error {
			a.State, a.HandledAt = aw.AlarmHandled, &now
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("ErrSessionHasAlarm", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := mustCreateSession(t, db, newSession("dev1"))
		if err := db.CreateAlarm(ctx, newAlarm(s.ID)); err != nil {
			t.Fatal(err)
		}
		err := db.CreateAlarm(ctx, newAlarm(s.ID))
		wantCode(t, err, aw.ECONFLICT)
		// The refused alarm used no number.
		a := newAlarm("")
		if err := db.CreateAlarm(ctx, a); err != nil {
			t.Fatal(err)
		} else if a.Number != 102 {
			t.Fatalf("number %d, want 102", a.Number)
		}
	})

	t.Run("ErrSessionStopped", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := mustCreateSession(t, db, newSession("dev1"))
		if _, err := db.UpdateSession(ctx, s.ID, func(s *aw.Session) error {
			s.State = aw.SessionStopped
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CreateAlarm(ctx, newAlarm(s.ID)), aw.ECONFLICT)
		wantCode(t, db.CreateAlarm(ctx, newAlarm("nope")), aw.ENOTFOUND)
	})

	t.Run("HandledStopsSession", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := mustCreateSession(t, db, newSession("dev1"))
		a := newAlarm(s.ID)
		if err := db.CreateAlarm(ctx, a); err != nil {
			t.Fatal(err)
		}
		if open, _ := db.OpenAlarms(ctx); len(open) != 1 || open[0].ID != a.ID {
			t.Fatalf("open alarms %d, want 1", len(open))
		}
		accepted := t0.Add(61 * time.Minute)
		if _, err := db.UpdateAlarm(ctx, a.ID, func(a *aw.Alarm) error {
			a.Attempts = append(a.Attempts, aw.Attempt{Seq: 1, Loop: 1, Number: "201", StartedAt: t0.Add(time.Hour), Digits: "1", Outcome: aw.OutcomeAccepted})
			a.State, a.AcceptedBy, a.AcceptedAt = aw.AlarmAccepted, "201", &accepted
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if open, _ := db.OpenAlarms(ctx); len(open) != 0 {
			t.Fatalf("accepted alarm still open")
		}
		if got, _ := db.Session(ctx, s.ID); got.State != aw.SessionAlarm {
			t.Fatalf("session state %s before handled", got.State)
		}
		handled := t0.Add(90 * time.Minute)
		got, err := db.UpdateAlarm(ctx, a.ID, func(a *aw.Alarm) error {
			a.State, a.HandledBy, a.HandledAt = aw.AlarmHandled, "porter", &handled
			a.Number = 999 // ignored
			return nil
		})
		if err != nil {
			t.Fatal(err)
		} else if got.Number != 101 || len(got.Attempts) != 1 || got.Attempts[0].Outcome != aw.OutcomeAccepted {
			t.Fatalf("alarm %+v", got)
		}
		sess, err := db.Session(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		} else if sess.State != aw.SessionStopped || sess.StoppedAt == nil || !sess.StoppedAt.Equal(handled) {
			t.Fatalf("session not stopped: %+v", sess)
		}
		if open, _ := db.OpenSessions(ctx); len(open) != 0 {
			t.Fatal("session still open")
		}
		mustCreateSession(t, db, newSession("dev1")) // the device is free
	})

	t.Run("NumbersNeverReused", func(t *testing.T) {
		path := t.TempDir() + "/a.db"
		db := MustOpenPath(t, path)
		for i := 0; i < 3; i++ {
			if err := db.CreateAlarm(ctx, newAlarm("")); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		db = MustOpenPath(t, path)
		a := newAlarm("")
		if err := db.CreateAlarm(ctx, a); err != nil {
			t.Fatal(err)
		} else if a.Number != 104 {
			t.Fatalf("number after reopen %d, want 104", a.Number)
		}
	})
}
