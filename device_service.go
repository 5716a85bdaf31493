package alleenwerken

import (
	"context"
	"log/slog"
	"strings"
)

// DeviceTokenPrefix starts every app device token.
const DeviceTokenPrefix = "aw_"

// DeviceServiceStore is the storage the device service needs.
type DeviceServiceStore interface {
	DeviceStore
	AuditStore
}

// DeviceService makes and revokes the app devices' tokens. Every change is
// checked, written and appended to the audit log here, whichever door it
// came through.
type DeviceService struct {
	store DeviceServiceStore
	auditor
}

// NewDeviceService returns a device service on st.
func NewDeviceService(st DeviceServiceStore, clock Clock, log *slog.Logger) *DeviceService {
	return &DeviceService{store: st, auditor: newAuditor(st, clock, log)}
}

// CreateDevice makes a device named name and returns it with its token,
// which is never shown again: only its hash is stored. EINVALID names the
// field "name".
func (s *DeviceService) CreateDevice(ctx context.Context, by Actor, name string) (*Device, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > MaxNameLen {
		return nil, "", FieldError("name", "Geef het toestel een naam van 1 tot %d tekens.", MaxNameLen)
	}
	if err := CheckName("name", name, MaxNameLen); err != nil {
		return nil, "", err
	}
	tok, hash := NewToken(DeviceTokenPrefix)
	d := &Device{Name: name, TokenHash: hash, CreatedAt: s.clock.Now()}
	if err := s.store.CreateDevice(ctx, d); err != nil {
		return nil, "", err
	}
	s.audit(ctx, by, AuditEntry{Action: AuditTokenCreated, Target: d.Name, Detail: d.ID})
	return d, tok, nil
}

// Devices returns every device, oldest first.
func (s *DeviceService) Devices(ctx context.Context) ([]*Device, error) {
	return s.store.Devices(ctx)
}

// RevokeDevice revokes the token of the device id; its running sessions
// stay armed. ENOTFOUND for an unknown id.
func (s *DeviceService) RevokeDevice(ctx context.Context, by Actor, id string) (*Device, error) {
	ds, err := s.store.Devices(ctx)
	if err != nil {
		return nil, err
	}
	var d *Device
	for _, x := range ds {
		if x.ID == id {
			d = x
		}
	}
	if d == nil {
		return nil, Errorf(ENOTFOUND, "Toestel %q niet gevonden.", id)
	}
	now := s.clock.Now()
	if err := s.store.RevokeDevice(ctx, id, now); err != nil {
		return nil, err
	}
	if d.RevokedAt == nil {
		d.RevokedAt = &now
	}
	s.audit(ctx, by, AuditEntry{Action: AuditTokenRevoked, Target: d.Name, Detail: d.ID})
	return d, nil
}
