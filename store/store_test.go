package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/store"
)

// t0 is the fixed "now" of the tests.
var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// MustOpenPath opens the database at path and closes it when the test ends.
func MustOpenPath(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// newSession returns an active session of a device, started at t0.
func newSession(deviceID string) *aw.Session {
	return &aw.Session{
		DeviceID:     deviceID,
		State:        aw.SessionActive,
		Worker:       aw.Worker{Name: "Jan de Vries", Phone: "+31612345678"},
		AlarmNumbers: []string{"201", "+31201234567"},
		Description:  "Meteropname kelder",
		StartedAt:    t0,
		ExpiresAt:    t0.Add(time.Hour),
	}
}

// mustCreateSession creates a session or fails the test.
func mustCreateSession(tb testing.TB, db *store.DB, s *aw.Session) *aw.Session {
	tb.Helper()
	got, created, err := db.CreateSession(context.Background(), s, "", t0)
	if err != nil {
		tb.Fatal(err)
	} else if !created {
		tb.Fatal("not created")
	}
	return got
}

// wantCode fails the test unless err carries code.
func wantCode(tb testing.TB, err error, code string) {
	tb.Helper()
	if got := aw.ErrorCode(err); got != code {
		tb.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// wantContains fails the test unless err's message contains sub.
func wantContains(tb testing.TB, err error, sub string) {
	tb.Helper()
	if err == nil || !strings.Contains(err.Error(), sub) {
		tb.Fatalf("error %v does not contain %q", err, sub)
	}
}
