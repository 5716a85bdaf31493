package store

import (
	"fmt"
	"os"

	aw "alleenwerken"

	bolt "go.etcd.io/bbolt"
)

// rewrite replaces the database file by a compacted copy: only what is
// stored now, none of the free pages where bbolt leaves the bytes of
// overwritten values. It is used once after secrets stored as typed were
// sealed. The copy is synced and renamed over the file
// (aw.WriteFileAtomic), so a crash leaves either the old file or the new
// one; the daemon must not be serving yet.
func (db *DB) rewrite() error {
	os.Remove(db.path + ".rewrite") // left by a crash of an earlier version
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(db.path); err == nil {
		mode = fi.Mode().Perm()
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	closed := false
	err := aw.WriteFileAtomic(db.path, mode, func(f *os.File) error {
		dst, err := bolt.Open(f.Name(), mode, &bolt.Options{Timeout: OpenTimeout})
		if err != nil {
			return err
		}
		if err := bolt.Compact(dst, db.bolt, 0); err != nil {
			dst.Close()
			return err
		}
		if err := dst.Close(); err != nil {
			return err
		}
		if err := keepOwner(f.Name(), db.path); err != nil {
			return err
		}
		closed = true
		return db.bolt.Close()
	})
	if !closed {
		return fmt.Errorf("database herschrijven: %w", err)
	}
	// Opened again either way: the old file when the rename failed.
	bdb, oerr := bolt.Open(db.path, 0o600, &bolt.Options{Timeout: OpenTimeout})
	if oerr != nil {
		db.closed = true
		return fmt.Errorf("database na herschrijven openen: %w", oerr)
	}
	db.bolt = bdb
	if err != nil {
		return fmt.Errorf("database herschrijven: %w", err)
	}
	db.logger.Info("database file rewritten", "path", db.path)
	return nil
}
