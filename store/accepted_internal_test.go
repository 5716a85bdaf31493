package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// A file written before an accepted alarm freed its device, and before the
// unhandled index: its accepted alarms are indexed at the first open, and
// the device whose alarm was accepted may start again although the old
// index entry still names its session.
func TestAcceptedBeforeUpgrade(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aw.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)
	var sessionID string
	states := []aw.AlarmState{aw.AlarmAccepted, aw.AlarmHandled, aw.AlarmEscalating, aw.AlarmAccepted}
	for i, st := range states {
		s := &aw.Session{DeviceID: "dev" + string(rune('a'+i)), State: aw.SessionActive, StartedAt: now, ExpiresAt: now}
		if _, _, err := db.CreateSession(ctx, s, "", now); err != nil {
			t.Fatal(err)
		}
		a := &aw.Alarm{SessionID: s.ID, State: aw.AlarmEscalating, Loop: 1, RaisedAt: now,
			Ladder: aw.NewLadder([]string{"+31612000001"}, "")}
		if err := db.CreateAlarm(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateAlarm(ctx, a.ID, func(x *aw.Alarm) error {
			x.State = st
			if st == aw.AlarmHandled {
				x.HandledAt = &now
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			sessionID = s.ID
		}
	}
	// As an older version left it: no unhandled index, and the device
	// index still naming the session whose alarm was accepted.
	if err := db.update(ctx, func(tx *bolt.Tx) error {
		if err := tx.Bucket(sessionsDeviceBucket).Put([]byte("deva"), []byte(sessionID)); err != nil {
			return err
		}
		return tx.DeleteBucket(alarmsUnhandledBucket)
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db, err = Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.UnhandledAlarms(ctx)
	if err != nil || len(got) != 3 {
		t.Fatalf("unhandled = %d, %v; want 3", len(got), err)
	}
	for i, want := range []aw.AlarmState{aw.AlarmAccepted, aw.AlarmEscalating, aw.AlarmAccepted} {
		if got[i].State != want || (i > 0 && got[i].Number < got[i-1].Number) {
			t.Fatalf("unhandled[%d] = #%d %s", i, got[i].Number, got[i].State)
		}
	}
	s := &aw.Session{DeviceID: "deva", State: aw.SessionActive, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	if _, _, err := db.CreateSession(ctx, s, "", now); err != nil {
		t.Fatalf("start after an accepted alarm stored by an older version: %v", err)
	}
	// The escalating alarm's session (devc) still holds its device.
	s = &aw.Session{DeviceID: "devc", State: aw.SessionActive, StartedAt: now, ExpiresAt: now.Add(time.Hour)}
	if _, _, err := db.CreateSession(ctx, s, "", now); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("start while the alarm escalates: %v, want conflict", err)
	}
}

// The reminders of an accepted alarm are stored on it and read back after
// the file is opened again (the timer is armed again from them).
func TestUnhandledReminderStored(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aw.db")
	db, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 26, 14, 31, 0, 0, time.UTC)
	a := &aw.Alarm{State: aw.AlarmAccepted, Loop: 1, AcceptedAt: &at, Ladder: aw.NewLadder([]string{"201"}, "")}
	if err := db.CreateAlarm(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateAlarm(ctx, a.ID, func(x *aw.Alarm) error {
		x.UnhandledReminders, x.UnhandledRemindedAt = 2, &at
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err = Open(path, nil); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Alarm(ctx, a.ID)
	if err != nil || got.UnhandledReminders != 2 || !got.UnhandledRemindedAt.Equal(at) {
		t.Fatalf("read back %+v, %v", got, err)
	}
	var raw map[string]any
	db.view(ctx, func(tx *bolt.Tx) error { return json.Unmarshal(tx.Bucket(alarmsBucket).Get([]byte(a.ID)), &raw) })
	if raw["unhandled_reminders"] != 2.0 || raw["unhandled_reminded_at"] != "2026-11-26T14:31:00Z" {
		t.Fatalf("stored JSON %v", raw)
	}
}
