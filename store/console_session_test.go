package store_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestConsoleSession(t *testing.T) {
	ctx := context.Background()
	db := testkit.MustOpenDB(t)
	mk := func(user string, at time.Time) (*aw.ConsoleSession, string) {
		tok, hash := aw.NewToken("")
		s := &aw.ConsoleSession{TokenHash: hash, UserID: user, CSRF: "c-" + user, CreatedAt: at, ExpiresAt: at.Add(aw.ConsoleSessionTTL)}
		if err := db.CreateConsoleSession(ctx, s, at); err != nil {
			t.Fatal(err)
		}
		return s, tok
	}
	a, tokA := mk("u1", t0)
	b, _ := mk("u2", t0)
	mk("u1", t0)

	got, err := db.ConsoleSession(ctx, aw.HashToken(tokA), t0.Add(time.Hour))
	if err != nil || got.UserID != "u1" || got.CSRF != "c-u1" {
		t.Fatal(got, err)
	}
	if n, err := db.CountConsoleSessions(ctx, t0); err != nil || n != 3 {
		t.Fatal(n, err)
	}
	_, err = db.ConsoleSession(ctx, a.TokenHash, t0.Add(aw.ConsoleSessionTTL))
	wantCode(t, err, aw.EUNAUTHORIZED)

	if err := db.DeleteConsoleSession(ctx, b.TokenHash); err != nil {
		t.Fatal(err)
	}
	_, err = db.ConsoleSession(ctx, b.TokenHash, t0)
	wantCode(t, err, aw.EUNAUTHORIZED)
	if err := db.DeleteUserConsoleSessions(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountConsoleSessions(ctx, t0); err != nil || n != 0 {
		t.Fatal(n, err)
	}
	// A new log-in removes the expired ones.
	later := t0.Add(2 * aw.ConsoleSessionTTL)
	mk("u3", t0)
	mk("u4", later)
	if n, err := db.CountConsoleSessions(ctx, t0); err != nil || n != 1 {
		t.Fatalf("count after purge %d, %v; want 1 (only the new one)", n, err)
	}
}
