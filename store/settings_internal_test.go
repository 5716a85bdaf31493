package store

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// Settings stored before the loop pause existed read with its default; a
// pause of 0 (none) is kept as 0.
func TestSettingsLoopPause(t *testing.T) {
	ctx := context.Background()
	db, err := Open(t.TempDir()+"/aw.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := aw.DefaultSettings()
	s.LoopPause = 0
	if err := db.SaveSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Settings(ctx); got.LoopPause != 0 {
		t.Fatalf("saved 0, read %v", got.LoopPause)
	}
	// Rewrite it as an older version stored it: no loop_pause_ns.
	if err := db.update(ctx, func(tx *bolt.Tx) error {
		var rec settingsRecord
		if _, err := getJSON(tx.Bucket(settingsBucket), settingsKey, &rec); err != nil {
			return err
		}
		rec.LoopPause = nil
		return putJSON(tx.Bucket(settingsBucket), settingsKey, &rec)
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Settings(ctx); got.LoopPause != 60*time.Second {
		t.Fatalf("settings stored before the loop pause: %v, want the default 1m", got.LoopPause)
	}
}
