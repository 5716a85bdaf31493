package alleenwerken_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"

	"golang.org/x/crypto/bcrypt"
)

var discardLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// newUserService returns a user service on a real store with a manual
// clock, hashing at bcrypt's lowest cost.
func newUserService(t *testing.T) (*aw.UserService, *store.DB, *aw.ManualClock) {
	t.Helper()
	db := testkit.MustOpenDB(t)
	clock := aw.NewManualClock(t0)
	s := aw.NewUserService(db, clock, discardLog)
	s.BcryptCost = bcrypt.MinCost
	return s, db, clock
}

// lastAudit returns the newest audit entry.
func lastAudit(t *testing.T, db *store.DB) *aw.AuditEntry {
	t.Helper()
	es, err := db.AuditEntries(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Fatal("no audit entry")
	}
	return es[0]
}

// auditCount returns how many audit entries there are.
func auditCount(t *testing.T, db *store.DB) int {
	t.Helper()
	es, err := db.AuditEntries(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestActorString(t *testing.T) {
	for _, c := range []struct {
		a    aw.Actor
		want string
	}{
		{aw.ConsoleActor(&aw.User{ID: "u1", Name: "beheer"}, "10.0.0.5"), "beheer"},
		{aw.SocketActor("root"), "socket:root"},
		{aw.SocketActor(""), "socket"},
		{aw.CLIActor("root"), "cli:root"},
		{aw.CLIActor(""), "cli"},
		{aw.ResponderActor(aw.DoorLink, "", "10.0.0.7"), "sms-link"},
		{aw.ResponderActor(aw.DoorLink, "Jan", "10.0.0.7"), "Jan (sms-link)"},
		{aw.ResponderActor(aw.DoorCode, "", "10.0.0.7"), "toegangscode"},
	} {
		if got, want := c.a.String(), c.want; got != want {
			t.Fatalf("%+v: %q, want %q", c.a, got, want)
		}
	}
}

func TestUserServiceCreateRefused(t *testing.T) {
	s, db, _ := newUserService(t)
	long := strings.Repeat("x", aw.MaxNameLen+1)
	for name, c := range map[string]struct {
		name, role, password, field string
	}{
		"NoName":        {"  ", "installer", "een-lang-wachtwoord", "name"},
		"LongName":      {long, "installer", "een-lang-wachtwoord", "name"},
		"BadRole":       {"piet", "baas", "een-lang-wachtwoord", "role"},
		"ShortPassword": {"piet", "installer", "kort", "password"},
		"LongPassword":  {"piet", "installer", strings.Repeat("x", aw.MaxPasswordLen+1), "password"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.CreateUser(context.Background(), aw.CLIActor("root"), c.name, aw.Role(c.role), c.password)
			if got, want := aw.ErrorCode(err), aw.EINVALID; got != want {
				t.Fatalf("code %q (%v), want %q", got, err, want)
			}
			if got, want := aw.ErrorField(err), c.field; got != want {
				t.Fatalf("field %q, want %q", got, want)
			}
		})
	}
	if got, want := auditCount(t, db), 0; got != want {
		t.Fatalf("%d audit entries after refusals, want %d", got, want)
	}
}

func TestUserServiceCreate(t *testing.T) {
	s, db, clock := newUserService(t)
	ctx := context.Background()
	u, err := s.CreateUser(ctx, aw.SocketActor("root"), " piet ", aw.RoleInstaller, "een-lang-wachtwoord")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Name, "piet"; got != want {
		t.Fatalf("name %q, want %q", got, want)
	}
	if err := bcrypt.CompareHashAndPassword(u.PasswordHash, []byte("een-lang-wachtwoord")); err != nil {
		t.Fatalf("password hash: %v", err)
	}
	e := lastAudit(t, db)
	if e.Actor != "socket:root" || e.Action != aw.AuditUserCreated || e.Target != "piet" || e.New != "installer" || !e.At.Equal(clock.Now()) || e.IP != "" {
		t.Fatalf("audit entry %+v", e)
	}
	if _, err := s.CreateUser(ctx, aw.CLIActor("root"), "piet", aw.RoleResponder, "een-lang-wachtwoord"); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("same name again: %v", err)
	}
	if got, want := auditCount(t, db), 1; got != want {
		t.Fatalf("%d audit entries, want %d", got, want)
	}
}

func TestUserServiceChanges(t *testing.T) {
	s, db, clock := newUserService(t)
	ctx := context.Background()
	admin, err := s.CreateUser(ctx, aw.CLIActor("root"), "beheer", aw.RoleSuperAdmin, "een-lang-wachtwoord")
	if err != nil {
		t.Fatal(err)
	}
	target, err := s.CreateUser(ctx, aw.CLIActor("root"), "doel", aw.RoleResponder, "een-lang-wachtwoord")
	if err != nil {
		t.Fatal(err)
	}
	by := aw.ConsoleActor(admin, "10.0.0.5")
	check := func(action, old, nw string) {
		t.Helper()
		e := lastAudit(t, db)
		if e.Actor != "beheer" || e.IP != "10.0.0.5" || e.Action != action || e.Target != "doel" || e.Old != old || e.New != nw || !e.At.Equal(clock.Now()) {
			t.Fatalf("audit entry %+v, want %s %s->%s", e, action, old, nw)
		}
	}

	clock.Advance(time.Minute)
	if _, err := s.ChangeRole(ctx, by, target.ID, "baas"); aw.ErrorField(err) != "role" {
		t.Fatalf("bad role: %v", err)
	}
	if u, err := s.ChangeRole(ctx, by, target.ID, aw.RoleInstaller); err != nil || u.Role != aw.RoleInstaller {
		t.Fatalf("change role: %+v %v", u, err)
	}
	check(aw.AuditUserRole, "responder", "installer")

	if err := db.CreateConsoleSession(ctx, &aw.ConsoleSession{TokenHash: aw.HashToken("x"), UserID: target.ID, CreatedAt: clock.Now(), ExpiresAt: clock.Now().Add(time.Hour)}, clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResetPassword(ctx, by, target.ID, "kort"); aw.ErrorField(err) != "password" {
		t.Fatalf("short password: %v", err)
	}
	if _, err := s.ResetPassword(ctx, by, target.ID, "een-ander-wachtwoord"); err != nil {
		t.Fatal(err)
	}
	check(aw.AuditUserPassword, "", "")
	if _, err := db.ConsoleSession(ctx, aw.HashToken("x"), clock.Now()); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
		t.Fatalf("log-in after the password reset: %v", err)
	}

	if u, err := s.DisableUser(ctx, by, target.ID); err != nil || u.DisabledAt == nil || !u.DisabledAt.Equal(clock.Now()) {
		t.Fatalf("disable: %+v %v", u, err)
	}
	check(aw.AuditUserDisabled, "", "")
	if u, err := s.EnableUser(ctx, by, target.ID); err != nil || u.DisabledAt != nil {
		t.Fatalf("enable: %+v %v", u, err)
	}
	check(aw.AuditUserEnabled, "", "")

	n := auditCount(t, db)
	if _, err := s.DisableUser(ctx, by, admin.ID); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("disable oneself: %v", err)
	}
	if _, err := s.ChangeRole(ctx, by, admin.ID, aw.RoleResponder); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("change one's own role: %v", err)
	}
	if _, err := s.EnableUser(ctx, by, "nobody"); aw.ErrorCode(err) != aw.ENOTFOUND {
		t.Fatalf("unknown user: %v", err)
	}
	if got, want := auditCount(t, db), n; got != want {
		t.Fatalf("%d audit entries after refusals, want %d", got, want)
	}
}
