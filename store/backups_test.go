package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

func TestBackupsKeepSeven(t *testing.T) {
	db := testkit.MustOpenDB(t)
	dir := filepath.Join(t.TempDir(), "backups")
	clock := aw.NewManualClock(time.Date(2026, 11, 1, 2, 0, 0, 0, time.UTC))
	b := &store.Backups{DB: db, Dir: dir, Clock: clock}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	// None yet: one at start.
	waitBackups(t, b, 1)
	if last, _ := b.Last(); !last.Equal(clock.Now()) {
		t.Fatalf("first backup at %v", last)
	}
	// Then one each day at 03:00, nine days: seven kept.
	for day := 1; day <= 9; day++ {
		for clock.Timers() == 0 {
			time.Sleep(time.Millisecond)
		}
		clock.Advance(24 * time.Hour)
		waitBackups(t, b, min(day+1, 7))
		waitLast(t, b, clock.Now())
	}
	// The next timer is armed once the last backup's pruning is done.
	for clock.Timers() == 0 {
		time.Sleep(time.Millisecond)
	}
	paths, times := b.List()
	if len(paths) != 7 {
		t.Fatalf("%d backups kept", len(paths))
	}
	if want := time.Date(2026, 11, 10, 2, 0, 0, 0, time.UTC); !times[0].Equal(want) || !times[6].Equal(want.AddDate(0, 0, -6)) {
		t.Fatalf("newest %v, want %v", times[0], want)
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, fi.Mode(), err)
		}
		x, err := store.Open(p, nil)
		if err != nil {
			t.Fatalf("%s does not open: %v", p, err)
		}
		x.Close()
	}
}

func waitBackups(t *testing.T, b *store.Backups, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		paths, _ := b.List()
		if len(paths) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backups, want %d", len(paths), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func waitLast(t *testing.T, b *store.Backups, at time.Time) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if last, ok := b.Last(); ok && last.Equal(at) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no backup at %v", at)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
