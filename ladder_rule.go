package alleenwerken

import (
	"fmt"
	"time"
)

// The ladder's rules, as pure functions of the alarm, the settings and the
// time: DecideNext says what happens next, and the Alarm methods below
// write what happened. The escalator only reads, decides, calls and writes.

// Back-off between calls that could not be placed.
const (
	placeBackoffFirst = 5 * time.Second
	placeBackoffMax   = 60 * time.Second
)

// Action is what an alarm's ladder does next.
type Action int

// Ladder actions.
const (
	ActDone       Action = iota // the alarm no longer escalates: the ladder stops
	ActWait                     // wait until Next.At (back-off or repeat interval)
	ActCall                     // call step Next.Step
	ActNextLoop                 // nobody accepted in this loop: the next one starts at Next.At (the loop pause)
	ActUnanswered               // nobody accepted after the last loop: unanswered, call again at Next.At
)

// String names the action (for logs and test failures).
func (a Action) String() string {
	return [...]string{"done", "wait", "call", "next loop", "unanswered"}[a]
}

// Next is the ladder's decision.
type Next struct {
	Action Action
	Step   int       // ActCall: index into the ladder
	At     time.Time // ActWait: until when; ActNextLoop, ActUnanswered: when the next loop calls
}

// DecideNext is the ladder's rule: for the alarm as stored, the settings
// and now, what happens next. Steps not called in the current loop are
// passed over.
func DecideNext(a *Alarm, set Settings, now time.Time) Next {
	if !a.Open() {
		return Next{Action: ActDone}
	}
	if a.NextCallAt != nil && now.Before(*a.NextCallAt) {
		return Next{Action: ActWait, At: *a.NextCallAt}
	}
	for i := a.Step; i < len(a.Ladder); i++ {
		if a.Ladder[i].InLoop(a.Loop) {
			return Next{Action: ActCall, Step: i}
		}
	}
	if a.Loop < set.LadderLoops {
		return Next{Action: ActNextLoop, At: now.Add(set.LoopPause)}
	}
	return Next{Action: ActUnanswered, At: now.Add(set.RepeatInterval)}
}

// EndLoop applies an end of loop decided for the alarm as it is now (it
// decides again, so a change since the caller's decision is not
// overwritten): the next loop starts after the loop pause, or after the
// last loop the alarm is unanswered and the ladder starts again after the
// repeat interval. The wait is stored on the alarm (NextCallAt), so it
// holds over a restart. It returns the decision.
func (a *Alarm) EndLoop(set Settings, now time.Time) Next {
	next := DecideNext(a, set, now)
	switch next.Action {
	case ActNextLoop:
		a.Loop, a.Step, a.NextCallAt = a.Loop+1, 0, nil
		if next.At.After(now) {
			at := next.At
			a.NextCallAt = &at
		}
	case ActUnanswered:
		if a.State == AlarmEscalating {
			a.State, a.UnansweredAt = AlarmUnanswered, &now
		}
		at := next.At
		a.Loop, a.Step, a.NextCallAt = a.Loop+1, 0, &at
	}
	return next
}

// NewAttempt adds the attempt that calls step of the current loop and
// returns it.
func (a *Alarm) NewAttempt(step int, now time.Time) Attempt {
	seq := len(a.Attempts) + 1
	t := Attempt{
		Seq: seq, Loop: a.Loop, Step: step, Number: a.Ladder[step].Number,
		CallID: fmt.Sprintf("aw-%s-%d", a.ID, seq), StartedAt: now,
	}
	a.Attempts = append(a.Attempts, t)
	return t
}

// CallEnd is how an attempt's call ended, as the escalator saw it.
type CallEnd struct {
	Result   CallResult
	Err      error  // the call could not be placed
	Accepted bool   // a 1 was recorded during the call
	Stopped  string // the ladder was stopped meanwhile: why ("alarm handled", "daemon shutdown")
}

// RecordCall writes the end of attempt seq and moves the ladder on: to
// the next step, or, for a call that could not be placed, to a back-off
// on the same step. Only a recorded 1 makes an attempt accepted.
func (a *Alarm) RecordCall(seq int, end CallEnd, now time.Time) {
	t := a.Attempt(seq)
	if t == nil {
		return
	}
	r := end.Result
	t.EndedAt = &now
	t.Cause, t.CauseText, t.SIPDetail, t.Reason = r.Cause, r.CauseText, r.SIPDetail, r.Reason
	switch {
	case end.Accepted:
		t.Outcome = OutcomeAccepted
	case end.Stopped != "":
		t.Outcome, t.Reason = OutcomeFailed, end.Stopped
	case end.Err == nil:
		t.Outcome = r.Outcome
		if t.Outcome == OutcomeRinging || t.Outcome == OutcomeAccepted {
			t.Outcome = OutcomeFailed // only a recorded 1 accepts
		}
		a.PlaceFailures = 0
	default:
		t.Outcome, t.Reason = OutcomeFailed, "call not placed: "+end.Err.Error()
		a.PlaceFailures++
		next := now.Add(Backoff(a.PlaceFailures, placeBackoffFirst, placeBackoffMax))
		a.NextCallAt = &next
		return // the same step again after the back-off
	}
	if t.Outcome != OutcomeAccepted {
		a.passStep(t)
	}
	a.NextCallAt = nil
}

// passStep moves the ladder past the step of attempt t, if it is still at
// (or before) it in the same loop.
func (a *Alarm) passStep(t *Attempt) {
	if a.Loop == t.Loop && a.Step <= t.Step {
		a.Step = t.Step + 1
	}
}

// InterruptedAttempts returns the attempts without an outcome: calls that
// were in progress when the daemon stopped.
func (a *Alarm) InterruptedAttempts() []Attempt {
	var out []Attempt
	for _, t := range a.Attempts {
		if !t.Done() {
			out = append(out, t)
		}
	}
	return out
}

// ResumeAfterRestart fails every attempt the daemon's stop interrupted
// ("daemon restart") and moves the ladder on to the next step.
func (a *Alarm) ResumeAfterRestart(now time.Time) {
	for i := range a.Attempts {
		t := &a.Attempts[i]
		if t.Done() {
			continue
		}
		t.Outcome, t.Reason, t.EndedAt = OutcomeFailed, "daemon restart", &now
		a.passStep(t)
	}
}
