package alleenwerken_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	aw "alleenwerken"
	"alleenwerken/cmd/testkit"
)

const (
	numA = "+31612000001"
	numB = "+31612000002"
	numC = "+31612000003"
	fall = "+31612000009"
	admn = "+31612000099"
)

func TestLadder(t *testing.T) {
	t.Run("OrderFallbackLoopsUnansweredRepeat", func(t *testing.T) {
		h := newHarness(t, testkit.NewTelephony(nil), nil) // nobody answers
		s := startSession(t, h, []string{"201", "0612000001", "0612000002"}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "loop 1", func() bool { a := alarmOf(t, h, s.ID); return a != nil && len(a.Attempts) == 4 })
		waitLadder(t, h, alarmOf(t, h, s.ID).ID)
		h.clock.Advance(time.Minute) // the loop pause
		testkit.Eventually(t, "two loops and unanswered", func() bool {
			a := alarmOf(t, h, s.ID)
			return a != nil && a.State == aw.AlarmUnanswered && len(a.Attempts) == 8 && len(smsOf(t, h, aw.SMSAdmin)) == 1
		})
		waitLadder(t, h, alarmOf(t, h, s.ID).ID)
		want := "201 +31612000001 +31612000002 +31612000009 201 +31612000001 +31612000002 +31612000009"
		if got := strings.Join(h.tel.Numbers(), " "); got != want {
			t.Fatalf("calls = %s, want %s", got, want)
		}
		a := alarmOf(t, h, s.ID)
		for _, at := range a.Attempts {
			if at.Outcome != aw.OutcomeNoAnswer || at.Cause != 19 || at.EndedAt == nil {
				t.Fatalf("attempt %d: outcome %q cause %d", at.Seq, at.Outcome, at.Cause)
			}
		}
		if h.tel.Calls()[0].Extension == nil || h.tel.Calls()[0].Extension.Number != "201" {
			t.Fatalf("201 not dialled as an extension: %+v", h.tel.Calls()[0])
		}
		adm := smsOf(t, h, aw.SMSAdmin)
		if len(adm) != 1 || adm[0].To != admn || !strings.Contains(adm[0].Text, "NIET AANGENOMEN") ||
			!strings.Contains(adm[0].Text, "#101") || !strings.Contains(adm[0].Text, "/m/") {
			t.Fatalf("admin SMS = %+v", adm)
		}
		// Nothing more until the repeat interval has passed.
		h.clock.Advance(4 * time.Minute)
		settle()
		if n := len(h.tel.Numbers()); n != 8 {
			t.Fatalf("calls before the repeat interval = %d", n)
		}
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "the ladder again after 5 minutes", func() bool { return len(alarmOf(t, h, s.ID).Attempts) == 12 })
		waitLadder(t, h, alarmOf(t, h, s.ID).ID)
		if got := alarmOf(t, h, s.ID); got.State != aw.AlarmUnanswered || got.Attempts[8].Number != "201" || got.Attempts[8].Loop != 3 {
			t.Fatalf("repeat: state %s first %+v", got.State, got.Attempts[8])
		}
		if n := len(smsOf(t, h, aw.SMSAdmin)); n != 1 {
			t.Fatalf("admin SMS after repeat = %d, want still 1", n)
		}
		h.clock.Advance(5 * time.Minute)
		testkit.Eventually(t, "and again", func() bool { return len(alarmOf(t, h, s.ID).Attempts) == 16 })
	})

	t.Run("StopOnAcceptance", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "busy", numB: "decline", numC: "accept_sms"})
		h := newHarness(t, tel, nil)
		s := startSession(t, h, []string{numA, numB, numC}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "accepted", func() bool { a := alarmOf(t, h, s.ID); return a != nil && a.State == aw.AlarmAccepted })
		settle()
		a := alarmOf(t, h, s.ID)
		if got := outcomes(a); got != "busy declined accepted" {
			t.Fatalf("outcomes = %s", got)
		}
		for _, c := range tel.Calls() {
			if c.Cause != aw.CauseExpired {
				t.Fatalf("call to %s: cause %q, want the timer's", c.Number, c.Cause)
			}
		}
		if a.AcceptedBy != numC || a.Attempts[2].Digits != "1" || a.Attempts[2].SMSChoice != "yes" {
			t.Fatalf("accepted by %s digits %q choice %q", a.AcceptedBy, a.Attempts[2].Digits, a.Attempts[2].SMSChoice)
		}
		resp := smsOf(t, h, aw.SMSResponder)
		if len(resp) != 1 || resp[0].To != numC || !strings.Contains(resp[0].Text, "Laura van Dijk") ||
			!strings.Contains(resp[0].Text, "Omschrijving: meterkast") || !strings.Contains(resp[0].Text, "/m/") {
			t.Fatalf("responder SMS = %+v", resp)
		}
		h.clock.Advance(time.Hour)
		settle()
		if n := len(tel.Numbers()); n != 3 {
			t.Fatalf("calls after acceptance = %d", n)
		}
		v, err := h.svc.GetSession(context.Background(), "dev1", s.ID)
		if err != nil || v.Session.State != aw.SessionAlarm || v.Alarm.AcceptedBy != numC {
			t.Fatalf("session view = %+v, %v", v, err)
		}
	})

	t.Run("AcceptedCallDroppedGetsSMS", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "accept_drop"})
		h := newHarness(t, tel, nil)
		s := startSession(t, h, []string{numA, numB}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "responder SMS", func() bool { return len(smsOf(t, h, aw.SMSResponder)) == 1 })
		if a := alarmOf(t, h, s.ID); a.State != aw.AlarmAccepted || a.Attempts[0].Outcome != aw.OutcomeAccepted {
			t.Fatalf("alarm %s attempt %s", a.State, a.Attempts[0].Outcome)
		}
	})

	t.Run("OnlyDigitOneAccepts", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "voicemail", numB: "busy"})
		h := newHarness(t, tel, func(s *aw.Settings) { s.LadderLoops = 1 })
		s := startSession(t, h, []string{numA, numB}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "unanswered", func() bool { a := alarmOf(t, h, s.ID); return a != nil && a.State == aw.AlarmUnanswered })
		if got := outcomes(alarmOf(t, h, s.ID)); got != "no_answer busy no_answer" {
			t.Fatalf("outcomes = %s", got)
		}
	})

	t.Run("StopOnHandled", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "hold"})
		h := newHarness(t, tel, nil)
		s := startSession(t, h, []string{numA, numB}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "first call", func() bool { return len(tel.Numbers()) == 1 })
		a := alarmOf(t, h, s.ID)
		if _, err := h.svc.HandleAlarm(context.Background(), a.ID, "Jan", "vals alarm"); err != nil {
			t.Fatal(err)
		}
		testkit.Eventually(t, "ladder stopped", func() bool { return !h.svc.Escalator().Running(a.ID) })
		h.clock.Advance(time.Hour)
		settle()
		if n := len(tel.Numbers()); n != 1 {
			t.Fatalf("calls after handled = %d", n)
		}
		a = alarmOf(t, h, s.ID)
		if a.State != aw.AlarmHandled || a.HandledBy != "Jan" || a.Remark != "vals alarm" || a.Attempts[0].Reason != "alarm handled" {
			t.Fatalf("alarm = %s by %s remark %q reason %q", a.State, a.HandledBy, a.Remark, a.Attempts[0].Reason)
		}
		sess, _ := h.db.Session(context.Background(), s.ID)
		if sess.State != aw.SessionStopped {
			t.Fatalf("session = %s", sess.State)
		}
		if _, err := h.svc.HandleAlarm(context.Background(), a.ID, "Jan", ""); aw.ErrorCode(err) != aw.ECONFLICT {
			t.Fatalf("second handle: %v", err)
		}
	})

	t.Run("TelephonyDownFansOutWithoutBurningTheLadder", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "accept"})
		tel.SetDown(true)
		h := newHarness(t, tel, nil)
		s := startSession(t, h, []string{numA, "201"}, 1)
		h.clock.Advance(time.Minute)
		testkit.Eventually(t, "fan-out SMS", func() bool { return len(smsOf(t, h, aw.SMSAlarm)) == 3 })
		var to []string
		for _, m := range smsOf(t, h, aw.SMSAlarm) {
			to = append(to, m.To)
			if !strings.Contains(m.Text, "telefoonsysteem kan nu niet bellen") || !strings.Contains(m.Text, "Laura van Dijk") {
				t.Fatalf("fan-out text = %q", m.Text)
			}
		}
		if got := strings.Join(sorted(to), " "); got != strings.Join(sorted([]string{numA, fall, admn}), " ") {
			t.Fatalf("fan-out to %s", got) // 201 is an extension: no SMS
		}
		// Back-off: 5 s, 10 s, 20 s ... all on the first number.
		id := alarmOf(t, h, s.ID).ID
		for _, d := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
			waitLadder(t, h, id)
			h.clock.Advance(d)
		}
		waitLadder(t, h, id)
		a := alarmOf(t, h, s.ID)
		if len(a.Attempts) != 4 || a.Step != 0 || a.Loop != 1 {
			t.Fatalf("attempts %d step %d loop %d", len(a.Attempts), a.Step, a.Loop)
		}
		for _, at := range a.Attempts {
			if at.Number != numA || at.Outcome != aw.OutcomeFailed || !strings.HasPrefix(at.Reason, "call not placed") {
				t.Fatalf("attempt = %+v", at)
			}
		}
		if n := len(smsOf(t, h, aw.SMSAlarm)); n != 3 {
			t.Fatalf("fan-out sent again: %d", n)
		}
		tel.SetDown(false)
		h.clock.Advance(40 * time.Second)
		testkit.Eventually(t, "accepted once telephony is back", func() bool { return alarmOf(t, h, s.ID).State == aw.AlarmAccepted })
		if got := tel.Numbers(); len(got) != 1 || got[0] != numA {
			t.Fatalf("first real call = %v, want the first number", got)
		}
	})

	t.Run("ConnectedEndsBackoff", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "accept"})
		tel.SetDown(true)
		h := newHarness(t, tel, nil)
		s := startSession(t, h, []string{numA, numB}, 1)
		h.clock.Advance(time.Minute)
		id := ""
		testkit.Eventually(t, "the alarm", func() bool {
			if a := alarmOf(t, h, s.ID); a != nil {
				id = a.ID
			}
			return id != ""
		})
		waitLadder(t, h, id)
		h.clock.Advance(5 * time.Second)
		waitLadder(t, h, id) // second back-off: 10 s
		tel.SetDown(false)
		// Telephony is back: no clock advance, the ladder calls at once.
		h.svc.TelephonyConnected()
		testkit.Eventually(t, "accepted right after the connection", func() bool { return alarmOf(t, h, s.ID).State == aw.AlarmAccepted })
		if got := tel.Numbers(); len(got) != 1 || got[0] != numA {
			t.Fatalf("calls = %v", got)
		}
	})

	t.Run("ResumeAfterRestart", func(t *testing.T) {
		tel := testkit.NewTelephony(map[string]string{numA: "busy", numB: "hold", numC: "accept"})
		h := newHarness(t, tel, nil)
		s := startSession(t, h, []string{numA, numB, numC}, 1)
		ctx := context.Background()
		// A daemon that died while number 2 rang: attempt 2 has no outcome.
		h.svc.Close()
		a := &aw.Alarm{SessionID: s.ID, Cause: aw.CauseExpired, State: aw.AlarmEscalating, RaisedAt: t0,
			AccessCode: "4217", Ladder: aw.NewLadder(s.AlarmNumbers, fall), Loop: 1, Step: 1}
		if err := h.db.CreateAlarm(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := h.db.UpdateAlarm(ctx, a.ID, func(x *aw.Alarm) error {
			x.Attempts = []aw.Attempt{
				{Seq: 1, Loop: 1, Step: 0, Number: numA, CallID: "c1", StartedAt: t0, Outcome: aw.OutcomeBusy, Cause: 17},
				{Seq: 2, Loop: 1, Step: 1, Number: numB, CallID: "c2", StartedAt: t0},
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		h.start(t)
		testkit.Eventually(t, "accepted by number 3", func() bool { return alarmOf(t, h, s.ID).State == aw.AlarmAccepted })
		got := alarmOf(t, h, s.ID)
		if got.Attempts[1].Outcome != aw.OutcomeFailed || got.Attempts[1].Reason != "daemon restart" {
			t.Fatalf("attempt 2 = %+v", got.Attempts[1])
		}
		if got.Attempts[2].Number != numC || got.Number != a.Number {
			t.Fatalf("attempt 3 = %s, number %d want %d", got.Attempts[2].Number, got.Number, a.Number)
		}
		if len(tel.Hangups()) != 1 || tel.Hangups()[0] != "c2" {
			t.Fatalf("hangups = %v", tel.Hangups())
		}
	})
}

// waitLadder waits until an alarm's ladder sleeps on its scheduler timer.
func waitLadder(t *testing.T, h *harness, alarmID string) {
	t.Helper()
	testkit.Eventually(t, "ladder waiting on its timer", func() bool {
		due, armed := h.svc.Scheduler().Armed("ladder:" + alarmID)
		return armed && due.After(h.clock.Now()) && !h.svc.Escalator().Running(alarmID)
	})
}

func outcomes(a *aw.Alarm) string {
	var o []string
	for _, at := range a.Attempts {
		o = append(o, string(at.Outcome))
	}
	return strings.Join(o, " ")
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestTestAlarm(t *testing.T) {
	tel := testkit.NewTelephony(map[string]string{numA: "accept_sms"})
	h := newHarness(t, tel, nil)
	if _, err := h.svc.RaiseTestAlarm(context.Background(), aw.CLIActor("test"), []string{"112"}); aw.ErrorField(err) != "numbers" {
		t.Fatalf("112: %v", err)
	}
	a, err := h.svc.RaiseTestAlarm(context.Background(), aw.CLIActor("test"), []string{"0612000001"})
	if err != nil {
		t.Fatal(err)
	}
	testkit.Eventually(t, "accepted", func() bool { x, _ := h.db.Alarm(context.Background(), a.ID); return x.State == aw.AlarmAccepted })
	testkit.Eventually(t, "responder SMS", func() bool { return len(smsOf(t, h, aw.SMSResponder)) == 1 })
	if m := smsOf(t, h, aw.SMSResponder)[0]; !m.Test || !strings.HasPrefix(m.Text, "TEST ALARM Alleen Werken #") {
		t.Fatalf("test SMS = %+v", m)
	}
	if c := tel.Calls()[0]; !c.Test || c.Cause != aw.CauseTest {
		t.Fatalf("the call is not marked test: test %v cause %q", c.Test, c.Cause)
	}
}

// The call request carries everything the adapter needs from the settings,
// read afresh for the attempt: what to dial (trunk template or the
// extension's endpoint), the trunk and the number of simultaneous calls.
func TestCallRequestFromSettings(t *testing.T) {
	tel := testkit.NewTelephony(map[string]string{numA: "busy", "201": "accept"})
	h := newHarness(t, tel, func(s *aw.Settings) {
		s.DialTemplate, s.TrunkEndpoint, s.SimultaneousCall = "PJSIP/{national}@kpn", "kpn", 2
		s.Extensions = []aw.Extension{{Number: "201", Name: "Portier", Endpoint: "portier"}}
	})
	s := startSession(t, h, []string{numA, "201"}, 1)
	h.clock.Advance(time.Minute)
	testkit.Eventually(t, "accepted by 201", func() bool { a := alarmOf(t, h, s.ID); return a != nil && a.State == aw.AlarmAccepted })
	calls := tel.Calls()
	if len(calls) != 2 {
		t.Fatalf("calls = %+v", calls)
	}
	for i, want := range []string{"PJSIP/0612000001@kpn", "PJSIP/portier"} {
		c := calls[i]
		if c.Dial != want || c.Trunk != "kpn" || c.MaxCalls != 2 {
			t.Fatalf("call %d: dial %q trunk %q max %d, want %q kpn 2", i+1, c.Dial, c.Trunk, c.MaxCalls, want)
		}
	}
}

// connectRace is a telephony whose first call blocks until released and
// then fails as not placed (Asterisk came back while it was failing);
// every later call is accepted.
type connectRace struct {
	mu      sync.Mutex
	calls   int
	entered chan struct{}
	release chan struct{}
}

func (r *connectRace) Health() aw.Health { return aw.Health{State: aw.HealthOK} }

func (r *connectRace) Hangup(context.Context, string) error { return nil }

func (r *connectRace) Call(ctx context.Context, req aw.CallRequest, p aw.CallProgress) (aw.CallResult, error) {
	r.mu.Lock()
	r.calls++
	first := r.calls == 1
	r.mu.Unlock()
	if first {
		close(r.entered)
		<-r.release
		return aw.CallResult{}, errors.New("asterisk unreachable")
	}
	p.Answered()
	p.Digit("1")
	p.Accepted()
	return aw.CallResult{Outcome: aw.OutcomeAccepted, Cause: 16}, nil
}

// Telephony connects while a call is failing as not placed: that ladder
// does not wait out its back-off either, it calls again at once.
func TestConnectedWhileCallFails(t *testing.T) {
	db := testkit.MustOpenDB(t)
	clock := aw.NewManualClock(t0)
	set := aw.DefaultSettings()
	if err := db.SaveSettings(context.Background(), set); err != nil {
		t.Fatal(err)
	}
	tel := &connectRace{entered: make(chan struct{}), release: make(chan struct{})}
	svc := aw.NewService(db, tel, clock, slog.New(slog.DiscardHandler))
	if err := svc.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	a, err := svc.RaiseTestAlarm(context.Background(), aw.CLIActor("test"), []string{numA})
	if err != nil {
		t.Fatal(err)
	}
	<-tel.entered
	svc.Escalator().TelephonyConnected() // synchronously: the ladder is marked before its call fails
	close(tel.release)
	// No clock advance: without the wake the ladder would sleep 5 s.
	testkit.Eventually(t, "accepted right after the failed call", func() bool {
		x, _ := db.Alarm(context.Background(), a.ID)
		return x.State == aw.AlarmAccepted
	})
	x, _ := db.Alarm(context.Background(), a.ID)
	if got := outcomes(x); got != "failed accepted" {
		t.Fatalf("outcomes = %s", got)
	}
}

// Two loops with loop_pause = 5 s: the second loop starts 5 s after the
// last call of the first, measured on the clock the escalator uses, also
// when the daemon restarts during the pause.
func TestLoopPause(t *testing.T) {
	tel := testkit.NewTelephony(map[string]string{numA: testkit.Busy, numB: testkit.Decline})
	h := newHarness(t, tel, func(s *aw.Settings) { s.LoopPause, s.LadderLoops = 5*time.Second, 2 })
	s := startSession(t, h, []string{numA, numB}, 1)
	h.clock.Advance(time.Minute)
	testkit.Eventually(t, "loop 1", func() bool { a := alarmOf(t, h, s.ID); return a != nil && len(a.Attempts) == 3 })
	id := alarmOf(t, h, s.ID).ID
	waitLadder(t, h, id)
	// A restart during the pause: the pause holds.
	h.svc.Close()
	h.start(t)
	waitLadder(t, h, id)
	h.clock.Advance(4 * time.Second)
	settle()
	if n := len(tel.Numbers()); n != 3 {
		t.Fatalf("calls 4 s into the pause = %d, want 3", n)
	}
	h.clock.Advance(time.Second)
	testkit.Eventually(t, "loop 2 and unanswered", func() bool {
		a := alarmOf(t, h, s.ID)
		return len(a.Attempts) == 6 && a.State == aw.AlarmUnanswered
	})
	a := alarmOf(t, h, s.ID)
	last1, first2 := a.Attempts[2], a.Attempts[3]
	if last1.Loop != 1 || first2.Loop != 2 || last1.EndedAt == nil {
		t.Fatalf("attempts 3 and 4: %+v %+v", last1, first2)
	}
	gap := first2.StartedAt.Sub(*last1.EndedAt)
	t.Logf("gap between the last call of loop 1 and the first of loop 2: %v", gap)
	if gap != 5*time.Second {
		t.Fatalf("gap = %v, want 5s", gap)
	}
}
