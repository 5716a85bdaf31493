package alleenwerken_test

import (
	"context"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/store"
)

// handler marks alarms handled in the store, as the service does.
type handler struct {
	db    *store.DB
	clock aw.Clock
}

func (h handler) HandleAlarm(ctx context.Context, id, by, remark string) (*aw.Alarm, error) {
	now := h.clock.Now()
	return h.db.UpdateAlarm(ctx, id, func(a *aw.Alarm) error {
		if a.State == aw.AlarmHandled {
			return aw.Errorf(aw.ECONFLICT, "al afgehandeld")
		}
		a.State, a.HandledBy, a.HandledAt, a.Remark = aw.AlarmHandled, by, &now, remark
		return nil
	})
}

// newReportService returns a report service on a real store with one
// escalating alarm whose access code is 4321.
func newReportService(t *testing.T) (*aw.ReportService, *store.DB, *aw.ManualClock, *aw.Alarm) {
	t.Helper()
	db := testkit.MustOpenDB(t)
	clock := aw.NewManualClock(t0)
	a := &aw.Alarm{Cause: aw.CauseTest, Test: true, State: aw.AlarmEscalating, RaisedAt: t0, AccessCode: "4321", Loop: 1}
	if err := db.CreateAlarm(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	s, err := aw.NewReportService(context.Background(), db, handler{db, clock}, clock, discardLog)
	if err != nil {
		t.Fatal(err)
	}
	return s, db, clock, a
}

func TestReportServiceByCode(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, db, _, a := newReportService(t)
		tok, err := s.ByCode(ctx, a.Number, "4321", "10.0.0.5")
		if err != nil {
			t.Fatal(err)
		}
		if e := lastAudit(t, db); e.Action != aw.AuditAlarmViewed || e.Actor != "toegangscode" || e.IP != "10.0.0.5" {
			t.Fatalf("audit: %+v", e)
		}
		got, err := s.ByLink(ctx, tok, "10.0.0.5", false)
		if err != nil || got.ID != a.ID {
			t.Fatalf("the code's link: %v", err)
		}
		if r := s.Report(ctx, got); r.Alarm != got || r.Session != nil {
			t.Fatalf("report: %+v", r)
		}
	})
	t.Run("ErrWrongCode", func(t *testing.T) {
		s, db, _, a := newReportService(t)
		if _, err := s.ByCode(ctx, a.Number, "1234", "10.0.0.5"); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("%v", err)
		}
		if e := lastAudit(t, db); e.Action != aw.AuditAccessRefused || e.Target != "#101" {
			t.Fatalf("audit: %+v", e)
		}
	})
	t.Run("ErrLockedPerRange", func(t *testing.T) {
		s, _, clock, a := newReportService(t)
		for i := 0; i < aw.CodeMaxFailures; i++ {
			s.ByCode(ctx, a.Number, "0000", "10.0.0.5")
		}
		if _, err := s.ByCode(ctx, a.Number, "4321", "10.0.0.5"); aw.ErrorCode(err) != aw.ETOOMANY {
			t.Fatalf("right code from a locked address: %v", err)
		}
		if _, err := s.ByCode(ctx, a.Number, "4321", "10.0.0.6"); aw.ErrorCode(err) != aw.ETOOMANY {
			t.Fatalf("another address in the same /24: %v", err)
		}
		if _, err := s.ByCode(ctx, a.Number, "4321", "10.0.1.6"); err != nil {
			t.Fatalf("another range: %v", err)
		}
		clock.Advance(aw.CodeLockout)
		if _, err := s.ByCode(ctx, a.Number, "4321", "10.0.0.5"); err != nil {
			t.Fatalf("after the lock-out: %v", err)
		}
	})
	t.Run("ErrLockedPerNumber", func(t *testing.T) {
		s, db, clock, a := newReportService(t)
		for i := 0; i < aw.CodeMaxFailuresPerNumber; i++ {
			s.ByCode(ctx, a.Number, "0000", "10.0.1."+string(rune('a'+i)))
		}
		if _, err := s.ByCode(ctx, a.Number, "4321", "10.0.2.1"); aw.ErrorCode(err) != aw.ETOOMANY {
			t.Fatalf("right code for a locked number: %v", err)
		}
		// A restart keeps it.
		again, err := aw.NewReportService(ctx, db, handler{db, clock}, clock, discardLog)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := again.ByCode(ctx, a.Number, "4321", "10.0.2.1"); aw.ErrorCode(err) != aw.ETOOMANY {
			t.Fatalf("after a restart: %v", err)
		}
	})
	t.Run("ErrHandledLongAgo", func(t *testing.T) {
		s, _, clock, a := newReportService(t)
		if _, err := s.Handle(ctx, aw.CLIActor("test"), a, "klaar"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(aw.CodeValidAfterHandled + time.Minute)
		if _, err := s.ByCode(ctx, a.Number, "4321", "10.0.0.5"); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("%v", err)
		}
	})
}

