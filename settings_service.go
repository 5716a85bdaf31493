package alleenwerken

import (
	"context"
	"log/slog"
	"sync"
)

// configWrites serialises the read-change-write of the settings and the
// installation (one daemon, one database): two people saving at the same
// moment, through any door, each keep their change.
var configWrites sync.Mutex

// SettingsServiceStore is the storage the settings service needs.
type SettingsServiceStore interface {
	SettingsStore
	AuditStore
}

// SettingsService changes the run-time settings: what a person typed is
// read through the settings table, checked, stored, and each changed
// setting appended to the audit log with its old and new value, whichever
// door it came through.
type SettingsService struct {
	store SettingsServiceStore
	auditor
}

// NewSettingsService returns a settings service on st.
func NewSettingsService(st SettingsServiceStore, clock Clock, log *slog.Logger) *SettingsService {
	return &SettingsService{store: st, auditor: newAuditor(st, clock, log)}
}

// Settings returns the stored settings.
func (s *SettingsService) Settings(ctx context.Context) (Settings, error) {
	return s.store.Settings(ctx)
}

// Change applies typed values (setting key → text as typed) for the
// settings edited on page and ignores the others; it checks the result, runs before on
// it (a field error from before refuses it too), stores it and audits each
// changed setting. It returns the settings before the change. A refused
// value is EINVALID naming its key (or a field of the extensions).
func (s *SettingsService) Change(ctx context.Context, by Actor, page SettingPage, values map[string]string, before func(next Settings) error) (Settings, error) {
	configWrites.Lock()
	defer configWrites.Unlock()
	old, err := s.store.Settings(ctx)
	if err != nil {
		return old, err
	}
	next := old.clone()
	for _, d := range SettingDefs {
		v, ok := values[d.Key]
		if !ok || d.Page != page {
			continue
		}
		if err := d.Set(&next, v); err != nil {
			return old, err
		}
	}
	if err := next.Validate(); err != nil {
		return old, err
	}
	if before != nil {
		if err := before(next); err != nil {
			return old, err
		}
	}
	if err := s.store.SaveSettings(ctx, next); err != nil {
		return old, err
	}
	for _, d := range SettingDefs {
		if o, n := d.Get(&old), d.Get(&next); o != n {
			s.audit(ctx, by, AuditEntry{Action: AuditSettingChanged, Target: "instellingen", Field: d.Key, Old: o, New: n})
		}
	}
	return old, nil
}
