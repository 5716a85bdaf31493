package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

// mustEnqueue queues an SMS of kind created at t or fails the test.
func mustEnqueue(tb testing.TB, db *store.DB, kind aw.SMSKind, sessionID string, t time.Time) *aw.SMS {
	tb.Helper()
	m := &aw.SMS{Kind: kind, To: "+31612345678", Text: "Test", CreatedAt: t, SessionID: sessionID}
	if err := db.EnqueueSMS(context.Background(), m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestOutbox(t *testing.T) {
	ctx := context.Background()

	t.Run("ClaimOrder", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		var reminders []*aw.SMS
		for i := 0; i < 50; i++ {
			reminders = append(reminders, mustEnqueue(t, db, aw.SMSReminder, "", t0.Add(time.Duration(50-i)*time.Second)))
		}
		alarm := mustEnqueue(t, db, aw.SMSAlarm, "", t0.Add(time.Hour))
		now := t0.Add(2 * time.Hour)
		m, err := db.ClaimSMS(ctx, now, "modem0")
		if err != nil {
			t.Fatal(err)
		} else if m.ID != alarm.ID || m.State != aw.SMSSending || m.Modem != "modem0" || m.Tries != 1 {
			t.Fatalf("first claim %+v, want the alarm SMS", m)
		}
		for i := 49; i >= 0; i-- {
			m, err := db.ClaimSMS(ctx, now, "modem0")
			if err != nil {
				t.Fatal(err)
			} else if m == nil || m.ID != reminders[i].ID {
				t.Fatalf("claim %d: got %v, want reminder created at %s", 50-i, m, reminders[i].CreatedAt)
			}
		}
		if m, err := db.ClaimSMS(ctx, now, "modem0"); err != nil || m != nil {
			t.Fatalf("empty queue: %v %v", m, err)
		}
		stored, _ := db.ListSMS(ctx, 0)
		if len(stored) != 51 || stored[0].ID != alarm.ID || stored[1].ID != reminders[0].ID {
			t.Fatal("ListSMS not newest first")
		}
		if list, _ := db.ListSMS(ctx, 5); len(list) != 5 {
			t.Fatalf("limit: %d", len(list))
		}
	})

	t.Run("NextTryAt", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		m := mustEnqueue(t, db, aw.SMSResponder, "", t0)
		got, err := db.ClaimSMS(ctx, t0, "modem0")
		if err != nil || got == nil {
			t.Fatal(got, err)
		}
		// A recoverable failure: back to queued, retry in a minute.
		retry := t0.Add(time.Minute)
		if _, err := db.UpdateSMS(ctx, m.ID, func(m *aw.SMS) error {
			m.State, m.NextTryAt, m.LastError = aw.SMSQueued, &retry, "geen netwerk"
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got, err := db.ClaimSMS(ctx, t0.Add(59*time.Second), "modem0"); err != nil || got != nil {
			t.Fatalf("claimed before NextTryAt: %v %v", got, err)
		}
		got, err = db.ClaimSMS(ctx, retry, "modem1")
		if err != nil || got == nil || got.ID != m.ID || got.Tries != 2 || got.Modem != "modem1" {
			t.Fatalf("retry claim: %+v %v", got, err)
		}
		sent := retry.Add(time.Second)
		if _, err := db.UpdateSMS(ctx, m.ID, func(m *aw.SMS) error {
			m.State, m.SentAt, m.Refs = aw.SMSSent, &sent, []int{17}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ClaimSMS(ctx, sent.Add(time.Hour), "modem0"); got != nil {
			t.Fatal("sent message claimed again")
		}
		_, err = db.UpdateSMS(ctx, "nope", func(*aw.SMS) error { return nil })
		wantCode(t, err, aw.ENOTFOUND)
	})

	t.Run("ConcurrentClaimers", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		const n, workers = 200, 8
		for i := 0; i < n; i++ {
			mustEnqueue(t, db, aw.SMSKind([]string{"alarm", "reminder"}[i%2]), "", t0.Add(time.Duration(i)*time.Millisecond))
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(modem string) {
				defer wg.Done()
				for {
					m, err := db.ClaimSMS(ctx, t0.Add(time.Hour), modem)
					if err != nil {
						t.Error(err)
						return
					} else if m == nil {
						return
					}
					mu.Lock()
					seen[m.ID]++
					mu.Unlock()
				}
			}(string(rune('a' + w)))
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("%d distinct messages claimed, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("message %s claimed %d times", id, c)
			}
		}
	})

	t.Run("Cancel", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		r1 := mustEnqueue(t, db, aw.SMSReminder, "s1", t0)
		mustEnqueue(t, db, aw.SMSReminder, "s1", t0.Add(time.Second))
		other := mustEnqueue(t, db, aw.SMSReminder, "s2", t0)
		alarm := mustEnqueue(t, db, aw.SMSAlarm, "s1", t0.Add(time.Minute))
		if _, err := db.UpdateSMS(ctx, r1.ID, func(m *aw.SMS) error {
			m.State = aw.SMSSent
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		n, err := db.CancelSMS(ctx, "s1", aw.SMSReminder)
		if err != nil {
			t.Fatal(err)
		} else if n != 1 {
			t.Fatalf("cancelled %d, want 1 (the other one was sent)", n)
		}
		got := []string{}
		for {
			m, err := db.ClaimSMS(ctx, t0.Add(time.Hour), "modem0")
			if err != nil {
				t.Fatal(err)
			} else if m == nil {
				break
			}
			got = append(got, m.ID)
		}
		if len(got) != 2 || got[0] != alarm.ID || got[1] != other.ID {
			t.Fatalf("claimed %v, want the alarm SMS and s2's reminder", got)
		}
	})

	t.Run("PurgeSession", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		mustEnqueue(t, db, aw.SMSReminder, "s1", t0)
		mustEnqueue(t, db, aw.SMSReminder, "s1", t0.Add(time.Second))
		if _, err := db.ClaimSMS(ctx, t0, "modem0"); err != nil {
			t.Fatal(err)
		}
		keep := mustEnqueue(t, db, aw.SMSReminder, "s2", t0)
		if err := db.PurgeSessionSMS(ctx, "s1"); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListSMS(ctx, 0)
		if err != nil {
			t.Fatal(err)
		} else if len(list) != 1 || list[0].ID != keep.ID {
			t.Fatalf("after purge %d messages, want only s2's", len(list))
		}
		if rec, _ := db.RecoverSMS(ctx); len(rec) != 0 {
			t.Fatal("purged sending message recovered")
		}
		m, err := db.ClaimSMS(ctx, t0.Add(time.Hour), "modem0")
		if err != nil || m == nil || m.ID != keep.ID {
			t.Fatalf("claim after purge: %v %v", m, err)
		}
	})

	t.Run("Recover", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		a := mustEnqueue(t, db, aw.SMSAlarm, "", t0)
		b := mustEnqueue(t, db, aw.SMSAdmin, "", t0.Add(time.Second))
		queued := mustEnqueue(t, db, aw.SMSReminder, "", t0)
		for i := 0; i < 2; i++ {
			if _, err := db.ClaimSMS(ctx, t0.Add(time.Hour), "modem0"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.RecoverSMS(ctx)
		if err != nil {
			t.Fatal(err)
		} else if len(got) != 2 {
			t.Fatalf("recovered %d, want 2", len(got))
		}
		for _, id := range []string{a.ID, b.ID} {
			m, _ := db.UpdateSMS(ctx, id, func(*aw.SMS) error { return nil })
			if m.State != aw.SMSUnknown {
				t.Fatalf("state %s, want unknown", m.State)
			}
		}
		if got, _ := db.RecoverSMS(ctx); len(got) != 0 {
			t.Fatal("recovered twice")
		}
		if m, _ := db.ClaimSMS(ctx, t0.Add(time.Hour), "modem0"); m == nil || m.ID != queued.ID {
			t.Fatal("queued message lost")
		}
	})
}
