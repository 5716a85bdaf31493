package alleenwerken

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Escalator runs the ladder of every open alarm: the alarm numbers in order,
// then the fallback number, for the configured number of loops; then the alarm
// is unanswered (loudly) and the ladder repeats every repeat interval until a
// person accepts with DTMF 1 or a responder marks the alarm handled. One
// goroutine runs one alarm's ladder; every attempt is written as it happens.
// What happens next is decided by DecideNext (ladder_rule.go); the escalator
// reads, decides, calls and writes.
type Escalator struct {
	store  EscalatorStore
	tel    Telephony
	clock  Clock
	log    *slog.Logger
	sched  *Scheduler
	sms    HealthReporter // the SMS path: the SMS is offered only when it is not down; may be nil
	notify func()         // wakes the SMS dispatcher; may be nil

	ctx     context.Context
	mu      sync.Mutex
	running map[string]context.CancelFunc
	again   map[string]bool // running ladders to call at once if they end in back-off
	wg      sync.WaitGroup
}

// EscalatorStore is the storage the escalator uses: the alarms, the
// session's worker name for the SMS, the settings read afresh for each
// attempt, and the SMS outbox.
type EscalatorStore interface {
	AlarmStore
	Session(ctx context.Context, id string) (*Session, error)
	Settings(ctx context.Context) (Settings, error)
	EnqueueSMS(ctx context.Context, m *SMS) error
}

// NewEscalator returns an escalator whose ladders wait on sched; tel may be
// nil (every call is then not placed). Open starts it.
func NewEscalator(st EscalatorStore, tel Telephony, sched *Scheduler, clock Clock, logger *slog.Logger) *Escalator {
	if logger == nil {
		logger = slog.Default()
	}
	return &Escalator{store: st, tel: tel, clock: clock, log: logger, sched: sched,
		running: map[string]context.CancelFunc{}, again: map[string]bool{}}
}

// Open lets ladders run until ctx ends; sms (the SMS path's health) and
// notify (wakes the dispatcher) may be nil.
func (e *Escalator) Open(ctx context.Context, sms HealthReporter, notify func()) {
	e.mu.Lock()
	e.ctx, e.sms, e.notify = ctx, sms, notify
	e.mu.Unlock()
}

// settings reads the settings for one step of a ladder; on a read error the
// defaults, so that the alarm still calls.
func (e *Escalator) settings(ctx context.Context) Settings {
	return readSettings(ctx, e.store, e.log)
}

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
		e.sched.At("ladder:"+alarmID, *wake, func() { e.Start(alarmID) })
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
	alarms, err := e.store.OpenAlarms(context.Background())
	if err != nil {
		e.log.Error("telephony connected: reading the open alarms failed; ladders in back-off wait their turn", "err", err)
		return
	}
	for _, a := range alarms {
		e.mu.Lock()
		_, running := e.running[a.ID]
		if running {
			e.again[a.ID] = true
		}
		e.mu.Unlock()
		if !running && a.PlaceFailures > 0 && e.callNow(a.ID) {
			e.log.Info("telephony connected: calling at once instead of after the back-off", "alarm", a.Number)
		}
	}
}

// callNow ends the back-off of an alarm whose last call could not be
// placed and starts its ladder; false when it is not in back-off.
func (e *Escalator) callNow(id string) bool {
	woken := false
	if _, err := e.store.UpdateAlarm(context.Background(), id, func(x *Alarm) error {
		if x.Open() && x.PlaceFailures > 0 && x.NextCallAt != nil {
			x.NextCallAt, woken = nil, true
		}
		return nil
	}); err != nil || !woken {
		return false
	}
	e.sched.Cancel("ladder:" + id)
	e.Start(id)
	return true
}

// Stop ends a running ladder (the call in progress is hung up) and the
// reminders of an accepted alarm.
func (e *Escalator) Stop(alarmID string) {
	e.sched.Cancel("ladder:" + alarmID)
	e.sched.Cancel(unhandledKey(alarmID))
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
// exists, and the ladder goes on with the next number. The reminders of
// accepted alarms not handled yet are armed again.
func (e *Escalator) Resume(ctx context.Context) error {
	if err := e.resumeUnhandled(ctx); err != nil {
		return err
	}
	alarms, err := e.store.OpenAlarms(ctx)
	if err != nil {
		return err
	}
	for _, a := range alarms {
		if cut := a.InterruptedAttempts(); len(cut) > 0 {
			for _, att := range cut {
				if e.tel != nil {
					hctx, cancel := context.WithTimeout(ctx, 3*time.Second)
					if err := e.tel.Hangup(hctx, att.CallID); err != nil {
						e.log.Warn("hanging up a call left from before the restart failed", "call", att.CallID, "err", err)
					}
					cancel()
				}
				e.log.Warn("attempt interrupted by a daemon restart: failed; ladder goes on", "alarm", a.Number, "attempt", att.Seq, "number", att.Number)
			}
			now := e.clock.Now()
			if _, err := e.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
				x.ResumeAfterRestart(now)
				return nil
			}); err != nil {
				return err
			}
		}
		e.log.Warn("resuming alarm ladder", "alarm", a.Number, "state", a.State)
		e.Start(a.ID)
	}
	return nil
}

// runSafe runs the ladder; a panic is logged and the ladder retried in 5 s,
// never the end of the daemon or of the alarm.
func (e *Escalator) runSafe(ctx context.Context, id string) (wake *time.Time) {
	defer func() {
		if r := recover(); r != nil {
			e.log.Error("ladder: panic; retrying in 5 s", "alarm_id", id, "panic", r, "stack", string(debug.Stack()))
			t := e.clock.Now().Add(5 * time.Second)
			wake = &t
		}
	}()
	return e.run(ctx, id)
}