func TestReportServiceByLink(t *testing.T) {
	ctx := context.Background()
	s, db, _, _ := newReportService(t)
	for i := 0; i < aw.LinkMaxFailures; i++ {
		if _, err := s.ByLink(ctx, "nonsense", "10.0.0.5", false); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
			t.Fatalf("unknown link %d: %v", i, err)
		}
	}
	n := auditCount(t, db)
	if _, err := s.ByLink(ctx, "nonsense", "10.0.0.5", false); aw.ErrorCode(err) != aw.ETOOMANY {
		t.Fatalf("locked address: %v", err)
	}
	// A poll of a page left open is neither locked out nor audited.
	if _, err := s.ByLink(ctx, "nonsense", "10.0.0.5", true); aw.ErrorCode(err) != aw.EUNAUTHORIZED {
		t.Fatalf("poll: %v", err)
	}
	if got := auditCount(t, db); got != n {
		t.Fatalf("refusals while locked were audited: %d, was %d", got, n)
	}
}

func TestReportServiceHandle(t *testing.T) {
	ctx := context.Background()
	s, db, _, a := newReportService(t)
	if _, err := s.Handle(ctx, aw.ResponderActor(aw.DoorLink, " ", "10.0.0.5"), a, ""); aw.ErrorField(err) != "name" {
		t.Fatalf("no name: %v", err)
	}
	got, err := s.Handle(ctx, aw.ResponderActor(aw.DoorLink, "Jan", "10.0.0.5"), a, "vals alarm")
	if err != nil || got.HandledBy != "Jan (sms-link)" {
		t.Fatalf("%v %+v", err, got)
	}
	if e := lastAudit(t, db); e.Action != aw.AuditAlarmHandled || e.Actor != "Jan (sms-link)" || e.New != "vals alarm" {
		t.Fatalf("audit: %+v", e)
	}
	if _, err := s.Handle(ctx, aw.CLIActor("x"), a, ""); aw.ErrorCode(err) != aw.ECONFLICT {
		t.Fatalf("twice: %v", err)
	}
	if last, err := s.LastTest(ctx, 10); err != nil || last.ID != a.ID {
		t.Fatalf("last test: %v", err)
	}
	if open, err := s.Open(ctx); err != nil || len(open) != 0 {
		t.Fatalf("open: %d %v", len(open), err)
	}
}

func TestAddressRange(t *testing.T) {
	for ip, want := range map[string]string{
		"10.0.0.5": "10.0.0.0/24", "127.0.0.66": "127.0.0.0/24", "::ffff:10.1.2.3": "10.1.2.0/24",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64", "nonsense": "nonsense",
	} {
		if got := aw.AddressRange(ip); got != want {
			t.Errorf("AddressRange(%q) = %q, want %q", ip, got, want)
		}
	}
}
