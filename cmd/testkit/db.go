package testkit

import (
	"log/slog"
	"path/filepath"
	"testing"

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
