package store_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestSession(t *testing.T) {
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := mustCreateSession(t, db, newSession("dev1"))
		if len(s.ID) != 32 {
			t.Fatalf("id %q, want 32 hex characters", s.ID)
		}
		got, err := db.Session(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Worker.Name != "Jan de Vries" || got.DeviceID != "dev1" || !got.ExpiresAt.Equal(t0.Add(time.Hour)) || len(got.AlarmNumbers) != 2 {
			t.Fatalf("unexpected session %+v", got)
		}
		open, err := db.OpenSessions(ctx)
		if err != nil {
			t.Fatal(err)
		} else if len(open) != 1 || open[0].ID != s.ID {
			t.Fatalf("open sessions %v", open)
		}
	})

	t.Run("Update", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := mustCreateSession(t, db, newSession("dev1"))
		loc := &aw.Location{Lat: 52.1, Lon: 5.1, AccuracyM: 8, At: t0, Status: "in de kelder"}
		got, err := db.UpdateSession(ctx, s.ID, func(s *aw.Session) error {
			s.ExpiresAt = s.ExpiresAt.Add(time.Hour)
			s.Location = loc
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err = db.Session(ctx, got.ID)
		if err != nil {
			t.Fatal(err)
		} else if !got.ExpiresAt.Equal(t0.Add(2*time.Hour)) || got.Location == nil || got.Location.Status != "in de kelder" {
			t.Fatalf("unexpected session %+v", got)
		}
	})

	t.Run("ErrUpdateAborted", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := mustCreateSession(t, db, newSession("dev1"))
		_, err := db.UpdateSession(ctx, s.ID, func(s *aw.Session) error {
			s.Description = "changed"
			return aw.Errorf(aw.EINVALID, "nee")
		})
		wantCode(t, err, aw.EINVALID)
		if got, _ := db.Session(ctx, s.ID); got.Description != "Meteropname kelder" {
			t.Fatalf("aborted update was stored: %q", got.Description)
		}
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		_, err := db.Session(ctx, "nope")
		wantCode(t, err, aw.ENOTFOUND)
		_, err = db.UpdateSession(ctx, "nope", func(*aw.Session) error { return nil })
		wantCode(t, err, aw.ENOTFOUND)
	})

	t.Run("IdempotentRetry", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		first, created, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0)
		if err != nil || !created {
			t.Fatal(created, err)
		}
		again, created, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		} else if created {
			t.Fatal("retry created a session")
		} else if again.ID != first.ID {
			t.Fatalf("retry returned %s, want %s", again.ID, first.ID)
		}
		// Also after the session stopped, within 24 h.
		if _, err := db.UpdateSession(ctx, first.ID, func(s *aw.Session) error {
			s.State = aw.SessionStopped
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		again, created, err = db.CreateSession(ctx, newSession("dev1"), "key-1", t0.Add(23*time.Hour))
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("retry after stop: %v %v %v", again, created, err)
		}
		// The same key from another device is another request.
		other, created, err := db.CreateSession(ctx, newSession("dev2"), "key-1", t0)
		if err != nil || !created || other.ID == first.ID {
			t.Fatalf("other device: %v %v %v", other, created, err)
		}
		open, _ := db.OpenSessions(ctx)
		if len(open) != 1 || open[0].ID != other.ID {
			t.Fatalf("open sessions %d, want only dev2's", len(open))
		}
	})

	t.Run("KeyReusedAfter24h", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		first, _, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateSession(ctx, first.ID, func(s *aw.Session) error {
			s.State = aw.SessionStopped
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		second, created, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0.Add(25*time.Hour))
		if err != nil || !created || second.ID == first.ID {
			t.Fatalf("after 24 h: %v %v %v", second, created, err)
		}
		// The key now names the new session.
		again, created, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0.Add(26*time.Hour))
		if err != nil || created || again.ID != second.ID {
			t.Fatalf("retry of second: %v %v %v", again, created, err)
		}
	})

	t.Run("ErrSecondOpenSession", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		first := mustCreateSession(t, db, newSession("dev1"))
		_, _, err := db.CreateSession(ctx, newSession("dev1"), "key-2", t0)
		wantCode(t, err, aw.ECONFLICT)
		wantContains(t, err, first.ID)
		wantContains(t, err, "Er loopt al een sessie voor dit toestel")
		// The failed request left no idempotency record behind.
		if _, err := db.UpdateSession(ctx, first.ID, func(s *aw.Session) error {
			s.State = aw.SessionStopped
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		s, created, err := db.CreateSession(ctx, newSession("dev1"), "key-2", t0)
		if err != nil || !created || s.ID == first.ID {
			t.Fatalf("after stop: %v %v %v", s, created, err)
		}
	})

	t.Run("StopFreesDevice", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		first := mustCreateSession(t, db, newSession("dev1"))
		stopped := t0.Add(time.Minute)
		if _, err := db.UpdateSession(ctx, first.ID, func(s *aw.Session) error {
			s.State, s.StoppedAt = aw.SessionStopped, &stopped
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if open, _ := db.OpenSessions(ctx); len(open) != 0 {
			t.Fatalf("%d open sessions after stop", len(open))
		}
		second := mustCreateSession(t, db, newSession("dev1"))
		if second.ID == first.ID {
			t.Fatal("same id")
		}
	})

	t.Run("PurgeExpired", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		db.Now = func() time.Time { return t0 }
		first, _, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateSession(ctx, first.ID, func(s *aw.Session) error {
			s.Purge()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// Within 24 h both the key and the stub stay.
		if err := db.PurgeExpired(ctx, t0.Add(23*time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, err := db.Session(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		} else if !got.Purged || got.Worker.Name != "" || got.Description != "" {
			t.Fatalf("stub still holds personal data: %+v", got)
		}
		if again, created, err := db.CreateSession(ctx, newSession("dev1"), "key-1", t0.Add(23*time.Hour)); err != nil || created || again.ID != first.ID {
			t.Fatalf("retry: %v %v %v", again, created, err)
		}
		// After 24 h both are gone.
		if err := db.PurgeExpired(ctx, t0.Add(25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		_, err = db.Session(ctx, first.ID)
		wantCode(t, err, aw.ENOTFOUND)
	})
}
