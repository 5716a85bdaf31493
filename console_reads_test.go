package alleenwerken_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

// What the console's pages read comes from the services, over a real
// store: the alarm lists, the audit log, the last backup download, the
// SMS queue, the running sessions, the users and the settings.
func TestConsoleReads(t *testing.T) {
	ctx := context.Background()
	s, db, clock, a := newReportService(t)
	by := aw.CLIActor("test")

	if got, err := s.ByNumber(ctx, a.Number); err != nil || got.ID != a.ID {
		t.Fatalf("by number: %v", err)
	}
	if _, err := s.ByNumber(ctx, 999); aw.ErrorCode(err) != aw.ENOTFOUND {
		t.Fatalf("unknown number: %v", err)
	}
	if recent, err := s.Recent(ctx, 10); err != nil || len(recent) != 1 {
		t.Fatalf("recent: %d %v", len(recent), err)
	}
	s.Viewed(ctx, aw.ConsoleActor(&aw.User{ID: "u", Name: "hulp"}, "10.0.0.5"), a)
	log := aw.NewAuditLog(db)
	if es, err := log.Entries(ctx, 1); err != nil || es[0].Action != aw.AuditAlarmViewed || es[0].Actor != "hulp" {
		t.Fatalf("audit log: %v %+v", err, es)
	}

	backups := aw.NewBackupService(db, clock, discardLog)
	if at, err := backups.LastDownload(ctx, 100); err != nil || !at.IsZero() {
		t.Fatalf("no backup yet: %v %v", at, err)
	}
	clock.Advance(time.Minute)
	var buf bytes.Buffer
	if n, err := backups.Backup(ctx, by, "aw.db", &buf); err != nil || n == 0 || int64(buf.Len()) != n {
		t.Fatalf("backup: %d %v", n, err)
	}
	if at, err := backups.LastDownload(ctx, 100); err != nil || !at.Equal(clock.Now()) {
		t.Fatalf("last download %v, want %v: %v", at, clock.Now(), err)
	}

	d := &aw.Dispatcher{Outbox: db}
	if n, _, err := d.Queue(ctx); err != nil || n != 0 {
		t.Fatalf("empty queue: %d %v", n, err)
	}
	for i, at := range []time.Time{clock.Now(), clock.Now().Add(-time.Hour)} {
		if err := db.EnqueueSMS(ctx, &aw.SMS{Kind: aw.SMSAdmin, To: "+31612000001", Text: "x", CreatedAt: at}); err != nil {
			t.Fatal(i, err)
		}
	}
	if n, oldest, err := d.Queue(ctx); err != nil || n != 2 || !oldest.Equal(clock.Now().Add(-time.Hour)) {
		t.Fatalf("queue: %d %v %v", n, oldest, err)
	}

	svc := aw.NewService(db, testkit.NewTelephony(nil), clock, discardLog)
	if n, err := svc.ActiveSessions(ctx); err != nil || n != 0 {
		t.Fatalf("active sessions: %d %v", n, err)
	}
	users := aw.NewUserService(db, clock, discardLog)
	if _, err := users.CreateUser(ctx, by, "hulp", aw.RoleResponder, "een-lang-wachtwoord"); err != nil {
		t.Fatal(err)
	}
	if us, err := users.Users(ctx); err != nil || len(us) != 1 {
		t.Fatalf("users: %d %v", len(us), err)
	}
	if set, err := aw.NewSettingsService(db, clock, discardLog).Settings(ctx); err != nil || set.Language == "" {
		t.Fatalf("settings: %+v %v", set, err)
	}
}
