package testkit

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/store"
)

// MustOpenDB opens a real bbolt store in a temporary directory, logging
// nowhere, and closes it when the test ends.
func MustOpenDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "aw.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// ExpireWhileStopped rewrites the session id in the stopped daemon's
// database at path so that its timer ran out a minute ago (and its reminder
// is gone): the next start must raise the alarm at once.
func ExpireWhileStopped(tb testing.TB, path, id string) {
	tb.Helper()
	db, err := store.Open(path, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	past := time.Now().Add(-time.Minute)
	if _, err := db.UpdateSession(context.Background(), id, func(s *aw.Session) error {
		s.ExpiresAt, s.ReminderAt = past, nil
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
}
