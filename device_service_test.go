package alleenwerken_test

import (
	"context"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func TestDeviceServiceCreateRefused(t *testing.T) {
	db := testkit.MustOpenDB(t)
	s := aw.NewDeviceService(db, aw.NewManualClock(t0), discardLog)
	for _, name := range []string{"", "   ", strings.Repeat("x", aw.MaxNameLen+1)} {
		_, _, err := s.CreateDevice(context.Background(), aw.CLIActor("root"), name)
		if got, want := aw.ErrorField(err), "name"; got != want {
			t.Fatalf("name %q: field %q (%v), want %q", name, got, err, want)
		}
	}
	if got, want := auditCount(t, db), 0; got != want {
		t.Fatalf("%d audit entries, want %d", got, want)
	}
}

func TestDeviceServiceCreateAndRevoke(t *testing.T) {
	db := testkit.MustOpenDB(t)
	clock := aw.NewManualClock(t0)
	s := aw.NewDeviceService(db, clock, discardLog)
	ctx := context.Background()

	d, tok, err := s.CreateDevice(ctx, aw.SocketActor("root"), " Telefoon Laura ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, aw.DeviceTokenPrefix) || d.Name != "Telefoon Laura" {
		t.Fatalf("device %+v, token %q", d, tok)
	}
	if got, err := db.AuthenticateDevice(ctx, tok); err != nil || got.ID != d.ID {
		t.Fatalf("authenticate: %+v %v", got, err)
	}
	e := lastAudit(t, db)
	if e.Actor != "socket:root" || e.Action != aw.AuditTokenCreated || e.Target != "Telefoon Laura" || e.Detail != d.ID || !e.At.Equal(t0) {
		t.Fatalf("audit entry %+v", e)
	}

	ds, err := s.Devices(ctx)
	if err != nil || len(ds) != 1 || ds[0].ID != d.ID {
		t.Fatalf("devices: %v %v", ds, err)
	}

	clock.Advance(time.Hour)
	if _, err := s.RevokeDevice(ctx, aw.CLIActor("beheer"), "nope"); aw.ErrorCode(err) != aw.ENOTFOUND {
		t.Fatalf("unknown device: %v", err)
	}
	got, err := s.RevokeDevice(ctx, aw.CLIActor("beheer"), d.ID)
	if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(clock.Now()) {
		t.Fatalf("revoke: %+v %v", got, err)
	}
	if _, err := db.AuthenticateDevice(ctx, tok); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}
	e = lastAudit(t, db)
	if e.Actor != "cli:beheer" || e.Action != aw.AuditTokenRevoked || e.Target != "Telefoon Laura" || e.Detail != d.ID || !e.At.Equal(clock.Now()) {
		t.Fatalf("audit entry %+v", e)
	}
	if got, want := auditCount(t, db), 2; got != want {
		t.Fatalf("%d audit entries, want %d", got, want)
	}
}
