package alleenwerken_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/store"
)

// newLoginService returns a log-in service and a user "beheer" with the
// password "een-lang-wachtwoord" on a real store.
func newLoginService(t *testing.T, db *store.DB, clock aw.Clock) *aw.LoginService {
	t.Helper()
	s, err := aw.NewLoginService(context.Background(), db, clock, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	s.Sleep = func(context.Context, time.Duration) {} // the slow-down is checked where it matters
	return s
}

func TestLoginService(t *testing.T) {
	ctx := context.Background()
	users, db, clock := newUserService(t)
	u, err := users.CreateUser(ctx, aw.CLIActor("root"), "beheer", aw.RoleSuperAdmin, "een-lang-wachtwoord")
	if err != nil {
		t.Fatal(err)
	}
	s := newLoginService(t, db, clock)

	t.Run("OK", func(t *testing.T) {
		tok, cs, got, err := s.Login(ctx, " beheer ", "een-lang-wachtwoord", "10.0.0.5")
		if err != nil || got.ID != u.ID || cs.CSRF == "" || tok == "" {
			t.Fatalf("login: %v %+v", err, cs)
		}
		if e := lastAudit(t, db); e.Action != aw.AuditLogin || e.Actor != "beheer" || e.IP != "10.0.0.5" {
			t.Fatalf("audit: %+v", e)
		}
		if _, who, err := s.Authenticate(ctx, tok); err != nil || who.ID != u.ID {
			t.Fatalf("authenticate: %v", err)
		}
		if n, err := s.Active(ctx); err != nil || n != 1 {
			t.Fatalf("active: %d %v", n, err)
		}
		if err := s.Logout(ctx, aw.ConsoleActor(u, "10.0.0.5"), cs); err != nil {
			t.Fatal(err)
		}
		if e := lastAudit(t, db); e.Action != aw.AuditLogout {
			t.Fatalf("audit: %+v", e)
		}
		if _, _, err := s.Authenticate(ctx, tok); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("after log-out: %v", err)
		}
	})
	t.Run("ErrUnknownToken", func(t *testing.T) {
		if _, _, err := s.Authenticate(ctx, "nonsense"); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("%v", err)
		}
	})
	t.Run("ErrDisabled", func(t *testing.T) {
		tok, _, _, err := s.Login(ctx, "beheer", "een-lang-wachtwoord", "10.0.0.5")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := users.DisableUser(ctx, aw.CLIActor("root"), u.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Authenticate(ctx, tok); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("disabled user's session: %v", err)
		}
		if _, _, _, err := s.Login(ctx, "beheer", "een-lang-wachtwoord", "10.0.0.5"); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("disabled user's log-in: %v", err)
		}
		if _, err := users.EnableUser(ctx, aw.CLIActor("root"), u.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrLockedOut", func(t *testing.T) {
		if _, err := users.CreateUser(ctx, aw.CLIActor("root"), "derde", aw.RoleResponder, "een-lang-wachtwoord"); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < aw.LoginMaxFailures; i++ {
			if _, _, _, err := s.Login(ctx, "derde", "fout", "10.0.0.9"); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
				t.Fatalf("wrong password %d: %v", i, err)
			}
		}
		if e := lastAudit(t, db); e.Action != aw.AuditLoginThrottled || e.IP != "10.0.0.9" {
			t.Fatalf("audit: %+v", e)
		}
		var slept []time.Duration
		s.Sleep = func(_ context.Context, d time.Duration) { slept = append(slept, d) }
		n := auditCount(t, db)
		_, _, _, err := s.Login(ctx, "derde", "een-lang-wachtwoord", "10.0.0.9")
		if aw.ErrorCode(err) != aw.ETOOMANY || aw.ErrorWait(err) != aw.LoginLockout {
			t.Fatalf("right password while locked: %v (wait %v)", err, aw.ErrorWait(err))
		}
		if got := auditCount(t, db); got != n {
			t.Fatalf("a refused attempt was audited: %d entries, was %d", got, n)
		}
		// A restart keeps the lock-out.
		again := newLoginService(t, db, clock)
		again.Sleep = s.Sleep
		if _, _, _, err := again.Login(ctx, "derde", "een-lang-wachtwoord", "10.0.0.9"); aw.ErrorCode(err) != aw.ETOOMANY {
			t.Fatalf("after a restart: %v", err)
		}
		// The real user from another address gets in, slowed down by at
		// most LoginSlowMax.
		slept = nil
		if _, _, _, err := s.Login(ctx, "derde", "een-lang-wachtwoord", "10.0.0.10"); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		if len(slept) != 1 || slept[0] != aw.LoginSlowMax {
			t.Fatalf("slowed down %v, want once %v", slept, aw.LoginSlowMax)
		}
		clock.Advance(aw.LoginLockout + time.Second)
		slept = nil
		if _, _, _, err := s.Login(ctx, "derde", "een-lang-wachtwoord", "10.0.0.9"); err != nil || len(slept) != 0 {
			t.Fatalf("after the lock-out: %v (slowed %v)", err, slept)
		}
	})
}
