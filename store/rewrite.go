package store

import (
	"fmt"
	"os"

	bolt "go.etcd.io/bbolt"
)

// rewrite replaces the database file by a compacted copy: only what is
// stored now, none of the free pages where bbolt leaves the bytes of
// overwritten values. It is used once after secrets stored as typed were
// sealed. The copy is synced and renamed over the file, so a crash leaves
// either the old file or the new one; the daemon must not be serving yet.
func (db *DB) rewrite() error {
	tmp := db.path + ".rewrite"
	os.Remove(tmp) // left by a crash during an earlier rewrite
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(db.path); err == nil {
		mode = fi.Mode().Perm()
	}
	dst, err := bolt.Open(tmp, mode, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		return fmt.Errorf("database herschrijven: %w", err)
	}
	if err := bolt.Compact(dst, db.bolt, 0); err != nil {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("database herschrijven: %w", err)
	}
	if err := dst.Close(); err != nil { // Compact's commit synced the data
		os.Remove(tmp)
		return fmt.Errorf("database herschrijven: %w", err)
	}
	if err := keepOwner(tmp, db.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("database herschrijven: %w", err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("database herschrijven: %w", err)
	}
	renameErr := os.Rename(tmp, db.path)
	if renameErr == nil {
		syncDir(db.path)
	} else {
		os.Remove(tmp)
	}
	// Opened again either way: the old file when the rename failed.
	bdb, err := bolt.Open(db.path, 0o600, &bolt.Options{Timeout: OpenTimeout})
	if err != nil {
		db.closed = true
		return fmt.Errorf("database na herschrijven openen: %w", err)
	}
	db.bolt = bdb
	if renameErr != nil {
		return fmt.Errorf("database herschrijven: %w", renameErr)
	}
	db.logger.Info("database file rewritten", "path", db.path)
	return nil
}
