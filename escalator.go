package alleenwerken

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// Escalator runs the ladder of every open alarm: the alarm numbers in order,
// then the fallback number, for the configured number of loops; then the alarm
// is unanswered (loudly) and the ladder repeats every repeat interval until a
// person accepts with DTMF 1 or a responder marks the alarm handled. One
// goroutine runs one alarm's ladder; every attempt is written as it happens.
type Escalator struct {
	svc     *Service
	ctx     context.Context
	mu      sync.Mutex
	running map[string]context.CancelFunc
	again   map[string]bool // running ladders to call at once if they end in back-off
	wg      sync.WaitGroup
}

// maxPlaceBackoff caps the wait between calls that could not be placed.
const maxPlaceBackoff = 60 * time.Second

// Start runs the ladder of an alarm unless it is already running.
func (e *Escalator) Start(alarmID string) {
	e.mu.Lock()
	if _, ok := e.running[alarmID]; ok || e.ctx == nil || e.ctx.Err() != nil {
		e.mu.Unlock()
		return
	}
	ctx, cancel := context.WithCancel(e.ctx)
	e.running[alarmID] = cancel
	e.wg.Add(1)
	e.mu.Unlock()
	go func() {
		defer e.wg.Done()
		wake := e.runSafe(ctx, alarmID)
		e.mu.Lock()
		delete(e.running, alarmID)
		again := e.again[alarmID]
		delete(e.again, alarmID)
		e.mu.Unlock()
		cancel()
		if wake == nil || e.ctx.Err() != nil {
			return
		}
		if again && e.callNow(alarmID) {
			return
		}
		e.svc.sched.At("ladder:"+alarmID, *wake, func() { e.Start(alarmID) })
	}()
}

// TelephonyConnected is told that telephony has (re)connected: every ladder
// waiting in back-off after a call that could not be placed calls at once,
// also one whose call is failing at this very moment.
func (e *Escalator) TelephonyConnected() {
	e.mu.Lock()
	live := e.ctx != nil && e.ctx.Err() == nil
	e.mu.Unlock()
	if !live {
		return
	}
	alarms, err := e.svc.store.OpenAlarms(context.Background())
	if err != nil {
		e.svc.log.Error("telephony connected: reading the open alarms failed; ladders in back-off wait their turn", "err", err)
		return
	}
	for _, a := range alarms {
		e.mu.Lock()
		_, running := e.running[a.ID]
		if running {
			e.again[a.ID] = true
		}
		e.mu.Unlock()
		if !running && e.callNow(a.ID) {
			e.svc.log.Info("telephony connected: calling at once instead of after the back-off", "alarm", a.Number)
		}
	}
}

// callNow ends the back-off of an alarm whose last call could not be
// placed and starts its ladder; false when it is not in back-off.
func (e *Escalator) callNow(id string) bool {
	woken := false
	if _, err := e.svc.store.UpdateAlarm(context.Background(), id, func(x *Alarm) error {
		if x.Open() && x.PlaceFailures > 0 && x.NextCallAt != nil {
			x.NextCallAt, woken = nil, true
		}
		return nil
	}); err != nil || !woken {
		return false
	}
	e.svc.sched.Cancel("ladder:" + id)
	e.Start(id)
	return true
}

