package alleenwerken_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	aw "alleenwerken"
)

// ruleAlarm is an escalating alarm with two alarm numbers and a fallback.
func ruleAlarm(mod func(a *aw.Alarm)) *aw.Alarm {
	a := &aw.Alarm{ID: "a1", Number: 897, State: aw.AlarmEscalating, Loop: 1,
		Ladder: aw.NewLadder([]string{"+31612000001", "+31612000002"}, "+31612000009")}
	if mod != nil {
		mod(a)
	}
	return a
}

func ptr(t time.Time) *time.Time { return &t }

func TestDecideNext(t *testing.T) {
	set := aw.DefaultSettings()
	set.LadderLoops, set.RepeatInterval, set.LoopPause = 2, 5*time.Minute, time.Minute
	now := t0
	for _, tc := range []struct {
		name string
		a    *aw.Alarm
		want aw.Next
	}{
		{"FirstNumber", ruleAlarm(nil), aw.Next{Action: aw.ActCall, Step: 0}},
		{"NextNumber", ruleAlarm(func(a *aw.Alarm) { a.Step = 1 }), aw.Next{Action: aw.ActCall, Step: 1}},
		{"Fallback", ruleAlarm(func(a *aw.Alarm) { a.Step = 2 }), aw.Next{Action: aw.ActCall, Step: 2}},
		{"EndOfLoop", ruleAlarm(func(a *aw.Alarm) { a.Step = 3 }), aw.Next{Action: aw.ActNextLoop, At: now.Add(time.Minute)}},
		{"LoopPauseWaits", ruleAlarm(func(a *aw.Alarm) { a.Loop, a.NextCallAt = 2, ptr(now.Add(time.Second)) }),
			aw.Next{Action: aw.ActWait, At: now.Add(time.Second)}},
		{"LoopPauseOver", ruleAlarm(func(a *aw.Alarm) { a.Loop, a.NextCallAt = 2, ptr(now) }), aw.Next{Action: aw.ActCall, Step: 0}},
		{"Unanswered", ruleAlarm(func(a *aw.Alarm) { a.Loop, a.Step = 2, 3 }),
			aw.Next{Action: aw.ActUnanswered, At: now.Add(5 * time.Minute)}},
		{"UnansweredRepeatWaits", ruleAlarm(func(a *aw.Alarm) {
			a.State, a.Loop, a.Step, a.NextCallAt = aw.AlarmUnanswered, 3, 0, ptr(now.Add(time.Minute))
		}), aw.Next{Action: aw.ActWait, At: now.Add(time.Minute)}},
		{"UnansweredRepeatCalls", ruleAlarm(func(a *aw.Alarm) {
			a.State, a.Loop, a.Step, a.NextCallAt = aw.AlarmUnanswered, 3, 0, ptr(now)
		}), aw.Next{Action: aw.ActCall, Step: 0}},
		{"BackoffWaits", ruleAlarm(func(a *aw.Alarm) { a.Step, a.PlaceFailures, a.NextCallAt = 1, 1, ptr(now.Add(5*time.Second)) }),
			aw.Next{Action: aw.ActWait, At: now.Add(5 * time.Second)}},
		{"BackoffOverSameNumber", ruleAlarm(func(a *aw.Alarm) { a.Step, a.PlaceFailures, a.NextCallAt = 1, 1, ptr(now.Add(-time.Second)) }),
			aw.Next{Action: aw.ActCall, Step: 1}},
		{"StepNotInThisLoopPassedOver", ruleAlarm(func(a *aw.Alarm) {
			a.Ladder = append([]aw.Step{{Kind: "worker", Number: "+31612000007", Loops: []int{1}}}, a.Ladder...)
			a.Loop = 2
		}), aw.Next{Action: aw.ActCall, Step: 1}},
		{"Accepted", ruleAlarm(func(a *aw.Alarm) { a.State = aw.AlarmAccepted }), aw.Next{Action: aw.ActDone}},
		{"Handled", ruleAlarm(func(a *aw.Alarm) { a.State = aw.AlarmHandled }), aw.Next{Action: aw.ActDone}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := aw.DecideNext(tc.a, set, now); got != tc.want {
				t.Fatalf("DecideNext = %s %+v, want %s %+v", got.Action, got, tc.want.Action, tc.want)
			}
		})
	}
}

