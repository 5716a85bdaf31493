package store

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	aw "alleenwerken"
)

// backupPrefix and backupLayout name the scheduled backup files:
// alleenwerken-20261127-030000.db (UTC).
const (
	backupPrefix = "alleenwerken-"
	backupLayout = "20060102-150405"
)

// Backups takes a daily backup of the database into Dir at Hour o'clock
// (local time) and keeps the newest Keep files. A backup is taken at start
// when the newest one is more than a day old.
type Backups struct {
	DB       *DB
	Dir      string
	Keep     int            // default 7
	Hour     int            // default 3 (03:00)
	Location *time.Location // default UTC
	Clock    aw.Clock
	Logger   *slog.Logger
}

// Take writes a backup now, checks that it opens as a database, and removes
// all but the newest Keep backups. It returns the file's path.
func (b *Backups) Take(now time.Time) (string, error) {
	if err := os.MkdirAll(b.Dir, 0o700); err != nil {
		return "", fmt.Errorf("backup: map maken: %w", err)
	}
	path := filepath.Join(b.Dir, backupPrefix+now.UTC().Format(backupLayout)+".db")
	if err := b.DB.BackupToFile(path); err != nil {
		return "", err
	}
	chk, err := Open(path, nil)
	if err != nil {
		os.Remove(path)
		return "", fmt.Errorf("backup: %s is geen geldige database: %w", path, err)
	}
	chk.Close()
	return path, b.prune()
}

// List returns the backups, newest first, with their times.
func (b *Backups) List() ([]string, []time.Time) {
	entries, _ := os.ReadDir(b.Dir)
	type item struct {
		path string
		at   time.Time
	}
	var items []item
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, ".db") {
			continue
		}
		at, err := time.Parse(backupLayout, strings.TrimSuffix(strings.TrimPrefix(name, backupPrefix), ".db"))
		if err != nil {
			continue
		}
		items = append(items, item{filepath.Join(b.Dir, name), at})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
	paths, times := make([]string, len(items)), make([]time.Time, len(items))
	for i, it := range items {
		paths[i], times[i] = it.path, it.at
	}
	return paths, times
}

// Last returns the time of the newest backup.
func (b *Backups) Last() (time.Time, bool) {
	_, times := b.List()
	if len(times) == 0 {
		return time.Time{}, false
	}
	return times[0], true
}

func (b *Backups) prune() error {
	keep := b.Keep
	if keep <= 0 {
		keep = 7
	}
	paths, _ := b.List()
	for _, p := range paths[min(keep, len(paths)):] {
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("backup: oude back-up verwijderen: %w", err)
		}
	}
	return nil
}

// next returns the next backup time after now.
func (b *Backups) next(now time.Time) time.Time {
	loc := b.Location
	if loc == nil {
		loc = time.UTC
	}
	hour := b.Hour
	if hour == 0 {
		hour = 3
	}
	l := now.In(loc)
	t := time.Date(l.Year(), l.Month(), l.Day(), hour, 0, 0, 0, loc)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

// Run takes the daily backups until ctx is done. A failed backup is logged
// and tried again after an hour.
func (b *Backups) Run(ctx context.Context) {
	log := b.Logger
	if log == nil {
		log = slog.Default()
	}
	now := b.Clock.Now()
	due := b.next(now)
	if last, ok := b.Last(); !ok || now.Sub(last) > 24*time.Hour {
		due = now
	}
	for {
		t := b.Clock.NewTimer(due.Sub(b.Clock.Now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
		}
		now := b.Clock.Now()
		if path, err := b.Take(now); err != nil {
			log.Error("scheduled backup failed; trying again in an hour", "err", err)
			due = now.Add(time.Hour)
		} else {
			log.Info("scheduled backup taken", "path", path)
			due = b.next(now)
		}
	}
}
