package store_test

import (
	"context"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	aw "alleenwerken"
	"alleenwerken/store"
)

// The messages of one alarm, oldest first, for its information page: a
// state change keeps a message listed once, another alarm's and reminders
// are not listed, a purge removes them, and a file from before the index is
// indexed when it is opened.
func TestAlarmSMS(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/aw.db"
	db := MustOpenPath(t, path)
	enqueue := func(kind aw.SMSKind, alarmID, session string, at time.Time) *aw.SMS {
		m := &aw.SMS{Kind: kind, To: "+31612345678", Text: "x", CreatedAt: at, AlarmID: alarmID, SessionID: session}
		if err := db.EnqueueSMS(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	second := enqueue(aw.SMSResponder, "A", "s1", t0.Add(2*time.Minute))
	first := enqueue(aw.SMSAlarm, "A", "s1", t0.Add(time.Minute))
	enqueue(aw.SMSAlarm, "B", "s2", t0)
	enqueue(aw.SMSReminder, "", "s1", t0)
	test := enqueue(aw.SMSAlarm, "T", "", t0) // a test alarm has no session
	ids := func(alarmID string) []string {
		t.Helper()
		ms, err := db.AlarmSMS(ctx, alarmID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	if got := ids("A"); len(got) != 2 || got[0] != first.ID || got[1] != second.ID {
		t.Fatalf("alarm A: %v, want %s then %s", got, first.ID, second.ID)
	}
	sent := t0.Add(3 * time.Minute)
	if _, err := db.UpdateSMS(ctx, first.ID, func(m *aw.SMS) error {
		m.State, m.SentAt, m.Delivery = aw.SMSSent, &sent, aw.DeliveryDelivered
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ms, _ := db.AlarmSMS(ctx, "A")
	if len(ms) != 2 || ms[0].Delivery != aw.DeliveryDelivered || ms[0].State != aw.SMSSent {
		t.Fatalf("after the update: %+v", ms)
	}
	if got := ids("T"); len(got) != 1 || got[0] != test.ID {
		t.Fatalf("test alarm: %v", got)
	}
	if got := ids(""); len(got) != 0 {
		t.Fatalf("no alarm id: %v", got)
	}

	// A file from before the index: the bucket is gone, and opening builds it.
	db.Close()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := bdb.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("SMS.Alarm")) }); err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	db, err = store.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := ids("A"); len(got) != 2 || got[0] != first.ID || got[1] != second.ID {
		t.Fatalf("alarm A after indexing the old file: %v", got)
	}
	if got := ids("B"); len(got) != 1 {
		t.Fatalf("alarm B after indexing the old file: %v", got)
	}
	if err := db.PurgeSessionSMS(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if got := ids("A"); len(got) != 0 {
		t.Fatalf("after the purge: %v", got)
	}
}