// Stop ends a running ladder (the call in progress is hung up).
func (e *Escalator) Stop(alarmID string) {
	e.svc.sched.Cancel("ladder:" + alarmID)
	e.mu.Lock()
	cancel := e.running[alarmID]
	e.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// Running reports whether an alarm's ladder goroutine is running.
func (e *Escalator) Running(alarmID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.running[alarmID]
	return ok
}

func (e *Escalator) wait() { e.wg.Wait() }

// Resume is called at start-up: an attempt that was in progress when the
// daemon died is failed ("daemon restart"), its call hung up if it still
// exists, and the ladder goes on with the next number.
func (e *Escalator) Resume(ctx context.Context) error {
	s := e.svc
	alarms, err := s.store.OpenAlarms(ctx)
	if err != nil {
		return err
	}
	for _, a := range alarms {
		for _, att := range a.Attempts {
			if att.Done() {
				continue
			}
			if s.tel != nil {
				hctx, cancel := context.WithTimeout(ctx, 3*time.Second)
				if err := s.tel.Hangup(hctx, att.CallID); err != nil {
					s.log.Warn("hanging up a call left from before the restart failed", "call", att.CallID, "err", err)
				}
				cancel()
			}
			seq := att.Seq
			now := s.clock.Now()
			if _, err := s.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
				t := x.Attempt(seq)
				t.Outcome, t.Reason, t.EndedAt = OutcomeFailed, "daemon restart", &now
				if x.Step == t.Step && x.Loop == t.Loop {
					x.Step++
				}
				return nil
			}); err != nil {
				return err
			}
			s.log.Warn("attempt interrupted by a daemon restart: failed; ladder goes on", "alarm", a.Number, "attempt", seq, "number", att.Number)
		}
		s.log.Warn("resuming alarm ladder", "alarm", a.Number, "state", a.State)
		e.Start(a.ID)
	}
	return nil
}

// runSafe runs the ladder; a panic is logged and the ladder retried in 5 s,
// never the end of the daemon or of the alarm.
func (e *Escalator) runSafe(ctx context.Context, id string) (wake *time.Time) {
	defer func() {
		if r := recover(); r != nil {
			e.svc.log.Error("ladder: panic; retrying in 5 s", "alarm_id", id, "panic", r, "stack", string(debug.Stack()))
			t := e.svc.clock.Now().Add(5 * time.Second)
			wake = &t
		}
	}()
	return e.run(ctx, id)
}

// run drives the ladder until it must wait (returns when to wake) or the
// alarm is no longer open (returns nil).
func (e *Escalator) run(ctx context.Context, id string) *time.Time {
	s := e.svc
	for ctx.Err() == nil {
		a, err := s.store.Alarm(ctx, id)
		if err != nil {
			s.log.Error("ladder: reading alarm failed; retrying in 5 s", "alarm_id", id, "err", err)
			t := s.clock.Now().Add(5 * time.Second)
			return &t
		}
		if !a.Open() {
			return nil
		}
		set := s.settings(ctx)
		if a.State == AlarmUnanswered && a.AdminSMSAt == nil {
			e.smsAdmins(a, set)
		}
		now := s.clock.Now()
		if a.NextCallAt != nil && now.Before(*a.NextCallAt) {
			return a.NextCallAt
		}
		if a.Step >= len(a.Ladder) {
			if err := e.endOfLoop(ctx, a, set); err != nil {
				s.log.Error("ladder: end of loop failed; retrying in 5 s", "alarm", a.Number, "err", err)
				t := now.Add(5 * time.Second)
				return &t
			}
			continue
		}
		if err := e.call(ctx, a, set); err != nil {
			s.log.Error("ladder: recording attempt failed; retrying in 5 s", "alarm", a.Number, "err", err)
			t := now.Add(5 * time.Second)
			return &t
		}
	}
	return nil
}

