package alleenwerken

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// BackupSource writes a consistent copy of the database while it is in
// use.
type BackupSource interface {
	Backup(ctx context.Context, w io.Writer) (int64, error)
}

// BackupServiceStore is the storage the backup service needs.
type BackupServiceStore interface {
	BackupSource
	AuditStore
}

// BackupService takes backups on request and audits each (a backup holds
// personal data), whichever door it came through; the scheduled backups
// are store.Backups'. It also audits the replacement of the key file.
type BackupService struct {
	store BackupServiceStore
	auditor
}

// NewBackupService returns a backup service on st.
func NewBackupService(st BackupServiceStore, clock Clock, log *slog.Logger) *BackupService {
	return &BackupService{store: st, auditor: newAuditor(st, clock, log)}
}

// Backup writes a copy of the database to w, named name where it goes,
// and audits it; one broken off is audited too (part of it may have gone
// out).
func (s *BackupService) Backup(ctx context.Context, by Actor, name string, w io.Writer) (int64, error) {
	n, err := s.store.Backup(ctx, w)
	detail := fmt.Sprintf("%s, %d bytes", name, n)
	if err != nil {
		detail += ", afgebroken: " + err.Error()
	}
	s.audit(context.WithoutCancel(ctx), by, AuditEntry{Action: AuditBackup, Detail: detail})
	return n, err
}

// KeyRotated audits that the key file sealing the secrets was replaced
// (with the daemon stopped); path is the key file.
func (s *BackupService) KeyRotated(ctx context.Context, by Actor, path string) {
	s.audit(ctx, by, AuditEntry{Action: AuditKeyRotated, Target: path})
}

// LastDownload returns when a backup was last taken on request, as the
// newest of the last scan entries of the audit log shows; zero when none.
func (s *BackupService) LastDownload(ctx context.Context, scan int) (time.Time, error) {
	entries, err := s.store.AuditEntries(ctx, scan)
	if err != nil {
		return time.Time{}, err
	}
	for _, e := range entries {
		if e.Action == AuditBackup {
			return e.At, nil
		}
	}
	return time.Time{}, nil
}
