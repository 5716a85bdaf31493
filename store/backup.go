package store

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database to w from a read
// transaction, so writers go on while it runs.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.view(ctx, func(tx *bolt.Tx) (err error) {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupToFile writes a consistent copy of the database to path: first to a
// temporary file in the same directory, fsync'd, then renamed into place, so
// path holds either the old backup or the complete new one.
func (db *DB) BackupToFile(path string) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup: tijdelijk bestand maken: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op after the rename

	if _, err := db.Backup(context.Background(), f); err != nil {
		f.Close()
		return fmt.Errorf("backup: schrijven: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("backup: fsync: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: sluiten: %w", err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("backup: rechten: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("backup: hernoemen: %w", err)
	}
	syncDir(path)
	db.logger.Info("database backup written", "path", path)
	return nil
}
