package gsm_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
	"alleenwerken/gsm"
	"alleenwerken/gsm/modemsim"
	"alleenwerken/store"
)

// These tests drive the real Dispatcher and the real bbolt store through
// modems on simulated ports.

func openStore(tb testing.TB, path string) *store.DB {
	tb.Helper()
	db, err := store.Open(path, testLogger())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// fastClock is a manual clock that runs 50 times faster than real time, so
// the dispatcher's retry backoff (seconds) passes in milliseconds.
func fastClock(tb testing.TB) *aw.ManualClock {
	c := aw.NewManualClock(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				c.Advance(100 * time.Millisecond)
			}
		}
	}()
	tb.Cleanup(func() { close(stop); <-done })
	return c
}

func runDispatcher(tb testing.TB, db aw.Outbox, clock aw.Clock, senders ...aw.SMSSender) *aw.Dispatcher {
	tb.Helper()
	d := &aw.Dispatcher{Outbox: db, Senders: senders, Clock: clock, Logger: testLogger(), Poll: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	return d
}

func enqueue(tb testing.TB, db aw.Outbox, kind aw.SMSKind, text string, deadline *time.Time) *aw.SMS {
	tb.Helper()
	m := &aw.SMS{Kind: kind, To: "+31617782201", Text: text, Deadline: deadline}
	if err := db.EnqueueSMS(context.Background(), m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func states(tb testing.TB, db aw.Outbox) map[string]*aw.SMS {
	tb.Helper()
	all, err := db.ListSMS(context.Background(), 0)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]*aw.SMS{}
	for _, m := range all {
		out[m.ID] = m
	}
	return out
}

func waitAllFinal(tb testing.TB, db aw.Outbox, timeout time.Duration) map[string]*aw.SMS {
	tb.Helper()
	var ms map[string]*aw.SMS
	testkit.EventuallyWithin(tb, timeout, "every SMS finished", func() bool {
		ms = states(tb, db)
		for _, m := range ms {
			if m.State == aw.SMSQueued || m.State == aw.SMSSending {
				return false
			}
		}
		return true
	})
	return ms
}

func texts(tb testing.TB, sims ...*modemsim.Sim) []string {
	tb.Helper()
	var out []string
	for _, s := range sims {
		for _, d := range decodeAll(tb, s.Sent()) {
			out = append(out, d.Text)
		}
	}
	return out
}

func TestDispatchAlarmOvertakesReminders(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
	clock := fastClock(t)
	sim := newSim(t, modemsim.Options{SendDelay: 3 * time.Millisecond})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	deadline := clock.Now().Add(24 * time.Hour)
	for i := range 50 {
		enqueue(t, db, aw.SMSReminder, fmt.Sprintf("herinnering %d", i), &deadline)
	}
	d := runDispatcher(t, db, clock, m)
	testkit.EventuallyWithin(t, 5*time.Second, "3 reminders out", func() bool { return len(sim.Sent()) >= 3 })
	enqueue(t, db, aw.SMSAlarm, "ALARM Alleen Werken #897", nil)
	d.Notify()
	// At most one reminder was being sent when the alarm was committed.
	before := len(sim.Sent())
	start := time.Now()
	testkit.EventuallyWithin(t, 5*time.Second, "the alarm SMS", func() bool { return slices.Contains(texts(t, sim), "ALARM Alleen Werken #897") })
	t.Logf("alarm out %v after queueing, behind %d reminders already sent", time.Since(start), before)
	ms := waitAllFinal(t, db, 10*time.Second)
	got := texts(t, sim)
	if len(got) != 51 {
		t.Fatalf("sent %d messages, want 51", len(got))
	}
	pos := slices.Index(got, "ALARM Alleen Werken #897")
	if pos > before+1 || before > 40 {
		t.Fatalf("alarm sent as number %d; %d reminders were out when it was queued", pos+1, before)
	}
	for _, s := range ms {
		if s.State != aw.SMSSent || len(s.Refs) != 1 || s.Modem != "test" {
			t.Fatalf("sms %+v", s)
		}
	}
}

// A daemon that died while sending: on restart the reminder becomes unknown
// and is not resent; the alarm SMS is sent once more.
func TestDispatchCrashWhileSending(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aw.db")
	db, err := store.Open(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	clock := fastClock(t)
	deadline := clock.Now().Add(time.Hour)
	rem := enqueue(t, db, aw.SMSReminder, "herinnering", &deadline)
	alarm := enqueue(t, db, aw.SMSAlarm, "ALARM", nil)
	for range 2 {
		if m, err := db.ClaimSMS(context.Background(), clock.Now(), "test"); err != nil || m == nil {
			t.Fatalf("claim: %v %v", m, err)
		}
	}
	db.Close() // the crash

	db = openStore(t, path)
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	runDispatcher(t, db, clock, m)
	// RecoverSMS marks both unknown first; the dispatcher then queues the
	// alarm again.
	testkit.EventuallyWithin(t, 5*time.Second, "the alarm resent", func() bool { return states(t, db)[alarm.ID].State == aw.SMSSent })
	ms := waitAllFinal(t, db, 5*time.Second)
	if s := ms[rem.ID]; s.State != aw.SMSUnknown {
		t.Fatalf("reminder %+v, want unknown", s)
	}
	if s := ms[alarm.ID]; s.State != aw.SMSSent || !s.Resent {
		t.Fatalf("alarm %+v, want sent again", s)
	}
	if got := texts(t, sim); !slices.Equal(got, []string{"ALARM"}) {
		t.Fatalf("sent %q", got)
	}
}

// Messages queued before a restart go out after it.
func TestDispatchRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aw.db")
	db, err := store.Open(path, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		enqueue(t, db, aw.SMSResponder, fmt.Sprintf("bericht %d", i), nil)
	}
	db.Close()

	db = openStore(t, path)
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	runDispatcher(t, db, fastClock(t), m)
	waitAllFinal(t, db, 5*time.Second)
	got := texts(t, sim)
	slices.Sort(got)
	if !slices.Equal(got, []string{"bericht 0", "bericht 1", "bericht 2", "bericht 3", "bericht 4"}) {
		t.Fatalf("sent %q", got)
	}
}

// Two modems drain one outbox: no message goes out twice; when one modem
// loses the network the other takes over.
func TestDispatchFailover(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
	simA := newSim(t, modemsim.Options{SendDelay: 5 * time.Millisecond})
	simB := newSim(t, modemsim.Options{SendDelay: 5 * time.Millisecond})
	cfgA, cfgB := fastConfig(simA.Path()), fastConfig(simB.Path())
	cfgA.Name, cfgB.Name = "A", "B"
	a, b := startModem(t, cfgA), startModem(t, cfgB)
	waitHealth(t, a, aw.HealthOK)
	waitHealth(t, b, aw.HealthOK)
	var want []string
	for i := range 60 {
		want = append(want, fmt.Sprintf("bericht %02d", i))
		enqueue(t, db, aw.SMSAdmin, want[i], nil)
	}
	runDispatcher(t, db, fastClock(t), a, b)
	testkit.EventuallyWithin(t, 5*time.Second, "both modems sending", func() bool { return len(simA.Sent()) >= 5 && len(simB.Sent()) >= 5 })
	simA.Configure(func(o *modemsim.Options) { o.Reg = 2 }) // A loses the network
	waitHealth(t, a, aw.HealthDown, "Zoekt een netwerk")
	atDown := len(simA.Sent())
	ms := waitAllFinal(t, db, 10*time.Second)
	if n := len(simA.Sent()); n > atDown+1 {
		t.Fatalf("modem A sent %d messages after it went down", n-atDown)
	}
	got := texts(t, simA, simB)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("sent %d messages (%q), want each of %d once", len(got), got, len(want))
	}
	byModem := map[string]int{}
	for _, s := range ms {
		if s.State != aw.SMSSent {
			t.Fatalf("sms %+v", s)
		}
		byModem[s.Modem]++
	}
	t.Logf("sent by modem: %v; A went down after %d", byModem, atDown)
	if byModem["A"] != len(simA.Sent()) || byModem["B"] != len(simB.Sent()) {
		t.Fatalf("records say %v, simulators got A=%d B=%d", byModem, len(simA.Sent()), len(simB.Sent()))
	}
}

// The modem is unplugged in the middle of a queue of alarm SMS: nothing is
// lost; a message that was being submitted may go out twice (and the log
// says so), every other one exactly once.
func TestDispatchUnplugDuringQueue(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
	sim := newSim(t, modemsim.Options{SendDelay: 10 * time.Millisecond})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	var want []string
	for i := range 15 {
		want = append(want, fmt.Sprintf("alarm %02d", i))
		enqueue(t, db, aw.SMSAlarm, want[i], nil)
	}
	runDispatcher(t, db, fastClock(t), m)
	testkit.EventuallyWithin(t, 5*time.Second, "4 sent", func() bool { return len(sim.Sent()) >= 4 })
	if err := sim.Unplug(); err != nil {
		t.Fatal(err)
	}
	ms := waitAllFinal(t, db, 10*time.Second)
	got := texts(t, sim)
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	for _, s := range ms {
		if s.State != aw.SMSSent {
			t.Fatalf("sms %+v, want sent", s)
		}
		if n := seen[s.Text]; n < 1 || (n > 1 && !s.Resent) {
			t.Fatalf("%q went out %d times (resent %v)", s.Text, n, s.Resent)
		}
	}
	t.Logf("%d messages, %d submissions", len(ms), len(got))
}

// A reminder whose timer already expired is not sent.
func TestDispatchLateReminder(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
	clock := fastClock(t)
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	past := clock.Now().Add(-time.Minute)
	late := enqueue(t, db, aw.SMSReminder, "te laat", &past)
	runDispatcher(t, db, clock, m)
	ms := waitAllFinal(t, db, 5*time.Second)
	if s := ms[late.ID]; s.State != aw.SMSLate {
		t.Fatalf("reminder %+v, want late", s)
	}
	if len(sim.Submits()) != 0 {
		t.Fatal("a late reminder reached the modem")
	}
}

// A delivery report lands on the outbox record.
func TestDispatchDeliveryReport(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
	sim := newSim(t, modemsim.Options{AutoReport: true})
	m := outboxModem(t, sim, db)
	s := enqueue(t, db, aw.SMSResponder, "ALARM Alleen Werken #897: Laura van Dijk", nil)
	runDispatcher(t, db, fastClock(t), m)
	testkit.EventuallyWithin(t, 5*time.Second, "delivery recorded", func() bool {
		x := states(t, db)[s.ID]
		return x.State == aw.SMSSent && x.Delivery == gsm.DeliveryDelivered && x.DeliveryAt != nil
	})
	q, err := gsm.QueueStats(context.Background(), db)
	if err != nil || len(q.Queued) != 0 || q.OldestQueued != nil {
		t.Fatalf("queue %+v %v", q, err)
	}
}

// Status reports that come after a restart are matched through the
// outbox: a two-part message reported half before and half after, a
// failed one, and a report for no message this modem sent.
func TestDispatchDeliveryReportAfterRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aw.db")
	sim := newSim(t, modemsim.Options{})
	long := "Een lange melding in twee delen, met ë en é erin zodat het UCS-2 wordt en dus al na zeventig tekens wordt opgesplitst."
	var two, one *aw.SMS
	t.Run("BeforeRestart", func(t *testing.T) {
		db := openStore(t, path)
		m := outboxModem(t, sim, db)
		two = enqueue(t, db, aw.SMSResponder, long, nil)
		one = enqueue(t, db, aw.SMSAlarm, "ALARM Alleen Werken #897", nil)
		runDispatcher(t, db, aw.SystemClock{}, m)
		ms := waitAllFinal(t, db, 5*time.Second)
		two, one = ms[two.ID], ms[one.ID]
		if two.State != aw.SMSSent || len(two.Refs) != 2 || one.State != aw.SMSSent || len(one.Refs) != 1 {
			t.Fatalf("sent: %+v %+v", two, one)
		}
		if err := sim.StatusReport(two.Refs[0], two.To, 0x00); err != nil {
			t.Fatal(err)
		}
		testkit.EventuallyWithin(t, 2*time.Second, "first part reported", func() bool { return states(t, db)[two.ID].Delivery == gsm.DeliveryPending })
	})

	db := openStore(t, path)
	var got reports
	cfg := fastConfig(sim.Path())
	cfg.Outbox, cfg.OnReport = db, got.add
	m := startModem(t, cfg)
	waitHealth(t, m, aw.HealthOK)
	for _, r := range []struct {
		mr int
		st byte
	}{{two.Refs[1], 0x00}, {one.Refs[0], 0x41}, {(one.Refs[0] + 100) % 256, 0x00}} {
		if err := sim.StatusReport(r.mr, "+31617782201", r.st); err != nil {
			t.Fatal(err)
		}
	}
	testkit.EventuallyWithin(t, 2*time.Second, "two reports after the restart", func() bool { return len(got.all()) >= 2 })
	time.Sleep(100 * time.Millisecond) // the unknown one must not match either
	if n := len(got.all()); n != 2 {
		t.Fatalf("%d reports matched: %+v", n, got.all())
	}
	ms := states(t, db)
	if s := ms[two.ID]; s.Delivery != gsm.DeliveryDelivered || !slices.Equal(s.PartStatus, []int{0, 0}) || s.DeliveryAt == nil {
		t.Fatalf("two-part message after the restart: delivery %q parts %v", s.Delivery, s.PartStatus)
	}
	if s := ms[one.ID]; s.Delivery != gsm.DeliveryFailed || !slices.Equal(s.PartStatus, []int{0x41}) {
		t.Fatalf("failed message after the restart: delivery %q parts %v", s.Delivery, s.PartStatus)
	}
	for _, r := range got.all() {
		if r.SMSID == two.ID && (r.Part != 2 || r.Parts != 2 || r.Delivery != gsm.DeliveryDelivered) {
			t.Fatalf("report %+v", r)
		}
	}
}