// run drives the ladder until it must wait (returns when to wake) or the
// alarm is no longer open (returns nil): it reads the alarm, asks the
// ladder's rule what comes next (DecideNext), and does it.
func (e *Escalator) run(ctx context.Context, id string) *time.Time {
	for ctx.Err() == nil {
		a, err := e.store.Alarm(ctx, id)
		if err != nil {
			e.log.Error("ladder: reading alarm failed; retrying in 5 s", "alarm_id", id, "err", err)
			t := e.clock.Now().Add(5 * time.Second)
			return &t
		}
		set := e.settings(ctx)
		if a.State == AlarmUnanswered && a.AdminSMSAt == nil {
			e.smsAdmins(a, set)
		}
		now := e.clock.Now()
		next := DecideNext(a, set, now)
		switch next.Action {
		case ActDone:
			return nil
		case ActWait:
			return &next.At
		case ActCall:
			err = e.call(ctx, a, next.Step, set)
		default:
			err = e.endOfLoop(a, set, now)
		}
		if err != nil {
			e.log.Error("ladder: recording failed; retrying in 5 s", "alarm", a.Number, "action", next.Action, "err", err)
			t := now.Add(5 * time.Second)
			return &t
		}
	}
	return nil
}

// endOfLoop starts the next loop after the loop pause, or after the last loop marks the alarm
// unanswered, tells the admins, and waits the repeat interval. It is
// written even when the ladder is stopping.
func (e *Escalator) endOfLoop(a *Alarm, set Settings, now time.Time) error {
	var next Next
	a, err := e.store.UpdateAlarm(context.Background(), a.ID, func(x *Alarm) error {
		next = x.EndLoop(set, now)
		return nil
	})
	if err != nil {
		return err
	}
	switch next.Action {
	case ActNextLoop:
		e.log.Warn("ladder: nobody accepted; next loop after the loop pause", "alarm", a.Number, "loop", a.Loop, "next_call_at", next.At)
	case ActUnanswered:
		e.log.Error("ALARM NOT ACCEPTED after all numbers; calling the ladder again", "alarm", a.Number, "next_call_at", next.At)
		if a.AdminSMSAt == nil {
			e.smsAdmins(a, set)
		}
	}
	return nil
}

// call places the call of a ladder step and records it.
func (e *Escalator) call(ctx context.Context, a *Alarm, step int, set Settings) error {
	var att Attempt
	a, err := e.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
		att = x.NewAttempt(step, e.clock.Now())
		return nil
	})
	if err != nil {
		return err
	}
	e.log.Info("calling", "alarm", a.Number, "loop", att.Loop, "step", att.Step+1, "number", att.Number, "attempt", att.Seq)
	p := &attemptProgress{esc: e, alarmID: a.ID, seq: att.Seq, number: att.Number}
	var res CallResult
	if e.tel == nil {
		err = Errorf(EUNAVAILABLE, "geen telefonie ingesteld")
	} else {
		res, err = e.tel.Call(ctx, callRequest(a, att, a.Ladder[step], set), p)
	}
	return e.record(ctx, a, att.Seq, p, res, err, set)
}

// callRequest is the call of attempt att to ladder step st, with the
// settings read for it.
func callRequest(a *Alarm, att Attempt, st Step, set Settings) CallRequest {
	req := CallRequest{
		ID: att.CallID, Number: st.Number, Language: set.Language, RingTimeout: st.RingTimeout(set),
		PromptRepeats: set.PromptRepeats, CallerID: set.CallerID, Test: a.Test, Cause: a.Cause, AlarmNumber: a.Number,
		Dial: set.Dial(st.Number), Trunk: set.TrunkEndpoint, MaxCalls: set.SimultaneousCall,
	}
	if x, ok := set.Extension(st.Number); ok {
		req.Extension = &x
	}
	return req
}

// record writes the end of an attempt (Alarm.RecordCall) and sends the SMS
// that follows from it.
func (e *Escalator) record(runCtx context.Context, a *Alarm, seq int, p *attemptProgress, res CallResult, callErr error, set Settings) error {
	ctx := context.Background() // the record must be written even when the ladder stops
	end := CallEnd{Result: res, Err: callErr, Accepted: p.accepted}
	if runCtx.Err() != nil {
		end.Stopped = "alarm handled"
		if e.ctx.Err() != nil {
			end.Stopped = "daemon shutdown"
		}
	}
	now := e.clock.Now()
	a, err := e.store.UpdateAlarm(ctx, a.ID, func(x *Alarm) error {
		x.RecordCall(seq, end, now)
		return nil
	})
	if err != nil {
		return err
	}
	t := a.Attempt(seq)
	e.log.Info("attempt ended", "alarm", a.Number, "attempt", seq, "number", t.Number, "outcome", t.Outcome,
		"cause", t.Cause, "cause_text", t.CauseText, "reason", t.Reason)
	switch {
	case callErr != nil && end.Stopped == "":
		e.log.Error("call could not be placed; backing off", "alarm", a.Number, "number", t.Number, "err", callErr, "next_call_at", a.NextCallAt)
		if a.FanOutSentAt == nil {
			e.smsFanOut(ctx, a, set)
		}
	case p.accepted && p.smsChoice == "" && IsMobileNumber(t.Number):
		// The call dropped after the 1: the acceptor gets the SMS anyway.
		e.smsResponder(ctx, a, t.Number, set)
	}
	return nil
}
