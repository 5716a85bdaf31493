package store

import (
	"context"
	"fmt"
	"io"
	"os"

	aw "alleenwerken"

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

// BackupToFile writes a consistent copy of the database to path, whole or
// not at all (aw.WriteFileAtomic): path holds either the old backup or the
// complete new one.
func (db *DB) BackupToFile(path string) error {
	if err := aw.WriteFileAtomic(path, 0o600, func(f *os.File) error {
		_, err := db.Backup(context.Background(), f)
		return err
	}); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db.logger.Info("database backup written", "path", path)
	return nil
}