// Resume after a restart: the interrupted attempt is failed and the next
// decision calls the next step.
func TestResumeAfterRestart(t *testing.T) {
	set := aw.DefaultSettings()
	a := ruleAlarm(nil)
	a.NewAttempt(0, t0)
	a.RecordCall(1, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeBusy, Cause: 17}}, t0)
	a.NewAttempt(1, t0) // the daemon dies while it rings
	if got := len(a.InterruptedAttempts()); got != 1 {
		t.Fatalf("interrupted = %d, want 1", got)
	}
	a.ResumeAfterRestart(t0.Add(time.Minute))
	at := a.Attempt(2)
	if at.Outcome != aw.OutcomeFailed || at.Reason != "daemon restart" || at.EndedAt == nil {
		t.Fatalf("attempt 2 = %+v", at)
	}
	if got, want := aw.DecideNext(a, set, t0.Add(time.Minute)), (aw.Next{Action: aw.ActCall, Step: 2}); got != want {
		t.Fatalf("after resume: %+v, want %+v", got, want)
	}
}

func TestRecordCall(t *testing.T) {
	notPlaced := errors.New("asterisk down")
	for _, tc := range []struct {
		name         string
		failures     int // place failures before
		end          aw.CallEnd
		want         aw.Outcome
		reason       string
		step         int
		failuresThen int
		backoff      time.Duration // 0: no back-off
	}{
		{"Busy", 0, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeBusy, Cause: 17}}, aw.OutcomeBusy, "", 2, 0, 0},
		{"Accepted", 0, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeAccepted}, Accepted: true}, aw.OutcomeAccepted, "", 1, 0, 0},
		{"AcceptedWithoutDigitIsFailed", 0, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeAccepted}}, aw.OutcomeFailed, "", 2, 0, 0},
		{"DroppedAfterOneIsAccepted", 0, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeDeclined}, Accepted: true}, aw.OutcomeAccepted, "", 1, 0, 0},
		{"PlacedResetsFailures", 3, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeNoAnswer}}, aw.OutcomeNoAnswer, "", 2, 0, 0},
		{"NotPlacedBacksOff", 0, aw.CallEnd{Err: notPlaced}, aw.OutcomeFailed, "call not placed: asterisk down", 1, 1, 5 * time.Second},
		{"NotPlacedThirdTime", 2, aw.CallEnd{Err: notPlaced}, aw.OutcomeFailed, "call not placed: asterisk down", 1, 3, 20 * time.Second},
		{"NotPlacedBackoffCapped", 9, aw.CallEnd{Err: notPlaced}, aw.OutcomeFailed, "call not placed: asterisk down", 1, 10, time.Minute},
		{"Stopped", 0, aw.CallEnd{Err: notPlaced, Stopped: "alarm handled"}, aw.OutcomeFailed, "alarm handled", 2, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ruleAlarm(func(a *aw.Alarm) { a.Step, a.PlaceFailures = 1, tc.failures })
			att := a.NewAttempt(1, t0)
			now := t0.Add(10 * time.Second)
			a.RecordCall(att.Seq, tc.end, now)
			got := a.Attempt(att.Seq)
			if got.Outcome != tc.want || got.Reason != tc.reason || got.EndedAt == nil {
				t.Fatalf("attempt = %s %q, want %s %q", got.Outcome, got.Reason, tc.want, tc.reason)
			}
			if a.Step != tc.step || a.PlaceFailures != tc.failuresThen {
				t.Fatalf("step %d failures %d, want %d %d", a.Step, a.PlaceFailures, tc.step, tc.failuresThen)
			}
			var back time.Duration
			if a.NextCallAt != nil {
				back = a.NextCallAt.Sub(now)
			}
			if back != tc.backoff {
				t.Fatalf("back-off %v, want %v", back, tc.backoff)
			}
		})
	}
}

