package alleenwerken_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

func runDispatcher(t *testing.T, db aw.Outbox, clock aw.Clock, senders ...aw.SMSSender) *aw.Dispatcher {
	t.Helper()
	d := &aw.Dispatcher{Outbox: db, Senders: senders, Clock: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func smsState(t *testing.T, db interface {
	ListSMS(context.Context, int) ([]*aw.SMS, error)
}, id string) *aw.SMS {
	t.Helper()
	all, _ := db.ListSMS(context.Background(), 0)
	for _, m := range all {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func TestDispatcher(t *testing.T) {
	ctx := context.Background()
	enqueue := func(t *testing.T, db aw.Outbox, kind aw.SMSKind, deadline *time.Time) *aw.SMS {
		m := &aw.SMS{Kind: kind, To: "+31617782201", Text: "x", CreatedAt: time.Now(), Deadline: deadline}
		if err := db.EnqueueSMS(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	t.Run("SentRetryFailed", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := testkit.NewSMSSender("m1", &aw.SendError{Retry: true, Err: errors.New("+CMS ERROR: 332")})
		m1 := enqueue(t, db, aw.SMSAlarm, nil)
		runDispatcher(t, db, aw.SystemClock{}, s)
		testkit.Eventually(t, "retry queued", func() bool { m := smsState(t, db, m1.ID); return m.State == aw.SMSQueued && m.NextTryAt != nil })
		s.FailNext(&aw.SendError{Err: errors.New("+CMS ERROR: 304")})
		m2 := enqueue(t, db, aw.SMSAlarm, nil)
		testkit.Eventually(t, "final failure", func() bool { return smsState(t, db, m2.ID).State == aw.SMSFailed })
		if got := smsState(t, db, m2.ID).LastError; got != "+CMS ERROR: 304" {
			t.Fatalf("last error = %q", got)
		}
	})
	t.Run("UnknownReminderNotResentAlarmResentOnce", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		timeout := &aw.SendError{Unknown: true, Err: errors.New("timeout")}
		s := testkit.NewSMSSender("m1", timeout)
		rem := enqueue(t, db, aw.SMSReminder, nil)
		runDispatcher(t, db, aw.SystemClock{}, s)
		testkit.Eventually(t, "reminder unknown", func() bool { return smsState(t, db, rem.ID).State == aw.SMSUnknown })
		s.FailNext(timeout)
		al := enqueue(t, db, aw.SMSResponder, nil)
		testkit.Eventually(t, "alarm SMS resent and sent", func() bool { return smsState(t, db, al.ID).State == aw.SMSSent })
		if m := smsState(t, db, al.ID); !m.Resent || s.Count() != 1 {
			t.Fatalf("resent %v sends %d", m.Resent, s.Count())
		}
	})
	t.Run("LateReminderNotSent", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		s := testkit.NewSMSSender("m1")
		past := time.Now().Add(-time.Second)
		m := enqueue(t, db, aw.SMSReminder, &past)
		runDispatcher(t, db, aw.SystemClock{}, s)
		testkit.Eventually(t, "late", func() bool { return smsState(t, db, m.ID).State == aw.SMSLate })
		if s.Count() != 0 {
			t.Fatal("late reminder sent")
		}
	})
	t.Run("SetSendersSwapsModemsWithoutLoss", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		old := testkit.NewSMSSender("old")
		d := runDispatcher(t, db, aw.SystemClock{}, old)
		first := enqueue(t, db, aw.SMSAlarm, nil)
		d.Notify()
		testkit.Eventually(t, "sent by the old modem", func() bool { return smsState(t, db, first.ID).State == aw.SMSSent })
		n1, n2 := testkit.NewSMSSender("new1"), testkit.NewSMSSender("new2")
		d.SetSenders([]aw.SMSSender{n1, n2})
		for i := 0; i < 10; i++ {
			enqueue(t, db, aw.SMSAlarm, nil)
		}
		d.Notify()
		testkit.Eventually(t, "sent by the new modems", func() bool { return n1.Count()+n2.Count() == 10 })
		if old.Count() != 1 {
			t.Fatalf("the removed modem sent %d", old.Count())
		}
		if h := d.Health(); h.State != aw.HealthOK {
			t.Fatalf("health %+v", h)
		}
		d.SetSenders(nil)
		if h := d.Health(); h.State != aw.HealthDown {
			t.Fatalf("no modems: health %+v", h)
		}
		m := enqueue(t, db, aw.SMSAlarm, nil)
		time.Sleep(50 * time.Millisecond)
		if got := smsState(t, db, m.ID).State; got != aw.SMSQueued {
			t.Fatalf("without modems the message is %s, want queued", got)
		}
		d.SetSenders([]aw.SMSSender{n1})
		testkit.Eventually(t, "queued message sent once a modem is back", func() bool { return smsState(t, db, m.ID).State == aw.SMSSent })
	})
	t.Run("FailoverWithoutDoubleSends", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		a := testkit.NewSMSSender("a")
		a.SetDown(true)
		b := testkit.NewSMSSender("b")
		var ids []string
		for i := 0; i < 20; i++ {
			ids = append(ids, enqueue(t, db, aw.SMSAlarm, nil).ID)
		}
		runDispatcher(t, db, aw.SystemClock{}, a, b)
		testkit.Eventually(t, "all sent by b", func() bool { return b.Count() == 20 })
		if a.Count() != 0 {
			t.Fatalf("paused modem sent %d", a.Count())
		}
		a.SetDown(false)
		for i := 0; i < 40; i++ {
			ids = append(ids, enqueue(t, db, aw.SMSAlarm, nil).ID)
		}
		testkit.Eventually(t, "all sent", func() bool { return a.Count()+b.Count() == 60 })
		seen := map[string]bool{}
		for _, f := range []*testkit.SMSSender{a, b} {
			for _, id := range f.Sent() {
				if seen[id] {
					t.Fatalf("sent twice: %s", id)
				}
				seen[id] = true
			}
		}
		for _, id := range ids {
			if !seen[id] {
				t.Fatalf("never sent: %s", id)
			}
		}
	})
	t.Run("CrashWhileSendingRecovered", func(t *testing.T) {
		db := testkit.MustOpenDB(t)
		rem := enqueue(t, db, aw.SMSReminder, nil)
		al := enqueue(t, db, aw.SMSAlarm, nil)
		for i := 0; i < 2; i++ { // a daemon that died while both were being sent
			if m, err := db.ClaimSMS(ctx, time.Now(), "m1"); err != nil || m == nil {
				t.Fatal(m, err)
			}
		}
		s := testkit.NewSMSSender("m1")
		runDispatcher(t, db, aw.SystemClock{}, s)
		testkit.Eventually(t, "alarm resent", func() bool { return smsState(t, db, al.ID).State == aw.SMSSent })
		if st := smsState(t, db, rem.ID).State; st != aw.SMSUnknown || s.Count() != 1 {
			t.Fatalf("reminder %s, sends %d", st, s.Count())
		}
	})
}