// endOfLoop starts the next loop, or after the last loop marks the alarm
// unanswered, tells the admins, and waits the repeat interval.
func (e *Escalator) endOfLoop(ctx context.Context, a *Alarm, set Settings) error {
	s := e.svc
	now := s.clock.Now()
	if a.Loop < set.LadderLoops {
		_, err := s.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
			x.Loop, x.Step, x.NextCallAt = x.Loop+1, 0, nil
			return nil
		})
		s.log.Warn("ladder: nobody accepted; next loop", "alarm", a.Number, "loop", a.Loop+1)
		return err
	}
	next := now.Add(set.RepeatInterval)
	a, err := s.store.UpdateAlarm(context.Background(), a.ID, func(x *Alarm) error {
		if x.State == AlarmEscalating {
			x.State, x.UnansweredAt = AlarmUnanswered, &now
		}
		x.Loop, x.Step, x.NextCallAt = x.Loop+1, 0, &next
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Error("ALARM NOT ACCEPTED after all numbers; calling the ladder again", "alarm", a.Number, "next_call_at", next)
	if a.AdminSMSAt == nil {
		e.smsAdmins(a, set)
	}
	return nil
}

// call places the call of the alarm's current step and records it.
func (e *Escalator) call(ctx context.Context, a *Alarm, set Settings) error {
	s := e.svc
	number := a.Ladder[a.Step]
	seq := len(a.Attempts) + 1
	att := Attempt{
		Seq: seq, Loop: a.Loop, Step: a.Step, Number: number,
		CallID: fmt.Sprintf("aw-%s-%d", a.ID, seq), StartedAt: s.clock.Now(),
	}
	a, err := s.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
		x.Attempts = append(x.Attempts, att)
		return nil
	})
	if err != nil {
		return err
	}
	s.log.Info("calling", "alarm", a.Number, "loop", att.Loop, "step", att.Step+1, "number", number, "attempt", seq)
	req := CallRequest{
		ID: att.CallID, Number: number, Language: set.Language, RingTimeout: set.RingTimeout,
		PromptRepeats: set.PromptRepeats, CallerID: set.CallerID, Test: a.Test, AlarmNumber: a.Number,
	}
	if x, ok := set.Extension(number); ok {
		req.Extension = &x
	}
	p := &attemptProgress{esc: e, alarmID: a.ID, seq: seq, number: number}
	if ap, ok := s.tel.(SettingsApplier); ok {
		ap.ApplySettings(set)
	}
	var res CallResult
	if s.tel == nil {
		err = Errorf(EUNAVAILABLE, "geen telefonie ingesteld")
	} else {
		res, err = s.tel.Call(ctx, req, p)
	}
	return e.record(ctx, a, seq, p, res, err, set)
}

// record writes the end of an attempt and moves the ladder on.
func (e *Escalator) record(runCtx context.Context, a *Alarm, seq int, p *attemptProgress, res CallResult, callErr error, set Settings) error {
	s := e.svc
	ctx := context.Background() // the record must be written even when the ladder stops
	now := s.clock.Now()
	placed := callErr == nil
	stopped := runCtx.Err() != nil
	stopReason := "alarm handled"
	if e.ctx.Err() != nil {
		stopReason = "daemon shutdown"
	}
	a, err := s.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
		t := x.Attempt(seq)
		t.EndedAt = &now
		t.Cause, t.CauseText, t.SIPDetail, t.Reason = res.Cause, res.CauseText, res.SIPDetail, res.Reason
		switch {
		case p.accepted:
			t.Outcome = OutcomeAccepted
		case placed && !stopped:
			t.Outcome = res.Outcome
			if t.Outcome == OutcomeRinging || t.Outcome == OutcomeAccepted {
				t.Outcome = OutcomeFailed // only a recorded 1 accepts
			}
			x.PlaceFailures = 0
		case stopped:
			t.Outcome, t.Reason = OutcomeFailed, stopReason
		default:
			t.Outcome, t.Reason = OutcomeFailed, "call not placed: "+callErr.Error()
			x.PlaceFailures++
			wait := min(5*time.Second<<min(x.PlaceFailures-1, 4), maxPlaceBackoff)
			next := now.Add(wait)
			x.NextCallAt = &next
			return nil // retry the same number after the back-off
		}
		if t.Outcome != OutcomeAccepted && x.Step == t.Step && x.Loop == t.Loop {
			x.Step++
		}
		x.NextCallAt = nil
		return nil
	})
	if err != nil {
		return err
	}
	t := a.Attempt(seq)
	s.log.Info("attempt ended", "alarm", a.Number, "attempt", seq, "number", t.Number, "outcome", t.Outcome,
		"cause", t.Cause, "cause_text", t.CauseText, "reason", t.Reason)
	switch {
	case !placed && !stopped:
		s.log.Error("call could not be placed; backing off", "alarm", a.Number, "number", t.Number, "err", callErr, "next_call_at", a.NextCallAt)
		if a.FanOutSentAt == nil {
			e.smsFanOut(ctx, a, set)
		}
	case p.accepted && p.smsChoice == "" && IsMobileNumber(t.Number):
		// The call dropped after the 1: the acceptor gets the SMS anyway.
		e.smsResponder(ctx, a, t.Number, set)
	}
	return nil
}