func TestEndLoop(t *testing.T) {
	set := aw.DefaultSettings()
	set.LadderLoops, set.RepeatInterval, set.LoopPause = 2, 5*time.Minute, 0
	a := ruleAlarm(func(a *aw.Alarm) { a.Step = 3 })
	if n := a.EndLoop(set, t0); n.Action != aw.ActNextLoop || a.Loop != 2 || a.Step != 0 || a.NextCallAt != nil {
		t.Fatalf("after loop 1 without a pause: %s loop %d step %d next %v", n.Action, a.Loop, a.Step, a.NextCallAt)
	}
	a.Step = 3
	n := a.EndLoop(set, t0)
	if n.Action != aw.ActUnanswered || a.State != aw.AlarmUnanswered || a.Loop != 3 || a.Step != 0 ||
		a.NextCallAt == nil || !a.NextCallAt.Equal(t0.Add(5*time.Minute)) || a.UnansweredAt == nil {
		t.Fatalf("after the last loop: %s %+v", n.Action, a)
	}
	// Handled meanwhile: nothing changes.
	a.State, a.Step = aw.AlarmHandled, 3
	if n := a.EndLoop(set, t0); n.Action != aw.ActDone || a.Loop != 3 {
		t.Fatalf("handled: %s loop %d", n.Action, a.Loop)
	}
}

// The pause between loops is stored on the alarm (NextCallAt), so that it
// holds over a restart: the next decision waits until it is over.
func TestEndLoopPause(t *testing.T) {
	set := aw.DefaultSettings()
	set.LadderLoops, set.LoopPause = 2, 5*time.Second
	a := ruleAlarm(func(a *aw.Alarm) { a.Step = 3 })
	n := a.EndLoop(set, t0)
	if n.Action != aw.ActNextLoop || a.Loop != 2 || a.Step != 0 || a.NextCallAt == nil || !a.NextCallAt.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after loop 1: %s loop %d step %d next %v", n.Action, a.Loop, a.Step, a.NextCallAt)
	}
	for _, tc := range []struct {
		after time.Duration
		want  aw.Next
	}{
		{0, aw.Next{Action: aw.ActWait, At: t0.Add(5 * time.Second)}},
		{4 * time.Second, aw.Next{Action: aw.ActWait, At: t0.Add(5 * time.Second)}},
		{5 * time.Second, aw.Next{Action: aw.ActCall, Step: 0}},
	} {
		if got := aw.DecideNext(a, set, t0.Add(tc.after)); got != tc.want {
			t.Fatalf("%v after the loop: %s %+v, want %s %+v", tc.after, got.Action, got, tc.want.Action, tc.want)
		}
	}
	// The first call of loop 2 clears the pause.
	att := a.NewAttempt(0, t0.Add(5*time.Second))
	a.RecordCall(att.Seq, aw.CallEnd{Result: aw.CallResult{Outcome: aw.OutcomeBusy, Cause: 17}}, t0.Add(6*time.Second))
	if a.NextCallAt != nil || a.Step != 1 {
		t.Fatalf("after the first call of loop 2: step %d next %v", a.Step, a.NextCallAt)
	}
	// The last loop ends without a pause: unanswered, the repeat interval.
	a.Step = 3
	if n := a.EndLoop(set, t0.Add(time.Minute)); n.Action != aw.ActUnanswered || !a.NextCallAt.Equal(t0.Add(time.Minute+set.RepeatInterval)) {
		t.Fatalf("after the last loop: %s next %v", n.Action, a.NextCallAt)
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		n          int
		first, max time.Duration
		want       time.Duration
	}{
		{0, 5 * time.Second, time.Minute, 5 * time.Second},
		{1, 5 * time.Second, time.Minute, 5 * time.Second},
		{2, 5 * time.Second, time.Minute, 10 * time.Second},
		{4, 5 * time.Second, time.Minute, 40 * time.Second},
		{5, 5 * time.Second, time.Minute, time.Minute},
		{1000, 5 * time.Second, 5 * time.Minute, 5 * time.Minute},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			if got := aw.Backoff(tc.n, tc.first, tc.max); got != tc.want {
				t.Fatalf("Backoff(%d) = %v, want %v", tc.n, got, tc.want)
			}
		})
	}
}