// Stop or extend cancels the session's queued reminder: it never reaches
// the modem; the queue statistics show what waits.
func TestDispatchCancelledReminder(t *testing.T) {
	db := openStore(t, filepath.Join(t.TempDir(), "aw.db"))
	ctx := context.Background()
	clock := fastClock(t)
	deadline := clock.Now().Add(time.Hour)
	rem := &aw.SMS{Kind: aw.SMSReminder, To: "+31617782201", Text: "herinnering", Deadline: &deadline, SessionID: "sess1"}
	if err := db.EnqueueSMS(ctx, rem); err != nil {
		t.Fatal(err)
	}
	other := enqueue(t, db, aw.SMSReminder, "andere sessie", &deadline)
	enqueue(t, db, aw.SMSAlarm, "ALARM", nil)
	q, err := gsm.QueueStats(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if q.Queued[aw.SMSReminder] != 2 || q.Queued[aw.SMSAlarm] != 1 || q.OldestQueued == nil || q.OldestQueued.ID != rem.ID {
		t.Fatalf("queue = %+v", q)
	}
	if n, err := db.CancelSMS(ctx, "sess1", aw.SMSReminder); err != nil || n != 1 {
		t.Fatalf("cancel: %d %v", n, err)
	}
	sim := newSim(t, modemsim.Options{})
	m := startModem(t, fastConfig(sim.Path()))
	waitHealth(t, m, aw.HealthOK)
	runDispatcher(t, db, clock, m)
	ms := waitAllFinal(t, db, 5*time.Second)
	if ms[rem.ID].State != aw.SMSCancelled || ms[other.ID].State != aw.SMSSent {
		t.Fatalf("states: cancelled one %s, other %s", ms[rem.ID].State, ms[other.ID].State)
	}
	got := texts(t, sim)
	slices.Sort(got)
	if !slices.Equal(got, []string{"ALARM", "andere sessie"}) {
		t.Fatalf("sent %q", got)
	}
}
